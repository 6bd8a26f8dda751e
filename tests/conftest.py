"""Shared fixtures: a real node process on a free port, and clients connected to it over the wire."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from web3 import Web3

from sharing import SuiteDeployment, deploy_suite

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE:
# - "wabei" (a developer's run): random examples; every failing one is kept in
#   .hypothesis/examples (git-ignored) and replayed first on the next run; print_blob prints a
#   @reproduce_failure line to paste into the test.
# - "ci" (scripts/test, and any run where hypothesis itself detects a CI service): the same
#   examples on every run (derandomize), no database, print_blob; a failure reproduces by
#   running the same command again.
# - "deep": "wabei" with ten times the examples (test_sharing_invariants' machine 100).
# No deadline in any: run times on two shared cores say nothing about the code. Hypothesis loads
# its own "ci" profile on import when it sees a CI service; this file used to load "wabei" over
# it unconditionally, so CI ran random examples. Now only an explicit HYPOTHESIS_PROFILE does.
settings.register_profile("wabei", database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "examples")),
                          print_blob=True, deadline=None)
settings.register_profile("ci", settings.get_profile("ci"), derandomize=True, database=None,
                          print_blob=True, deadline=None)
settings.register_profile("deep", settings.get_profile("wabei"), max_examples=1000)
_DETECTED_CI = settings.get_current_profile_name() == "ci"
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _DETECTED_CI else "wabei")
settings.load_profile(HYPOTHESIS_PROFILE)


@dataclass
class RunningNode:
    process: subprocess.Popen[str]
    host: str
    port: int

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_node(*args: str, timeout: float = 30.0, env: Mapping[str, str] | None = None) -> RunningNode:
    """Start `wabei node` as a separate process on a free port and wait until it listens; `env`
    adds to (or replaces) this process's environment variables."""
    storage = [] if "--data-dir" in args else ["--in-memory"]
    cmd = [sys.executable, "-m", "chain.cli", "node", "--port", "0", "--quiet", *storage, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = re.match(r"Listening on ([\d.]+):(\d+)", line)
        if m:
            return RunningNode(proc, m.group(1), int(m.group(2)))
    proc.kill()
    raise RuntimeError("node did not start:\n" + "".join(lines))


@pytest.fixture(scope="session")
def node() -> Iterator[RunningNode]:
    """One automine node shared by tests that only add state (each test uses fresh contracts)."""
    n = start_node()
    yield n
    n.stop()


@pytest.fixture()
def fresh_node() -> Iterator[RunningNode]:
    """A node of a test's own, for tests that change global state (time, mining mode, snapshots)."""
    n = start_node()
    yield n
    n.stop()


@pytest.fixture(scope="session")
def w3(node: RunningNode) -> Web3:
    return Web3(Web3.HTTPProvider(node.http_url))


@dataclass
class SuiteNode:
    """A node with the sharing suite deployed on it, and the accounts it was deployed from."""

    node: RunningNode
    deployment: SuiteDeployment
    accounts: list[str]

    def web3(self) -> Web3:
        """A Web3 of the caller's own: some tests set attributes on theirs (``w3.ens``)."""
        return Web3(Web3.HTTPProvider(self.node.http_url))


@pytest.fixture(scope="session")
def sharing_suite() -> Iterator[SuiteNode]:
    """The 12 sharing contracts, deployed once per session (per xdist worker) on a node of their own.

    Deploying takes about 5 s; the sharing test modules build their worlds on top of this one
    deployment and hand each test a clean chain with evm_snapshot / evm_revert (see
    ``sharing_helpers.clean_chain``), so every test must leave the chain through that revert.
    20 accounts: the most any sharing module uses (test_sharing_errors' cast).
    """
    n = start_node("--accounts", "20")
    try:
        w3 = Web3(Web3.HTTPProvider(n.http_url))
        accounts = list(w3.eth.accounts)
        yield SuiteNode(n, deploy_suite(w3, accounts), accounts)
    finally:
        n.stop()
