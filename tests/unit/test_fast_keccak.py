"""A node hashes with safe-pysha3, not pycryptodome: the backend is chosen when chain or vm_hooks
is imported, before their import-time hashing (it was chosen after, so every node hashed through
pycryptodome at ~4x the cost per call)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = ("from eth_hash.auto import keccak; keccak(b''); "
         "print(type(keccak._backend.keccak256.__self__).__name__)")


@pytest.mark.parametrize("first_import", ["chain.cli", "vm_hooks.precompile", "network.cli", "cli.main"])
def test_importing_wabei_first_chooses_pysha3(first_import: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ETH_HASH_BACKEND"}
    out = subprocess.run([sys.executable, "-c", f"import {first_import}; {PROBE}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "PySha3Backend"
