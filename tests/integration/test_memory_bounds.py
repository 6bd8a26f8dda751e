"""Issue 11, part 5: what a client can make the node hold is bounded, and the bound is named.

A WebSocket client that subscribes and never reads used to have up to 100,000 messages queued
for it (a newHeads notification is ~700 bytes, so ~70 MB a socket); now its socket is closed at
`ws_outbox_bytes`, while a client that reads keeps every notification. Dumps and loads are
bounded by `dump_max_bytes`, filter criteria per chain. Each node here is small-limited so the
test is quick; the defaults are in docs/rpc.md (Limits).
"""
from __future__ import annotations

import gzip
import json
import socket
import struct
import time
from dataclasses import replace
from typing import Any, Iterator

import pytest
import requests
from inprocess import NodeThread
from websockets.sync.client import connect

from chain.config import ChainConfig, NodeConfig
from chain.node import NodeHandle

OUTBOX = 1024 * 1024
DUMP_LIMIT = 200_000


@pytest.fixture(scope="module")
def small() -> Iterator[NodeHandle]:
    thread = NodeThread()
    server = replace(NodeConfig.test().server, ws_outbox_bytes=OUTBOX)
    handle = thread.start(NodeConfig(server=server, chains=(ChainConfig(dump_max_bytes=DUMP_LIMIT),)))
    yield handle
    thread.close()


def _rpc(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    out: dict[str, Any] = requests.post(url, json=body, timeout=60).json()
    return out


def _frame(text: str) -> bytes:
    """A client text frame, masked with a zero key (so the payload is sent as it is)."""
    payload = text.encode()
    n = len(payload)
    length = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    return b"\x81" + length + b"\x00\x00\x00\x00" + payload


def _silent_socket(handle: NodeHandle, subscriptions: int) -> socket.socket:
    """A WebSocket that subscribes to newHeads `subscriptions` times and then reads nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((handle.host, handle.port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    for i in range(subscriptions):
        sock.sendall(_frame(json.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_subscribe",
                                        "params": ["newHeads"]})))
    return sock


# /proc/net/tcp states in which the node's end no longer holds data for the client.
_RELEASED = {"05", "06", "07"}  # FIN_WAIT2, TIME_WAIT, CLOSE


def _hex_address(address: tuple[str, int]) -> str:
    """An IPv4 (host, port) as /proc/net/tcp writes it: the address bytes little-endian."""
    return socket.inet_aton(address[0])[::-1].hex().upper() + f":{address[1]:04X}"


def _closed_by_node(sock: socket.socket, within_s: float) -> bool:
    """True once the node's end of the connection is gone, seen without reading a byte of it.

    Reading would drain what the node still had to send and let a graceful close complete, so
    a node that only *asked* to close would pass: one that kept the connection (and its unsent
    buffer and compressor) for as long as the client kept not reading, or whose kernel kept the
    closed socket to deliver its send queue to a zero window (FIN_WAIT1). The kernel's table of
    TCP sockets says which: the node's end must be absent or past sending."""
    try:
        node_end = f"{_hex_address(sock.getpeername())} {_hex_address(sock.getsockname())}"
    except OSError:  # ENOTCONN: the node's reset has arrived already
        return True
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with open("/proc/net/tcp") as table:
            states = [line.split()[3] for line in table if " ".join(line.split()[1:3]) == node_end]
        if all(state in _RELEASED for state in states):
            return True
        time.sleep(0.05)
    return False


def test_a_socket_that_does_not_read_is_closed_and_a_reader_keeps_everything(small: NodeHandle) -> None:
    silent = _silent_socket(small, 100)
    try:
        with connect(small.ws_url, open_timeout=10) as reader:
            reader.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}')
            sid = json.loads(reader.recv(timeout=10))["result"]
            start = int(_rpc(small.http_url, "eth_blockNumber")["result"], 16)
            # 500 blocks: ~0.5 MB for the reader's one subscription (a header is ~1 kB of JSON),
            # ~50 MB for the silent socket's 100.
            assert _rpc(small.http_url, "anvil_mine", [hex(500)])["result"] is None
            numbers = []
            while len(numbers) < 500:
                msg = json.loads(reader.recv(timeout=20))
                assert msg["params"]["subscription"] == sid
                numbers.append(int(msg["params"]["result"]["number"], 16))
            assert numbers == list(range(start + 1, start + 501))
        assert _closed_by_node(silent, within_s=10)
        assert _rpc(small.http_url, "eth_blockNumber")["result"] == hex(start + 500)
    finally:
        silent.close()


def test_a_socket_whose_writes_stall_is_closed_at_the_write_timeout() -> None:
    """No byte bound here: the write timeout alone (1 s instead of geth's 10) closes it."""
    thread = NodeThread()
    try:
        server = replace(NodeConfig.test().server, ws_outbox_bytes=0, ws_write_timeout_s=1.0)
        handle = thread.start(NodeConfig(server=server, chains=(ChainConfig(),)))
        silent = _silent_socket(handle, 100)
        try:
            _rpc(handle.http_url, "anvil_mine", [hex(300)])  # ~30 MB of notifications: far past any buffer
            time.sleep(6)  # not reading: the node's writes wait, and after 1 s it gives up
            assert _closed_by_node(silent, within_s=10)
        finally:
            silent.close()
    finally:
        thread.close()


def test_silent_sockets_together_are_bounded_and_the_fullest_goes_first() -> None:
    """Per socket 8 MiB would let eight silent sockets hold ~17 MB here; the node's 2 MiB budget
    closes the fullest ones instead, and the one reading client keeps every notification."""
    thread = NodeThread()
    try:
        server = replace(NodeConfig.test().server, ws_outbox_bytes=8 * OUTBOX,
                         ws_outbox_total_bytes=2 * OUTBOX,  # with 0 (no budget) this test fails
                         ws_write_timeout_s=0)
        handle = thread.start(NodeConfig(server=server, chains=(ChainConfig(),)))
        silent = [_silent_socket(handle, 20) for _ in range(8)]
        try:
            with connect(handle.ws_url, open_timeout=10) as reader:
                reader.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}')
                json.loads(reader.recv(timeout=10))
                _rpc(handle.http_url, "anvil_mine", [hex(60)])  # 20 x 60 x 1.8 kB ~ 2 MB a silent socket
                got = [json.loads(reader.recv(timeout=20)) for _ in range(60)]
                assert [int(m["params"]["result"]["number"], 16) for m in got] == list(range(1, 61))
            assert all(_closed_by_node(s, within_s=10) for s in silent)
        finally:
            for s in silent:
                s.close()
    finally:
        thread.close()


def test_a_dump_past_the_limit_is_refused_naming_it(small: NodeHandle) -> None:
    _rpc(small.http_url, "anvil_mine", [hex(500)])  # the database outgrows 200 kB of JSON
    err = _rpc(small.http_url, "anvil_dumpState")["error"]
    assert err["code"] == -32005
    assert err["message"].startswith(f"state dump too large: its JSON passes {DUMP_LIMIT:,} bytes, the node's dump "
                                     "limit (dump_max_bytes)"), err


def test_a_load_that_expands_past_the_limit_is_refused(small: NodeHandle) -> None:
    bomb = gzip.compress(b" " * (DUMP_LIMIT * 5))  # ~1 kB that inflates to 1 MB
    err = _rpc(small.http_url, "anvil_loadState", ["0x" + bomb.hex()])["error"]
    assert err["code"] == -32005
    assert err["message"] == (f"state dump too large: it expands past {DUMP_LIMIT:,} bytes, the node's dump "
                              "limit (dump_max_bytes); nothing was loaded")
    truncated = gzip.compress(b'{"version": 1}')[:-9]
    assert _rpc(small.http_url, "anvil_loadState", ["0x" + truncated.hex()])["error"]["code"] == -32602


def test_filter_criteria_are_bounded_per_chain(small: NodeHandle) -> None:
    addresses = [f"0x{i:040x}" for i in range(1000)]
    installed = []
    err: dict[str, Any] = {}
    for _ in range(250):
        out = _rpc(small.http_url, "eth_newFilter", [{"address": addresses}])
        if "error" in out:
            err = out["error"]
            break
        installed.append(out["result"])
    assert len(installed) == 199, len(installed)  # 200,000 entries / 1,001 per filter
    assert err["code"] == -32602 and "the limit is 200,000 per chain" in err["message"], err
    assert _rpc(small.http_url, "eth_uninstallFilter", [installed[0]])["result"] is True
    assert "result" in _rpc(small.http_url, "eth_newFilter", [{"address": addresses}])
