"""Where ABIs come from: the CNS on chain, deployment manifests, and a user ABI directory.

A source that cannot be read does not stop the export: each loader returns the problems it met
as `AbiSourceError`s naming the file (or the CNS name), and the caller reports them.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.address import is_address

from cns.abi import CNS_ABI
from vm_hooks.addresses import CNS
from warehouse.abi_book import AbiBook, ContractAbi, selector, topic
from warehouse.errors import AbiSourceError, RpcError
from warehouse.rpc import RpcClient

CNS_ADDRESS = "0x" + bytes(CNS).hex() if isinstance(CNS, (bytes, bytearray)) else str(CNS).lower()
_VERSION_PUBLISHED = next(e for e in CNS_ABI if e.get("type") == "event" and e["name"] == "VersionPublished")
VERSION_PUBLISHED_TOPIC = "0x" + topic(_VERSION_PUBLISHED).hex()
_SELECT_BY_NAME = next(f for f in CNS_ABI if f.get("type") == "function" and f["name"] == "selectByName")


def _check_abi(abi: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(abi, list) or not all(isinstance(i, dict) and "type" in i for i in abi):
        raise AbiSourceError(f"{where}: the ABI is not a JSON array of ABI entries")
    try:
        ContractAbi("check", abi)
    except Exception as exc:  # eth_utils raises several types for a malformed entry
        raise AbiSourceError(f"{where}: an ABI entry is malformed: {exc}") from None
    return abi


def load_user_file(path: Path) -> list[tuple[str, ContractAbi]]:
    """One user ABI file: `{"address": "0x…" | "addresses": [...], "abi": [...], "name"?: str}`.

    The tables are named after `name`, or the file's stem. Raises AbiSourceError naming the file.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AbiSourceError(f"{path}: not readable JSON: {exc}") from None
    if not isinstance(data, dict):
        raise AbiSourceError(f"{path}: expected an object with \"address\" and \"abi\"")
    addresses = data.get("addresses") or ([data["address"]] if "address" in data else [])
    if not addresses or not all(isinstance(a, str) and is_address(a) for a in addresses):
        raise AbiSourceError(f"{path}: \"address\" (or \"addresses\") must give the contract's 0x address")
    abi = _check_abi(data.get("abi"), str(path))
    name = str(data.get("name") or path.stem)
    return [(a.lower(), ContractAbi(name, abi, source=f"file {path.name}")) for a in addresses]


def load_user_dir(directory: Path, book: AbiBook) -> list[AbiSourceError]:
    """Add every `*.json` in `directory` to `book`; returns the files that could not be used."""
    problems: list[AbiSourceError] = []
    for path in sorted(directory.glob("*.json")):
        try:
            for address, contract in load_user_file(path):
                book.add(address, contract)
        except AbiSourceError as exc:
            problems.append(exc)
    return problems


def load_manifests(directory: Path, chain_id: int, artifacts: Path | None, book: AbiBook) -> list[AbiSourceError]:
    """Add the deployments of `directory/<chain_id>.json` (deploy/manifest.py), with the ABIs of
    their build artefacts (contracts/build/<Contract>.json under `artifacts`)."""
    from deploy.compile import CompileError, load_artifact
    from deploy.errors import ManifestError
    from deploy.manifest import load, manifest_path

    if not manifest_path(directory, chain_id).is_file():
        return []
    try:
        manifest = load(directory, chain_id)
    except ManifestError as exc:
        return [AbiSourceError(str(exc))]
    problems: list[AbiSourceError] = []
    for entry in manifest.entries:
        name = entry.contract.rpartition(":")[2]
        try:
            abi = load_artifact(name, artifacts).abi
        except CompileError as exc:
            problems.append(AbiSourceError(f"{manifest_path(directory, chain_id)}: {entry.contract}: {exc}"))
            continue
        book.add(entry.address, ContractAbi(name, list(abi), from_block=0, source="manifest"))
    return problems


def load_cns(rpc: RpcClient, book: AbiBook) -> list[AbiSourceError]:
    """Add every CNS name's versions, each from the block its `VersionPublished` was logged in,
    with the ABI that version was published with; and the CNS precompile's own ABI."""
    book.add(CNS_ADDRESS, ContractAbi("cns", CNS_ABI, source="builtin"))
    logs = rpc.call("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": CNS_ADDRESS,
                                     "topics": [VERSION_PUBLISHED_TOPIC]}])
    published: dict[tuple[str, str], int] = {}
    for log in logs:
        name, version, _addr, _publisher = decode(["string", "string", "address", "address"],
                                                  bytes.fromhex(log["data"][2:]))
        published.setdefault((name.lower(), version), int(log["blockNumber"], 16))
    problems: list[AbiSourceError] = []
    names = sorted({n for n, _ in published})
    try:
        answers = rpc.batch([("eth_call", [{"to": CNS_ADDRESS, "data": _select_by_name(n)}, "latest"]) for n in names])
    except RpcError as exc:
        return [AbiSourceError(f"CNS: {exc}")]
    for name, raw in zip(names, answers):
        for version, address, abi in _cns_versions(raw):
            try:
                checked = _check_abi(abi, f"CNS {name}@{version}")
            except AbiSourceError as exc:
                problems.append(exc)
                continue
            book.add(address, ContractAbi(name, checked, version, published.get((name, version), 0), "cns"))
    return problems


def _select_by_name(name: str) -> str:
    return "0x" + (selector(_SELECT_BY_NAME) + encode(["string"], [name])).hex()


def _cns_versions(raw: str) -> list[tuple[str, str, Any]]:
    """(version, address, ABI or None) of each entry of a `selectByName` answer."""
    (text,) = decode(["string"], bytes.fromhex(raw[2:]))
    out = []
    for entry in json.loads(text):
        try:
            abi = json.loads(entry["abi"])
        except ValueError:
            abi = None
        out.append((str(entry["version"]), str(entry["address"]).lower(), abi))
    return out
