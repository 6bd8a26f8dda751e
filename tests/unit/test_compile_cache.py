"""The solc output cache: hits only when the input and every imported file are unchanged."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deploy import compile_cache

INPUT: dict[str, Any] = {"language": "Solidity", "sources": {"A.sol": {"content": "import 'lib/B.sol';"}}}
OUTPUT: dict[str, Any] = {"sources": {"A.sol": {"id": 0}, "lib/B.sol": {"id": 1}}, "contracts": {}}


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("WABEI_COMPILE_CACHE", raising=False)
    root = tmp_path / "project"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "B.sol").write_text("contract B {}")
    return root


def test_a_stored_output_is_found_again(project: Path) -> None:
    assert compile_cache.lookup(INPUT, project, "0.8.30", []) is None
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    assert compile_cache.lookup(INPUT, project, "0.8.30", []) == OUTPUT


def test_an_edited_import_misses(project: Path) -> None:
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    (project / "lib" / "B.sol").write_text("contract B { uint x; }")
    assert compile_cache.lookup(INPUT, project, "0.8.30", []) is None


def test_a_deleted_import_misses(project: Path) -> None:
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    (project / "lib" / "B.sol").unlink()
    assert compile_cache.lookup(INPUT, project, "0.8.30", []) is None


@pytest.mark.parametrize("change", ["input", "version"])
def test_other_inputs_or_versions_miss(project: Path, change: str) -> None:
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    other_input = {**INPUT, "settings": {"optimizer": {"enabled": True}}}
    args: dict[str, Any] = {"input": (other_input, project, "0.8.30", []),
                            "version": (INPUT, project, "0.8.29", [])}[change]
    assert compile_cache.lookup(*args) is None


def test_an_import_that_resolves_elsewhere_is_checked_there(project: Path, tmp_path: Path) -> None:
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    other = tmp_path / "other"
    (other / "lib").mkdir(parents=True)
    (other / "lib" / "B.sol").write_text("contract B {}")
    assert compile_cache.lookup(INPUT, other, "0.8.30", []) == OUTPUT  # same bytes: a hit
    (other / "lib" / "B.sol").write_text("contract B { bool y; }")
    assert compile_cache.lookup(INPUT, other, "0.8.30", []) is None


def test_the_cache_can_be_turned_off(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compile_cache.store(INPUT, project, "0.8.30", [], OUTPUT)
    monkeypatch.setenv("WABEI_COMPILE_CACHE", "off")
    assert compile_cache.lookup(INPUT, project, "0.8.30", []) is None
