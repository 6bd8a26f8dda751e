"""BlockPipeline: propose, import and commit, the three steps every block of a chain goes through.

Proposing builds from the pool; importing re-executes a block produced elsewhere; committing is
the one step that stores (atomically), moves the head, cleans the pool and announces the block,
whichever engine decided on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from eth.abc import BlockAPI, BlockHeaderAPI, SignedTransactionAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas

from chain.api.events import ChainEvents, EmptyBlocks
from chain.backend.backend import Backend
from chain.backend.builder import GAS_LIMIT_REACHED
from chain.backend.empty_run import EmptyRun, needs_execution
from chain.backend.execution import BuiltBlock, HeaderFields
from chain.clock import BlockClock
from chain.pool import TxPool
from chain.storage.chain_store import StoredBlock


@dataclass(frozen=True)
class MinedBlock:
    """A committed block, with what executing it produced (computations, for the console)."""

    block: StoredBlock
    built: BuiltBlock


class BlockPipeline:
    def __init__(self, backend: Backend, pool: TxPool, events: ChainEvents, clock: BlockClock,
                 coinbase: bytes) -> None:
        self.backend = backend
        self.pool = pool
        self.events = events
        self.clock = clock
        self.coinbase = coinbase  # who receives the fees of blocks this node proposes
        # Devnet overrides, set only by DevControls: the gas limit from the next block on (later
        # blocks keep the head's), and the base fee and prevrandao of the next block alone.
        self.gas_limit_override: int | None = None
        self.next_base_fee_override: int | None = None
        self.next_prev_randao: bytes | None = None

    def next_base_fee(self) -> int:
        """The next block's base fee: EIP-1559's from the head, unless a devnet overrode it."""
        if self.next_base_fee_override is not None:
            return self.next_base_fee_override
        return int(calculate_expected_base_fee_per_gas(self.backend.head))

    def next_gas_limit(self) -> int:
        if self.gas_limit_override is not None:
            return self.gas_limit_override
        return int(self.backend.head.gas_limit)

    def clear_overrides(self) -> None:
        self.gas_limit_override = self.next_base_fee_override = self.next_prev_randao = None

    def _overridden(self) -> bool:
        return self.gas_limit_override is not None or self.next_base_fee_override is not None

    def has_ready(self) -> bool:
        return bool(self.pool.ready(self.next_base_fee()))

    # -- the three steps ----------------------------------------------------------------------
    def propose(self, timestamp: int | None = None) -> BuiltBlock:
        """The next block with every ready pool transaction that fits (none are removed yet)."""
        return self._propose([p.tx for p in self.pool.ready(self.next_base_fee())], timestamp)

    def next_fields(self, timestamp: int | None = None) -> HeaderFields:
        """What this node would put in the next block's header now: the clock's next timestamp
        (a pending evm_setNextBlockTimestamp / evm_increaseTime included) and its coinbase."""
        ts = self.clock.timestamp_for_next_block(int(self.backend.head.timestamp), timestamp)
        return self.backend.header_fields(ts, self.coinbase, self.gas_limit_override,
                                          self.next_base_fee_override, self.next_prev_randao)

    def _propose(self, candidates: Sequence[SignedTransactionAPI], timestamp: int | None) -> BuiltBlock:
        return self.backend.propose(candidates, self.next_fields(timestamp), self._overridden())

    def build(self, candidates: Sequence[SignedTransactionAPI], fields: HeaderFields) -> BuiltBlock:
        """A block on the head from exactly `candidates`, in order, with header `fields` decided
        elsewhere (a BFT engine's block: every node builds the same one from the same inputs).
        Invalid candidates are skipped, with their reasons in `rejected`; nothing is stored."""
        return self.backend.propose(candidates, fields)

    def import_block(self, block: BlockAPI) -> BuiltBlock:
        """Re-execute a block produced elsewhere; raises InvalidBlock naming what differs."""
        return self.backend.import_block(block)

    def commit(self, built: BuiltBlock) -> MinedBlock:
        """Store the block and move the head (atomically), then clean the pool and announce it."""
        stored = self.backend.commit(built)
        for tx in built.transactions:
            self.pool.remove(bytes(tx.hash))
        for tx, reason in built.rejected:
            if reason != GAS_LIMIT_REACHED:
                self.pool.remove(bytes(tx.hash))
                self.events.rejected.publish((bytes(tx.hash), reason))
        self.pool.prune()
        mined = MinedBlock(stored, built)
        self.events.new_blocks.publish(mined)
        return mined

    # -- local production (the solo engine and the dev methods) -------------------------------
    def mine_block(self, timestamp: int | None = None) -> MinedBlock:
        """Propose and commit one block with every ready pool transaction that fits."""
        return self._mine([p.tx for p in self.pool.ready(self.next_base_fee())], timestamp)

    def mine_each_ready(self) -> int:
        """Automine: one block per ready transaction, until none is left; returns the count."""
        count = 0
        while True:
            ready = self.pool.ready(self.next_base_fee())
            if not ready:
                return count
            self._mine([ready[0].tx], None)
            count += 1
            if ready[0].hash in self.pool:
                return count  # kept back (it cannot fit any block): do not spin on it

    def mine_blocks(self, count: int, first_timestamp: int | None = None,
                    interval: int | None = None) -> None:
        """Mine `count` blocks: the first at `first_timestamp` (if given), then `interval` seconds
        apart (if given) or as the clock says.

        The first goes through the VM. When it is empty and nothing could change that (an empty
        pool, no system contracts), the others are an empty run (chain/backend/empty_run.py),
        stored in one batch and announced on `events.empty_blocks`; otherwise one by one.
        """
        if count <= 0:
            return
        template = self.mine_block(first_timestamp).block.header
        rest = count - 1
        if rest and not len(self.pool) and needs_execution(self.backend.head_state(), template) is None:
            self._mine_empty_run(template, rest, interval)
            return
        for _ in range(rest):
            ts = None if interval is None else int(self.backend.head.timestamp) + interval
            self.mine_block(ts)

    def _mine_empty_run(self, template: BlockHeaderAPI, count: int, interval: int | None) -> None:
        run = EmptyRun(template, self.backend.prevrandao)
        clock = self.clock
        step: Callable[[int], int] = (
            (lambda parent_ts: parent_ts + interval) if interval is not None
            else (lambda parent_ts: clock.timestamp_for_next_block(parent_ts, None)))
        headers = [run.next(step(run.last.timestamp)) for _ in range(count)]
        self.backend.commit_empty_run(headers)
        self.clock.adopt(headers[-1].timestamp, interval is not None)
        self.events.empty_blocks.publish(EmptyBlocks(tuple(headers), self.backend.spec.decode_header))

    def _mine(self, candidates: Sequence[SignedTransactionAPI], timestamp: int | None) -> MinedBlock:
        forced = timestamp is not None or self.clock.next_timestamp is not None
        built = self._propose(candidates, timestamp)
        mined = self.commit(built)
        self.clock.adopt(int(built.block.header.timestamp), forced)
        # The head now carries the gas limit; base fee and prevrandao were for this block only.
        self.clear_overrides()
        return mined
