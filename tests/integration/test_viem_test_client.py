"""viem's test client (createTestClient) in 'anvil' and 'hardhat' mode drives a Wabei dev node.

The script (tests/js/viem_test_client.mjs) calls every test action viem 2.57 offers (mine,
setBalance, setCode, setNonce, setStorageAt, impersonation, automine and interval mining, the
txpool reads, time travel and timestamp intervals, block gas limit, next base fee, coinbase,
snapshot/revert, dumpState/loadState, logging, reset, sendUnsignedTransaction) and checks each
effect through viem's public client; setMinGasPrice and setRpcUrl must fail as Anvil's would.
Each mode gets a node of its own: the actions change time, mining mode and the whole chain.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import start_node

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "viem_test_client.mjs"
TIMEOUT_S = 120


def _text(stream: str | bytes | None) -> str:
    if isinstance(stream, bytes):
        return stream.decode(errors="replace")
    return stream or ""


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
@pytest.mark.parametrize("mode", ["anvil", "hardhat"])
def test_viem_test_client(mode: str) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    node = start_node()
    try:
        result = subprocess.run([nodejs, str(SCRIPT), node.http_url, mode], cwd=REPO_ROOT,
                                capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"viem test client timed out after {TIMEOUT_S} s\n"
                    f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}")
    finally:
        node.stop()
    assert result.returncode == 0, (f"viem test client ({mode}) exited {result.returncode}\n"
                                    f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}")
    done = result.stdout.splitlines()
    for action in ("mine", "setBalance", "impersonateAccount", "setBlockGasLimit",
                   "setNextBlockBaseFeePerGas", "setMinGasPrice", "reset", "all"):
        assert f"ok {action}" in done, f"{action} was not checked:\n{result.stdout}"
