"""trace_* (Parity-style traces) over the wire with web3.py, against TraceNest's nested frames:
a hidden precompile call, a CALL with value, a reverted CALL, a DELEGATECALL, CREATE, CREATE2
and a SELFDESTRUCT (contracts/test/TraceNest.sol; docs/tracing.md)."""
from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from helpers import A0, deploy
from web3 import Web3

ERROR_SELECTOR = "08c379a0"


def rpc(w3: Web3, method: str, *params: Any) -> Any:
    resp = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in resp, f"{method}: {resp['error']}"
    return resp["result"]


def rpc_error(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    resp = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" in resp, f"{method} should fail: {resp.get('result')!r}"
    err: dict[str, Any] = resp["error"]
    return err


def _intrinsic(data: bytes) -> int:
    return 21_000 + sum(16 if b else 4 for b in data)


@pytest.fixture(scope="module")
def nest(w3: Web3) -> Any:
    return deploy(w3, "TraceNest")


@pytest.fixture(scope="module")
def nested(w3: Web3, nest: Any) -> Any:
    tx_hash = nest.functions.nest(5).transact({"from": A0, "value": 3})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1
    return receipt


def _shape(traces: list[dict[str, Any]]) -> list[tuple[str, list[int], int]]:
    return [(t["type"], t["traceAddress"], t["subtraces"]) for t in traces]


def test_nested_calls(w3: Web3, nest: Any, nested: Any) -> None:
    h = nested["transactionHash"].to_0x_hex()
    traces = rpc(w3, "trace_transaction", h)
    leaf = nest.functions.leaf().call().lower()
    # sha256 (precompile 0x2, no value) is left out, as Reth and Anvil leave it out
    assert _shape(traces) == [("call", [], 3), ("call", [0], 0), ("call", [1], 0), ("call", [2], 0)]
    top, call, failed, delegate = traces
    for t in traces:
        assert t["blockHash"] == nested["blockHash"].to_0x_hex() and t["blockNumber"] == nested["blockNumber"]
        assert t["transactionHash"] == h and t["transactionPosition"] == nested["transactionIndex"]
    tx = w3.eth.get_transaction(nested["transactionHash"])
    intrinsic = _intrinsic(bytes(tx["input"]))
    assert top["action"] == {"from": A0.lower(), "callType": "call", "gas": hex(tx["gas"] - intrinsic),
                             "input": tx["input"].to_0x_hex(), "to": nest.address.lower(), "value": "0x3"}
    # The top call's gas used is the frame's: no intrinsic gas (this transaction has no refund)
    assert int(top["result"]["gasUsed"], 16) == nested["gasUsed"] - intrinsic
    assert top["result"]["output"] == "0x" + (10).to_bytes(32, "big").hex()
    assert call["action"]["callType"] == "call" and call["action"]["to"] == leaf and call["action"]["value"] == "0x3"
    assert call["action"]["from"] == nest.address.lower()
    assert failed["error"] == "Reverted" and failed["result"]["output"].startswith("0x" + ERROR_SELECTOR)
    assert delegate["action"]["callType"] == "delegatecall" and delegate["action"]["to"] == leaf
    assert delegate["action"]["value"] == "0x3"  # the value of the frame it runs in
    assert "error" not in top and "error" not in delegate
    # The children's gas agrees with geth's callTracer (same frames, same execution).
    geth = rpc(w3, "debug_traceTransaction", h, {"tracer": "callTracer"})
    kids = [c for c in geth["calls"] if c["to"] != "0x" + "00" * 19 + "02"]
    for parity, frame in zip((call, failed, delegate), kids):
        assert parity["action"]["gas"] == frame["gas"] and parity["result"]["gasUsed"] == frame["gasUsed"]
    assert rpc(w3, "trace_get", h, ["0x1"]) == failed
    assert rpc(w3, "trace_get", h, []) == top and rpc(w3, "trace_get", h, ["0x9"]) is None


def test_creates_and_selfdestruct(w3: Web3, nest: Any) -> None:
    salt = b"\x07" * 32
    tx_hash = nest.functions.spawn(salt).transact({"from": A0})
    assert w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1
    traces = rpc(w3, "trace_transaction", tx_hash.to_0x_hex())
    assert _shape(traces) == [("call", [], 3), ("create", [0], 0), ("create", [1], 0),
                              ("call", [2], 1), ("suicide", [2, 0], 0)]
    _, create, create2, destroy, suicide = traces
    a, b = "0x" + traces[0]["result"]["output"][26:66], "0x" + traces[0]["result"]["output"][90:]
    assert create["action"]["creationMethod"] == "create" and create["result"]["address"] == a
    assert create2["action"]["creationMethod"] == "create2" and create2["result"]["address"] == b
    assert create["action"]["from"] == nest.address.lower() and create["action"]["init"].startswith("0x6080")
    assert create["result"]["code"] == w3.eth.get_code(Web3.to_checksum_address(a)).to_0x_hex()
    assert create2["result"]["code"] == "0x32ff"  # ORIGIN SELFDESTRUCT
    assert destroy["action"]["to"] == b and destroy["action"]["from"] == nest.address.lower()
    assert suicide["action"] == {"address": b, "balance": "0x0", "refundAddress": A0.lower()}
    assert suicide["result"] is None and "error" not in suicide
    # The deployment of TraceNest: a create whose constructor creates the leaf.
    deploy_receipt = w3.eth.get_transaction_receipt(nest_deploy_hash(w3, nest))
    (top, leaf) = rpc(w3, "trace_transaction", deploy_receipt["transactionHash"].to_0x_hex())
    assert top["type"] == "create" and top["result"]["address"] == nest.address.lower()
    assert leaf["traceAddress"] == [0] and leaf["result"]["address"] == nest.functions.leaf().call().lower()


def nest_deploy_hash(w3: Web3, nest: Any) -> Any:
    """The hash of the transaction that deployed `nest` (scans back from the head)."""
    for number in range(w3.eth.block_number, -1, -1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["to"] is None and w3.eth.get_transaction_receipt(tx["hash"])["contractAddress"] == nest.address:
                return tx["hash"]
    raise AssertionError("deployment not found")


def test_block_replay_and_filter(w3: Web3, nest: Any, nested: Any) -> None:
    number, h = nested["blockNumber"], nested["transactionHash"].to_0x_hex()
    by_tx = rpc(w3, "trace_transaction", h)
    assert rpc(w3, "trace_block", hex(number)) == by_tx  # automine: one transaction a block
    assert rpc(w3, "trace_block", nested["blockHash"].to_0x_hex()) == by_tx
    (replayed,) = rpc(w3, "trace_replayBlockTransactions", hex(number), ["trace"])
    assert replayed["transactionHash"] == h and replayed["stateDiff"] is None and replayed["vmTrace"] is None
    keys = ("action", "result", "subtraces", "traceAddress", "type")
    assert replayed["trace"] == [{k: t[k] for k in ("action", "error", *keys) if k in t} for t in by_tx]
    span = {"fromBlock": hex(number), "toBlock": hex(number)}
    assert rpc(w3, "trace_filter", span) == by_tx
    assert rpc(w3, "trace_filter", {**span, "fromAddress": [A0]}) == by_tx[:1]
    leaf = nest.functions.leaf().call()
    assert rpc(w3, "trace_filter", {**span, "toAddress": [leaf]}) == by_tx[1:]
    assert rpc(w3, "trace_filter", {**span, "toAddress": [leaf], "after": 1, "count": 1}) == by_tx[2:3]
    both = {**span, "fromAddress": [A0], "toAddress": [leaf]}
    assert rpc(w3, "trace_filter", both) == by_tx  # union, Reth's default
    assert rpc(w3, "trace_filter", {**both, "mode": "intersection"}) == []


def test_replay_transaction_state_diff(w3: Web3, nest: Any, nested: Any) -> None:
    h = nested["transactionHash"].to_0x_hex()
    out = rpc(w3, "trace_replayTransaction", h, ["trace", "stateDiff"])
    assert out["output"] == "0x" + (10).to_bytes(32, "big").hex() and out["vmTrace"] is None
    assert [t["traceAddress"] for t in out["trace"]] == [[], [0], [1], [2]]
    diff, block = out["stateDiff"], nested["blockNumber"]
    leaf = nest.functions.leaf().call()
    slot0 = "0x" + "00" * 32
    assert diff[nest.address.lower()]["storage"][slot0] == {"*": {"from": "0x" + "00" * 32,
                                                                 "to": "0x" + (6).to_bytes(32, "big").hex()}}
    assert w3.eth.get_storage_at(nest.address, 0, block) == (6).to_bytes(32, "big")
    assert diff[leaf.lower()]["balance"]["*"]["to"] == hex(w3.eth.get_balance(leaf, block))
    sender = diff[A0.lower()]
    assert sender["nonce"] == {"*": {"from": hex(nested_nonce(w3, nested)), "to": hex(nested_nonce(w3, nested) + 1)}}
    assert sender["code"] == "=" and sender["storage"] == {}
    assert int(sender["balance"]["*"]["to"], 16) == w3.eth.get_balance(A0, block)


def nested_nonce(w3: Web3, receipt: Any) -> int:
    return int(w3.eth.get_transaction(receipt["transactionHash"])["nonce"])


def test_trace_call(w3: Web3, nest: Any) -> None:
    data = nest.functions.nest(41)._encode_transaction_data()
    call = {"from": A0, "to": nest.address, "data": data, "value": "0x2"}
    out = rpc(w3, "trace_call", call, ["trace", "stateDiff"], "latest")
    assert out["output"] == "0x" + encode(["uint256"], [82]).hex()
    assert _shape(out["trace"]) == [("call", [], 3), ("call", [0], 0), ("call", [1], 0), ("call", [2], 0)]
    assert "blockHash" not in out["trace"][0] and out["trace"][2]["error"] == "Reverted"
    storage = out["stateDiff"][nest.address.lower()]["storage"]["0x" + "00" * 32]
    assert storage["*"]["to"] == "0x" + (42).to_bytes(32, "big").hex()
    only_diff = rpc(w3, "trace_call", call, ["stateDiff"])
    assert only_diff["trace"] == [] and only_diff["stateDiff"] == out["stateDiff"]
    assert rpc(w3, "trace_call", call, [])["stateDiff"] is None


def test_bad_input(w3: Web3, nest: Any) -> None:
    unknown = "0x" + "ab" * 32
    assert rpc(w3, "trace_transaction", unknown) is None
    assert rpc(w3, "trace_replayTransaction", unknown, ["trace"]) is None
    assert rpc(w3, "trace_get", unknown, []) is None
    assert rpc(w3, "trace_block", hex(w3.eth.block_number + 10)) is None
    call = {"from": A0, "to": nest.address}
    for bad in (["vmTrace"], ["trace", "vmTrace"], ["traces"], "trace", [1]):
        err = rpc_error(w3, "trace_call", call, bad)
        assert err["code"] == -32602, err
    assert "vmTrace" in rpc_error(w3, "trace_call", call, ["vmTrace"])["message"]
    assert rpc_error(w3, "trace_replayTransaction", unknown, ["nope"])["code"] == -32602
    assert rpc_error(w3, "trace_transaction", "0x1234")["code"] == -32602
    err = rpc_error(w3, "trace_filter", {"fromBlock": "0x5", "toBlock": "0x1"})
    assert err["code"] == -32602 and "fromBlock" in err["message"]
    err = rpc_error(w3, "trace_filter", {"toBlock": hex(w3.eth.block_number + 5)})
    assert err["code"] == -32602 and "head" in err["message"]
    err = rpc_error(w3, "trace_filter", {"fromBlock": "0x0", "toBlcok": "0x1"})
    assert err["code"] == -32602 and "toBlcok" in err["message"]
    assert rpc_error(w3, "trace_filter", {"mode": "both"})["code"] == -32602


def test_a_huge_filter_range_is_refused(w3: Web3) -> None:
    if w3.eth.block_number < 102:
        rpc(w3, "anvil_mine", hex(102 - w3.eth.block_number))
    err = rpc_error(w3, "trace_filter", {"fromBlock": "0x0", "toBlock": "latest"})
    assert err["code"] == -32602 and "block range too large" in err["message"] and "101 blocks" in err["message"]
    head = w3.eth.block_number
    assert rpc(w3, "trace_filter", {"fromBlock": hex(head - 100), "toBlock": hex(head)}) is not None
    # the node keeps serving
    assert w3.eth.block_number == head
