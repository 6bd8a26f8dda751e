"""ethers v6, given only the ENS registry address in its network config, resolves CNS names."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from cns.client import CnsClient
from tests.integration.helpers import A0, deploy, deploy_token

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tests" / "js" / "ens_client.mjs"
TIMEOUT_S = 90


@pytest.mark.js
@pytest.mark.timeout(TIMEOUT_S + 30)
def test_ethers_resolves_latest_and_pinned_names(node: Any, tmp_path: Path) -> None:
    nodejs = shutil.which("node")
    if nodejs is None or not (REPO_ROOT / "node_modules" / "ethers").is_dir():
        pytest.fail("needs node and `npm ci` in the repository root (run ./scripts/setup)")
    w3 = Web3(Web3.HTTPProvider(node.http_url))
    old, new = deploy(w3, "Counter"), deploy(w3, "Counter")
    cns = CnsClient(w3, sender=A0)
    cns.register("EthersPay", "1.0.0", old.address, old.abi)
    cns.register("EthersPay", "2.0.0", new.address, new.abi, make_latest=True)
    token = deploy_token(w3)
    token.functions.transfer("etherspay.wabei", 42).transact({"from": A0})
    expectations = {
        "name": "etherspay.wabei", "latest": new.address,
        "pinnedName": "v1-0-0.etherspay.wabei", "pinned": old.address, "version": "2.0.0",
        "token": token.address, "tokenBalance": "42", "ghost": "nobody-here.wabei",
    }
    spec = tmp_path / "expect.json"
    spec.write_text(json.dumps(expectations))
    result = subprocess.run([nodejs, str(SCRIPT), node.http_url, str(spec)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stdout.splitlines()[-3:] == ["ok registry", "ok universal-resolver", "ok all"]
