"""Nodes that try to join a network `wabei network init` made, for tests/comet/test_consortium.py:
their CometBFT homes, the certificates they present (good and bad), and their processes.

A joiner is a real `cometbft start` process dialling every node of the network. An intruder
runs CometBFT's built-in `noop` app (it is refused before it could receive a block, so it
needs no Wabei); a proper observer is a Wabei node (`wabei node --network DIR --node NAME`)
with its own folder in the network directory, so it executes the blocks it syncs.

Certificates go into the network's registry (on chain, and `certs/` for older networks), which
every node reads: that is where a bad certificate would have to be for admission to consider it
at all (a peer with none is refused with "no certificate", tests/unit/test_admission.py).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import tomlkit
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from chain.config import DEFAULT_MNEMONIC
from network import keys, pki
from network.comet_files import cometbft_binary
from network.init import node_config_json
from network.layout import load_manifest
from network.plan import OBSERVER, NetworkPlan, NodePlan
from tests.conftest import ROOT
from vm_hooks.addresses import TRUST_LIST

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_block(count: int, *, step: int = 10, span: int = 3, low: int = 20000, high: int = 40000) -> int:
    """A base port in [low, high) whose `count` blocks of `span` ports, `step` apart, are free now."""
    for _ in range(200):
        base = random.randrange(low, high - step * count)
        if all(free(base + step * i + k) for i in range(count) for k in range(span)):
            return base
    raise AssertionError("no free block of ports")


@dataclass
class Joiner:
    """One extra node: its name, CometBFT home, keys, ports and (once started) its process."""

    name: str
    home: Path
    node_key: keys.CometKey
    validator_key: keys.CometKey
    p2p_port: int
    rpc_port: int                          # CometBFT's RPC
    process: subprocess.Popen[bytes] | None = None

    @property
    def node_id(self) -> str:
        return self.node_key.node_id

    @property
    def comet_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"

    @property
    def log(self) -> Path:
        return self.home.parent / f"{self.name}.out.log"


def make_home(network_dir: Path, folder: Path, name: str, *, proxy_app: str, filter_peers: bool,
              p2p_port: int) -> Joiner:
    """A CometBFT home in `folder`/cometbft with the network's genesis, fresh keys (from
    `cometbft init`), and every node of the network as a persistent peer."""
    home = folder / "cometbft"
    subprocess.run([str(cometbft_binary()), "init", "--home", str(home)], check=True, capture_output=True,
                   timeout=60)
    shutil.copy(network_dir / "genesis.json", home / "config" / "genesis.json")
    manifest = load_manifest(network_dir)
    path = home / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    doc["moniker"] = name
    doc["proxy_app"] = proxy_app
    doc["filter_peers"] = filter_peers
    doc["rpc"]["laddr"] = f"tcp://127.0.0.1:{p2p_port + 1}"  # type: ignore[index]
    p2p = doc["p2p"]
    p2p["laddr"] = f"tcp://127.0.0.1:{p2p_port}"  # type: ignore[index]
    p2p["external_address"] = f"127.0.0.1:{p2p_port}"  # type: ignore[index]
    p2p["persistent_peers"] = ",".join(  # type: ignore[index]
        f"{n['node_id']}@127.0.0.1:{n['ports']['p2p']}" for n in manifest["nodes"])
    p2p["addr_book_strict"] = False  # type: ignore[index]
    p2p["allow_duplicate_ip"] = True  # type: ignore[index]
    doc["consensus"]["create_empty_blocks"] = False  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))
    node_key = keys.load_key_file((home / "config" / "node_key.json").read_text())
    validator_key = keys.load_key_file((home / "config" / "priv_validator_key.json").read_text())
    return Joiner(name, home, node_key, validator_key, p2p_port, p2p_port + 1)


def authority(network_dir: Path, org: str) -> pki.Authority:
    return pki.load_authority((network_dir / "orgs" / org / "ca.pem").read_bytes(),
                              (network_dir / "orgs" / org / "ca.key").read_bytes())


def register(network_dir: Path, name: str, cert: x509.Certificate) -> None:
    """Put `cert` into the network's certificate registry, where every node looks: on chain
    (the trust list at 0x…1009, by a transaction of the genesis admin, which the nodes hold
    unlocked: the devnet mnemonic's account 0) and in `certs/` for a network without one."""
    (network_dir / "certs" / f"{name}.pem").write_bytes(pki.pem(cert))
    manifest = load_manifest(network_dir)
    admin = json.loads((network_dir / manifest["nodes"][0]["name"] / "cometbft" / "config" / "genesis.json")
                       .read_text())["app_state"]["admin"]
    w3 = Web3(Web3.HTTPProvider(manifest["nodes"][0]["rpc_url"], request_kwargs={"timeout": 30}))
    der = cert.public_bytes(Encoding.DER)
    data = function_signature_to_4byte_selector("registerCertificate(bytes)") + abi_encode(["bytes"], [der])
    tx = w3.eth.send_transaction({"from": Web3.to_checksum_address(admin), "to": Web3.to_checksum_address(TRUST_LIST),
                                  "data": data})
    receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=30)
    assert receipt["status"] == 1, f"registerCertificate({name}) reverted"


def certified(network_dir: Path, org: str, joiner: Joiner, *, now: dt.datetime = NOW,
              days: int = pki.NODE_DAYS) -> x509.Certificate:
    """A certificate from the organisation's own CA (valid from `now` for `days` days)."""
    return pki.issue_node_certificate(authority(network_dir, org), node_name=joiner.name, node_key=joiner.node_key,
                                      validator_key=joiner.validator_key, now=now, days=days)


def self_signed(org: str, joiner: Joiner) -> x509.Certificate:
    """A node certificate that claims organisation `org` and is signed by the node's own key."""
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, joiner.name)])
    san = x509.SubjectAlternativeName([x509.UniformResourceIdentifier(pki.NODE_URI_PREFIX + joiner.node_id)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(joiner.node_key.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(san, critical=False)
            .sign(joiner.node_key.private_key, None))


def from_outside_ca(org: str, joiner: Joiner) -> x509.Certificate:
    """A well-formed certificate from a CA that is not in the consortium's trust list."""
    outsider = pki.create_authority(org, now=NOW - dt.timedelta(days=1))
    return pki.issue_node_certificate(outsider, node_name=joiner.name, node_key=joiner.node_key,
                                      validator_key=joiner.validator_key, now=NOW)


def expired(network_dir: Path, org: str, joiner: Joiner) -> x509.Certificate:
    """Issued by the organisation's real CA, but its validity ended yesterday."""
    return pki.issue_node_certificate(authority(network_dir, org), node_name=joiner.name, node_key=joiner.node_key,
                                      validator_key=joiner.validator_key, now=NOW,
                                      not_before=NOW - dt.timedelta(days=31), days=30)


def add_observer(network_dir: Path, org: str, name: str, rpc_port: int, p2p_port: int) -> Joiner:
    """A Wabei observer node in `network_dir/name`: a wabei.json as init writes one (power 0,
    the network's trust store) and a CometBFT home whose proxy_app is its Wabei."""
    folder = network_dir / name
    manifest = load_manifest(network_dir)
    plan = NetworkPlan(chain_id=manifest["chain_id"], comet_chain_id=manifest["comet_chain_id"], orgs=(),
                       nodes=(), app="wabei")
    node = NodePlan(name=name, org=org, role=OBSERVER, host="127.0.0.1", bind="127.0.0.1", p2p_port=p2p_port,
                    comet_rpc_port=p2p_port + 1, abci_port=p2p_port + 2, rpc_port=rpc_port, power=0)
    joiner = make_home(network_dir, folder, name, proxy_app=f"tcp://127.0.0.1:{node.abci_port}", filter_peers=True,
                       p2p_port=p2p_port)
    (folder / "data").mkdir()
    (folder / "wabei.json").write_text(json.dumps(node_config_json(plan, node, DEFAULT_MNEMONIC), indent=2))
    return joiner


def start_cometbft(joiner: Joiner) -> None:
    with open(joiner.log, "ab") as out:
        joiner.process = subprocess.Popen([str(cometbft_binary()), "start", "--home", str(joiner.home)],
                                          stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True)


def start_wabei_node(network_dir: Path, name: str, log: Path) -> subprocess.Popen[bytes]:
    """`wabei node --network DIR --node NAME` (its Wabei and, as its child, its CometBFT)."""
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "cli", "node", "--network", str(network_dir), "--node", name],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 20.0) -> None:
    """SIGTERM the process group we started (a Wabei node stops its CometBFT child first)."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def comet(url: str, method: str) -> Any:
    """One CometBFT RPC call (`status`, `net_info`) over HTTP."""
    import requests

    return requests.get(f"{url}/{method}", timeout=5).json()["result"]


def wait_for(check: Any, timeout: float, what: str, every: float = 0.3,
             explain: Callable[[], str] | None = None) -> Any:
    """Poll `check` until it returns something true; on timeout, fail with `what` and, when
    given, `explain()`: what the processes were doing, so a failure in CI says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f"\n{explain()}" if explain else ""))


P2P_EVENTS = ("Stopping peer for error", "Error dialing peer", "Inbound Peer rejected", "Ignoring inbound connection",
              "Reconnecting to peer", "Error reconnecting to peer", "Failed to reconnect", "Peer filter timed out",
              "is not admitted")


def mesh_report(nodes: list[dict[str, Any]], folder: Path, tail: int = 6) -> str:
    """For each node of a `wabei network` folder: its height, whether it catches up, the peers
    its CometBFT lists (by name), how many P2P events its log has, and the last `tail` of them."""
    names = {str(n["node_id"]): str(n["name"]) for n in nodes}
    lines = []
    for node in nodes:
        try:
            sync = comet(node["comet_rpc_url"], "status")["sync_info"]
            peers = sorted(names.get(p["node_info"]["id"], p["node_info"]["id"][:8])
                           for p in comet(node["comet_rpc_url"], "net_info")["peers"])
            lines.append(f"{node['name']}: height {sync['latest_block_height']}, catching up "
                         f"{sync['catching_up']}, peers {peers}")
        except (OSError, ValueError, KeyError) as exc:
            lines.append(f"{node['name']}: CometBFT did not answer ({exc.__class__.__name__}: {exc})")
        try:
            log = (folder / node["name"] / "cometbft.log").read_text(errors="replace").splitlines()
        except OSError:
            continue
        events = [line for line in log if any(kind in line for kind in P2P_EVENTS)]
        lines.append(f"  {len(events)} P2P events in cometbft.log; the last {min(tail, len(events))}:")
        for line in events[-tail:]:
            for node_id, name in names.items():
                line = line.replace(node_id, name)
            lines.append("    " + line[:240])
    return "\n".join(lines)
