"""The committee and its proposals, laid out in the storage of the committee's account (0x…10001).

    slot_of("initialised")              1 once the committee is stored (genesis or first write)
    slot_of("participatesRate"), slot_of("winRate")      the thresholds, in percent
    slot_of("member", "count")          how many members
    slot_of("member", "at", i)          the i-th member (dense: removal moves the last in)
    slot_of("member", "position", a)    i + 1 for a member, 0 otherwise
    slot_of("member", "weight", a)      its weight
    slot_of("proposal", "count")        the last proposal id (ids start at 1, as FISCO's)
    slot_of("proposal", id, field)      type, proposer, resource, deadline, status, target,
                                        created (block), executed (block)
    slot_of("proposal", id, "data")     the call data executed when it passes (length, chunks)
    slot_of("proposal", id, side, "count"), slot_of("proposal", id, side, i)   the voters of
                                        side "agree" / "against", in voting order
    slot_of("proposal", id, "voted", a) 1 agreed, 2 against, 0 not voted

The precompile writes it (metered), a governed chain's genesis seeds the committee part of it
(vm_hooks/committee/genesis.py), and clients read it through the precompile's views.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_typing import Address

from vm_hooks.abi_hash import abi_keccak
from vm_hooks.consensus.store import Words
from vm_hooks.storage import slot_of

AGREE, AGAINST = "agree", "against"
_FIELDS = ("type", "proposer", "resource", "deadline", "status", "target", "created", "executed")


def _address(word: int) -> Address:
    return Address(word.to_bytes(20, "big"))


@dataclass(frozen=True)
class Proposal:
    """One proposal as stored (its status not yet aged: see rules.effective_status)."""

    id: int
    type: int
    proposer: Address
    resource: Address
    deadline: int
    status: int
    target: Address
    data: bytes
    created: int
    executed: int
    agree: tuple[Address, ...]
    against: tuple[Address, ...]


class CommitteeStore:
    """Typed reads and writes of the committee's storage over word access."""

    def __init__(self, words: Words) -> None:
        self._w = words

    # --- the committee ---
    def initialised(self) -> bool:
        return self._w.get_word(slot_of("initialised")) != 0

    def mark_initialised(self) -> None:
        self._w.set_word(slot_of("initialised"), 1)

    def rates(self) -> tuple[int, int]:
        return self._w.get_word(slot_of("participatesRate")), self._w.get_word(slot_of("winRate"))

    def set_rates(self, participates_rate: int, win_rate: int) -> None:
        self._w.set_word(slot_of("participatesRate"), participates_rate)
        self._w.set_word(slot_of("winRate"), win_rate)

    def members(self) -> dict[Address, int]:
        """Member → weight, in the stored order."""
        count = self._w.get_word(slot_of("member", "count"))
        addresses = [_address(self._w.get_word(slot_of("member", "at", i))) for i in range(count)]
        return {a: self._w.get_word(slot_of("member", "weight", a)) for a in addresses}

    def set_weight(self, member: bytes, weight: int) -> None:
        """FISCO's Committee.setWeight: 0 removes the member, otherwise adds it or changes it."""
        position = self._w.get_word(slot_of("member", "position", member))
        if weight == 0:
            if position:
                self._remove(member, position - 1)
            return
        if not position:
            count = self._w.get_word(slot_of("member", "count"))
            self._w.set_word(slot_of("member", "at", count), int.from_bytes(member, "big"))
            self._w.set_word(slot_of("member", "position", member), count + 1)
            self._w.set_word(slot_of("member", "count"), count + 1)
        self._w.set_word(slot_of("member", "weight", member), weight)

    def _remove(self, member: bytes, index: int) -> None:
        last = self._w.get_word(slot_of("member", "count")) - 1
        if index != last:
            moved = self._w.get_word(slot_of("member", "at", last))
            self._w.set_word(slot_of("member", "at", index), moved)
            self._w.set_word(slot_of("member", "position", moved.to_bytes(20, "big")), index + 1)
        self._w.set_word(slot_of("member", "at", last), 0)
        self._w.set_word(slot_of("member", "position", member), 0)
        self._w.set_word(slot_of("member", "weight", member), 0)
        self._w.set_word(slot_of("member", "count"), last)

    # --- proposals ---
    def proposal_count(self) -> int:
        return self._w.get_word(slot_of("proposal", "count"))

    def add_proposal(self, kind: int, proposer: bytes, resource: bytes, deadline: int, target: bytes,
                     data: bytes, created: int, status: int) -> int:
        """Store a new proposal (no votes yet) and return its id."""
        pid = self.proposal_count() + 1
        self._w.set_word(slot_of("proposal", "count"), pid)
        values = {"type": kind, "proposer": int.from_bytes(proposer, "big"),
                  "resource": int.from_bytes(resource, "big"), "deadline": deadline, "status": status,
                  "target": int.from_bytes(target, "big"), "created": created}
        for name, value in values.items():
            if value:
                self._w.set_word(slot_of("proposal", pid, name), value)
        self._set_bytes(slot_of("proposal", pid, "data"), data)
        return pid

    def field(self, pid: int, name: str) -> int:
        return self._w.get_word(slot_of("proposal", pid, name))

    def set_field(self, pid: int, name: str, value: int) -> None:
        self._w.set_word(slot_of("proposal", pid, name), value)

    def vote_of(self, pid: int, voter: bytes) -> int:
        """1 agreed, 2 against, 0 has not voted."""
        return self._w.get_word(slot_of("proposal", pid, "voted", voter))

    def add_vote(self, pid: int, voter: bytes, agree: bool) -> None:
        side = AGREE if agree else AGAINST
        count = self._w.get_word(slot_of("proposal", pid, side, "count"))
        self._w.set_word(slot_of("proposal", pid, side, count), int.from_bytes(voter, "big"))
        self._w.set_word(slot_of("proposal", pid, side, "count"), count + 1)
        self._w.set_word(slot_of("proposal", pid, "voted", voter), 1 if agree else 2)

    def voters(self, pid: int, side: str) -> tuple[Address, ...]:
        count = self._w.get_word(slot_of("proposal", pid, side, "count"))
        return tuple(_address(self._w.get_word(slot_of("proposal", pid, side, i))) for i in range(count))

    def proposal(self, pid: int) -> Proposal:
        f = {name: self.field(pid, name) for name in _FIELDS}
        return Proposal(pid, f["type"], _address(f["proposer"]), _address(f["resource"]), f["deadline"],
                        f["status"], _address(f["target"]), self._get_bytes(slot_of("proposal", pid, "data")),
                        f["created"], f["executed"], self.voters(pid, AGREE), self.voters(pid, AGAINST))

    # --- byte strings (length word, then 32-byte chunks at keccak(slot) + i, as MeteredStorage) ---
    def _set_bytes(self, slot: int, value: bytes) -> None:
        self._w.set_word(slot, len(value))
        base = int.from_bytes(abi_keccak(slot.to_bytes(32, "big")), "big")
        for i in range(0, len(value), 32):
            self._w.set_word(base + i // 32, int.from_bytes(value[i:i + 32].ljust(32, b"\x00"), "big"))

    def _get_bytes(self, slot: int) -> bytes:
        length = self._w.get_word(slot)
        base = int.from_bytes(abi_keccak(slot.to_bytes(32, "big")), "big")
        chunks = [self._w.get_word(base + i).to_bytes(32, "big") for i in range((length + 31) // 32)]
        return b"".join(chunks)[:length]
