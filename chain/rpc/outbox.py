"""A WebSocket's outgoing messages, bounded in bytes per socket and across the node.

Responses and subscription notifications wait here until the socket takes them, so a
notification never overtakes a response. A client that stops reading would make this grow for
as long as blocks are mined (100 newHeads subscriptions on one unread socket queue ~180 kB a
block: in the soak, 20 such sockets held 650 MB). Past `max_bytes` on one socket, or past the
node's `OutboxBudget` across all of them (then the socket with the most queued goes), the
outbox is dropped and the connection closed with the reason (1008, policy violation). The
server also closes a socket whose write has waited 10 s (geth's write timeout,
chain/rpc/server.py). The client reconnects and resubscribes; the node keeps its memory.

Messages are kept as `str` (what the socket sends): orjson's `bytes` carry an ~8 kB buffer
whatever their length, so 1.8 kB notifications held four times what was counted.
"""
from __future__ import annotations

import asyncio
from collections import deque
from typing import Callable

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_TOTAL_BYTES = 64 * 1024 * 1024


class OutboxBudget:
    """What every socket of a server may hold together; 0 = no bound."""

    def __init__(self, max_bytes: int = DEFAULT_TOTAL_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.outboxes: set["Outbox"] = set()


class Outbox:
    """FIFO of encoded messages with a byte bound; one consumer (the socket's writer task).
    `on_overflow(reason)` is called once, when this outbox is shut for its size."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, budget: OutboxBudget | None = None,
                 on_overflow: Callable[[str], None] = lambda reason: None) -> None:
        self.max_bytes = max_bytes
        self.size = 0                        # characters queued now (ASCII JSON: bytes)
        self.overflow: str | None = None     # why it was shut, once it was
        self._budget = budget or OutboxBudget(0)
        self._budget.outboxes.add(self)
        self._on_overflow = on_overflow
        self._items: deque[str] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, data: str) -> bool:
        """Queue `data`; False (and nothing queued) once the outbox is closed or overflowed."""
        if self._closed or self.overflow is not None:
            return False
        if self.max_bytes and self.size + len(data) > self.max_bytes:
            self.shut(f"client is not reading: {self.size + len(data):,} bytes queued for it, "
                      f"the limit is {self.max_bytes:,}")
            return False
        budget = self._budget
        if budget.max_bytes and budget.size + len(data) > budget.max_bytes:
            largest = max(budget.outboxes, key=lambda o: o.size)
            largest.shut(f"client is not reading: {largest.size:,} bytes queued for it, the most of any "
                         f"connection, while all together passed the node's {budget.max_bytes:,}")
            if largest is self:
                return False
        self._items.append(data)
        self.size += len(data)
        budget.size += len(data)
        self._ready.set()
        return True

    def shut(self, reason: str) -> None:
        """Drop what is queued and refuse more; tell the owner why (once)."""
        if self.overflow is not None:
            return
        self.overflow = reason
        self._release()
        self._ready.set()
        self._on_overflow(reason)

    def close(self) -> None:
        """No more messages; the writer ends after what is queued."""
        self._closed = True
        self._ready.set()

    def detach(self) -> None:
        """The socket is gone: drop what is left and leave the node's budget."""
        self._closed = True
        self._release()
        self._budget.outboxes.discard(self)

    async def get(self) -> str | None:
        """The next message, or None when the outbox was closed (and drained) or overflowed."""
        while not self._items:
            if self._closed or self.overflow is not None:
                return None
            self._ready.clear()
            await self._ready.wait()
        data = self._items.popleft()
        self.size -= len(data)
        self._budget.size -= len(data)
        return data

    def _release(self) -> None:
        self._budget.size -= self.size
        self.size = 0
        self._items.clear()
