"""`wabei sharing deploy` puts the suite on a running chain, published in CNS, in one command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from web3 import Web3

from sharing.deploy import SuiteDeployment
from tests.conftest import ROOT


def test_sharing_deploy_publishes_every_contract_in_cns(fresh_node: Any, tmp_path: Path) -> None:
    out = tmp_path / "suite.json"
    run = subprocess.run([sys.executable, "-m", "cli", "sharing", "deploy", "--rpc-url",
                          fresh_node.http_url, "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    deployment = SuiteDeployment.from_json(out.read_text())
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    lines = [line.split() for line in run.stdout.splitlines() if line.endswith(".wabei")]
    assert len(lines) >= 10
    for contract, address, name in lines:
        assert deployment.address(contract) == address
        assert w3.ens.address(name) == address
        assert w3.eth.get_code(address) != b""

    nonce = w3.eth.get_transaction_count(w3.eth.accounts[0])
    again = subprocess.run([sys.executable, "-m", "cli", "sharing", "deploy", "--rpc-url",
                            fresh_node.http_url, "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "already exists" in again.stderr and "--version" in again.stderr
    assert w3.eth.get_transaction_count(w3.eth.accounts[0]) == nonce  # refused before deploying


def test_sharing_deploy_without_a_node_says_so(tmp_path: Path) -> None:
    # From another directory, so PYTHONPATH points at this checkout rather than at whatever is installed.
    run = subprocess.run([sys.executable, "-m", "cli", "sharing", "deploy", "--rpc-url",
                          "http://127.0.0.1:1"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 1 and "no node answers at http://127.0.0.1:1" in run.stderr
