"""wabei_networkNodes' table from CometBFT's answers and the trust list's certificates
(network/node_table.py): the cases a healthy 4-validator network does not show over the wire
(tests/comet/test_consortium.py): a validator that is down, a peer with no certificate, a
certificate that does not parse, a peer not yet heard from."""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from chain.types import PeerNode
from network import node_table
from network.keys import CometKey
from network.pki import create_authority, issue_node_certificate

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
ORG1, ORG2 = create_authority("org1", now=NOW), create_authority("org2", now=NOW)


class Node:
    def __init__(self, name: str, ca: Any) -> None:
        self.name, self.p2p, self.validator = name, CometKey.generate(), CometKey.generate()
        self.der = issue_node_certificate(ca, node_name=name, node_key=self.p2p, validator_key=self.validator,
                                          now=NOW).public_bytes(Encoding.DER)

    @property
    def id(self) -> str:
        return self.p2p.node_id

    @property
    def validator_address(self) -> str:
        return self.validator.address.hex().upper()

    def validator_json(self, power: int) -> dict[str, Any]:
        return {"address": self.validator_address, "voting_power": str(power),
                "pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(self.validator.public_bytes).decode()}}


ME, PEER, DOWN, STRANGER = Node("org1-node1", ORG1), Node("org2-node1", ORG2), Node("org2-node2", ORG2), Node("x", ORG1)


def answers(height: int = 9) -> tuple[dict[str, Any], ...]:
    status = {"node_info": {"id": ME.id, "moniker": ME.name, "listen_addr": "tcp://0.0.0.0:26656"},
              "sync_info": {"latest_block_height": str(height), "latest_block_time": "2026-01-01T00:00:01Z",
                            "catching_up": False},
              "validator_info": ME.validator_json(10)}
    net_info = {"n_peers": "2", "peers": [{"node_info": {"id": PEER.id, "moniker": PEER.name}, "remote_ip": "10.0.0.2"},
                                          {"node_info": {"id": STRANGER.id, "moniker": "stranger"}, "remote_ip": "10.0.0.9"}]}
    validators = {"validators": [ME.validator_json(10), PEER.validator_json(20), DOWN.validator_json(5)]}
    dump = {"peers": [{"node_address": f"{PEER.id}@10.0.0.2:26656", "peer_state": {"round_state": {"height": "9"}}},
                      {"node_address": f"{STRANGER.id}@10.0.0.9:26656", "peer_state": {"round_state": {"height": "0"}}}]}
    return status, net_info, validators, dump


def test_rows_for_this_node_its_peers_and_a_validator_that_is_down() -> None:
    # STRANGER's certificate is not on the trust list (admission would not have let it in; a
    # list changed after it connected); one entry does not parse and names nobody.
    known = node_table.identities([ME.der, PEER.der, DOWN.der, b"not a certificate"])
    table = node_table.node_table(*answers(), known)
    assert (table.height, table.total_power, table.catching_up) == (9, 35, False)
    assert table.nodes == (
        PeerNode(ME.id, ME.name, "org1", "tcp://0.0.0.0:26656", ME.validator_address, 10, True, True, 9),
        PeerNode(PEER.id, PEER.name, "org2", "10.0.0.2", PEER.validator_address, 20, False, True, 8),
        PeerNode(STRANGER.id, "stranger", None, "10.0.0.9", None, 0, False, True, None),
        PeerNode(DOWN.id, DOWN.name, "org2", None, DOWN.validator_address, 5, False, False, None),
    )


def test_a_validator_with_no_certificate_is_still_listed_by_its_address() -> None:
    table = node_table.node_table(*answers(), node_table.identities([ME.der, PEER.der]))
    assert table.nodes[-1] == PeerNode("", "", None, None, DOWN.validator_address, 5, False, False, None)


def test_a_certified_observer_has_no_power() -> None:
    status, net_info, validators, dump = answers()
    validators = {"validators": [v for v in validators["validators"] if v["address"] != PEER.validator_address]}
    table = node_table.node_table(status, net_info, validators, dump, node_table.identities([PEER.der]))
    peer = table.nodes[1]
    assert (peer.organisation, peer.power, peer.validator_address) == ("org2", 0, None)
