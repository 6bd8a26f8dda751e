"""Issue 11's reproductions over the wire: malformed params are -32602 with a message naming the
param, the node keeps serving, and request ids come back exactly as the client wrote them.

The tables of every form per kind are tests/unit/test_codec_strict.py; this file proves the
node's methods really go through that codec, on a real node over HTTP.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from conftest import RunningNode
from web3 import Web3

from helpers import A0, rpc, rpc_error

ZERO_62 = "0x" + "0" * 62
BIG = 2**256 + 1
H = "0x" + "ab" * 32


def post_text(url: str, text: str) -> requests.Response:
    return requests.post(url, data=text.encode(), headers={"Content-Type": "application/json"}, timeout=60)


@pytest.mark.parametrize(("method", "params", "words"), [
    ("eth_getBlockByNumber", ["0x1_0", False], ["invalid block", "'0x1_0' is not hex"]),
    ("eth_getBlockByNumber", ["0x_1", False], ["invalid block", "not hex"]),
    ("eth_getBlockByNumber", ["0x1 ", False], ["invalid block", "not hex"]),
    ("eth_getBlockByNumber", ["0x\u0661", False], ["invalid block", "not hex"]),
    ("eth_getBlockByNumber", [ZERO_62, False], ["invalid block", "leading zeros", "write it as 0x0"]),
    ("eth_getBlockByNumber", ["0x0", "0x1"], ["invalid fullTransactions", "expected true or false"]),
    ("eth_getBlockByNumber", [0, False], ["invalid block", "got the number 0"]),
    ("eth_getBlockByNumber", [None, False], ["invalid block", "got null"]),
    ("eth_getBalance", [A0, "0x00"], ["invalid block", "leading zeros"]),
    ("eth_getTransactionCount", [A0, "0x8000000000000000"], ["invalid block", "at most 2^63-1"]),
    ("web3_sha3", ["0x12  34"], ["invalid data", "not hex"]),
    ("web3_sha3", ["0x123"], ["invalid data", "even number of digits"]),
    ("eth_call", [{"to": A0, "blobVersionedHashes": "x"}, "latest"],
     ["invalid transaction.blobVersionedHashes", "expected a list"]),
    ("eth_call", [{"to": A0, "blobVersionedHashes": [H]}, "latest"], ["blob transactions (EIP-4844) are not supported"]),
    ("eth_getUncleByBlockHashAndIndex", ["garbage", "0x0"], ["invalid blockHash"]),
    ("eth_getUncleByBlockHashAndIndex", [None, "0x0"], ["invalid blockHash", "got null"]),
    ("eth_getUncleByBlockHashAndIndex", [H, -1], ["invalid index", "got the number -1"]),
    ("eth_getUncleByBlockHashAndIndex", [H, hex(BIG)], ["invalid index", "longer than 256 bits"]),
    ("eth_getUncleByBlockHashAndIndex", [H, BIG], ["invalid index", "got the number"]),
    ("eth_getUncleByBlockNumberAndIndex", ["garbage", "0x0"], ["invalid block", "'garbage'"]),
    ("eth_getUncleByBlockNumberAndIndex", [None, "0x0"], ["invalid block", "got null"]),
    ("eth_getUncleByBlockNumberAndIndex", ["0x0", None], ["invalid index", "got null"]),
    ("eth_getUncleByBlockNumberAndIndex", ["0x0", "0x10000000000000000"], ["invalid index", "at most 2^64-1"]),
    ("eth_getUncleCountByBlockHash", ["garbage"], ["invalid blockHash"]),
    ("eth_getUncleCountByBlockHash", [None], ["invalid blockHash", "got null"]),
    ("eth_getUncleCountByBlockNumber", [-1], ["invalid block", "the number -1"]),
    ("eth_getUncleCountByBlockNumber", [None], ["invalid block", "got null"]),
    ("eth_getStorageAt", [A0, 0, "latest"], ["invalid position", "the number 0"]),
    ("eth_uninstallFilter", [1], ["invalid filter id"]),
    ("eth_feeHistory", ["0x1", "latest", [True]], ["invalid rewardPercentiles"]),
    ("eth_feeHistory", ["0x1", "0x01", []], ["invalid newestBlock", "leading zeros"]),
    ("evm_increaseTime", [-1], ["invalid seconds", "negative"]),
    ("evm_increaseTime", ["0x1_0"], ["invalid seconds", "not hex"]),
])
def test_malformed_params_are_refused_and_the_node_keeps_serving(
        node: RunningNode, method: str, params: list[Any], words: list[str]) -> None:
    err = rpc_error(node.http_url, method, params)
    assert err["code"] == -32602, err
    for word in words:
        assert word in err["message"], (word, err["message"])
    assert rpc(node.http_url, "eth_chainId") == "0x7a69"


def test_well_formed_params_still_answer(node: RunningNode) -> None:
    url = node.http_url
    assert rpc(url, "eth_getBlockByNumber", ["0x0", False])["number"] == "0x0"
    assert rpc(url, "eth_getBlockByNumber", ["0X0", False])["number"] == "0x0"   # geth takes 0X too
    assert rpc(url, "eth_getBlockByNumber", [{"blockNumber": "0x0"}, False]) is not None
    genesis = rpc(url, "eth_getBlockByNumber", ["earliest", False])["hash"]
    assert rpc(url, "eth_getBalance", [A0, {"blockHash": genesis, "requireCanonical": True}]) != "0x0"
    assert rpc(url, "eth_getUncleCountByBlockHash", [genesis]) == "0x0"
    assert rpc(url, "eth_getUncleByBlockNumberAndIndex", ["latest", "0x0"]) is None
    assert rpc(url, "eth_getStorageAt", [A0, "0x0", "latest"]) == "0x" + "00" * 32
    assert rpc(url, "eth_getStorageAt", [A0, "0x" + "00" * 32, "latest"]) == "0x" + "00" * 32
    assert rpc(url, "web3_sha3", [""]) == rpc(url, "web3_sha3", ["0x"])          # geth: "" is empty data
    head = int(rpc(url, "eth_blockNumber"), 16)
    oldest = int(rpc(url, "eth_feeHistory", [2, "latest", []])["oldestBlock"], 16)  # geth: HexOrDecimal64
    assert oldest == max(0, head - 1)


def test_web3_py_still_talks_to_the_strict_node(w3: Web3) -> None:
    """web3.py hex-encodes every quantity (no leading zeros): nothing it sends trips the codec."""
    assert w3.eth.get_block(0)["number"] == 0
    assert w3.eth.get_storage_at(A0, 0) == b"\x00" * 32
    assert w3.eth.get_transaction_count(A0, "latest") >= 0
    assert w3.eth.fee_history(1, "latest", [50])["oldestBlock"] >= 0


# --- ids ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rid", [
    "99999999999999999999",      # past 64 bits: orjson alone would answer 1e+20
    "9" * 400,                   # orjson alone refuses it (-32700)
    "-" + "9" * 30,
    "1.5", "1.50", "-0", "0", "-0.0", "1e400", "1E+2", "2.5e-3",
    "18446744073709551615", "-9223372036854775808", "7",
    '"abc"', '"0x1"', '""', "null",
])
def test_the_id_comes_back_exactly_as_sent(node: RunningNode, rid: str) -> None:
    body = '{"jsonrpc":"2.0","id":%s,"method":"eth_chainId","params":[]}' % rid
    out = post_text(node.http_url, body)
    assert out.status_code == 200
    assert out.text == '{"jsonrpc":"2.0","id":%s,"result":"0x7a69"}' % rid


def test_ids_in_a_batch_and_in_errors_come_back_exactly(node: RunningNode) -> None:
    big = "1" + "0" * 40
    body = ('[{"jsonrpc":"2.0","id":%s,"method":"eth_chainId","params":[]},'
            '{"jsonrpc":"2.0","id":2.50,"method":"eth_nope","params":[]},'
            '{"jsonrpc":"2.0","id":-0,"method":"eth_getBlockByNumber","params":["0x00",false]}]') % big
    out = post_text(node.http_url, body).text
    assert out.startswith('[{"jsonrpc":"2.0","id":%s,"result":"0x7a69"},' % big)
    assert '{"jsonrpc":"2.0","id":2.50,"error":{"code":-32601' in out
    assert '{"jsonrpc":"2.0","id":-0,"error":{"code":-32602' in out
    assert len(json.loads(out)) == 3


@pytest.mark.parametrize("body", [
    '{"jsonrpc":"2.0","id":NaN,"method":"eth_chainId","params":[]}',
    '{"jsonrpc":"2.0","id":Infinity,"method":"eth_chainId","params":[]}',
    '{"jsonrpc":"2.0","id":01,"method":"eth_chainId","params":[]}',
    '{"jsonrpc":"2.0","id":1e400,"method":"eth_chainId","params":[]',      # truncated
    '{"jsonrpc":"2.0","id":%s,"method":"eth_chainId","params":[]}' % ("9" * 5000),
])
def test_what_is_not_json_is_still_a_parse_error(node: RunningNode, body: str) -> None:
    out = post_text(node.http_url, body).json()
    assert out["error"]["code"] == -32700 and out["id"] is None, out
    assert rpc(node.http_url, "eth_chainId") == "0x7a69"
