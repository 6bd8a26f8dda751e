"""keccak-256 as the Ethereum ABI defines it: function selectors, event topics, Solidity's storage
layout (mapping slots) and ENS namehash.

This is deliberately *not* the chain's hash (chain/crypto.py): a chain whose crypto suite hashes
with SM3 still speaks the Ethereum ABI, so Solidity contracts, their tools and ENS-style names keep
working. Everything that must stay keccak in every mode imports it from here, by this name.
"""
from __future__ import annotations

from eth_hash.auto import keccak as _keccak


def abi_keccak(data: bytes) -> bytes:
    """keccak-256 of `data` (32 bytes)."""
    return _keccak(data)
