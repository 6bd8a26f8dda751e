"""HTTP and WebSocket JSON-RPC on one port (aiohttp), with request size and batch limits.

One server serves every chain of a node: the default chain at `/`, and each chain at
`/chains/<chain id>`. Plugins (an explorer) and the metrics (chain/metrics) add their own routes
to `app` before it starts.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from typing import Any, Callable

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from chain.api.events import ChainEvents
from chain.rpc import jsonwire
from chain.rpc.cors import OriginPolicy
from chain.rpc.dispatch import Dispatcher, Session
from chain.rpc.errors import INVALID_REQUEST, PARSE_ERROR, error_object
from chain.rpc.outbox import DEFAULT_MAX_BYTES, DEFAULT_TOTAL_BYTES, Outbox, OutboxBudget
from chain.rpc.streamed import HexStream
from chain.rpc.subscriptions import HeadJsonCache, SubscriptionSet

log = logging.getLogger("wabei.rpc")
SHED_GRACE_S = 1.0  # how long a socket that is being shed gets to take its close frame


def _error(code: int, message: str, rid: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": error_object(code, message)}


class RpcServer:
    """The node's HTTP server: one JSON-RPC endpoint per chain, WebSockets on the same paths."""

    def __init__(self, *, max_request_bytes: int, max_batch_length: int,
                 origins: OriginPolicy = OriginPolicy(), max_outbox_bytes: int = DEFAULT_MAX_BYTES,
                 ws_write_timeout_s: float = 10.0, max_outbox_total: int = DEFAULT_TOTAL_BYTES) -> None:
        self.max_bytes = max_request_bytes
        self.max_batch = max_batch_length
        self.max_outbox = max_outbox_bytes
        self.ws_write_timeout = ws_write_timeout_s
        self.outbox_budget = OutboxBudget(max_outbox_total)
        self.origins = origins
        self.app = web.Application(client_max_size=max_request_bytes)
        self.sockets: set[web.WebSocketResponse] = set()  # open WebSockets, closed at shutdown
        self.sessions: set[SubscriptionSet] = set()  # their subscriptions (the metrics count them)
        self.app.on_shutdown.append(self._close_sockets)

    def add_chain(self, path: str, dispatcher: Dispatcher, events: ChainEvents) -> None:
        """Serve a chain's JSON-RPC (HTTP POST and WebSocket) at `path`."""
        endpoint = _Endpoint(self, dispatcher, events)
        self.app.router.add_route("*", path, endpoint.handle)

    async def _close_sockets(self, _app: web.Application) -> None:
        for ws in list(self.sockets):
            await ws.close()


# A batch's requests run one after another on the event loop, most without ever waiting; a batch
# of 1,000 full-block reads held it for 0.3 s, and every other client with it. After each
# BATCH_TURN_S of work the batch yields once, so requests that arrived meanwhile are answered.
BATCH_TURN_S = 0.005


class _Endpoint:
    """One chain's JSON-RPC endpoint."""

    def __init__(self, server: RpcServer, dispatcher: Dispatcher, events: ChainEvents) -> None:
        self._server = server
        self._dispatcher = dispatcher
        self._events = events
        self._max_bytes = server.max_bytes
        self._max_batch = server.max_batch
        self._origins = server.origins
        self._heads = HeadJsonCache()  # newHeads JSON, shared by this chain's sockets

    async def handle_payload(self, raw: bytes | str, session: Session | None = None) -> Any:
        """Decode one HTTP body or WS message and run it: single request or batch."""
        if len(raw) > self._max_bytes:
            return _error(INVALID_REQUEST, f"request too large: {len(raw)} bytes, limit {self._max_bytes}")
        try:
            payload = jsonwire.loads(raw)
        except ValueError as exc:  # orjson's and json's decode errors are ValueErrors
            return _error(PARSE_ERROR, f"parse error: {exc}")
        if isinstance(payload, list):
            if not payload:
                return _error(INVALID_REQUEST, "invalid request: empty batch")
            if len(payload) > self._max_batch:
                return _error(INVALID_REQUEST, f"batch too large: {len(payload)} requests, limit {self._max_batch}")
            responses = []
            loop = asyncio.get_running_loop()
            turn_ends = loop.time() + BATCH_TURN_S
            for item in payload:
                response = await self._dispatcher.handle(item, session)
                if response is not None:
                    # Encoded at once: a 1,000-block batch held ~60,000 small objects until the
                    # end, and CPython keeps the memory of such a burst (pymalloc's arenas).
                    responses.append(orjson.Fragment(orjson.dumps(await _whole(response))))
                if loop.time() > turn_ends:  # let other clients' requests in between
                    await asyncio.sleep(0)
                    turn_ends = loop.time() + BATCH_TURN_S
            return responses or None
        response = await self._dispatcher.handle(payload, session)
        # Only a single HTTP request is answered as a stream (chain/rpc/streamed.py).
        return response if session is None else await _whole(response)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "OPTIONS":
            return self._origins.preflight(request)
        if self._origins.verdict(request) == "refused":  # before anything runs (chain/rpc/cors.py)
            return self._origins.refusal(request)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request)
        cors = self._origins.headers(request)
        if request.method != "POST":
            return web.Response(status=405, text="JSON-RPC: use POST, or a WebSocket upgrade\n", headers=cors)
        if request.content_length is not None and request.content_length > self._max_bytes:
            return _json(_error(INVALID_REQUEST, f"request too large: {request.content_length} bytes, "
                                                 f"limit {self._max_bytes}"), cors, status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _json(_error(INVALID_REQUEST, f"request too large: limit {self._max_bytes} bytes"), cors, status=413)
        result = await self.handle_payload(body)
        if result is None:
            return web.Response(status=204, headers=cors)
        if isinstance(result, dict) and isinstance(result.get("result"), HexStream):
            return await _stream(request, result, cors)
        return _json(result, cors)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=self._max_bytes, heartbeat=30)
        await ws.prepare(request)
        self._server.sockets.add(ws)
        shedding: list[asyncio.Task[None]] = []  # the one task that closes this socket, once started

        def shed(reason: str) -> None:
            if not shedding:
                shedding.append(asyncio.get_running_loop().create_task(_shed(ws, request, reason)))

        outbox = Outbox(self._server.max_outbox, self._server.outbox_budget, shed)

        def send(message: Any) -> None:
            outbox.put(orjson.dumps(message).decode())

        subs = SubscriptionSet(self._events, send, heads=self._heads)
        self._server.sessions.add(subs)
        session: Session = {"eth_subscribe": subs.subscribe, "eth_unsubscribe": subs.unsubscribe}
        writer = asyncio.get_running_loop().create_task(_drain(ws, outbox, self._server.ws_write_timeout, shed))
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    result = await self.handle_payload(msg.data, session)
                    if result is not None:
                        send(result)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self._server.sessions.discard(subs)
            subs.close()
            outbox.close()
            await writer
            outbox.detach()
            self._server.sockets.discard(ws)
        return ws


async def _drain(ws: web.WebSocketResponse, outbox: Outbox, write_timeout_s: float,
                 stalled: Callable[[str], None]) -> None:
    """Send what the outbox holds, in order. A write that waits `write_timeout_s` (the client
    stopped reading) ends the socket, as geth's 10 s defaultWriteTimeout does."""
    while True:
        item = await outbox.get()
        if item is None or ws.closed:
            return
        try:
            await asyncio.wait_for(ws.send_str(item), write_timeout_s or None)
        except asyncio.TimeoutError:
            stalled(f"client is not reading: a write waited {write_timeout_s:g} s (the write timeout)")
            return
        except (ConnectionResetError, RuntimeError):
            return


async def _shed(ws: web.WebSocketResponse, request: web.Request, reason: str) -> None:
    """Close a socket whose client does not read: a close frame with the reason if it can still
    be written within a second, then the connection itself, reset.

    Reset, because closing is not enough. When the close frame times out, aiohttp closes the
    transport, which first waits to flush what is still unsent (a client that does not read
    never takes it), and then the kernel keeps the closed socket, orphaned, to deliver its full
    send queue to a zero window. Such connections stayed open for as long as their clients kept
    them (the soak's hostile clients kept 20 each), with their unsent buffers and compressors,
    and the node's RSS crept up with their number (docs/benchmarks.md, "Sixth soak"). A zero
    linger, set before the close, makes the socket's close a reset that drops both queues; then
    abort() closes the transport without waiting. A client that answers the close frame in
    time has read everything before it, so the reset costs it nothing."""
    log.warning("closing a WebSocket: %s", reason)
    transport = request.transport  # taken now: the close detaches it from the request
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    try:
        await asyncio.wait_for(ws.close(code=WSCloseCode.POLICY_VIOLATION, message=reason.encode()[:123]),
                               SHED_GRACE_S)
    except (asyncio.TimeoutError, ConnectionError, RuntimeError):
        pass
    except asyncio.CancelledError:
        # aiohttp's close() raises CancelledError when the socket's handler ended while it
        # waited (the handler saw the close first); only a cancellation of this task goes on.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    finally:
        if transport is not None:
            transport.abort()


async def _whole(response: Any) -> Any:
    """`response` with a streamed result gathered into its string (batches, WebSockets)."""
    if isinstance(response, dict) and isinstance(response.get("result"), HexStream):
        return {**response, "result": await response["result"].text()}
    return response


async def _stream(request: web.Request, response: dict[str, Any], headers: dict[str, str]) -> web.StreamResponse:
    """Write `{"jsonrpc":"2.0","id":...,"result":"0x..."}` as a chunked body, the hex piece by
    piece as the worker makes it. If the run fails after the body started, the status is sent
    already: the connection is cut, and the client sees a truncated body, not a result."""
    stream: HexStream = response["result"]
    out = web.StreamResponse(status=200, headers={**headers, "Content-Type": "application/json"})
    await out.prepare(request)
    try:
        await out.write(b'{"jsonrpc":"2.0","id":' + orjson.dumps(response.get("id")) + b',"result":"0x')
        async for piece in stream.hex_pieces():
            await out.write(piece)
        await out.write(b'"}')
        await out.write_eof()
    except Exception as exc:  # the run failed, or the client went away
        log.warning("a streamed answer ended early: %s", exc)
        if request.transport is not None:
            request.transport.abort()
    finally:
        stream.abandon()  # a no-op once the run has ended
    return out


def _json(body: Any, headers: dict[str, str], status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json", headers=headers)
