"""The node table a network node answers wabei_networkNodes with, built from its own CometBFT's
RPC answers and the node certificates on the chain's trust list. Pure: the engine
(network/engine.py) fetches the answers, these functions read them.

- Rows: this node (`/status`), every connected peer (`/net_info`), and every validator of
  `/validators` that is neither (a validator that is down or not connected to this node). An
  observer this node is not connected to is not known to CometBFT here and has no row.
- Organisation: the `O=` of the node certificate whose ed25519 key is the node's P2P key (the
  node id is derived from the certificate's key, network/pki.py); a validator with no connected
  node is traced through the certificate's `cometbft:validator:ed25519:` URI. Certificates come
  from the trust list on chain (vm_hooks/trust/), the source admission uses, not network.json,
  which an organisation that joined later may not have.
- Power: the validator's voting power in `/validators`; a node's validator key is its own
  (`/status`) or, for a peer, the one its certificate binds. A node without one is an observer
  (power 0).
- Heights: this node's from `/status`; a peer's from `/dump_consensus_state`'s per-peer round
  state (the height a peer works on, minus one: what it has committed), `None` when not heard.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID

from chain.types import NetworkNodes, PeerNode
from network.admission import uris
from network.keys import address_of, node_id_of, public_bytes_of
from network.pki import VALIDATOR_URI_PREFIX, org_of


@dataclass(frozen=True)
class Identity:
    """What a node certificate says about a node."""

    node_id: str
    organisation: str
    name: str                        # the certificate's CN (the node's name at `network init`)
    validator_address: str | None    # upper-case hex of the bound validator key


def identities(ders: Iterable[bytes]) -> dict[str, Identity]:
    """Node id → identity for every node certificate that parses and has an ed25519 key.
    With several certificates for one node (a renewal) the last wins; they share the O=, since
    a CA's name constraints allow only its own organisation."""
    out: dict[str, Identity] = {}
    for der in ders:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            continue  # chain_trust.py warns about it already; it names nobody
        key = cert.public_key()
        if not isinstance(key, Ed25519PublicKey):
            continue
        node_id = node_id_of(public_bytes_of(key))
        cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        out[node_id] = Identity(node_id, org_of(cert.subject), str(cn[0].value) if cn else "",
                                _validator_address(uris(cert)))
    return out


def _validator_address(names: list[str]) -> str | None:
    for uri in names:
        if uri.startswith(VALIDATOR_URI_PREFIX):
            try:
                return address_of(bytes.fromhex(uri[len(VALIDATOR_URI_PREFIX):])).hex().upper()
            except ValueError:
                return None
    return None


def _address_of_pub_key(pub_key: dict[str, Any]) -> str:
    return address_of(base64.b64decode(pub_key["value"])).hex().upper()


def peer_heights(consensus_dump: dict[str, Any]) -> dict[str, int]:
    """Node id → committed height, from `/dump_consensus_state` (`node_address` is id@host:port)."""
    heights: dict[str, int] = {}
    for peer in consensus_dump.get("peers") or []:
        node_id = str(peer.get("node_address", "")).split("@", 1)[0]
        working = int(((peer.get("peer_state") or {}).get("round_state") or {}).get("height") or 0)
        if node_id and working > 0:
            heights[node_id] = working - 1
    return heights


def node_table(status: dict[str, Any], net_info: dict[str, Any], validators: dict[str, Any],
               consensus_dump: dict[str, Any], known: dict[str, Identity]) -> NetworkNodes:
    """The table from the four CometBFT answers and the certificates' identities (see above)."""
    power = {str(v["address"]).upper(): int(v["voting_power"]) for v in validators.get("validators") or []}
    heights = peer_heights(consensus_dump)
    sync = status["sync_info"]
    me = status["node_info"]
    own_validator = _address_of_pub_key(status["validator_info"]["pub_key"])
    rows = [_row(str(me["id"]), str(me["moniker"]), str(me.get("listen_addr") or "") or None, known, power,
                 is_self=True, height=int(sync["latest_block_height"]), validator=own_validator)]
    for peer in net_info.get("peers") or []:
        info = peer["node_info"]
        rows.append(_row(str(info["id"]), str(info["moniker"]), str(peer.get("remote_ip") or "") or None, known,
                         power, is_self=False, height=heights.get(str(info["id"]))))
    shown = {r.validator_address for r in rows if r.validator_address}
    by_validator = {i.validator_address: i for i in known.values() if i.validator_address}
    for address in sorted(set(power) - shown):
        identity = by_validator.get(address)
        rows.append(PeerNode(
            node_id=identity.node_id if identity else "", name=identity.name if identity else "",
            organisation=identity.organisation if identity else None, address=None, validator_address=address,
            power=power[address], is_self=False, connected=False, height=None))
    return NetworkNodes(height=int(sync["latest_block_height"]), latest_block_time=str(sync["latest_block_time"]),
                        catching_up=bool(sync["catching_up"]), total_power=sum(power.values()), nodes=tuple(rows))


def _row(node_id: str, moniker: str, address: str | None, known: dict[str, Identity], power: dict[str, int], *,
         is_self: bool, height: int | None, validator: str | None = None) -> PeerNode:
    identity = known.get(node_id)
    if validator is None and identity is not None:
        validator = identity.validator_address
    is_validator = validator is not None and validator in power
    return PeerNode(node_id=node_id, name=moniker, organisation=identity.organisation if identity else None,
                    address=address, validator_address=validator if is_validator else None,
                    power=power[validator] if is_validator and validator else 0, is_self=is_self, connected=True,
                    height=height)
