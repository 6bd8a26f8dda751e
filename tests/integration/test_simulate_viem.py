"""viem 2.57 drives eth_simulateV1 through its own actions (simulateBlocks, simulateCalls with
traceTransfers and traceAssetChanges): tests/js/viem_simulate.mjs against a real node."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "viem_simulate.mjs"
TIMEOUT_S = 90


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_simulate(fresh_node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    try:
        result = subprocess.run([nodejs, str(SCRIPT), fresh_node.http_url], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"viem script timed out after {TIMEOUT_S} s: {exc.stdout!r} {exc.stderr!r}")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "ok all" in result.stdout.splitlines()
