"""Which package may import which, read from the source (lazy imports inside functions count,
imports only for type checking do not).

The node (`chain`, `vm_hooks`) never imports web3, an application or the network layer built on
it; a network node (`network`: the CometBFT application and engine) imports no client or
application either; nothing but `cli` imports the CLI; and no module imports itself back through others (issue 9: deploy/cli.py and
deploy/cns_commands.py did).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("chain", "cli", "cns", "governance", "deploy", "explorer", "sharing", "transact", "vm_hooks", "network",
            "warehouse")
NODE = ("chain", "vm_hooks", "network")
# The chain's own name rules live in vm_hooks/names.py (pinned), and cns builds on them, so the
# node imports nothing of the CNS client either.
NOT_IN_THE_NODE = ("web3", "ens", "cli", "cns", "governance", "deploy", "sharing", "transact", "warehouse")
# The network layer builds on the chain (network/abci maps ABCI onto its block pipeline), so the
# chain must never reach up into it: a devnet runs without CometBFT or its generated classes.
BELOW_THE_NETWORK = ("chain", "vm_hooks")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every absolute import in the file, as dotted names (`from a import b` gives a and a.b).

    Imports under `if TYPE_CHECKING:` are left out: they never run, and annotations that refer
    to each other across modules are how Python spells a mutual dependency of types.
    """
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_of(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_module_of(n) for n in _imports(path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


@pytest.mark.parametrize("package", NODE)
def test_the_node_imports_no_client_and_no_application(package: str) -> None:
    bad = sorted(f"{module} imports {name}" for module, path in MODULES.items()
                 if module.split(".")[0] == package for name in _imports(path)
                 if name.split(".")[0] in NOT_IN_THE_NODE)
    assert not bad


@pytest.mark.parametrize("package", BELOW_THE_NETWORK)
def test_the_chain_does_not_import_the_network_layer(package: str) -> None:
    bad = sorted(f"{module} imports {name}" for module, path in MODULES.items()
                 if module.split(".")[0] == package for name in _imports(path)
                 if name.split(".")[0] == "network")
    assert not bad


def test_only_the_cli_imports_the_cli() -> None:
    bad = sorted(f"{m} imports {t}" for m, ts in _graph().items() for t in ts
                 if t.split(".")[0] == "cli" and m.split(".")[0] != "cli")
    assert not bad


def test_no_module_imports_itself_back() -> None:
    graph = _graph()
    cycles = [path for start in graph if (path := _cycle_from(graph, start))]
    assert not cycles, cycles[0]


def test_packages_form_no_cycle() -> None:
    edges = {(m.split(".")[0], t.split(".")[0]) for m, ts in _graph().items() for t in ts
             if m.split(".")[0] != t.split(".")[0]}
    graph = {p: {b for a, b in edges if a == p} for p in PACKAGES}
    cycles = [path for start in graph if (path := _cycle_from(graph, start))]
    assert not cycles, cycles[0]


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start, if there is one (depth-first)."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


@pytest.mark.parametrize("module", ["chain.cli", "cli.main", "network.cli"])
def test_starting_a_node_loads_no_web3(module: str) -> None:
    # `wabei node` goes through both; importing web3 alone took 1.5 s here (python -X importtime).
    code = f"import sys, {module}; print(sorted(m for m in ('web3', 'ens', 'deploy', 'sharing') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    """The cycle checks above can fail."""
    assert _cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]
    assert _cycle_from({"a": {"b"}, "b": set()}, "a") is None


def test_the_explorer_package_is_a_leaf() -> None:
    """chain/node.py serves the explorer's files (explorer/routes.py), so that package may import
    only aiohttp and the standard library: the page reads the chain over JSON-RPC like any client."""
    allowed = {"__future__", "aiohttp", "pathlib"}
    bad = sorted(f"{module} imports {name}" for module, path in MODULES.items()
                 if module.split(".")[0] == "explorer" for name in _imports(path)
                 if name.split(".")[0] not in allowed)
    assert not bad
