"""The consortium trust list, laid out in the storage of the trust-list precompile's account.

Three things are kept, as opaque DER bytes (the chain never parses X.509: see
vm_hooks/trust/precompile.py for why):
- the trust list: CA certificates, a set keyed by SHA-256 of the DER (the fingerprint
  `openssl x509 -noout -fingerprint -sha256` prints);
- one CRL per listed CA, keyed by the CA's fingerprint (replaced whole on each publication);
- the registry of node certificates, a set keyed the same way.
Plus the admin (the only account that may write, seeded at genesis) and a revision counter that
every write increments, so a node can tell with one storage read whether to rebuild.

Each set is an array of fingerprints (`count`, `at[i]`) with a position map for removal by
swap-and-pop, so the views enumerate in O(n) without scanning the trie. The same layout is
written three ways: by the precompile (metered), into the genesis state (`GenesisStorage`), and
read back by the node after a commit (`StateStorage`).
"""
from __future__ import annotations

import hashlib

from eth.abc import StateAPI
from eth_typing import Address

from vm_hooks.abi_hash import abi_keccak
from vm_hooks.storage import MeteredStorage, slot_of

CA = "ca"
CERTIFICATE = "cert"


def fingerprint(der: bytes) -> bytes:
    """SHA-256 of the DER encoding, as `openssl x509 -fingerprint -sha256` prints it."""
    return hashlib.sha256(der).digest()


class TrustListStore:
    """Typed reads and writes of the trust list over one account's storage."""

    def __init__(self, storage: MeteredStorage) -> None:
        self._s = storage

    # --- admin and revision ---
    def admin(self) -> Address:
        return Address(self._s.get_word(slot_of("admin")).to_bytes(20, "big"))

    def set_admin(self, admin: Address) -> None:
        self._s.set_word(slot_of("admin"), int.from_bytes(admin, "big"))

    def revision(self) -> int:
        return self._s.get_word(slot_of("revision"))

    def bump_revision(self) -> None:
        self._s.set_word(slot_of("revision"), self.revision() + 1)

    # --- the two sets: CAs and node certificates ---
    def count(self, kind: str) -> int:
        return self._s.get_word(slot_of(kind, "count"))

    def fingerprints(self, kind: str) -> list[bytes]:
        return [self._s.get_word(slot_of(kind, "at", i)).to_bytes(32, "big") for i in range(self.count(kind))]

    def contains(self, kind: str, print_: bytes) -> bool:
        return self._s.get_word(slot_of(kind, "position", print_)) != 0

    def der(self, kind: str, print_: bytes) -> bytes:
        return self._s.get_bytes(slot_of(kind, "der", print_))

    def all_der(self, kind: str) -> list[bytes]:
        return [self.der(kind, p) for p in self.fingerprints(kind)]

    def add(self, kind: str, der: bytes) -> bytes:
        """Append `der` (the caller checked it is absent); returns its fingerprint."""
        print_ = fingerprint(der)
        position = self.count(kind)
        self._s.set_word(slot_of(kind, "at", position), int.from_bytes(print_, "big"))
        self._s.set_word(slot_of(kind, "position", print_), position + 1)
        self._s.set_word(slot_of(kind, "count"), position + 1)
        self._s.set_bytes(slot_of(kind, "der", print_), der)
        return print_

    def remove(self, kind: str, print_: bytes) -> None:
        """Remove a present entry: the last one moves into its place, its words are zeroed."""
        position = self._s.get_word(slot_of(kind, "position", print_)) - 1
        last = self.count(kind) - 1
        if position != last:
            moved = self._s.get_word(slot_of(kind, "at", last))
            self._s.set_word(slot_of(kind, "at", position), moved)
            self._s.set_word(slot_of(kind, "position", moved.to_bytes(32, "big")), position + 1)
        self._s.set_word(slot_of(kind, "at", last), 0)
        self._s.set_word(slot_of(kind, "position", print_), 0)
        self._s.set_word(slot_of(kind, "count"), last)
        self._clear_bytes(slot_of(kind, "der", print_))

    # --- CRLs, one per listed CA ---
    def crl(self, ca_print: bytes) -> bytes:
        return self._s.get_bytes(slot_of("crl", ca_print))

    def set_crl(self, ca_print: bytes, der: bytes) -> None:
        self._clear_bytes(slot_of("crl", ca_print))
        if der:
            self._s.set_bytes(slot_of("crl", ca_print), der)

    def _clear_bytes(self, slot: int) -> None:
        """Zero a byte string's length and chunks, so a replaced or removed entry leaves no
        words behind in the state."""
        length = self._s.get_word(slot)
        if not length:
            return
        base = int.from_bytes(abi_keccak(slot.to_bytes(32, "big")), "big")
        for i in range((length + 31) // 32):
            self._s.set_word(base + i, 0)
        self._s.set_word(slot, 0)


class GenesisStorage(MeteredStorage):
    """The layout written into a plain dict of words, for the genesis allocation (no gas)."""

    def __init__(self, address: Address) -> None:  # no computation: nothing is metered
        self.address = address
        self.words: dict[int, int] = {}

    def get_word(self, slot: int) -> int:
        return self.words.get(slot, 0)

    def set_word(self, slot: int, value: int) -> None:
        if value:
            self.words[slot] = value
        else:
            self.words.pop(slot, None)


class StateStorage(MeteredStorage):
    """Read-only access to the layout in a committed state, for the node's admission (no gas)."""

    def __init__(self, state: StateAPI, address: Address) -> None:  # no computation: nothing is metered
        self._state = state
        self.address = address

    def get_word(self, slot: int) -> int:
        return int(self._state.get_storage(self.address, slot))

    def set_word(self, slot: int, value: int) -> None:
        raise TypeError("StateStorage is read-only: the trust list changes only by transaction")
