"""The Grafana dashboard (docs/grafana/wabei.json) and docs/metrics.md against a live scrape:
every metric a panel queries exists, and the docs list exactly the metrics a node serves."""
from __future__ import annotations

import json
import re
from typing import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from web3 import Web3
from websockets.sync.client import connect

from tests.conftest import ROOT, RunningNode, start_node
from tests.integration.helpers import A1

DASHBOARD = ROOT / "docs" / "grafana" / "wabei.json"
DOCS = ROOT / "docs" / "metrics.md"
# Families a devnet declares but only a network node (ABCI calls, consensus steps) fills.
NETWORK_ONLY = ("wabei_abci_", "wabei_consensus_")
METRIC = re.compile(r"\bwabei_[a-z0-9_]+")


@pytest.fixture(scope="module")
def scrape() -> Iterator[str]:
    """A node's /metrics after a mined transfer, a failed request and a live subscription."""
    n: RunningNode = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": A1, "value": 1})
        requests.post(n.http_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": ["x"]},
                      timeout=10)
        with connect(n.ws_url, open_timeout=10) as ws:
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}))
            ws.recv(timeout=10)
            yield requests.get(n.http_url + "/metrics", timeout=10).text
    finally:
        n.stop()


def queried_metrics() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["query"] for v in dashboard["templating"]["list"]]
    assert len(exprs) > 20
    return {name for expr in exprs for name in METRIC.findall(expr)}


def test_every_metric_the_dashboard_queries_exists(scrape: str) -> None:
    samples = {s.name for family in text_string_to_metric_families(scrape) for s in family.samples}
    declared = set(re.findall(r"^# TYPE (\S+)", scrape, re.M))
    missing = []
    for name in sorted(queried_metrics()):
        if name in samples:
            continue
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        if name.startswith(NETWORK_ONLY) and family in declared:
            continue  # declared here, observed on a network node
        missing.append(name)
    assert not missing, f"the dashboard queries metrics a node does not serve: {missing}"


def test_docs_list_exactly_the_served_metrics(scrape: str) -> None:
    served = set(re.findall(r"^# TYPE (\S+) ", scrape, re.M))
    documented = set(re.findall(r"^\| `(wabei_[a-z0-9_]+)`", DOCS.read_text(), re.M))
    assert documented == served, (f"served but not documented: {sorted(served - documented)}; "
                                  f"documented but not served: {sorted(documented - served)}")
