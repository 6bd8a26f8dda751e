"""Regulation state, in the storage of the interception (0x…1010) and identity (0x…1011)
precompiles' accounts.

Ordinary account storage under `slot_of` keys, as the governance stores are, so state roots,
proofs, dumps and restarts carry it. Written by the precompiles (metered, `MeteredStorage`) and
read by the VM's per-frame check straight from the state (`StateWords`, unmetered).

Interception account (0x…1010):

    slot_of("kinds")                                   which kinds of rule exist (KIND_* bits)
    slot_of("regulator", account)                      1: may maintain the rules
    slot_of("blocked", account)                        1: refused as a frame's sender or target
    slot_of("method", contract, selector)              1: calls of selector on contract refused
    slot_of("threshold", token)                        threshold + 1 (0: no rule); token 0 = ether
    slot_of("minLevel", token)                         the KYC level a sender above it needs
    roster slots (`Roster`): every account, pair or token ever named, for the list views

Identity account (0x…1011):

    slot_of("issuer", account)                         1: may bind identities
    slot_of("record", account)                         keccak/SM3 hash of the off-chain KYC record
    slot_of("identity", account)                       level | expiry << 8 | issuer << 72
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_typing import Address

from vm_hooks.consensus.store import Words
from vm_hooks.storage import slot_of

KIND_ADDRESS = 1   # some address was blocked (set once, never cleared)
KIND_METHOD = 2    # some (contract, selector) pair was blocked
KIND_VALUE = 4     # a threshold on ether value exists
KIND_TOKEN = 8     # a threshold on some token's transfer amounts exists

ETHER = Address(b"\x00" * 20)  # the "token" of a threshold on native value
MAX_LEVEL = 255
_U64 = (1 << 64) - 1


def _address(word: int) -> Address:
    return Address(word.to_bytes(20, "big"))


def _word(address: bytes) -> int:
    return int.from_bytes(address, "big")


class Roster:
    """Every key ever named under `name`, in order (the list views filter what is still set)."""

    def __init__(self, words: Words, name: str) -> None:
        self._w = words
        self._name = name

    def add(self, key: int) -> None:
        seen = slot_of(self._name, "seen", key)
        if self._w.get_word(seen):
            return
        count = self._w.get_word(slot_of(self._name, "count"))
        self._w.set_word(slot_of(self._name, "at", count), key)
        self._w.set_word(slot_of(self._name, "count"), count + 1)
        self._w.set_word(seen, 1)

    def keys(self) -> list[int]:
        count = self._w.get_word(slot_of(self._name, "count"))
        return [self._w.get_word(slot_of(self._name, "at", i)) for i in range(count)]


class RegulationStore:
    """Typed reads and writes of the interception precompile's account."""

    def __init__(self, words: Words) -> None:
        self._w = words

    def kinds(self) -> int:
        return self._w.get_word(slot_of("kinds"))

    def _add_kind(self, kind: int) -> None:
        kinds = self.kinds()
        if not kinds & kind:
            self._w.set_word(slot_of("kinds"), kinds | kind)

    # -- regulators --
    def is_regulator(self, account: bytes) -> bool:
        return self._w.get_word(slot_of("regulator", account)) == 1

    def set_regulator(self, account: bytes, enabled: bool) -> None:
        self._w.set_word(slot_of("regulator", account), int(enabled))
        Roster(self._w, "regulators").add(_word(account))

    def regulators(self) -> list[Address]:
        named = (_address(k) for k in Roster(self._w, "regulators").keys())
        return [a for a in named if self.is_regulator(a)]

    # -- blocked addresses --
    def is_blocked(self, account: bytes) -> bool:
        return self._w.get_word(slot_of("blocked", account)) == 1

    def set_blocked(self, account: bytes, blocked: bool) -> None:
        self._w.set_word(slot_of("blocked", account), int(blocked))
        Roster(self._w, "blocked").add(_word(account))
        if blocked:
            self._add_kind(KIND_ADDRESS)

    def blocked(self) -> list[Address]:
        named = (_address(k) for k in Roster(self._w, "blocked").keys())
        return [a for a in named if self.is_blocked(a)]

    # -- blocked methods --
    def is_method_blocked(self, contract: bytes, selector: bytes) -> bool:
        return self._w.get_word(slot_of("method", contract, selector)) == 1

    def set_method_blocked(self, contract: bytes, selector: bytes, blocked: bool) -> None:
        self._w.set_word(slot_of("method", contract, selector), int(blocked))
        Roster(self._w, "methods").add(_word(contract) << 32 | int.from_bytes(selector, "big"))
        if blocked:
            self._add_kind(KIND_METHOD)

    def blocked_methods(self) -> list[tuple[Address, bytes]]:
        pairs = ((_address(k >> 32), (k & 0xFFFFFFFF).to_bytes(4, "big"))
                 for k in Roster(self._w, "methods").keys())
        return [(c, s) for c, s in pairs if self.is_method_blocked(c, s)]

    # -- value thresholds --
    def threshold(self, token: bytes) -> tuple[int, int] | None:
        """(threshold, minimum KYC level) for `token` (ETHER: native value), or None."""
        limit = self.limit(token)
        return None if limit is None else (limit, self._w.get_word(slot_of("minLevel", token)))

    def limit(self, token: bytes) -> int | None:
        """The threshold alone (one read: the VM asks it of every frame that moves value)."""
        raw = self._w.get_word(slot_of("threshold", token))
        return None if raw == 0 else raw - 1

    def min_level(self, token: bytes) -> int:
        return self._w.get_word(slot_of("minLevel", token))

    def set_threshold(self, token: bytes, threshold: int, min_level: int) -> None:
        """min_level 0 removes the rule. `threshold` must be below 2**256 - 1 (stored + 1)."""
        self._w.set_word(slot_of("threshold", token), 0 if min_level == 0 else threshold + 1)
        self._w.set_word(slot_of("minLevel", token), min_level)
        Roster(self._w, "tokens").add(_word(token))
        if min_level:
            self._add_kind(KIND_VALUE if token == ETHER else KIND_TOKEN)

    def thresholds(self) -> list[tuple[Address, int, int]]:
        out = []
        for key in Roster(self._w, "tokens").keys():
            rule = self.threshold(_address(key))
            if rule is not None:
                out.append((_address(key), *rule))
        return out


@dataclass(frozen=True)
class Identity:
    """One account's identity record: no personal data, only a hash of the off-chain record."""

    record_hash: bytes
    level: int
    expiry: int          # unix seconds; valid while the block's timestamp is below it
    issuer: Address


class IdentityStore:
    """Typed reads and writes of the identity (KYC) registry's account."""

    def __init__(self, words: Words) -> None:
        self._w = words

    def is_issuer(self, account: bytes) -> bool:
        return self._w.get_word(slot_of("issuer", account)) == 1

    def set_issuer(self, account: bytes, enabled: bool) -> None:
        self._w.set_word(slot_of("issuer", account), int(enabled))
        Roster(self._w, "issuers").add(_word(account))

    def issuers(self) -> list[Address]:
        named = (_address(k) for k in Roster(self._w, "issuers").keys())
        return [a for a in named if self.is_issuer(a)]

    def identity(self, account: bytes) -> Identity | None:
        packed = self._w.get_word(slot_of("identity", account))
        if packed == 0:
            return None
        record = self._w.get_word(slot_of("record", account)).to_bytes(32, "big")
        return Identity(record, packed & 0xFF, (packed >> 8) & _U64, _address(packed >> 72))

    def set_identity(self, account: bytes, identity: Identity) -> None:
        self._w.set_word(slot_of("record", account), int.from_bytes(identity.record_hash, "big"))
        self._w.set_word(slot_of("identity", account),
                         identity.level | identity.expiry << 8 | _word(identity.issuer) << 72)

    def clear(self, account: bytes) -> None:
        self._w.set_word(slot_of("record", account), 0)
        self._w.set_word(slot_of("identity", account), 0)

    def valid(self, identity: Identity | None, now: int) -> bool:
        """Bound, not expired at `now` (a block timestamp), and its issuer still authorised."""
        return identity is not None and now < identity.expiry and self.is_issuer(identity.issuer)

    def level(self, account: bytes, now: int) -> int:
        """The KYC level that counts at `now`: the record's, or 0 when it is not valid. Reads
        the packed word and the issuer's entry only (the VM asks this on weighed frames)."""
        packed = self._w.get_word(slot_of("identity", account))
        if packed == 0 or now >= (packed >> 8) & _U64 or not self.is_issuer(_address(packed >> 72)):
            return 0
        return packed & 0xFF
