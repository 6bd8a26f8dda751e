"""The nodes the benchmark compares: how to start each one, wait for it, measure and stop it.

Every peer runs as its own process on a free port, funds the ten `test test ... junk` accounts, and
is driven over HTTP. A peer's `mining` is "auto" (a block per transaction, before the reply) or
"interval" (a block every `INTERVAL` seconds holding what is pending).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
MNEMONIC = "test test test test test test test test test test test junk"
INTERVAL = 1  # seconds between blocks in interval mining, for every peer
STARTUP_TIMEOUT = 120.0
ETH_TESTER_CHAIN_ID = 131277322940537  # hard-coded in eth-tester's PyEVM backend


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rpc(url: str, method: str, params: list[object] | None = None, timeout: float = 60) -> object:
    """One JSON-RPC call with the standard library (no web3 overhead); raises on an error reply."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        reply = json.loads(r.read())
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def _answers(url: str) -> bool:
    try:
        rpc(url, "eth_chainId", timeout=1)
        return True
    except Exception:
        return False


@dataclass(frozen=True)
class Peer:
    """A node implementation: its command line for a port and a mining mode, and its chain id."""

    name: str
    chain_id: int
    command: Callable[[int, str, Path | None], list[str]]
    cwd: Path = ROOT
    # Called once the node answers, to switch mining modes a flag cannot (Hardhat).
    configure: Callable[[str, str], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    # Why interval mining with back-to-back senders cannot be measured, when it cannot.
    no_interval: str | None = None


def _wabei(in_memory: bool, *flags: str) -> Callable[[int, str, Path | None], list[str]]:
    def command(port: int, mining: str, data_dir: Path | None) -> list[str]:
        cmd = [sys.executable, "-m", "chain.cli", "node", "--port", str(port), "--quiet", *flags]
        if in_memory:
            cmd.append("--in-memory")
        else:
            assert data_dir is not None
            cmd += ["--data-dir", str(data_dir)]
        if mining == "interval":
            cmd += ["--block-time", str(INTERVAL)]
        return cmd
    return command


def _eth_tester(port: int, mining: str, data_dir: Path | None) -> list[str]:
    return [sys.executable, str(BENCH / "ethtester_server.py"), "--port", str(port)]


def _hardhat(port: int, mining: str, data_dir: Path | None) -> list[str]:
    return ["node", str(ROOT / "node_modules/.bin/hardhat"), "node", "--port", str(port)]


def _hardhat_mining(url: str, mining: str) -> None:
    if mining == "interval":  # Hardhat's node has no flag for it; its own RPC methods do it
        rpc(url, "evm_setAutomine", [False])
        rpc(url, "evm_setIntervalMining", [INTERVAL * 1000])


def _ganache(port: int, mining: str, data_dir: Path | None) -> list[str]:
    return [
        "node", str(BENCH / "node_modules/.bin/ganache"), "--server.port", str(port),
        "--chain.chainId", "31337", "--wallet.mnemonic", MNEMONIC, "--wallet.totalAccounts", "10",
        "--wallet.defaultBalance", "10000", "--logging.quiet",
        "--miner.blockTime", str(INTERVAL if mining == "interval" else 0),
    ]


PEERS: dict[str, Peer] = {
    "Wabei": Peer("Wabei", 31337, _wabei(in_memory=True)),
    "Wabei (disk)": Peer("Wabei (disk)", 31337, _wabei(in_memory=False)),
    "eth-tester": Peer("eth-tester", ETH_TESTER_CHAIN_ID, _eth_tester,
                       no_interval="with automine off eth-tester rejects a sender's 2nd pending tx"),
    "Hardhat": Peer("Hardhat", 31337, _hardhat, cwd=ROOT / "tests/hardhat_project",
                    configure=_hardhat_mining),
    "Ganache": Peer("Ganache", 31337, _ganache, cwd=BENCH),
    # The cost of /metrics with nobody scraping (docs/metrics.md): the same node without it.
    "Wabei (no metrics)": Peer("Wabei (no metrics)", 31337, _wabei(True, "--no-metrics")),
}
# A change measured against the code before it, in the same run: point WABEI_BASELINE at a
# checkout of the earlier commit (`git worktree add ../base <commit>`); `python -m chain.cli` run
# from there imports that checkout's code (the current directory comes first on sys.path).
if os.environ.get("WABEI_BASELINE"):
    PEERS["Wabei (baseline)"] = Peer("Wabei (baseline)", 31337, _wabei(in_memory=True),
                                     cwd=Path(os.environ["WABEI_BASELINE"]).resolve())


# -- memory -----------------------------------------------------------------------------------

def _descendants(pid: int) -> list[int]:
    out = [pid]
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                for child in f.read().split():
                    out.extend(_descendants(int(child)))
    except OSError:
        pass
    return out


def memory_mib(pid: int, field_name: str) -> float:
    """`VmRSS` (now) or `VmHWM` (peak) from /proc, summed over the process and its children."""
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith(field_name + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process tree from /proc: steadier than wall time on a busy machine."""
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def unavailable(peer: Peer) -> str | None:
    """Why `peer` cannot run on this machine (what to install), or None when it can."""
    if peer.name == "eth-tester":
        import importlib.util

        if importlib.util.find_spec("eth_tester") is None:
            return "eth-tester is not installed (./scripts/bench installs the `bench` extra)"
    if peer.name == "Hardhat" and not (ROOT / "node_modules/.bin/hardhat").exists():
        return "node_modules/.bin/hardhat is missing (./scripts/setup installs it)"
    if peer.name == "Ganache" and not (BENCH / "node_modules/.bin/ganache").exists():
        return "bench/node_modules/.bin/ganache is missing (./scripts/bench runs npm ci in bench/)"
    return None


# -- lifecycle --------------------------------------------------------------------------------

@dataclass
class Running:
    peer: Peer
    proc: subprocess.Popen[bytes]
    url: str
    startup_s: float

    def rss_mib(self) -> float:
        return memory_mib(self.proc.pid, "VmRSS")

    def peak_rss_mib(self) -> float:
        return memory_mib(self.proc.pid, "VmHWM")

    def cpu_s(self) -> float:
        """User + system CPU seconds so far of the node and its children (Hardhat forks one)."""
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM (a clean shutdown: Wabei checkpoints its database), SIGKILL after 20 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start(peer: Peer, mining: str = "auto", data_dir: Path | None = None,
          extra_args: tuple[str, ...] = ()) -> Running:
    """Start `peer` and return once it answers eth_chainId; `startup_s` is spawn-to-answer time."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = peer.command(port, mining, data_dir) + list(extra_args)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=peer.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **peer.env})
    while not _answers(url):
        if proc.poll() is not None:
            raise RuntimeError(f"{peer.name} exited with {proc.returncode} before answering: {cmd}")
        if time.perf_counter() - t0 > STARTUP_TIMEOUT:
            proc.kill()
            raise RuntimeError(f"{peer.name} did not answer eth_chainId within {STARTUP_TIMEOUT}s")
        time.sleep(0.01)
    running = Running(peer, proc, url, time.perf_counter() - t0)
    try:
        if int(str(rpc(url, "eth_chainId")), 16) != peer.chain_id:
            raise RuntimeError(f"{peer.name} does not run chain id {peer.chain_id}")
        if peer.configure is not None:
            peer.configure(url, mining)
    except BaseException:
        running.stop()
        raise
    return running
