"""An ERC-20 token used through web3.py over HTTP: deploy, transfer, events, and decoded reverts."""
from __future__ import annotations

import pytest
from eth_abi import decode
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError

from helpers import A0, A1, deploy_token

SUPPLY = 10**24


def test_deploy_sets_metadata_and_supply(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    assert token.functions.name().call() == "Test"
    assert token.functions.symbol().call() == "TST"
    assert token.functions.totalSupply().call() == SUPPLY
    assert token.functions.balanceOf(A0).call() == SUPPLY
    assert len(w3.eth.get_code(token.address)) > 0


def test_transfer_moves_balances_and_emits_event(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    tx = token.functions.transfer(A1, 1234).transact({"from": A0})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    assert token.functions.balanceOf(A1).call() == 1234
    assert token.functions.balanceOf(A0).call() == SUPPLY - 1234
    (event,) = token.events.Transfer().process_receipt(receipt)
    assert event["args"] == {"from": A0, "to": A1, "value": 1234}
    assert event["blockNumber"] == receipt["blockNumber"]


def test_get_logs_with_argument_filters(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    other = w3.eth.accounts[2]
    start = w3.eth.block_number
    for to, amount in [(A1, 1), (other, 2), (A1, 3)]:
        w3.eth.wait_for_transaction_receipt(token.functions.transfer(to, amount).transact({"from": A0}))

    to_a1 = token.events.Transfer().get_logs(from_block=start, argument_filters={"to": A1})
    assert [e["args"]["value"] for e in to_a1] == [1, 3]
    to_other = token.events.Transfer().get_logs(from_block=start, argument_filters={"to": other})
    assert [e["args"]["value"] for e in to_other] == [2]
    everything = token.events.Transfer().get_logs(from_block=0)
    # The mint in the constructor (from the zero address) plus the three transfers.
    assert [e["args"]["value"] for e in everything] == [SUPPLY, 1, 2, 3]


def test_raw_get_logs_with_null_topic_wildcard(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    other = w3.eth.accounts[3]
    for to in (A1, other, A1):
        w3.eth.wait_for_transaction_receipt(token.functions.transfer(to, 7).transact({"from": A0}))
    topic0 = Web3.keccak(text="Transfer(address,address,uint256)").to_0x_hex()
    topic2 = "0x" + "00" * 12 + A1[2:].lower()
    logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": token.address,
                            "topics": [topic0, None, topic2]})
    assert len(logs) == 2
    for log in logs:
        assert log["address"] == token.address
        assert log["topics"][2].to_0x_hex() == topic2
        assert int.from_bytes(log["data"], "big") == 7
    # An OR list in a position matches either recipient.
    topic2_other = "0x" + "00" * 12 + other[2:].lower()
    both = w3.eth.get_logs({"fromBlock": 0, "address": token.address,
                            "topics": [topic0, None, [topic2, topic2_other]]})
    assert len(both) == 3


def test_indexed_event_ping(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    w3.eth.wait_for_transaction_receipt(token.functions.emitPing(41).transact({"from": A0}))
    w3.eth.wait_for_transaction_receipt(token.functions.emitPing(42).transact({"from": A0}))
    logs = token.events.Ping().get_logs(from_block=0, argument_filters={"value": 42})
    assert len(logs) == 1
    assert logs[0]["args"]["from"] == A0
    assert logs[0]["args"]["value"] == 42
    assert isinstance(logs[0]["args"]["note"], str)


def test_require_reason_on_call(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    with pytest.raises(ContractLogicError) as info:
        token.functions.failWithReason().call()
    assert "TestToken: boom" in str(info.value)
    # The revert data is the ABI-encoded Error(string).
    assert info.value.data is not None
    data = info.value.data if isinstance(info.value.data, str) else str(info.value.data)
    assert data.startswith("0x08c379a0")


def _custom_error_args(exc: ContractCustomError) -> tuple[int, int]:
    """Decode InsufficientThing(have, want) from the revert data web3 attached to the error."""
    data = exc.data if isinstance(exc.data, str) else str(exc.message)
    selector = Web3.keccak(text="InsufficientThing(uint256,uint256)")[:4].to_0x_hex()
    assert data.startswith(selector), data
    have, want = decode(["uint256", "uint256"], bytes.fromhex(data[10:]))
    return have, want


def test_custom_error_on_call(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    with pytest.raises(ContractCustomError) as info:
        token.functions.failWithCustomError(1, 2).call()
    assert _custom_error_args(info.value) == (1, 2)


def test_panic_on_call(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    with pytest.raises(ContractPanicError) as info:
        token.functions.failWithPanic().call()
    assert "division or modulo by zero" in str(info.value).lower() or "0x12" in str(info.value)


def test_reverting_transaction_fails_at_estimate_without_sending(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    nonce = w3.eth.get_transaction_count(A0)
    block = w3.eth.block_number
    with pytest.raises(ContractLogicError) as reason:
        token.functions.failWithReason().transact({"from": A0})
    assert "TestToken: boom" in str(reason.value)
    with pytest.raises(ContractCustomError) as custom:
        token.functions.failWithCustomError(1, 2).transact({"from": A0})
    assert _custom_error_args(custom.value) == (1, 2)
    with pytest.raises(ContractPanicError):
        token.functions.failWithPanic().transact({"from": A0})
    with pytest.raises(ContractLogicError) as est:
        token.functions.failWithReason().estimate_gas({"from": A0})
    assert "TestToken: boom" in str(est.value)
    # Nothing was sent: no nonce used, no block mined.
    assert w3.eth.get_transaction_count(A0) == nonce
    assert w3.eth.block_number == block


def test_reverting_transaction_with_explicit_gas_mines_with_status_zero(w3: Web3) -> None:
    token = deploy_token(w3, SUPPLY)
    tx = token.functions.failWithReason().transact({"from": A0, "gas": 100_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 0
    assert receipt["logs"] == []
