"""`wabei network ca add|remove` and the on-chain half of `wabei network revoke`: change the
consortium's trust list (the precompile at 0x…1009, docs/network.md) by transaction, signed by
the genesis admin's key.

Where the admin key comes from, in order: `--admin-key FILE` (a file holding the 0x-hex private
key), the `WABEI_ADMIN_KEY` environment variable, and, only when the genesis admin is one of the
devnet mnemonic's ten accounts (init's default without `--alloc`/`--admin`), that account's key,
which is public: such a network's trust list can be changed by anyone who can reach a node's
JSON-RPC. The key is only read to sign; it is never written anywhere.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cli.exits import ExitCode
from network.layout import LayoutError, load_manifest, read_json

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

ADMIN_KEY_ENV = "WABEI_ADMIN_KEY"
_WRITES = {"addCA": ["bytes"], "removeCA": ["bytes32"], "publishCRL": ["bytes32", "bytes"],
           "registerCertificate": ["bytes"], "removeCertificate": ["bytes32"]}
_VIEWS = {"cas": ([], "bytes[]"), "certificates": ([], "bytes[]"), "crlOf": (["bytes32"], "bytes")}
TRUST_LIST_ABI = [{"type": "function", "name": name, "stateMutability": "nonpayable", "outputs": [],
                   "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(types)]}
                  for name, types in _WRITES.items()] + [
                 {"type": "function", "name": name, "stateMutability": "view", "outputs": [{"name": "", "type": out}],
                  "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(types)]}
                 for name, (types, out) in _VIEWS.items()]


def add_parsers(sub: Any) -> None:
    """`ca add|remove` on `wabei network`'s subparsers; chain flags on `revoke` as well."""
    ca = sub.add_parser("ca", help="add or remove a CA in the trust list on chain (a transaction by the admin)")
    ca.add_argument("ca_action", choices=("add", "remove"))
    ca.add_argument("dir", type=Path)
    ca.add_argument("--ca", required=True, type=Path, help="the CA certificate (PEM)")
    ca.add_argument("--crl", type=Path, help="with add: its CRL (PEM); a CA without a CRL admits nobody")
    chain_flags(ca)


def chain_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rpc", help="a node's JSON-RPC URL (default: the first node in network.json)")
    parser.add_argument("--admin-key", type=Path,
                        help=f"file with the genesis admin's private key (or ${ADMIN_KEY_ENV}; "
                             "default: the devnet mnemonic's account, if the admin is one)")


def ca_main(args: argparse.Namespace) -> int:
    try:
        ca = x509.load_pem_x509_certificate(_read(args.ca))
    except ValueError as exc:
        raise LayoutError(f"{args.ca} is not a PEM certificate: {exc}") from None
    der = ca.public_bytes(Encoding.DER)
    crl = b""
    if args.crl:
        try:
            crl = x509.load_pem_x509_crl(_read(args.crl)).public_bytes(Encoding.DER)
        except ValueError as exc:
            raise LayoutError(f"{args.crl} is not a PEM CRL: {exc}") from None
    w3, admin = connect(args)
    if args.ca_action == "add":
        send(w3, admin, "addCA", der)
        if crl:
            send(w3, admin, "publishCRL", _fingerprint(der), crl)
        print(f"added CA {ca.subject.rfc4514_string()} (sha256 {_fingerprint(der).hex()}) to the trust list on chain"
              + ("" if args.crl else "; it admits nobody until its CRL is published"))
    else:
        send(w3, admin, "removeCA", _fingerprint(der))
        print(f"removed CA {ca.subject.rfc4514_string()} from the trust list on chain: "
              "its nodes are refused when they next connect")
    return ExitCode.OK


def publish_crl(args: argparse.Namespace, org: str) -> None:
    """Publish `trust/crls/<org>.pem` for `orgs/<org>/ca.pem` by transaction."""
    network_dir = args.dir.resolve()
    ca = x509.load_pem_x509_certificate(_read(network_dir / "orgs" / org / "ca.pem")).public_bytes(Encoding.DER)
    crl = x509.load_pem_x509_crl(_read(network_dir / "trust" / "crls" / f"{org}.pem")).public_bytes(Encoding.DER)
    w3, admin = connect(args)
    send(w3, admin, "publishCRL", _fingerprint(ca), crl)


def connect(args: argparse.Namespace) -> tuple[Web3, LocalAccount]:
    """A web3 connection to the network and the admin's account; LayoutError says what is missing."""
    from web3 import Web3

    network_dir = args.dir.resolve()
    url = args.rpc or load_manifest(network_dir)["nodes"][0]["rpc_url"]
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10}))
    if not w3.is_connected():
        raise LayoutError(f"no node answers at {url}: start the network (wabei network up) or pass --rpc")
    return w3, admin_account(network_dir, args.admin_key)


def admin_account(network_dir: Path, key_file: Path | None) -> LocalAccount:
    from eth_account import Account

    admin = str(read_json(network_dir / "genesis.json").get("app_state", {}).get("admin", ""))
    key = key_file.read_text().strip() if key_file else os.environ.get(ADMIN_KEY_ENV, "").strip()
    if not key:
        key = _devnet_key(admin)
    if not key:
        raise LayoutError(f"the genesis admin is {admin}; give its private key with --admin-key FILE "
                          f"or ${ADMIN_KEY_ENV}")
    account: LocalAccount = Account.from_key(key)
    if account.address.lower() != admin.lower():
        raise LayoutError(f"the key given is {account.address}'s, but the genesis admin is {admin}")
    return account


def _devnet_key(admin: str) -> str:
    from chain.accounts import derive_accounts
    from chain.config import DEFAULT_MNEMONIC

    for account in derive_accounts(DEFAULT_MNEMONIC, 10):
        if account.address.hex() == admin.lower().removeprefix("0x"):
            return "0x" + account.private_key.to_bytes().hex()
    return ""


def send(w3: Web3, admin: LocalAccount, function: str, *args: Any) -> Any:
    """One transaction to the trust list, waited for; its receipt. A refusal raises LayoutError
    with the chain's reason."""
    from web3.exceptions import ContractLogicError

    from transact.send import TransactionError, send_and_wait

    contract = trust_list(w3)
    try:
        return send_and_wait(w3, getattr(contract.functions, function)(*args), admin, timeout=60)
    except (ContractLogicError, TransactionError) as exc:
        raise LayoutError(f"{function} refused: {exc}") from None


def trust_list(w3: Web3) -> Any:
    """The trust-list precompile as a web3 contract (its writes and the views `org admit` reads)."""
    from vm_hooks.addresses import TRUST_LIST

    return w3.eth.contract(address=w3.to_checksum_address(TRUST_LIST), abi=TRUST_LIST_ABI)


def _fingerprint(der: bytes) -> bytes:
    from vm_hooks.trust.store import fingerprint

    return fingerprint(der)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LayoutError(f"cannot read {path}: {exc.strerror}") from None
