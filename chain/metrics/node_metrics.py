"""The node's metrics: families in a per-node registry, fed by the chains' topics and the
dispatchers' request observer; scrape-time gauges read the node's own state (docs/metrics.md).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from chain.api.events import EmptyBlocks
from chain.api.flow import BlockFlow
from chain.rpc.dispatch import SESSION_METHODS, Dispatcher

if TYPE_CHECKING:
    from chain.api.chain import Chain
    from chain.rpc.server import RpcServer

# Seconds: a block step of a small block is a fraction of a millisecond, a pool wait in interval
# mining or a network round is seconds.
SECONDS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
           1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BYTES = (1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
OTHER = "other"  # the method label of any name the node does not serve
TX_STAGES = ("admitted", "included", "executed", "committed")
BLOCK_STAGES = ("executed", "sealed", "committed")
PEERS_TIMEOUT_S = 1.0


class NodeMetrics:
    """Every metric of one node. Observations run on the event loop, after the step they
    measure (topics deliver with call_soon), never inside it."""

    def __init__(self) -> None:
        # No `<name>_created` series: they double the exposition, Prometheus ignores them unless
        # told to ingest creation times, and the counters start with the node anyway. The switch
        # is the library's and process-wide (a node owns its process; tests run only nodes).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.blocks = Counter("wabei_blocks", "Blocks committed (bulk-mined empty runs included)",
                              ["chain"], registry=r)
        self.transactions = Counter("wabei_transactions", "Transactions included in committed blocks",
                                    ["chain"], registry=r)
        self.rejected = Counter("wabei_transactions_rejected", "Pool transactions a block builder "
                                "dropped as invalid (nonce, funds, fees)", ["chain"], registry=r)
        self.gas = Counter("wabei_gas_used", "Gas used by committed blocks", ["chain"], registry=r)
        self.execution = Histogram("wabei_block_execution_seconds", "Applying a block's transactions",
                                   ["chain"], buckets=SECONDS, registry=r)
        self.state_root = Histogram("wabei_block_state_root_seconds", "Sealing a block: transaction "
                                    "and receipt tries, state root, state persisted to the write buffer",
                                    ["chain"], buckets=SECONDS, registry=r)
        self.commit = Histogram("wabei_storage_commit_seconds", "Storing a block: indexes and one "
                                "atomic write", ["chain"], buckets=SECONDS, registry=r)
        self.commit_bytes = Histogram("wabei_storage_commit_bytes", "Bytes of keys and values one "
                                      "block's commit wrote", ["chain"], buckets=BYTES, registry=r)
        self.tx_flow = Histogram("wabei_transaction_flow_seconds", "Time a transaction took to reach "
                                 "`stage` from the stage before (received → admitted → included → "
                                 "executed → committed); stage=total: received to committed",
                                 ["chain", "stage"], buckets=SECONDS, registry=r)
        self.block_flow = Histogram("wabei_block_flow_seconds", "Time a block took to reach `stage` "
                                    "from the stage before (proposed → executed → sealed → committed); "
                                    "stage=total: proposed to committed", ["chain", "stage"],
                                    buckets=SECONDS, registry=r)
        self.consensus = Histogram("wabei_consensus_step_seconds", "Network mode: time from the "
                                   "first ABCI call of a height this node saw to each later step "
                                   "(process_proposal/prepare_proposal, finalize_block, commit)",
                                   ["chain", "step"], buckets=SECONDS, registry=r)
        self.requests = Counter("wabei_rpc_requests", "JSON-RPC requests answered, by method and "
                                "status (ok, or the error code)", ["chain", "method", "status"], registry=r)
        self.latency = Histogram("wabei_rpc_request_duration_seconds", "JSON-RPC request latency "
                                 "in the node (decode to encode, batches per item)", ["chain", "method"],
                                 buckets=SECONDS, registry=r)
        self.abci = Histogram("wabei_abci_request_duration_seconds", "Network mode: time the app "
                              "took to answer an ABCI call", ["method"], buckets=SECONDS, registry=r)
        self._live = _LiveCollector()
        r.register(self._live)

    # -- wiring ---------------------------------------------------------------------------------
    def follow_chain(self, chain: "Chain", dispatcher: Dispatcher) -> None:
        """Count the chain's blocks and requests; its pool and head are read at scrape time."""
        label = str(chain.config.chain_id)
        self._live.chains.append((label, chain))
        self._follow_blocks(label, chain)
        dispatcher.observer = _RequestObserver(self, label, dispatcher).observe

    def follow_server(self, server: "RpcServer") -> None:
        self._live.servers.append(server)

    def observe_abci(self, method: str, seconds: float) -> None:
        self.abci.labels(method).observe(seconds)

    async def refresh(self) -> None:
        """Before a scrape: ask each chain's engine for its peers (CometBFT's net_info on a
        network node, a constant on a devnet); a node that does not answer in time has none."""
        for label, chain in self._live.chains:
            try:
                status = await asyncio.wait_for(chain.engine.network_status(), PEERS_TIMEOUT_S)
            except Exception:  # CometBFT down or slow: leave the gauge out rather than lie
                self._live.peers.pop(label, None)
                continue
            self._live.peers[label] = status.peer_count

    def _follow_blocks(self, label: str, chain: "Chain") -> None:
        blocks, txs, gas = self.blocks.labels(label), self.transactions.labels(label), self.gas.labels(label)
        execution, root = self.execution.labels(label), self.state_root.labels(label)
        commit, size, rejected = self.commit.labels(label), self.commit_bytes.labels(label), self.rejected.labels(label)
        tx_stage = {stage: self.tx_flow.labels(label, stage) for stage in (*TX_STAGES, "total")}
        block_stage = {stage: self.block_flow.labels(label, stage) for stage in (*BLOCK_STAGES, "total")}

        def on_block(flow: BlockFlow) -> None:
            blocks.inc()
            txs.inc(flow.transactions)
            gas.inc(flow.gas_used)
            execution.observe(flow.executed - flow.proposed)
            root.observe(flow.sealed - flow.executed)
            commit.observe(flow.commit_s)
            size.observe(flow.commit_bytes)
            _observe_steps(block_stage, (flow.proposed, flow.executed, flow.sealed, flow.committed), BLOCK_STAGES)
            for tx in flow.txs:
                _observe_steps(tx_stage, (tx.received, tx.admitted, tx.included, tx.executed, tx.committed),
                               TX_STAGES)
            self._observe_consensus(label, flow.consensus)

        def on_empty(run: EmptyBlocks) -> None:
            blocks.inc(len(run.headers))

        chain.events.block_flows.subscribe(on_block)
        chain.events.empty_blocks.subscribe(on_empty)
        chain.events.rejected.subscribe(lambda _r: rejected.inc())

    def _observe_consensus(self, label: str, steps: dict[str, float]) -> None:
        if not steps:
            return
        first = min(steps.values())
        for step, at in steps.items():
            if at > first:
                self.consensus.labels(label, step).observe(at - first)


def _observe_steps(histograms: dict[str, Any], times: Sequence[float | None], stages: Sequence[str]) -> None:
    """Observe each stage's time since the one before it (stages without a time are skipped,
    e.g. a transaction gossiped from a peer has no `received`), and the total."""
    for stage, before, after in zip(stages, times, times[1:]):
        if before is not None and after is not None:
            histograms[stage].observe(after - before)
    known = [t for t in times if t is not None]
    if len(known) == len(times):
        histograms["total"].observe(known[-1] - known[0])


class _RequestObserver:
    """Counts one dispatcher's requests. The method label is bounded to the names the node
    serves (anything else is "other"), so a client cannot grow the label set; statuses come
    from the node's fixed table of error codes."""

    def __init__(self, metrics: NodeMetrics, label: str, dispatcher: Dispatcher) -> None:
        self._metrics, self._label = metrics, label
        self._known = frozenset((*dispatcher.methods, *SESSION_METHODS))
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, code: int, seconds: float) -> None:
        key = (method if method in self._known else OTHER, code)
        children = self._children.get(key)
        if children is None:
            status = "ok" if code == 0 else str(code)
            children = self._children[key] = (
                self._metrics.requests.labels(self._label, key[0], status),
                self._metrics.latency.labels(self._label, key[0]))
        children[0].inc()
        children[1].observe(seconds)


class _LiveCollector(Collector):
    """Gauges read at scrape time from what the node already holds."""

    def __init__(self) -> None:
        self.chains: list[tuple[str, "Chain"]] = []
        self.servers: list["RpcServer"] = []
        self.peers: dict[str, int] = {}

    def collect(self) -> Iterable[GaugeMetricFamily]:
        head = GaugeMetricFamily("wabei_head_block", "Number of the chain's head block", labels=["chain"])
        pool = GaugeMetricFamily("wabei_txpool_transactions", "Transactions in the pool: pending "
                                 "(executable in nonce order) or queued (waiting for a nonce gap)",
                                 labels=["chain", "state"])
        kept = GaugeMetricFamily("wabei_flow_records", "Transactions whose flow is kept for "
                                 "wabei_getTransactionFlow (bounded)", labels=["chain"])
        # A gauge, not a counter: it falls when the chain itself is rewound (evm_revert, a load).
        intercepted = GaugeMetricFamily("wabei_interceptions", "Transactions the regulator's rules "
                                        "stopped, reported on the canonical chain (wabei_getInterceptions)",
                                        labels=["chain"])
        for label, chain in self.chains:
            intercepted.add_metric([label], chain.backend.store.interception_count())
            head.add_metric([label], int(chain.backend.head.block_number))
            pool.add_metric([label, "pending"], sum(map(len, chain.pool.pending().values())))
            pool.add_metric([label, "queued"], sum(map(len, chain.pool.queued().values())))
            kept.add_metric([label], len(chain.flow))
        yield from (head, pool, kept, intercepted)
        peers = GaugeMetricFamily("wabei_peers", "Peers of the node's consensus (CometBFT's "
                                  "net_info; 0 on a devnet)", labels=["chain"])
        for label, count in self.peers.items():
            peers.add_metric([label], count)
        yield peers
        sessions = GaugeMetricFamily("wabei_ws_sessions", "Open WebSocket connections")
        subs = GaugeMetricFamily("wabei_ws_subscriptions", "Live eth_subscribe subscriptions, by kind",
                                 labels=["kind"])
        kinds: dict[str, int] = {"newHeads": 0, "logs": 0, "newPendingTransactions": 0}
        for server in self.servers:
            for session in server.sessions:
                for kind in session.kinds.values():
                    kinds[kind] = kinds.get(kind, 0) + 1
        sessions.add_metric([], sum(len(s.sessions) for s in self.servers))
        for kind, count in kinds.items():
            subs.add_metric([kind], count)
        yield from (sessions, subs)
