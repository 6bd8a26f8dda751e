"""chain/malloc.py: the node caps glibc's arenas before its threads start, unless the operator
set MALLOC_ARENA_MAX. Checked in a fresh interpreter, since the setting is process-wide."""
from __future__ import annotations

import os
import subprocess
import sys

PROBE = "from chain.malloc import limit_malloc_arenas; print(limit_malloc_arenas())"


def _probe(env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                         check=True, timeout=60)
    return out.stdout.strip()


def test_the_arena_cap_is_set_on_glibc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _probe(env) == "True"  # this machine's libc is glibc: mallopt accepted it


def test_an_operators_malloc_arena_max_wins() -> None:
    assert _probe({**os.environ, "MALLOC_ARENA_MAX": "4"}) == "False"
