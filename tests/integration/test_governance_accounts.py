"""Account freezing (AccountManager, 0x…10003) over the wire: refused at admission with a clear
error, failing in the VM when a pooled transaction meets a freeze, funds untouched, and the
refusals for bad input and unauthorised callers."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from chain.config import ChainConfig, MiningMode
from deploy.compile import load_artifact
from governance.client import AccountClient, Status
from governance.errors import GovernanceInputError, GovernanceRejected
from tests.inprocess import in_process
from tests.integration.helpers import A0, A1, dev_account, rpc, rpc_raw, run_js_client, sign_tx

A4, A5, A6 = (dev_account(i) for i in (4, 5, 6))


@pytest.fixture(scope="module")
def node() -> Iterator[Any]:
    thread, handle = in_process()
    yield handle
    thread.close()


@pytest.fixture(scope="module")
def w3(node: Any) -> Web3:
    return Web3(Web3.HTTPProvider(node.http_url))


def test_freeze_refuses_at_admission_and_unfreeze_restores_with_funds_untouched(w3: Web3) -> None:
    accounts = AccountClient(w3, sender=A0)
    before = w3.eth.get_balance(A4.address)
    accounts.freeze(A4.address)
    assert accounts.status(A4.address) == Status.FROZEN
    assert w3.eth.get_balance(A4.address) == before
    frozen = f"account {A4.address} is frozen; its transactions are refused (FISCO status 31 AccountFrozen)"
    with pytest.raises(Web3RPCError, match=frozen.replace("(", r"\(").replace(")", r"\)")):
        w3.eth.send_raw_transaction(sign_tx(w3, A4.key.hex()))
    with pytest.raises(Web3RPCError, match="is frozen"):  # admission (the gas is given: no estimate)
        w3.eth.send_transaction({"from": A4.address, "to": A1, "value": 1, "gas": 21_000})
    with pytest.raises(ContractLogicError, match="is frozen"):  # the estimate runs it in the VM first
        w3.eth.send_transaction({"from": A4.address, "to": A1, "value": 1})
    # eth_call and eth_estimateGas answer what the VM would: a revert with the same reason.
    call = {"from": A4.address, "to": A1, "value": hex(1)}
    for method in ("eth_call", "eth_estimateGas"):
        err = rpc_raw(w3.provider.endpoint_uri, method, [call] + (["latest"] if method == "eth_call" else []))  # type: ignore[attr-defined]
        assert err["error"]["code"] == 3 and frozen in err["error"]["message"], err
    assert w3.eth.get_balance(A4.address) == before
    accounts.unfreeze(A4.address)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(sign_tx(w3, A4.key.hex())))
    assert receipt["status"] == 1


def test_a_pooled_transaction_that_meets_a_freeze_fails_in_the_vm() -> None:
    thread, handle = in_process(ChainConfig(mining=MiningMode.MANUAL))
    try:
        w3 = Web3(Web3.HTTPProvider(handle.http_url))
        base = w3.eth.get_block("latest")["baseFeePerGas"]
        # The victim's transfer enters the pool first, with a low tip ...
        victim = w3.eth.send_raw_transaction(sign_tx(w3, A5.key.hex(), maxPriorityFeePerGas=1,
                                                     maxFeePerGas=2 * base + 1))
        # ... then the freeze, with a high tip, so it runs first in the same block.
        manager = AccountClient(w3)._contract
        data = manager.encode_abi("setAccountStatus", [A5.address, 1])
        freeze = w3.eth.send_transaction({"from": A0, "to": manager.address, "data": data, "gas": 200_000,
                                          "maxPriorityFeePerGas": 10**10, "maxFeePerGas": 2 * base + 10**10})
        rpc(handle.http_url, "evm_mine")
        assert w3.eth.get_transaction_receipt(freeze)["status"] == 1
        failed = w3.eth.get_transaction_receipt(victim)
        assert failed["status"] == 0 and failed["transactionIndex"] == 1
        assert failed["gasUsed"] == 21_000
    finally:
        thread.close()


def test_refusals_leave_the_status_unchanged(w3: Web3) -> None:
    with pytest.raises(GovernanceRejected, match=f"only the chain's governors .* may change an account's "
                       f"status, not {A1}"):
        AccountClient(w3, sender=A1).freeze(A6.address)
    with pytest.raises(GovernanceRejected, match="is a governor of this chain and cannot be frozen"):
        AccountClient(w3, sender=A0).freeze(A0)
    raw = AccountClient(w3)._contract
    with pytest.raises(ContractLogicError, match="status must be 0 \\(normal\\), 1 \\(frozen\\) or 2"):
        raw.functions.setAccountStatus(A6.address, 3).call({"from": A0})
    with pytest.raises(GovernanceInputError, match="not a Status"):
        AccountClient(w3, sender=A0).set_status(A6.address, 9)
    with pytest.raises(GovernanceInputError, match="is not an address"):
        AccountClient(w3, sender=A0).freeze("0x1234")
    # From inside a contract, msg.sender is the contract: no governor, even when A0 sends it.
    art = load_artifact("GovFactory")
    tx = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor().transact({"from": A0})
    factory = w3.eth.contract(address=w3.eth.wait_for_transaction_receipt(tx)["contractAddress"], abi=art.abi)
    with pytest.raises(ContractLogicError, match=f"not {factory.address}"):
        factory.functions.freeze(A6.address).call({"from": A0})
    assert AccountClient(w3).status(A6.address) == Status.NORMAL


def test_abolished_is_final(w3: Web3) -> None:
    accounts = AccountClient(w3, sender=A0)
    accounts.set_status(A6.address, Status.ABOLISHED)
    with pytest.raises(Web3RPCError, match="is abolished"):
        w3.eth.send_raw_transaction(sign_tx(w3, A6.key.hex()))
    with pytest.raises(GovernanceRejected, match="abolished; its status can no longer change"):
        accounts.unfreeze(A6.address)


@pytest.mark.js
def test_ethers_freezes_and_unfreezes_through_the_fisco_interface() -> None:
    thread, handle = in_process()
    try:
        out = run_js_client("governance_ethers.mjs", handle.http_url)
        assert out.splitlines()[-5:] == ["ok frozen", "ok refused", "ok unfrozen", "ok not-governor", "ok all"]
    finally:
        thread.close()
