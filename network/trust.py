"""Reading admission's trust store from a network directory (the I/O half of
network/admission.py): the trust list is every CA certificate in `trust/cas/`, the
revocations every CRL in `trust/crls/`, the registry every node certificate in `certs/`.

A network whose genesis seeded the trust list on chain (every one `wabei network init` makes
now) uses these files only as the genesis seed: its nodes follow the chain (network/chain_trust.py)
and replace the trust store read here at start. For an older network directory without it these
directories are the source of truth; a node re-reads them with `reload()`.
"""
from __future__ import annotations

import logging
from pathlib import Path

from cryptography import x509

from network.admission import CertificatePeerFilter, Decision, TrustStore
from network.layout import LayoutError, NodeConfig, load_node_config

log = logging.getLogger("wabei.admission")
Fingerprint = tuple[tuple[str, int, int], ...]


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


def peer_filter_for(network_dir: Path, node: str) -> "WatchedPeerFilter":
    """The peer filter `wabei node --network DIR --node NAME` answers CometBFT's
    `/p2p/filter/id/...` queries with."""
    return WatchedPeerFilter(load_node_config(network_dir, node))


def reload(peer_filter: CertificatePeerFilter, config: NodeConfig) -> None:
    """Re-read the trust store into a running filter (e.g. on SIGHUP or a timer)."""
    peer_filter.trust = trust_store_of(config)


def fingerprint(config: NodeConfig) -> Fingerprint:
    """Name, size and modification time of every PEM in the trust store's folders: it changes
    when a file is added, removed or rewritten."""
    entries = []
    for folder in (config.trust_cas, config.trust_crls, config.certificates):
        for path in sorted(folder.glob("*.pem")):
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked: the next query sees the folder settled
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


class WatchedPeerFilter:
    """A node's CertificatePeerFilter that re-reads the trust store when its files change.

    CometBFT asks once per connection attempt, so checking the folders on every query (a few
    stat calls) costs nothing that matters, and a revocation is in force for the next
    connection with no signal or timer. A store that does not parse (a file half-written by
    a copy) is not taken: the node keeps deciding with the last good one and tries again at
    the next query, so a botched copy never opens or closes the network by accident."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        self._seen = fingerprint(config)
        self.filter = CertificatePeerFilter(trust_store_of(config))
        # False once the chain carries the trust list (network/chain_trust.py): the chain wins,
        # and a file changed later must not override what every node agreed on.
        self.follow_files = True

    def current(self) -> CertificatePeerFilter:
        """The filter, re-read first if a file of the trust store changed (while files rule)."""
        if not self.follow_files:
            return self.filter
        now = fingerprint(self.config)
        if now != self._seen:
            try:
                reload(self.filter, self.config)
            except LayoutError as exc:
                log.error("the trust store changed but does not load; keeping the previous one: %s", exc)
            else:
                self._seen = now
                log.info("re-read the trust store of %s (%d files)", self.config.node, len(now))
        return self.filter

    def decide_id(self, node_id: str) -> Decision:
        return self.current().decide_id(node_id)

    def allows_id(self, node_id: str) -> bool:
        return self.current().allows_id(node_id)

    def allows_addr(self, addr: str) -> bool:
        return self.current().allows_addr(addr)

    def refusal(self, node_id: str) -> str:
        return self.current().refusal(node_id)
