"""trace_* methods: Parity-style traces (OpenEthereum's trace module as Erigon, Reth and Anvil
answer it; docs/tracing.md). Decode, call, encode."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.api.parity_tracing import ParityTracing, TraceFilter
from chain.exceptions import InvalidParams, ResourceNotFound
from chain.rpc import codec
from chain.rpc.namespaces.common import block_number, header_at
from chain.rpc.parity_json import localized_json, results_json

_FILTER_KEYS = ("fromBlock", "toBlock", "fromAddress", "toAddress", "mode", "after", "count")


class TraceNamespace:
    prefixes = ("trace",)

    def __init__(self, chain: Chain) -> None:
        self._reads = chain.reads
        self._tracing = ParityTracing(chain.reads)

    def transaction(self, tx_hash: Any) -> list[dict[str, Any]] | None:
        """null for a hash no mined transaction has, as Reth and Erigon answer (Anvil: [])."""
        traces = self._tracing.transaction(codec.fixed(tx_hash, "transactionHash", 32))
        return None if traces is None else [localized_json(t) for t in traces]

    def get(self, tx_hash: Any, indices: Any) -> dict[str, Any] | None:
        """The trace at `indices` (its traceAddress) of a mined transaction, or null."""
        if not isinstance(indices, list):
            raise InvalidParams("invalid indices: expected a list of trace address indexes")
        wanted = tuple(codec.quantity(i, "indices", max_value=2**32) for i in indices)
        traces = self._tracing.transaction(codec.fixed(tx_hash, "transactionHash", 32)) or []
        return next((localized_json(t) for t in traces if t.trace.trace_address == wanted), None)

    def block(self, block: Any) -> list[dict[str, Any]] | None:
        """null for a block the node does not have (after the head, unknown hash), as Reth."""
        try:
            header = header_at(self._reads, block)
        except ResourceNotFound:
            return None
        return [localized_json(t) for t in self._tracing.block(header)]

    def filter(self, flt: Any) -> list[dict[str, Any]]:
        return [localized_json(t) for t in self._tracing.filter(_trace_filter(self._reads, flt))]

    def call(self, tx: Any, trace_types: Any, block: Any = "latest",
             state_overrides: Any = None) -> dict[str, Any]:
        req = codec.call_request(tx)
        kinds = _trace_types(trace_types)
        header = header_at(self._reads, block)
        overrides = codec.state_overrides(state_overrides) if state_overrides is not None else None
        return results_json(self._tracing.call(req, header, kinds, overrides))

    def replayTransaction(self, tx_hash: Any, trace_types: Any) -> dict[str, Any] | None:
        kinds = _trace_types(trace_types)
        results = self._tracing.replay_transaction(codec.fixed(tx_hash, "transactionHash", 32), kinds)
        return None if results is None else results_json(results)

    def replayBlockTransactions(self, block: Any, trace_types: Any) -> list[dict[str, Any]] | None:
        kinds = _trace_types(trace_types)
        try:
            header = header_at(self._reads, block)
        except ResourceNotFound:
            return None
        return [{**results_json(r), "transactionHash": "0x" + h.hex()}
                for h, r in self._tracing.replay_block(header, kinds)]


def _trace_types(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise InvalidParams('invalid traceTypes: expected a list such as ["trace"] or '
                            '["trace", "stateDiff"]')
    return frozenset(value)


def _trace_filter(reads: Any, value: Any) -> TraceFilter:
    o = codec.obj(value, "filter")
    unknown = sorted(set(o) - set(_FILTER_KEYS))
    if unknown:
        raise InvalidParams(f"invalid filter: unknown field {unknown[0]!r}; "
                            f"known fields: {', '.join(_FILTER_KEYS)}")
    mode = o.get("mode", "union")
    if mode not in ("union", "intersection"):
        raise InvalidParams(f"invalid filter.mode: {mode!r}; use union or intersection")
    from_block = 0 if o.get("fromBlock") is None else block_number(reads, o["fromBlock"], "filter.fromBlock")
    to_block = None if o.get("toBlock") is None else block_number(reads, o["toBlock"], "filter.toBlock")
    # after/count are plain JSON numbers in Parity, Erigon and Reth (u64), so both forms are taken
    count = None if o.get("count") is None else codec.quantity(o["count"], "filter.count", 2**64 - 1, lenient=True)
    after = 0 if o.get("after") is None else codec.quantity(o["after"], "filter.after", 2**64 - 1, lenient=True)
    return TraceFilter(from_block, to_block,
                       _addresses(o.get("fromAddress"), "filter.fromAddress"),
                       _addresses(o.get("toAddress"), "filter.toAddress"),
                       mode == "intersection", after, count)


def _addresses(value: Any, name: str) -> frozenset[bytes]:
    if value is not None and not isinstance(value, list):
        raise InvalidParams(f"invalid {name}: expected a list of addresses")
    return codec.addresses_filter(value, name)
