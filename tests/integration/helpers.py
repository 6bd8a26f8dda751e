"""Shared helpers for the integration tests: dev keys, raw JSON-RPC, deploying the test contracts."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from deploy.compile import load_artifact

CHAIN_ID = 31337
KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
KEY1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
A0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
A1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
MNEMONIC = "test test test test test test test test test test test junk"
Account.enable_unaudited_hdwallet_features()


def dev_account(index: int) -> LocalAccount:
    """Dev account `index` of the standard mnemonic (the node funds the first ten)."""
    acct: LocalAccount = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return acct


def rpc_raw(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    """POST one JSON-RPC request and return the whole response object (result or error)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    resp = requests.post(url, json=body, timeout=60)
    out: dict[str, Any] = resp.json()
    return out


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    """The result of a JSON-RPC call; fails the test if the node answered with an error."""
    out = rpc_raw(url, method, params)
    assert "error" not in out, f"{method} {params}: {out['error']}"
    return out["result"]


def rpc_error(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    """The error object of a JSON-RPC call that must fail."""
    out = rpc_raw(url, method, params)
    assert "error" in out, f"{method} {params} should fail but returned {out.get('result')!r}"
    err: dict[str, Any] = out["error"]
    return err


def deploy(w3: Web3, name: str, *args: Any, sender: str = A0) -> Contract:
    """Deploy contract `name` from contracts/build with eth_sendTransaction and wait for it."""
    art = load_artifact(name)
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    tx_hash = factory.constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=art.abi)


def deploy_token(w3: Web3, supply: int = 10**24, sender: str = A0) -> Contract:
    return deploy(w3, "TestToken", "Test", "TST", supply, sender=sender)


def sign_tx(w3: Web3, key: str, **fields: Any) -> bytes:
    """Sign an EIP-1559 transfer with sensible defaults; any field can be overridden."""
    acct = Account.from_key(key)
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    tx: dict[str, Any] = {
        "chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(acct.address, "pending"),
        "to": A1, "value": 1, "gas": 21_000,
        "maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9,
    }
    tx.update(fields)
    raw: bytes = acct.sign_transaction(tx).raw_transaction
    return raw


REPO_ROOT = Path(__file__).resolve().parents[2]


def run_js_client(script: str, *args: str, timeout_s: float = 90) -> str:
    """Run `tests/js/<script>` with Node against a node and return its stdout; fails the test
    with both streams unless it exits 0 and its last line is "ok all" (the scripts' contract)."""
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "viem").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    try:
        result = subprocess.run([nodejs, str(REPO_ROOT / "tests" / "js" / script), *args],
                                cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} timed out after {timeout_s} s: {exc.stdout!r} {exc.stderr!r}")
    assert result.returncode == 0, f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert lines and lines[-1] == "ok all", result.stdout
    return result.stdout
