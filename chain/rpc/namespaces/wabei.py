"""wabei_* methods: what Wabei adds to Ethereum's JSON-RPC. Decode, call, encode."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.api.regulation import DEFAULT_PAGE, MAX_PAGE, Interception, RegulationReads
from chain.api.tracing import ChainTracing
from chain.rpc import codec
from chain.rpc.namespaces.common import header_at


class WabeiNamespace:
    prefixes = ("wabei",)

    def __init__(self, chain: Chain) -> None:
        self._tracing = ChainTracing(chain.reads)
        self._reads = chain.reads
        self._regulation = RegulationReads(chain.reads)
        self._flow = chain.flow

    def getConsoleLogs(self, tx_hash: Any) -> list[str] | None:
        """The console.log lines of a mined transaction (docs/console-log.md); null when the
        hash is not mined, as eth_getTransactionReceipt answers."""
        return self._tracing.console_logs(codec.fixed(tx_hash, "transactionHash", 32))

    def getInterceptions(self, start: Any = None, limit: Any = None) -> dict[str, Any]:
        """A page of the regulator's interception reports, oldest first (docs/governance.md,
        "Interception"): `start` (default 0) and `limit` (default 100, at most 1,000)."""
        first = 0 if start is None else codec.quantity(start, "start", codec.INT64_MAX, lenient=True)
        count = DEFAULT_PAGE if limit is None else codec.quantity(limit, "limit", MAX_PAGE, lenient=True)
        page = self._regulation.interceptions(first, count)
        return {"total": codec.hex_int(page.total), "start": codec.hex_int(page.start),
                "next": None if page.next is None else codec.hex_int(page.next),
                "interceptions": [_interception_json(i) for i in page.items]}

    def getIdentity(self, account: Any, block: Any = "latest") -> dict[str, Any] | None:
        """The identity (KYC) record of `account` in the registry 0x…1011 at `block`; null when
        none is bound. `valid` and `effectiveLevel` are judged at that block's timestamp."""
        view = self._regulation.identity(codec.address(account, "account"), header_at(self._reads, block))
        found = view.identity
        if found is None:
            return None
        return {"recordHash": codec.hex_bytes(found.record_hash), "level": found.level,
                "expiry": codec.hex_int(found.expiry), "issuer": codec.hex_addr(found.issuer),
                "valid": view.valid, "effectiveLevel": view.level}

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


def _interception_json(item: Interception) -> dict[str, Any]:
    where, report = item.where, item.report
    return {
        "position": codec.hex_int(item.position),
        "blockNumber": codec.hex_int(where.block_number), "blockHash": codec.hex_bytes(where.block_hash),
        "transactionHash": codec.hex_bytes(where.tx_hash), "transactionIndex": codec.hex_int(where.tx_index),
        "logIndex": codec.hex_int(where.log_index),
        "origin": codec.hex_addr(report.origin), "sender": codec.hex_addr(report.sender),
        "target": codec.hex_addr(report.target), "selector": codec.hex_bytes(report.selector),
        "rule": report.rule, "ruleName": item.rule_name, "amount": codec.hex_int(report.amount),
        "reason": report.reason,
    }
