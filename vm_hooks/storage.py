"""A precompile's own account storage, addressed by keys and metered in gas.

Native platform contracts keep their data in the ordinary state trie (under their own address),
so snapshots, reverts, persistence, dumps and proofs treat it like any contract's storage.
Slots are derived from structured keys by keccak (the ABI's, in every crypto mode), as Solidity does for mappings, and byte
strings are stored as a length word followed by 32-byte chunks.
"""
from __future__ import annotations

from eth.abc import ComputationAPI
from eth_typing import Address

from vm_hooks.abi_hash import abi_keccak

READ_WORD_GAS = 200  # a warm SLOAD costs 100; a native read is cheap but not free
WRITE_WORD_GAS = 20_000  # what SSTORE charges to set a fresh slot


def slot_of(*parts: bytes | str | int) -> int:
    """The storage slot of a structured key, e.g. `slot_of("version", label, 3)`."""
    encoded = b"".join(_encode_part(p) for p in parts)
    return int.from_bytes(abi_keccak(encoded), "big")


def _encode_part(part: bytes | str | int) -> bytes:
    if isinstance(part, int):
        raw = part.to_bytes(32, "big")
    elif isinstance(part, str):
        raw = part.encode("utf-8")
    else:
        raw = part
    # Length-prefixing each part keeps ("ab", "c") and ("a", "bc") apart.
    return len(raw).to_bytes(4, "big") + raw


class MeteredStorage:
    """Word and byte-string access to one account's storage, charging gas to `computation`."""

    def __init__(self, computation: ComputationAPI, address: Address) -> None:
        self._computation = computation
        self.address = address

    def get_word(self, slot: int) -> int:
        self._computation.consume_gas(READ_WORD_GAS, reason="platform storage read")
        return self._computation.state.get_storage(self.address, slot)

    def set_word(self, slot: int, value: int) -> None:
        self._computation.consume_gas(WRITE_WORD_GAS, reason="platform storage write")
        self._computation.state.set_storage(self.address, slot, value)

    def get_bytes(self, slot: int) -> bytes:
        length = self.get_word(slot)
        base = int.from_bytes(abi_keccak(slot.to_bytes(32, "big")), "big")
        chunks = [self.get_word(base + i).to_bytes(32, "big") for i in range((length + 31) // 32)]
        return b"".join(chunks)[:length]

    def set_bytes(self, slot: int, value: bytes) -> None:
        """Store `value` at `slot` (only ever used for fresh slots: CNS records are insert-only)."""
        self.set_word(slot, len(value))
        base = int.from_bytes(abi_keccak(slot.to_bytes(32, "big")), "big")
        for i in range(0, len(value), 32):
            chunk = value[i:i + 32].ljust(32, b"\x00")
            self.set_word(base + i // 32, int.from_bytes(chunk, "big"))

    def get_str(self, slot: int) -> str:
        return self.get_bytes(slot).decode("utf-8")

    def set_str(self, slot: int, value: str) -> None:
        self.set_bytes(slot, value.encode("utf-8"))
