"""eth_subscribe over WebSocket: newHeads, logs (with filters), newPendingTransactions.

Each connection owns its subscriptions; closing the socket removes them. Notifications are queued
on the connection's outbox, so they never overtake a response the client is still waiting for.
"""
from __future__ import annotations

import os
import weakref
from typing import Any, Callable

from eth.abc import BlockHeaderAPI

from chain.api.logs import block_logs, matches
from chain.api.blocks import MinedBlock
from chain.api.events import ChainEvents, EmptyBlocks
from chain.api.filters import criteria_entries
from chain.exceptions import InvalidParams
from chain.pool import PooledTx
from chain.rpc import codec
from chain.rpc.formatters import header_json, log_json
from chain.types import LogFilter

Send = Callable[[dict[str, Any]], None]
MAX_SUBSCRIPTIONS = 1_000            # per connection
MAX_SUBSCRIPTION_ENTRIES = 20_000    # addresses and topic alternatives across a connection's log subscriptions
HEAD_CACHE = 4_096                   # header JSONs kept at most (one event: anvil_mine mines in chunks of 2,000)


class HeadJsonCache:
    """newHeads JSON made once for every connection of a chain, kept while one event is delivered
    (100 newHeads subscriptions on one socket would otherwise cost 100 encodings of each block,
    and of each bulk-mined header 100 decodings too).

    Topic.publish queues an event's deliveries together and in order (loop.call_soon), so once a
    delivery of another event arrives, the headers of the one before are not asked for again and
    are dropped. Before, the last 4,096 headers stayed (about 3.3 KB of JSON each, 13 MiB): the
    cache filled and emptied every couple of minutes of a soak, and the node's RSS with it. The
    current event is known by a weak reference: not by its id, which a later event can reuse once
    this one is freed, and not by a strong one, which would keep a mined block's computations.
    """

    def __init__(self) -> None:
        self._event: weakref.ref[object] | None = None
        self._by_hash: dict[bytes, dict[str, Any]] = {}

    def get(self, event: object, block_hash: bytes, header: Callable[[], BlockHeaderAPI]) -> dict[str, Any]:
        """The JSON of `header()` (block `block_hash`), delivered as part of `event`."""
        if self._event is None or self._event() is not event or len(self._by_hash) >= HEAD_CACHE:
            self._event = weakref.ref(event)
            self._by_hash.clear()
        cached = self._by_hash.get(block_hash)
        if cached is None:
            cached = self._by_hash[block_hash] = header_json(header())
        return cached

    def __len__(self) -> int:
        return len(self._by_hash)


class SubscriptionSet:
    def __init__(self, events: ChainEvents, send: Send, max_subscriptions: int = MAX_SUBSCRIPTIONS,
                 max_entries: int = MAX_SUBSCRIPTION_ENTRIES,
                 heads: HeadJsonCache | None = None) -> None:
        """`heads`: the header-JSON cache, shared by every connection of a chain (the endpoint
        passes one); a header's JSON is the same for all of them."""
        self._events = events
        self._send = send
        self._max = max_subscriptions
        self._max_entries = max_entries
        self._entries: dict[str, int] = {}  # log subscriptions: their addresses and topics
        # newHeads JSON, shared by subscriptions and, through the endpoint, by connections: kept
        # per connection, 20 sockets with newHeads subscriptions held up to 4,096 headers each
        # (~8 MiB a socket), and a soak's RSS grew by hundreds of MiB.
        self._heads = HeadJsonCache() if heads is None else heads
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self.kinds: dict[str, str] = {}  # subscription id → kind (newHeads, logs, ...), for metrics

    def subscribe(self, params: Any) -> str:
        if not isinstance(params, list) or not params or not isinstance(params[0], str):
            raise InvalidParams("eth_subscribe expects [kind, options?]")
        if len(self._unsubscribe) >= self._max:
            raise InvalidParams(f"too many subscriptions on this connection ({self._max}, the limit); "
                                "eth_unsubscribe some first")
        kind, sid = params[0], "0x" + os.urandom(16).hex()
        if kind == "newHeads":
            stop = _both(self._events.new_blocks.subscribe(
                             lambda m: self._notify(sid, self._heads.get(m, m.block.hash, lambda: m.block.header))),
                         self._events.empty_blocks.subscribe(lambda run: self._on_empty_run(sid, run)))
        elif kind == "logs":
            flt = _log_filter(params[1] if len(params) > 1 else {})
            weight, held = criteria_entries(flt), sum(self._entries.values())
            if held + weight > self._max_entries:
                raise InvalidParams(f"too many log criteria on this connection: {held:,} addresses and topics "
                                    f"already, this subscription adds {weight:,}, the limit is "
                                    f"{self._max_entries:,}; eth_unsubscribe some first")
            self._entries[sid] = weight
            stop = self._events.new_blocks.subscribe(lambda m: self._on_logs(sid, flt, m))
        elif kind == "newPendingTransactions":
            stop = self._events.new_pending.subscribe(lambda p: self._on_pending(sid, p))
        else:
            raise InvalidParams(f"unsupported subscription kind {kind!r}: use newHeads, logs or newPendingTransactions")
        self._unsubscribe[sid] = stop
        self.kinds[sid] = kind
        return sid

    def unsubscribe(self, params: Any) -> bool:
        if not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], str):
            raise InvalidParams("eth_unsubscribe expects [subscriptionId]")
        stop = self._unsubscribe.pop(params[0], None)
        self._entries.pop(params[0], None)
        self.kinds.pop(params[0], None)
        if stop is None:
            return False
        stop()
        return True

    def close(self) -> None:
        for stop in self._unsubscribe.values():
            stop()
        self._unsubscribe.clear()
        self._entries.clear()
        self.kinds.clear()

    def _notify(self, sid: str, result: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": "eth_subscription",
                    "params": {"subscription": sid, "result": result}})

    def _on_logs(self, sid: str, flt: LogFilter, mined: MinedBlock) -> None:
        for entry in block_logs(mined.block):
            if matches(entry, flt):
                self._notify(sid, log_json(entry))

    def _on_empty_run(self, sid: str, run: EmptyBlocks) -> None:
        for i, h in enumerate(run.headers):
            self._notify(sid, self._heads.get(run, h.hash, lambda: run.header(i)))

    def _on_pending(self, sid: str, ptx: PooledTx) -> None:
        self._notify(sid, "0x" + ptx.hash.hex())


def _log_filter(options: Any) -> LogFilter:
    o = codec.obj(options, "filter")
    return LogFilter(
        from_block=0, to_block=None,
        addresses=codec.addresses_filter(o.get("address"), "address"),
        topics=codec.topics_filter(o.get("topics"), "topics"),
    )


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def stop() -> None:
        first()
        second()
    return stop
