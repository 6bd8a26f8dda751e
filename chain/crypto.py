"""The chain's crypto suite: which hash and which signature scheme a chain uses.

A chain's hash (trie keys, transaction and block hashes, addresses) and its signature scheme are
one choice made per chain, in the spec (chain/spec.py), and passed down; nothing below the
composition root picks a hash function by itself. Today there is one suite, Ethereum's
(keccak-256 and secp256k1); a national-cryptography suite (SM3 and SM2) slots in beside it.

"keccak for ABI selectors and ENS namehash" is *not* this: the Ethereum ABI stays keccak in every
mode so that Solidity and its tools keep working (see vm_hooks/hashing.py).
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Callable

from eth_hash.auto import keccak as _eth_keccak

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


def prefer_fast_keccak() -> None:
    """Hash with safe-pysha3 (C) instead of pycryptodome, which eth-hash picks first if both exist.

    Keccak runs about 80 times per ERC-20 transfer (trie nodes, addresses, slots): about 11 us a
    call through pycryptodome's ctypes wrapper, 3 us through pysha3; both give the same digests.
    eth-hash (which py-evm hashes through) chooses its backend from the environment on its first
    call, so this must run before anything hashes; the composition root calls it for every node,
    in a process of its own or inside a test. After a first hash it changes nothing.
    """
    if "ETH_HASH_BACKEND" not in os.environ and importlib.util.find_spec("sha3") is not None:
        os.environ["ETH_HASH_BACKEND"] = "pysha3"
