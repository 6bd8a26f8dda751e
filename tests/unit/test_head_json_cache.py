"""newHeads JSON is made once per block for every connection, and kept only while one event is
delivered (chain/rpc/subscriptions.py, HeadJsonCache): not the last 4,096 headers."""
from __future__ import annotations

import gc
import weakref
from typing import Any

from chain.api.chain import Chain, build_chain
from chain.config import ChainConfig
from chain.rpc.subscriptions import HeadJsonCache, SubscriptionSet

GENESIS_TIME = 1_700_000_000


def connections(chain: Chain, cache: HeadJsonCache, count: int = 2) -> list[list[dict[str, Any]]]:
    """`count` sockets' worth of newHeads subscriptions (two on each), sharing `cache`."""
    inboxes: list[list[dict[str, Any]]] = []
    for _ in range(count):
        inbox: list[dict[str, Any]] = []
        subs = SubscriptionSet(chain.events, inbox.append, heads=cache)
        subs.subscribe(["newHeads"])
        subs.subscribe(["newHeads"])
        inboxes.append(inbox)
    return inboxes


def heads(inbox: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [message["params"]["result"] for message in inbox]


def test_each_block_is_encoded_once_for_every_connection_and_then_dropped() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME))
    cache = HeadJsonCache()
    first, second = connections(chain, cache)
    for i in range(3):
        chain.blocks.mine_block(GENESIS_TIME + 1 + i)
    assert [h["number"] for h in heads(first)] == ["0x1", "0x1", "0x2", "0x2", "0x3", "0x3"]
    assert [id(h) for h in heads(first)] == [id(h) for h in heads(second)]  # the same object: made once
    assert heads(first)[-1]["hash"] == "0x" + bytes(chain.backend.head.hash).hex()
    assert len(cache) == 1  # the last block's, not every block's


def test_the_cache_does_not_keep_a_mined_block_alive() -> None:
    # A mined block carries its computations (for console.log): the cache must not hold them.
    chain = build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME))
    cache = HeadJsonCache()
    connections(chain, cache, count=1)
    seen: list[weakref.ref[object]] = []
    chain.events.new_blocks.subscribe(lambda mined: seen.append(weakref.ref(mined)))
    chain.blocks.mine_block(GENESIS_TIME + 1)
    gc.collect()
    assert len(seen) == 1 and seen[0]() is None and len(cache) == 1


def test_a_bulk_run_is_shared_while_delivered_then_dropped_at_the_next_block() -> None:
    chain = build_chain(ChainConfig(genesis_timestamp=GENESIS_TIME))
    chain.blocks.mine_block(GENESIS_TIME + 1)
    cache = HeadJsonCache()
    first, second = connections(chain, cache)
    chain.blocks.mine_blocks(50, GENESIS_TIME + 2, interval=1)
    assert len(heads(first)) == len(heads(second)) == 100
    assert sorted(int(h["number"], 16) for h in heads(first)) == [n for n in range(2, 52) for _ in range(2)]
    assert [id(h) for h in heads(first)] == [id(h) for h in heads(second)]
    assert len(cache) == 49  # the run's headers (the first block of a run is the VM's)
    chain.blocks.mine_block(GENESIS_TIME + 60)
    assert len(cache) == 1
