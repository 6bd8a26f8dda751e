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

    def getConsoleLogs(self, tx_hash: Any) -> list[str] | None:
        """The console.log lines of a mined transaction (docs/console-log.md); null when the
        hash is not mined, as eth_getTransactionReceipt answers."""
        return self._tracing.console_logs(codec.fixed(tx_hash, "transactionHash", 32))
