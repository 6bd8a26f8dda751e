"""Follow mode: export, then wait for the next block, for ever (until interrupted).

The wait is a WebSocket `eth_subscribe("newHeads")` on the node, so a new block is exported
within a round trip of being mined; with no WebSocket (a proxy that only passes HTTP, a node
without one) it polls `eth_blockNumber` every `poll_seconds`. Either way the exporter also
wakes every `poll_seconds` without a notification: an `evm_revert` announces no new head, and
the tip check that catches it runs at the start of every round.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from warehouse.exporter import Exporter


def ws_url_for(rpc_url: str) -> str:
    """The node's WebSocket URL: Wabei serves both on one port."""
    if rpc_url.startswith("https://"):
        return "wss://" + rpc_url[len("https://"):]
    if rpc_url.startswith("http://"):
        return "ws://" + rpc_url[len("http://"):]
    return rpc_url


class HeadWaiter:
    """Blocks until a newHeads notification or `timeout` seconds, whichever comes first."""

    def __init__(self, ws_url: str, report: Callable[[str], None]) -> None:
        self._url = ws_url
        self._report = report
        self._socket: Any = None
        self._connect()

    def _connect(self) -> None:
        from websockets.sync.client import connect

        try:
            socket = connect(self._url, open_timeout=5, max_size=None)
            socket.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}))
            answer = json.loads(socket.recv(timeout=5))
            if "error" in answer:
                raise OSError(answer["error"].get("message"))
            self._socket = socket
        except Exception as exc:  # any failure means the same: poll instead
            self._report(f"follow: no newHeads subscription at {self._url} ({exc}); polling")
            self._socket = None

    @property
    def subscribed(self) -> bool:
        return self._socket is not None

    def wait(self, timeout: float) -> None:
        if self._socket is None:
            time.sleep(timeout)
            return
        deadline = time.monotonic() + timeout
        try:
            self._socket.recv(timeout=timeout)
            # Drain what else has arrived: one export round covers every block announced so far.
            while time.monotonic() < deadline:
                self._socket.recv(timeout=0)
        except TimeoutError:
            return
        except Exception as exc:
            self._report(f"follow: WebSocket closed ({exc}); polling")
            self._socket = None

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()


def follow(exporter: Exporter, ws_url: str | None = None) -> None:
    """Export and keep exporting as blocks arrive; returns only by an exception (Ctrl-C)."""
    config = exporter.config
    waiter = HeadWaiter(ws_url or ws_url_for(config.rpc_url), exporter.report)
    try:
        while True:
            exporter.run()
            waiter.wait(config.poll_seconds)
    finally:
        waiter.close()
