"""`wabei network org new|admit|join` and `wabei network cert register|remove`: an organisation
joins a running network with keys made on its own host (network/org.py), and single node
certificates enter or leave the registry on chain (docs/network.md, "Adding an organisation").

`admit` and `cert` send transactions to the trust list (0x…1009) signed by the genesis admin's
key (cli/network_trust.py says where the key comes from), each waited for until its receipt,
and print one line per step. `admit` skips what the chain already holds, so it can be run again
after a failure part way.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cli import network_trust
from cli.exits import ExitCode
from network import org as orgs
from network.comet_files import cometbft_binary
from network.layout import LayoutError, load_manifest
from network.status import format_table


def add_parsers(sub: Any) -> None:
    """`org` and `cert` on `wabei network`'s subparsers."""
    org = sub.add_parser("org", help="an organisation joins: new (its host), admit (the admin), join (its host)")
    actions = org.add_subparsers(dest="org_action", required=True, parser_class=type(org))
    new = actions.add_parser("new", help="on the new organisation's host: its CA, CRL, node keys and certificates")
    new.add_argument("--name", required=True, help="the organisation's name (1-32 lower-case letters, digits, '-')")
    new.add_argument("--nodes", type=int, default=1, help="how many nodes (default 1); they join as observers")
    new.add_argument("--out", required=True, type=Path, help="the organisation's folder to create (keys stay here)")
    new.add_argument("--host", default="127.0.0.1", help="the address its nodes advertise (default 127.0.0.1)")
    new.add_argument("--p2p-port", type=int, default=26656, help="first CometBFT port; node i uses +10*i..+2")
    new.add_argument("--rpc-port", type=int, default=8545, help="first Wabei JSON-RPC port; node i uses +i")
    admit = actions.add_parser("admit", help="by the admin: put the organisation's CA, CRL and certificates on chain")
    admit.add_argument("dir", type=Path, help="the network directory (network.json, genesis.json)")
    admit.add_argument("bundle", type=Path, help="the organisation's bundle.json (from `org new`)")
    network_trust.chain_flags(admit)
    join = actions.add_parser("join", help="on the organisation's host: write its nodes' configs for the network")
    join.add_argument("dir", type=Path, help="the network's public files: network.json, genesis.json (trust/, certs/)")
    join.add_argument("org_dir", type=Path, help="the organisation's folder (from `org new`)")
    cert = sub.add_parser("cert", help="register or remove one node certificate on chain (a transaction by the admin)")
    cert.add_argument("cert_action", choices=("register", "remove"))
    cert.add_argument("dir", type=Path)
    cert.add_argument("--cert", required=True, type=Path, help="the node certificate (PEM)")
    network_trust.chain_flags(cert)


def org_main(args: argparse.Namespace) -> int:
    action = {"new": _new, "admit": _admit, "join": _join}[args.org_action]
    return action(args)


def _new(args: argparse.Namespace) -> int:
    bundle = orgs.new_org(args.out.resolve(), args.name, args.nodes, host=args.host, p2p_base=args.p2p_port,
                          rpc_base=args.rpc_port)
    print(f"created organisation {args.name} in {args.out}: its CA, CRL and {len(bundle['nodes'])} node(s)")
    print(format_table([[n["name"], n["node_id"], n["host"], str(n["ports"]["p2p"])] for n in bundle["nodes"]],
                       ["node", "node id", "host", "P2P port"]))
    print(f"send {args.out / orgs.BUNDLE} to the network's admin (it holds no private key); keep "
          f"{args.out / 'orgs' / args.name / 'ca.key'} offline")
    return ExitCode.OK


def _admit(args: argparse.Namespace) -> int:
    network_dir = args.dir.resolve()
    bundle = orgs.read_bundle(args.bundle)
    orgs.merged_manifest(load_manifest(network_dir), bundle)  # refuse a clash before sending
    w3, admin = network_trust.connect(args)
    contract = network_trust.trust_list(w3)
    ca_der = bundle.ca.public_bytes(Encoding.DER)
    print_ = _fingerprint(ca_der)
    listed_cas = {bytes(d) for d in contract.functions.cas().call()}
    _step(w3, admin, "addCA", f"CA {bundle.ca.subject.rfc4514_string()} (sha256 {print_.hex()})",
          ca_der not in listed_cas, ca_der)
    crl_der = bundle.crl.public_bytes(Encoding.DER)
    _step(w3, admin, "publishCRL", f"{bundle.org}'s CRL", bytes(contract.functions.crlOf(print_).call()) != crl_der,
          print_, crl_der)
    registered = {bytes(d) for d in contract.functions.certificates().call()}
    for entry, cert in zip(bundle.nodes, bundle.certificates):
        der = cert.public_bytes(Encoding.DER)
        _step(w3, admin, "registerCertificate", f"{entry['name']}'s certificate (node {entry['node_id']})",
              der not in registered, der)
    orgs.record_admission(network_dir, bundle)
    print(f"recorded {bundle.org} and its nodes in {network_dir / 'network.json'}; its nodes are admitted from the "
          f"next connection. Next, on {bundle.org}'s host: wabei network org join <network files> <its folder>")
    return ExitCode.OK


def _step(w3: Any, admin: Any, function: str, what: str, needed: bool, *args: Any) -> None:
    if not needed:
        print(f"{function}: {what} is already on chain")
        return
    receipt = network_trust.send(w3, admin, function, *args)
    tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
    print(f"{function}: {what} in block {receipt['blockNumber']} (tx {tx_hash})", flush=True)


def _join(args: argparse.Namespace) -> int:
    org_dir = args.org_dir.resolve()
    nodes = orgs.join(args.dir.resolve(), org_dir, cometbft=cometbft_binary())
    print(format_table([[n.name, n.rpc_url, str(n.p2p_port), n.role] for n in nodes],
                       ["node", "RPC URL", "P2P port", "role"]))
    print(f"start each with: wabei node --network {args.org_dir} --node <node>; it syncs as an observer once the "
          "admin has run `wabei network org admit`; voting power then comes by addObserver and addSealer (0x…1003)")
    return ExitCode.OK


def cert_main(args: argparse.Namespace) -> int:
    try:
        cert = x509.load_pem_x509_certificate(_read(args.cert))
    except ValueError as exc:
        raise LayoutError(f"{args.cert} is not a PEM certificate: {exc}") from None
    der = cert.public_bytes(Encoding.DER)
    w3, admin = network_trust.connect(args)
    subject = cert.subject.rfc4514_string()
    if args.cert_action == "register":
        receipt = network_trust.send(w3, admin, "registerCertificate", der)
        print(f"registered {subject} (sha256 {_fingerprint(der).hex()}) in block {receipt['blockNumber']}: "
              "its node is admitted from its next connection if its CA is trusted")
    else:
        receipt = network_trust.send(w3, admin, "removeCertificate", _fingerprint(der))
        print(f"removed {subject} from the registry in block {receipt['blockNumber']}: its node is refused when it "
              "next connects (unless another certificate admits it)")
    return ExitCode.OK


def _fingerprint(der: bytes) -> bytes:
    from vm_hooks.trust.store import fingerprint

    return fingerprint(der)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LayoutError(f"cannot read {path}: {exc.strerror}") from None
