"""eth_simulateV1 over the wire with web3.py: multi-block runs, overrides, validation, transfer
logs, revert shapes and refusals, on a real node that must keep serving afterwards.

The contracts are bytecode given through state overrides, so each test reads in one place.
"""
from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from tests.integration.helpers import A0, A1

C = "0x" + "c0de" * 10          # where the override code lives
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
EEEE = "0x" + "ee" * 20
# TIMESTAMP, NUMBER → return (timestamp, number)
CLOCK = "0x4260005243602052604060" + "00f3"
# BLOCKHASH(NUMBER - 1) → return it
PARENT_HASH = "0x600143034060005260206000f3"
# revert Error("nope"), the 100 bytes of revert data copied from the end of the code
REASON = ("08c379a0" + "20".rjust(64, "0") + "4".rjust(64, "0") + "nope".encode().hex().ljust(64, "0"))
REVERTER = "0x610064600e600039610064600" + "0fd" + REASON
# forward msg.value to A1, then LOG1(topic 0x11..11) with data 42
FORWARDER = ("0x600060006000600034" + "73" + A1[2:].lower() + "5af150"
             + "602a600052" + "7f" + "11" * 32 + "60206000a100")


def simulate(w3: Web3, payload: dict[str, Any], block: Any = "latest") -> Any:
    return w3.provider.make_request("eth_simulateV1", [payload, block])  # type: ignore[arg-type]


def ok(w3: Web3, payload: dict[str, Any], block: Any = "latest") -> list[dict[str, Any]]:
    out = simulate(w3, payload, block)
    assert "error" not in out, out
    result: list[dict[str, Any]] = out["result"]
    return result


def err(w3: Web3, payload: dict[str, Any]) -> dict[str, Any]:
    out = simulate(w3, payload)
    assert "error" in out, out
    error: dict[str, Any] = out["error"]
    return error


def code_at(address: str, code: str) -> dict[str, Any]:
    return {address: {"code": code}}


def test_blocks_follow_the_base_with_geth_defaults_and_overrides(w3: Web3) -> None:
    head = w3.eth.get_block("latest")
    blocks = ok(w3, {"blockStateCalls": [
        {"stateOverrides": code_at(C, CLOCK), "calls": [{"to": C}]},
        {"blockOverrides": {"number": hex(head.number + 4), "time": hex(head.timestamp + 1000)},
         "calls": [{"to": C}]},
    ]})
    # block 1 defaults (parent + 1, parent time + 12), then two empty filler blocks, then block +4
    assert [int(b["number"], 16) for b in blocks] == [head.number + i for i in range(1, 5)]
    assert [int(b["timestamp"], 16) - head.timestamp for b in blocks] == [12, 24, 36, 1000]
    assert [len(b["calls"]) for b in blocks] == [1, 0, 0, 1]
    for b, parent in zip(blocks, [head.hash.to_0x_hex()] + [b["hash"] for b in blocks]):
        assert b["parentHash"] == parent
        assert b["baseFeePerGas"] == "0x0"  # no validation: geth runs without a base fee
    first, last = blocks[0]["calls"][0], blocks[3]["calls"][0]
    assert int(first["returnData"][2:66], 16) == head.timestamp + 12
    assert int(last["returnData"][2:66], 16) == head.timestamp + 1000
    assert int(last["returnData"][66:], 16) == head.number + 4
    assert first["status"] == "0x1" and first["logs"] == [] and "error" not in first
    assert w3.eth.block_number == head.number  # nothing was mined


def test_blockhash_sees_earlier_simulated_blocks(w3: Web3) -> None:
    blocks = ok(w3, {"blockStateCalls": [
        {"stateOverrides": code_at(C, PARENT_HASH), "calls": [{"to": C}]},
        {"calls": [{"to": C}]},
    ]})
    assert blocks[0]["calls"][0]["returnData"] == w3.eth.get_block("latest").hash.to_0x_hex()
    assert blocks[1]["calls"][0]["returnData"] == blocks[0]["hash"]


def test_state_persists_between_blocks_and_overrides_apply(w3: Web3) -> None:
    rich = "0x" + "ab" * 20
    blocks = ok(w3, {"blockStateCalls": [
        {"stateOverrides": {rich: {"balance": hex(10**18)}},
         "calls": [{"from": rich, "to": A1, "value": hex(10**17)},
                   {"from": rich, "to": A1, "value": hex(10**17)}]},
        {"blockOverrides": {"feeRecipient": A1, "gasLimit": hex(50_000)},
         "calls": [{"from": rich, "to": A1, "value": hex(10**17)}]},
    ]})
    assert [c["status"] for b in blocks for c in b["calls"]] == ["0x1"] * 3
    assert blocks[0]["gasUsed"] == hex(42_000) and blocks[1]["gasLimit"] == hex(50_000)
    assert blocks[1]["miner"].lower() == A1.lower()
    # the sender's nonce went up by one per call: 3 calls, the third with nonce 2
    full = ok(w3, {"returnFullTransactions": True, "blockStateCalls": [
        {"stateOverrides": {rich: {"balance": hex(10**18), "nonce": "0x7"}},
         "calls": [{"from": rich, "to": A1}, {"from": rich, "to": A1}]}]})
    txs = full[0]["transactions"]
    assert [t["nonce"] for t in txs] == ["0x7", "0x8"]
    assert {t["from"].lower() for t in txs} == {rich}


def test_trace_transfers_adds_erc7528_logs_in_order(w3: Web3) -> None:
    blocks = ok(w3, {"traceTransfers": True, "blockStateCalls": [
        {"stateOverrides": code_at(C, FORWARDER), "calls": [{"from": A0, "to": C, "value": "0x64"}]},
    ]})
    logs = blocks[0]["calls"][0]["logs"]
    assert [(l["address"], l["logIndex"]) for l in logs] == [(EEEE, "0x0"), (EEEE, "0x1"), (C, "0x2")]
    pad = lambda a: "0x" + a[2:].lower().rjust(64, "0")  # noqa: E731
    assert logs[0]["topics"] == [TRANSFER, pad(A0), pad(C)]
    assert logs[1]["topics"] == [TRANSFER, pad(C), pad(A1)]
    assert int(logs[1]["data"], 16) == 0x64
    assert all(l["blockHash"] == blocks[0]["hash"] for l in logs)
    plain = ok(w3, {"blockStateCalls": [
        {"stateOverrides": code_at(C, FORWARDER), "calls": [{"from": A0, "to": C, "value": "0x64"}]}]})
    assert [l["address"] for l in plain[0]["calls"][0]["logs"]] == [C]
    assert plain[0]["logsBloom"] == blocks[0]["logsBloom"]  # transfer logs are not in the block


def test_a_revert_is_a_failed_call_not_a_failed_request(w3: Web3) -> None:
    blocks = ok(w3, {"blockStateCalls": [
        {"stateOverrides": code_at(C, REVERTER), "calls": [{"to": C}, {"to": A1}]}]})
    failed, after = blocks[0]["calls"]
    assert failed["status"] == "0x0" and failed["returnData"] == "0x"
    assert failed["error"] == {"message": "execution reverted: nope", "code": 3, "data": "0x" + REASON}
    assert after["status"] == "0x1"
    bad_op = ok(w3, {"blockStateCalls": [{"stateOverrides": code_at(C, "0xfe"), "calls": [{"to": C}]}]})
    assert bad_op[0]["calls"][0]["error"]["code"] == -32015


@pytest.mark.parametrize("call, code, words", [
    ({"from": A0, "to": A1, "nonce": "0x99999"}, -38011, "nonce too high"),
    ({"from": A0, "to": A1, "maxFeePerGas": "0x0"}, -38012, "less than block base fee"),
    ({"from": A0, "to": A1, "gas": "0x5000", "maxFeePerGas": "0x3b9aca000"}, -38013, "intrinsic gas too low"),
    ({"from": "0x" + "12" * 20, "to": A1, "value": "0x1", "maxFeePerGas": "0x3b9aca000"}, -38014,
     "insufficient funds for gas * price + value"),
    ({"from": A0, "to": A1, "gas": hex(10**9)}, -38015, "block gas limit reached"),
])
def test_validation_refusals_carry_geth_codes(w3: Web3, call: dict[str, Any], code: int, words: str) -> None:
    error = err(w3, {"validation": True, "blockStateCalls": [{"calls": [call]}]})
    assert error["code"] == code and words in error["message"], error


def test_nonce_too_low_and_validation_base_fee(w3: Web3) -> None:
    error = err(w3, {"validation": True, "blockStateCalls": [
        {"stateOverrides": {A0: {"nonce": "0x5"}}, "calls": [{"from": A0, "to": A1, "nonce": "0x1"}]}]})
    assert error["code"] == -38010 and "nonce too low" in error["message"]
    blocks = ok(w3, {"validation": True, "blockStateCalls": [
        {"calls": [{"from": A0, "to": A1, "maxFeePerGas": hex(10**11)}]}]})
    assert int(blocks[0]["baseFeePerGas"], 16) > 0  # computed from the parent, as a mined block


@pytest.mark.parametrize("payload, code, words", [
    ({"blockStateCalls": []}, -32602, "empty input"),
    ({"blockStateCalls": [{}] * 257}, -38026, "too many blocks"),
    ({"blockStateCalls": [{"blockOverrides": {"number": "0xffffff"}}]}, -38026, "too many blocks"),
    ({"blockStateCalls": [{"blockOverrides": {"number": "0x0"}}]}, -38020, "block numbers must be in order"),
    ({"blockStateCalls": [{"blockOverrides": {"time": "0x1"}}]}, -38021, "block timestamps must be in order"),
    ({"blockStateCalls": [{"stateOverrides": {"0x01": {}}}]}, -32602, "stateOverrides key"),
    ({"blockStateCalls": [{"stateOverrides": {C: {"state": {}, "stateDiff": {}}}}]}, -32602, "exclusive"),
    ({"blockStateCalls": [{"blockOverrides": {"number": "12"}}]}, -32602, "blockOverrides.number"),
    ({"blockStateCalls": [{"calls": "no"}]}, -32602, "calls"),
    ({"blockStateCalls": [{"stateOverrides": {"0x" + "00" * 19 + "02": {
        "movePrecompileToAddress": "0x" + "00" * 19 + "02"}}}]}, -38022, "itself"),
    ({"blockStateCalls": [{"stateOverrides": {
        "0x" + "00" * 19 + "02": {"movePrecompileToAddress": C},
        "0x" + "00" * 19 + "03": {"movePrecompileToAddress": C}}}]}, -38023, "already overridden"),
    ({"blockStateCalls": [{"stateOverrides": {C: {"movePrecompileToAddress": A1}}}]}, -32602, "not a precompile"),
    ({"blockStateCalls": [{"blockOverrides": {"blobBaseFee": "0x1"}}]}, -32602, "blobBaseFee"),
])
def test_bad_input_is_refused_and_the_node_keeps_serving(w3: Web3, payload: dict[str, Any],
                                                         code: int, words: str) -> None:
    error = err(w3, payload)
    assert error["code"] == code and words in error["message"], error
    assert w3.eth.block_number >= 0


def test_a_moved_precompile_answers_at_its_new_address(w3: Web3) -> None:
    sha256 = "0x" + "00" * 19 + "02"
    blocks = ok(w3, {"blockStateCalls": [{
        "stateOverrides": {sha256: {"movePrecompileToAddress": C, "code": CLOCK}},
        "calls": [{"to": C, "data": "0x616263"}, {"to": sha256}]}]})
    moved, replaced = blocks[0]["calls"]
    assert moved["returnData"] == "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert len(replaced["returnData"]) == 2 + 128  # the override code ran at 0x02


def test_withdrawals_credit_balances_after_the_calls(w3: Web3) -> None:
    target = "0x" + "77" * 20
    blocks = ok(w3, {"blockStateCalls": [
        {"blockOverrides": {"withdrawals": [
            {"index": "0x0", "validatorIndex": "0x1", "address": target, "amount": "0x5"}]}},
        {"stateOverrides": code_at(C, "0x73" + target[2:] + "3160005260206000f3"), "calls": [{"to": C}]},
    ]})
    assert blocks[0]["withdrawals"][0]["amount"] == "0x5"
    assert blocks[0]["withdrawalsRoot"] != blocks[1]["withdrawalsRoot"]
    assert int(blocks[1]["calls"][0]["returnData"], 16) == 5 * 10**9  # gwei → wei
