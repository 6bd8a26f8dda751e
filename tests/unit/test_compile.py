"""Tests for deploy.compile: committed artefacts match the sources, errors are helpful."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from deploy.compile import (
    BUILD_DIR,
    Artifact,
    ArtifactNotFoundError,
    CompilationError,
    CompileError,
    compile_sources,
    discover_sources,
    find_native_solc,
    load_artifact,
    load_config,
)

ROOT = Path(__file__).resolve().parents[2]

# Our own contracts must compile without warnings; a warning fails the test run.
pytestmark = pytest.mark.filterwarnings("error::deploy.compile.SolcWarning")


@pytest.fixture(scope="module")
def rebuilt() -> dict[str, Artifact]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WABEI_COMPILE_CACHE", "off")  # the compiler itself must reproduce them
        return compile_sources(discover_sources(ROOT), ROOT)


def _abi_entries(artifact: Artifact, kind: str) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in artifact.abi if entry["type"] == kind}


def test_committed_artifacts_match_sources(rebuilt: dict[str, Artifact]) -> None:
    committed = {p.stem for p in (ROOT / BUILD_DIR).glob("*.json")}
    assert committed == set(rebuilt), "contracts/build is stale: run `wabei compile` (or `python -m cli compile`)"
    for name, fresh in rebuilt.items():
        stored = load_artifact(name, ROOT)
        assert stored.bytecode == fresh.bytecode, f"{name} bytecode drifted"
        assert stored.deployed_bytecode == fresh.deployed_bytecode, f"{name} runtime code drifted"
        assert stored.abi == fresh.abi, f"{name} ABI drifted"
        assert stored == fresh


def test_artifact_files_have_exactly_the_documented_keys() -> None:
    for path in (ROOT / BUILD_DIR).glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert list(data) == [
            "contractName", "sourceName", "abi", "bytecode", "deployedBytecode", "metadata",
        ]
        assert data["contractName"] == path.stem
        assert data["bytecode"].startswith("0x") and len(data["bytecode"]) > 2
        assert data["deployedBytecode"].startswith("0x") and len(data["deployedBytecode"]) > 2


def test_only_own_deployable_contracts_get_artifacts(rebuilt: dict[str, Artifact]) -> None:
    assert {"TestToken", "Counter"} <= set(rebuilt)
    assert "ERC20" not in rebuilt  # OpenZeppelin's sources are compiled but not emitted
    for artifact in rebuilt.values():
        assert artifact.source_name.startswith("contracts/")


def test_metadata_is_checkout_independent(rebuilt: dict[str, Artifact]) -> None:
    config = load_config(ROOT)
    for artifact in rebuilt.values():
        assert str(ROOT) not in artifact.metadata
        metadata = json.loads(artifact.metadata)
        assert metadata["compiler"]["version"].startswith(config.version + "+")
        assert metadata["settings"]["evmVersion"] == "cancun"
        assert metadata["settings"]["optimizer"] == {"enabled": True, "runs": 200}
        for source in metadata["sources"]:
            assert source.startswith(("contracts/", "@openzeppelin/contracts/")), source


def test_test_token_abi(rebuilt: dict[str, Artifact]) -> None:
    token = rebuilt["TestToken"]
    functions = _abi_entries(token, "function")
    assert {
        "name", "symbol", "decimals", "totalSupply", "balanceOf", "transfer", "approve",
        "allowance", "transferFrom", "mint", "failWithReason", "failWithCustomError",
        "failWithPanic", "emitPing", "currentTime", "blockNumber",
    } <= set(functions)
    assert functions["failWithPanic"]["stateMutability"] == "pure"
    assert functions["currentTime"]["stateMutability"] == "view"
    assert functions["mint"]["stateMutability"] == "nonpayable"

    constructor = [e for e in token.abi if e["type"] == "constructor"][0]
    assert [i["type"] for i in constructor["inputs"]] == ["string", "string", "uint256"]

    errors = _abi_entries(token, "error")
    assert [(i["name"], i["type"]) for i in errors["InsufficientThing"]["inputs"]] == [
        ("have", "uint256"), ("want", "uint256"),
    ]
    assert "ERC20InsufficientBalance" in errors  # inherited from OpenZeppelin

    ping = _abi_entries(token, "event")["Ping"]
    assert [(i["name"], i["type"], i["indexed"]) for i in ping["inputs"]] == [
        ("from", "address", True), ("value", "uint256", True), ("note", "string", False),
    ]


def test_counter_abi(rebuilt: dict[str, Artifact]) -> None:
    counter = rebuilt["Counter"]
    assert set(_abi_entries(counter, "function")) == {"increment", "number"}
    event = _abi_entries(counter, "event")["Incremented"]
    assert [(i["name"], i["type"]) for i in event["inputs"]] == [("newValue", "uint256")]


def test_syntax_error_raises_compilation_error(tmp_path: Path) -> None:
    broken = tmp_path / "Broken.sol"
    broken.write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        "contract Broken {\n    uint256 x\n}\n",
        encoding="utf-8",
    )
    with pytest.raises(CompilationError) as info:
        compile_sources([broken], tmp_path, config=load_config(ROOT))
    message = str(info.value)
    assert "ParserError" in message
    assert "Broken.sol:5:1" in message  # file and line point at the problem
    assert info.value.messages and all("Error" in m for m in info.value.messages)


def test_missing_import_names_the_import(tmp_path: Path) -> None:
    source = tmp_path / "Importer.sol"
    source.write_text(
        '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\nimport "./Nowhere.sol";\n',
        encoding="utf-8",
    )
    with pytest.raises(CompilationError, match="Nowhere.sol"):
        compile_sources([source], tmp_path, config=load_config(ROOT))


def test_source_outside_root_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="outside the project root"):
        compile_sources([tmp_path / "Elsewhere.sol"], ROOT)


def test_load_artifact_unknown_name() -> None:
    with pytest.raises(ArtifactNotFoundError):
        load_artifact("NoSuchContract", ROOT)
    with pytest.raises(ArtifactNotFoundError):
        load_artifact("../compiler", ROOT)


def test_load_artifact_defaults_to_this_repository() -> None:
    assert load_artifact("Counter") == load_artifact("Counter", ROOT)


@pytest.mark.parametrize(
    ("reported", "expected_native"),
    [("0.8.30+commit.73712a01.Linux.g++", True), ("0.8.29+commit.ab55807c.Linux.g++", False)],
)
def test_native_solc_used_only_at_exact_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported: str, expected_native: bool
) -> None:
    fake = tmp_path / "solc"
    fake.write_text(
        "#!/bin/sh\necho 'solc, the solidity compiler commandline interface'\n"
        f"echo 'Version: {reported}'\n",
        encoding="utf-8",
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_native_solc("0.8.30")
    assert (found == str(fake)) if expected_native else found is None
