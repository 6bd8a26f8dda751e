"""console.log from Solidity: printed in the node's terminal under its transaction (or call),
returned by wabei_getConsoleLogs, free of any gas effect, silent under --quiet.

The node runs as a real process without --quiet, and its stdout is read line by line. Gas is
compared with Hardhat's own node (EDR), which has no console hook in its gas accounting.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from web3 import Web3
from web3.contract import Contract

from deploy.compile import Artifact, compile_sources
from tests.conftest import ROOT, RunningNode, start_node
from tests.integration.helpers import A0, A1, rpc, rpc_error, rpc_raw

SOURCE = Path("tests/integration/contracts/ConsoleLogger.sol")
HARDHAT = ROOT / "node_modules" / ".bin" / "hardhat"
H = bytes.fromhex("ab" * 31 + "01")
LOG_ARGS = ("hello", 2**200, -42, A1, True, H)
EXPECTED = ["hello", str(2**200), "-42", A1, "true", "0x" + H.hex(),
            f"count {2**200} of hello", f"{A1} is true"]


class NodeTerminal:
    """A node process started without --quiet, its stdout collected by a reader thread."""

    def __init__(self, *args: str) -> None:
        cmd = [sys.executable, "-m", "chain.cli", "node", "--port", "0", "--in-memory", *args]
        self.process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        found = self.wait_for(lambda: any(re.match(r"Listening on [\d.]+:\d+", x) for x in self.lines))
        address = re.search(r"Listening on ([\d.]+):(\d+)", found).group(0)  # type: ignore[union-attr]
        self.url = "http://" + address.split()[-1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, ready: Callable[[], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError("the node never printed it; it printed:\n" + "\n".join(self.lines))

    def block_after(self, marker: str, title: str) -> list[str]:
        """The indented lines under `title` that follows the first line containing `marker`."""
        self.wait_for(lambda: any(marker in x for x in self.lines)
                      and title in "\n".join(self.lines[self._index(marker):]))
        start = self._index(marker)
        at = next(i for i in range(start, len(self.lines)) if self.lines[i].strip() == title)
        self.wait_for(lambda: len(self.lines) > at + 1 and not self.lines[-1].startswith("      "),
                      timeout=5)
        out = []
        for line in self.lines[at + 1:]:
            if not line.startswith("      "):
                break
            out.append(line[6:])
        return out

    def _index(self, marker: str) -> int:
        return next(i for i, x in enumerate(self.lines) if marker in x)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=10)
        return "\n".join(self.lines)


@pytest.fixture(scope="module")
def artifact() -> Artifact:
    return compile_sources([SOURCE], ROOT)["ConsoleLogger"]


@pytest.fixture(scope="module")
def terminal() -> Iterator[NodeTerminal]:
    t = NodeTerminal()
    yield t
    t.stop()


def deploy(w3: Web3, artifact: Artifact) -> Contract:
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": A0}))
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)


def test_a_mined_transaction_prints_its_lines_and_returns_them(terminal: NodeTerminal,
                                                               artifact: Artifact) -> None:
    w3 = Web3(Web3.HTTPProvider(terminal.url))
    logger = deploy(w3, artifact)
    tx_hash = logger.functions.logAll(*LOG_ARGS).transact({"from": A0, "gas": 300_000})
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    assert terminal.block_after(f"Transaction: {tx_hash.to_0x_hex()}", "console.log:") == EXPECTED
    assert rpc(terminal.url, "wabei_getConsoleLogs", [tx_hash.to_0x_hex()]) == EXPECTED
    # A transaction that calls no console, and a hash nobody mined.
    plain = logger.functions.quiet().transact({"from": A0})
    w3.eth.wait_for_transaction_receipt(plain)
    assert rpc(terminal.url, "wabei_getConsoleLogs", [plain.to_0x_hex()]) == []
    assert rpc(terminal.url, "wabei_getConsoleLogs", ["0x" + "11" * 32]) is None
    assert rpc_error(terminal.url, "wabei_getConsoleLogs", ["0x1234"])["code"] == -32602


def test_a_reverted_transaction_keeps_its_lines(terminal: NodeTerminal, artifact: Artifact) -> None:
    w3 = Web3(Web3.HTTPProvider(terminal.url))
    logger = deploy(w3, artifact)
    tx_hash = logger.functions.failing().transact({"from": A0, "gas": 100_000})
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 0
    marker = f"Transaction: {tx_hash.to_0x_hex()}"
    assert terminal.block_after(marker, "console.log:") == ["about to revert"]
    assert rpc(terminal.url, "wabei_getConsoleLogs", [tx_hash.to_0x_hex()]) == ["about to revert"]


def test_calls_and_estimates_print_under_their_label(terminal: NodeTerminal,
                                                     artifact: Artifact) -> None:
    w3 = Web3(Web3.HTTPProvider(terminal.url))
    logger = deploy(w3, artifact)
    assert logger.functions.shout("from eth_call").call() == 0
    terminal.wait_for(lambda: "      shout: from eth_call" in terminal.lines)
    i = terminal.lines.index("      shout: from eth_call")
    assert terminal.lines[i - 1] == "    console.log (eth_call):"
    logger.functions.shout("from an estimate").estimate_gas({"from": A0})
    terminal.wait_for(lambda: "      shout: from an estimate" in terminal.lines)
    i = terminal.lines.index("      shout: from an estimate")
    assert terminal.lines[i - 1] == "    console.log (eth_estimateGas):"
    # The node's own estimate for an eth_sendTransaction without gas prints nothing: only the
    # mined transaction does (web3.py's transact() would send an eth_estimateGas of its own).
    before = len(terminal.lines)
    data = logger.encode_abi("logAll", list(LOG_ARGS))
    tx_hash = rpc(terminal.url, "eth_sendTransaction", [{"from": A0, "to": logger.address, "data": data}])
    assert terminal.block_after(f"Transaction: {tx_hash}", "console.log:") == EXPECTED
    assert not any("console.log (" in x for x in terminal.lines[before:])


def test_a_call_run_again_on_a_worker_prints_once(terminal: NodeTerminal, artifact: Artifact) -> None:
    """A call that outlasts its try on the event loop (2 ms of CPU) starts again on a worker: it
    answers the right value and prints its lines once (the abandoned try reached no sink)."""
    w3 = Web3(Web3.HTTPProvider(terminal.url))
    logger = deploy(w3, artifact)
    started = time.monotonic()
    h = logger.functions.shoutThenWork("once, after a retry", 3000).call()
    took = time.monotonic() - started
    expected = b"\0" * 32
    for r in range(3000):
        expected = Web3.keccak(expected + r.to_bytes(32, "big"))
    assert h == expected and took > 0.01  # surely past the loop's 2 ms
    terminal.wait_for(lambda: "      shout: once, after a retry" in terminal.lines)
    time.sleep(0.5)  # a second print would follow at once
    assert terminal.lines.count("      shout: once, after a retry") == 1


def test_quiet_prints_none(artifact: Artifact) -> None:
    quiet: RunningNode = start_node()
    try:
        w3 = Web3(Web3.HTTPProvider(quiet.http_url))
        logger = deploy(w3, artifact)
        tx_hash = logger.functions.logAll(*LOG_ARGS).transact({"from": A0, "gas": 300_000})
        w3.eth.wait_for_transaction_receipt(tx_hash)
        logger.functions.shout("called").call()
        # The logs are still there to ask for; the terminal just does not show them.
        assert rpc(quiet.http_url, "wabei_getConsoleLogs", [tx_hash.to_0x_hex()]) == EXPECTED
    finally:
        quiet.stop()
    assert quiet.process.stdout is not None
    printed = quiet.process.stdout.read()
    assert "hello" not in printed and "console.log" not in printed and "called" not in printed


def _send_all(url: str, artifact: Artifact) -> list[int]:
    """gasUsed of: the deployment, logAll (cold console, then warm), quiet, failing; and the
    estimate for shout."""
    w3 = Web3(Web3.HTTPProvider(url))
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipts: list[Any] = [w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": A0, "gas": 2_000_000}))]
    logger = w3.eth.contract(address=receipts[0]["contractAddress"], abi=artifact.abi)
    for name, args in (("logAll", list(LOG_ARGS)), ("quiet", []), ("failing", [])):
        tx = {"from": A0, "to": logger.address, "data": logger.encode_abi(name, args),
              "gas": hex(500_000)}
        out = rpc_raw(url, "eth_sendTransaction", [tx])
        # Hardhat mines a reverting transaction but answers with an error that names it.
        tx_hash = out["result"] if "result" in out else out["error"]["data"]["txHash"]
        receipts.append(w3.eth.wait_for_transaction_receipt(tx_hash))
    estimate = logger.functions.shout("x" * 40).estimate_gas({"from": A0})
    return [int(r["gasUsed"]) for r in receipts] + [estimate]


@pytest.mark.js
@pytest.mark.timeout(180)
def test_gas_is_what_hardhats_node_charges(terminal: NodeTerminal, artifact: Artifact) -> None:
    """The console address is an empty account for gas (2,600 cold, 100 warm), not a
    precompile (which would be warm from the start): Hardhat charges exactly this."""
    hardhat = subprocess.Popen(
        ["node", str(HARDHAT), "node", "--port", "0"], cwd=ROOT / "tests" / "hardhat_project",
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"})
    try:
        assert hardhat.stdout is not None
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            m = re.search(r"server at (http://[\d.]+:\d+)", hardhat.stdout.readline())
            url = m.group(1).replace("0.0.0.0", "127.0.0.1") if m else None
        assert url is not None, "hardhat node did not start"
        ours, theirs = _send_all(terminal.url, artifact), _send_all(url, artifact)
    finally:
        hardhat.terminate()
        hardhat.wait(timeout=10)
    assert ours == theirs
    assert ours[1] > ours[2]  # the console calls were made and paid for, as on Hardhat


@pytest.mark.js
@pytest.mark.timeout(120)
def test_ethers_and_viem_read_the_lines(terminal: NodeTerminal, artifact: Artifact,
                                        tmp_path: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(terminal.url))
    logger = deploy(w3, artifact)
    abi_file = tmp_path / "abi.json"
    abi_file.write_text(json.dumps(artifact.abi))
    result = subprocess.run(["node", str(ROOT / "tests" / "js" / "console_log_client.mjs"),
                             terminal.url, logger.address, str(abi_file)],
                            cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    expected = ["from ethers", "7", "-7", A1, "false", "0x" + "00" * 31 + "ff",
                "count 7 of from ethers", f"{A1} is false"]
    assert out["ethersLogs"] == out["viemLogs"] == expected
    assert out["unknown"] is None and out["count"] == "1"
    assert terminal.block_after(f"Transaction: {out['hash']}", "console.log:") == expected
    terminal.wait_for(lambda: "      shout: from viem" in terminal.lines)
    i = terminal.lines.index("      shout: from viem")
    assert terminal.lines[i - 1] == "    console.log (eth_call):"


def test_the_lines_survive_a_restart(artifact: Artifact, tmp_path: Path) -> None:
    """Nothing is stored: after a restart the block is re-executed and gives the same lines."""
    first = start_node("--data-dir", str(tmp_path))
    try:
        w3 = Web3(Web3.HTTPProvider(first.http_url))
        logger = deploy(w3, artifact)
        tx_hash = logger.functions.logAll(*LOG_ARGS).transact({"from": A0, "gas": 300_000})
        w3.eth.wait_for_transaction_receipt(tx_hash)
        logger.functions.quiet().transact({"from": A0})  # a later block on top
    finally:
        first.stop()
    second = start_node("--data-dir", str(tmp_path))
    try:
        assert rpc(second.http_url, "wabei_getConsoleLogs", [tx_hash.to_0x_hex()]) == EXPECTED
    finally:
        second.stop()
