"""The committee (FISCO BCOS v3 CommitteeManager-style governance) at 0x…10001."""
