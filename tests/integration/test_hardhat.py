"""Hardhat 2 runs its mocha suite (tests/hardhat_project) against the node.

hardhat-ethers deploys through the node's unlocked accounts and
hardhat-chai-matchers checks emitted events, reason strings and custom
errors, so this pins the error shapes Hardhat's tooling relies on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = REPO_ROOT / "tests" / "hardhat_project"
HARDHAT = REPO_ROOT / "node_modules" / ".bin" / "hardhat"
TIMEOUT_S = 300


def _text(stream: str | bytes | None) -> str:
    # TimeoutExpired carries bytes even when run() was asked for text.
    if isinstance(stream, bytes):
        return stream.decode(errors="replace")
    return stream or ""


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_hardhat_suite(node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not HARDHAT.exists():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    # The local bin rather than npx: npx would try the registry if the
    # package were missing, and stall until the timeout.
    command = [nodejs, str(HARDHAT), "test", "--network", "wabei"]
    env = {
        **os.environ,
        "WABEI_URL": node.http_url,
        "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
    }
    try:
        result = subprocess.run(
            command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"hardhat test timed out after {TIMEOUT_S} s\n"
            f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}"
        )
    assert result.returncode == 0, (
        f"hardhat test exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert " passing" in result.stdout
