"""ParityTracing: the `trace_*` methods (OpenEthereum's trace module, as Erigon, Reth and Anvil
answer it) over Wabei's tracers.

Nothing here changes the chain: mined transactions re-execute on throwaway state as for
debug_trace* (chain/backend/trace.py), calls as eth_call runs them (chain/backend/executor.py).
Shapes and choices: chain/api/parity.py, chain/api/state_diff.py, docs/tracing.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, cast

from eth.abc import BlockHeaderAPI

from chain.api.parity import FlatTrace, flatten, matches
from chain.api.reads import ChainReads
from chain.api.state_diff import AccountDiff, state_diff
from chain.backend import executor
from chain.backend.trace import precompile_addresses, trace_block
from chain.backend.tracers import TraceOptions, Tracer, TxOutcome
from chain.backend.tracers.base import DEFAULT_TIMEOUT_S
from chain.backend.tracers.calls import CallFrame
from chain.backend.tracers.parity import MuxTracer, ParityCallTracer
from chain.backend.tracers.prestate import PrestateDiff, PrestateTracer
from chain.exceptions import InvalidParams
from chain.storage.chain_store import StoredBlock
from chain.types import AccountOverride, CallRequest

# Blocks one trace_filter may replay, as Reth's --rpc.max-trace-filter-blocks default (100):
# the toBlock - fromBlock distance may be at most this. Every block is re-executed on the
# node's one event loop, so an unbounded range would stop the node answering anyone else.
MAX_FILTER_BLOCKS = 100
TRACE_TYPES = ("trace", "vmTrace", "stateDiff")


@dataclass(frozen=True)
class LocalizedTrace:
    """A flat trace with the block and transaction it belongs to."""

    trace: FlatTrace
    block_hash: bytes
    block_number: int
    tx_hash: bytes
    tx_position: int


@dataclass(frozen=True)
class TraceResults:
    """trace_call / trace_replay*'s answer: `trace` is None unless "trace" was asked for (the
    wire shows []), `state_diff` None unless "stateDiff" was."""

    output: bytes
    trace: list[FlatTrace] | None
    state_diff: dict[bytes, AccountDiff] | None


@dataclass(frozen=True)
class TraceFilter:
    """trace_filter's parameters, decoded; `to_block` None means the head."""

    from_block: int
    to_block: int | None
    senders: frozenset[bytes]
    receivers: frozenset[bytes]
    intersection: bool = False
    after: int = 0
    count: int | None = None


def check_trace_types(kinds: frozenset[str]) -> None:
    """InvalidParams for a trace type Wabei does not produce (vmTrace) or does not know."""
    for kind in kinds:
        if kind == "vmTrace":
            raise InvalidParams('traceType "vmTrace" is not supported; use "trace" and/or '
                                '"stateDiff", or debug_traceTransaction for opcode-level traces')
        if kind not in TRACE_TYPES:
            raise InvalidParams(f"unknown traceType {kind!r}; use trace, vmTrace or stateDiff")


class ParityTracing:
    def __init__(self, reads: ChainReads, max_filter_blocks: int = MAX_FILTER_BLOCKS) -> None:
        self._reads = reads
        self._backend = reads.backend
        self._precompiles = precompile_addresses(reads.backend)
        self._max_filter_blocks = max_filter_blocks

    # -- trace_transaction / trace_block / trace_filter -------------------------------------
    def transaction(self, tx_hash: bytes) -> list[LocalizedTrace] | None:
        """The mined transaction's traces; None if no mined transaction has that hash."""
        found = self._reads.transaction(tx_hash)
        if found is None or found.block is None or found.index is None:
            return None
        (frame,) = trace_block(self._backend, found.block, _call_tracer, only=found.index)
        return self._localize(found.block, found.index, frame)

    def block(self, header: BlockHeaderAPI) -> list[LocalizedTrace]:
        """Every transaction's traces, in block order. No block-reward traces: a post-merge
        block has no reward, and Reth and Anvil emit none."""
        block = self._reads.block(header)
        if not block.transactions:
            return []
        frames = trace_block(self._backend, block, _call_tracer)
        return [t for index, frame in enumerate(frames) for t in self._localize(block, index, frame)]

    def filter(self, flt: TraceFilter) -> list[LocalizedTrace]:
        """The traces of the range that match the addresses, then `after` skipped and at most
        `count` kept; InvalidParams for a range past the head, reversed, or too long."""
        head = int(self._reads.head.block_number)
        end = head if flt.to_block is None else flt.to_block
        if flt.from_block > end:
            raise InvalidParams(f"invalid block range: fromBlock {flt.from_block} is after toBlock {end}")
        if end > head:
            raise InvalidParams(f"invalid block range: toBlock {end} is after the head ({head})")
        if end - flt.from_block > self._max_filter_blocks:
            raise InvalidParams(
                f"block range too large: {flt.from_block}..{end} spans {end - flt.from_block + 1} "
                f"blocks; trace_filter is limited to {self._max_filter_blocks + 1} blocks "
                f"(toBlock - fromBlock <= {self._max_filter_blocks}), so split the range")
        found: list[LocalizedTrace] = []
        for number in range(flt.from_block, end + 1):
            for t in self.block(self._reads.header_by_number(number)):
                if matches(t.trace, flt.senders, flt.receivers, flt.intersection):
                    found.append(t)
        found = found[flt.after:]
        return found if flt.count is None else found[:flt.count]

    def _localize(self, block: StoredBlock, index: int, frame: CallFrame) -> list[LocalizedTrace]:
        tx_hash = bytes(block.transactions[index].hash)
        return [LocalizedTrace(t, block.hash, block.number, tx_hash, index)
                for t in flatten(frame, self._precompiles)]

    # -- trace_call / trace_replayTransaction / trace_replayBlockTransactions ---------------
    def call(self, req: CallRequest, header: BlockHeaderAPI, kinds: frozenset[str],
             overrides: dict[bytes, AccountOverride] | None = None) -> TraceResults:
        """`req` run as eth_call runs it on the state after `header`, traced."""
        check_trace_types(kinds)
        tracer = _tracer_for(kinds)()
        ctx = executor.CallContext(header, self._reads.config.effective_call_gas_cap,
                                   self._reads.chain_id, self._backend.spec)
        computation, gas, used = executor.trace(
            lambda context: self._backend.state_at(header, context, traced=True),
            ctx, req, tracer, overrides)
        return self._results(kinds, tracer.result(TxOutcome(gas, used, req.value, computation)))

    def replay_transaction(self, tx_hash: bytes, kinds: frozenset[str]) -> TraceResults | None:
        """The mined transaction re-executed with the asked-for traces; None if none is mined."""
        check_trace_types(kinds)
        found = self._reads.transaction(tx_hash)
        if found is None or found.block is None or found.index is None:
            return None
        (result,) = trace_block(self._backend, found.block, _tracer_for(kinds), only=found.index)
        return self._results(kinds, result)

    def replay_block(self, header: BlockHeaderAPI, kinds: frozenset[str]) -> list[tuple[bytes, TraceResults]]:
        """(transaction hash, results) for every transaction of the block, in order."""
        check_trace_types(kinds)
        block = self._reads.block(header)
        if not block.transactions:
            return []
        results = trace_block(self._backend, block, _tracer_for(kinds))
        return [(bytes(tx.hash), self._results(kinds, r)) for tx, r in zip(block.transactions, results)]

    def _results(self, kinds: frozenset[str], mux_result: list[Any]) -> TraceResults:
        frame = cast(CallFrame, mux_result[0])
        diff = cast(PrestateDiff, mux_result[1]) if len(mux_result) > 1 else None
        return TraceResults(frame.output or b"",
                            flatten(frame, self._precompiles) if "trace" in kinds else None,
                            None if diff is None else state_diff(diff))


def _call_tracer() -> Tracer:
    tracer = ParityCallTracer()
    tracer.set_timeout(DEFAULT_TIMEOUT_S)
    return tracer


def _tracer_for(kinds: frozenset[str]) -> Callable[[], Tracer]:
    """A maker of tracers whose result is [frame tree, prestate diff]. The call tracer always
    runs (it gives the output); the prestate tracer only costs opcode hooks when asked for."""
    def make() -> Tracer:
        tracers: list[Tracer] = [ParityCallTracer()]
        if "stateDiff" in kinds:
            tracers.append(PrestateTracer(TraceOptions(tracer="prestateTracer",
                                                       tracer_config={"diffMode": True})))
        mux = MuxTracer(tracers)
        mux.set_timeout(DEFAULT_TIMEOUT_S)
        return mux
    return make
