"""Answers too large to hold: a hex string made on a call worker and written to the client in pieces.

anvil_dumpState answers with the whole chain database, gzip-compressed and hex-encoded. On a
chain of 15,000 automined blocks that is tens of megabytes compressed, and answered as one JSON
body the node held it several times over (the compressed bytes, their hex, the encoded body and
the socket's buffer), on the event loop's thread for the last three: in a soak (bench/soak.py),
clients dumping a growing chain pushed the node's RSS from 250 to 790 MiB and every other
client's p99 latency past 400 ms. Now the worker hands the loop hex pieces through a `ChunkPipe`
of bounded depth (the worker waits while the client is slow to read), and the HTTP endpoint
writes them as a chunked body; memory stays at a few pieces whatever the chain's size.

An answer that fits in `WHOLE_UP_TO` bytes of hex is returned whole, as before, so that an error
of the run (a full queue, the dump limit) is a JSON-RPC error whenever it can be. A larger one
that fails after it started leaves the client a truncated body (docs/rpc.md, Limits). Batches and
WebSocket messages cannot be streamed: `text()` gathers the pieces there.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, AsyncIterator, Awaitable

from vm_hooks.deadline import Deadline, DeadlineExceeded

PIECE_BYTES = 64 * 1024      # compressed bytes per piece handed to the loop
DEPTH = 8                    # pieces in flight between the worker and the loop
WHOLE_UP_TO = 1024 * 1024    # hex bytes gathered before deciding to stream
_WAIT_S = 0.2                # how often a waiting worker looks at its deadline
_END = object()


class ChunkPipe:
    """A file-like sink for the worker (GzipFile writes into it) and pieces of hex for the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._room = threading.Semaphore(DEPTH)
        self._pending = bytearray()
        self.deadline: Deadline | None = None  # the run's, set on the worker: a wait sees a cancel

    # -- on the worker ---------------------------------------------------------------------------
    def write(self, data: bytes) -> int:
        self._pending += data
        if len(self._pending) >= PIECE_BYTES:
            self._hand_over()
        return len(data)

    def flush(self) -> None:
        """GzipFile.flush calls it; pieces go when full or at `close`."""

    def close(self) -> None:
        """The worker is done (or failed): hand over what is left, then the end."""
        if self._pending:
            self._hand_over()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, _END)

    def _hand_over(self) -> None:
        piece = bytes(self._pending).hex().encode()
        self._pending.clear()
        while not self._room.acquire(timeout=_WAIT_S):  # the loop has DEPTH pieces unread
            if self.deadline is not None and self.deadline.cancelled is not None:
                raise DeadlineExceeded(self.deadline.cancelled)
        self._loop.call_soon_threadsafe(self._queue.put_nowait, piece)

    # -- on the loop -----------------------------------------------------------------------------
    def end(self) -> None:
        self._queue.put_nowait(_END)

    async def pieces(self) -> AsyncIterator[bytes]:
        while True:
            piece = await self._queue.get()
            if piece is _END:
                return
            self._room.release()
            yield piece


class HexStream:
    """The result of a method whose answer is `"0x" + hex` of what its run writes into a pipe."""

    def __init__(self, head: bytes, rest: AsyncIterator[bytes], run: "asyncio.Future[Any]") -> None:
        self._head = head
        self._rest = rest
        self._run = run

    @classmethod
    async def start(cls, pipe: ChunkPipe, run: Awaitable[Any]) -> "str | HexStream":
        """Wait for the run's first WHOLE_UP_TO bytes of hex: the whole answer as a str if it
        ended by then (raising its error, if any), else a stream of the rest."""
        future = asyncio.ensure_future(run)
        # A run refused before it started (a full queue) never writes; this end lets the loop
        # below stop and raise its error. After a run that wrote, it follows the pipe's own end.
        future.add_done_callback(lambda _: pipe.end())
        head = bytearray()
        rest = pipe.pieces()
        try:
            async for piece in rest:
                head += piece
                if len(head) > WHOLE_UP_TO:
                    return cls(bytes(head), rest, future)
            await future  # the run's error, if it failed
        except BaseException:
            future.cancel()
            raise
        return "0x" + head.decode()

    async def hex_pieces(self) -> AsyncIterator[bytes]:
        """The hex after "0x", piece by piece; raises the run's error at the end, if it failed.
        Whoever stops reading early must call `abandon`."""
        yield self._head
        async for piece in self._rest:
            yield piece
        await self._run

    def abandon(self) -> None:
        """The client went away: stop the worker at its next check (or wait for room)."""
        if not self._run.done():
            self._run.cancel()

    async def text(self) -> str:
        """The whole answer, for a batch or a WebSocket message."""
        try:
            return "0x" + b"".join([piece async for piece in self.hex_pieces()]).decode()
        except BaseException:
            self.abandon()
            raise
