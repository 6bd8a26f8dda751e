"""The chain's rules (vm_hooks) depend on nothing that a client-side upgrade could change.

vm_hooks is the state transition: if it imported web3, `ens`, or Wabei's own client and tool
packages, upgrading those could change a block. `cns` may import vm_hooks, never the reverse;
and the ENSIP-15 library under the name rules must be installed at exactly its pinned version.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import vm_hooks.names
from vm_hooks.errors import PinnedVersionMismatch

VM_HOOKS = Path(vm_hooks.names.__file__).parent
FORBIDDEN = {"cns", "chain", "web3", "ens", "deploy", "sharing"}


def _imported_packages(source: Path) -> set[str]:
    """Top-level names of every package `source` imports, lazily imported ones included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("source", sorted(VM_HOOKS.rglob("*.py")), ids=lambda p: p.name)
def test_vm_hooks_imports_no_client_package(source: Path) -> None:
    assert not _imported_packages(source) & FORBIDDEN


def test_the_check_refuses_another_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vm_hooks.names, "installed_version", lambda distribution: "0.0.1")
    with pytest.raises(PinnedVersionMismatch, match=r"ens-normalize==3\.0\.10 but 0\.0\.1"):
        vm_hooks.names.check_pinned_versions()


def test_the_check_refuses_a_missing_library(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import PackageNotFoundError

    def missing(distribution: str) -> str:
        raise PackageNotFoundError(distribution)

    monkeypatch.setattr(vm_hooks.names, "installed_version", missing)
    with pytest.raises(PinnedVersionMismatch, match="not installed"):
        vm_hooks.names.check_pinned_versions()


def test_the_installed_libraries_are_the_pinned_ones() -> None:
    vm_hooks.names.check_pinned_versions()
