"""Reading admission's trust store from a network directory (the I/O half of
network/admission.py): the trust list is every CA certificate in `trust/cas/`, the
revocations every CRL in `trust/crls/`, the registry every node certificate in `certs/`.

A network whose genesis seeded the trust list on chain (every one `wabei network init` makes
now) uses these files only as the genesis seed: its nodes follow the chain (network/chain_trust.py)
and replace the trust store read here at start. For an older network directory without it these
directories are the source of truth; a node re-reads them with `reload()`.
"""
from __future__ import annotations

from pathlib import Path

from cryptography import x509

from network.admission import CertificatePeerFilter, TrustStore
from network.layout import LayoutError, NodeConfig, load_node_config


def _pems(folder: Path) -> list[bytes]:
    if not folder.is_dir():
        raise LayoutError(f"{folder} is not a directory (the network's trust store is incomplete)")
    return [p.read_bytes() for p in sorted(folder.glob("*.pem"))]


def load_trust_store(cas: Path, crls: Path, certificates: Path) -> TrustStore:
    """Every PEM in the three folders; raises LayoutError for a missing folder or a bad PEM."""
    try:
        return TrustStore(
            authorities=tuple(c for data in _pems(cas) for c in x509.load_pem_x509_certificates(data)),
            crls=tuple(x509.load_pem_x509_crl(data) for data in _pems(crls)),
            certificates=tuple(c for data in _pems(certificates) for c in x509.load_pem_x509_certificates(data)))
    except ValueError as exc:
        raise LayoutError(f"a PEM file under {cas.parent} or {certificates} does not parse: {exc}") from None


def trust_store_of(config: NodeConfig) -> TrustStore:
    return load_trust_store(config.trust_cas, config.trust_crls, config.certificates)


def peer_filter_for(network_dir: Path, node: str) -> CertificatePeerFilter:
    """The peer filter `wabei node --network DIR --node NAME` answers CometBFT's
    `/p2p/filter/id/...` queries with."""
    return CertificatePeerFilter(trust_store_of(load_node_config(network_dir, node)))


def reload(peer_filter: CertificatePeerFilter, config: NodeConfig) -> None:
    """Re-read the trust store into a running filter (e.g. on SIGHUP or a timer)."""
    peer_filter.trust = trust_store_of(config)
