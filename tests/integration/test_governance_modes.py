"""Modes: a governed chain started with `wabei node --governance FILE` (its admin, deploy white
list, frozen accounts and system config from block 0), a network-style chain (dev=False) from
the same rules, governance surviving a restart and anvil_dumpState/loadState, and an open
devnet's genesis left as it was."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from web3 import Web3
from web3.exceptions import Web3RPCError

from chain.api.chain import build_chain
from chain.config import ChainConfig, NodeConfig
from conftest import start_node
from deploy.compile import load_artifact
from governance.client import AccountClient, AuthType, PermissionClient, Status, SystemConfigClient
from governance.errors import GovernanceRejected
from tests.inprocess import NodeThread, in_process
from tests.integration.helpers import A0, A1, dev_account, rpc, sign_tx
from vm_hooks.governance.genesis import GovernanceFileError, parse_governance

A2, A3 = dev_account(2), dev_account(3)
RULES = {"admin": A1, "deployAuthType": "white", "openDeployAuth": [A1],
         "frozenAccounts": [A3.address], "systemConfig": {"tx_gas_limit": "5000000"}}


def check_governed(w3: Web3) -> None:
    """The rules of RULES hold on `w3`'s chain."""
    perms = PermissionClient(w3)
    assert perms.governors()[1] == A1
    assert perms.deploy_type() == AuthType.WHITE_LIST
    assert perms.may_deploy(A1) and not perms.may_deploy(A0)
    assert AccountClient(w3).status(A3.address) == Status.FROZEN
    assert SystemConfigClient(w3).get("tx_gas_limit").value == 5_000_000


def test_governance_file_starts_a_governed_chain_that_survives_a_restart(tmp_path: Path) -> None:
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps(RULES))
    data_dir = str(tmp_path / "chain")
    node = start_node("--governance", str(rules), "--data-dir", data_dir)
    try:
        w3 = Web3(Web3.HTTPProvider(node.http_url))
        check_governed(w3)
        art = load_artifact("GovTarget")
        denied = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor().transact(
            {"from": A0, "gas": 300_000})
        assert w3.eth.wait_for_transaction_receipt(denied)["status"] == 0
        ok = w3.eth.contract(abi=art.abi, bytecode=art.bytecode).constructor().transact({"from": A1})
        contract = w3.eth.wait_for_transaction_receipt(ok)["contractAddress"]
        assert PermissionClient(w3).admin(contract) == A1  # recorded from block 0 on a governed chain
        with pytest.raises(Web3RPCError, match="is frozen"):
            w3.eth.send_raw_transaction(sign_tx(w3, A3.key.hex()))
        with pytest.raises(Web3RPCError, match="exceeds the chain's tx_gas_limit"):
            w3.eth.send_transaction({"from": A1, "to": A0, "value": 1, "gas": 5_000_001})
        # The file's admin governs; the devnet's first account does not.
        with pytest.raises(GovernanceRejected, match=f"only the chain's governors .* not {A0}"):
            AccountClient(w3, sender=A0).unfreeze(A3.address)
        AccountClient(w3, sender=A1).freeze(A2.address)
        head = w3.eth.block_number
    finally:
        node.stop()
    node = start_node("--governance", str(rules), "--data-dir", data_dir)
    try:
        w3 = Web3(Web3.HTTPProvider(node.http_url))
        assert w3.eth.block_number == head
        check_governed(w3)
        assert AccountClient(w3).status(A2.address) == Status.FROZEN
    finally:
        node.stop()


def test_a_bad_governance_file_stops_the_node_with_the_field_named(tmp_path: Path) -> None:
    rules = tmp_path / "gov.json"
    rules.write_text(json.dumps({**RULES, "systemConfig": {"tx_count_limit": "0"}}))
    with pytest.raises(RuntimeError, match="--governance: systemConfig: tx_count_limit must be at least 1"):
        start_node("--governance", str(rules))
    for doc, why in (({"admn": A1}, "unknown field"), ({"deployAuthType": "grey"}, "deployAuthType"),
                     ({"frozenAccounts": ["0x12"]}, r"frozenAccounts\[0\]"),
                     ({"openDeployAuth": [A1]}, "need deployAuthType white or black")):
        with pytest.raises(GovernanceFileError, match=why):
            parse_governance(doc)


def test_a_network_chain_takes_the_same_rules_and_has_no_default_admin() -> None:
    thread, handle = in_process(ChainConfig(dev=False, governance=parse_governance(RULES)))
    try:
        w3 = Web3(Web3.HTTPProvider(handle.http_url))
        check_governed(w3)
    finally:
        thread.close()
    thread, handle = in_process(ChainConfig(dev=False))
    try:
        w3 = Web3(Web3.HTTPProvider(handle.http_url))
        assert PermissionClient(w3).governors() == ("0x0000000000000000000000000000000000010001",)
        with pytest.raises(GovernanceRejected, match="only the chain's governors"):
            PermissionClient(w3, sender=A0).set_deploy_type(AuthType.WHITE_LIST)
    finally:
        thread.close()


def test_dump_and_load_carry_the_rules() -> None:
    source = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(source.http_url))
        AccountClient(w3, sender=A0).freeze(A2.address)
        PermissionClient(w3, sender=A0).set_deploy_type(AuthType.BLACK_LIST)
        PermissionClient(w3, sender=A0).close_deploy(A1)
        SystemConfigClient(w3, sender=A0).set("tx_count_limit", 7)
        dump = rpc(source.http_url, "anvil_dumpState")
    finally:
        source.stop()
    target = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(target.http_url))
        assert rpc(target.http_url, "anvil_loadState", [dump]) is True
        assert AccountClient(w3).status(A2.address) == Status.FROZEN
        assert not PermissionClient(w3).may_deploy(A1) and PermissionClient(w3).may_deploy(A0)
        assert SystemConfigClient(w3).get("tx_count_limit").value == 7
        with pytest.raises(Web3RPCError, match="is frozen"):
            w3.eth.send_raw_transaction(sign_tx(w3, A2.key.hex()))
    finally:
        target.stop()


def test_the_open_devnet_genesis_is_unchanged_and_a_governed_one_differs() -> None:
    # The hash an open devnet had before governance existed (timestamp 1, default config): an
    # existing --data-dir devnet must keep opening.
    open_chain = build_chain(ChainConfig(genesis_timestamp=1))
    governed = build_chain(ChainConfig(genesis_timestamp=1, governance=parse_governance(RULES)))
    try:
        assert open_chain.backend.genesis.hash.hex() == (
            "8086f41985d0e8c6790762dc03897b65af107e66676a75e5cf6025741732e75f")
        assert governed.backend.genesis.hash != open_chain.backend.genesis.hash
    finally:
        open_chain.close()
        governed.close()


def test_a_follower_reexecutes_governance_blocks_identically() -> None:
    thread = NodeThread()
    try:
        leader = thread.start(NodeConfig.test())
        follower = thread.start_follower(leader.chain)
        lw, fw = Web3(Web3.HTTPProvider(leader.http_url)), Web3(Web3.HTTPProvider(follower.http_url))
        AccountClient(lw, sender=A0).freeze(A2.address)
        SystemConfigClient(lw, sender=A0).set("tx_count_limit", 3)
        PermissionClient(lw, sender=A0).set_deploy_type(AuthType.WHITE_LIST)
        denied = lw.eth.send_transaction({"from": A1, "data": load_artifact("GovTarget").bytecode, "gas": 300_000})
        assert lw.eth.wait_for_transaction_receipt(denied)["status"] == 0
        head = lw.eth.get_block("latest")
        deadline = time.monotonic() + 20
        while fw.eth.block_number < head["number"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fw.eth.get_block(head["number"])["hash"] == head["hash"]
        assert AccountClient(fw).status(A2.address) == Status.FROZEN
    finally:
        thread.close()


def test_the_committee_address_governs_every_chain() -> None:
    """What a passed committee proposal does: a call whose msg.sender is 0x…10001 (here an
    impersonated transaction on a governed devnet whose admin is A1) is allowed; A0 is not."""
    committee = "0x0000000000000000000000000000000000010001"
    thread, handle = in_process(ChainConfig(governance=parse_governance({"admin": A1})))
    try:
        w3 = Web3(Web3.HTTPProvider(handle.http_url))
        assert PermissionClient(w3).governors() == (committee, A1)
        rpc(handle.http_url, "anvil_impersonateAccount", [committee])
        rpc(handle.http_url, "anvil_setBalance", [committee, hex(10**18)])
        SystemConfigClient(w3, sender=committee).set("tx_count_limit", 9)
        AccountClient(w3, sender=committee).freeze(A2.address)
        assert SystemConfigClient(w3).get("tx_count_limit").value == 9
        with pytest.raises(GovernanceRejected, match=f"governors \\({committee} or {A1}\\) .* not {A0}"):
            SystemConfigClient(w3, sender=A0).set("tx_count_limit", 8)
        with pytest.raises(GovernanceRejected, match="is a governor of this chain and cannot be frozen"):
            AccountClient(w3, sender=committee).freeze(A1)
    finally:
        thread.close()
