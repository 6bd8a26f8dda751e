"""An organisation joining a running network, FISCO-style: its keys are made on its own host and
never leave it; only certificates and public data travel (docs/network.md, "Adding an
organisation").

    wabei network org new --name org3 --nodes 2 --out ORGDIR      on org3's host
    wabei network org admit NETDIR ORGDIR/bundle.json ...          by the admin: trust list on chain
    wabei network org join NETDIR ORGDIR                           on org3's host: the nodes' configs

`new_org` writes ORGDIR laid out as a network directory (network/layout.py), so the other
commands work in it once it has joined:

    ORGDIR/orgs/<org>/ca.key, ca.pem      the CA (key mode 0600: take it offline after `new`)
    ORGDIR/trust/cas/<org>.pem            the CA certificate
    ORGDIR/trust/crls/<org>.pem           its CRL, empty, signed by the CA
    ORGDIR/certs/<node>.pem               each node's certificate
    ORGDIR/<node>/cometbft/config/        node_key.json, priv_validator_key.json (0600)
    ORGDIR/bundle.json                    what the admin receives: certificates and public data only

The bundle: `{"schema": 1, "kind": "wabei-org-bundle", "org", "ca": PEM, "crl": PEM, "nodes":
[network.json node entries + "certificate": PEM]}`. The new nodes are observers: voting power
comes only from validator-set transactions (addObserver, then addSealer at 0x…1003).
"""
from __future__ import annotations

import base64
import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from network import keys, layout, pki
from network.admission import TrustStore, check_certificate, uris
from network.alloc import alloc_json, default_alloc
from network.comet_files import default_config_toml, node_config_toml
from network.init import CRL_DAYS, NodeKeys, manifest_node, write_file, write_node_config, write_node_keys
from network.plan import OBSERVER, NodePlan, node_from_manifest, plan_from_manifest, plan_org_nodes
from network.layout import LayoutError

BUNDLE = "bundle.json"
BUNDLE_KIND = "wabei-org-bundle"


@dataclass(frozen=True)
class Bundle:
    """A verified organisation bundle: its CA, CRL and nodes (network.json entries) with their
    certificates, each checked to bind the node's id and validator key and to chain to the CA."""

    org: str
    ca: x509.Certificate
    crl: x509.CertificateRevocationList
    nodes: tuple[dict[str, Any], ...]                   # network.json entries, without "certificate"
    certificates: tuple[x509.Certificate, ...]          # in the order of `nodes`

    def org_entry(self) -> dict[str, Any]:
        return {"name": self.org, "regulator": False, "ca": f"trust/cas/{self.org}.pem"}


def new_org(out: Path, org: str, count: int, *, host: str = "127.0.0.1", p2p_base: int = 26656,
            rpc_base: int = 8545, now: dt.datetime | None = None) -> dict[str, Any]:
    """Create an organisation's CA, CRL, node keys and certificates in `out` (which must not
    exist or be empty) and return the bundle it writes to `out/bundle.json`."""
    if out.exists() and any(out.iterdir()):
        raise LayoutError(f"{out} exists and is not empty: choose another --out or remove it")
    nodes = plan_org_nodes(org, count, host=host, p2p_base=p2p_base, rpc_base=rpc_base)
    when = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    ca = pki.create_authority(org, now=when)
    crl = pki.build_crl(ca, [], now=when, days=CRL_DAYS)
    write_file(out / "orgs" / org / "ca.key", pki.key_pem(ca.key), mode=0o600)
    write_file(out / "orgs" / org / "ca.pem", pki.pem(ca.certificate))
    write_file(out / "trust" / "cas" / f"{org}.pem", pki.pem(ca.certificate))
    write_file(out / "trust" / "crls" / f"{org}.pem", pki.pem(crl))
    entries = []
    for n in nodes:
        k = NodeKeys(keys.CometKey.generate(), keys.CometKey.generate())
        write_node_keys(out, n.name, k)
        cert = pki.issue_node_certificate(ca, node_name=n.name, node_key=k.node, validator_key=k.validator, now=when)
        write_file(out / "certs" / f"{n.name}.pem", pki.pem(cert))
        entries.append({**manifest_node(n, k), "certificate": pki.pem(cert).decode()})
    bundle = {"schema": layout.SCHEMA, "kind": BUNDLE_KIND, "org": org, "ca": pki.pem(ca.certificate).decode(),
              "crl": pki.pem(crl).decode(), "nodes": entries}
    layout.write_json(out / BUNDLE, bundle)
    return bundle


def read_bundle(path: Path, *, now: dt.datetime | None = None) -> Bundle:
    """Read and verify a bundle; LayoutError says what is wrong with it."""
    if "PRIVATE KEY" in _text(path):
        raise LayoutError(f"{path} holds a private key: a bundle carries certificates and public data only; "
                          "make a new one with `wabei network org new`")
    body = layout.read_json(path)
    if not isinstance(body, dict) or body.get("kind") != BUNDLE_KIND or body.get("schema") != layout.SCHEMA:
        raise LayoutError(f"{path} is not a schema-{layout.SCHEMA} organisation bundle (`wabei network org new`)")
    try:
        org = str(body["org"])
        ca = x509.load_pem_x509_certificate(body["ca"].encode())
        crl = x509.load_pem_x509_crl(body["crl"].encode())
        nodes = tuple({k: v for k, v in n.items() if k != "certificate"} for n in body["nodes"])
        certificates = tuple(x509.load_pem_x509_certificate(n["certificate"].encode()) for n in body["nodes"])
        plans = [node_from_manifest(n) for n in nodes]
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise LayoutError(f"{path}: a field is missing or malformed ({exc})") from None
    bundle = Bundle(org, ca, crl, nodes, certificates)
    _verify(bundle, plans, now or dt.datetime.now(dt.timezone.utc), str(path))
    return bundle


def _verify(bundle: Bundle, plans: list[NodePlan], now: dt.datetime, where: str) -> None:
    if pki.org_of(bundle.ca.subject) != bundle.org:
        raise LayoutError(f"{where}: the CA is {bundle.ca.subject.rfc4514_string()!r}, "
                          f"not organisation {bundle.org!r}'s")
    signed = bundle.crl.is_signature_valid(bundle.ca.public_key())  # type: ignore[arg-type]
    if bundle.crl.issuer != bundle.ca.subject or not signed:
        raise LayoutError(f"{where}: the CRL is not signed by the organisation's CA")
    if not bundle.nodes:
        raise LayoutError(f"{where}: the bundle has no nodes")
    trust = TrustStore((bundle.ca,), (bundle.crl,), bundle.certificates)
    for entry, plan, cert in zip(bundle.nodes, plans, bundle.certificates):
        name = entry["name"]
        if plan.org != bundle.org or plan.role != OBSERVER or plan.power != 0:
            raise LayoutError(f"{where}: node {name} must be an observer of {bundle.org} with power 0 "
                              "(voting power comes only by transaction)")
        decision = check_certificate(cert, str(entry["node_id"]), trust, now)
        if not decision.allowed:
            raise LayoutError(f"{where}: node {name}'s certificate does not admit it: {decision.reason}")
        try:
            validator = base64.b64decode(str(entry["validator_pub_key"]), validate=True)
        except ValueError:
            raise LayoutError(f"{where}: node {name}'s validator_pub_key is not base64") from None
        if pki.VALIDATOR_URI_PREFIX + validator.hex() not in uris(cert):
            raise LayoutError(f"{where}: node {name}'s certificate does not bind its validator key")
    names = [n["name"] for n in bundle.nodes]
    if len(set(names)) != len(names):
        raise LayoutError(f"{where}: node names repeat")


def merged_manifest(manifest: dict[str, Any], bundle: Bundle) -> dict[str, Any]:
    """`manifest` with the bundle's organisation and nodes added (unchanged if already there).
    Refuses an organisation or node name already taken by someone else, a node id already in
    the network, or a port another node on the same host uses."""
    orgs = {o["name"] for o in manifest["orgs"]}
    known = {n["name"]: n for n in manifest["nodes"]}
    ids = {n["node_id"]: n["name"] for n in manifest["nodes"]}
    if bundle.org in orgs and all(known.get(n["name"]) == n for n in bundle.nodes):
        return manifest  # admitted before (a re-run): nothing to add
    if bundle.org in orgs:
        raise LayoutError(f"organisation {bundle.org!r} is already in network.json with other nodes: choose another "
                          "name with `wabei network org new --name`")
    used = {(n["host"], port) for n in manifest["nodes"] for port in n["ports"].values()}
    for entry in bundle.nodes:
        if entry["name"] in known:
            raise LayoutError(f"node name {entry['name']!r} is already in network.json")
        if entry["node_id"] in ids:
            raise LayoutError(f"node id {entry['node_id']} is already {ids[entry['node_id']]}'s")
        clash = sorted(p for h, p in used if h == entry["host"] and p in entry["ports"].values())
        if clash:
            raise LayoutError(f"node {entry['name']} on {entry['host']} would use port(s) {clash}, which another "
                              "node on that host uses: make the bundle again with other --p2p-port/--rpc-port")
    return {**manifest, "orgs": [*manifest["orgs"], bundle.org_entry()], "nodes": [*manifest["nodes"], *bundle.nodes]}


def record_admission(network_dir: Path, bundle: Bundle) -> None:
    """After the trust list on chain admitted the organisation: its CA, CRL and node
    certificates into the network directory's copies, its nodes into network.json."""
    merged = merged_manifest(layout.load_manifest(network_dir), bundle)
    _write_public(network_dir, bundle)
    layout.write_json(network_dir / layout.MANIFEST, merged)


def _write_public(folder: Path, bundle: Bundle) -> None:
    write_file(folder / "trust" / "cas" / f"{bundle.org}.pem", pki.pem(bundle.ca))
    write_file(folder / "trust" / "crls" / f"{bundle.org}.pem", pki.pem(bundle.crl))
    for entry, cert in zip(bundle.nodes, bundle.certificates):
        write_file(folder / "certs" / f"{entry['name']}.pem", pki.pem(cert))


def join(network_dir: Path, org_dir: Path, *, cometbft: Path) -> list[NodePlan]:
    """Make `org_dir` (written by `new_org`) a network directory of this organisation's nodes:
    the network's public files (`network_dir` needs network.json and genesis.json; trust/ and
    certs/ are copied when present; alloc.json is written from the genesis' app_state), and
    for each node its CometBFT config
    (the nodes listed before it, the existing ones included, as persistent peers) and genesis,
    and its wabei.json.
    The nodes' keys stay where `new_org` wrote them. Returns the nodes."""
    bundle = read_bundle(org_dir / BUNDLE)
    manifest = layout.load_manifest(network_dir)
    genesis = layout.read_json(network_dir / "genesis.json")
    if not isinstance(genesis, dict):
        raise LayoutError(f"{network_dir / 'genesis.json'} is not a CometBFT genesis document")
    if genesis.get("chain_id") != manifest["comet_chain_id"]:
        raise LayoutError(f"{network_dir / 'genesis.json'} is chain {genesis.get('chain_id')!r}, but network.json "
                          f"says {manifest['comet_chain_id']!r}")
    _check_own_keys(org_dir, bundle)
    merged = merged_manifest(manifest, bundle)
    for name in ("trust", "certs"):
        if (network_dir / name).is_dir() and network_dir.resolve() != org_dir.resolve():
            shutil.copytree(network_dir / name, org_dir / name, dirs_exist_ok=True)
    _write_public(org_dir, bundle)
    layout.write_json(org_dir / "genesis.json", genesis)
    alloc = (genesis.get("app_state") or {}).get("alloc", {})
    layout.write_json(org_dir / "alloc.json", alloc)
    layout.write_json(org_dir / layout.MANIFEST, merged)
    plan = plan_from_manifest(merged)
    ids = {n["name"]: str(n["node_id"]) for n in merged["nodes"]}
    template = default_config_toml(cometbft)
    from chain.config import DEFAULT_MNEMONIC  # the devnet accounts, only where the network funds them
    unlocked = DEFAULT_MNEMONIC if alloc == alloc_json(default_alloc()) else None
    nodes = [plan.node(entry["name"]) for entry in bundle.nodes]
    for node in nodes:
        write_node_config(org_dir, plan, node, node_config_toml(template, plan, node, ids), genesis, unlocked)
    return nodes


def _check_own_keys(org_dir: Path, bundle: Bundle) -> None:
    """Every node of the bundle has its keys in `org_dir`, and they are the bundle's."""
    for entry in bundle.nodes:
        path = org_dir / entry["name"] / "cometbft" / "config" / "node_key.json"
        try:
            node_key = keys.load_key_file(path.read_text())
        except (OSError, ValueError) as exc:
            raise LayoutError(f"{path}: {exc}: join runs in the folder `wabei network org new` made") from None
        if node_key.node_id != entry["node_id"]:
            raise LayoutError(f"{path} is node {node_key.node_id}'s key, but the bundle says {entry['name']} is "
                              f"{entry['node_id']}")


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise LayoutError(f"cannot read {path}: {exc.strerror}") from None
