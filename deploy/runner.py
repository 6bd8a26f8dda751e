"""Deploy compiled contracts over web3, idempotently, and publish them in the CNS.

    outcome = ensure_deployed(w3, artifact, "src/Token.sol:Token", ["Tok", 10**18], sender,
                              Path("deployments"), publish=Publication("Token", "1.0.0"))

`ensure_deployed` skips the deployment when the chain's manifest already records this exact
build (contract, creation-code hash, constructor arguments) and the code now at the recorded
address still hashes to what was recorded right after deploying. Comparing runtime-code hashes
taken from the chain (rather than the artefact's deployed bytecode) keeps contracts with
immutables, whose runtime code differs from the artefact's, idempotent too.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError

from cns.client import CnsClient
from cns.names import pinned_label
from deploy import manifest
from deploy.abiargs import describe_revert, to_json
from deploy.compile import Artifact
from deploy.errors import CnsConflict, DeploymentFailed
from transact.send import Sender, TransactionReverted, send_and_wait, sender_address


@dataclass(frozen=True)
class Publication:
    """Publish the deployment as `name`@`version`; `latest` also points `NAME.wabei` at it."""

    name: str
    version: str
    latest: bool = False


@dataclass(frozen=True)
class Outcome:
    """What `ensure_deployed` did: the manifest entry, and whether it deployed or published."""

    entry: manifest.Entry
    deployed: bool
    published: bool
    made_latest: bool
    manifest_path: Path


def keccak_hex(data: bytes) -> str:
    return Web3.keccak(data).to_0x_hex()


def deploy_contract(w3: Web3, artifact: Artifact, args: list[Any], sender: Sender) -> manifest.Entry:
    """Send the creation transaction, wait for it, and describe the result as a manifest entry.

    `contract` and `cns` of the returned entry are left empty for the caller to fill in.
    Raises DeploymentFailed if the constructor reverts or the transaction leaves no code.
    """
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    try:
        receipt = send_and_wait(w3, factory.constructor(*args), sender)
    except ContractLogicError as exc:  # gas estimation runs the constructor
        data = exc.data if isinstance(exc.data, str) else ""
        reason = describe_revert(data, artifact.abi) or str(exc)
        raise DeploymentFailed(f"the constructor of {artifact.contract_name} reverted: {reason}") from None
    except TransactionReverted as exc:
        decoded = (describe_revert(exc.data, artifact.abi) if exc.data else None) or exc.reason
        why = f": {decoded}" if decoded else ""
        raise DeploymentFailed(f"deployment transaction {exc.tx_hash} failed{why}") from None
    tx_hash = HexBytes(receipt["transactionHash"])
    address = receipt.get("contractAddress")
    if address is None:
        raise DeploymentFailed(f"deployment transaction {tx_hash.to_0x_hex()} failed")
    code = bytes(w3.eth.get_code(address))
    if not code:
        raise DeploymentFailed(f"deployment transaction {tx_hash.to_0x_hex()} left no code at {address}")
    return manifest.Entry(
        contract="", address=to_checksum_address(address), tx_hash=HexBytes(tx_hash).to_0x_hex(),
        block_number=int(receipt["blockNumber"]),
        bytecode_hash=keccak_hex(HexBytes(artifact.bytecode)), code_hash=keccak_hex(code),
        constructor_args=to_json(args), deployer=sender_address(sender),
        timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def still_deployed(w3: Web3, entry: manifest.Entry) -> bool:
    """True if the code at the entry's address is the code recorded when it was deployed."""
    code = bytes(w3.eth.get_code(to_checksum_address(entry.address)))
    return bool(code) and keccak_hex(code) == entry.code_hash


def ensure_deployed(
    w3: Web3, artifact: Artifact, contract: str, args: list[Any], sender: Sender,
    manifest_dir: Path, publish: Publication | None = None,
) -> Outcome:
    """Deploy `artifact` with `args` unless this chain already has this exact build; publish it.

    `contract` names the build in the manifest ("path/File.sol:Contract"). A recorded entry
    whose code is gone (a restarted in-memory chain with the same chain id) is dropped and the
    contract is deployed again. Raises ManifestError, DeploymentFailed, CnsConflict, and the
    CNS client's errors (CnsNameError, CnsRejected).
    """
    chain_id = int(w3.eth.chain_id)
    book = manifest.load(manifest_dir, chain_id)
    bytecode_hash = keccak_hex(HexBytes(artifact.bytecode))
    json_args = to_json(args)
    entry = book.find(contract, bytecode_hash, json_args)
    deployed = False
    if entry is not None and not still_deployed(w3, entry):
        book, entry = book.without(entry), None
    if publish is not None:  # refuse a taken NAME@VERSION before spending a deployment on it
        _check_free(CnsClient(w3, sender), publish, entry.address if entry is not None else None)
    if entry is None:
        fresh = deploy_contract(w3, artifact, args, sender)
        entry = replace(fresh, contract=contract)
        deployed = True
        manifest.save(manifest_dir, book.put(entry))
    published = made_latest = False
    if publish is not None:
        published, made_latest = _publish(w3, sender, entry.address, artifact, publish)
        entry = entry.with_cns(publish.name, publish.version)
    path = manifest.save(manifest_dir, book.put(entry))
    return Outcome(entry, deployed, published, made_latest, path)


def _publish(
    w3: Web3, sender: Sender, address: str, artifact: Artifact, publish: Publication
) -> tuple[bool, bool]:
    """Register `address` as name@version unless already so; returns (published, made_latest)."""
    cns = CnsClient(w3, sender)
    wanted = pinned_label(publish.version)
    published = False
    if not _check_free(cns, publish, address):
        cns.register(publish.name, publish.version, address, artifact.abi)
        published = True
    made_latest = False
    if publish.latest and pinned_label(cns.latest_version(publish.name)) != wanted:
        cns.set_latest(publish.name, publish.version)
        made_latest = True
    return published, made_latest


def _check_free(cns: CnsClient, publish: Publication, address: str | None) -> bool:
    """True if NAME@VERSION already points at `address`, False if it is unpublished.

    Raises CnsConflict if it points anywhere else (`address` None: not deployed yet).
    """
    wanted = pinned_label(publish.version)
    for version in cns.versions(publish.name):
        if pinned_label(version.version) != wanted:
            continue
        if address is not None and version.address.lower() == address.lower():
            return True
        target = f"not {to_checksum_address(address)}" if address else "not to a new deployment"
        raise CnsConflict(f"{publish.name}@{version.version} already points at {version.address}, "
                          f"{target}; publish a new version")
    return False
