"""The ABCI socket server: CometBFT's four connections (consensus, mempool, query, snapshot)
to one application, over TCP or a Unix socket.

Each connection carries length-prefixed `Request`s (framing.py) and gets one `Response` per
request, in order. CometBFT's socket client (abci/client/socket_client.go) buffers its requests
and sends a `Flush` after each one it waits on; the Go server writes responses into a buffer and
flushes it when it answers a Flush. Here every response is handed to the transport at once and a
Flush waits for the transport to drain, which gives the client the same guarantee: every answer
before the flush's is on the wire. Requests on one connection are handled one after the other,
and the application's handlers are plain functions on the event loop, so no two of them ever
interleave, whichever connection they came from (the Go server's app mutex).

An error inside the application is answered with `Response.exception` and the connection is
closed, as the Go server does; CometBFT treats that as fatal for consensus, which is right for a
node that could not execute a block.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Protocol

from network.abci import proto
from network.abci.framing import FramingError, frame, read_frame

log = logging.getLogger("wabei.abci")


class AbciApplication(Protocol):
    """What the server calls: one method per ABCI request name (`info`, `check_tx`,
    `finalize_block`...), taking the request message and returning the response message."""

    def handler(self, name: str) -> Any:
        """The function answering requests named `name` (Request's oneof field), or None."""
        ...


def parse_address(address: str) -> tuple[str, int] | str:
    """CometBFT's proxy_app forms: "tcp://HOST:PORT" gives (HOST, PORT); "unix:///PATH" gives
    the path. Raises ValueError for anything else."""
    if address.startswith("unix://"):
        return address.removeprefix("unix://")
    host, sep, port = address.removeprefix("tcp://").rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"an ABCI address is tcp://HOST:PORT or unix:///PATH, not {address!r}")
    return host or "127.0.0.1", int(port)


class AbciServer:
    """Serves one application to CometBFT; `start` binds, `stop` closes every connection."""

    def __init__(self, app: AbciApplication, address: str) -> None:
        self._app = app
        self._address = address
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.failure: BaseException | None = None  # the application error that closed a connection
        # Told how long each application call took (method, seconds): the node's metrics.
        self.observer: Callable[[str, float], None] | None = None

    @property
    def address(self) -> str:
        """The listening address; with port 0, the port the system picked."""
        if self._server is not None and not self._address.startswith("unix://"):
            host, port = self._server.sockets[0].getsockname()[:2]
            return f"tcp://{host}:{port}"
        return self._address

    async def start(self) -> None:
        where = parse_address(self._address)
        if isinstance(where, str):
            self._server = await asyncio.start_unix_server(self._serve, where)
        else:
            self._server = await asyncio.start_server(self._serve, *where)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._connection(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        except FramingError as exc:
            log.error("ABCI connection closed: %s", exc)
        except Exception:  # a message that does not parse: this connection only
            log.exception("ABCI connection closed")
        finally:
            self._connections.discard(task)
            writer.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        types = proto.types()
        while True:
            raw = await read_frame(reader)
            if raw is None:
                return
            request = types.Request.FromString(raw)
            name = request.WhichOneof("value") or "none"
            response = types.Response()
            try:
                self._answer(name, request, response)
            except Exception as exc:  # the application failed: tell CometBFT, then hang up
                log.exception("ABCI %s failed", name)
                self.failure = exc
                response = types.Response()
                response.exception.error = f"{name}: {exc}"
                writer.write(frame(response.SerializeToString()))
                await writer.drain()
                return
            writer.write(frame(response.SerializeToString()))
            if name == "flush":
                await writer.drain()

    def _answer(self, name: str, request: Any, response: Any) -> None:
        if name == "flush":
            response.flush.SetInParent()
        elif name == "echo":
            response.echo.message = request.echo.message
        else:
            handler = self._app.handler(name)
            if handler is None:
                raise ValueError(f"unknown ABCI request {name!r}")
            started = time.perf_counter()
            getattr(response, name).CopyFrom(handler(getattr(request, name)))
            if self.observer is not None:
                self.observer(name, time.perf_counter() - started)
