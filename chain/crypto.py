"""The chain's crypto suite: which hash and which signature scheme a chain uses.

A chain's hash (trie keys, transaction and block hashes, addresses) and its signature scheme are
one choice made per chain, in the spec (chain/spec.py), and passed down; nothing below the
composition root picks a hash function by itself. Today there is one suite, Ethereum's
(keccak-256 and secp256k1); a national-cryptography suite (SM3 and SM2) slots in beside it.

"keccak for ABI selectors and ENS namehash" is *not* this: the Ethereum ABI stays keccak in every
mode so that Solidity and its tools keep working (see vm_hooks/hashing.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from eth_hash.auto import keccak as _eth_keccak

from vm_hooks.fast_keccak import prefer_fast_keccak as prefer_fast_keccak  # re-exported (chain/cli.py, spec.py)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass(frozen=True)
class CryptoSuite:
    """How a chain hashes and signs. `curve_order` bounds valid signature scalars (r, s)."""

    name: str
    hash: Callable[[bytes], bytes]
    curve_order: int

    def valid_signature_scalars(self, r: int, s: int) -> bool:
        """EIP-2: 0 < r < n and 0 < s <= n/2 (the low-s rule that removes malleability)."""
        return 0 < r < self.curve_order and 0 < s <= self.curve_order // 2


ETHEREUM = CryptoSuite(name="ethereum", hash=_eth_keccak, curve_order=SECP256K1_N)
SUITES = {ETHEREUM.name: ETHEREUM}


def suite(name: str) -> CryptoSuite:
    """The crypto suite called `name`; raises ValueError naming the ones that exist."""
    try:
        return SUITES[name]
    except KeyError:
        raise ValueError(f"unknown crypto suite {name!r}; known: {', '.join(sorted(SUITES))}") from None
