"""The trust-list precompile at 0x…1009: the consortium's CAs, their CRLs and the node
certificates, on chain, so that changing whom the network admits is a transaction every node
applies at the same height.

    addCA(bytes der) returns (bytes32)            removeCA(bytes32 fingerprint)
    publishCRL(bytes32 caFingerprint, bytes der)  (replaces that CA's CRL; empty bytes clears it)
    registerCertificate(bytes der) returns (bytes32)   removeCertificate(bytes32 fingerprint)
    cas() returns (bytes[])   crls() returns (bytes[])   crlOf(bytes32) returns (bytes)
    certificates() returns (bytes[])   admin() returns (address)   revision() returns (uint256)

Who may write: only the admin seeded at genesis (`app_state.admin` of a network made by
`wabei network init`), until a governance precompile exists. A chain whose genesis seeded no
admin (the devnet) has an empty, read-only trust list. The check is here, in the VM, so no
client can skip it.

The precompile never parses X.509. It checks only sizes, the DER framing byte and the caller,
and keys entries by SHA-256 of their bytes. Parsing, signature checks and validity periods are
admission's (network/admission.py), which each node runs when it rebuilds its trust store after
a commit: a difference between two nodes' `cryptography` versions can then change whom one node
talks to, never the state root (everything in a state transition is pinned in vm_hooks).
"""
from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import event_signature_to_log_topic
from eth_utils.address import to_checksum_address

from vm_hooks.addresses import TRUST_LIST
from vm_hooks.errors import TrustListError
from vm_hooks.precompile import AbiPrecompile, Call, Method, revert
from vm_hooks.trust.store import CA, CERTIFICATE, TrustListStore, fingerprint

MAX_DER_BYTES = 16_384  # a CA or node certificate is ~0.5–1 KiB; a CRL grows ~40 bytes per revocation
MAX_ENTRIES = 256       # per set: the views return every entry in one call
_DER_SEQUENCE = 0x30    # every certificate and CRL is a DER SEQUENCE

CA_ADDED = event_signature_to_log_topic("CAAdded(bytes32)")
CA_REMOVED = event_signature_to_log_topic("CARemoved(bytes32)")
CRL_PUBLISHED = event_signature_to_log_topic("CRLPublished(bytes32,bytes32)")
CERTIFICATE_REGISTERED = event_signature_to_log_topic("CertificateRegistered(bytes32)")
CERTIFICATE_REMOVED = event_signature_to_log_topic("CertificateRemoved(bytes32)")

_WHAT = {CA: "CA certificate", CERTIFICATE: "node certificate"}


def check_der(der: bytes, what: str) -> None:
    """Refuse what cannot be a DER certificate or CRL, by shape only; raises TrustListError."""
    if not der:
        raise TrustListError(f"the {what} is empty")
    if len(der) > MAX_DER_BYTES:
        raise TrustListError(f"the {what} is {len(der)} bytes; at most {MAX_DER_BYTES} are accepted")
    if der[0] != _DER_SEQUENCE:
        hint = " (it looks like PEM: send the DER bytes, e.g. `openssl x509 -outform der`)" if der[:5] == b"-----" else ""
        raise TrustListError(f"the {what} is not DER: it must start with a SEQUENCE (0x30), not 0x{der[0]:02x}{hint}")


def _checked(der: bytes, what: str) -> bytes:
    try:
        check_der(der, what)
    except TrustListError as exc:
        raise revert(f"TrustList: {exc}") from None
    return der


def _require_admin(store: TrustListStore, call: Call) -> None:
    admin = store.admin()
    if admin == b"\x00" * 20:
        raise revert("TrustList: this chain's genesis set no trust-list admin (a devnet, or a network made "
                     "before the trust list moved on chain), so the trust list cannot be changed")
    if call.sender != admin:
        raise revert(f"TrustList: only the genesis admin {to_checksum_address(admin)} may change the trust "
                     f"list, not {to_checksum_address(call.sender)}")


def _writer(call: Call) -> TrustListStore:
    store = TrustListStore(call.storage)
    _require_admin(store, call)
    return store


def _add(call: Call, kind: str, der: bytes, topic: bytes) -> tuple[Any, ...]:
    store = _writer(call)
    _checked(der, _WHAT[kind])
    print_ = fingerprint(der)
    if store.contains(kind, print_):
        raise revert(f"TrustList: the {_WHAT[kind]} 0x{print_.hex()} is already listed")
    if store.count(kind) >= MAX_ENTRIES:
        raise revert(f"TrustList: {MAX_ENTRIES} {_WHAT[kind]}s are listed already; remove one first")
    store.add(kind, der)
    store.bump_revision()
    call.emit([topic, print_], b"")
    return (print_,)


def _remove(call: Call, kind: str, print_: bytes, topic: bytes) -> tuple[Any, ...]:
    store = _writer(call)
    if not store.contains(kind, print_):
        raise revert(f"TrustList: no {_WHAT[kind]} with fingerprint 0x{print_.hex()} is listed")
    store.remove(kind, print_)
    if kind == CA:
        store.set_crl(print_, b"")  # a CRL is only meaningful beside its CA
    store.bump_revision()
    call.emit([topic, print_], b"")
    return ()


def add_ca(call: Call, der: bytes) -> tuple[Any, ...]:
    return _add(call, CA, der, CA_ADDED)


def remove_ca(call: Call, print_: bytes) -> tuple[Any, ...]:
    return _remove(call, CA, print_, CA_REMOVED)


def register_certificate(call: Call, der: bytes) -> tuple[Any, ...]:
    return _add(call, CERTIFICATE, der, CERTIFICATE_REGISTERED)


def remove_certificate(call: Call, print_: bytes) -> tuple[Any, ...]:
    return _remove(call, CERTIFICATE, print_, CERTIFICATE_REMOVED)


def publish_crl(call: Call, ca_print: bytes, der: bytes) -> tuple[Any, ...]:
    store = _writer(call)
    if not store.contains(CA, ca_print):
        raise revert(f"TrustList: no CA certificate with fingerprint 0x{ca_print.hex()} is listed; add the CA "
                     "before its CRL")
    if der:
        _checked(der, "CRL")
    store.set_crl(ca_print, der)
    store.bump_revision()
    call.emit([CRL_PUBLISHED, ca_print], encode(["bytes32"], [fingerprint(der) if der else b"\x00" * 32]))
    return ()


def cas(call: Call) -> tuple[Any, ...]:
    return (TrustListStore(call.storage).all_der(CA),)


def crls(call: Call) -> tuple[Any, ...]:
    """Each listed CA's CRL, in the order of `cas()` (empty bytes for a CA that published none)."""
    store = TrustListStore(call.storage)
    return ([store.crl(p) for p in store.fingerprints(CA)],)


def crl_of(call: Call, ca_print: bytes) -> tuple[Any, ...]:
    return (TrustListStore(call.storage).crl(ca_print),)


def certificates(call: Call) -> tuple[Any, ...]:
    return (TrustListStore(call.storage).all_der(CERTIFICATE),)


def admin(call: Call) -> tuple[Any, ...]:
    return (TrustListStore(call.storage).admin(),)


def revision(call: Call) -> tuple[Any, ...]:
    return (TrustListStore(call.storage).revision(),)


TRUST_LIST_PRECOMPILE = AbiPrecompile("TrustList", TRUST_LIST, [
    Method("addCA(bytes)", ("bytes32",), add_ca, mutates=True),
    Method("removeCA(bytes32)", (), remove_ca, mutates=True),
    Method("publishCRL(bytes32,bytes)", (), publish_crl, mutates=True),
    Method("registerCertificate(bytes)", ("bytes32",), register_certificate, mutates=True),
    Method("removeCertificate(bytes32)", (), remove_certificate, mutates=True),
    Method("cas()", ("bytes[]",), cas),
    Method("crls()", ("bytes[]",), crls),
    Method("crlOf(bytes32)", ("bytes",), crl_of),
    Method("certificates()", ("bytes[]",), certificates),
    Method("admin()", ("address",), admin),
    Method("revision()", ("uint256",), revision),
])
