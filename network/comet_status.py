"""What a node's CometBFT says about its network, mapped to the Ethereum RPC's view of it
(eth_mining, eth_syncing, net_peerCount; docs/rpc.md). Pure: the engine fetches the RPC
answers (`/status`, `/net_info`, `/dump_consensus_state`) and these functions read them.

- eth_mining: the node is a validator: its own voting power in `/status` is above zero (an
  observer, power 0, makes no blocks; geth answers false for a node that does not mine).
- net_peerCount: `/net_info`'s `n_peers`: the P2P peers admission let in.
- eth_syncing: CometBFT's `sync_info.catching_up` (block sync has not switched to consensus).
  While it catches up: startingBlock = the head when the node started, currentBlock = its head
  now, highestBlock = the highest height a peer is working on minus one (what that peer has
  committed; from `/dump_consensus_state`), never below currentBlock.
"""
from __future__ import annotations

from typing import Any

from chain.types import NetworkStatus, SyncProgress


def is_validator(status: dict[str, Any]) -> bool:
    """`/status`'s own validator has voting power."""
    return int(status["validator_info"]["voting_power"]) > 0


def catching_up(status: dict[str, Any]) -> bool:
    return bool(status["sync_info"]["catching_up"])


def peer_heights(consensus_dump: dict[str, Any]) -> list[int]:
    """The heights the peers have committed, from `/dump_consensus_state`'s per-peer round
    state (a peer works on height h once h - 1 is committed). Peers not yet heard from
    (height 0) are left out."""
    heights = []
    for peer in consensus_dump.get("peers") or []:
        working = int(((peer.get("peer_state") or {}).get("round_state") or {}).get("height") or 0)
        if working > 0:
            heights.append(working - 1)
    return heights


def sync_progress(starting: int, current: int, consensus_dump: dict[str, Any]) -> SyncProgress:
    """eth_syncing's object for a node that is catching up (see the module docstring)."""
    highest = max([current, *peer_heights(consensus_dump)])
    return SyncProgress(starting_block=min(starting, current), current_block=current, highest_block=highest)


def network_status(status: dict[str, Any], net_info: dict[str, Any], sync: SyncProgress | None) -> NetworkStatus:
    return NetworkStatus(peer_count=int(net_info["n_peers"]), producing=is_validator(status), sync=sync)
