"""The trust list in a network's genesis: `wabei network init` writes the CAs, their CRLs and the
node certificates into `app_state.trust` of CometBFT's genesis.json (hex DER), and every node
turns that section into the trust-list precompile's genesis storage (vm_hooks/trust/genesis.py)
when it loads its config. Every node reads the same genesis.json that CometBFT checks, so every
node seeds the same words; a node that seeded others would build another genesis block and be
refused at the first height (the app hash).

    "trust": {"cas": [{"certificate": "0x30…", "crl": "0x30…"}, …], "certificates": ["0x30…", …]}

The admin is `app_state.admin`, the same field init already writes.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from eth_utils.address import is_hex_address, to_canonical_address

from vm_hooks.addresses import TRUST_LIST
from vm_hooks.errors import TrustListError
from vm_hooks.trust.genesis import seed_words


class TrustGenesisError(ValueError):
    """`app_state.trust` (or its admin) is malformed; the message says what."""


def trust_section(authorities: Sequence[tuple[x509.Certificate, x509.CertificateRevocationList]],
                  certificates: Sequence[x509.Certificate]) -> dict[str, Any]:
    """`app_state.trust` for these CAs (each with its CRL) and node certificates."""
    def hexed(obj: x509.Certificate | x509.CertificateRevocationList) -> str:
        return "0x" + obj.public_bytes(Encoding.DER).hex()

    return {"cas": [{"certificate": hexed(ca), "crl": hexed(crl)} for ca, crl in authorities],
            "certificates": [hexed(c) for c in certificates]}


def genesis_storage(app_state: dict[str, Any]) -> tuple[tuple[bytes, int, int], ...]:
    """The precompile's genesis words from `app_state` (`ChainConfig.genesis_storage`); ()
    when it has no `trust` section (a network made before the trust list moved on chain)."""
    section = app_state.get("trust")
    if section is None:
        return ()
    admin = str(app_state.get("admin", ""))
    if not is_hex_address(admin):
        raise TrustGenesisError(f"app_state.admin {admin!r} is not a 0x-prefixed 20-byte address")
    try:
        authorities = [(_bytes(e["certificate"]), _bytes(e.get("crl", ""))) for e in section.get("cas", [])]
        certificates = [_bytes(c) for c in section.get("certificates", [])]
        words = seed_words(to_canonical_address(admin), authorities, certificates)
    except (KeyError, TypeError, AttributeError) as exc:
        raise TrustGenesisError(f"app_state.trust is malformed ({exc!r}); see network/trust_genesis.py") from None
    except TrustListError as exc:
        raise TrustGenesisError(f"app_state.trust: {exc}") from None
    return tuple((bytes(TRUST_LIST), slot, value) for slot, value in sorted(words.items()))


def _bytes(text: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"expected a 0x-hex string, got {type(text).__name__}")
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise TrustGenesisError(f"app_state.trust holds {text[:20]!r}…, which is not 0x-hex") from None
