"""`wabei network init`: turn a `NetworkPlan` into a network directory (layout in
network/layout.py, formats in docs/network.md). Every key is made here, with `cryptography`;
the cometbft binary only supplies its default config.toml, which is then edited.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chain.config import ETHER, ChainConfig
from chain.types import GenesisAccount
from network import keys, layout, pki
from network.alloc import alloc_json
from network.comet_files import abci_address, default_config_toml, genesis, node_config_toml
from network.plan import NetworkPlan, NodePlan
from network.trust_genesis import trust_section

CRL_DAYS = 365


@dataclass(frozen=True)
class NodeKeys:
    node: keys.CometKey
    validator: keys.CometKey


def init_network(out: Path, plan: NetworkPlan, alloc: dict[str, GenesisAccount], *, cometbft: Path,
                 admin: str | None = None, unlocked_mnemonic: str | None = None,
                 now: dt.datetime | None = None, governance: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the network directory `out` (which must not exist or be empty) and return the
    manifest. `admin` (default: the first allocated address) may change the trust list until
    governance exists; `unlocked_mnemonic`, when given, lets each node sign for its first ten
    accounts as the devnet does (set only for the default test allocations); `governance`, a
    checked governance document (vm_hooks/governance/genesis.py), becomes `app_state.governance`,
    the starting rules every node seeds at genesis."""
    if out.exists() and any(out.iterdir()):
        raise layout.LayoutError(f"{out} exists and is not empty: choose another --out or remove it")
    when = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    node_keys = {n.name: NodeKeys(keys.CometKey.generate(), keys.CometKey.generate()) for n in plan.nodes}
    authorities = {org.name: pki.create_authority(org.name, now=when, regulator=org.regulator) for org in plan.orgs}
    crls = {org: pki.build_crl(ca, [], now=when, days=CRL_DAYS) for org, ca in authorities.items()}
    for org, ca in authorities.items():
        write_file(out / "orgs" / org / "ca.key", pki.key_pem(ca.key), mode=0o600)
        write_file(out / "orgs" / org / "ca.pem", pki.pem(ca.certificate))
        write_file(out / "trust" / "cas" / f"{org}.pem", pki.pem(ca.certificate))
        write_file(out / "trust" / "crls" / f"{org}.pem", pki.pem(crls[org]))
    certificates = []
    for n in plan.nodes:
        cert = pki.issue_node_certificate(authorities[n.org], node_name=n.name, node_key=node_keys[n.name].node,
                                          validator_key=node_keys[n.name].validator, now=when)
        write_file(out / "certs" / f"{n.name}.pem", pki.pem(cert))
        certificates.append(cert)
    chain = ChainConfig()
    app_state = {"chain_id": plan.chain_id, "admin": admin or next(iter(alloc)), "gas_limit": chain.gas_limit,
                 "base_fee_wei": chain.genesis_base_fee_wei, "alloc": alloc_json(alloc),
                 # FISCO node ids of the observers: the Consensus precompile (0x1003) records them
                 "observers": [node_keys[n.name].validator.public_bytes.hex() for n in plan.nodes if n.power == 0]}
    # the trust list on chain (0x1009): the files above are its genesis seed and a copy for openssl
    app_state["trust"] = trust_section([(ca.certificate, crls[org]) for org, ca in authorities.items()],
                                       certificates)
    if governance is not None:
        app_state["governance"] = governance
    genesis_doc = genesis(plan, {name: k.validator.public_bytes for name, k in node_keys.items()}, app_state, when)
    layout.write_json(out / "genesis.json", genesis_doc)
    layout.write_json(out / "alloc.json", app_state["alloc"])
    template = default_config_toml(cometbft)
    ids = {name: k.node.node_id for name, k in node_keys.items()}
    for n in plan.nodes:
        _write_node(out, plan, n, node_keys[n.name], node_config_toml(template, plan, n, ids), genesis_doc,
                    unlocked_mnemonic)
    manifest = _manifest(plan, node_keys)
    layout.write_json(out / layout.MANIFEST, manifest)
    return manifest


def _write_node(out: Path, plan: NetworkPlan, n: NodePlan, k: NodeKeys, config_toml: str,
                genesis_doc: dict[str, Any], unlocked_mnemonic: str | None) -> None:
    write_node_keys(out, n.name, k)
    write_node_config(out, plan, n, config_toml, genesis_doc, unlocked_mnemonic)


def write_node_keys(out: Path, name: str, k: NodeKeys) -> None:
    """The node's private half, mode 0600: its CometBFT node key, validator key and an empty
    signing state (nothing signed yet). Written where the node runs, and nowhere else."""
    home = layout.node_dir(out, name) / "cometbft"
    write_file(home / "config" / "node_key.json", keys.node_key_json(k.node).encode(), mode=0o600)
    write_file(home / "config" / "priv_validator_key.json", keys.priv_validator_key_json(k.validator).encode(),
               mode=0o600)
    write_file(home / "data" / "priv_validator_state.json", keys.empty_priv_validator_state_json().encode(), mode=0o600)


def write_node_config(out: Path, plan: NetworkPlan, n: NodePlan, config_toml: str, genesis_doc: dict[str, Any],
                      unlocked_mnemonic: str | None) -> None:
    """The node's public half: CometBFT's config.toml and genesis, its Wabei config, its data dir."""
    home = layout.node_dir(out, n.name) / "cometbft"
    write_file(home / "config" / "config.toml", config_toml.encode())
    layout.write_json(home / "config" / "genesis.json", genesis_doc)
    (layout.node_dir(out, n.name) / "data").mkdir(exist_ok=True)
    layout.write_json(layout.node_dir(out, n.name) / layout.NODE_CONFIG, node_config_json(plan, n, unlocked_mnemonic))


def node_config_json(plan: NetworkPlan, n: NodePlan, unlocked_mnemonic: str | None) -> dict[str, Any]:
    """The body of `<node>/wabei.json` (docs/network.md has the field table). The node funds
    exactly the genesis' `app_state.alloc` (network/genesis_doc.py); `mnemonic`/`accounts` say
    which accounts it signs for (the devnet's, when it funds those), else `accounts: 0`. `alloc`
    names the file for people and tools."""
    chain = ChainConfig()
    if unlocked_mnemonic:
        funds: dict[str, Any] = {"mnemonic": unlocked_mnemonic, "accounts": chain.account_count,
                                 "balance_ether": chain.account_balance_wei // ETHER, "unlocked_accounts": True}
    else:
        funds = {"accounts": 0, "alloc": "../alloc.json", "unlocked_accounts": False}
    return {
        "schema": layout.SCHEMA, "node": n.name, "org": n.org, "role": n.role,
        "chain_id": plan.chain_id, "comet_chain_id": plan.comet_chain_id, "app": plan.app,
        "data_dir": "data", "gas_limit": chain.gas_limit, **funds,
        "rpc": {"host": n.bind, "port": n.rpc_port},
        "abci": {"listen": abci_address(n)},
        "cometbft": {"home": "cometbft", "rpc": _local_url(n.bind, n.comet_rpc_port),
                     "start": layout.NODE_STARTS_COMETBFT and plan.app == "wabei"},
        "genesis": "cometbft/config/genesis.json",
        "trust": {"cas": "../trust/cas", "crls": "../trust/crls", "certificates": "../certs"},
        "certificate": f"../certs/{n.name}.pem",
    }


def _local_url(bind: str, port: int) -> str:
    """How a process on the node's own machine reaches a port bound to `bind`."""
    host = "127.0.0.1" if bind == "0.0.0.0" else bind
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _manifest(plan: NetworkPlan, node_keys: dict[str, NodeKeys]) -> dict[str, Any]:
    return {
        "schema": layout.SCHEMA, "chain_id": plan.chain_id, "comet_chain_id": plan.comet_chain_id, "app": plan.app,
        "orgs": [{"name": o.name, "regulator": o.regulator, "ca": f"trust/cas/{o.name}.pem"} for o in plan.orgs],
        "nodes": [manifest_node(n, node_keys[n.name]) for n in plan.nodes],
    }


def manifest_node(n: NodePlan, k: NodeKeys) -> dict[str, Any]:
    """One node's entry in network.json: where it is and its public keys."""
    return {"name": n.name, "org": n.org, "role": n.role, "host": n.host, "bind": n.bind,
            "ports": {"p2p": n.p2p_port, "comet_rpc": n.comet_rpc_port, "abci": n.abci_port, "rpc": n.rpc_port},
            "rpc_url": n.rpc_url, "comet_rpc_url": n.comet_rpc_url, "power": n.power,
            "node_id": k.node.node_id, "validator_address": k.validator.address.hex().upper(),
            "validator_pub_key": keys.pub_key_json(k.validator.public_bytes)["value"]}


def write_file(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
