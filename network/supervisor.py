"""`wabei network up` / `down`: run every node of a network directory on this machine.

Each node is one or two processes: Wabei (`wabei node --network DIR --node NAME`, which serves
JSON-RPC and ABCI) and CometBFT (`cometbft start --home DIR/<node>/cometbft`). Whether the
Wabei process starts its own CometBFT child is decided in ONE place, `NODE_STARTS_COMETBFT` in
network/layout.py, which init writes into each wabei.json as `cometbft.start`; for a node whose
file says false the supervisor starts CometBFT itself. A network whose app is
"kvstore" (CometBFT's built-in app, for testing consensus, config and peering alone) runs
CometBFT only.

Every process gets its own session (so Ctrl-C in a terminal reaches the supervisor, which then
stops them in order) and a pid file `DIR/run/<node>.<proc>.pid` holding its pid and command
line, so `down` works from another shell and never signals a pid the OS has since reused for
something else. Stopping sends SIGTERM to CometBFT first (no new blocks reach the app), then to
Wabei, and SIGKILL after a grace period.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network.comet_files import ROOT
from network.layout import load_manifest, load_node_config, node_dir

STOP_GRACE_S = 10.0
STOP_ORDER = ("cometbft", "wabei")  # consensus first, so no block arrives at a stopping app


class SupervisorError(RuntimeError):
    """The network cannot be started or stopped as asked; the message says why."""


@dataclass(frozen=True)
class Launch:
    """One process to run for a node."""

    node: str
    proc: str                 # "wabei" or "cometbft"
    argv: tuple[str, ...]

    def pid_file(self, network_dir: Path) -> Path:
        return network_dir / "run" / f"{self.node}.{self.proc}.pid"

    def log_file(self, network_dir: Path) -> Path:
        return network_dir / "run" / f"{self.node}.{self.proc}.log"


def launches(network_dir: Path, cometbft: Path, python: str = sys.executable) -> list[Launch]:
    """The processes `up` starts, in start order (each node's app before its CometBFT): those of
    every node whose folder is in `network_dir`. A node network.json lists without a folder here
    runs on another host (an organisation admitted with `wabei network org admit`)."""
    manifest = load_manifest(network_dir)
    out: list[Launch] = []
    for node in manifest["nodes"]:
        name = node["name"]
        if not node_dir(network_dir, name).is_dir():
            continue
        if manifest["app"] == "wabei":
            out.append(Launch(name, "wabei", (python, "-m", "cli", "node", "--network", str(network_dir),
                                              "--node", name)))
        if manifest["app"] != "wabei" or not load_node_config(network_dir, name).comet_started_by_node:
            out.append(Launch(name, "cometbft", (str(cometbft), "start", "--home",
                                                 str(node_dir(network_dir, name) / "cometbft"))))
    return out


def running(network_dir: Path) -> dict[Path, int]:
    """Pid files under DIR/run whose process is alive and still the one we started."""
    alive = {}
    for pid_file in sorted((network_dir / "run").glob("*.pid")):
        record = _read_pid_file(pid_file)
        if record and _is_ours(record["pid"], record["argv"]):
            alive[pid_file] = record["pid"]
    return alive


def start(network_dir: Path, plan: list[Launch], *, cwd: Path = ROOT) -> dict[Launch, subprocess.Popen[bytes]]:
    """Start every launch (in `cwd`: the checkout, so `python -m cli` is this Wabei); refuses
    if any process of this network is already running. `network_dir` must be absolute."""
    already = running(network_dir)
    if already:
        raise SupervisorError(f"the network in {network_dir} is already running ({len(already)} processes; "
                              f"`wabei network down {network_dir}` first)")
    (network_dir / "run").mkdir(exist_ok=True)
    started: dict[Launch, subprocess.Popen[bytes]] = {}
    for launch in plan:
        started[launch] = _spawn(network_dir, launch, cwd)
    return started


def _spawn(network_dir: Path, launch: Launch, cwd: Path) -> subprocess.Popen[bytes]:
    with open(launch.log_file(network_dir), "ab") as log:
        proc = subprocess.Popen(list(launch.argv), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
    record = {"pid": proc.pid, "argv": list(launch.argv), "started": time.time()}
    launch.pid_file(network_dir).write_text(json.dumps(record) + "\n", encoding="utf-8")
    return proc


def supervise(network_dir: Path, procs: dict[Launch, subprocess.Popen[bytes]], *, restart: bool,
              report: Callable[[str], None], max_restarts: int = 5, poll_s: float = 0.5) -> None:
    """Watch the processes until all have exited (or KeyboardInterrupt): report each exit, and
    with `restart` start a process that failed again, at most `max_restarts` times each."""
    restarts: dict[Launch, int] = {}
    live = dict(procs)
    while live:
        time.sleep(poll_s)
        for launch, proc in list(live.items()):
            code = proc.poll()
            if code is None:
                continue
            del live[launch]
            report(f"{launch.node}: {launch.proc} exited with code {code} (log: {launch.log_file(network_dir)})")
            if restart and code != 0 and restarts.get(launch, 0) < max_restarts:
                restarts[launch] = restarts.get(launch, 0) + 1
                report(f"{launch.node}: restarting {launch.proc} ({restarts[launch]}/{max_restarts})")
                live[launch] = _spawn(network_dir, launch, ROOT)
            else:
                launch.pid_file(network_dir).unlink(missing_ok=True)


def stop(network_dir: Path, *, grace_s: float = STOP_GRACE_S) -> list[str]:
    """Stop every process with a live pid file, CometBFT before Wabei; returns what was stopped."""
    stopped = []
    alive = running(network_dir)
    for proc_kind in (*STOP_ORDER, None):
        batch = {f: pid for f, pid in alive.items() if proc_kind is None or f.stem.endswith("." + proc_kind)}
        for pid_file, pid in batch.items():
            _signal(pid, signal.SIGTERM)
            stopped.append(pid_file.stem)
        _wait_gone(batch.values(), grace_s)
        for pid_file in batch:
            alive.pop(pid_file)
    for pid_file in (network_dir / "run").glob("*.pid"):
        pid_file.unlink(missing_ok=True)
    return stopped


def _wait_gone(pids: Any, grace_s: float) -> None:
    deadline = time.monotonic() + grace_s
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        pending = {p for p in pending if _alive(p)}
        time.sleep(0.1)
    for pid in pending:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap our own child, if it is one
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _read_pid_file(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def _is_ours(pid: int, argv: list[str]) -> bool:
    """The pid is alive and runs the command line we recorded (pids get reused)."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid file
    return [c.decode(errors="replace") for c in cmdline if c] == argv
