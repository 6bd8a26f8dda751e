"""Exposure controls on real nodes: CORS off by default and `--cors-origins`, the WebSocket Origin
check, `--no-dev-methods` and `--no-unlocked-accounts` (docs/rpc.md, "Limits and exposure").

Browsers send `Origin`; these tests send it by hand over real HTTP and WebSocket connections.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any, Iterator

import pytest
import requests
from conftest import ROOT, RunningNode, start_node
from eth_account import Account
from web3 import Web3
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from chain.config import ChainConfig, ServerConfig
from chain.console import Console, exposure_lines
from helpers import A0, A1, KEY0, rpc, rpc_error

CHAIN_ID = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
APP = "http://app.example:3000"


def post(url: str, origin: str | None = None, body: Any = CHAIN_ID) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if origin is not None:
        headers["Origin"] = origin
    return requests.post(url, data=json.dumps(body), headers=headers, timeout=30)


def preflight(url: str, origin: str) -> requests.Response:
    return requests.options(url, timeout=30, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})


def ws_chain_id(node: RunningNode, origin: str | None) -> Any:
    headers = {} if origin is None else {"Origin": origin}
    with connect(node.ws_url, additional_headers=headers, open_timeout=10) as ws:
        ws.send(json.dumps(CHAIN_ID))
        return json.loads(ws.recv(timeout=10))["result"]


def ws_refused(node: RunningNode, origin: str) -> int:
    with pytest.raises(InvalidStatus) as info:
        ws_chain_id(node, origin)
    return int(info.value.response.status_code)


@pytest.fixture(scope="module")
def app_node() -> Iterator[RunningNode]:
    n = start_node("--cors-origins", f"{APP}, https://other.example/")
    yield n
    n.stop()


@pytest.fixture(scope="module")
def locked_node() -> Iterator[RunningNode]:
    n = start_node("--no-dev-methods", "--no-unlocked-accounts")
    yield n
    n.stop()


# --- CORS: off by default ------------------------------------------------------------------------
def test_by_default_no_page_may_call_and_nothing_runs(node: RunningNode) -> None:
    before = rpc(node.http_url, "eth_blockNumber")
    send = {"jsonrpc": "2.0", "id": 1, "method": "eth_sendTransaction",
            "params": [{"from": A0, "to": A1, "value": "0x1"}]}
    refused = post(node.http_url, "http://evil.example", send)
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "--cors-origins http://evil.example" in refused.text
    assert rpc(node.http_url, "eth_blockNumber") == before          # the transaction never ran
    assert preflight(node.http_url, "http://evil.example").status_code == 403


def test_clients_without_an_origin_and_the_nodes_own_pages_are_served(node: RunningNode) -> None:
    plain = post(node.http_url)
    assert plain.status_code == 200 and plain.json()["result"] == "0x7a69"
    assert "Access-Control-Allow-Origin" not in plain.headers
    same = post(node.http_url, node.http_url)        # a page the node itself serves
    assert same.status_code == 200 and same.json()["result"] == "0x7a69"


def test_websocket_upgrades_from_other_origins_are_refused(node: RunningNode) -> None:
    assert ws_refused(node, "http://evil.example") == 403
    assert ws_chain_id(node, None) == "0x7a69"
    assert ws_chain_id(node, node.http_url) == "0x7a69"


# --- CORS: --cors-origins -----------------------------------------------------------------------
def test_an_allowed_origin_gets_cors_headers(app_node: RunningNode) -> None:
    out = post(app_node.http_url, APP)
    assert out.status_code == 200 and out.json()["result"] == "0x7a69"
    assert out.headers["Access-Control-Allow-Origin"] == APP
    assert out.headers["Vary"] == "Origin"
    other = post(app_node.http_url, "https://other.example")   # the trailing / of the flag is dropped
    assert other.headers["Access-Control-Allow-Origin"] == "https://other.example"


def test_preflight_is_answered_for_allowed_origins_only(app_node: RunningNode) -> None:
    ok = preflight(app_node.http_url, APP)
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == APP
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    assert ok.headers["Access-Control-Allow-Headers"] == "content-type"
    bad = preflight(app_node.http_url, "http://app.example:4000")   # another port is another origin
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad.headers
    assert post(app_node.http_url, "http://app.example:4000").status_code == 403


def test_websocket_origin_follows_the_same_list(app_node: RunningNode) -> None:
    assert ws_chain_id(app_node, APP) == "0x7a69"
    assert ws_refused(app_node, "http://evil.example") == 403


def test_star_allows_any_page() -> None:
    n = start_node("--cors-origins", "*")
    try:
        out = post(n.http_url, "http://anything.example")
        assert out.status_code == 200 and out.headers["Access-Control-Allow-Origin"] == "*"
        assert preflight(n.http_url, "null").headers["Access-Control-Allow-Origin"] == "*"
        assert ws_chain_id(n, "http://anything.example") == "0x7a69"
    finally:
        n.stop()


def test_a_malformed_origin_list_stops_the_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "chain.cli", "node", "--in-memory", "--port", "0",
                          "--cors-origins", "localhost:3000"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "--cors-origins: 'localhost:3000' is not an origin" in out.stderr


# --- --no-dev-methods and --no-unlocked-accounts --------------------------------------------------
@pytest.mark.parametrize("method", ["evm_mine", "evm_snapshot", "anvil_setBalance", "hardhat_mine", "hardhat_setBalance"])
def test_dev_methods_switched_off_name_the_flag(locked_node: RunningNode, method: str) -> None:
    err = rpc_error(locked_node.http_url, method, [])
    assert err["code"] == -32601
    assert err["message"] == f"the method {method} is not available: this node was started with --no-dev-methods"


def test_locked_accounts_sign_nothing(locked_node: RunningNode) -> None:
    url = locked_node.http_url
    assert rpc(url, "eth_accounts") == []
    balance = int(rpc(url, "eth_getBalance", [A0, "latest"]), 16)
    assert balance == 10_000 * 10**18                     # still funded: the genesis is the same
    typed = {"types": {"EIP712Domain": []}, "primaryType": "EIP712Domain", "domain": {}, "message": {}}
    for method, params in [
        ("eth_sendTransaction", [{"from": A0, "to": A1, "value": "0x1"}]),
        ("eth_signTransaction", [{"from": A0, "to": A1, "value": "0x1", "gas": "0x5208"}]),
        ("eth_sign", [A0, "0x1234"]),
        ("personal_sign", ["0x1234", A0]),
        ("eth_signTypedData_v4", [A0, typed]),
    ]:
        err = rpc_error(url, method, params)
        assert err["code"] == -32000, (method, err)
        assert f"account {A0.lower()} is locked" in err["message"], (method, err)
        assert "--no-unlocked-accounts" in err["message"] and "eth_sendRawTransaction" in err["message"]
    assert rpc(url, "eth_getBalance", [A0, "latest"]) == hex(balance)


def test_locked_accounts_still_send_what_their_owners_sign(locked_node: RunningNode) -> None:
    w3 = Web3(Web3.HTTPProvider(locked_node.http_url))
    tx = {"to": A1, "value": 5, "gas": 21_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
          "nonce": w3.eth.get_transaction_count(A0), "chainId": 31337}
    signed = Account.sign_transaction(tx, KEY0)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=30)
    assert receipt["status"] == 1


# --- the banner -------------------------------------------------------------------------------------
def test_banner_says_what_is_exposed() -> None:
    default = exposure_lines(ChainConfig(), ServerConfig())
    assert "Dev methods (evm_*, anvil_*, hardhat_*): on" in default
    assert "Browser origins allowed (CORS):         none (no --cors-origins)" in default
    assert any(line.startswith("Metrics (/metrics, docs/metrics.md):    on the JSON-RPC port") for line in default)
    assert "Metrics (/metrics, docs/metrics.md):    off (--no-metrics)" in exposure_lines(
        ChainConfig(), ServerConfig(metrics=False))
    assert "Metrics (/metrics, docs/metrics.md):    on 127.0.0.1:9100 only (--metrics-addr)" in exposure_lines(
        ChainConfig(), ServerConfig(metrics_addr=("127.0.0.1", 9100)))
    assert not any(line.startswith("WARNING") for line in default)
    locked = exposure_lines(ChainConfig(unlocked_accounts=False),
                            ServerConfig(host="0.0.0.0", dev_methods=False, cors_origins=(APP,)))
    assert "Dev methods (evm_*, anvil_*, hardhat_*): off (--no-dev-methods)" in locked
    assert "Unlocked dev accounts:                  off (--no-unlocked-accounts)" in locked
    assert f"Browser origins allowed (CORS):         {APP}" in locked
    assert not any(line.startswith("WARNING") for line in locked)   # nothing left to warn about
    exposed = exposure_lines(ChainConfig(), ServerConfig(host="0.0.0.0", cors_origins=("*",)))
    assert ("WARNING: --cors-origins * lets every web page you open call this node and use its "
            "dev methods and unlocked dev accounts") in exposed
    assert any(line.startswith("WARNING: listening on 0.0.0.0 with dev methods") for line in exposed)
    out = io.StringIO()
    Console(out).banner(ChainConfig(account_count=0), (), "0.0.0.0:8545", ServerConfig(host="0.0.0.0"))
    assert "Exposure" in out.getvalue() and "WARNING: listening on 0.0.0.0" in out.getvalue()
