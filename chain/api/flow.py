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

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chain.api.blocks import MinedBlock

DEFAULT_CAPACITY = 10_000  # transactions; ~450 bytes each (tracemalloc), so about 4.5 MB at most
CONSENSUS_HEIGHTS = 16     # heights whose consensus steps are kept until their block commits


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
    """The recent transactions' flow records of one chain. Runs on the event loop only."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 0:
            raise ValueError("flow capacity must not be negative")
        self.capacity = capacity
        self._txs: OrderedDict[bytes, TxFlow] = OrderedDict()
        self._consensus: OrderedDict[int, dict[str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._txs)

    def transaction(self, tx_hash: bytes) -> TxFlow | None:
        """The record of a recent transaction, or None if it was never seen or has been dropped."""
        return self._txs.get(tx_hash)

    def received(self, tx_hash: bytes, at: float) -> None:
        """A request brought `tx_hash`; a transaction already known keeps its first time."""
        flow = self._record(tx_hash)
        if flow is not None and flow.received is None:
            flow.received = at

    def admitted(self, tx_hash: bytes, at: float) -> None:
        flow = self._record(tx_hash)
        if flow is not None and flow.admitted is None:
            flow.admitted = at
            if flow.received is None:
                flow.received = at

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
            flow = self._record(bytes(tx.hash))
            if flow is None:
                continue
            flow.included, flow.executed, flow.committed = times.proposed, executed, times.committed
            flow.block_number, flow.block_hash = number, block_hash
            txs.append(flow)
        return BlockFlow(number, block_hash, len(built.transactions), int(header.gas_used),
                         times.proposed, times.executed, times.sealed, times.committed,
                         times.commit_s, times.commit_bytes, self._consensus.pop(number, {}), tuple(txs))

    def _record(self, tx_hash: bytes) -> TxFlow | None:
        flow = self._txs.get(tx_hash)
        if flow is None:
            if not self.capacity:
                return None
            flow = self._txs[tx_hash] = TxFlow()
            if len(self._txs) > self.capacity:
                self._txs.popitem(last=False)
        return flow
