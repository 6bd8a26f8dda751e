"""ENSIP-15's official validation vectors, run against the chain's normaliser (vm_hooks.names).

Each vector is a name, and either `error: true` (normalisation must refuse it) or the expected
normalised form (`norm`, or the name itself). About 38,600 vectors, 3-4 s. The data file and
where it comes from: tests/unit/data/README.md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vm_hooks.errors import NameRuleError
from vm_hooks.names import ENS_NORMALIZE_VERSION, ensip15_normalize

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS_FILE = Path(__file__).parent / "data" / "ensip15-tests-1.11.1.json"
# Pinned ens-normalize version -> the ens-normalize.js release whose tables (and vectors) it carries.
VECTORS_FOR_PIN = {"3.0.10": ("1.11.1", "17.0.0")}


@pytest.fixture(scope="module")
def vectors() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
    return loaded


def _first(failures: list[str]) -> str:
    return f"{len(failures)} vectors fail, the first ones: " + "; ".join(failures[:10])


def test_the_vectors_are_those_of_the_pinned_library(vectors: list[dict[str, Any]]) -> None:
    header = vectors[0]
    version, unicode = VECTORS_FOR_PIN[ENS_NORMALIZE_VERSION]
    assert header["name"] == "version"
    assert header["version"] == version
    assert header["unicode"].split()[0] == unicode
    assert len(vectors) > 38_000


def test_valid_names_normalise_as_the_vectors_say(vectors: list[dict[str, Any]]) -> None:
    failures = []
    for vector in vectors[1:]:
        if vector.get("error"):
            continue
        expected = vector.get("norm", vector["name"])
        try:
            got = ensip15_normalize(vector["name"])
        except NameRuleError as exc:
            failures.append(f"{vector['name']!r} refused: {exc}")
            continue
        if got != expected:
            failures.append(f"{vector['name']!r} -> {got!r}, expected {expected!r}")
    assert not failures, _first(failures)


def test_invalid_names_are_refused(vectors: list[dict[str, Any]]) -> None:
    failures = []
    for vector in vectors[1:]:
        if not vector.get("error"):
            continue
        try:
            got = ensip15_normalize(vector["name"])
        except NameRuleError:
            continue
        failures.append(f"{vector['name']!r} accepted as {got!r} ({vector.get('comment', '')})")
    assert not failures, _first(failures)


_DIGEST_OF_REFUSALS = f"""
import hashlib, json
from vm_hooks.errors import NameRuleError
from vm_hooks.names import ensip15_normalize
digest = hashlib.sha256()
for vector in json.loads(open({str(VECTORS_FILE)!r}, encoding="utf-8").read())[1:]:
    if vector.get("error"):
        try:
            ensip15_normalize(vector["name"])
        except NameRuleError as exc:
            digest.update(str(exc).encode("utf-8", "surrogatepass") + b"\\0")
print(digest.hexdigest())
"""


def test_refusal_reasons_do_not_depend_on_the_hash_seed() -> None:
    """A refusal's reason is revert data that contracts can read, so it must be the same on
    every node. web3's normaliser listed confusable scripts in set order, which changed with
    PYTHONHASHSEED; this runs every refused vector under two seeds and compares the reasons."""
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _DIGEST_OF_REFUSALS], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        digests.add(done.stdout.strip())
    assert len(digests) == 1
