"""debug_trace* through ethers v6 and viem 2, as a dapp calls them (tests/js/trace_clients.mjs).

Neither client types the tracing methods, so they go through ethers' `provider.send` and viem's
`client.request`: every tracer's answer to debug_traceTransaction, debug_traceCall and
debug_traceBlockByNumber must arrive exactly as the node sent it, and every bad input (unknown
tracer, JavaScript tracer, malformed tracerConfig, unknown transaction, bad timeout) must
surface as the node's JSON-RPC error in both clients, with the node still answering. The same
cases' codes and wording over web3.py are in test_tracing.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "trace_clients.mjs"
TIMEOUT_S = 120
STEPS = ("default", "callTracer", "prestateTracer", "4byteTracer", "noopTracer",
         "refused unknown tracer", "refused javascript tracer", "refused malformed tracerConfig",
         "refused unknown transaction", "refused bad timeout", "all")


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_ethers_and_viem_take_trace_answers_unchanged(node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    try:
        result = subprocess.run([nodejs, str(SCRIPT), node.http_url], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"trace client timed out after {TIMEOUT_S} s\n{exc.stdout!r}\n{exc.stderr!r}")
    assert result.returncode == 0, f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    assert result.stdout.splitlines() == [f"ok {step}" for step in STEPS]
