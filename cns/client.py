"""The Python side of the CNS: publish, resolve and call contracts by name over web3.

    cns = CnsClient(w3)                       # sends from w3.eth.default_account or accounts[0]
    cns.register("Deposit", "1.0.0", address, abi)
    cns.contract("Deposit").functions.balance().call()

Names and versions are checked here with the same rules the chain applies (cns/names.py), so a
mistake is reported before a transaction is sent; anything the chain still refuses comes back
as `CnsRejected` with the chain's reason.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from cns.abi import CNS_ABI
from cns.environment import check_name_normalisation
from cns.errors import CnsNameError, CnsNotFound, CnsRejected
from cns.names import normalize_label, pinned_label
from transact.send import Sender, TransactionReverted, revert_message, send_and_wait
from vm_hooks.addresses import CNS, ENS_REGISTRY

CNS_ADDRESS = to_checksum_address(CNS)


@dataclass(frozen=True)
class Version:
    """One published version of a name."""

    name: str
    version: str
    address: ChecksumAddress
    abi: list[dict[str, Any]]


class CnsClient:
    """CNS operations for one web3 connection; writes are sent from `sender`."""

    def __init__(self, w3: Web3, sender: Sender | None = None) -> None:
        self.w3 = w3
        self._sender = sender
        self._cns = w3.eth.contract(address=CNS_ADDRESS, abi=CNS_ABI)

    # --- writes ---
    def register(
        self, name: str, version: str, address: str, abi: Sequence[dict[str, Any]] | str,
        *, make_latest: bool = False,
    ) -> TxReceipt:
        """Publish `address` as `name`@`version`. The first version of a name becomes latest;
        later ones only with `make_latest=True` (gray upgrade: publish first, switch later).

        Raises CnsNameError for a bad name/version/ABI, CnsRejected if the chain refuses
        (duplicate version, not a contract, not the owner).
        """
        normalize_label(name)
        pinned_label(version)
        if not is_address(address):
            raise CnsNameError(f"{address!r} is not an address")
        abi_json = abi if isinstance(abi, str) else json.dumps(list(abi), separators=(",", ":"))
        try:
            if not isinstance(json.loads(abi_json), list):
                raise CnsNameError("the ABI must be a JSON array")
        except ValueError as exc:
            raise CnsNameError(f"the ABI is not valid JSON: {exc}") from None
        receipt = self._send("insert", name, version, to_checksum_address(address), abi_json)
        if make_latest and self.latest_version(name) != version:
            receipt = self.set_latest(name, version)
        return receipt

    def set_latest(self, name: str, version: str) -> TxReceipt:
        """Point `NAME.wabei` at a published version (switch or roll back). Owner only."""
        normalize_label(name)
        pinned_label(version)
        return self._send("setLatest", name, version)

    def authorize(self, name: str, account: str, allowed: bool = True) -> TxReceipt:
        """Let `account` publish versions of `name` (or stop it). Owner only."""
        normalize_label(name)
        return self._send("authorize", name, to_checksum_address(account), allowed)

    # --- reads ---
    def resolve(self, name: str, version: str | None = None) -> ChecksumAddress:
        """The address of `name` at `version` (latest when None); raises CnsNotFound."""
        normalize_label(name)
        if version is not None:
            pinned_label(version)
        address = self._call("getContractAddress", name, version or "")
        return to_checksum_address(address)

    def versions(self, name: str) -> list[Version]:
        """Every version of `name`, oldest first (empty for an unknown name)."""
        normalize_label(name)
        entries = json.loads(self._call("selectByName", name))
        return [Version(e["name"], e["version"], to_checksum_address(e["address"]), json.loads(e["abi"]))
                for e in entries]

    def latest_version(self, name: str) -> str:
        normalize_label(name)
        return str(self._call("latestVersion", name))

    def owner(self, name: str) -> ChecksumAddress:
        normalize_label(name)
        return to_checksum_address(self._call("ownerOf", name))

    def names(self) -> list[str]:
        """Every published name, in creation order."""
        return [str(self._call("nameAt", i)) for i in range(int(self._call("nameCount")))]

    def contract(self, name: str, version: str | None = None) -> Contract:
        """A web3 Contract for `name`@`version` built from the ABI stored on chain."""
        normalize_label(name)
        wanted = version or self.latest_version(name)
        pinned = pinned_label(wanted)
        for entry in self.versions(name):
            if pinned_label(entry.version) == pinned:
                return self.w3.eth.contract(address=entry.address, abi=entry.abi)
        raise CnsNotFound(f"{name!r} has no version {wanted!r}")

    # --- plumbing ---
    def _call(self, function: str, *args: Any) -> Any:
        try:
            return self._cns.functions[function](*args).call()
        except ContractLogicError as exc:
            reason = revert_message(exc)
            if "no contract is registered" in reason or "has no version" in reason:
                raise CnsNotFound(reason) from None
            raise CnsRejected(reason) from None

    def _send(self, function: str, *args: Any) -> TxReceipt:
        try:
            return send_and_wait(self.w3, self._cns.functions[function](*args), self._sender)
        except ContractLogicError as exc:  # gas estimation runs the call and reports the revert
            raise CnsRejected(revert_message(exc)) from None
        except TransactionReverted as exc:
            why = f": {exc.reason}" if exc.reason else ""
            raise CnsRejected(f"CNS {function} transaction {exc.tx_hash} failed{why}") from None


def enable_ens(w3: Web3) -> None:
    """Make every name lookup of `w3` resolve `*.wabei` names on this chain.

    On a Wabei node the ENS registry and universal resolver sit at web3.py's default addresses,
    so `w3.ens.address(...)`, `w3.eth.get_balance("x.wabei")` and contract arguments given as
    names work without this. One web3.py 8 path does not: `w3.eth.contract(address="x.wabei")`
    reads the private `w3._ens`, which stays unset until `w3.ens` is assigned. This call assigns
    it (bound to this chain's registry), so that path works too.

    Raises CnsEnvironmentError, with the pin that fixes it, if web3 cannot normalise names in
    this environment (web3 8.0.0 with pyunormalize 18: cns/environment.py), rather than let
    every later lookup fail with an AttributeError from inside web3.
    """
    from ens import ENS

    check_name_normalisation()

    w3.ens = ENS.from_web3(w3, addr=to_checksum_address(ENS_REGISTRY))
