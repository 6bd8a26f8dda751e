"""How CometBFT's RPC answers become eth_mining, eth_syncing and net_peerCount
(network/comet_status.py). The shapes are CometBFT v0.38's; tests/comet/test_consortium.py
checks the same rows over the wire against real processes."""
from __future__ import annotations

from typing import Any

import pytest

from chain.types import NetworkStatus, SyncProgress
from network import comet_status


def status(power: int, catching_up: bool, height: int = 7) -> dict[str, Any]:
    return {"node_info": {"moniker": "org1-node1"},
            "sync_info": {"latest_block_height": str(height), "catching_up": catching_up},
            "validator_info": {"address": "AB" * 20, "voting_power": str(power)}}


def dump(*heights: int) -> dict[str, Any]:
    """/dump_consensus_state with one peer per height (0: a peer not heard from yet)."""
    return {"round_state": {"height": "3"},
            "peers": [{"node_address": f"{i:040x}@127.0.0.1:1", "peer_state": {
                "round_state": {"height": str(h), "round": 0, "step": 1}, "stats": {}}} for i, h in enumerate(heights)]}


@pytest.mark.parametrize("power, mining", [(10, True), (1, True), (0, False)])
def test_mining_means_having_voting_power(power: int, mining: bool) -> None:
    got = comet_status.network_status(status(power, False), {"n_peers": "3", "peers": []}, None)
    assert got == NetworkStatus(peer_count=3, producing=mining, sync=None)


@pytest.mark.parametrize("starting, current, heights, expected", [
    (0, 2, (41, 40, 0), SyncProgress(0, 2, 40)),   # highest: a peer working on 41 committed 40
    (5, 5, (), SyncProgress(5, 5, 5)),             # no peer heard from: nothing higher is known
    (5, 9, (3,), SyncProgress(5, 9, 9)),           # a lagging peer never lowers highestBlock
    (9, 4, (12,), SyncProgress(4, 4, 11)),         # startingBlock is never after currentBlock
])
def test_sync_progress(starting: int, current: int, heights: tuple[int, ...], expected: SyncProgress) -> None:
    assert comet_status.sync_progress(starting, current, dump(*heights)) == expected


def test_catching_up_is_read_from_sync_info() -> None:
    assert comet_status.catching_up(status(10, True)) and not comet_status.catching_up(status(10, False))
    assert comet_status.peer_heights({"peers": None}) == []
