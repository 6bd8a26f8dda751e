"""viem 2 sends the trace_* methods through client.request against a real node
(tests/js/viem_trace.mjs): nested frames, creates and a selfdestruct, blocks, filters, trace_call
with stateDiff, and the -32602 refusals (vmTrace, an unknown trace type, a huge filter range)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "viem_trace.mjs"
TIMEOUT_S = 90


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_trace_methods(fresh_node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    try:
        result = subprocess.run([nodejs, str(SCRIPT), fresh_node.http_url], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"viem script timed out after {TIMEOUT_S} s: {exc.stdout!r} {exc.stderr!r}")
    assert result.returncode == 0, f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    assert "ok all" in result.stdout.splitlines()
