"""Admission decisions over real X.509 certificates made with `cryptography` (network/pki.py):
each way a peer can be refused, and the one way it is let in."""
from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from network.admission import CertificatePeerFilter, TrustStore, check_certificate
from network.keys import CometKey
from network.pki import Authority, build_crl, create_authority, issue_node_certificate

NOW = dt.datetime(2030, 6, 1, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def org1() -> Authority:
    return create_authority("org1", now=NOW - 10 * DAY)


@pytest.fixture(scope="module")
def org2() -> Authority:
    return create_authority("org2", now=NOW - 10 * DAY)


def _node(ca: Authority, **kw: object) -> tuple[CometKey, x509.Certificate]:
    key = CometKey.generate()
    cert = issue_node_certificate(ca, node_name="n", node_key=key, validator_key=CometKey.generate(),
                                  now=kw.pop("now", NOW - DAY), **kw)  # type: ignore[arg-type]
    return key, cert


def _filter(cas: list[Authority], certs: list[x509.Certificate], revoked: dict[str, list[int]] | None = None,
            at: dt.datetime = NOW) -> CertificatePeerFilter:
    crls = tuple(build_crl(ca, (revoked or {}).get(ca.org, []), now=NOW - DAY) for ca in cas)
    trust = TrustStore(tuple(ca.certificate for ca in cas), crls, tuple(certs))
    return CertificatePeerFilter(trust, clock=lambda: at)


def test_a_node_certified_by_a_consortium_ca_is_let_in(org1: Authority, org2: Authority) -> None:
    key, cert = _node(org2)
    decision = _filter([org1, org2], [cert]).decide_id(key.node_id)
    assert decision.allowed, decision.reason


def test_a_node_without_any_certificate_is_refused(org1: Authority) -> None:
    _, cert = _node(org1)
    decision = _filter([org1], [cert]).decide_id(CometKey.generate().node_id)
    assert not decision.allowed and "no certificate" in decision.reason


def test_a_self_signed_node_certificate_is_refused(org1: Authority) -> None:
    rogue = create_authority("org1", now=NOW - DAY)   # same name as the real CA, another key
    key, cert = _node(rogue)
    decision = _filter([org1], [cert]).decide_id(key.node_id)
    assert not decision.allowed and "not a trusted consortium CA" in decision.reason


def test_a_certificate_from_a_ca_outside_the_trust_list_is_refused(org1: Authority, org2: Authority) -> None:
    key, cert = _node(org2)
    assert not _filter([org1], [cert]).allows_id(key.node_id)


def test_an_expired_certificate_is_refused(org1: Authority) -> None:
    key, cert = _node(org1, now=NOW - 9 * DAY, days=3)
    decision = _filter([org1], [cert]).decide_id(key.node_id)
    assert not decision.allowed and "expired" in decision.reason


def test_a_certificate_not_yet_valid_is_refused(org1: Authority) -> None:
    key, cert = _node(org1, not_before=NOW + DAY)
    decision = _filter([org1], [cert]).decide_id(key.node_id)
    assert not decision.allowed and "not yet valid" in decision.reason


def test_a_revoked_certificate_is_refused_and_its_neighbour_is_not(org1: Authority) -> None:
    key, cert = _node(org1)
    other_key, other = _node(org1)
    peers = _filter([org1], [cert, other], revoked={"org1": [cert.serial_number]})
    decision = peers.decide_id(key.node_id)
    assert not decision.allowed and "revoked" in decision.reason
    assert peers.allows_id(other_key.node_id)


def test_a_revocation_list_signed_by_another_key_does_not_count(org1: Authority) -> None:
    key, cert = _node(org1)
    impostor = Authority(org1.certificate, create_authority("org1", now=NOW).key)
    trust = TrustStore((org1.certificate,), (build_crl(impostor, [], now=NOW - DAY),), (cert,))
    decision = CertificatePeerFilter(trust, clock=lambda: NOW).decide_id(key.node_id)
    assert not decision.allowed and "no CRL" in decision.reason


def test_a_certificate_for_another_key_does_not_admit_the_id_it_names(org1: Authority) -> None:
    # The SAN claims the victim's id, but the certified key is the attacker's: refused.
    victim, attacker = CometKey.generate(), CometKey.generate()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "org1")]))
            .issuer_name(org1.certificate.subject).public_key(attacker.private_key.public_key())
            .serial_number(7).not_valid_before(NOW - DAY).not_valid_after(NOW + DAY)
            .add_extension(x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier(f"cometbft:node:{victim.node_id}")]), critical=False)
            .sign(org1.key, hashes.SHA256()))
    trust = TrustStore((org1.certificate,), (build_crl(org1, [], now=NOW - DAY),), (cert,))
    decision = check_certificate(cert, victim.node_id, trust, NOW)
    assert not decision.allowed and "another node's" in decision.reason
    assert not CertificatePeerFilter(trust, clock=lambda: NOW).allows_id(victim.node_id)


def test_a_ca_cannot_certify_a_node_of_another_organisation(org1: Authority) -> None:
    key = CometKey.generate()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "org2"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, "n")]))
            .issuer_name(org1.certificate.subject).public_key(key.private_key.public_key())
            .serial_number(8).not_valid_before(NOW - DAY).not_valid_after(NOW + DAY)
            .add_extension(x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier(f"cometbft:node:{key.node_id}")]), critical=False)
            .sign(org1.key, hashes.SHA256()))
    decision = _filter([org1], [cert]).decide_id(key.node_id)
    assert not decision.allowed and "name constraints" in decision.reason


def test_a_renewed_certificate_admits_while_the_old_one_is_expired(org1: Authority) -> None:
    key = CometKey.generate()
    validator = CometKey.generate()
    old = issue_node_certificate(org1, node_name="n", node_key=key, validator_key=validator, now=NOW - 9 * DAY, days=2)
    new = issue_node_certificate(org1, node_name="n", node_key=key, validator_key=validator, now=NOW - DAY)
    assert _filter([org1], [old, new]).allows_id(key.node_id)
    assert not _filter([org1], [old]).allows_id(key.node_id)


@pytest.mark.parametrize("node_id", ["", "ABCDEF" * 7, "zz" * 20, "00" * 19])
def test_malformed_ids_are_refused(org1: Authority, node_id: str) -> None:
    assert not _filter([org1], []).allows_id(node_id)


@pytest.mark.parametrize(("addr", "allowed"), [("10.1.2.3:26656", True), ("192.168.0.1:26656", False),
                                               ("[::1]:26656", False), ("nonsense", False)])
def test_address_allow_list(addr: str, allowed: bool) -> None:
    peers = CertificatePeerFilter(TrustStore(()), allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    assert peers.allows_addr(addr) is allowed
    assert CertificatePeerFilter(TrustStore(())).allows_addr(addr)
