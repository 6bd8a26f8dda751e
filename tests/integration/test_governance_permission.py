"""The Permission precompile (0x…1005) over the wire: deploy white lists, method ACLs and
contract status, enforced on raw transactions and on internal calls and CREATE2 from a
contract, with eth_call/eth_estimateGas giving the mined answer. One devnet per module: the
rules are chain-wide."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

from deploy.compile import load_artifact
from governance.client import AuthType, PermissionClient, Status
from governance.errors import GovernanceInputError, GovernanceRejected
from tests.inprocess import NodeThread, in_process
from tests.integration.helpers import A0, A1, dev_account, rpc_raw, sign_tx

A2 = dev_account(2).address
A3 = dev_account(3).address
KEY1 = dev_account(1).key.hex()
SET = "set(uint256)"
COMMITTEE = "0x0000000000000000000000000000000000010001"


@pytest.fixture(scope="module")
def node() -> Iterator[tuple[NodeThread, Any]]:
    thread, handle = in_process()
    yield thread, handle
    thread.close()


@pytest.fixture(scope="module")
def w3(node: tuple[NodeThread, Any]) -> Web3:
    return Web3(Web3.HTTPProvider(node[1].http_url))


def deploy(w3: Web3, name: str, sender: str = A0) -> Contract:
    art = load_artifact(name)
    tx = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor().transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=art.abi)


def forced(w3: Web3, fn: Any, sender: str, gas: int = 500_000) -> Any:
    """Send with a fixed gas (no estimate, which would refuse it first) and return the receipt."""
    return w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender, "gas": gas}))


def reason(exc: pytest.ExceptionInfo[ContractLogicError]) -> str:
    return str(exc.value.message if hasattr(exc.value, "message") else exc.value)


def replay_reason(w3: Web3, receipt: Any) -> str:
    """What eth_call says when the mined transaction is replayed at its block's parent."""
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    call = {"from": tx["from"], "to": tx["to"], "data": tx["input"].to_0x_hex(), "gas": hex(tx["gas"])}
    out = rpc_raw(w3.provider.endpoint_uri, "eth_call", [call, hex(receipt["blockNumber"] - 1)])  # type: ignore[attr-defined]
    assert out["error"]["code"] == 3, out
    return str(out["error"]["message"])


def test_open_devnet_has_the_committee_and_first_account_as_governors(w3: Web3) -> None:
    perms = PermissionClient(w3)
    assert perms.governors() == (Web3.to_checksum_address(COMMITTEE), A0)
    assert perms.deploy_type() == AuthType.OPEN and perms.may_deploy(A1)


def test_a_non_governor_cannot_change_deploy_rules_and_nothing_changes(w3: Web3) -> None:
    perms = PermissionClient(w3, sender=A1)
    with pytest.raises(GovernanceRejected, match="only the chain's governors .* may set the deploy auth type, "
                       f"not {A1} .*CODE_NO_AUTHORIZED"):
        perms.set_deploy_type(AuthType.WHITE_LIST)
    raw = w3.eth.contract(address=perms._contract.address, abi=perms._contract.abi)
    receipt = forced(w3, raw.functions.setDeployAuthType(1), A1)
    assert receipt["status"] == 0
    assert perms.deploy_type() == AuthType.OPEN
    with pytest.raises(GovernanceInputError, match="not a AuthType"):
        PermissionClient(w3, sender=A0).set_deploy_type(7)
    with pytest.raises(GovernanceRejected, match="deploying is open to everyone"):
        PermissionClient(w3, sender=A0).open_deploy(A1)


def test_deploy_white_list_holds_for_raw_transactions_and_create2_inside_a_factory(w3: Web3) -> None:
    factory = deploy(w3, "GovFactory")  # while deploying is open
    admin = PermissionClient(w3, sender=A0)
    admin.set_deploy_type(AuthType.WHITE_LIST)
    admin.open_deploy(A0)
    try:
        assert admin.may_deploy(A0) and not admin.may_deploy(A1)
        # A raw signed deploy from A1: mined, failed, with the reason.
        art = load_artifact("GovTarget")
        raw = sign_tx(w3, KEY1, to=None, data=art.bytecode, gas=300_000, value=0)
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
        assert receipt["status"] == 0 and receipt["contractAddress"] is not None
        assert w3.eth.get_code(receipt["contractAddress"]) == b""
        create_call = {"from": A1, "data": art.bytecode}
        out = rpc_raw(w3.provider.endpoint_uri, "eth_estimateGas", [create_call])  # type: ignore[attr-defined]
        assert out["error"]["code"] == 3 and f"{A1} may not deploy contracts" in out["error"]["message"]
        # CREATE2 inside the whitelisted factory's code, sent by A1: checked on tx.origin.
        with pytest.raises(ContractLogicError, match=f"{A1} may not deploy contracts on this chain "
                           r"\(deploy white list; checked on tx.origin\)"):
            factory.functions.deploy(b"\x01" * 32).estimate_gas({"from": A1})
        mined = forced(w3, factory.functions.deploy(b"\x01" * 32), A1)
        assert mined["status"] == 0
        assert "may not deploy contracts" in replay_reason(w3, mined)
        # The same factory call from the whitelisted A0 deploys.
        ok = forced(w3, factory.functions.deploy(b"\x02" * 32), A0)
        assert ok["status"] == 1
        child = factory.events.Deployed().process_receipt(ok)[0]["args"]["child"]
        assert w3.eth.get_code(child) != b""
        assert admin.admin(child) == A0  # the origin, recorded as the new contract's admin
    finally:
        admin.set_deploy_type(AuthType.OPEN)
    assert deploy(w3, "GovTarget", sender=A1).address


def test_method_black_list_by_selector_holds_for_direct_and_internal_calls(w3: Web3) -> None:
    target = deploy(w3, "GovTarget", sender=A3)
    factory = deploy(w3, "GovFactory")
    perms = PermissionClient(w3, sender=A3)
    with pytest.raises(GovernanceRejected, match="may reset a contract's admin"):
        perms.reset_admin(target.address, A3)
    PermissionClient(w3, sender=A0).reset_admin(target.address, A3)
    assert perms.admin(target.address) == A3
    with pytest.raises(GovernanceRejected, match="has no auth type; call setMethodAuthType"):
        perms.close_method(target.address, SET, A1)
    perms.set_method_type(target.address, SET, AuthType.BLACK_LIST)
    perms.close_method(target.address, SET, A1)
    assert perms.method_rule(target.address, SET).refused == (A1,)
    assert not perms.may_call(target.address, SET, A1) and perms.may_call(target.address, SET, A2)
    with pytest.raises(GovernanceRejected, match="only .*'s admin or the chain's governors"):
        PermissionClient(w3, sender=A1).open_method(target.address, SET, A1)
    denied = f"{A1} may not call 0x{function_signature_to_4byte_selector(SET).hex()} on {target.address}"
    with pytest.raises(ContractLogicError, match=denied):
        target.functions.set(5).call({"from": A1})
    direct = forced(w3, target.functions.set(5), A1)
    via_factory = forced(w3, factory.functions.callSet(target.address, 6), A1)
    assert direct["status"] == 0 and via_factory["status"] == 0
    assert denied in replay_reason(w3, via_factory)
    assert target.functions.value().call() == 0
    assert forced(w3, factory.functions.callSet(target.address, 7), A2)["status"] == 1
    assert target.functions.value().call() == 7
    perms.open_method(target.address, SET, A1)  # off the black list again
    assert forced(w3, target.functions.set(8), A1)["status"] == 1


def test_method_white_list_admits_only_those_opened(w3: Web3) -> None:
    target = deploy(w3, "GovTarget", sender=A3)
    perms = PermissionClient(w3, sender=A0)  # a governor may manage any contract
    perms.set_method_type(target.address, "0x" + function_signature_to_4byte_selector(SET).hex(), "white_list")
    perms.open_method(target.address, SET, A2)
    assert forced(w3, target.functions.set(1), A1)["status"] == 0
    assert forced(w3, target.functions.set(2), A2)["status"] == 1
    assert perms.method_rule(target.address, SET).admitted == (A2,)
    assert target.functions.value().call({"from": A1}) == 2  # other selectors have no rule
    with pytest.raises(GovernanceInputError, match="neither a 4-byte selector"):
        perms.open_method(target.address, "set", A1)


def test_frozen_and_abolished_contracts(w3: Web3) -> None:
    target = deploy(w3, "GovTarget", sender=A3)
    factory = deploy(w3, "GovFactory")
    PermissionClient(w3, sender=A0).reset_admin(target.address, A3)
    admin = PermissionClient(w3, sender=A3)
    admin.set_contract_status(target.address, Status.FROZEN)
    assert admin.contract_status(target.address) == Status.FROZEN
    frozen = f"contract {target.address} is frozen \\(FISCO status 30 ContractFrozen\\)"
    with pytest.raises(ContractLogicError, match=frozen):
        target.functions.value().call()
    assert forced(w3, factory.functions.callSet(target.address, 1), A2)["status"] == 0
    admin.set_contract_status(target.address, Status.NORMAL)
    assert forced(w3, target.functions.set(4), A2)["status"] == 1
    with pytest.raises(GovernanceRejected, match="only the chain's governors .* may abolish a contract"):
        admin.set_contract_status(target.address, Status.ABOLISHED)
    PermissionClient(w3, sender=A0).set_contract_status(target.address, "abolished")
    with pytest.raises(ContractLogicError, match="is abolished"):
        target.functions.value().call()
    with pytest.raises(GovernanceRejected, match="is abolished; its status can no longer change"):
        PermissionClient(w3, sender=A0).set_contract_status(target.address, Status.NORMAL)
    with pytest.raises(GovernanceRejected, match="is not a contract"):
        PermissionClient(w3, sender=A0).set_contract_status(A2, Status.FROZEN)
    with pytest.raises(GovernanceRejected, match="is a platform contract"):
        PermissionClient(w3, sender=A0).set_contract_status("0x0000000000000000000000000000000000001005", 1)
