"""A large anvil_dumpState is written to an HTTP client as it is made (chain/rpc/streamed.py).

The node no longer holds a dump whole (compressed, hex, encoded body): past WHOLE_UP_TO bytes of
hex the answer goes out as a chunked body while the call worker makes it. What a client relies
on stays the same: the same JSON-RPC answer, loadable into another node, whether it arrived as a
stream, in a batch or over a WebSocket; and a client that walks away mid-dump frees the worker.
"""
from __future__ import annotations

import gzip
import json
import os
import socket
import time
from typing import Any, Iterator

import pytest
import requests
from inprocess import NodeThread
from websockets.sync.client import connect

from chain.config import NodeConfig
from chain.node import NodeHandle
from chain.rpc.streamed import WHOLE_UP_TO

CODE_BYTES = 24_000
ACCOUNTS = 25  # random code compresses badly: ~1.4 MB of gzip, ~2.8 MB of hex


def _rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 60) -> Any:
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params or []}
    reply = requests.post(url, json=body, timeout=timeout).json()
    assert "error" not in reply, reply
    return reply["result"]


def _address(i: int) -> str:
    return "0x" + (0xD0_0000 + i).to_bytes(20, "big").hex()


@pytest.fixture(scope="module")
def big() -> Iterator[NodeHandle]:
    """A node whose dump is well past WHOLE_UP_TO: accounts holding random code."""
    thread = NodeThread()
    handle = thread.start(NodeConfig.test())
    rng = os.urandom(CODE_BYTES * ACCOUNTS)
    for i in range(ACCOUNTS):
        _rpc(handle.http_url, "anvil_setCode", [_address(i), "0x" + rng[i * CODE_BYTES:(i + 1) * CODE_BYTES].hex()])
    yield handle
    thread.close()


def test_a_large_dump_is_streamed_and_loads_into_another_node(big: NodeHandle) -> None:
    r = requests.post(big.http_url, json={"jsonrpc": "2.0", "id": 7, "method": "anvil_dumpState", "params": []},
                      timeout=60)
    assert r.status_code == 200
    assert r.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in r.headers
    reply = r.json()
    assert reply["jsonrpc"] == "2.0" and reply["id"] == 7
    dump = reply["result"]
    assert len(dump) > WHOLE_UP_TO
    state = json.loads(gzip.decompress(bytes.fromhex(dump[2:])))
    assert len(state["accounts"][_address(3)]["code"]) == 2 + 2 * CODE_BYTES

    other = NodeThread()
    fresh = other.start(NodeConfig.test())
    try:
        # 2.8 MB of hex is within the body limit (5 MiB)
        assert _rpc(fresh.http_url, "anvil_loadState", [dump]) is True
        for i in (0, ACCOUNTS - 1):
            assert _rpc(fresh.http_url, "eth_getCode", [_address(i), "latest"]) == \
                _rpc(big.http_url, "eth_getCode", [_address(i), "latest"])
    finally:
        other.close()


def test_a_batch_and_a_websocket_get_the_same_dump_whole(big: NodeHandle) -> None:
    streamed = _rpc(big.http_url, "anvil_dumpState")
    batch = requests.post(big.http_url, json=[{"jsonrpc": "2.0", "id": 1, "method": "anvil_dumpState"},
                                              {"jsonrpc": "2.0", "id": 2, "method": "eth_chainId"}],
                          timeout=60)
    assert "Content-Length" in batch.headers
    answers = {a["id"]: a for a in batch.json()}
    assert answers[1]["result"] == streamed and answers[2]["result"] == "0x7a69"
    with connect(big.ws_url, max_size=None) as ws:
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "anvil_dumpState", "params": []}))
        assert json.loads(ws.recv(timeout=60))["result"] == streamed


def test_a_small_dump_is_answered_whole() -> None:
    thread = NodeThread()
    handle = thread.start(NodeConfig.test())
    try:
        r = requests.post(handle.http_url, json={"jsonrpc": "2.0", "id": 1, "method": "anvil_dumpState"}, timeout=60)
        assert "Content-Length" in r.headers and r.headers.get("Transfer-Encoding") != "chunked"
        assert json.loads(gzip.decompress(bytes.fromhex(r.json()["result"][2:])))["chainId"] == 31337
    finally:
        thread.close()


def test_clients_that_walk_away_mid_dump_free_the_workers(big: NodeHandle) -> None:
    """More abandoned dumps than workers and queue together (2 + 8): if a dump's worker kept
    waiting for its departed client, the last requests here would be refused as busy."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "anvil_dumpState", "params": []}).encode()
    request = (f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    for _ in range(12):
        sock = socket.create_connection((big.host, big.port), timeout=30)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(request)
        assert sock.recv(64).startswith(b"HTTP/1.1 200")  # the stream has begun
        sock.close()
    started = time.monotonic()
    assert _rpc(big.http_url, "eth_call", [{"to": "0x" + "11" * 20, "data": "0x"}, "latest"], timeout=30) == "0x"
    assert len(_rpc(big.http_url, "anvil_dumpState")) > WHOLE_UP_TO
    assert time.monotonic() - started < 30
