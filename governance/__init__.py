"""The Python side of Wabei's governance precompiles: typed clients for SystemConfig (0x…1000),
Permission (0x…1005) and AccountManager (0x…10003), with clear errors (governance/errors.py)."""
