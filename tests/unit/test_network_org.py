"""An organisation joins by command (network/org.py, cli/network_org.py): `org new` makes its keys
in its own folder and a bundle of public data only; `org admit` (a real process) puts the CA, its
CRL and the node certificates on a chain's trust list by transactions over JSON-RPC, and a node's
admission follows; `org join` writes the nodes' configs so they build the network's genesis;
`cert register|remove` changes one certificate. The chain runs in process, mined on demand
instead of by CometBFT and served over HTTP (as tests/unit/test_chain_trust.py);
tests/comet/test_org_join.py does it all on a running CometBFT network."""
from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from web3 import Web3

from chain.api.chain import build_chain
from chain.config import DEFAULT_MNEMONIC, MiningMode, NodeConfig
from network import pki
from network.admission import CertificatePeerFilter, TrustStore
from network.alloc import default_alloc
from network.chain_trust import ChainTrustFollower
from network.comet_files import cometbft_binary
from network.config import load
from network.init import init_network
from network.keys import load_key_file
from network.layout import load_manifest
from network.plan import plan_network
from network.supervisor import launches
from tests.conftest import ROOT
from tests.inprocess import NodeThread


def wabei(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "network", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def net(tmp_path: Path) -> Path:
    out = tmp_path / "net"
    plan = plan_network(org_names=["bank", "port"], nodes_per_org=1, p2p_base=36656, rpc_base=18545)
    init_network(out, plan, default_alloc(), cometbft=cometbft_binary(), unlocked_mnemonic=DEFAULT_MNEMONIC)
    return out


@pytest.fixture
def org3(tmp_path: Path) -> Path:
    out = tmp_path / "org3"
    made = wabei("org", "new", "--name", "org3", "--nodes", "2", "--out", str(out), "--p2p-port", "36756",
                 "--rpc-port", "18600")
    assert made.returncode == 0, made.stderr
    assert "org3-node1" in made.stdout and "bundle.json" in made.stdout
    return out


@pytest.fixture
def served(net: Path) -> Iterator[tuple[str, CertificatePeerFilter]]:
    """The network's chain (node bank-node1's genesis), mined on demand, on HTTP; and a peer
    filter that follows its trust list as a running node's does."""
    config = load(net, "bank-node1")
    thread = NodeThread()
    try:
        chain = thread.call(lambda: build_chain(replace(config.chain, data_dir=None, mining=MiningMode.AUTO)))
        peer_filter = CertificatePeerFilter(TrustStore(authorities=()))
        assert thread.call(lambda: ChainTrustFollower(chain, peer_filter).start())
        handle = thread.start(NodeConfig.test(dev=False), chains=[chain])
        yield f"http://{handle.host}:{handle.port}", peer_filter
    finally:
        thread.close()


def test_org_new_keeps_the_keys_and_bundles_only_public_data(org3: Path) -> None:
    bundle_text = (org3 / "bundle.json").read_text()
    assert "PRIVATE KEY" not in bundle_text and "priv_key" not in bundle_text
    bundle = json.loads(bundle_text)
    assert bundle["org"] == "org3" and [n["name"] for n in bundle["nodes"]] == ["org3-node1", "org3-node2"]
    assert {n["role"] for n in bundle["nodes"]} == {"observer"} and {n["power"] for n in bundle["nodes"]} == {0}
    for node in bundle["nodes"]:
        home = org3 / node["name"] / "cometbft"
        assert load_key_file((home / "config" / "node_key.json").read_text()).node_id == node["node_id"]
        for secret in (home / "config" / "node_key.json", home / "config" / "priv_validator_key.json"):
            assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((org3 / "orgs" / "org3" / "ca.key").stat().st_mode) == 0o600
    again = wabei("org", "new", "--name", "org3", "--out", str(org3))
    assert again.returncode == 1 and "is not empty" in again.stderr
    bad = wabei("org", "new", "--name", "Org 3", "--out", str(org3.parent / "x"))
    assert bad.returncode == 2 and "lower-case letters" in bad.stderr


def test_admit_puts_the_org_on_chain_and_admission_follows(net: Path, org3: Path,
                                                           served: tuple[str, CertificatePeerFilter]) -> None:
    url, peer_filter = served
    ids = [n["node_id"] for n in json.loads((org3 / "bundle.json").read_text())["nodes"]]
    assert "no certificate for node" in peer_filter.decide_id(ids[0]).reason
    admitted = wabei("org", "admit", str(net), str(org3 / "bundle.json"), "--rpc", url)
    assert admitted.returncode == 0, admitted.stderr
    lines = admitted.stdout.splitlines()
    assert lines[0].startswith("addCA: CA CN=org3 consortium CA,O=org3") and " in block 1 (tx 0x" in lines[0]
    assert lines[1].startswith("publishCRL: org3's CRL in block 2")
    assert [line.split(":")[0] for line in lines[2:4]] == ["registerCertificate"] * 2
    assert all(peer_filter.allows_id(i) for i in ids)
    manifest = load_manifest(net)
    assert [o["name"] for o in manifest["orgs"]] == ["bank", "port", "org3"]
    assert [n["name"] for n in manifest["nodes"]][-2:] == ["org3-node1", "org3-node2"]
    assert (net / "trust" / "cas" / "org3.pem").exists() and (net / "certs" / "org3-node2.pem").exists()
    # `wabei network up net` still starts only the nodes whose folders are here
    assert {launch.node for launch in launches(net, cometbft_binary())} == {"bank-node1", "port-node1"}
    again = wabei("org", "admit", str(net), str(org3 / "bundle.json"), "--rpc", url)  # a re-run sends nothing
    assert again.returncode == 0 and again.stdout.count("is already on chain") == 4, again.stdout + again.stderr

    revoked = wabei("cert", "remove", str(net), "--cert", str(org3 / "certs" / "org3-node2.pem"), "--rpc", url)
    assert revoked.returncode == 0 and "removed CN=org3-node2,O=org3" in revoked.stdout, revoked.stderr
    assert "no certificate for node" in peer_filter.decide_id(ids[1]).reason
    registered = wabei("cert", "register", str(net), "--cert", str(org3 / "certs" / "org3-node2.pem"), "--rpc", url)
    assert registered.returncode == 0 and "registered CN=org3-node2,O=org3" in registered.stdout, registered.stderr
    assert peer_filter.allows_id(ids[1])
    twice = wabei("cert", "register", str(net), "--cert", str(org3 / "certs" / "org3-node2.pem"), "--rpc", url)
    assert twice.returncode == 1 and "registerCertificate refused" in twice.stderr and "already listed" in twice.stderr


def test_admit_refuses_a_bad_bundle_before_sending_anything(net: Path, org3: Path, tmp_path: Path) -> None:
    body = json.loads((org3 / "bundle.json").read_text())
    unreachable = ("--rpc", "http://127.0.0.1:9")  # a bundle refused never gets as far as a node

    def admit(changed: dict[str, object]) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "bad.json"
        path.write_text(json.dumps({**body, **changed}))
        return wabei("org", "admit", str(net), str(path), *unreachable)

    key = (org3 / "orgs" / "org3" / "ca.key").read_text()
    leaked = admit({"ca": body["ca"] + key})
    assert leaked.returncode == 1 and "holds a private key" in leaked.stderr
    other_ca = pki.create_authority("org3", now=dt.datetime.now(dt.timezone.utc))
    forged = admit({"ca": pki.pem(other_ca.certificate).decode()})
    assert forged.returncode == 1 and "the CRL is not signed by the organisation's CA" in forged.stderr
    swapped = [{**body["nodes"][0], "node_id": body["nodes"][1]["node_id"]}]
    assert "certificate does not admit it" in admit({"nodes": swapped}).stderr
    renamed = admit({"org": "bank"})
    assert renamed.returncode == 1 and "not organisation 'bank'" in renamed.stderr
    assert wabei("org", "new", "--name", "bank", "--out", str(tmp_path / "bank2"), "--p2p-port", "37000").returncode == 0
    taken = wabei("org", "admit", str(net), str(tmp_path / "bank2" / "bundle.json"), *unreachable)
    assert taken.returncode == 1 and "organisation 'bank' is already in network.json" in taken.stderr
    clash = json.loads((org3 / "bundle.json").read_text())
    manifest = load_manifest(net)
    clash["nodes"][0]["ports"]["p2p"] = manifest["nodes"][0]["ports"]["p2p"]
    assert "which another node on that host uses" in admit({"nodes": clash["nodes"]}).stderr


def test_join_writes_nodes_that_build_the_networks_genesis(net: Path, org3: Path) -> None:
    public = net.parent / "public"  # what the new organisation is given: public files only
    public.mkdir()
    for name in ("network.json", "genesis.json"):
        (public / name).write_bytes((net / name).read_bytes())
    joined = wabei("org", "join", str(public), str(org3))
    assert joined.returncode == 0, joined.stderr
    assert "wabei node --network" in joined.stdout
    manifest = load_manifest(org3)
    names = [n["name"] for n in manifest["nodes"]]
    assert names == ["bank-node1", "port-node1", "org3-node1", "org3-node2"]
    node = next(n for n in manifest["nodes"] if n["name"] == "org3-node1")
    config = tomllib.loads((org3 / "org3-node1" / "cometbft" / "config" / "config.toml").read_text())
    peers = config["p2p"]["persistent_peers"].split(",")
    # It dials the existing nodes (and org3-node2 dials it): their configs need no change.
    assert peers == [f"{n['node_id']}@127.0.0.1:{n['ports']['p2p']}" for n in manifest["nodes"][:2]]
    assert config["proxy_app"] == "tcp://127.0.0.1:36758" and config["filter_peers"] is True
    body = json.loads((org3 / "org3-node1" / "wabei.json").read_text())
    assert (body["role"], body["org"], body["rpc"]["port"]) == ("observer", "org3", 18600)
    assert not (org3 / "orgs" / "bank").exists()  # nobody else's keys
    chains = [build_chain(replace(c.chain, data_dir=None)) for c in (load(org3, "org3-node2"), load(net, "bank-node1"))]
    try:
        assert chains[0].backend.genesis.hash == chains[1].backend.genesis.hash
    finally:
        for chain in chains:
            chain.close()
    wrong = json.loads((public / "genesis.json").read_text())
    wrong["chain_id"] = "wabei-1"
    (public / "genesis.json").write_text(json.dumps(wrong))
    refused = wabei("org", "join", str(public), str(org3))
    assert refused.returncode == 1 and "is chain 'wabei-1'" in refused.stderr
