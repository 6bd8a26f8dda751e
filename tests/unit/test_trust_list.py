"""The trust-list precompile (0x…1009) on an in-process chain without dev powers, over the wire
with web3.py: every call, the admin-only rule (enforced in the VM, also for a transaction that
skips estimation), the refusals' reasons, and that two nodes seeded from the same trust material
build the identical genesis."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from eth_abi.abi import decode, encode
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.exceptions import ContractLogicError

from chain.accounts import derive_accounts
from chain.api.chain import build_chain
from chain.config import DEFAULT_MNEMONIC, ChainConfig, NodeConfig
from network.keys import CometKey
from network.pki import Authority, build_crl, create_authority, issue_node_certificate
from tests.inprocess import NodeThread
from vm_hooks.addresses import TRUST_LIST
from vm_hooks.errors import TrustListError
from vm_hooks.trust.genesis import seed_words
from vm_hooks.trust.store import fingerprint

NOW = dt.datetime(2030, 6, 1, tzinfo=dt.timezone.utc)
ACCOUNTS = derive_accounts(DEFAULT_MNEMONIC, 2)
ADMIN, OTHER = (Web3.to_checksum_address(a.address) for a in ACCOUNTS)
TO = Web3.to_checksum_address(TRUST_LIST)


def _der(obj: x509.Certificate | x509.CertificateRevocationList) -> bytes:
    return obj.public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def org1() -> Authority:
    return create_authority("org1", now=NOW)


@pytest.fixture(scope="module")
def org2() -> Authority:
    return create_authority("org2", now=NOW)


def _cert(ca: Authority, name: str = "n") -> bytes:
    cert = issue_node_certificate(ca, node_name=name, node_key=CometKey.generate(),
                                  validator_key=CometKey.generate(), now=NOW)
    return _der(cert)


def _genesis_config(org1: Authority, certs: list[bytes]) -> ChainConfig:
    # ECDSA signatures are randomised: one CRL, built once, so equal inputs are equal bytes
    words = seed_words(bytes.fromhex(ADMIN[2:]), [(_der(org1.certificate), _crl_of(org1))], certs)
    return ChainConfig(dev=False, genesis_timestamp=1_900_000_000,
                       genesis_storage=tuple((bytes(TRUST_LIST), s, v) for s, v in sorted(words.items())))


_CRLS: dict[str, bytes] = {}


def _crl_of(ca: Authority) -> bytes:
    return _CRLS.setdefault(ca.org, _der(build_crl(ca, [], now=NOW)))


@pytest.fixture(scope="module")
def seeded(org1: Authority) -> dict[str, Any]:
    return {"certs": [_cert(org1, "org1-node1")]}


@pytest.fixture()
def w3(org1: Authority, seeded: dict[str, Any]) -> Iterator[Web3]:
    thread = NodeThread()
    config = _genesis_config(org1, seeded["certs"])
    chain = thread.call(lambda: build_chain(config))
    handle = thread.start(NodeConfig.test(dev=False), chains=[chain])
    try:
        yield Web3(Web3.HTTPProvider(f"http://{handle.host}:{handle.port}"))
    finally:
        thread.close()


def _data(signature: str, *args: Any) -> bytes:
    inner = signature[signature.index("(") + 1:-1]
    types = [t for t in inner.split(",") if t]
    return function_signature_to_4byte_selector(signature) + encode(types, list(args))


def _view(w3: Web3, signature: str, out: str, *args: Any) -> Any:
    raw = w3.eth.call({"to": TO, "data": _data(signature, *args)})
    value = decode([out], raw)[0]
    return list(value) if isinstance(value, tuple) else value


def _send(w3: Web3, signature: str, *args: Any, sender: str = ADMIN, gas: int | None = None) -> Any:
    tx: dict[str, Any] = {"from": sender, "to": TO, "data": _data(signature, *args)}
    if gas is not None:
        tx["gas"] = gas
    return w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))  # type: ignore[arg-type]


def test_genesis_seeds_admin_cas_crls_and_certificates(w3: Web3, org1: Authority, seeded: dict[str, Any]) -> None:
    assert Web3.to_checksum_address(_view(w3, "admin()", "address")) == ADMIN
    assert _view(w3, "revision()", "uint256") == 1
    assert _view(w3, "cas()", "bytes[]") == [_der(org1.certificate)]
    (crl,) = _view(w3, "crls()", "bytes[]")
    assert x509.load_der_x509_crl(crl).issuer == org1.certificate.subject
    assert _view(w3, "crlOf(bytes32)", "bytes", fingerprint(_der(org1.certificate))) == crl
    assert _view(w3, "certificates()", "bytes[]") == seeded["certs"]


def test_the_admin_adds_and_removes_a_ca_and_its_crl(w3: Web3, org2: Authority) -> None:
    ca = _der(org2.certificate)
    receipt = _send(w3, "addCA(bytes)", ca)
    assert receipt.status == 1
    assert receipt.logs[0].topics[1] == fingerprint(ca)
    assert _view(w3, "cas()", "bytes[]")[1] == ca
    crl = _der(build_crl(org2, [7, 9], now=NOW))
    assert _send(w3, "publishCRL(bytes32,bytes)", fingerprint(ca), crl).status == 1
    assert _view(w3, "crlOf(bytes32)", "bytes", fingerprint(ca)) == crl
    assert _view(w3, "crls()", "bytes[]")[1] == crl
    assert _send(w3, "removeCA(bytes32)", fingerprint(ca)).status == 1
    assert len(_view(w3, "cas()", "bytes[]")) == 1
    assert _view(w3, "crlOf(bytes32)", "bytes", fingerprint(ca)) == b""  # removed with its CA
    assert _view(w3, "revision()", "uint256") == 4


def test_the_admin_registers_and_removes_node_certificates(w3: Web3, org1: Authority,
                                                           seeded: dict[str, Any]) -> None:
    second, third = _cert(org1, "org1-node2"), _cert(org1, "org1-node3")
    _send(w3, "registerCertificate(bytes)", second)
    _send(w3, "registerCertificate(bytes)", third)
    assert _view(w3, "certificates()", "bytes[]") == [*seeded["certs"], second, third]
    _send(w3, "removeCertificate(bytes32)", fingerprint(seeded["certs"][0]))  # the last moves into its place
    assert _view(w3, "certificates()", "bytes[]") == [third, second]


@pytest.mark.parametrize(("signature", "args", "reason"), [
    ("addCA(bytes)", (b"",), "the CA certificate is empty"),
    ("addCA(bytes)", (b"-----BEGIN CERTIFICATE-----",), "it looks like PEM"),
    ("addCA(bytes)", (b"\x30" * 16_385,), "at most 16384 are accepted"),
    ("removeCA(bytes32)", (b"\x11" * 32,), "no CA certificate with fingerprint 0x1111"),
    ("publishCRL(bytes32,bytes)", (b"\x22" * 32, b"\x30\x00"), "add the CA before its CRL"),
    ("removeCertificate(bytes32)", (b"\x33" * 32,), "no node certificate with fingerprint 0x3333"),
])
def test_refusals_say_why(w3: Web3, signature: str, args: tuple[Any, ...], reason: str) -> None:
    with pytest.raises(ContractLogicError, match=reason):
        _send(w3, signature, *args)


def test_a_listed_entry_cannot_be_added_twice(w3: Web3, org1: Authority) -> None:
    with pytest.raises(ContractLogicError, match="is already listed"):
        _send(w3, "addCA(bytes)", _der(org1.certificate))


def test_only_the_genesis_admin_may_write(w3: Web3, org2: Authority) -> None:
    with pytest.raises(ContractLogicError, match=f"only the genesis admin {ADMIN} may change the trust list, "
                                                  f"not {OTHER}"):
        _send(w3, "addCA(bytes)", _der(org2.certificate), sender=OTHER)
    # The rule is the VM's, not the estimator's: with its own gas the transaction is mined and fails.
    receipt = _send(w3, "addCA(bytes)", _der(org2.certificate), sender=OTHER, gas=2_000_000)
    assert receipt.status == 0
    assert len(_view(w3, "cas()", "bytes[]")) == 1
    assert _view(w3, "revision()", "uint256") == 1


def test_a_chain_without_a_seeded_admin_has_a_read_only_empty_trust_list(org2: Authority) -> None:
    thread = NodeThread()
    try:
        handle = thread.start(NodeConfig.test(dev=False))
        w3 = Web3(Web3.HTTPProvider(f"http://{handle.host}:{handle.port}"))
        assert _view(w3, "cas()", "bytes[]") == []
        with pytest.raises(ContractLogicError, match="genesis set no trust-list admin"):
            _send(w3, "addCA(bytes)", _der(org2.certificate))
    finally:
        thread.close()


def test_the_same_trust_material_builds_the_same_genesis(org1: Authority, seeded: dict[str, Any]) -> None:
    first = build_chain(_genesis_config(org1, seeded["certs"]))
    second = build_chain(_genesis_config(org1, seeded["certs"]))
    other = build_chain(_genesis_config(org1, [*seeded["certs"], _cert(org1, "x")]))
    try:
        assert first.backend.genesis.hash == second.backend.genesis.hash
        assert first.backend.genesis.hash != other.backend.genesis.hash
    finally:
        for chain in (first, second, other):
            chain.close()


def test_genesis_refuses_what_the_precompile_would(org1: Authority) -> None:
    with pytest.raises(TrustListError, match="zero address"):
        seed_words(b"\x00" * 20, [], [])
    with pytest.raises(TrustListError, match="listed twice"):
        seed_words(b"\x01" * 20, [], [b"\x30\x00", b"\x30\x00"])
    with pytest.raises(TrustListError, match="not DER"):
        seed_words(b"\x01" * 20, [(b"\x04", b"")], [])
