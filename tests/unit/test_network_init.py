"""`wabei network init`'s output, read back by the pinned cometbft itself (`show-node-id`,
`show-validator`, and a node started on the generated home), by OpenSSL-grade checks through
`network.admission`, and by the schema reader the node command uses (network/layout.py)."""
from __future__ import annotations

import base64
import json
import socket
import stat
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from eth_typing import Address

from chain.api.chain import build_chain
from network.config import NetworkConfigError, load

from network.comet_files import cometbft_binary
from network.keys import load_key_file, node_id_of
from network.layout import load_manifest, load_node_config
from network.trust import peer_filter_for
from tests.conftest import ROOT
from vm_hooks.addresses import CONSENSUS
from vm_hooks.consensus.store import ConsensusStore, StateWords

COMETBFT = cometbft_binary()  # fails here, loudly, when ./scripts/setup-reference has not run


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("net") / "n"
    subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(out), "--org-names", "bank,port,fab",
                    "--nodes-per-org", "1", "--observers-per-org", "1", "--regulator", "reg"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def manifest(net: Path) -> dict[str, Any]:
    return load_manifest(net)


def _cometbft(*args: str) -> str:
    return subprocess.run([str(COMETBFT), *args], check=True, capture_output=True, text=True, timeout=30).stdout


def test_cometbft_reads_the_node_ids_and_validator_keys_we_computed(net: Path, manifest: dict[str, Any]) -> None:
    for node in manifest["nodes"]:
        home = str(net / node["name"] / "cometbft")
        assert _cometbft("show-node-id", "--home", home).strip() == node["node_id"]
        shown = json.loads(_cometbft("show-validator", "--home", home))
        assert shown == {"type": "tendermint/PubKeyEd25519", "value": node["validator_pub_key"]}


def test_genesis_lists_the_validators_and_carries_the_ethereum_genesis(net: Path, manifest: dict[str, Any]) -> None:
    genesis = json.loads((net / "genesis.json").read_text())
    validators = [n for n in manifest["nodes"] if n["role"] == "validator"]
    assert [(v["name"], v["address"], v["power"]) for v in genesis["validators"]] == [
        (n["name"], n["validator_address"], "10") for n in validators]
    assert genesis["chain_id"] == "wabei-31337" and genesis["initial_height"] == "1"
    assert genesis["app_state"]["chain_id"] == 31337
    assert genesis["app_state"]["admin"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert len(genesis["app_state"]["alloc"]) == 10
    for node in manifest["nodes"]:
        assert json.loads((net / node["name"] / "cometbft" / "config" / "genesis.json").read_text()) == genesis


def test_config_toml_is_cometbfts_own_with_our_keys(net: Path, manifest: dict[str, Any]) -> None:
    node = manifest["nodes"][0]
    text = (net / node["name"] / "cometbft" / "config" / "config.toml").read_text()
    config = tomllib.loads(text)
    assert "# This is a TOML config file." in text  # cometbft's comments are kept
    assert config["moniker"] == node["name"] and config["filter_peers"] is True
    assert config["proxy_app"] == f"tcp://127.0.0.1:{node['ports']['abci']}"
    assert config["consensus"]["create_empty_blocks"] is False
    assert config["p2p"]["laddr"] == f"tcp://127.0.0.1:{node['ports']['p2p']}"
    assert config["rpc"]["laddr"] == f"tcp://127.0.0.1:{node['ports']['comet_rpc']}"
    assert config["p2p"]["addr_book_strict"] is False and config["p2p"]["allow_duplicate_ip"] is True
    assert config["p2p"]["persistent_peers"] == ""  # the first node dials nobody: the others dial it


def test_each_pair_of_nodes_has_one_dialler_the_later_node(net: Path, manifest: dict[str, Any]) -> None:
    # Two nodes dialling each other at once can both drop and redial forever (network/comet_files.py).
    nodes = manifest["nodes"]
    for i, node in enumerate(nodes):
        config = tomllib.loads((net / node["name"] / "cometbft" / "config" / "config.toml").read_text())
        dialled = [p for p in config["p2p"]["persistent_peers"].split(",") if p]
        assert dialled == [f"{n['node_id']}@127.0.0.1:{n['ports']['p2p']}" for n in nodes[:i]]
    assert len(nodes) >= 3


def test_private_keys_are_private_and_consistent(net: Path, manifest: dict[str, Any]) -> None:
    node = manifest["nodes"][0]
    config = net / node["name"] / "cometbft" / "config"
    for path in (config / "node_key.json", config / "priv_validator_key.json", net / "orgs" / "bank" / "ca.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    key = load_key_file((config / "node_key.json").read_text())
    assert key.node_id == node_id_of(key.public_bytes) == node["node_id"]


def test_every_node_is_admitted_and_a_stranger_is_not(net: Path, manifest: dict[str, Any]) -> None:
    ids = [n["node_id"] for n in manifest["nodes"]]
    for node in manifest["nodes"]:
        peer_filter = peer_filter_for(net, node["name"])
        assert all(peer_filter.allows_id(i) for i in ids)
        assert not peer_filter.allows_id("ab" * 20)
    assert len(manifest["orgs"]) == 4 and manifest["orgs"][-1] == {"name": "reg", "regulator": True,
                                                                   "ca": "trust/cas/reg.pem"}


def test_wabei_json_reads_back_with_resolved_paths(net: Path, manifest: dict[str, Any]) -> None:
    node = manifest["nodes"][1]
    config = load_node_config(net, node["name"])
    assert (config.node, config.org, config.role, config.chain_id) == (node["name"], "bank", "observer", 31337)
    assert (config.rpc_host, config.rpc_port) == ("127.0.0.1", node["ports"]["rpc"])
    assert config.abci_listen == f"tcp://127.0.0.1:{node['ports']['abci']}"
    assert config.comet_rpc == f"http://127.0.0.1:{node['ports']['comet_rpc']}"
    assert (config.comet_home / "config" / "config.toml").is_file() and config.certificate.is_file()
    assert config.trust_cas.is_dir() and config.trust_crls.is_dir() and config.certificates.is_dir()
    assert config.comet_started_by_node
    body = json.loads((net / node["name"] / "wabei.json").read_text())
    # The accounts the node signs for (network/config.py); it funds app_state.alloc, the same ones.
    assert (body["mnemonic"], body["accounts"], body["balance_ether"], body["unlocked_accounts"]) == (
        "test test test test test test test test test test test junk", 10, 10_000, True)
    assert body["gas_limit"] == 30_000_000 and body["data_dir"] == "data"


def test_metrics_settings_read_from_the_node_config(net: Path, manifest: dict[str, Any]) -> None:
    name = manifest["nodes"][0]["name"]
    path = net / name / "wabei.json"
    original = path.read_text()
    try:
        assert load(net, name).server.metrics and load(net, name).server.metrics_addr is None
        body = json.loads(original)
        body["rpc"].update(metrics_addr="9100", flow_log=True)
        path.write_text(json.dumps(body))
        server = load(net, name).server
        assert (server.metrics_addr, server.flow_log) == (("127.0.0.1", 9100), True)
        body["rpc"].update(metrics_addr="host:port")
        path.write_text(json.dumps(body))
        with pytest.raises(NetworkConfigError, match="expected HOST:PORT or PORT"):
            load(net, name)
    finally:
        path.write_text(original)


def test_an_allocation_file_replaces_the_devnet_accounts(tmp_path: Path) -> None:
    alloc = tmp_path / "alloc.json"
    alloc.write_text(json.dumps({"0x00000000000000000000000000000000000000aa": {"balance": "5"}}))
    out = tmp_path / "n"
    subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(out), "--orgs", "1",
                    "--nodes-per-org", "2", "--alloc", str(alloc), "--chain-id", "4242"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    genesis = json.loads((out / "genesis.json").read_text())
    expected = {"0x00000000000000000000000000000000000000AA": {"balance": "0x5"}}
    assert genesis["app_state"]["alloc"] == expected == json.loads((out / "alloc.json").read_text())
    assert genesis["app_state"]["admin"] == "0x00000000000000000000000000000000000000AA"
    assert genesis["chain_id"] == "wabei-4242" and genesis["app_state"]["chain_id"] == 4242
    body = json.loads((out / "org1-node1" / "wabei.json").read_text())
    assert (body["accounts"], body["alloc"], body["unlocked_accounts"]) == (0, "../alloc.json", False)
    assert "mnemonic" not in body
    # Each node builds its genesis from genesis.json's app_state: the same block on both, funding
    # exactly the file's account (no devnet account), the validators recorded at 0x1003.
    chains = [build_chain(replace(load(out, name).chain, data_dir=None)) for name in ("org1-node1", "org1-node2")]
    try:
        hashes = {bytes(c.backend.genesis.hash) for c in chains}
        assert len(hashes) == 1
        state = chains[0].backend.head_state()
        assert state.get_balance(Address(b"\x00" * 19 + b"\xaa")) == 5
        assert state.get_balance(Address(bytes.fromhex("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))) == 0
        store = ConsensusStore(StateWords(state, CONSENSUS))
        keys = {base64.b64decode(v["pub_key"]["value"]): int(v["power"]) for v in genesis["validators"]}
        assert store.sealers() == keys and len(keys) == 2
        assert store.admin() == b"\x00" * 19 + b"\xaa"
    finally:
        for c in chains:
            c.close()


def test_the_observers_in_network_json_are_observers_at_0x1003_from_genesis(net: Path, manifest: dict[str, Any]) -> None:
    """FISCO 3.1's rule (addSealer only for an observer) needs the observers recorded: init lists
    their validator keys in app_state.observers and every node's genesis stores them, weight 0."""
    observers = {base64.b64decode(n["validator_pub_key"]) for n in manifest["nodes"] if n["role"] == "observer"}
    validators = {base64.b64decode(n["validator_pub_key"]) for n in manifest["nodes"] if n["role"] == "validator"}
    genesis = json.loads((net / "genesis.json").read_text())
    assert {bytes.fromhex(k) for k in genesis["app_state"]["observers"]} == observers and len(observers) == 3
    chain = build_chain(replace(load(net, manifest["nodes"][0]["name"]).chain, data_dir=None))
    try:
        store = ConsensusStore(StateWords(chain.backend.head_state(), CONSENSUS))
        assert {k for k, w in store.nodes() if w == 0} == observers
        assert set(store.sealers()) == validators
    finally:
        chain.close()


def test_init_refuses_a_directory_that_is_not_empty(net: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(net)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "is not empty" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cometbft_starts_on_a_generated_home(net: Path, manifest: dict[str, Any], tmp_path: Path) -> None:
    """CometBFT refuses to start on a genesis it cannot load; this one starts and serves it."""
    node = manifest["nodes"][0]
    home = tmp_path / "home"
    subprocess.run(["cp", "-r", str(net / node["name"] / "cometbft"), str(home)], check=True)
    rpc = _free_port()
    proc = subprocess.Popen([str(COMETBFT), "start", "--home", str(home), "--proxy_app", "kvstore",
                             "--rpc.laddr", f"tcp://127.0.0.1:{rpc}", "--p2p.laddr", f"tcp://127.0.0.1:{_free_port()}",
                             "--p2p.persistent_peers", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status = _poll(f"http://127.0.0.1:{rpc}/status", proc)
        genesis = _poll(f"http://127.0.0.1:{rpc}/genesis", proc)["genesis"]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert status["node_info"]["id"] == node["node_id"]
    assert status["validator_info"]["pub_key"]["value"] == node["validator_pub_key"]
    assert genesis["chain_id"] == "wabei-31337"
    assert [(v["name"], v["power"]) for v in genesis["validators"]] == [
        (n["name"], "10") for n in manifest["nodes"] if n["role"] == "validator"]


def _poll(url: str, proc: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "cometbft exited: it refused the generated home"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())["result"]
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_revoking_a_node_refuses_it_and_only_it(tmp_path: Path) -> None:
    out = tmp_path / "n"
    subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(out), "--orgs", "2",
                    "--nodes-per-org", "2"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    ids = {n["name"]: n["node_id"] for n in load_manifest(out)["nodes"]}
    running = peer_filter_for(out, "org1-node2")  # a node's filter, made before the revocations
    assert all(running.allows_id(i) for i in ids.values())
    for victim in ("org2-node1", "org2-node2"):
        done = subprocess.run([sys.executable, "-m", "cli", "network", "revoke", str(out), victim, "--no-chain"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and f"revoked {victim}" in done.stdout, done.stderr
    peer_filter = peer_filter_for(out, "org1-node1")
    assert [peer_filter.allows_id(i) for i in ids.values()] == [True, True, False, False]
    assert "revoked" in peer_filter.decide_id(ids["org2-node1"]).reason
    # The running node's filter saw the new CRL without a restart (WatchedPeerFilter).
    assert [running.allows_id(i) for i in ids.values()] == [True, True, False, False]
    assert "is revoked by its CA" in running.refusal(ids["org2-node2"])
    unknown = subprocess.run([sys.executable, "-m", "cli", "network", "revoke", str(out), "nobody"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 1 and "no node 'nobody'" in unknown.stderr
