"""Changing a network's membership from the files of its network directory: revoking a node's
certificate (the organisation's CA re-signs its CRL file; `wabei network revoke` then publishes
it on chain, cli/network_trust.py). Adding an organisation and
rotating a CA are described step by step in docs/network.md, "Operations".
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509

from network import pki
from network.layout import LayoutError, load_manifest

CRL_DAYS = 365


def revoke_node(network_dir: Path, node: str, *, now: dt.datetime | None = None) -> int:
    """Add `node`'s certificate to its organisation's CRL (signed with `orgs/<org>/ca.key`, so
    this runs where that key is) and return the serial. Every node reads the new CRL when its
    trust store is reloaded; copy `trust/crls/<org>.pem` to the other hosts."""
    manifest = load_manifest(network_dir)
    entry = next((n for n in manifest["nodes"] if n["name"] == node), None)
    if entry is None:
        raise LayoutError(f"no node {node!r} in {network_dir} (nodes: {', '.join(n['name'] for n in manifest['nodes'])})")
    org = entry["org"]
    try:
        cert = x509.load_pem_x509_certificate((network_dir / "certs" / f"{node}.pem").read_bytes())
        ca = pki.load_authority((network_dir / "orgs" / org / "ca.pem").read_bytes(),
                                (network_dir / "orgs" / org / "ca.key").read_bytes())
        crl_path = network_dir / "trust" / "crls" / f"{org}.pem"
        crl = x509.load_pem_x509_crl(crl_path.read_bytes())
    except FileNotFoundError as exc:
        raise LayoutError(f"{exc.filename} is missing: revoking needs the node's certificate, the CA's key "
                          "and its current CRL") from None
    serials = sorted({r.serial_number for r in crl} | {cert.serial_number})
    when = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    crl_path.write_bytes(pki.pem(pki.build_crl(ca, serials, now=when, days=CRL_DAYS)))
    return cert.serial_number
