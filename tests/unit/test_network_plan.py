"""Laying out a network (network/plan.py) and reading its allocations (network/alloc.py): tables
of inputs and the plan or the error a person can act on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chain.types import GenesisAccount
from network.alloc import AllocError, alloc_json, default_alloc, genesis_accounts, load_alloc
from network.plan import OBSERVER, VALIDATOR, PlanError, plan_network


def test_ports_roles_and_names_follow_the_documented_scheme() -> None:
    plan = plan_network(org_names=["bank", "port"], nodes_per_org=2, observers_per_org=1, regulator="reg")
    assert [n.name for n in plan.nodes] == ["bank-node1", "bank-node2", "bank-node3",
                                            "port-node1", "port-node2", "port-node3"]
    assert [n.role for n in plan.nodes] == [VALIDATOR, VALIDATOR, OBSERVER] * 2
    assert [n.power for n in plan.nodes] == [10, 10, 0] * 2
    assert [(n.p2p_port, n.comet_rpc_port, n.abci_port, n.rpc_port) for n in plan.nodes[:2]] == [
        (26656, 26657, 26658, 8545), (26666, 26667, 26668, 8546)]
    assert [o.name for o in plan.orgs] == ["bank", "port", "reg"] and plan.orgs[-1].regulator
    assert plan.comet_chain_id == "wabei-31337"
    assert {n.host for n in plan.nodes} == {"127.0.0.1"} and {n.bind for n in plan.nodes} == {"127.0.0.1"}


def test_hosts_one_per_node_and_overrides() -> None:
    plan = plan_network(org_names=["a", "b"], nodes_per_org=1, hosts=["10.0.0.1", "node-b.example"],
                        node_hosts={"a-node1": "192.0.2.7"})
    a, b = plan.nodes
    assert (a.host, a.bind, a.p2p_address) == ("192.0.2.7", "0.0.0.0", "192.0.2.7:26656")
    assert (b.host, b.bind, b.rpc_url) == ("node-b.example", "0.0.0.0", "http://node-b.example:8546")
    v6 = plan_network(org_names=["a"], nodes_per_org=1, hosts=["::1"]).nodes[0]
    assert (v6.bind, v6.p2p_address, v6.comet_rpc_url) == ("::1", "[::1]:26656", "http://[::1]:26657")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"org_names": ["Org 1"]}, "lower-case"),
    ({"org_names": ["a", "a"]}, "distinct"),
    ({"org_names": ["a"], "regulator": "a"}, "distinct"),
    ({"org_names": ["a"], "nodes_per_org": 0}, "at least one node"),
    ({"org_names": ["a"], "nodes_per_org": 0, "observers_per_org": 1}, "at least one validator"),
    ({"org_names": ["a", "b"], "hosts": ["h1", "h2", "h3"]}, "one for all or one per node"),
    ({"org_names": ["a"], "node_hosts": {"b-node1": "h"}}, "no such node"),
    ({"org_names": ["a"], "p2p_base": 65534}, "between 1024 and 65535"),
    ({"org_names": ["a"], "rpc_base": 26657}, "overlap"),
    ({"org_names": ["a"], "app": "geth"}, "'wabei' or 'kvstore'"),
])
def test_bad_layouts_are_refused_with_a_reason(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        plan_network(**{"nodes_per_org": 1, **kwargs})  # type: ignore[arg-type]


def test_the_default_allocations_are_the_devnet_accounts() -> None:
    alloc = default_alloc()
    assert len(alloc) == 10 and {a.balance for a in alloc.values()} == {10_000 * 10**18}
    assert next(iter(alloc)) == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.mark.parametrize(("body", "expected"), [
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": "0x10"}}, 16),
    ({"alloc": {"f39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": "1000"}}}, 1000),
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": 7}}, 7),
])
def test_allocation_files(tmp_path: Path, body: object, expected: int) -> None:
    (tmp_path / "a.json").write_text(json.dumps(body))
    assert load_alloc(tmp_path / "a.json") == {"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": GenesisAccount(expected)}


def test_an_allocation_may_carry_code_nonce_and_storage_as_geths_does(tmp_path: Path) -> None:
    entry = {"balance": "0x1", "nonce": "0x2", "code": "0x6000", "storage": {"0x01": "0xff"}}
    (tmp_path / "a.json").write_text(json.dumps({"alloc": {"0x00000000000000000000000000000000000000aa": entry}}))
    alloc = load_alloc(tmp_path / "a.json")
    assert alloc == {"0x00000000000000000000000000000000000000AA": GenesisAccount(1, 2, b"\x60\x00", {1: 255})}
    # What init writes into app_state reads back as the same accounts on every node.
    assert genesis_accounts(alloc_json(alloc), "app_state.alloc") == {b"\x00" * 19 + b"\xaa": GenesisAccount(1, 2, b"\x60\x00", {1: 255})}


@pytest.mark.parametrize(("body", "message"), [
    ({"0x12": {"balance": 1}}, "not an address"),
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": -1}}, "non-negative"),
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {}}, "non-negative"),
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": 1, "code": "0xzz"}}, "not 0x-hex"),
    ({"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": {"balance": 1, "storage": []}}, "storage must be"),
    ([], "expected an object"),
])
def test_bad_allocation_files(tmp_path: Path, body: object, message: str) -> None:
    (tmp_path / "a.json").write_text(json.dumps(body))
    with pytest.raises(AllocError, match=message):
        load_alloc(tmp_path / "a.json")
