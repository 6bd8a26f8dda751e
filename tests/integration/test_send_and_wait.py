"""`transact.send_and_wait`, the one send-wait-check that cns, deploy and sharing share, against a
real node: every kind of sender, a revert before sending, and a revert found only in the receipt."""
from __future__ import annotations

import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from deploy.compile import load_artifact
from tests.integration.helpers import A0, A1, deploy_token, dev_account
from transact.send import TransactionReverted, send_and_wait, sender_address


def test_an_unlocked_account_sends_through_the_node(w3: Web3) -> None:
    token = deploy_token(w3)
    receipt = send_and_wait(w3, token.functions.transfer(A1, 5), A0)
    assert receipt["status"] == 1 and receipt["from"] == A0
    assert token.functions.balanceOf(A1).call() >= 5


def test_a_local_account_signs_here(w3: Web3) -> None:
    token = deploy_token(w3)
    signer = dev_account(3)
    send_and_wait(w3, token.functions.mint(signer.address, 7), A0)
    receipt = send_and_wait(w3, token.functions.transfer(A1, 7), signer)
    assert receipt["from"] == signer.address == sender_address(signer)
    assert token.functions.balanceOf(signer.address).call() == 0


def test_no_sender_means_the_nodes_first_account(w3: Web3) -> None:
    token = deploy_token(w3)
    assert send_and_wait(w3, token.functions.mint(A1, 1))["from"] == w3.eth.accounts[0]


def test_a_constructor_is_sent_too(w3: Web3) -> None:
    art = load_artifact("TestToken")
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = send_and_wait(w3, factory.constructor("T", "T", 1), dev_account(5))
    assert w3.eth.get_code(receipt["contractAddress"]) != b""


def test_a_revert_at_estimate_sends_nothing_and_stays_webs_error(w3: Web3) -> None:
    token = deploy_token(w3)
    nonce = w3.eth.get_transaction_count(A0)
    with pytest.raises(ContractCustomError):  # callers decode custom errors from this type
        send_and_wait(w3, token.functions.failWithCustomError(1, 2), A0)
    with pytest.raises(ContractLogicError, match="TestToken: boom"):
        send_and_wait(w3, token.functions.failWithReason(), A0)
    assert w3.eth.get_transaction_count(A0) == nonce


def test_status_zero_raises_with_the_reason(w3: Web3) -> None:
    token = deploy_token(w3)
    with pytest.raises(TransactionReverted, match="reverted: TestToken: boom") as caught:
        send_and_wait(w3, token.functions.failWithReason(), A0, gas=100_000)
    assert caught.value.receipt["status"] == 0
    assert w3.eth.get_transaction_receipt(caught.value.tx_hash)["status"] == 0
    with pytest.raises(TransactionReverted) as custom:
        send_and_wait(w3, token.functions.failWithCustomError(1, 2), dev_account(4), gas=100_000)
    selector = Web3.keccak(text="InsufficientThing(uint256,uint256)")[:4].hex()
    assert custom.value.data is not None and custom.value.data.removeprefix("0x").startswith(selector)
    assert custom.value.reason == f"custom error {custom.value.data}"


def test_the_estimate_runs_in_the_block_the_transaction_will_be_mined_in(w3: Web3) -> None:
    """A call that passes at the head and fails one block later (a deadline at the head's
    number) fails at the estimate, and nothing is sent: web3.py estimates at `latest`, which
    would pass and leave a transaction to revert when mined."""
    deadline = w3.eth.block_number + 1  # the block the contract is deployed in (automine)
    # NUMBER > deadline → REVERT, else STOP: PUSH2 deadline NUMBER GT PUSH1 9 JUMPI STOP JUMPDEST PUSH1 0 DUP1 REVERT
    runtime = bytes([0x61]) + deadline.to_bytes(2, "big") + bytes.fromhex("431160095700" "5b600080fd")
    init = bytes([0x60, len(runtime), 0x80, 0x60, 12, 0x60, 0, 0x39, 0x60, 0, 0xF3, 0]) + runtime
    deployed = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": A0, "data": init}))  # type: ignore[typeddict-item]
    assert deployed["blockNumber"] == deadline
    abi = [{"type": "function", "name": "poke", "inputs": [], "outputs": [], "stateMutability": "nonpayable"}]
    poke = w3.eth.contract(address=deployed["contractAddress"], abi=abi).functions.poke()
    poke.call()  # at `latest`, the deadline block itself: passes
    nonce = w3.eth.get_transaction_count(A0)
    with pytest.raises(ContractLogicError):
        send_and_wait(w3, poke, A0)
    assert w3.eth.get_transaction_count(A0) == nonce
