"""Per-chain deployment manifests: `deployments/<chain_id>.json`, read and written atomically.

Pure file logic, no web3: the runner decides what to record, this module only stores it. A file
that cannot be parsed raises `ManifestError` and is never overwritten, so a hand-edited or
half-copied manifest is not silently replaced by an empty one.

File format (JSON, `format` 1):

    {"format": 1, "chainId": 31337, "deployments": [ENTRY, ...]}

ENTRY keys: `contract` ("path/File.sol:Contract"), `address`, `txHash`, `blockNumber`,
`bytecodeHash` (keccak of the creation code compiled), `codeHash` (keccak of the runtime code
on chain right after deployment), `constructorArgs` (JSON values), `cns` (list of
{"name", "version"} published for this address), `deployer`, `timestamp` (ISO 8601, UTC).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from deploy.errors import ManifestError

FORMAT = 1
DEFAULT_DIR = Path("deployments")


@dataclass(frozen=True)
class CnsRecord:
    """One CNS publication of a deployment."""

    name: str
    version: str


@dataclass(frozen=True)
class Entry:
    """One deployment on one chain."""

    contract: str
    address: str
    tx_hash: str
    block_number: int
    bytecode_hash: str
    code_hash: str
    constructor_args: list[Any]
    deployer: str
    timestamp: str
    cns: tuple[CnsRecord, ...] = field(default=())

    def same_build(self, contract: str, bytecode_hash: str, constructor_args: list[Any]) -> bool:
        """True if this entry deployed exactly this contract, creation code and arguments."""
        return (self.contract, self.bytecode_hash, self.constructor_args) == (
            contract, bytecode_hash, constructor_args)

    def with_cns(self, name: str, version: str) -> Entry:
        """This entry with `name`@`version` recorded (once)."""
        record = CnsRecord(name, version)
        return self if record in self.cns else replace(self, cns=(*self.cns, record))

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract, "address": self.address, "txHash": self.tx_hash,
            "blockNumber": self.block_number, "bytecodeHash": self.bytecode_hash,
            "codeHash": self.code_hash, "constructorArgs": self.constructor_args,
            "cns": [{"name": c.name, "version": c.version} for c in self.cns],
            "deployer": self.deployer, "timestamp": self.timestamp,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """Raises KeyError/TypeError/ValueError on a malformed entry (the caller wraps them)."""
        return cls(
            contract=str(data["contract"]), address=str(data["address"]),
            tx_hash=str(data["txHash"]), block_number=int(data["blockNumber"]),
            bytecode_hash=str(data["bytecodeHash"]), code_hash=str(data["codeHash"]),
            constructor_args=list(data["constructorArgs"]),
            cns=tuple(CnsRecord(str(c["name"]), str(c["version"])) for c in data.get("cns", [])),
            deployer=str(data["deployer"]), timestamp=str(data["timestamp"]),
        )


@dataclass(frozen=True)
class Manifest:
    """Every recorded deployment on one chain, oldest first."""

    chain_id: int
    entries: tuple[Entry, ...] = ()

    def find(self, contract: str, bytecode_hash: str, constructor_args: list[Any]) -> Entry | None:
        """The newest entry of this exact build, or None."""
        for entry in reversed(self.entries):
            if entry.same_build(contract, bytecode_hash, constructor_args):
                return entry
        return None

    def put(self, entry: Entry) -> Manifest:
        """This manifest with `entry` replacing the entry at the same address, or appended."""
        kept = [e for e in self.entries if e.address.lower() != entry.address.lower()]
        return replace(self, entries=(*kept, entry))

    def without(self, entry: Entry) -> Manifest:
        return replace(self, entries=tuple(e for e in self.entries if e != entry))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "chainId": self.chain_id,
                "deployments": [e.to_json() for e in self.entries]}


def manifest_path(directory: Path, chain_id: int) -> Path:
    return directory / f"{chain_id}.json"


def load(directory: Path, chain_id: int) -> Manifest:
    """The manifest of `chain_id` under `directory`; an empty one if there is no file yet.

    Raises ManifestError if the file exists but is unreadable, not JSON, of another format,
    or for another chain.
    """
    path = manifest_path(directory, chain_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest(chain_id)
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror}") from None
    return parse(text, chain_id, str(path))


def parse(text: str, chain_id: int, where: str = "manifest") -> Manifest:
    """Decode a manifest file's text; raises ManifestError naming `where` if it is corrupt."""
    hint = "fix or move the file; it was left unchanged"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"{where} is not valid JSON ({exc}); {hint}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{where} is not a format-{FORMAT} Wabei manifest; {hint}")
    if data.get("chainId") != chain_id:
        raise ManifestError(f"{where} is for chain id {data.get('chainId')!r}, not {chain_id}; {hint}")
    try:
        entries = tuple(Entry.from_json(e) for e in data["deployments"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ManifestError(f"{where} has a malformed deployment entry ({exc!r}); {hint}") from None
    return Manifest(chain_id, entries)


def save(directory: Path, manifest: Manifest) -> Path:
    """Write `manifest` atomically (temp file in the same directory, fsync, rename).

    Readers see either the old file or the new one, never a partial write. Raises
    ManifestError if the directory cannot be created or written.
    """
    path = manifest_path(directory, manifest.chain_id)
    text = json.dumps(manifest.to_json(), indent=2) + "\n"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ManifestError(f"cannot write manifest {path}: {exc.strerror or exc}") from None
    return path
