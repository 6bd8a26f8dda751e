"""ChainReads: what a chain answers without changing it (blocks, state, logs, fees, calls)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence, TypeVar

from eth.abc import BlockHeaderAPI, SignedTransactionAPI, StateAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_typing import Address

from chain.api.events import CallConsoleLogs, Topic
from chain.api.logs import INLINE_BLOCKS, LogQuery, matching_blocks, scan
from chain.backend import executor
from chain.backend.backend import AccountProof, Backend
from chain.backend.execution import HeaderFields
from chain.backend.txfields import fee_fields
from chain.backend.vm import base_fee
from chain.config import ChainConfig
from chain.exceptions import ResourceNotFound
from chain.pool import TxPool
from chain.storage.chain_store import StoredBlock
from chain.types import AccountOverride, CallRequest, CallResult, LogEntry, LogFilter
from chain.workers import CallWorkers, Job
from vm_hooks.deadline import Deadline

T = TypeVar("T")

DEFAULT_PRIORITY_FEE = 1_000_000_000  # 1 gwei, what Anvil and Hardhat suggest


@dataclass(frozen=True)
class CallSnapshot:
    """What a call runs on, fixed on the loop thread when the request arrives; `open` may run
    on a call worker while the loop thread mines, since it reads nothing that moves (the head,
    the head state root, the pool)."""

    backend: Backend
    ctx: executor.CallContext
    root: bytes                                      # the state the call (or pending block) starts from
    ready: tuple[SignedTransactionAPI, ...] = ()     # pool transactions to propose first
    fields: HeaderFields | None = None
    parent: BlockHeaderAPI | None = None             # the head the pending block builds on

    def open(self, deadline: Deadline | None = None) -> tuple[executor.StateFactory, executor.CallContext]:
        """The state factory and context for executor.*; with a deadline, on traced states
        that check it. Proposes the pending block here, off the loop, when there is one."""
        ctx = replace(self.ctx, deadline=deadline)
        traced = deadline is not None
        backend = self.backend
        if self.ready and self.fields is not None:
            # Never committed; a pending dev override (gas limit, base fee) applies to it as it
            # will to the block mined next.
            pending = backend.propose(self.ready, self.fields, True, self.parent, self.root)
            return ((lambda at: backend.state_after(pending, at, traced)),
                    replace(ctx, header=pending.block.header))
        root = self.root
        return (lambda at: backend.call_state(root, at, traced)), ctx


@dataclass(frozen=True)
class TxLookup:
    """A transaction by hash: mined (block and index) or still in the pool."""

    tx: SignedTransactionAPI
    sender: bytes
    block: StoredBlock | None = None
    index: int | None = None


class ChainReads:
    def __init__(self, config: ChainConfig, backend: Backend, pool: TxPool,
                 next_fields: Callable[[], HeaderFields], workers: CallWorkers | None = None,
                 call_console: Topic[CallConsoleLogs] | None = None) -> None:
        self.config = config
        self.workers = workers or CallWorkers(
            config.call_workers, config.call_queue, config.call_long_lanes, config.call_long_queue,
            config.call_long_after_s or None)
        self.backend = backend
        self.pool = pool
        self._next_fields = next_fields  # the producer's choices for the next block, right now
        self._call_console: Topic[CallConsoleLogs] = call_console or Topic()

    @property
    def chain_id(self) -> int:
        return self.backend.chain_id

    @property
    def head(self) -> BlockHeaderAPI:
        return self.backend.head

    def head_nonce(self, address: bytes) -> int:
        return int(self.backend.head_state().get_nonce(Address(address)))

    def _reader(self, header: BlockHeaderAPI) -> StateAPI:
        """State for reads at `header`: the shared head reader at `latest`, else a fresh one."""
        if header.hash == self.head.hash:
            return self.backend.head_state()
        return self.backend.state_at(header)

    # -- blocks ------------------------------------------------------------------------------
    def header_by_number(self, number: int) -> BlockHeaderAPI:
        h = self.backend.store.canonical_hash(number)
        if h is None:
            raise ResourceNotFound(f"block {number} not found (head is {self.head.block_number})")
        return self.backend.store.header(h)  # type: ignore[return-value]

    def header_by_hash(self, block_hash: bytes, require_canonical: bool = False) -> BlockHeaderAPI:
        header = self.backend.store.header(block_hash)
        if header is None or (require_canonical and not self.backend.store.is_canonical(block_hash)):
            raise ResourceNotFound(f"block 0x{block_hash.hex()} not found")
        return header

    def block(self, header: BlockHeaderAPI) -> StoredBlock:
        block = self.backend.store.block(bytes(header.hash))
        if block is None:
            raise ResourceNotFound(f"block 0x{bytes(header.hash).hex()} not found")
        return block

    def block_or_none(self, block_hash: bytes) -> StoredBlock | None:
        return self.backend.store.block(block_hash)

    def transaction(self, tx_hash: bytes) -> TxLookup | None:
        loc = self.backend.store.tx_location(tx_hash)
        if loc is not None:
            block = self.backend.store.block(loc.block_hash)
            if block is not None:
                return TxLookup(block.transactions[loc.index], block.senders[loc.index], block, loc.index)
        pooled = self.pool.get(tx_hash)
        if pooled is not None:
            return TxLookup(pooled.tx, pooled.sender)
        return None

    # -- state -------------------------------------------------------------------------------
    def balance(self, address: bytes, header: BlockHeaderAPI) -> int:
        return int(self._reader(header).get_balance(Address(address)))

    def nonce(self, address: bytes, header: BlockHeaderAPI, pending: bool = False) -> int:
        if pending:
            return self.pool.next_nonce(address)
        return int(self._reader(header).get_nonce(Address(address)))

    def code(self, address: bytes, header: BlockHeaderAPI) -> bytes:
        return bytes(self._reader(header).get_code(Address(address)))

    def storage(self, address: bytes, slot: int, header: BlockHeaderAPI) -> int:
        return int(self._reader(header).get_storage(Address(address), slot))

    def proof(self, address: bytes, slots: Sequence[int], header: BlockHeaderAPI) -> AccountProof:
        return self.backend.proof(header, address, slots)

    # -- fees --------------------------------------------------------------------------------
    def next_base_fee(self) -> int:
        """EIP-1559's base fee after the head, or a devnet's anvil_setNextBlockBaseFeePerGas."""
        override = self._next_fields().base_fee
        return int(calculate_expected_base_fee_per_gas(self.head)) if override is None else override

    def next_gas_limit(self) -> int:
        """The gas limit the next block will have (anvil_setBlockGasLimit changes it)."""
        return self._next_fields().gas_limit

    def gas_price(self) -> int:
        """eth_gasPrice: next base fee plus the default tip, as Anvil answers."""
        return self.next_base_fee() + DEFAULT_PRIORITY_FEE

    def fee_history(self, count: int, newest: int, percentiles: list[float]) -> dict[str, Any]:
        count = max(0, min(count, 1024, newest + 1))
        oldest = newest - count + 1
        base_fees, ratios, rewards = [], [], []
        for n in range(oldest, newest + 1):
            block = self.block(self.header_by_number(n))
            h = block.header
            base_fees.append(base_fee(h))
            ratios.append(h.gas_used / h.gas_limit if h.gas_limit else 0.0)
            rewards.append(_block_rewards(block, percentiles))
        last = self.header_by_number(newest)
        base_fees.append(int(calculate_expected_base_fee_per_gas(last)))
        return {"oldest": oldest, "base_fees": base_fees, "ratios": ratios,
                "rewards": rewards if percentiles else None}

    # -- logs --------------------------------------------------------------------------------
    async def logs(self, flt: LogFilter) -> list[LogEntry]:
        """eth_getLogs. A range of more than INLINE_BLOCKS blocks is scanned on a call worker
        under the call timeout, with the head fixed now; LimitExceeded past the result bound or
        the timeout, ServerBusy when the workers are full."""
        store = self.backend.store
        query = LogQuery.of(flt)
        if flt.block_hash is not None:
            return scan(query, iter([self.block(self.header_by_hash(flt.block_hash))]))
        head = self.head.block_number
        to_block = head if flt.to_block is None else min(flt.to_block, head)
        start = flt.from_block
        if start > to_block:
            return []
        if to_block - start < INLINE_BLOCKS:
            return scan(query, matching_blocks(query, start, to_block, store.canonical_bloom, store.block))
        return await self.workers.run(
            lambda d: scan(query, matching_blocks(query, start, to_block, store.canonical_bloom, store.block, d), d),
            self.config.call_timeout_s)

    # -- execution without a transaction -----------------------------------------------------
    # Calls take `header=None` for the block that would be mined next (number + 1, the clock's
    # next timestamp, the next base fee, this node's coinbase), after the pool's ready
    # transactions, so what a call or estimate sees is what the transaction will see when mined.
    def _call_snapshot(self, header: BlockHeaderAPI | None) -> CallSnapshot:
        """Fix what a call at `header` (None: the next block) runs on. Loop thread only."""
        if header is not None:
            return CallSnapshot(self.backend, self._ctx(header), self.backend.root_at(header))
        fields = self._next_fields()
        ready = tuple(p.tx for p in self.pool.ready(self.next_base_fee()))
        head, root = self.head, self.backend.head_state_root
        if not ready:  # always so under automine: no block to build, the head's state will do
            return CallSnapshot(self.backend, self._ctx(self.backend.next_header(fields)), root)
        # The context header is replaced by the proposed block's in `open`.
        return CallSnapshot(self.backend, self._ctx(head), root, ready, fields, head)

    def _call_at(self, header: BlockHeaderAPI | None,
                 ) -> tuple[executor.StateFactory, executor.CallContext]:
        """The state factory and context of a call at `header`, without a deadline (loop thread)."""
        return self._call_snapshot(header).open()

    def _ctx(self, header: BlockHeaderAPI) -> executor.CallContext:
        return executor.CallContext(header, self.config.call_gas_cap, self.chain_id,
                                    self.backend.spec)

    async def run_call(self, job: Job[T], inline: bool = False) -> T:
        """Run `job` on a call worker under the chain's call timeout (geth's --rpc.evmtimeout);
        for every call-like method (eth_call, estimates, access lists, eth_simulateV1). The job
        must read only what a CallSnapshot fixed. Raises ServerBusy when the workers are full.
        `inline`: try it on the loop's thread first (CallWorkers.run); only for a job that may
        be thrown away half done and run again."""
        return await self.workers.run(job, self.config.call_timeout_s,
                                      self.config.call_inline_cpu_s if inline else 0.0)

    async def call(self, req: CallRequest, header: BlockHeaderAPI | None,
                   overrides: dict[bytes, AccountOverride] | None = None,
                   label: str | None = None) -> bytes:
        """eth_call at `header`'s post-state and context, or the next block's (None). With a
        `label`, the call's console.log output is published under it (events.call_console)."""
        snap = self._call_snapshot(header)
        logs: list[tuple[bytes, ...]] = []
        sink = logs.append if label is not None else None

        def job(deadline: Deadline) -> bytes:
            # A run hands its lines to the sink when it ends, so a try abandoned on the loop
            # handed none; cleared all the same, so a second run can never print twice.
            logs.clear()
            return executor.call_or_raise(*snap.open(deadline), req, overrides, sink)
        try:
            # Not inline when a pending block must be built first: that alone may take long.
            return await self.run_call(job, inline=not snap.ready)
        finally:
            self._publish_console(label, logs)

    async def estimate_gas(self, req: CallRequest, header: BlockHeaderAPI | None,
                           overrides: dict[bytes, AccountOverride] | None = None,
                           label: str | None = None) -> int:
        """eth_estimateGas at `header`, or in the next block's context (None); the call timeout
        bounds the whole search, not each of its runs. `label` as in `call` (the node's own
        estimates for eth_sendTransaction pass none: nothing prints)."""
        snap = self._call_snapshot(header)
        logs: list[tuple[bytes, ...]] = []
        sink = logs.append if label is not None else None
        try:
            return await self.run_call(lambda d: executor.estimate_gas(*snap.open(d), req, overrides, sink))
        finally:
            self._publish_console(label, logs)

    def _publish_console(self, label: str | None, logs: list[tuple[bytes, ...]]) -> None:
        """Publish on the loop thread what a call's worker collected (a call that timed out
        publishes what its run had sent by then)."""
        if label is not None:
            for payloads in list(logs):
                if payloads:
                    self._call_console.publish(CallConsoleLogs(label, payloads))

    async def create_access_list(self, req: CallRequest, header: BlockHeaderAPI | None,
                                 ) -> tuple[list[tuple[bytes, list[int]]], int, CallResult]:
        """eth_createAccessList at `header`, or in the next block's context (None)."""
        snap = self._call_snapshot(header)
        return await self.run_call(lambda d: executor.access_list(*snap.open(d), req))


def _block_rewards(block: StoredBlock, percentiles: list[float]) -> list[int]:
    """Effective tips at the given gas-weighted percentiles, as geth computes eth_feeHistory."""
    if not percentiles:
        return []
    block_base_fee = base_fee(block.header)
    if not block.transactions:
        return [0 for _ in percentiles]
    prev = 0
    items = []
    for tx, receipt in zip(block.transactions, block.receipts):
        max_fee, tip = fee_fields(tx)
        items.append((min(tip, max_fee - block_base_fee), receipt.gas_used - prev))
        prev = receipt.gas_used
    items.sort()
    total = sum(g for _, g in items) or 1
    out, cumulative, i = [], 0, 0
    for p in percentiles:
        threshold = total * p / 100
        while i < len(items) - 1 and cumulative + items[i][1] < threshold:
            cumulative += items[i][1]
            i += 1
        out.append(items[i][0])
    return out
