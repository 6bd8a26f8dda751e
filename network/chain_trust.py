"""Admission's trust store from chain state: the trust-list precompile (vm_hooks/trust/, 0x…1009)
read back after every commit that changed it, and handed to the node's running
`CertificatePeerFilter`, so a CA added or a CRL published by transaction takes effect for the
next peer that connects, without a restart.

Which source wins: a chain whose genesis seeded the trust list (every network `wabei network
init` makes) is admission's only source; the `trust/` and `certs/` files in the network
directory then only seeded genesis, and editing them changes nothing on a running node. A
chain without a seeded trust list (a network directory made before the trust list moved on
chain) keeps reading the files (network/trust.py).

Parsing happens here, in the node, not in the VM: an entry that does not parse as X.509 is
skipped with a warning (it admits nobody), the same on every node with the same `cryptography`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography import x509
from eth.abc import StateAPI

from chain.api.chain import Chain
from network.admission import CertificatePeerFilter, TrustStore
from vm_hooks.addresses import TRUST_LIST
from vm_hooks.trust.store import CA, CERTIFICATE, StateStorage, TrustListStore

if TYPE_CHECKING:
    from network.trust import WatchedPeerFilter

log = logging.getLogger("wabei.network.trust")


@dataclass(frozen=True)
class TrustMaterial:
    """The trust list as the chain holds it: opaque DER, not yet parsed."""

    revision: int
    admin: bytes
    authorities: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    certificates: tuple[bytes, ...]

    @property
    def seeded(self) -> bool:
        """False for a chain whose genesis set no trust list (admission then uses the files)."""
        return self.admin != b"\x00" * 20


def read_material(state: StateAPI) -> TrustMaterial:
    store = TrustListStore(StateStorage(state, TRUST_LIST))
    authorities = store.fingerprints(CA)
    return TrustMaterial(
        revision=store.revision(), admin=bytes(store.admin()),
        authorities=tuple(store.der(CA, p) for p in authorities),
        crls=tuple(crl for crl in (store.crl(p) for p in authorities) if crl),
        certificates=tuple(store.all_der(CERTIFICATE)))


def revision_of(state: StateAPI) -> int:
    """One storage read: whether the trust list changed since the last rebuild."""
    return TrustListStore(StateStorage(state, TRUST_LIST)).revision()


def trust_store(material: TrustMaterial) -> TrustStore:
    """Parse the DER entries; those that do not parse are left out, with a warning."""
    return TrustStore(
        authorities=tuple(_parsed(material.authorities, x509.load_der_x509_certificate, "CA certificate")),
        crls=tuple(_parsed(material.crls, x509.load_der_x509_crl, "CRL")),
        certificates=tuple(_parsed(material.certificates, x509.load_der_x509_certificate, "node certificate")))


def _parsed(ders: tuple[bytes, ...], load: Callable[[bytes], Any], what: str) -> list[Any]:
    out = []
    for der in ders:
        try:
            out.append(load(der))
        except ValueError as exc:
            log.warning("the trust list on chain holds a %s that does not parse (%s); it admits nobody", what, exc)
    return out


class ChainTrustFollower:
    """Keeps `peer_filter.trust` equal to the committed trust list of `chain`."""

    def __init__(self, chain: Chain, peer_filter: CertificatePeerFilter) -> None:
        self.chain = chain
        self.peer_filter = peer_filter
        self.revision = -1
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> bool:
        """Load the trust list now and follow commits; False (and nothing done) for a chain whose
        genesis seeded none, whose node keeps its file-based trust store."""
        material = read_material(self.chain.backend.head_state())
        if not material.seeded:
            return False
        self._apply(material)
        # inline: the filter must change before CometBFT's next peer query, not a loop turn later
        self._unsubscribe = self.chain.events.new_blocks.subscribe(lambda _: self.refresh(), inline=True)
        return True

    def refresh(self) -> None:
        state = self.chain.backend.head_state()
        if revision_of(state) != self.revision:
            self._apply(read_material(state))

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _apply(self, material: TrustMaterial) -> None:
        self.peer_filter.trust = trust_store(material)
        self.revision = material.revision
        log.info("trust list revision %d from chain: %d CAs, %d CRLs, %d node certificates", material.revision,
                 len(material.authorities), len(material.crls), len(material.certificates))


def follow_chain_trust(chain: Chain, peer_filter: "WatchedPeerFilter") -> bool:
    """Make a node's file-watching filter follow the chain's trust list when the genesis seeded
    one (then the chain wins and the files are no longer watched); True if it does."""
    follows = ChainTrustFollower(chain, peer_filter.filter).start()
    peer_filter.follow_files = not follows
    return follows
