"""ChainTracing: debug_trace*, the raw encodings of mined transactions and receipts, and the
console.log lines of a mined transaction (wabei_getConsoleLogs).

Nothing here changes the chain: traces re-execute on throwaway state (chain/backend/trace.py,
chain/backend/executor.trace).
"""
from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI

from chain.api.reads import ChainReads
from chain.backend import executor
from chain.backend.trace import console_payloads_of, precompile_addresses, trace_block
from chain.backend.tracers import SizeBudget, TraceOptions, Tracer, TxOutcome, make_tracer
from chain.console_log.decode import format_payloads
from chain.exceptions import ResourceNotFound
from chain.types import AccountOverride, CallRequest
from vm_hooks.deadline import Deadline


class ChainTracing:
    def __init__(self, reads: ChainReads) -> None:
        self._reads = reads
        self._backend = reads.backend
        self._precompiles = precompile_addresses(reads.backend)

    def _budget(self) -> SizeBudget:
        """One answer's bound on struct-log JSON (ChainConfig.trace_max_bytes)."""
        return SizeBudget(self._reads.config.trace_max_bytes)

    def _tracer(self, options: TraceOptions, cancel: Deadline | None = None,
                budget: SizeBudget | None = None) -> Tracer:
        tracer = make_tracer(options, self._precompiles, budget)
        if cancel is not None:
            tracer.watch(cancel)
        return tracer

    # Traces run on a call worker, bounded by the tracer's own `timeout` (geth's, default 5 s)
    # rather than the call timeout; the worker's deadline only carries cancellation.
    async def trace_transaction(self, tx_hash: bytes, options: TraceOptions) -> Any:
        """The tracer's result for a mined transaction; ResourceNotFound if none is mined."""
        found = self._reads.transaction(tx_hash)
        if found is None or found.block is None or found.index is None:
            raise ResourceNotFound(f"transaction 0x{tx_hash.hex()} not found")
        self._tracer(options)  # an unknown tracer fails before any replay
        block, index = found.block, found.index
        budget = self._budget()
        return await self._reads.workers.run(lambda d: trace_block(
            self._backend, block, lambda: self._tracer(options, d, budget), only=index)[0])

    async def trace_block(self, header: BlockHeaderAPI, options: TraceOptions) -> list[tuple[bytes, Any]]:
        """(transaction hash, tracer result) for every transaction of the block, in order."""
        block = self._reads.block(header)
        if not block.transactions:
            return []
        self._tracer(options)
        budget = self._budget()  # one bound for the whole answer, shared by its transactions
        results = await self._reads.workers.run(
            lambda d: trace_block(self._backend, block, lambda: self._tracer(options, d, budget)))
        return [(bytes(tx.hash), r) for tx, r in zip(block.transactions, results)]

    async def trace_call(self, req: CallRequest, header: BlockHeaderAPI, options: TraceOptions,
                         overrides: dict[bytes, AccountOverride] | None = None) -> Any:
        """A call traced on the state after `header`, as eth_call would run it (gas capped at
        the chain's call gas cap, as geth's debug_traceCall)."""
        self._tracer(options)
        ctx = executor.CallContext(header, self._reads.config.call_gas_cap,
                                   self._reads.chain_id, self._backend.spec)
        root, backend = self._backend.root_at(header), self._backend

        def job(cancel: Deadline) -> Any:
            tracer = self._tracer(options, cancel, self._budget())
            computation, gas, used = executor.trace(
                lambda context: backend.call_state(root, context, traced=True),
                ctx, req, tracer, overrides)
            return tracer.result(TxOutcome(gas, used, req.value, computation))
        return await self._reads.workers.run(job)

    def console_logs(self, tx_hash: bytes) -> list[str] | None:
        """The console.log lines a mined transaction printed, formatted as Hardhat prints them;
        None for a hash that is not mined (unknown, or still in the pool).

        Nothing is stored at mining time: the block is re-executed up to the transaction, so
        the answer is the same after a restart and costs the mining path nothing.
        """
        found = self._reads.transaction(tx_hash)
        if found is None or found.block is None or found.index is None:
            return None
        return format_payloads(console_payloads_of(self._backend, found.block, found.index))

    def raw_transaction(self, tx_hash: bytes) -> bytes | None:
        """A mined or pooled transaction's network encoding (EIP-2718 envelope), or None."""
        found = self._reads.transaction(tx_hash)
        return None if found is None else bytes(found.tx.encode())

    def raw_receipts(self, header: BlockHeaderAPI) -> list[bytes]:
        """The block's receipts in their consensus encoding (typed receipts enveloped)."""
        return [bytes(r.encode()) for r in self._reads.block(header).receipts]
