"""FISCO BCOS's Consensus precompile (0x1003): the validator set, changed by transaction."""
