"""debug_* methods: geth's tracers (docs/tracing.md) and raw encodings. Decode, call, encode."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.api.tracing import ChainTracing
from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.rpc.namespaces.common import header_at
from chain.rpc.trace_json import trace_json


class DebugNamespace:
    prefixes = ("debug",)

    def __init__(self, chain: Chain) -> None:
        self._reads = chain.reads
        self._tracing = ChainTracing(chain.reads)

    async def traceTransaction(self, tx_hash: Any, options: Any = None) -> Any:
        h = codec.fixed(tx_hash, "transactionHash", 32)
        return trace_json(await self._tracing.trace_transaction(h, codec.trace_options(options)))

    async def traceCall(self, tx: Any, block: Any = "latest", options: Any = None) -> Any:
        req = codec.call_request(tx)
        header = header_at(self._reads, block)
        overrides = None
        if options is not None:
            o = codec.obj(options, "options")
            if o.get("blockOverrides") is not None:  # refused rather than silently ignored
                raise InvalidParams("options.blockOverrides is not supported yet")
            overrides = codec.state_overrides(o.get("stateOverrides"), "options.stateOverrides")
        result = await self._tracing.trace_call(req, header, codec.trace_options(options), overrides)
        return trace_json(result)

    async def traceBlockByNumber(self, block: Any, options: Any = None) -> list[dict[str, Any]]:
        return await self._trace_block(header_at(self._reads, block), options)

    async def traceBlockByHash(self, block_hash: Any, options: Any = None) -> list[dict[str, Any]]:
        header = self._reads.header_by_hash(codec.fixed(block_hash, "blockHash", 32))
        return await self._trace_block(header, options)

    async def _trace_block(self, header: Any, options: Any) -> list[dict[str, Any]]:
        traces = await self._tracing.trace_block(header, codec.trace_options(options))
        return [{"txHash": "0x" + h.hex(), "result": trace_json(r)} for h, r in traces]

    def getRawTransaction(self, tx_hash: Any) -> str:
        raw = self._tracing.raw_transaction(codec.fixed(tx_hash, "transactionHash", 32))
        return "0x" + (raw or b"").hex()  # geth answers "0x" for an unknown hash

    def getRawReceipts(self, block: Any) -> list[str]:
        return ["0x" + r.hex() for r in self._tracing.raw_receipts(header_at(self._reads, block))]
