"""A WebSocket's outgoing messages, bounded in bytes.

Responses and subscription notifications wait here until the socket takes them, so a
notification never overtakes a response. A client that stops reading would make this grow for
as long as blocks are mined (100 newHeads subscriptions on one unread socket queued ~100 KB a
block: in the soak, 20 such sockets held 650 MB). Past `max_bytes` the outbox is dropped and
the connection closed with the reason (1008, policy violation); the server also closes a
socket whose write has waited 10 s (geth's write timeout, chain/rpc/server.py), which is what
usually comes first. The client reconnects and resubscribes; the node keeps its memory.
"""
from __future__ import annotations

import asyncio
from collections import deque

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class Outbox:
    """FIFO of encoded messages with a byte bound; one consumer (the socket's writer task)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0                        # bytes queued now
        self.overflow: str | None = None     # why it was shut, once it was
        self._items: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def put(self, data: bytes) -> bool:
        """Queue `data`; False (and nothing queued) once the outbox is closed or overflowed.
        The first put past the bound empties the outbox and sets `overflow`."""
        if self._closed or self.overflow is not None:
            return False
        if self.max_bytes and self.size + len(data) > self.max_bytes:
            self.overflow = (f"client is not reading: {self.size + len(data):,} bytes queued for it, "
                             f"the limit is {self.max_bytes:,}")
            self._items.clear()
            self.size = 0
            self._ready.set()
            return False
        self._items.append(data)
        self.size += len(data)
        self._ready.set()
        return True

    def close(self) -> None:
        """No more messages; the writer ends after what is queued."""
        self._closed = True
        self._ready.set()

    async def get(self) -> bytes | None:
        """The next message, or None when the outbox was closed (and drained) or overflowed."""
        while not self._items:
            if self._closed or self.overflow is not None:
                return None
            self._ready.clear()
            await self._ready.wait()
        data = self._items.popleft()
        self.size -= len(data)
        return data
