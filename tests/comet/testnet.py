"""A CometBFT test network on loopback, made with CometBFT's own `cometbft testnet` command and
run as real processes: per node, `python -m network.cli --network DIR --node NAME`, which starts
Wabei (ABCI + JSON-RPC) and its `cometbft start` child.

Until `wabei network init` lands (issue 12, part 2) this writes each node's wabei.toml and edits
CometBFT's config.toml itself: loopback ports, no empty blocks, short timeouts for tests.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.config import default_binary
from tests.conftest import ROOT

CHAIN_ID = 31337


def free_ports(count: int) -> list[int]:
    """`count` ports free now on 127.0.0.1 (bound together, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def set_key(text: str, section: str | None, key: str, value: str) -> str:
    """`key = value` in `section` (None: before the first section) of a CometBFT config.toml."""
    start = 0
    if section is not None:
        match = re.search(rf"^\[{re.escape(section)}\]\s*$", text, re.M)
        if match is None:
            raise KeyError(section)
        start = match.end()
    following = re.compile(r"^\[", re.M).search(text, start)
    end = following.start() if following else len(text)
    pattern = re.compile(rf"^{re.escape(key)} = .*$", re.M)
    body, count = pattern.subn(lambda _: f"{key} = {value}", text[start:end], count=1)
    if count != 1:
        raise KeyError(f"{section}.{key}")
    return text[:start] + body + text[end:]


@dataclass
class NodePorts:
    rpc: int
    p2p: int
    comet_rpc: int
    abci: int


@dataclass
class TestNode:
    name: str
    folder: Path
    ports: NodePorts
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rpc}"

    @property
    def comet_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.comet_rpc}"


@dataclass
class TestNetwork:
    folder: Path
    nodes: list[TestNode] = field(default_factory=list)

    def start(self, node: TestNode, timeout: float = 60.0) -> None:
        """Start a node (Wabei and its CometBFT, one process group) and wait until both serve."""
        log = open(node.folder / "wabei.log", "ab")
        node.process = subprocess.Popen(
            [sys.executable, "-m", "network.cli", "--network", str(self.folder), "--node", node.name],
            cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited: {(node.folder / 'wabei.log').read_text()[-3000:]}")
            try:
                for port in (node.ports.rpc, node.ports.comet_rpc):
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"{node.name} did not serve JSON-RPC and CometBFT's RPC within {timeout}s")

    def kill(self, node: TestNode) -> None:
        """SIGKILL the node's whole process group: Wabei and its CometBFT, no clean-up."""
        if node.process is not None and node.process.poll() is None:
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait()

    def stop(self, node: TestNode, timeout: float = 20.0) -> None:
        """SIGTERM (Wabei stops its CometBFT first); SIGKILL if it takes longer than `timeout`."""
        if node.process is None or node.process.poll() is not None:
            return
        os.killpg(node.process.pid, signal.SIGTERM)
        try:
            node.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait()

    def stop_all(self) -> None:
        for node in self.nodes:
            self.stop(node)


def create(folder: Path, validators: int = 4, timeout_commit: str = "500ms") -> TestNetwork:
    """A network of `validators` nodes in `folder`: node<i>/{wabei.toml, cometbft/}."""
    binary = default_binary()
    raw = folder / "raw"
    subprocess.run([binary, "testnet", "--v", str(validators), "--o", str(raw),
                    "--populate-persistent-peers=false"], check=True, capture_output=True)
    network = TestNetwork(folder)
    ports = free_ports(4 * validators)
    for i in range(validators):
        name = f"node{i}"
        node = TestNode(name, folder / name, NodePorts(*ports[4 * i:4 * i + 4]))
        node.folder.mkdir()
        shutil.move(str(raw / name), str(node.folder / "cometbft"))
        network.nodes.append(node)
    ids = [subprocess.run([binary, "show-node-id", "--home", str(n.folder / "cometbft")], check=True,
                          capture_output=True, text=True).stdout.strip() for n in network.nodes]
    for i, node in enumerate(network.nodes):
        # Each node dials those before it: one dialler per pair, as `wabei network init` does
        # (network/comet_files.py, dial_list, says why).
        peers = ",".join(f"{other_id}@127.0.0.1:{other.ports.p2p}"
                         for other, other_id in zip(network.nodes[:i], ids[:i]))
        _configure(node, peers, timeout_commit)
    shutil.rmtree(raw)
    return network


def _configure(node: TestNode, peers: str, timeout_commit: str) -> None:
    path = node.folder / "cometbft" / "config" / "config.toml"
    text = path.read_text()
    for section, key, value in (
        (None, "proxy_app", f'"tcp://127.0.0.1:{node.ports.abci}"'),
        (None, "moniker", f'"{node.name}"'),
        ("rpc", "laddr", f'"tcp://127.0.0.1:{node.ports.comet_rpc}"'),
        ("p2p", "laddr", f'"tcp://127.0.0.1:{node.ports.p2p}"'),
        ("p2p", "persistent_peers", f'"{peers}"'),
        ("p2p", "addr_book_strict", "false"),
        ("p2p", "allow_duplicate_ip", "true"),
        ("p2p", "pex", "false"),
        ("consensus", "timeout_commit", f'"{timeout_commit}"'),
        ("consensus", "timeout_propose", '"1s"'),
        ("consensus", "create_empty_blocks", "false"),
    ):
        text = set_key(text, section, key, value)
    path.write_text(text)
    wabei = {
        "chain_id": CHAIN_ID,
        "data_dir": "data",
        "rpc": {"host": "127.0.0.1", "port": node.ports.rpc},
        "abci": {"listen": f"tcp://127.0.0.1:{node.ports.abci}"},
        "cometbft": {"home": "cometbft", "rpc": f"http://127.0.0.1:{node.ports.comet_rpc}",
                     "start": True, "binary": default_binary()},
    }
    (node.folder / "wabei.json").write_text(json.dumps(wabei, indent=2))


@contextlib.contextmanager
def running(out: Path, seats: Any) -> Iterator[tuple[TestNetwork, dict[str, Any]]]:
    """Start every seat of a network `wabei network init` wrote to `out` (a plan's `nodes`),
    with 500 ms commits and 1 s proposals so tests wait less; yield it with its manifest, and
    stop every process at the end."""
    from network.layout import load_manifest

    network = TestNetwork(out)
    for seat in seats:
        config = out / seat.name / "cometbft" / "config" / "config.toml"
        text = config.read_text()
        for key, value in (("timeout_commit", '"500ms"'), ("timeout_propose", '"1s"')):
            text = set_key(text, "consensus", key, value)
        config.write_text(text)
        network.nodes.append(TestNode(seat.name, out / seat.name, NodePorts(
            rpc=seat.rpc_port, p2p=seat.p2p_port, comet_rpc=seat.comet_rpc_port, abci=seat.abci_port)))
    try:
        for node in network.nodes:
            network.start(node)
        yield network, load_manifest(out)
    finally:
        network.stop_all()
