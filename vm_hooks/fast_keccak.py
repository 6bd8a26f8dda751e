"""Make eth-hash use safe-pysha3 (C) rather than pycryptodome, before anything hashes.

Keccak runs about 80 times per ERC-20 transfer; pycryptodome's ctypes wrapper costs about 11 us
a call, pysha3 about 3 us, with the same digests. eth-hash picks its backend once, on the first
hash in the process, from ETH_HASH_BACKEND or else the first library it finds (pycryptodome).
Modules of vm_hooks and chain hash at import time (function selectors, event topics), so the
choice is made when those packages are imported (their __init__ calls this), not later in the
node's start-up: made there, it came after the first hash and every node hashed the slow way.
"""
from __future__ import annotations

import importlib.util
import os


def prefer_fast_keccak() -> None:
    """Choose pysha3 if it is installed and nobody chose a backend (a no-op after a first hash)."""
    if "ETH_HASH_BACKEND" not in os.environ and importlib.util.find_spec("sha3") is not None:
        os.environ["ETH_HASH_BACKEND"] = "pysha3"
