"""Compile Wabei's Solidity sources with the pinned solc and manage the build artefacts.

Artefacts in ``contracts/build`` are committed so that the devnet and its tests can deploy
contracts without a compiler; ``tests/unit/test_compile.py`` rebuilds them to prove they
never drift from the sources. Reproducibility rests on three choices:

* the compiler version and settings come only from ``contracts/compiler.json``;
* sources are named by root-relative source unit names (``contracts/test/Counter.sol``,
  ``@openzeppelin/contracts/...``), so metadata never holds a checkout path;
* a native ``solc`` is used only if it is exactly the pinned version, otherwise the npm
  ``solc`` (soljson) runs through ``deploy/solc_compile.js``; both emit identical bytecode.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from deploy import compile_cache

CONFIG_FILE = Path("contracts") / "compiler.json"
SOURCES_DIR = Path("contracts")
BUILD_DIR = Path("contracts") / "build"
_NODE_SCRIPT = Path(__file__).resolve().with_name("solc_compile.js")
_VERSION_RE = re.compile(r"Version:\s*(\d+\.\d+\.\d+)\+")
_ARTIFACT_NAME_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class CompileError(Exception):
    """Base of every error raised by this module."""


class CompilationError(CompileError):
    """solc rejected the sources; ``messages`` holds solc's formatted error messages."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__("solc reported errors:\n" + "\n".join(self.messages))


class CompilerUnavailableError(CompileError):
    """Neither a native solc of the pinned version nor node with the npm solc can run."""


class ArtifactNotFoundError(CompileError):
    """No artefact of that contract name exists in ``contracts/build``."""


class SolcWarning(UserWarning):
    """A warning solc reported for a source that still compiled."""


@dataclass(frozen=True)
class Artifact:
    """One compiled contract, as stored in ``contracts/build/<contract_name>.json``.

    ``bytecode`` (creation code) and ``deployed_bytecode`` (runtime code) are 0x-prefixed
    hex strings; ``metadata`` is solc's metadata JSON, kept as the exact string solc emitted
    because the bytecode embeds its hash.
    """

    contract_name: str
    source_name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    metadata: str

    def to_json(self) -> dict[str, Any]:
        """Return the artefact file's JSON object (Hardhat-style camelCase keys)."""
        return {
            "contractName": self.contract_name,
            "sourceName": self.source_name,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
            "metadata": self.metadata,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Artifact:
        """Build an artefact from an artefact file's JSON; raises ``KeyError`` on a missing key."""
        return cls(
            contract_name=data["contractName"],
            source_name=data["sourceName"],
            abi=list(data["abi"]),
            bytecode=data["bytecode"],
            deployed_bytecode=data["deployedBytecode"],
            metadata=data["metadata"],
        )


@dataclass(frozen=True)
class CompilerConfig:
    """The pinned compiler: an exact solc version and standard-JSON ``settings``."""

    version: str
    settings: dict[str, Any]


def default_root() -> Path:
    """The repository this module was loaded from (the parent of ``deploy/``)."""
    return Path(__file__).resolve().parent.parent


def load_config(root: Path) -> CompilerConfig:
    """Read ``contracts/compiler.json`` under ``root``; raises ``CompileError`` if unusable."""
    path = root / CONFIG_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return CompilerConfig(version=str(raw["version"]), settings=dict(raw["settings"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CompileError(f"cannot read compiler config {path}: {exc}") from exc


def discover_sources(root: Path) -> list[Path]:
    """Every ``.sol`` file under ``contracts/`` (except ``contracts/build/``), sorted."""
    build = (root / BUILD_DIR).resolve()
    found = (p for p in (root / SOURCES_DIR).rglob("*.sol") if p.is_file())
    return sorted(p for p in found if not p.resolve().is_relative_to(build))


def source_unit_name(path: Path, root: Path) -> str:
    """The root-relative POSIX name solc sees for ``path`` (a relative path is from ``root``)."""
    full = (path if path.is_absolute() else root / path).resolve()
    try:
        return full.relative_to(root.resolve()).as_posix()
    except ValueError as exc:
        raise CompileError(f"source {path} is outside the project root {root}") from exc


def find_native_solc(version: str) -> str | None:
    """Path of a ``solc`` on PATH whose ``--version`` is exactly ``version``, else ``None``."""
    solc = shutil.which("solc")
    if solc is None:
        return None
    try:
        proc = subprocess.run([solc, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_RE.search(proc.stdout)
    return solc if match is not None and match.group(1) == version else None


def _solc_command(root: Path, version: str, include: Sequence[Path] = ()) -> list[str]:
    native = find_native_solc(version)
    if native is not None:
        # With base path and include path, native solc resolves imports by the same
        # source unit names as the node script's import callback.
        cmd = [native, "--standard-json", "--base-path", "."]
        if (root / "node_modules").is_dir():
            cmd += ["--include-path", "node_modules"]
        for extra in include:
            cmd += ["--include-path", str(extra.resolve())]
        return cmd
    node = shutil.which("node")
    if node is None:
        raise CompilerUnavailableError(
            f"no solc {version} on PATH and no node to run the npm solc; run `npm ci`"
        )
    return [node, str(_NODE_SCRIPT), str(root.resolve()), *(str(d.resolve()) for d in include)]


def run_standard_json(
    std_input: Mapping[str, Any], root: Path, version: str, include: Sequence[Path] = ()
) -> dict[str, Any]:
    """Run solc on a standard-JSON input with imports resolved from ``root``; return its output.

    Imports not found under ``root`` or ``root/node_modules`` are looked up in the
    ``include`` directories, in order. Compiler diagnostics are left in the output's
    ``errors``; only a failure to run solc at all raises (``CompilerUnavailableError`` or
    ``CompileError``).
    """
    cached = compile_cache.lookup(std_input, root, version, include)
    if cached is not None:
        return cached
    output = _run_solc(std_input, root, version, include)
    compile_cache.store(std_input, root, version, include, output)
    return output


def _run_solc(
    std_input: Mapping[str, Any], root: Path, version: str, include: Sequence[Path]
) -> dict[str, Any]:
    cmd = _solc_command(root, version, include)
    try:
        proc = subprocess.run(
            cmd, input=json.dumps(std_input), capture_output=True, text=True, cwd=root
        )
    except OSError as exc:
        raise CompilerUnavailableError(f"cannot run {cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise CompileError(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr.strip()}")
    try:
        return cast(dict[str, Any], json.loads(proc.stdout))
    except ValueError as exc:
        raise CompileError(f"solc printed invalid JSON: {proc.stdout[:200]!r}") from exc


def _check_diagnostics(output: Mapping[str, Any]) -> None:
    errors: list[str] = []
    for diag in output.get("errors", []):
        text = str(diag.get("formattedMessage") or diag.get("message", diag))
        if diag.get("severity") == "error":
            errors.append(text)
        else:
            warnings.warn(text, SolcWarning, stacklevel=3)
    if errors:
        raise CompilationError(errors)


def _collect(
    output: Mapping[str, Any], wanted: Iterable[str], version: str
) -> dict[str, Artifact]:
    artifacts: dict[str, Artifact] = {}
    for source in sorted(wanted):
        for name, data in sorted(output.get("contracts", {}).get(source, {}).items()):
            bytecode = data["evm"]["bytecode"]["object"]
            if not bytecode:  # interfaces and abstract contracts cannot be deployed
                continue
            if name in artifacts:  # artefact files are keyed by contract name alone
                first = artifacts[name].source_name
                raise CompileError(f"contract {name} is in both {first} and {source}")
            compiled_with = json.loads(data["metadata"])["compiler"]["version"]
            if not str(compiled_with).startswith(version + "+"):
                raise CompileError(f"expected solc {version}, {compiled_with} compiled {source}")
            artifacts[name] = Artifact(
                contract_name=name,
                source_name=source,
                abi=data["abi"],
                bytecode="0x" + bytecode,
                deployed_bytecode="0x" + data["evm"]["deployedBytecode"]["object"],
                metadata=data["metadata"],
            )
    return artifacts


def compile_sources(
    paths: list[Path], root: Path, config: CompilerConfig | None = None,
    include: Sequence[Path] = (),
) -> dict[str, Artifact]:
    """Compile ``paths`` with the pinned compiler and return their deployable contracts by name.

    Paths are absolute or relative to ``root`` and must lie inside it; imports resolve from
    ``root``, ``root/node_modules``, then the ``include`` directories. Only contracts defined in ``paths`` themselves are
    returned, and only those with creation code. ``config`` defaults to
    ``root/contracts/compiler.json``. Raises ``CompilationError`` with solc's messages when
    the sources do not compile; solc warnings are issued as ``SolcWarning``.
    """
    config = config if config is not None else load_config(root)
    names = sorted({source_unit_name(p, root) for p in paths})
    sources: dict[str, dict[str, str]] = {}
    for name in names:
        try:
            sources[name] = {"content": (root / name).read_text(encoding="utf-8")}
        except OSError as exc:
            raise CompileError(f"cannot read source {name}: {exc}") from exc
    std_input = {"language": "Solidity", "sources": sources, "settings": config.settings}
    output = run_standard_json(std_input, root, config.version, include)
    _check_diagnostics(output)
    return _collect(output, names, config.version)


def compile_file(path: Path, project_root: Path | None = None) -> dict[str, Artifact]:
    """Compile a user's ``.sol`` file anywhere on disk with Wabei's pinned compiler.

    The source's base directory is the current directory when the file lies under it (so
    ``../lib/X.sol`` imports within a project work), else the file's own directory. Imports
    resolve from the base, its ``node_modules``, then ``project_root/node_modules``
    (``project_root`` defaults to this repository, whose pinned OpenZeppelin is always
    there). Raises ``CompileError`` for a missing file and ``CompilationError`` when solc
    rejects it; returns the file's deployable contracts by name.
    """
    project_root = project_root if project_root is not None else default_root()
    full = path.resolve()
    if not full.is_file():
        raise CompileError(f"no such source file: {path}")
    cwd = Path.cwd().resolve()
    base = cwd if full.is_relative_to(cwd) else full.parent
    include = [d for d in (project_root / "node_modules",) if d.is_dir()]
    return compile_sources([full], base, load_config(project_root), include)


def write_artifacts(artifacts: Mapping[str, Artifact], root: Path) -> dict[str, Path]:
    """Write each artefact to ``root/contracts/build/<name>.json``; return the paths by name."""
    build = root / BUILD_DIR
    build.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, artifact in sorted(artifacts.items()):
        path = build / f"{name}.json"
        path.write_text(json.dumps(artifact.to_json(), indent=2) + "\n", encoding="utf-8")
        written[name] = path
    return written


def build_all(root: Path) -> dict[str, Path]:
    """Compile every source under ``contracts/`` and rewrite ``contracts/build`` to match.

    Artefact files for contracts that no longer exist are deleted, because the build
    directory is entirely generated. Returns the written paths by contract name.
    """
    written = write_artifacts(compile_sources(discover_sources(root), root), root)
    keep = set(written.values())
    for stale in (root / BUILD_DIR).glob("*.json"):
        if stale not in keep:
            stale.unlink()
    return written


def load_artifact(name: str, root: Path | None = None) -> Artifact:
    """Read ``contracts/build/<name>.json`` (``root`` defaults to this repository).

    Raises ``ArtifactNotFoundError`` if there is no such artefact; run ``wabei compile``.
    """
    root = root if root is not None else default_root()
    path = root / BUILD_DIR / f"{name}.json"
    if not _ARTIFACT_NAME_RE.match(name) or not path.is_file():
        raise ArtifactNotFoundError(f"no artefact {name!r} in {root / BUILD_DIR}")
    try:
        return Artifact.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise CompileError(f"artefact {path} is malformed: {exc}") from exc
