"""Which peers CometBFT may connect to: the ABCI `Query` paths of `filter_peers`.

With `filter_peers = true` in config.toml, CometBFT asks the application, for every peer it is
about to add, `/p2p/filter/addr/<ip:port>` and `/p2p/filter/id/<node id>`; a non-zero code
refuses the peer. The answer's `log` says why (CometBFT writes it into its own log line
"Ignoring inbound connection: error while adding peer"), and the app logs it too. The consortium's certificate-based filter (network/admission.py) implements
`PeerFilter`; a node without one allows every peer.
"""
from __future__ import annotations

from typing import Protocol


class PeerFilter(Protocol):
    """Answers CometBFT's peer filter queries; must be quick (called on every connection)."""

    def allows_id(self, node_id: str) -> bool:
        """True if the peer with this CometBFT node id (hex of its key's address) may connect."""
        ...

    def allows_addr(self, addr: str) -> bool:
        """True if a peer at this "ip:port" may connect."""
        ...

    def refusal(self, node_id: str) -> str:
        """Why the peer with this id is refused, for an operator to act on ('' if it is not)."""
        ...


class AllowAll:
    """The filter of a node with no admission policy: every peer may connect."""

    def allows_id(self, node_id: str) -> bool:
        return True

    def allows_addr(self, addr: str) -> bool:
        return True

    def refusal(self, node_id: str) -> str:
        return ""
