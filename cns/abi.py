"""JSON ABIs of the CNS precompile (FISCO interface + Wabei additions) and the ENS resolver.

Written out here because interfaces have no build artefact; `tests/integration/test_cns_*`
checks them against the Solidity interfaces in contracts/cns by calling the chain.
"""
from __future__ import annotations

from typing import Any


def _fn(name: str, inputs: list[str], outputs: list[str], mutability: str = "view") -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "stateMutability": mutability,
        "inputs": [{"name": f"arg{i}", "type": t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", "type": t} for t in outputs],
    }


def _event(name: str, fields: list[tuple[str, str, bool]]) -> dict[str, Any]:
    return {
        "type": "event",
        "name": name,
        "anonymous": False,
        "inputs": [{"name": n, "type": t, "indexed": i} for n, t, i in fields],
    }


CNS_ABI: list[dict[str, Any]] = [
    _fn("insert", ["string", "string", "string", "string"], ["uint256"], "nonpayable"),
    _fn("selectByName", ["string"], ["string"]),
    _fn("selectByNameAndVersion", ["string", "string"], ["string"]),
    _fn("getContractAddress", ["string", "string"], ["address"]),
    _fn("setLatest", ["string", "string"], [], "nonpayable"),
    _fn("authorize", ["string", "address", "bool"], [], "nonpayable"),
    _fn("transferNameOwnership", ["string", "address"], [], "nonpayable"),
    _fn("ownerOf", ["string"], ["address"]),
    _fn("latestVersion", ["string"], ["string"]),
    _fn("isPublisher", ["string", "address"], ["bool"]),
    _fn("nameCount", [], ["uint256"]),
    _fn("nameAt", ["uint256"], ["string"]),
    _event("VersionPublished", [("node", "bytes32", True), ("name", "string", False),
                                ("version", "string", False), ("addr", "address", False),
                                ("publisher", "address", False)]),
    _event("LatestChanged", [("node", "bytes32", True), ("name", "string", False),
                             ("previousVersion", "string", False), ("version", "string", False),
                             ("addr", "address", False)]),
    _event("PublisherAuthorised", [("node", "bytes32", True), ("account", "address", True),
                                   ("allowed", "bool", False)]),
    _event("NameOwnershipTransferred", [("node", "bytes32", True), ("previousOwner", "address", True),
                                        ("newOwner", "address", True)]),
]

RESOLVER_ABI: list[dict[str, Any]] = [
    _fn("addr", ["bytes32"], ["address"]),
    _fn("text", ["bytes32", "string"], ["string"]),
    _fn("ABI", ["bytes32", "uint256"], ["uint256", "bytes"]),
    _fn("supportsInterface", ["bytes4"], ["bool"]),
]
