"""The validator set, laid out in the storage of the Consensus precompile's account (0x1003).

Nodes are CometBFT validator keys (32-byte ed25519 public keys). Each node of the set is a
sealer (weight > 0: a validator with that voting power) or an observer (weight 0: known, not
voting). The store is written three ways over one layout: by the precompile (metered, in a
transaction), by the network's genesis (a plain dict of slots), and read by the ABCI app after
a block (straight from the state), so all three agree by construction.

    slot_of("admin")           the account that may change the set (0: nobody)
    slot_of("count")           how many nodes
    slot_of("node", i)         the i-th node's key (0-based, dense: removal moves the last in)
    slot_of("position", key)   i + 1 for a node in the set, 0 otherwise
    slot_of("weight", key)     its voting power (0 for an observer)
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from eth.abc import StateAPI
from eth_typing import Address

from vm_hooks.storage import slot_of

KEY_BYTES = 32  # an ed25519 public key
# CometBFT's MaxTotalVotingPower (types/validator_set.go): MaxInt64 / 8. A larger total would
# make CometBFT refuse the validator update and halt the chain.
MAX_TOTAL_POWER = (2**63 - 1) // 8


class Words(Protocol):
    """Word-sized storage of one account."""

    def get_word(self, slot: int) -> int: ...

    def set_word(self, slot: int, value: int) -> None: ...


class DictWords:
    """Storage as a dict of slots: what a genesis allocation carries."""

    def __init__(self) -> None:
        self.slots: dict[int, int] = {}

    def get_word(self, slot: int) -> int:
        return self.slots.get(slot, 0)

    def set_word(self, slot: int, value: int) -> None:
        self.slots[slot] = value


class StateWords:
    """Read-only storage of `address` in a py-evm state, unmetered (the node's own reads)."""

    def __init__(self, state: StateAPI, address: Address) -> None:
        self._state = state
        self._address = address

    def get_word(self, slot: int) -> int:
        return int(self._state.get_storage(self._address, slot))

    def set_word(self, slot: int, value: int) -> None:
        raise TypeError("StateWords is read-only")


class ConsensusStore:
    """Typed reads and writes of the validator set."""

    def __init__(self, words: Words) -> None:
        self._w = words

    def admin(self) -> Address:
        return Address(self._w.get_word(slot_of("admin")).to_bytes(20, "big"))

    def set_admin(self, admin: bytes) -> None:
        self._w.set_word(slot_of("admin"), int.from_bytes(admin, "big"))

    def count(self) -> int:
        return self._w.get_word(slot_of("count"))

    def contains(self, key: bytes) -> bool:
        return self._w.get_word(slot_of("position", key)) != 0

    def weight(self, key: bytes) -> int:
        return self._w.get_word(slot_of("weight", key))

    def nodes(self) -> list[tuple[bytes, int]]:
        """Every node and its weight, in the set's order."""
        keys = [self._w.get_word(slot_of("node", i)).to_bytes(KEY_BYTES, "big") for i in range(self.count())]
        return [(key, self.weight(key)) for key in keys]

    def sealers(self) -> dict[bytes, int]:
        """Validator key → voting power, for every node with weight > 0."""
        return {key: weight for key, weight in self.nodes() if weight > 0}

    def put(self, key: bytes, weight: int) -> None:
        """Add `key` (at the end) or change its weight."""
        if not self.contains(key):
            position = self.count()
            self._w.set_word(slot_of("node", position), int.from_bytes(key, "big"))
            self._w.set_word(slot_of("position", key), position + 1)
            self._w.set_word(slot_of("count"), position + 1)
        self._w.set_word(slot_of("weight", key), weight)

    def remove(self, key: bytes) -> None:
        """Drop `key` (which must be in the set); the last node takes its place."""
        position = self._w.get_word(slot_of("position", key)) - 1
        last = self.count() - 1
        if position != last:
            moved = self._w.get_word(slot_of("node", last))
            self._w.set_word(slot_of("node", position), moved)
            self._w.set_word(slot_of("position", moved.to_bytes(KEY_BYTES, "big")), position + 1)
        self._w.set_word(slot_of("node", last), 0)
        self._w.set_word(slot_of("position", key), 0)
        self._w.set_word(slot_of("weight", key), 0)
        self._w.set_word(slot_of("count"), last)


def genesis_storage(admin: bytes | None, sealers: Iterable[tuple[bytes, int]],
                    observers: Iterable[bytes] = ()) -> dict[int, int]:
    """The precompile account's genesis storage: `admin` (None: nobody may change the set), the
    genesis validators (key, power) in the order CometBFT's genesis lists them, then the
    genesis observers (weight 0), so `getObserverList` names them from the first block."""
    words = DictWords()
    store = ConsensusStore(words)
    if admin is not None:
        store.set_admin(admin)
    for key, power in sealers:
        if len(key) != KEY_BYTES or power <= 0:
            raise ValueError(f"a genesis validator needs a 32-byte ed25519 key and power > 0, not "
                             f"{key.hex()} with {power}")
        store.put(key, power)
    for key in observers:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a genesis observer is a 32-byte ed25519 key, not {key.hex()!r}")
        if store.contains(key):
            raise ValueError(f"{key.hex()} is listed both as a genesis validator and as an observer")
        store.put(key, 0)
    return words.slots
