"""One node of a network started on a host that holds only its part of the network directory
(docs/network.md, "Running across several hosts"): `network.json`, `genesis.json`,
`alloc.json`, `trust/`, `certs/` and its own `<node>/` folder, or, for a new organisation's
node, its own folder alone. `wabei node --network DIR --node NAME` is a real process (it starts
its CometBFT, which dials peers that are not there) and must answer JSON-RPC with the network's
chain id and its admission loaded from the chain, reading no other node's files."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from web3 import Web3

from tests.comet.joiner import port_block
from tests.conftest import ROOT

PUBLIC = ("network.json", "genesis.json", "alloc.json", "trust", "certs")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostnet") / "net"
    p2p = port_block(4)
    rpc = port_block(4, step=1, span=1, low=41000, high=60000)
    init = subprocess.run([sys.executable, "-m", "cli", "network", "init", "--out", str(out), "--orgs", "2",
                           "--nodes-per-org", "2", "--p2p-port", str(p2p), "--rpc-port", str(rpc)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    return out


def _host(net: Path, host: Path, node: str, public: tuple[str, ...]) -> Path:
    """A host's copy: the given public files and the node's own folder, nothing else."""
    host.mkdir()
    for name in public:
        source = net / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, host / name)
    shutil.copytree(net / node, host / node)
    return host


@pytest.fixture
def running(request: pytest.FixtureRequest) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("public", [PUBLIC, ()], ids=["documented-host-layout", "own-folder-only"])
def test_a_node_starts_with_only_its_own_folder(net: Path, tmp_path: Path, public: tuple[str, ...],
                                                 running: list[subprocess.Popen[bytes]]) -> None:
    manifest = json.loads((net / "network.json").read_text())
    node = manifest["nodes"][1]
    host = _host(net, tmp_path / "host", node["name"], public)
    assert sorted(p.name for p in host.iterdir()) == sorted([*public, node["name"]])
    log = tmp_path / "node.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cli", "node", "--network", str(host), "--node", node["name"]],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    running.append(process)
    w3 = Web3(Web3.HTTPProvider(node["rpc_url"], request_kwargs={"timeout": 5}))
    deadline = time.monotonic() + 60
    while not w3.is_connected():
        assert process.poll() is None, f"the node exited with {process.returncode}: {log.read_text()}"
        assert time.monotonic() < deadline, f"the node never answered: {log.read_text()}"
        time.sleep(0.3)
    assert w3.eth.chain_id == manifest["chain_id"]
    assert w3.eth.block_number == 0  # genesis: alone, it has no one to sync from
    text = log.read_text()
    assert "trust list revision 1 from chain: 2 CAs, 2 CRLs, 4 node certificates" in text, text
    assert (host / node["name"] / "cometbft.log").exists()  # its CometBFT started too
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(30) == 0, log.read_text()
