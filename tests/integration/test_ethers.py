"""ethers v6 drives the node over HTTP and WebSocket, as a dapp would.

The script (tests/js/ethers_client.mjs) deploys a token with an unlocked dev
account, transfers with a locally signed raw transaction, filters logs by
topic, decodes reason strings and custom errors from eth_call and
eth_estimateGas, and listens for logs and new heads over eth_subscribe.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "ethers_client.mjs"
TIMEOUT_S = 120


def _text(stream: str | bytes | None) -> str:
    # TimeoutExpired carries bytes even when run() was asked for text.
    if isinstance(stream, bytes):
        return stream.decode(errors="replace")
    return stream or ""


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_ethers_client(node: Any) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "ethers").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    command = [nodejs, str(SCRIPT), node.http_url, node.ws_url]
    try:
        result = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"ethers client timed out after {TIMEOUT_S} s\n"
            f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}"
        )
    assert result.returncode == 0, (
        f"ethers client exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert "ok all" in result.stdout.splitlines()
