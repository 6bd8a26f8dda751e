"""Which peers may connect: CometBFT asks (`filter_peers = true`, ABCI Query
`/p2p/filter/id/<node id>` and `/p2p/filter/addr/<ip:port>`), this module answers.

A peer is let in only if some certificate in the network's registry
- binds its node id: the certificate's public key is an ed25519 key whose CometBFT id is the id
  asked about, and its `cometbft:node:` URI says the same id;
- was issued directly by a CA in the trust list (signature checked; the CA is a CA with
  keyCertSign, valid now, and the certificate lies within its name constraints);
- is valid now (not before `notBefore`, not after `notAfter`), is not a CA itself;
- is not on its CA's CRL, and its CA has published a CRL signed with its own key (no CRL from a
  CA means we cannot tell, and admission fails closed).
CometBFT has already authenticated the id (the secret connection proves possession of the node
key), so a certificate for the id is a certificate for the peer. Everything here is pure: the
trust store is a value, time is passed in; `network.trust` reads the store from a network dir.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from network.keys import node_id_of, public_bytes_of
from network.pki import NODE_URI_PREFIX

_NODE_ID = re.compile(r"[0-9a-f]{40}")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustStore:
    """What admission decides from: the trusted CA certificates, the CRLs they published, and
    the registry of node certificates (any number per node id, e.g. during a renewal)."""

    authorities: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    certificates: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True)
class Decision:
    """An admission answer and why, for the ABCI Query's `log` and the node's log."""

    allowed: bool
    reason: str


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def check_certificate(cert: x509.Certificate, node_id: str, trust: TrustStore, now: dt.datetime) -> Decision:
    """Whether `cert` admits the peer `node_id` at `now` (see the module docstring)."""
    binding = _binding_problem(cert, node_id)
    if binding:
        return Decision(False, binding)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        when = "not yet valid" if now < cert.not_valid_before_utc else "expired"
        return Decision(False, f"certificate {cert.serial_number:x} is {when} "
                               f"(valid {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})")
    if _is_ca(cert):
        return Decision(False, "a CA certificate cannot admit a node")
    issuer = _issuer_in(cert, trust.authorities)
    if issuer is None:
        return Decision(False, f"certificate issuer {cert.issuer.rfc4514_string()!r} is not a trusted consortium CA "
                               "(or its signature does not verify)")
    ca_problem = _authority_problem(issuer, cert, now)
    if ca_problem:
        return Decision(False, ca_problem)
    return _revocation(cert, issuer, trust.crls)


def _binding_problem(cert: x509.Certificate, node_id: str) -> str:
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        return "the certificate's key is not an ed25519 node key"
    if node_id_of(public_bytes_of(key)) != node_id:
        return f"the certificate's key is another node's (id {node_id_of(public_bytes_of(key))}, not {node_id})"
    if NODE_URI_PREFIX + node_id not in uris(cert):
        return f"the certificate does not name node {node_id} in its subjectAltName"
    return ""


def uris(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(u) for u in san.get_values_for_type(x509.UniformResourceIdentifier)]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _issuer_in(cert: x509.Certificate, authorities: Iterable[x509.Certificate]) -> x509.Certificate | None:
    for ca in authorities:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return ca
    return None


def _authority_problem(ca: x509.Certificate, cert: x509.Certificate, now: dt.datetime) -> str:
    name = ca.subject.rfc4514_string()
    if not (ca.not_valid_before_utc <= now <= ca.not_valid_after_utc):
        return f"CA {name!r} is outside its validity period"
    try:
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if not _is_ca(ca) or (usage is not None and not usage.key_cert_sign):
        return f"{name!r} is not a CA that may sign certificates"
    if not _within_name_constraints(ca, cert.subject):
        return f"subject {cert.subject.rfc4514_string()!r} is outside CA {name!r}'s name constraints"
    return ""


def _within_name_constraints(ca: x509.Certificate, subject: x509.Name) -> bool:
    """The directoryName part of RFC 5280's name constraints: the subject must start with the
    RDNs of some permitted subtree and with none of the excluded ones."""
    try:
        constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return True
    rdns = list(subject.rdns)

    def under(general: x509.GeneralName) -> bool:
        if not isinstance(general, x509.DirectoryName):
            return False
        prefix = list(general.value.rdns)
        return rdns[:len(prefix)] == prefix

    permitted = [g for g in constraints.permitted_subtrees or [] if isinstance(g, x509.DirectoryName)]
    if permitted and not any(under(g) for g in permitted):
        return False
    return not any(under(g) for g in constraints.excluded_subtrees or [])


def _revocation(cert: x509.Certificate, ca: x509.Certificate, crls: Iterable[x509.CertificateRevocationList]) -> Decision:
    own = [crl for crl in crls if crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())]  # type: ignore[arg-type]
    if not own:
        return Decision(False, f"CA {ca.subject.rfc4514_string()!r} has published no CRL signed with its key; "
                               "cannot tell whether the certificate is revoked")
    if any(crl.get_revoked_certificate_by_serial_number(cert.serial_number) for crl in own):
        return Decision(False, f"certificate {cert.serial_number:x} is revoked by its CA")
    return Decision(True, f"certificate {cert.serial_number:x} from {ca.subject.rfc4514_string()!r}")


@dataclass
class CertificatePeerFilter:
    """The peer filter of a node (the `PeerFilter` protocol of network/abci/peer_filter.py):
    `allows_id` admits by certificate; `allows_addr` admits every address unless
    `allowed_networks` is given (admission rests on the authenticated id, not on where a peer
    dials from). `trust` may be replaced while the node runs (a new CRL, a new CA)."""

    trust: TrustStore
    clock: Callable[[], dt.datetime] = utc_now
    allowed_networks: tuple[Network, ...] = field(default=())

    def decide_id(self, node_id: str) -> Decision:
        """The decision with its reason; a malformed id is refused."""
        if not _NODE_ID.fullmatch(node_id):
            return Decision(False, f"{node_id!r} is not a node id (40 lower-case hex digits)")
        now = self.clock()
        reasons = []
        for cert in self.trust.certificates:
            if NODE_URI_PREFIX + node_id not in uris(cert) and not _key_matches(cert, node_id):
                continue
            decision = check_certificate(cert, node_id, self.trust, now)
            if decision.allowed:
                return decision
            reasons.append(decision.reason)
        return Decision(False, "; ".join(reasons) or f"no certificate for node {node_id}")

    def allows_id(self, node_id: str) -> bool:
        return self.decide_id(node_id).allowed

    def refusal(self, node_id: str) -> str:
        """The reason `allows_id` refuses `node_id` ('' when it admits it)."""
        decision = self.decide_id(node_id)
        return "" if decision.allowed else decision.reason

    def allows_addr(self, addr: str) -> bool:
        """`addr` is CometBFT's `ip:port` (`[v6]:port` for IPv6)."""
        if not self.allowed_networks:
            return True
        host = addr.rsplit(":", 1)[0].strip("[]")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(ip in net for net in self.allowed_networks)


def _key_matches(cert: x509.Certificate, node_id: str) -> bool:
    key = cert.public_key()
    return isinstance(key, Ed25519PublicKey) and node_id_of(public_bytes_of(key)) == node_id
