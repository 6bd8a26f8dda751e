"""The Solidity interfaces of the regulation precompiles say exactly what the precompiles do:
same functions (names, input and output types, mutability) and same events, compiled with the
pinned solc and compared with the ABI the Python clients build from the precompiles' tables."""
from __future__ import annotations

from typing import Any

import pytest

from deploy.compile import default_root, load_config, run_standard_json
from governance.kyc import IDENTITY_ABI
from governance.regulation import REGULATION_ABI

SOURCES = {"contracts/governance/RegulationPrecompiled.sol": ("RegulationPrecompiled", REGULATION_ABI),
           "contracts/governance/IdentityRegistryPrecompiled.sol": ("IdentityRegistryPrecompiled", IDENTITY_ABI)}


def _shape(abi: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """What must agree: kind, name, types (with indexed flags for events), outputs, mutability."""
    out = set()
    for item in abi:
        inputs = tuple((i["type"], i.get("indexed", False)) for i in item.get("inputs", []))
        outputs = tuple(o["type"] for o in item.get("outputs", []))
        mutability = "nonpayable" if item.get("stateMutability") in ("nonpayable", "payable") else item.get("stateMutability")
        out.add((item["type"], item["name"], inputs, outputs, mutability))
    return out


@pytest.fixture(scope="module")
def compiled() -> dict[str, Any]:
    root = default_root()
    config = load_config(root)
    sources = {name: {"content": (root / name).read_text(encoding="utf-8")} for name in SOURCES}
    output: dict[str, Any] = run_standard_json({"language": "Solidity", "sources": sources,
                                                "settings": config.settings}, root, config.version)
    assert not [e for e in output.get("errors", []) if e.get("severity") == "error"], output["errors"]
    return output


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_the_interface_matches_the_precompile(compiled: dict[str, Any], source: str) -> None:
    name, client_abi = SOURCES[source]
    solidity = compiled["contracts"][source][name]["abi"]
    assert _shape(solidity) == _shape(client_abi)


def test_the_comparison_can_fail() -> None:
    changed = [dict(REGULATION_ABI[0], name="setRegulators")] + REGULATION_ABI[1:]
    assert _shape(changed) != _shape(REGULATION_ABI)
