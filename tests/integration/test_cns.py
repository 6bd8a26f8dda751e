"""The Contract Name Service over the wire: FISCO interface from Solidity, ENS from plain web3.py,
gray upgrades, and refusals of bad input by the client and by the chain itself."""
from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from ens.exceptions import InvalidName
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, NameNotFound

from cns.abi import CNS_ABI
from cns.client import CNS_ADDRESS, CnsClient, enable_ens
from cns.errors import CnsNameError, CnsNotFound, CnsRejected
from deploy.compile import load_artifact
from tests.integration.helpers import A0, A1, deploy, deploy_token, dev_account, rpc

_ids = itertools.count()
A2 = dev_account(2).address


def unique(prefix: str) -> str:
    """A name no other test on this node has used (the session node is shared)."""
    return f"{prefix}{next(_ids)}x{id(_ids) % 10_000}"


@pytest.fixture(scope="module")
def plain_w3(node: Any) -> Web3:
    """Exactly what a user writes: no ENS set-up, no middleware."""
    return Web3(Web3.HTTPProvider(node.http_url))


@pytest.fixture(scope="module")
def cns(plain_w3: Web3) -> CnsClient:
    return CnsClient(plain_w3, sender=A0)


def counter(w3: Web3) -> Contract:
    return deploy(w3, "Counter")


def raw_cns(w3: Web3) -> Contract:
    """The precompile through its ABI, bypassing the client's own checks."""
    return w3.eth.contract(address=CNS_ADDRESS, abi=CNS_ABI)


def reason_of(call: Any, **tx: Any) -> str:
    with pytest.raises(ContractLogicError) as info:
        call.call(tx or {"from": A0})
    return str(info.value)


# --- FISCO interface, called from Solidity ---

def test_solidity_contract_publishes_and_looks_up_through_fisco_interface(plain_w3: Web3) -> None:
    consumer = deploy(plain_w3, "CnsConsumer")
    abi_json = json.dumps(load_artifact("CnsConsumer").abi)
    name = unique("Consumer")

    assert consumer.functions.publishSelf(name, "1.0.0", abi_json).call({"from": A0}) == 1
    receipt = plain_w3.eth.wait_for_transaction_receipt(
        consumer.functions.publishSelf(name, "1.0.0", abi_json).transact({"from": A0}))
    assert receipt["status"] == 1

    listing = json.loads(consumer.functions.listing(name).call())
    assert listing == [{"name": name, "version": "1.0.0", "address": consumer.address, "abi": abi_json}]
    assert json.loads(consumer.functions.listingOf(name, "1.0.0").call()) == listing
    assert json.loads(consumer.functions.listingOf(name, "9.9.9").call()) == []
    assert consumer.functions.lookup(name, "1.0.0").call() == consumer.address
    assert consumer.functions.lookup(name.upper(), "").call() == consumer.address  # "" = latest

    assert "already exists" in reason_of(consumer.functions.publishSelf(name, "1.0.0", abi_json))
    assert "limit is 128" in reason_of(consumer.functions.publishSelf(name, "1" * 129, abi_json))
    assert "has no version '2.0'" in reason_of(consumer.functions.lookup(name, "2.0"))
    assert "no contract is registered" in reason_of(consumer.functions.lookup(unique("Nobody"), ""))


def test_cns_refuses_static_and_delegate_calls_that_would_write(plain_w3: Web3) -> None:
    consumer = deploy(plain_w3, "CnsConsumer")
    name = unique("Guard")
    assert consumer.functions.insertSucceedsInStaticCall(name, "1").call() is False
    assert consumer.functions.insertSucceedsByDelegatecall(name, "1").call({"from": A0}) is False
    # The same insert through a plain CALL works, so the refusals above are about the call kind.
    assert consumer.functions.publishSelf(name, "1", "[]").call({"from": A0}) == 1


def test_fisco_select_returns_every_version_in_insertion_order(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("Ordered")
    contracts = [counter(plain_w3) for _ in range(3)]
    for version, c in zip(["2.0", "1.0", "1.5"], contracts):
        cns.register(name, version, c.address, c.abi)
    entries = json.loads(raw_cns(plain_w3).functions.selectByName(name).call())
    assert [(e["version"], e["address"]) for e in entries] == [
        ("2.0", contracts[0].address), ("1.0", contracts[1].address), ("1.5", contracts[2].address)]
    assert all(set(e) == {"name", "version", "address", "abi"} for e in entries)
    assert json.loads(raw_cns(plain_w3).functions.selectByName(unique("Empty")).call()) == []


# --- ENS, with no set-up beyond Web3(HTTPProvider(url)) ---

def test_plain_web3_resolves_wabei_names(plain_w3: Web3, cns: CnsClient, node: Any) -> None:
    name = unique("Vault")
    target = counter(plain_w3)
    cns.register(name, "1.0.0", target.address, target.abi)
    full = f"{name.lower()}.wabei"

    assert plain_w3.ens.address(full) == target.address
    rpc(node.http_url, "anvil_setBalance", [target.address, hex(12345)])
    assert plain_w3.eth.get_balance(full) == 12345

    token = deploy_token(plain_w3)
    token.functions.transfer(full, 77).transact({"from": A0})
    assert token.functions.balanceOf(full).call() == 77
    assert token.functions.balanceOf(target.address).call() == 77

    assert plain_w3.ens.get_text(full, "version") == "1.0.0"
    resolver = plain_w3.ens.resolver(full)
    assert resolver is not None
    content_type, abi_bytes = resolver.functions.ABI(plain_w3.ens.namehash(full), 1).call()
    assert content_type == 1 and json.loads(abi_bytes) == target.abi
    assert resolver.functions.supportsInterface(bytes.fromhex("9061b923")).call() is True


def test_names_are_case_insensitive_and_normalised_like_ens(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("MixedCase")
    target = counter(plain_w3)
    cns.register(name, "1", target.address, target.abi)
    assert plain_w3.ens.address(f"{name.upper()}.WABEI") == target.address
    assert cns.resolve(name.lower()) == target.address
    # The same name spelt differently is the same name: same owner rules, same versions.
    with pytest.raises(CnsRejected, match="already exists"):
        cns.register(name.upper(), "1", target.address, target.abi)
    with pytest.raises(CnsRejected, match="may not publish"):
        CnsClient(plain_w3, sender=A1).register(name.lower(), "2", target.address, target.abi)


def test_pinned_version_names_keep_resolving_after_an_upgrade(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("Deposit")
    old, new = counter(plain_w3), counter(plain_w3)
    cns.register(name, "1.2.0", old.address, old.abi)
    cns.register(name, "2.0.0", new.address, new.abi, make_latest=True)
    label = name.lower()
    assert plain_w3.ens.address(f"{label}.wabei") == new.address
    assert plain_w3.ens.address(f"v1-2-0.{label}.wabei") == old.address
    assert plain_w3.ens.address(f"v2-0-0.{label}.wabei") == new.address
    assert plain_w3.ens.get_text(f"v1-2-0.{label}.wabei", "version") == "1.2.0"
    assert plain_w3.ens.get_text(f"{label}.wabei", "version") == "2.0.0"


def test_unknown_names_do_not_resolve(plain_w3: Web3) -> None:
    assert plain_w3.ens.address(f"{unique('ghost')}.wabei") is None
    assert plain_w3.ens.address("vitalik.eth") is None
    with pytest.raises(NameNotFound):
        plain_w3.eth.get_balance(f"{unique('ghost')}.wabei")


def test_enable_ens_lets_contract_objects_take_a_name(node: Any, cns: CnsClient, plain_w3: Web3) -> None:
    name = unique("Rebound")
    target = counter(plain_w3)
    cns.register(name, "1", target.address, target.abi)
    w3 = Web3(Web3.HTTPProvider(node.http_url))
    # web3.py 8 leaves w3._ens unset ("'Empty' object has no attribute 'address'")
    with pytest.raises(AttributeError):
        w3.eth.contract(address=f"{name}.wabei", abi=target.abi)
    enable_ens(w3)
    by_name = w3.eth.contract(address=f"{name}.wabei", abi=target.abi)
    target.functions.increment().transact({"from": A0})
    assert by_name.functions.number().call() == 1  # the call went to the named contract
    w3.ens = None  # type: ignore[assignment]
    enable_ens(w3)  # also rebinds an ENS that was disabled
    assert w3.ens.address(f"{name}.wabei") == target.address  # type: ignore[union-attr]


# --- gray upgrades ---

def test_gray_upgrade_switch_and_rollback_with_events(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("Gray")
    v1, v2 = counter(plain_w3), counter(plain_w3)
    start = plain_w3.eth.block_number + 1

    cns.register(name, "1.0", v1.address, v1.abi)
    assert cns.latest_version(name) == "1.0"
    cns.register(name, "2.0", v2.address, v2.abi)  # published, not yet live
    assert cns.resolve(name) == v1.address and cns.resolve(name, "2.0") == v2.address
    assert plain_w3.ens.address(f"{name}.wabei") == v1.address

    cns.set_latest(name, "2.0")  # switch
    assert cns.resolve(name) == v2.address
    assert plain_w3.ens.address(f"{name}.wabei") == v2.address
    cns.set_latest(name, "1.0")  # roll back
    assert cns.resolve(name) == v1.address
    assert cns.contract(name).address == v1.address
    assert cns.contract(name, "2.0").functions.number().call() == 0

    events = raw_cns(plain_w3).events
    published = events.VersionPublished().get_logs(from_block=start)
    changed = events.LatestChanged().get_logs(from_block=start)
    mine = [e for e in changed if e["args"]["name"] == name]
    assert [(e["args"]["version"], e["args"]["addr"]) for e in published if e["args"]["name"] == name] == [
        ("1.0", v1.address), ("2.0", v2.address)]
    assert [(e["args"]["previousVersion"], e["args"]["version"]) for e in mine] == [
        ("", "1.0"), ("1.0", "2.0"), ("2.0", "1.0")]
    assert all(e["args"]["node"] == plain_w3.ens.namehash(f"{name.lower()}.wabei") for e in mine)


def test_only_the_owner_switches_and_only_owner_or_authorised_publish(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("Guarded")
    v1, v2, v3 = counter(plain_w3), counter(plain_w3), counter(plain_w3)
    cns.register(name, "1", v1.address, v1.abi)
    outsider = CnsClient(plain_w3, sender=A1)
    with pytest.raises(CnsRejected, match="may not publish"):
        outsider.register(name, "2", v2.address, v2.abi)
    with pytest.raises(CnsRejected, match="only the owner"):
        outsider.set_latest(name, "1")

    cns.authorize(name, A1)
    outsider.register(name, "2", v2.address, v2.abi)  # authorised publisher
    with pytest.raises(CnsRejected, match="only the owner"):
        outsider.set_latest(name, "2")  # publishing is delegated, switching is not
    cns.authorize(name, A1, allowed=False)
    with pytest.raises(CnsRejected, match="may not publish"):
        outsider.register(name, "3", v3.address, v3.abi)
    assert [v.version for v in cns.versions(name)] == ["1", "2"]
    assert cns.owner(name) == A0
    is_publisher = raw_cns(plain_w3).functions.isPublisher
    assert is_publisher(name, A0).call() is True and is_publisher(name, A1).call() is False
    zero = "0x" + "00" * 20
    assert is_publisher(unique("Unpublished"), zero).call() is False


# --- bad input, refused by the client and by the chain ---

BAD_NAMES = ["has space", "dot.ted", "", "ab--c", "under_score", "x" * 129]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_bad_names_are_refused_by_client_and_chain(plain_w3: Web3, cns: CnsClient, bad: str) -> None:
    target = counter(plain_w3)
    with pytest.raises(CnsNameError):
        cns.register(bad, "1", target.address, target.abi)
    reason = reason_of(raw_cns(plain_w3).functions.insert(bad, "1", target.address, "[]"))
    assert "CNS:" in reason and ("name" in reason or "label" in reason)


@pytest.mark.parametrize("bad", ["", "1 0", "1/0", "v" * 129])
def test_bad_versions_are_refused(plain_w3: Web3, cns: CnsClient, bad: str) -> None:
    target = counter(plain_w3)
    with pytest.raises(CnsNameError):
        cns.register(unique("V"), bad, target.address, target.abi)
    assert "CNS:" in reason_of(raw_cns(plain_w3).functions.insert(unique("V"), bad, target.address, "[]"))


def test_versions_that_pin_alike_collide(plain_w3: Web3, cns: CnsClient) -> None:
    name = unique("Pin")
    target = counter(plain_w3)
    cns.register(name, "1.2", target.address, target.abi)
    with pytest.raises(CnsRejected, match="both pin as v1-2"):
        cns.register(name, "v1.2", target.address, target.abi)


def test_abi_must_be_json_and_address_a_contract(plain_w3: Web3, cns: CnsClient) -> None:
    target = counter(plain_w3)
    with pytest.raises(CnsNameError, match="not valid JSON"):
        cns.register(unique("Abi"), "1", target.address, "{not json")
    functions = raw_cns(plain_w3).functions
    assert "not valid JSON" in reason_of(functions.insert(unique("Abi"), "1", target.address, "{nope"))
    assert "JSON array" in reason_of(functions.insert(unique("Abi"), "1", target.address, '{"a": 1}'))
    assert "not a contract" in reason_of(functions.insert(unique("Eoa"), "1", A2, "[]"))
    assert "not a 0x-prefixed" in reason_of(functions.insert(unique("Hex"), "1", "0x1234", "[]"))
    with pytest.raises(CnsRejected, match="not a contract"):
        cns.register(unique("Eoa"), "1", A2, [])


def test_unknown_names_and_versions_are_clear_errors(plain_w3: Web3, cns: CnsClient) -> None:
    ghost = unique("Ghost")
    with pytest.raises(CnsNotFound, match="no contract is registered"):
        cns.resolve(ghost)
    assert cns.versions(ghost) == []
    name = unique("Known")
    target = counter(plain_w3)
    cns.register(name, "1", target.address, target.abi)
    with pytest.raises(CnsNotFound, match="has no version '7'"):
        cns.resolve(name, "7")
    with pytest.raises(CnsNotFound):
        cns.contract(name, "7")
    with pytest.raises(CnsRejected, match="has no version"):
        cns.set_latest(name, "7")


def test_ens_registry_is_read_only_and_precompiles_refuse_misuse(plain_w3: Web3) -> None:
    registry = plain_w3.ens.ens
    node = plain_w3.ens.namehash("wabei")
    assert registry.functions.owner(node).call() == CNS_ADDRESS
    assert "read-only" in reason_of(registry.functions.setOwner(node, A0))
    with pytest.raises(ContractLogicError, match="does not accept ether"):
        plain_w3.eth.call({"to": CNS_ADDRESS, "from": A0, "value": 1,
                           "data": raw_cns(plain_w3).encode_abi("nameCount", [])})
    with pytest.raises(ContractLogicError, match="unknown function selector"):
        plain_w3.eth.call({"to": CNS_ADDRESS, "data": "0xdeadbeef"})
    with pytest.raises(InvalidName):
        plain_w3.ens.address("bad name.wabei")


# --- CNS records are ordinary state: they survive a restart and travel in a dump ---

def test_names_survive_restart_and_dump_load(tmp_path: Any) -> None:
    from tests.conftest import start_node

    first = start_node("--data-dir", str(tmp_path / "chain"))
    try:
        w3 = Web3(Web3.HTTPProvider(first.http_url))
        target = counter(w3)
        CnsClient(w3, sender=A0).register("Durable", "1.0", target.address, target.abi)
    finally:
        first.stop()
    again = start_node("--data-dir", str(tmp_path / "chain"))
    try:
        w3 = Web3(Web3.HTTPProvider(again.http_url))
        assert w3.ens.address("durable.wabei") == target.address
        dump = rpc(again.http_url, "anvil_dumpState")
    finally:
        again.stop()
    loaded = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(loaded.http_url))
        assert w3.ens.address("durable.wabei") is None
        assert rpc(loaded.http_url, "anvil_loadState", [dump]) is True
        assert w3.ens.address("durable.wabei") == target.address
        assert [v.version for v in CnsClient(w3).versions("Durable")] == ["1.0"]
    finally:
        loaded.stop()
