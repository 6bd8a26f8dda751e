"""debug_trace* over the wire: geth's struct logger, callTracer, 4byteTracer and noopTracer on a
real node, through web3.py's provider (docs/tracing.md)."""
from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_utils import keccak
from helpers import A0, A1, KEY0, deploy, deploy_token, sign_tx
from web3 import Web3

CNS = "0x0000000000000000000000000000000000001004"
INSERT = keccak(b"insert(string,string,string,string)")[:4].hex()

# A child whose runtime returns the word 42, and its init code (copies the runtime out).
CHILD_RUNTIME = bytes.fromhex("602a60005260206000f3")
CHILD_INIT = bytes([0x69]) + CHILD_RUNTIME + bytes.fromhex("600052600a6016f3")
SALT = 1
# A factory: CREATE2 the child (salt 1), CALL it, STATICCALL it, return both answers.
FACTORY_RUNTIME = (
    bytes([0x72]) + CHILD_INIT + bytes.fromhex("600052")        # PUSH19 init; MSTORE at 0
    + bytes.fromhex("60016013600d6000f5")                       # CREATE2(0, 13, 19, salt 1)
    + bytes.fromhex("60206000600060006000855af1")              # CALL(gas, child, 0, 0, 0, 0, 32)
    + bytes.fromhex("50")                                        # POP success
    + bytes.fromhex("6020602060006000845afa")                  # STATICCALL(gas, child, 0, 0, 32, 32)
    + bytes.fromhex("505060406000f3")                          # POP POP; RETURN mem[0:64]
)


def _deploy_code(runtime: bytes) -> bytes:
    """Init code that deploys `runtime` as is (CODECOPY it, RETURN it)."""
    n = len(runtime)
    return bytes([0x60, n, 0x80, 0x60, 12, 0x60, 0, 0x39, 0x60, 0, 0xF3]) + b"\0" + runtime


def trace(w3: Web3, method: str, *params: Any) -> Any:
    resp = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in resp, f"{method}: {resp['error']}"
    return resp["result"]


def trace_error(w3: Web3, method: str, *params: Any) -> dict[str, Any]:
    resp = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" in resp, f"{method} should fail: {resp.get('result')!r}"
    err: dict[str, Any] = resp["error"]
    return err


def _mined(w3: Web3, tx: dict[str, Any]) -> Any:
    tx_hash = w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)


def _intrinsic(data: bytes) -> int:
    return 21_000 + sum(16 if b else 4 for b in data)


@pytest.fixture(scope="module")
def token(w3: Web3) -> Any:
    return deploy_token(w3)


@pytest.fixture(scope="module")
def transfer(w3: Web3, token: Any) -> Any:
    tx_hash = token.functions.transfer(A1, 10**18).transact({"from": A0})
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)


@pytest.fixture(scope="module")
def factory(w3: Web3) -> Any:
    receipt = _mined(w3, {"from": A0, "data": _deploy_code(FACTORY_RUNTIME)})
    assert receipt["status"] == 1
    address = receipt["contractAddress"]
    assert w3.eth.get_code(address) == FACTORY_RUNTIME
    return _mined(w3, {"from": A0, "to": address, "gas": 300_000}), address


# -- the struct logger ---------------------------------------------------------------------------
def test_erc20_transfer_struct_logs_add_up_to_the_receipt(w3: Web3, transfer: Any) -> None:
    tx = w3.eth.get_transaction(transfer["transactionHash"])
    out = trace(w3, "debug_traceTransaction", transfer["transactionHash"].to_0x_hex())
    logs = out["structLogs"]
    assert out["failed"] is False and out["gas"] == transfer["gasUsed"]
    assert out["returnValue"] == "0x" + (1).to_bytes(32, "big").hex()  # transfer returns true
    assert logs[0]["pc"] == 0 and logs[0]["depth"] == 1 and logs[0]["stack"] == []
    assert logs[0]["gas"] == tx["gas"] - _intrinsic(bytes(tx["input"]))
    assert logs[-1]["op"] in ("STOP", "RETURN")
    for a, b in zip(logs, logs[1:]):  # one frame, no calls: each step costs what it says
        assert b["gas"] == a["gas"] - a["gasCost"], a
    used_by_code = logs[0]["gas"] - (logs[-1]["gas"] - logs[-1]["gasCost"])
    assert transfer["gasUsed"] == _intrinsic(bytes(tx["input"])) + used_by_code  # no refund here
    stores = [s for s in logs if s["op"] == "SSTORE"]
    assert len(stores) == 2 and all(len(s["storage"]) >= 1 for s in stores)
    assert all(len(k) == 66 and len(v) == 66 for s in stores for k, v in s["storage"].items())
    assert all("error" not in s and "memory" not in s for s in logs)


def test_struct_logger_options(w3: Web3, transfer: Any) -> None:
    h = transfer["transactionHash"].to_0x_hex()
    full = trace(w3, "debug_traceTransaction", h)["structLogs"]
    slim = trace(w3, "debug_traceTransaction", h, {"disableStack": True, "disableStorage": True})
    assert all("stack" not in s and "storage" not in s for s in slim["structLogs"])
    assert [s["gasCost"] for s in slim["structLogs"]] == [s["gasCost"] for s in full]
    mem = trace(w3, "debug_traceTransaction", h, {"enableMemory": True, "enableReturnData": True})
    words = [w for s in mem["structLogs"] for w in s.get("memory", [])]
    assert words and all(w.startswith("0x") and len(w) == 66 for w in words)
    # As geth: empty memory and empty return data are left out (no call here returns anything).
    assert "memory" not in mem["structLogs"][0] and all("returnData" not in s for s in mem["structLogs"])
    assert len(trace(w3, "debug_traceTransaction", h, {"limit": 5})["structLogs"]) == 5


def test_revert_with_reason(w3: Web3, token: Any) -> None:
    data = token.functions.failWithReason()._encode_transaction_data()
    receipt = _mined(w3, {"from": A0, "to": token.address, "data": data, "gas": 100_000})
    assert receipt["status"] == 0
    h = receipt["transactionHash"].to_0x_hex()
    logs = trace(w3, "debug_traceTransaction", h)
    assert logs["failed"] is True and logs["structLogs"][-1]["op"] == "REVERT"
    assert logs["returnValue"].startswith("0x08c379a0")
    call = trace(w3, "debug_traceTransaction", h, {"tracer": "callTracer"})
    assert call["error"] == "execution reverted" and call["revertReason"] == "TestToken: boom"
    assert call["output"] == logs["returnValue"]
    assert int(call["gasUsed"], 16) == receipt["gasUsed"] and int(call["gas"], 16) == 100_000


# -- the call tracer -----------------------------------------------------------------------------
def test_call_tracer_create2_call_staticcall(w3: Web3, factory: Any) -> None:
    receipt, address = factory
    h = receipt["transactionHash"].to_0x_hex()
    top = trace(w3, "debug_traceTransaction", h, {"tracer": "callTracer"})
    child = keccak(b"\xff" + bytes.fromhex(address[2:]) + SALT.to_bytes(32, "big") + keccak(CHILD_INIT))[12:]
    assert top["type"] == "CALL" and top["to"] == address.lower() and top["from"] == A0.lower()
    assert int(top["gasUsed"], 16) == receipt["gasUsed"] and top["value"] == "0x0"
    create, call, static = top["calls"]
    assert create["type"] == "CREATE2" and create["to"] == "0x" + child.hex()
    assert create["input"] == "0x" + CHILD_INIT.hex() and create["output"] == "0x" + CHILD_RUNTIME.hex()
    assert create["from"] == address.lower()
    answer = "0x" + (42).to_bytes(32, "big").hex()
    assert call["type"] == "CALL" and call["output"] == answer and call["value"] == "0x0"
    assert static["type"] == "STATICCALL" and static["output"] == answer
    assert top["output"] == answer + answer[2:]
    only_top = trace(w3, "debug_traceTransaction", h, {"tracer": "callTracer",
                                                        "tracerConfig": {"onlyTopCall": True}})
    assert "calls" not in only_top and only_top["output"] == top["output"]


def test_struct_logs_of_nested_frames(w3: Web3, factory: Any) -> None:
    receipt, _ = factory
    h = receipt["transactionHash"].to_0x_hex()
    logs = trace(w3, "debug_traceTransaction", h)["structLogs"]
    calls = trace(w3, "debug_traceTransaction", h, {"tracer": "callTracer"})["calls"]
    assert [s["depth"] for s in logs if s["depth"] > 1]  # the children's steps are there
    for op, frame in zip(("CREATE2", "CALL", "STATICCALL"), calls):
        i = next(i for i, s in enumerate(logs) if s["op"] == op)
        # The child's first step has the gas its message got; the next step of the parent has
        # what the op left plus what the child gave back.
        assert logs[i + 1]["depth"] == 2 and logs[i + 1]["gas"] == int(frame["gas"], 16)
        back = next(s for s in logs[i + 1:] if s["depth"] == 1)
        returned = int(frame["gas"], 16) - int(frame["gasUsed"], 16)
        if op == "CREATE2":
            assert back["gas"] == logs[i]["gas"] - logs[i]["gasCost"] - int(frame["gasUsed"], 16)
        else:  # geth's CALL cost includes the gas it forwards
            assert back["gas"] == logs[i]["gas"] - logs[i]["gasCost"] + returned


def test_call_tracer_logs_and_cns_precompile(w3: Web3) -> None:
    consumer = deploy(w3, "CnsConsumer")
    tx_hash = consumer.functions.publishSelf("tracedapp", "1.0", "[]").transact({"from": A0})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1
    top = trace(w3, "debug_traceTransaction", tx_hash.to_0x_hex(),
                {"tracer": "callTracer", "tracerConfig": {"withLog": True}})
    (cns,) = top["calls"]
    assert cns["type"] == "CALL" and cns["to"] == CNS and cns["from"] == consumer.address.lower()
    assert cns["input"].startswith("0x" + INSERT) and "error" not in cns
    assert cns["output"] == "0x" + (1).to_bytes(32, "big").hex()  # FISCO's insert: rows written
    assert [log["address"] for log in cns["logs"]] == [CNS] * len(receipt["logs"])
    assert all(log["position"] == "0x0" for log in cns["logs"])
    # The CNS refuses a write inside STATICCALL: the frame shows the failure.
    data = consumer.functions.insertSucceedsInStaticCall("tracedapp", "2.0")._encode_transaction_data()
    traced = trace(w3, "debug_traceCall", {"from": A0, "to": consumer.address, "data": data},
                   "latest", {"tracer": "callTracer"})
    (static,) = traced["calls"]
    assert static["type"] == "STATICCALL" and static["to"] == CNS and "error" in static


def test_call_tracer_with_log_positions(w3: Web3) -> None:
    counter = deploy(w3, "Counter")
    tx_hash = counter.functions.increment().transact({"from": A0})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    top = trace(w3, "debug_traceTransaction", tx_hash.to_0x_hex(),
                {"tracer": "callTracer", "tracerConfig": {"withLog": True}})
    (log,) = top["logs"]
    assert log["address"] == counter.address.lower() and log["position"] == "0x0"
    assert log["data"] == "0x" + (1).to_bytes(32, "big").hex()
    assert "logs" not in trace(w3, "debug_traceTransaction", tx_hash.to_0x_hex(), {"tracer": "callTracer"})


# -- 4byte, noop, errors -------------------------------------------------------------------------
def test_4byte_and_noop(w3: Web3, transfer: Any) -> None:
    h = transfer["transactionHash"].to_0x_hex()
    assert trace(w3, "debug_traceTransaction", h, {"tracer": "4byteTracer"}) == {"0xa9059cbb-64": 1}
    assert trace(w3, "debug_traceTransaction", h, {"tracer": "noopTracer"}) == {}


def test_unknown_and_javascript_tracers_are_invalid_params(w3: Web3, transfer: Any) -> None:
    h = transfer["transactionHash"].to_0x_hex()
    err = trace_error(w3, "debug_traceTransaction", h, {"tracer": "prestateTracerX"})
    assert err["code"] == -32602 and "unknown tracer" in err["message"]
    js = "{data: [], step: function(log) {}, fault: function() {}, result: function() { return 1; }}"
    err = trace_error(w3, "debug_traceTransaction", h, {"tracer": js})
    assert err["code"] == -32602 and "JavaScript" in err["message"]
    assert trace_error(w3, "debug_traceTransaction", "0x" + "ab" * 32)["code"] == -32001
    assert trace_error(w3, "debug_traceTransaction", h, {"limit": -1})["code"] == -32602


# -- traceCall, blocks, raw encodings --------------------------------------------------------------
def test_trace_call_with_state_overrides(w3: Web3) -> None:
    target = "0x00000000000000000000000000000000000C0DE1"
    code = "0x600160005500"  # PUSH1 1 PUSH1 0 SSTORE STOP
    out = trace(w3, "debug_traceCall", {"from": A0, "to": target}, "latest",
                {"stateOverrides": {target: {"code": code}}})
    assert [s["op"] for s in out["structLogs"]] == ["PUSH1", "PUSH1", "SSTORE", "STOP"]
    assert out["structLogs"][2]["storage"] == {"0x" + "00" * 32: "0x" + "00" * 31 + "01"}
    assert out["failed"] is False and out["gas"] == 21_000 + 22_100 + 6
    err = trace_error(w3, "debug_traceCall", {"from": A0, "to": target}, "latest",
                      {"blockOverrides": {"number": "0x1"}})
    assert err["code"] == -32602 and "blockOverrides" in err["message"]


def test_trace_block_and_raw_encodings(w3: Web3) -> None:
    raw = sign_tx(w3, KEY0)
    tx_hash = w3.eth.send_raw_transaction(raw)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    number, block_hash = hex(receipt["blockNumber"]), receipt["blockHash"].to_0x_hex()
    by_number = trace(w3, "debug_traceBlockByNumber", number, {"tracer": "callTracer"})
    assert by_number == trace(w3, "debug_traceBlockByHash", block_hash, {"tracer": "callTracer"})
    assert [t["txHash"] for t in by_number] == [tx_hash.to_0x_hex()]
    assert by_number[0]["result"]["to"] == A1.lower() and by_number[0]["result"]["gasUsed"] == "0x5208"
    assert trace(w3, "debug_getRawTransaction", tx_hash.to_0x_hex()) == "0x" + raw.hex()
    assert trace(w3, "debug_getRawTransaction", "0x" + "cd" * 32) == "0x"
    (raw_receipt,) = trace(w3, "debug_getRawReceipts", number)
    body = bytes.fromhex(raw_receipt[4:])
    assert raw_receipt.startswith("0x02")
    assert rlp.decode(body)[0] == b"\x01"  # status: success


def test_a_block_built_on_dev_edited_state_replays(w3: Web3) -> None:
    """anvil_setBalance changes the head state without a block; the next block ran on that state,
    not on its parent's root, and its transactions still trace."""
    key = "0x" + "5e" * 32
    sender = Account.from_key(key).address
    assert w3.eth.get_balance(sender) == 0
    trace(w3, "anvil_setBalance", sender, hex(10**18))
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(sign_tx(w3, key)), timeout=30)
    out = trace(w3, "debug_traceTransaction", receipt["transactionHash"].to_0x_hex(),
                {"tracer": "callTracer"})
    assert out["from"] == sender.lower() and out["gasUsed"] == "0x5208"


def test_prestate_tracer(w3: Web3, token: Any, transfer: Any, factory: Any) -> None:
    h = transfer["transactionHash"].to_0x_hex()
    block = transfer["blockNumber"]
    pre = trace(w3, "debug_traceTransaction", h, {"tracer": "prestateTracer"})
    sender, tok = pre[A0.lower()], pre[token.address.lower()]
    assert int(sender["balance"], 16) == w3.eth.get_balance(A0, block - 1)
    assert sender["nonce"] == w3.eth.get_transaction_count(A0, block - 1) and "code" not in sender
    assert tok["code"] == "0x" + bytes(w3.eth.get_code(token.address)).hex()
    assert len(tok["storage"]) == 2  # the two balances the transfer read and wrote
    for slot, value in tok["storage"].items():
        assert int(value, 16) == int.from_bytes(w3.eth.get_storage_at(token.address, int(slot, 16), block - 1), "big")
    slim = trace(w3, "debug_traceTransaction", h, {"tracer": "prestateTracer",
                                                   "tracerConfig": {"disableCode": True, "disableStorage": True}})
    assert "code" not in slim[token.address.lower()] and "storage" not in slim[token.address.lower()]
    diff = trace(w3, "debug_traceTransaction", h, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}})
    post, before = diff["post"], diff["pre"]
    assert set(post) == set(before) and {A0.lower(), token.address.lower()} <= set(post)
    assert int(post[A0.lower()]["balance"], 16) == w3.eth.get_balance(A0, block)
    assert post[A0.lower()]["nonce"] == before[A0.lower()]["nonce"] + 1
    assert "code" not in post[token.address.lower()]  # unchanged fields are left out
    for slot, value in post[token.address.lower()]["storage"].items():
        assert int(value, 16) == int.from_bytes(w3.eth.get_storage_at(token.address, int(slot, 16), block), "big")
    # The factory's transaction: the CREATE2 child did not exist before, so it is not listed.
    receipt, address = factory
    pre = trace(w3, "debug_traceTransaction", receipt["transactionHash"].to_0x_hex(), {"tracer": "prestateTracer"})
    assert address.lower() in pre and len(pre) == 3  # sender, factory, coinbase
    diff = trace(w3, "debug_traceTransaction", receipt["transactionHash"].to_0x_hex(),
                 {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}})
    child = "0x" + keccak(b"\xff" + bytes.fromhex(address[2:]) + SALT.to_bytes(32, "big") + keccak(CHILD_INIT))[12:].hex()
    assert diff["post"][child] == {"code": "0x" + CHILD_RUNTIME.hex(), "codeHash": "0x" + keccak(CHILD_RUNTIME).hex(),
                                   "nonce": 1}
    assert child not in diff["pre"] and diff["post"][address.lower()] == {"nonce": 2}


def test_failing_step_and_create_frames(w3: Web3, factory: Any) -> None:
    target = "0x00000000000000000000000000000000000C0DE2"
    out = trace(w3, "debug_traceCall", {"from": A0, "to": target, "gas": "0x10000"}, "latest",
                {"stateOverrides": {target: {"code": "0x6001fe"}}})  # PUSH1 1, INVALID
    assert [s["op"] for s in out["structLogs"]] == ["PUSH1", "INVALID"]
    assert out["structLogs"][1]["error"] == "invalid opcode" and out["structLogs"][1]["stack"] == ["0x1"]
    assert out["failed"] is True and out["returnValue"] == "0x" and out["gas"] == 0x10000
    call = trace(w3, "debug_traceCall", {"from": A0, "to": target, "gas": "0x10000"}, "latest",
                 {"tracer": "callTracer", "stateOverrides": {target: {"code": "0x6001fe"}}})
    assert call["error"] == "invalid opcode" and "output" not in call
    # A contract-creation transaction is a CREATE frame whose output is the deployed code.
    receipt, address = factory
    deploy_tx = w3.eth.get_block(receipt["blockNumber"] - 1, full_transactions=True)["transactions"][0]
    top = trace(w3, "debug_traceTransaction", deploy_tx["hash"].to_0x_hex(), {"tracer": "callTracer"})
    assert top["type"] == "CREATE" and top["to"] == address.lower()
    assert top["output"] == "0x" + FACTORY_RUNTIME.hex() and top["input"] == "0x" + _deploy_code(FACTORY_RUNTIME).hex()


def test_delegatecall_frame(w3: Web3) -> None:
    consumer = deploy(w3, "CnsConsumer")
    data = consumer.functions.insertSucceedsByDelegatecall("tracedapp2", "1.0")._encode_transaction_data()
    top = trace(w3, "debug_traceCall", {"from": A0, "to": consumer.address, "data": data}, "latest",
                {"tracer": "callTracer"})
    (frame,) = top["calls"]
    assert frame["type"] == "DELEGATECALL" and frame["to"] == CNS
    # geth 1.17 shows a DELEGATECALL's value: the calling frame's (0 here).
    assert frame["from"] == consumer.address.lower() and frame["value"] == "0x0" and "error" in frame


@pytest.mark.parametrize("tracer", [None, "callTracer"])
def test_timeout_stops_an_endless_loop(w3: Web3, tracer: str | None) -> None:
    target = "0x00000000000000000000000000000000000C0DE3"
    options: dict[str, Any] = {"timeout": "300ms", "stateOverrides": {target: {"code": "0x5b600056"}}}
    if tracer:
        options["tracer"] = tracer
    err = trace_error(w3, "debug_traceCall", {"from": A0, "to": target, "gas": hex(30_000_000)},
                      "latest", options)  # JUMPDEST, PUSH1 0, JUMP: until the gas runs out
    assert err["code"] == -32000 and err["message"] == "execution timeout"


def test_an_impersonated_transaction_replays(w3: Web3) -> None:
    """Its placeholder signature recovers no sender; the replay uses the stored one."""
    who = "0x000000000000000000000000000000000000bEEF"
    trace(w3, "anvil_setBalance", who, hex(10**18))
    trace(w3, "anvil_impersonateAccount", who)
    try:
        receipt = _mined(w3, {"from": who, "to": A1, "value": 5})
    finally:
        trace(w3, "anvil_stopImpersonatingAccount", who)
    top = trace(w3, "debug_traceTransaction", receipt["transactionHash"].to_0x_hex(), {"tracer": "callTracer"})
    assert top["from"] == who.lower() and top["value"] == "0x5" and top["gasUsed"] == "0x5208"


@pytest.mark.parametrize("code, steps", [
    ("0x6001", [("PUSH1", 0), ("STOP", 2)]),   # runs off the end: geth's implicit STOP at len(code)
    ("0x6000", [("PUSH1", 0), ("STOP", 2)]),   # ... also when the last byte is a PUSH's 0x00
    ("0x00", [("STOP", 0)]),
    ("0x", []),                                # no code: no interpreter, no steps (geth)
])
def test_program_counters(w3: Web3, code: str, steps: list[tuple[str, int]]) -> None:
    target = "0x00000000000000000000000000000000000C0DE4"
    out = trace(w3, "debug_traceCall", {"from": A0, "to": target}, "latest",
                {"stateOverrides": {target: {"code": code}}})
    assert [(s["op"], s["pc"]) for s in out["structLogs"]] == steps


def test_plain_transfer_has_no_steps(w3: Web3) -> None:
    receipt = _mined(w3, {"from": A0, "to": A1, "value": 1})
    out = trace(w3, "debug_traceTransaction", receipt["transactionHash"].to_0x_hex())
    assert out == {"gas": 21_000, "failed": False, "returnValue": "0x", "structLogs": []}
