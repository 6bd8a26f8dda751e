"""The trust list's genesis state: the storage words `wabei network init`'s CAs, CRLs and node
certificates occupy in the precompile's account, computed by the same layout code the
precompile writes with, so every node that reads the same `app_state` seeds the same words
(tests/unit/test_trust_list.py builds two chains and compares their genesis hashes).
"""
from __future__ import annotations

from collections.abc import Sequence

from eth_typing import Address

from vm_hooks.addresses import TRUST_LIST
from vm_hooks.errors import TrustListError
from vm_hooks.trust.precompile import MAX_ENTRIES, check_der
from vm_hooks.trust.store import CA, CERTIFICATE, GenesisStorage, TrustListStore, fingerprint


def seed_words(admin: bytes, authorities: Sequence[tuple[bytes, bytes]],
               certificates: Sequence[bytes]) -> dict[int, int]:
    """Slot → value of the trust list with `admin`, the CAs as (CA DER, CRL DER or b"") pairs,
    and the node certificates; raises TrustListError for an entry the precompile would refuse."""
    if admin == b"\x00" * 20:
        raise TrustListError("the trust list's admin cannot be the zero address")
    storage = GenesisStorage(TRUST_LIST)
    store = TrustListStore(storage)
    store.set_admin(Address(admin))
    for kind, ders in ((CA, [ca for ca, _ in authorities]), (CERTIFICATE, list(certificates))):
        if len(ders) > MAX_ENTRIES:
            raise TrustListError(f"{len(ders)} entries of one kind; the trust list holds at most {MAX_ENTRIES}")
        for der in ders:
            check_der(der, "CA certificate" if kind == CA else "node certificate")
            if store.contains(kind, fingerprint(der)):
                raise TrustListError(f"the entry 0x{fingerprint(der).hex()} is listed twice")
            store.add(kind, der)
    for ca, crl in authorities:
        if crl:
            check_der(crl, "CRL")
            store.set_crl(fingerprint(ca), crl)
    store.bump_revision()
    return dict(storage.words)
