"""The reference nodes Wabei's tracers are compared against: a pinned geth in dev mode on Prague,
and Hardhat 2's node, each a real process on a loopback port (docs/tracing.md, "The geth
comparison").

geth is installed by ./scripts/setup into .tools/bin at the version scripts/versions names. Its
`--dev` mode runs the newest forks (1.17.10: Osaka and Bogota), while Wabei runs Prague, so the
node is started from a Prague genesis of our own (`geth init`, then `--dev` on that datadir, which
geth accepts for any merged-at-genesis chain). That genesis is data/geth_prague_genesis.json:
geth's dev chain config with every fork after Prague removed, and the four system contracts
Prague's block processing calls (EIP-4788, EIP-2935, EIP-7002, EIP-7251; geth refuses a block
whose system contract has no code), copied from geth 1.17.10's params/protocol_params.go.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
GETH = ROOT / ".tools" / "bin" / "geth"
HARDHAT = ROOT / "node_modules" / ".bin" / "hardhat"


def pinned_geth_version() -> str:
    """The geth version scripts/versions pins (without the leading v)."""
    text = (ROOT / "scripts" / "versions").read_text(encoding="utf-8")
    match = re.search(r"^GETH_VERSION=v?([\d.]+)\s*$", text, re.MULTILINE)
    if match is None:
        raise RuntimeError("scripts/versions has no GETH_VERSION line")
    return match.group(1)


@dataclass
class ReferenceNode:
    """A reference node process, its URL and the directory it may write to (removed at stop)."""

    name: str
    process: subprocess.Popen[str]
    url: str
    workdir: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def free_port() -> int:
    """A loopback port nothing listens on now (the OS's pick; a race with another process is
    possible but has not been seen on the test machines)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_answering(name: str, proc: subprocess.Popen[str], url: str, log: Path,
                          timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
            if "result" in requests.post(url, json=body, timeout=2).json():
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{name} did not answer within {timeout} s:\n{log.read_text()[-4000:]}")


def geth_missing_reason() -> str | None:
    """Why the pinned geth cannot run here, or None if it can."""
    if not GETH.exists():
        return f"no geth at {GETH}: run ./scripts/setup (it builds geth with `go install`)"
    out = subprocess.run([str(GETH), "version"], capture_output=True, text=True, timeout=30).stdout
    want = pinned_geth_version()
    if f"Version: {want}-stable" not in out:
        return f"{GETH} is not geth {want} (scripts/versions): run ./scripts/setup\n{out}"
    return None


def start_geth(funded: dict[str, int], timeout: float = 60.0) -> ReferenceNode:
    """geth --dev on Prague, chain id 1337, `funded` (address -> wei) allocated at genesis."""
    workdir = Path(tempfile.mkdtemp(prefix="wabei-geth-"))
    genesis = json.loads((DATA / "geth_prague_genesis.json").read_text(encoding="utf-8"))
    for address, wei in funded.items():
        genesis["alloc"][address] = {"balance": hex(wei)}
    (workdir / "genesis.json").write_text(json.dumps(genesis), encoding="utf-8")
    datadir = workdir / "data"
    init = subprocess.run([str(GETH), "init", "--datadir", str(datadir), str(workdir / "genesis.json")],
                          capture_output=True, text=True, timeout=120)
    if init.returncode != 0:
        raise RuntimeError(f"geth init failed:\n{init.stderr[-4000:]}")
    port = free_port()
    log = workdir / "geth.log"
    cmd = [str(GETH), "--dev", "--datadir", str(datadir),
           "--http", "--http.addr", "127.0.0.1", "--http.port", str(port),
           "--http.api", "eth,debug,net,web3",
           "--nodiscover", "--maxpeers", "0", "--port", "0", "--authrpc.port", "0", "--ipcdisable",
           # Hold the block gas limit at the genesis' 30M (Wabei's), so base fees follow the same
           # path on both chains; geth's miner would otherwise raise it towards 60M.
           "--miner.gaslimit", "30000000", "--cache", "64", "--verbosity", "3"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    node = ReferenceNode("geth", proc, url, workdir)
    try:
        _wait_until_answering("geth", proc, url, log, timeout)
        # geth prints its forks at start: the comparison is only fair fork for fork.
        forks = re.findall(r" - (\w+):\s+@", log.read_text())
        if forks[-1:] != ["Prague"]:
            raise RuntimeError(f"geth's last fork is not Prague: {forks}")
    except RuntimeError:
        node.stop()
        raise
    return node


def start_hardhat(timeout: float = 90.0) -> ReferenceNode:
    """Hardhat 2's node (EDR) on Prague, chain id 1337, the standard mnemonic's accounts."""
    node = shutil.which("node")
    if node is None or not HARDHAT.exists():
        raise RuntimeError("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    workdir = Path(tempfile.mkdtemp(prefix="wabei-hardhat-"))
    port = free_port()
    log = workdir / "hardhat.log"
    cmd = [node, str(HARDHAT), "--config", str(DATA / "hardhat_trace.config.js"),
           "node", "--hostname", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=DATA, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering("hardhat node", proc, url, log, timeout)
    except RuntimeError:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return ReferenceNode("hardhat", proc, url, workdir)
