"""The consortium's X.509 certificates: one CA per organisation, a certificate per node, CRLs.

What a node certificate binds (docs/network.md, "Membership and admission"):
- its subject public key IS the node's CometBFT node key (ed25519), so the node id is derived
  from the certificate itself, not merely claimed by it;
- subjectAltName URI `cometbft:node:<node id>` repeats the id (40 lower-case hex digits) for
  people and tools; admission refuses a certificate whose URI and key disagree;
- subjectAltName URI `cometbft:validator:ed25519:<hex of the 32-byte public key>` binds the
  node's consensus (validator) key, so a validator key can be traced to an organisation;
- subject `O=<org>, CN=<node name>`; the issuing CA's name constraints permit only
  directory names under `O=<org>`, so one organisation's CA cannot issue for another.
CAs are ECDSA P-256 with SHA-256 signatures, `CA:TRUE, pathlen:0` (they sign nodes, never other
CAs), key usage keyCertSign + cRLSign, all critical.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from network.keys import CometKey

NODE_URI_PREFIX = "cometbft:node:"
VALIDATOR_URI_PREFIX = "cometbft:validator:ed25519:"
CA_DAYS = 3650
NODE_DAYS = 825  # the CA/Browser Forum's old ceiling for leaf certificates; renew well before


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate and private key (the key stays with its organisation)."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def org(self) -> str:
        return org_of(self.certificate.subject)


def org_of(name: x509.Name) -> str:
    """The organisation (O=) of a certificate name; '' when it has none."""
    attrs = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(attrs[0].value) if attrs else ""


def _org_name(org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def create_authority(org: str, *, now: dt.datetime, days: int = CA_DAYS, regulator: bool = False) -> Authority:
    """A new self-signed CA for `org`, valid from `now` for `days` days."""
    key = ec.generate_private_key(ec.SECP256R1())
    role = "regulator CA" if regulator else "consortium CA"
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{org} {role}")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.NameConstraints(
                permitted_subtrees=[x509.DirectoryName(_org_name(org))], excluded_subtrees=None),
                critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    return Authority(cert, key)


def issue_node_certificate(ca: Authority, *, node_name: str, node_key: CometKey, validator_key: CometKey,
                           now: dt.datetime, days: int = NODE_DAYS,
                           not_before: dt.datetime | None = None) -> x509.Certificate:
    """A certificate signed by `ca` for the node whose P2P key is `node_key` (see the module
    docstring for what it binds). `not_before` defaults to `now` (tests issue future ones)."""
    start = not_before or now
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca.org),
                         x509.NameAttribute(NameOID.COMMON_NAME, node_name)])
    san = x509.SubjectAlternativeName([
        x509.UniformResourceIdentifier(NODE_URI_PREFIX + node_key.node_id),
        x509.UniformResourceIdentifier(VALIDATOR_URI_PREFIX + validator_key.public_bytes.hex())])
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(ca.certificate.subject)
            .public_key(node_key.private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(san, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
            .sign(ca.key, hashes.SHA256()))


def build_crl(ca: Authority, revoked_serials: list[int], *, now: dt.datetime,
              days: int = 30) -> x509.CertificateRevocationList:
    """A CRL signed by `ca` listing `revoked_serials` (an empty one is how a CA says "none")."""
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(ca.certificate.subject)
               .last_update(now).next_update(now + dt.timedelta(days=days)))
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build())
    return builder.sign(ca.key, hashes.SHA256())


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
                         decipher_only=False)


def pem(obj: x509.Certificate | x509.CertificateRevocationList) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """An unencrypted PKCS#8 PEM: init writes it mode 0600 for a local network; a real
    organisation keeps its CA key offline (docs/network.md)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_authority(cert_pem: bytes, key_pem_bytes: bytes) -> Authority:
    key = serialization.load_pem_private_key(key_pem_bytes, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("a consortium CA key is an ECDSA key")
    return Authority(x509.load_pem_x509_certificate(cert_pem), key)
