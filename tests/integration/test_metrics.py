"""/metrics, the transaction flow RPC and --flow-log, against real nodes over HTTP and WebSocket.

Scrapes are parsed with prometheus_client's own text parser, so a malformed exposition fails
here as it would in Prometheus.
"""
from __future__ import annotations

import json
import select
import time
from typing import Iterator

import pytest
import requests
from eth_account import Account
from prometheus_client.parser import text_string_to_metric_families
from web3 import Web3
from websockets.sync.client import connect

from chain.config import NodeConfig
from tests.conftest import RunningNode, start_node
from tests.inprocess import NodeThread
from tests.integration.helpers import A1, KEY0, rpc_raw

CHAIN = "31337"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape: (name, sorted labels) → value."""
    resp = requests.get(url, timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.text) for s in family.samples}


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def transfer(w3: Web3, nonce: int, value_wei: int = 1) -> str:
    acct = Account.from_key(KEY0)
    raw = acct.sign_transaction({"chainId": 31337, "nonce": nonce, "to": A1, "value": value_wei, "gas": 21000,
                                 "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}).raw_transaction
    return "0x" + w3.eth.send_raw_transaction(raw).hex().removeprefix("0x")


@pytest.fixture(scope="module")
def metrics_node() -> Iterator[RunningNode]:
    n = start_node()
    yield n
    n.stop()


def test_counters_move_as_transactions_are_mined_and_requests_served(metrics_node: RunningNode) -> None:
    url = metrics_node.http_url + "/metrics"
    w3 = Web3(Web3.HTTPProvider(metrics_node.http_url))
    before = scrape(url)
    start = w3.eth.get_transaction_count(Account.from_key(KEY0).address)
    hashes = [transfer(w3, start + i) for i in range(3)]
    receipts = [w3.eth.wait_for_transaction_receipt(h) for h in hashes]
    assert all(r["status"] == 1 for r in receipts)
    after = scrape(url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, chain=CHAIN, **labels) - value(before, name, chain=CHAIN, **labels)

    assert moved("wabei_blocks_total") == 3
    assert moved("wabei_transactions_total") == 3
    assert moved("wabei_gas_used_total") == 3 * 21000
    assert value(after, "wabei_head_block", chain=CHAIN) == receipts[-1]["blockNumber"]
    for name in ("wabei_block_execution_seconds_count", "wabei_block_state_root_seconds_count",
                 "wabei_storage_commit_seconds_count", "wabei_storage_commit_bytes_count"):
        assert moved(name) == 3, name
    assert moved("wabei_storage_commit_bytes_sum") > 3 * 1000  # a transfer's block writes kilobytes
    for stage in ("admitted", "included", "executed", "committed", "total"):
        assert moved("wabei_transaction_flow_seconds_count", stage=stage) == 3, stage
    for stage in ("executed", "sealed", "committed", "total"):
        assert moved("wabei_block_flow_seconds_count", stage=stage) == 3, stage
    assert moved("wabei_rpc_requests_total", method="eth_sendRawTransaction", status="ok") == 3
    assert moved("wabei_rpc_request_duration_seconds_count", method="eth_sendRawTransaction") == 3
    assert moved("wabei_rpc_requests_total", method="eth_getTransactionReceipt", status="ok") >= 3


def test_errors_are_counted_by_code_and_unknown_methods_share_one_label(metrics_node: RunningNode) -> None:
    url = metrics_node.http_url + "/metrics"
    before = scrape(url)
    assert rpc_raw(metrics_node.http_url, "eth_getBalance", ["not an address", "latest"])["error"]["code"] == -32602
    # A hostile client naming many methods must not grow the label set.
    for i in range(20):
        assert rpc_raw(metrics_node.http_url, f"made_up{i}")["error"]["code"] == -32601
    after = scrape(url)
    assert (value(after, "wabei_rpc_requests_total", chain=CHAIN, method="eth_getBalance", status="-32602")
            - value(before, "wabei_rpc_requests_total", chain=CHAIN, method="eth_getBalance", status="-32602")) == 1
    assert (value(after, "wabei_rpc_requests_total", chain=CHAIN, method="other", status="-32601")
            - value(before, "wabei_rpc_requests_total", chain=CHAIN, method="other", status="-32601")) == 20
    assert not any("made_up" in dict(labels).get("method", "") for _, labels in after)


def test_pool_and_websocket_gauges(metrics_node: RunningNode) -> None:
    url = metrics_node.http_url + "/metrics"
    w3 = Web3(Web3.HTTPProvider(metrics_node.http_url))
    gap = w3.eth.get_transaction_count(Account.from_key(KEY0).address) + 5
    transfer(w3, gap)  # a nonce gap: queued, not mined
    with connect(metrics_node.ws_url, open_timeout=10) as ws:
        for i, kind in enumerate(("newHeads", "newHeads", "newPendingTransactions")):
            ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_subscribe", "params": [kind]}))
            assert "result" in json.loads(ws.recv(timeout=10))
        live = scrape(url)
        assert value(live, "wabei_ws_sessions") == 1
        assert value(live, "wabei_ws_subscriptions", kind="newHeads") == 2
        assert value(live, "wabei_ws_subscriptions", kind="newPendingTransactions") == 1
        assert value(live, "wabei_txpool_transactions", chain=CHAIN, state="queued") == 1
        assert value(live, "wabei_txpool_transactions", chain=CHAIN, state="pending") == 0
        assert value(live, "wabei_rpc_requests_total", chain=CHAIN, method="eth_subscribe", status="ok") >= 3
    deadline = time.monotonic() + 10
    while value(scrape(url), "wabei_ws_sessions") != 0:  # the server sees the close shortly after
        assert time.monotonic() < deadline, "the closed WebSocket is still counted"
        time.sleep(0.05)
    assert value(scrape(url), "wabei_ws_subscriptions", kind="newHeads") == 0


def test_transaction_flow_rpc(metrics_node: RunningNode) -> None:
    w3 = Web3(Web3.HTTPProvider(metrics_node.http_url))
    sent = time.time()
    tx_hash = transfer(w3, w3.eth.get_transaction_count(Account.from_key(KEY0).address))
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    flow = rpc_raw(metrics_node.http_url, "wabei_getTransactionFlow", [tx_hash])["result"]
    steps = [flow[k] for k in ("received", "admitted", "included", "executed", "committed")]
    assert all(isinstance(t, float) for t in steps), flow
    assert steps == sorted(steps), flow
    assert sent - 1 < steps[0] and steps[-1] < time.time() + 1
    assert flow["blockNumber"] == hex(receipt["blockNumber"])
    assert flow["blockHash"] == "0x" + bytes(receipt["blockHash"]).hex()
    assert rpc_raw(metrics_node.http_url, "wabei_getTransactionFlow", ["0x" + "ab" * 32])["result"] is None
    bad = rpc_raw(metrics_node.http_url, "wabei_getTransactionFlow", ["0x1234"])["error"]
    assert bad["code"] == -32602 and "transactionHash" in bad["message"]


def test_no_metrics_gives_404() -> None:
    n = start_node("--no-metrics")
    try:
        assert requests.get(n.http_url + "/metrics", timeout=10).status_code == 404
        assert Web3(Web3.HTTPProvider(n.http_url)).eth.chain_id == 31337  # the node itself serves
    finally:
        n.stop()


def test_metrics_on_a_separate_listener_and_a_registry_per_node() -> None:
    thread = NodeThread()
    try:
        apart = thread.start(NodeConfig.test(metrics_addr=("127.0.0.1", 0)))
        plain = thread.start(NodeConfig.test())
        assert apart.metrics_url is not None and not apart.metrics_url.startswith(apart.http_url)
        assert requests.get(apart.http_url + "/metrics", timeout=10).status_code == 404
        transfer(Web3(Web3.HTTPProvider(apart.http_url)), 0)
        # Two nodes in one process: each counts its own blocks only.
        assert value(scrape(apart.metrics_url), "wabei_blocks_total", chain=CHAIN) == 1
        assert value(scrape(plain.http_url + "/metrics"), "wabei_blocks_total", chain=CHAIN) == 0
    finally:
        thread.close()


def test_bad_metrics_addr_is_refused_with_a_clear_message() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-m", "chain.cli", "node", "--in-memory", "--metrics-addr", "host:port"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "expected HOST:PORT or PORT" in out.stderr


def read_line(node: RunningNode, timeout: float) -> str:
    assert node.process.stdout is not None
    ready, _, _ = select.select([node.process.stdout], [], [], timeout)
    assert ready, "no line from the node in time"
    return node.process.stdout.readline()


def test_flow_log_writes_one_line_per_block() -> None:
    n = start_node("--flow-log")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        tx_hash = transfer(w3, 0)
        line = json.loads(read_line(n, 10))
        assert line["event"] == "block" and line["number"] == 1 and line["txs"] == 1
        assert line["hash"] == "0x" + bytes(w3.eth.get_block(1)["hash"]).hex()
        assert line["proposed"] <= line["executed"] <= line["sealed"] <= line["committed"]
        assert line["commit_bytes"] > 0 and line["gas_used"] == 21000
        assert line["tx_total_ms"]["max"] >= 0
        assert tx_hash
    finally:
        n.stop()


def test_flow_records_are_bounded() -> None:
    thread = NodeThread()
    try:
        node = thread.start(NodeConfig.test(flow_records=2))
        w3 = Web3(Web3.HTTPProvider(node.http_url))
        hashes = [transfer(w3, i) for i in range(3)]
        flows = [rpc_raw(node.http_url, "wabei_getTransactionFlow", [h])["result"] for h in hashes]
        assert flows[0] is None and flows[1] is not None and flows[2]["blockNumber"] == "0x3"
        assert value(scrape(node.http_url + "/metrics"), "wabei_flow_records", chain=CHAIN) == 2
    finally:
        thread.close()
