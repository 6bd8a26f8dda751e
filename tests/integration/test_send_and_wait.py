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
