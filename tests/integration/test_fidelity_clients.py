"""Issue 10's divergences through viem and ethers (tests/js/fidelity_clients.mjs) against a real
node: the EIP-7623 floor at submission, EIP-7702 with no hand-set gas, calls and estimates in the
next block's context after time travel, and eth_createAccessList's gas and list."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "fidelity_clients.mjs"
TIMEOUT_S = 120


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_viem_and_ethers_meet_no_divergence(fresh_node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    try:
        result = subprocess.run([nodejs, str(SCRIPT), fresh_node.http_url], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"client script timed out after {TIMEOUT_S} s: {exc.stdout!r} {exc.stderr!r}")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.splitlines()[-1] == "ok all", result.stdout
