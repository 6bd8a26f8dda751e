"""wabei_* methods: what Wabei adds to Ethereum's JSON-RPC. Decode, call, encode."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.api.tracing import ChainTracing
from chain.rpc import codec


class WabeiNamespace:
    prefixes = ("wabei",)

    def __init__(self, chain: Chain) -> None:
        self._tracing = ChainTracing(chain.reads)
        self._flow = chain.flow

    def getConsoleLogs(self, tx_hash: Any) -> list[str] | None:
        """The console.log lines of a mined transaction (docs/console-log.md); null when the
        hash is not mined, as eth_getTransactionReceipt answers."""
        return self._tracing.console_logs(codec.fixed(tx_hash, "transactionHash", 32))

    def getTransactionFlow(self, tx_hash: Any) -> dict[str, Any] | None:
        """When a recent transaction was received, admitted to the pool, included in a block,
        executed and committed (docs/metrics.md): seconds since the epoch, null for a step not
        reached (or not seen by this node); null when the node keeps no record of the hash (it
        keeps the most recent `flow_records` transactions)."""
        flow = self._flow.transaction(codec.fixed(tx_hash, "transactionHash", 32))
        if flow is None:
            return None
        return {
            "received": flow.received, "admitted": flow.admitted, "included": flow.included,
            "executed": flow.executed, "committed": flow.committed,
            "blockNumber": None if flow.block_number is None else hex(flow.block_number),
            "blockHash": None if flow.block_hash is None else "0x" + flow.block_hash.hex(),
        }
