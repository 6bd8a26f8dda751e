"""The governance precompiles' ABIs in the CNS under well-known names, on a fresh devnet with
nothing registered: resolving them through the FISCO interface, the Python client and plain
web3.py ENS; calling and decoding with the ABI the chain serves; the names are reserved."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from cns.client import CnsClient
from cns.errors import CnsRejected
from governance.abi import ACCOUNT_MANAGER_ABI, PERMISSION_ABI, SYSTEM_CONFIG_ABI
from governance.client import PermissionClient
from governance.committee import COMMITTEE_ABI, CommitteeClient
from tests.inprocess import in_process
from tests.integration.helpers import A0, deploy

WELL_KNOWN = {
    "SystemConfig": "0x0000000000000000000000000000000000001000",
    "ContractAuth": "0x0000000000000000000000000000000000001005",
    "Permission": "0x0000000000000000000000000000000000001005",
    "AccountManager": "0x0000000000000000000000000000000000010003",
    "CommitteeManager": "0x0000000000000000000000000000000000010001",
    "Regulation": "0x0000000000000000000000000000000000001010",
    "IdentityRegistry": "0x0000000000000000000000000000000000001011",
}


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    thread, handle = in_process()
    yield Web3(Web3.HTTPProvider(handle.http_url))
    thread.close()


def signatures(abi: list[dict[str, Any]]) -> set[str]:
    return {f"{e['name']}({','.join(i['type'] for i in e['inputs'])})" for e in abi if e["type"] == "function"}


@pytest.mark.parametrize("name", sorted(WELL_KNOWN))
def test_each_name_resolves_on_a_fresh_chain(w3: Web3, name: str) -> None:
    cns = CnsClient(w3)
    assert cns.resolve(name) == Web3.to_checksum_address(WELL_KNOWN[name])
    assert cns.resolve(name, "1.0.0") == Web3.to_checksum_address(WELL_KNOWN[name])
    assert cns.latest_version(name) == "1.0.0"
    assert cns.owner(name) == "0x0000000000000000000000000000000000001004"  # the CNS itself
    assert w3.ens.address(f"{name.lower()}.wabei") == Web3.to_checksum_address(WELL_KNOWN[name])  # type: ignore[union-attr]
    assert w3.ens.address(f"v1-0-0.{name.lower()}.wabei") == Web3.to_checksum_address(WELL_KNOWN[name])  # type: ignore[union-attr]


def test_the_served_abis_cover_the_clients_abis(w3: Web3) -> None:
    cns = CnsClient(w3)
    for name, client_abi in (("SystemConfig", SYSTEM_CONFIG_ABI), ("ContractAuth", PERMISSION_ABI),
                             ("AccountManager", ACCOUNT_MANAGER_ABI), ("CommitteeManager", COMMITTEE_ABI)):
        served = cns.versions(name)[0].abi
        assert signatures(client_abi) <= signatures(served), name
        events = {e["name"] for e in client_abi if e["type"] == "event"}
        assert events <= {e["name"] for e in served if e["type"] == "event"}, name


def test_calls_and_logs_decode_with_the_abi_from_the_chain(w3: Web3) -> None:
    cns = CnsClient(w3)
    sysconfig = cns.contract("SystemConfig")
    assert sysconfig.functions.getValueByKey("tx_count_limit").call() == ["", 0]
    assert cns.contract("Permission").functions.governors().call()[1] == A0
    info = cns.contract("CommitteeManager").functions.getCommitteeInfo().call()
    assert info == [0, 0, [A0], [1]]
    # A governance transaction sent by the typed client, decoded by an explorer that knows only CNS.
    receipt = PermissionClient(w3, sender=A0).set_deploy_type("black_list")
    tx = w3.eth.get_transaction(receipt["transactionHash"])
    auth = cns.contract("ContractAuth")
    function, args = auth.decode_function_input(tx["input"])
    assert (function.fn_name, args) == ("setDeployAuthType", {"arg0": 2})
    (event,) = auth.events.DeployAuthTypeSet().process_receipt(receipt)
    assert event["args"]["authType"] == 2
    pid = CommitteeClient(w3, A0).set_sys_config("tx_count_limit", "300")
    committee = cns.contract("CommitteeManager")
    proposals = committee.functions.getProposalInfoList(1, pid).call()  # a tuple[] output decodes
    assert proposals[0][2] == 41 and proposals[0][4] == 2


def test_the_names_are_reserved_and_listed(w3: Web3) -> None:
    cns = CnsClient(w3)
    counter = deploy(w3, "Counter").address
    with pytest.raises(CnsRejected, match="'SystemConfig' is a well-known platform name"):
        cns.register("SystemConfig", "2.0.0", counter, [])
    with pytest.raises(CnsRejected, match="only the owner of 'committeemanager'"):
        cns.set_latest("committeemanager", "1.0.0")
    cns.register("my-counter", "1.0.0", counter, [])
    names = cns.names()
    assert names[0] == "my-counter" and names[1:] == list(WELL_KNOWN)
