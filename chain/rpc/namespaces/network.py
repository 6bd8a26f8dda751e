"""wabei_networkNodes: the explorer's node table (docs/explorer.md). A network node answers from
its own CometBFT (network/node_table.py); a devnet has no network and says so."""
from __future__ import annotations

from typing import Any

from chain.api.chain import Chain
from chain.types import PeerNode


class NetworkNamespace:
    prefixes = ("wabei",)

    def __init__(self, chain: Chain) -> None:
        self._chain = chain

    async def networkNodes(self) -> dict[str, Any]:
        """`{mode: "devnet", nodes: []}` on a devnet; on a network, this node's height and latest
        block time and a row per node: itself, its peers, and validators it is not connected to.
        At most a second old; -32000 when this node's CometBFT does not answer."""
        table = await self._chain.engine.network_nodes()
        if table is None:
            return {"mode": "devnet", "nodes": []}
        return {
            "mode": "network", "height": hex(table.height), "latestBlockTime": table.latest_block_time,
            "catchingUp": table.catching_up, "totalPower": hex(table.total_power),
            "nodes": [_row(n) for n in table.nodes],
        }


def _row(node: PeerNode) -> dict[str, Any]:
    return {
        "nodeId": node.node_id or None, "name": node.name, "organisation": node.organisation,
        "address": node.address, "validatorAddress": node.validator_address, "power": hex(node.power),
        "self": node.is_self, "connected": node.connected,
        "height": None if node.height is None else hex(node.height),
    }
