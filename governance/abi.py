"""JSON ABIs of the governance precompiles, written out here because interfaces have no build
artefact; they match contracts/governance/*.sol (tests/integration/test_governance_* call the
chain through both)."""
from __future__ import annotations

from typing import Any


def _fn(name: str, inputs: list[str], outputs: list[str], mutability: str = "view") -> dict[str, Any]:
    return {
        "type": "function", "name": name, "stateMutability": mutability,
        "inputs": [{"name": f"arg{i}", "type": t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", "type": t} for t in outputs],
    }


def _event(name: str, fields: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {"type": "event", "name": name, "anonymous": False,
            "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in fields]}


_W = "nonpayable"

SYSTEM_CONFIG_ABI: list[dict[str, Any]] = [
    _fn("setValueByKey", ["string", "string"], ["int32"], _W),
    _fn("getValueByKey", ["string"], ["string", "int64"]),
    _event("SystemConfigChanged", [("key", "string", False), ("value", "string", False),
                                   ("enableNumber", "int64", False)]),
]

PERMISSION_ABI: list[dict[str, Any]] = [
    _fn("getAdmin", ["address"], ["address"]),
    _fn("resetAdmin", ["address", "address"], ["int256"], _W),
    _fn("setMethodAuthType", ["address", "bytes4", "uint8"], ["int256"], _W),
    _fn("openMethodAuth", ["address", "bytes4", "address"], ["int256"], _W),
    _fn("closeMethodAuth", ["address", "bytes4", "address"], ["int256"], _W),
    _fn("checkMethodAuth", ["address", "bytes4", "address"], ["bool"]),
    _fn("getMethodAuth", ["address", "bytes4"], ["uint8", "string[]", "string[]"]),
    _fn("setContractStatus", ["address", "uint8"], ["int256"], _W),
    _fn("contractAvailable", ["address"], ["bool"]),
    _fn("contractStatus", ["address"], ["uint8"]),
    _fn("deployType", [], ["uint256"]),
    _fn("setDeployAuthType", ["uint8"], ["int256"], _W),
    _fn("openDeployAuth", ["address"], ["int256"], _W),
    _fn("closeDeployAuth", ["address"], ["int256"], _W),
    _fn("hasDeployAuth", ["address"], ["bool"]),
    _fn("governors", [], ["address[]"]),
    _event("DeployAuthTypeSet", [("authType", "uint8", False)]),
    _event("DeployAuthChanged", [("account", "address", True), ("open", "bool", False)]),
    _event("MethodAuthTypeSet", [("contractAddr", "address", True), ("func", "bytes4", False),
                                 ("authType", "uint8", False)]),
    _event("MethodAuthChanged", [("contractAddr", "address", True), ("func", "bytes4", False),
                                 ("account", "address", True), ("open", "bool", False)]),
    _event("ContractStatusChanged", [("contractAddr", "address", True), ("status", "uint8", False)]),
    _event("AdminReset", [("contractAddr", "address", True), ("admin", "address", False)]),
]

ACCOUNT_MANAGER_ABI: list[dict[str, Any]] = [
    _fn("setAccountStatus", ["address", "uint8"], ["int32"], _W),
    _fn("getAccountStatus", ["address"], ["uint8"]),
    _event("AccountStatusChanged", [("account", "address", True), ("status", "uint8", False)]),
]
