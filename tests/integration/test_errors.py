"""JSON-RPC error shapes over raw HTTP: codes, messages, batches, limits, rejected transactions.

Every case also checks that the node still answers afterwards, and every rejected transaction
that the chain did not move (no block, no nonce used).
"""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
import requests
import rlp
from conftest import RunningNode
from eth_abi import encode
from eth_account import Account
from web3 import Web3

from helpers import A0, A1, KEY0, deploy_token, rpc, rpc_error, sign_tx

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def post(url: str, body: Any, raw: bool = False) -> requests.Response:
    data = body if raw else json.dumps(body)
    return requests.post(url, data=data, headers={"Content-Type": "application/json"}, timeout=60)


def still_alive(url: str) -> None:
    assert rpc(url, "eth_chainId") == "0x7a69"


def test_parse_error(node: RunningNode) -> None:
    out = post(node.http_url, '{"jsonrpc": "2.0", "id": 1, "method": ', raw=True).json()
    assert out["error"]["code"] == -32700
    assert out["id"] is None
    still_alive(node.http_url)


@pytest.mark.parametrize("body", [
    {"id": 1, "method": "eth_chainId", "params": []},                   # no "jsonrpc"
    {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId", "params": []},  # wrong version
    {"jsonrpc": "2.0", "id": 1, "method": 5, "params": []},             # method not a string
    {"jsonrpc": "2.0", "id": 1},                                        # no method
    1,                                                                  # not an object
    "eth_chainId",
])
def test_invalid_request(node: RunningNode, body: Any) -> None:
    out = post(node.http_url, body).json()
    assert isinstance(out, dict), out
    assert out["error"]["code"] == -32600
    still_alive(node.http_url)


def test_unknown_method(node: RunningNode) -> None:
    out = post(node.http_url, {"jsonrpc": "2.0", "id": 42, "method": "eth_noSuchThing", "params": []}).json()
    assert out["id"] == 42
    assert out["error"]["code"] == -32601
    assert "eth_noSuchThing" in out["error"]["message"]
    still_alive(node.http_url)


@pytest.mark.parametrize("params,word", [
    (["0x1234", "latest"], "address"),
    (["not-an-address", "latest"], "address"),
    ([A0, "sometime"], "block"),
    ([], "argument 0"),                           # geth: "missing value for required argument 0"
])
def test_bad_params_name_the_parameter(node: RunningNode, params: list[Any], word: str) -> None:
    err = rpc_error(node.http_url, "eth_getBalance", params)
    assert err["code"] == -32602
    assert word in err["message"].lower(), err["message"]
    still_alive(node.http_url)


def test_empty_batch(node: RunningNode) -> None:
    out = post(node.http_url, []).json()
    assert isinstance(out, dict), out
    assert out["error"]["code"] == -32600
    still_alive(node.http_url)


def test_mixed_batch(node: RunningNode) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_noSuchThing", "params": []},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_getBalance", "params": ["0x12", "latest"]},
        7,
        {"jsonrpc": "2.0", "id": 5, "method": "eth_blockNumber", "params": []},
    ]
    out = post(node.http_url, batch).json()
    assert isinstance(out, list) and len(out) == 5
    by_id = {r["id"]: r for r in out if r["id"] is not None}
    assert by_id[1]["result"] == "0x7a69"
    assert by_id[2]["error"]["code"] == -32601
    assert by_id[3]["error"]["code"] == -32602
    assert int(by_id[5]["result"], 16) >= 0
    (invalid,) = [r for r in out if r["id"] is None]
    assert invalid["error"]["code"] == -32600


def test_oversized_request_rejected(node: RunningNode) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
                       "params": [{"to": A1, "data": "0x" + "00" * (3 * 1024 * 1024)}, "latest"]})
    assert len(body) > 5 * 1024 * 1024
    resp = post(node.http_url, body, raw=True)
    if resp.status_code == 200:
        assert "error" in resp.json(), "a request over 5 MiB must be refused"
    else:
        assert resp.status_code == 413
    still_alive(node.http_url)


def test_batch_over_1000_rejected(node: RunningNode) -> None:
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId", "params": []} for i in range(1001)]
    out = post(node.http_url, batch).json()
    assert isinstance(out, dict), "a batch over the limit gets one error, not 1001 answers"
    assert out["error"]["code"] in (-32600, -32000, -32005)
    # 1000 is still fine.
    ok = post(node.http_url, batch[:1000]).json()
    assert len(ok) == 1000 and all(r["result"] == "0x7a69" for r in ok)


# --- rejected transactions -------------------------------------------------------------------

def tamper_signature(raw: bytes, high_s: bool = False) -> bytes:
    """An EIP-1559 raw tx with r = 0 (no public key recovers from it) or, if `high_s`, with s
    replaced by n - s (the same point, but a malleable signature that EIP-2 forbids)."""
    assert raw[0] == 2
    fields = rlp.decode(raw[1:])
    if high_s:
        s = int.from_bytes(fields[-1], "big")
        fields[-1] = (SECP256K1_N - s).to_bytes(32, "big")
    else:
        fields[-2] = b""
    return b"\x02" + rlp.encode(fields)


CASES: dict[str, tuple[Callable[[Web3], bytes], tuple[str, ...]]] = {
    "nonce too low": (lambda w3: sign_tx(w3, KEY0, nonce=w3.eth.get_transaction_count(A0) - 1),
                      ("nonce too low",)),
    "insufficient funds": (lambda w3: sign_tx(w3, Account.create().key.to_0x_hex(), nonce=0),
                           ("insufficient funds",)),
    "intrinsic gas too low": (lambda w3: sign_tx(w3, KEY0, gas=20_999), ("intrinsic gas too low",)),
    "fee cap below base fee": (lambda w3: sign_tx(w3, KEY0, maxFeePerGas=1, maxPriorityFeePerGas=1),
                               ("base fee",)),
    "wrong chain id": (lambda w3: sign_tx(w3, KEY0, chainId=1), ("chain id", "chainid", "chain-id")),
    "bad signature r=0": (lambda w3: tamper_signature(sign_tx(w3, KEY0)), ("signature",)),
    "bad signature high s": (lambda w3: tamper_signature(sign_tx(w3, KEY0), high_s=True), ("signature",)),
    "gas above block limit": (lambda w3: sign_tx(w3, KEY0, gas=30_000_001), ("gas limit",)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rejected_raw_transaction(node: RunningNode, w3: Web3, case: str) -> None:
    # Make sure account 0 has used at least one nonce, so "nonce too low" has one to reuse.
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "to": A1, "value": 1}))
    make, words = CASES[case]
    raw = make(w3)
    block, nonce = w3.eth.block_number, w3.eth.get_transaction_count(A0)
    err = rpc_error(node.http_url, "eth_sendRawTransaction", ["0x" + raw.hex()])
    assert err["code"] in (-32000, -32003), err
    assert any(w in err["message"].lower() for w in words), err["message"]
    assert w3.eth.block_number == block
    assert w3.eth.get_transaction_count(A0) == nonce
    assert rpc(node.http_url, "txpool_status") == {"pending": "0x0", "queued": "0x0"}
    still_alive(node.http_url)


def test_revert_on_call_is_code_3_with_data(node: RunningNode, w3: Web3) -> None:
    token = deploy_token(w3)
    reason = "0x08c379a0" + encode(["string"], ["TestToken: boom"]).hex()
    call = {"from": A0, "to": token.address,
            "data": token.encode_abi("failWithReason", [])}
    for method, params in (("eth_call", [call, "latest"]), ("eth_estimateGas", [call])):
        err = rpc_error(node.http_url, method, params)
        assert err["code"] == 3, (method, err)
        assert err["message"] == "execution reverted: TestToken: boom"
        assert err["data"] == reason

    custom = {"to": token.address, "data": token.encode_abi("failWithCustomError", [1, 2])}
    err = rpc_error(node.http_url, "eth_call", [custom, "latest"])
    selector = Web3.keccak(text="InsufficientThing(uint256,uint256)")[:4].hex()
    assert err["code"] == 3
    assert err["message"].startswith("execution reverted")
    assert err["data"] == "0x" + selector + encode(["uint256", "uint256"], [1, 2]).hex()

    panic = {"to": token.address, "data": token.encode_abi("failWithPanic", [])}
    err = rpc_error(node.http_url, "eth_call", [panic, "latest"])
    assert err["code"] == 3
    assert err["data"] == "0x4e487b71" + encode(["uint256"], [0x12]).hex()
    still_alive(node.http_url)
