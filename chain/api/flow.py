"""Transaction and block flow: when each recent transaction was received, admitted to the pool,
included in a block (or a proposal), executed and committed, and each block's steps.

The seams stamp the times (wall clock, seconds): `Transactions` when a request brings a
transaction (`received`), the pool's `new_pending` topic when it is admitted, the block run
(chain/backend/execution.BlockTimes) when a block is proposed, each transaction executed and
the block sealed, and `Backend.commit` when it is stored. `block_committed` turns a committed
block into its `BlockFlow` and completes its transactions' records.

Memory is bounded: the records of the `capacity` most recently seen transactions are kept (the
oldest is dropped first), so `wabei_getTransactionFlow` answers for recent transactions only.
"""
from __future__ import annotations

import math
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chain.api.blocks import MinedBlock

DEFAULT_CAPACITY = 10_000  # transactions; ~240 bytes each (tracemalloc; 0.84 MiB of it allocated at start)
CONSENSUS_HEIGHTS = 16     # heights whose consensus steps are kept until their block commits
NAN = float("nan")
# A record's steps, in TxFlow's order: its slot's doubles in FlowRecorder._times.
_RECEIVED, _ADMITTED, _INCLUDED, _EXECUTED, _COMMITTED = range(5)
_STEPS = 5
_UNSEEN = array("d", [NAN] * _STEPS)


@dataclass(slots=True)
class TxFlow:
    """One transaction's times (seconds since the epoch); None for a step not seen (yet).

    A transaction gossiped from another node of a network is first seen at admission (CheckTx),
    so its `received` is its `admitted`; one mined from another node's block (a follower) has
    no pool steps at all.
    """

    received: float | None = None
    admitted: float | None = None
    included: float | None = None   # its block's run opened (the proposal, on a network)
    executed: float | None = None
    committed: float | None = None
    block_number: int | None = None
    block_hash: bytes | None = None


@dataclass(frozen=True)
class BlockFlow:
    """One committed block's steps (seconds since the epoch) and its commit's cost; `consensus`
    holds the ABCI calls this node saw for its height on a network (step name → time)."""

    number: int
    hash: bytes
    transactions: int
    gas_used: int
    proposed: float
    executed: float
    sealed: float
    committed: float
    commit_s: float
    commit_bytes: int
    consensus: dict[str, float] = field(default_factory=dict)
    txs: tuple[TxFlow, ...] = ()  # the records of its transactions (those still kept)


class FlowRecorder:
    """The recent transactions' flow records of one chain. Runs on the event loop only.

    The records live in arrays allocated once, a ring of `capacity` slots (times as doubles,
    NaN for a step not seen; block numbers; block hashes as 32-byte runs), and a dict from
    transaction hash to slot. One small object per step per transaction (a TxFlow, five floats,
    an ordered-dict node), allocated as traffic came and freed 10,000 transactions later, cost
    ~450 bytes a record and scattered long-lived objects through the heap: a soak's RSS grew
    ~8 MiB more with 10,000 of them than with 1,000. `transaction` and `block_committed` hand
    out TxFlow copies.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 0:
            raise ValueError("flow capacity must not be negative")
        self.capacity = capacity
        self._slots: dict[bytes, int] = {}
        self._keys: list[bytes | None] = [None] * capacity
        self._times = array("d", [NAN]) * (capacity * _STEPS)
        self._numbers = array("q", [-1]) * capacity
        self._hashes = bytearray(32 * capacity)
        self._next = 0
        self._consensus: OrderedDict[int, dict[str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._slots)

    def transaction(self, tx_hash: bytes) -> TxFlow | None:
        """The record of a recent transaction, or None if it was never seen or has been dropped."""
        slot = self._slots.get(bytes(tx_hash))
        return None if slot is None else self._copy(slot)

    def received(self, tx_hash: bytes, at: float) -> None:
        """A request brought `tx_hash`; a transaction already known keeps its first time."""
        slot = self._slot(tx_hash)
        if slot is not None:
            self._first(slot, _RECEIVED, at)

    def admitted(self, tx_hash: bytes, at: float) -> None:
        slot = self._slot(tx_hash)
        if slot is not None:
            self._first(slot, _ADMITTED, at)
            self._first(slot, _RECEIVED, at)

    def consensus(self, height: int, step: str, at: float) -> None:
        """A consensus step this node's app saw for `height` (ABCI: prepare_proposal,
        process_proposal, finalize_block, commit); the first time of each step is kept."""
        steps = self._consensus.get(height)
        if steps is None:
            steps = self._consensus[height] = {}
            if len(self._consensus) > CONSENSUS_HEIGHTS:
                self._consensus.popitem(last=False)
        steps.setdefault(step, at)

    def block_committed(self, mined: "MinedBlock") -> BlockFlow:
        """Complete the records of the block's transactions; returns the block's flow."""
        built, header = mined.built, mined.block.header
        times = built.times
        number, block_hash = int(header.block_number), bytes(header.hash)
        txs = []
        for tx, executed in zip(built.transactions, times.tx_executed):
            slot = self._slot(tx.hash)
            if slot is None:
                continue
            base = slot * _STEPS
            self._times[base + _INCLUDED] = times.proposed
            self._times[base + _EXECUTED] = executed
            self._times[base + _COMMITTED] = times.committed
            self._numbers[slot] = number
            self._hashes[32 * slot:32 * slot + 32] = block_hash
            txs.append(self._copy(slot))
        return BlockFlow(number, block_hash, len(built.transactions), int(header.gas_used),
                         times.proposed, times.executed, times.sealed, times.committed,
                         times.commit_s, times.commit_bytes, self._consensus.pop(number, {}), tuple(txs))

    def _slot(self, tx_hash: bytes) -> int | None:
        """The slot of `tx_hash`'s record, taking the oldest record's slot for a new one."""
        key = bytes(tx_hash)
        slot = self._slots.get(key)
        if slot is not None or not self.capacity:
            return slot
        slot = self._next
        self._next = (slot + 1) % self.capacity
        dropped = self._keys[slot]
        if dropped is not None:
            del self._slots[dropped]
        self._keys[slot], self._slots[key] = key, slot
        self._times[slot * _STEPS:(slot + 1) * _STEPS] = _UNSEEN
        self._numbers[slot] = -1
        return slot

    def _first(self, slot: int, step: int, at: float) -> None:
        if math.isnan(self._times[slot * _STEPS + step]):
            self._times[slot * _STEPS + step] = at

    def _copy(self, slot: int) -> TxFlow:
        received, admitted, included, executed, committed = (
            None if math.isnan(t) else t for t in self._times[slot * _STEPS:(slot + 1) * _STEPS])
        number = self._numbers[slot]
        if number < 0:
            return TxFlow(received, admitted, included, executed, committed)
        return TxFlow(received, admitted, included, executed, committed, number,
                      bytes(self._hashes[32 * slot:32 * slot + 32]))
