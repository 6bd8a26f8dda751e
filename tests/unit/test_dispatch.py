"""JSON-RPC dispatch: method names from namespace objects, arity checks and response envelopes.

`Dispatcher.call` and `.handle` are coroutines (a method may wait for a consensus engine);
`run` drives them. Batches are split by the HTTP server, so the batch tests serve a dispatcher
with `RpcServer` on a loopback port and POST to it.
"""
from __future__ import annotations

import asyncio
from typing import Any

import aiohttp.test_utils as aio
import orjson
import pytest

from chain.api.events import ChainEvents
from chain.exceptions import ExecutionReverted, InvalidParams, MethodNotFound, NonceTooLow, ResourceNotFound
from chain.rpc.dispatch import Dispatcher
from chain.rpc.server import RpcServer


class Echo:
    """Two prefixes for one class, as anvil_ and hardhat_ share one."""

    prefixes = ("echo", "mirror")

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def one(self, a: Any) -> Any:
        self.seen.append(a)
        return a

    def some(self, a: Any, b: Any = "B", c: Any = "C") -> list[Any]:
        return [a, b, c]

    def nothing(self) -> str:
        return "ok"

    def spread(self, *args: Any) -> int:
        return len(args)

    def _private(self) -> str:
        return "hidden"

    def fail(self, kind: str) -> Any:
        errors: dict[str, Exception] = {
            "params": InvalidParams("invalid x: nope"),
            "missing": ResourceNotFound("block 9 not found"),
            "nonce": NonceTooLow("nonce too low: next nonce 2, tx nonce 1"),
            "revert": ExecutionReverted("boom", b"\x08\xc3\x79\xa0"),
            "bug": ValueError("unexpected"),
        }
        raise errors[kind]


class Net:
    prefixes = ("net",)

    def version(self) -> str:
        return "31337"


def make() -> tuple[Dispatcher, Echo]:
    echo = Echo()
    return Dispatcher([echo, Net()]), echo


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def req(method: str, params: Any = None, rid: Any = 1, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": rid, **extra}
    if params is not None:
        out["params"] = params
    return out


# --- names --------------------------------------------------------------------------------------
def test_public_methods_are_reachable_under_every_prefix() -> None:
    d, _ = make()
    names = set(d.methods)
    assert {"echo_one", "mirror_one", "echo_some", "mirror_spread", "net_version"} <= names
    assert not any("private" in n for n in names)          # underscore methods stay out of reach
    assert not any(n.startswith("net_") and n != "net_version" for n in names)
    assert run(d.call("mirror_one", [5])) == 5 and run(d.call("net_version", [])) == "31337"


@pytest.mark.parametrize("method", ["echo__private", "echo_private", "nothing", "ECHO_one", "echo_", "net_one"])
def test_unknown_names_are_method_not_found(method: str) -> None:
    d, _ = make()
    with pytest.raises(MethodNotFound, match=f"^the method {method} does not exist/is not available$"):
        run(d.call(method, []))


# --- params and arity ---------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "params", "result"), [
    ("echo_nothing", None, "ok"),             # params may be left out
    ("echo_nothing", [], "ok"),
    ("echo_some", [1], [1, "B", "C"]),        # optional parameters may be left out
    ("echo_some", [1, 2, 3], [1, 2, 3]),
    ("echo_spread", [], 0),
    ("echo_spread", list(range(40)), 40),
])
def test_arity_allows_optional_and_variadic_parameters(method: str, params: Any, result: Any) -> None:
    assert run(make()[0].call(method, params)) == result


@pytest.mark.parametrize(("method", "params", "message"), [
    ("echo_one", [], "missing value for required argument 0"),
    ("echo_some", [], "missing value for required argument 0"),
    ("echo_one", [1, 2], "too many arguments, want at most 1"),
    ("echo_some", [1, 2, 3, 4], "too many arguments, want at most 3"),
    ("echo_nothing", [1], "too many arguments, want at most 0"),
    ("echo_one", {"a": 1}, "named parameters are not supported; send params as an array"),
    ("echo_one", "1", "params must be an array"),
    ("echo_one", 1, "params must be an array"),
])
def test_bad_params_are_refused_before_the_method_runs(method: str, params: Any, message: str) -> None:
    d, echo = make()
    with pytest.raises(InvalidParams, match=f"^{message}$"):
        run(d.call(method, params))
    assert echo.seen == []


def test_session_methods_need_a_session() -> None:
    d, _ = make()
    with pytest.raises(MethodNotFound, match="^eth_subscribe is only available over WebSocket$"):
        run(d.call("eth_subscribe", ["newHeads"]))
    calls: list[list[Any]] = []
    session = {"eth_subscribe": lambda p: calls.append(p) or "0x1", "eth_unsubscribe": lambda p: True}
    assert run(d.call("eth_subscribe", ["newHeads"], session)) == "0x1" and calls == [["newHeads"]]
    assert run(d.call("eth_unsubscribe", ["0x1"], session)) is True


# --- envelopes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("rid", [1, 0, "abc", "", 2.5, None, 10**20])
def test_a_result_echoes_the_id(rid: Any) -> None:
    assert run(make()[0].handle(req("echo_one", [[1, "x"]], rid))) == {"jsonrpc": "2.0", "id": rid, "result": [1, "x"]}


@pytest.mark.parametrize(("kind", "error"), [
    ("params", {"code": -32602, "message": "invalid x: nope"}),
    ("missing", {"code": -32001, "message": "block 9 not found"}),
    ("nonce", {"code": -32000, "message": "nonce too low: next nonce 2, tx nonce 1"}),
    ("revert", {"code": 3, "message": "execution reverted: boom", "data": "0x08c379a0"}),
    ("bug", {"code": -32603, "message": "internal error: ValueError: unexpected"}),
])
def test_errors_are_mapped_to_codes_and_keep_the_id(kind: str, error: dict[str, Any]) -> None:
    assert run(make()[0].handle(req("echo_fail", [kind], "id-7"))) == {"jsonrpc": "2.0", "id": "id-7", "error": error}


def test_method_not_found_and_invalid_params_envelopes() -> None:
    d, _ = make()
    assert run(d.handle(req("eth_nope", [], 3))) == {"jsonrpc": "2.0", "id": 3, "error": {
        "code": -32601, "message": "the method eth_nope does not exist/is not available"}}
    assert run(d.handle(req("echo_one", [], 4))) == {"jsonrpc": "2.0", "id": 4, "error": {
        "code": -32602, "message": "missing value for required argument 0"}}


INVALID = 'invalid request: expected {"jsonrpc":"2.0","method":string,"params":array,"id":...}'


@pytest.mark.parametrize(("request_", "rid"), [
    ({"method": "echo_nothing", "id": 5}, 5),                          # no jsonrpc member
    ({"jsonrpc": "1.0", "method": "echo_nothing", "id": 5}, 5),
    ({"jsonrpc": "2.0", "method": 12, "id": "a"}, "a"),
    ({"jsonrpc": "2.0", "id": 6}, 6),                                  # no method
    ({"method": "echo_nothing", "id": [1]}, None),                     # an id that is not valid is not echoed
    ({"method": "echo_nothing", "id": False}, None),
    ([], None), ("echo_nothing", None), (7, None), (None, None),
])
def test_malformed_requests_get_invalid_request_with_a_safe_id(request_: Any, rid: Any) -> None:
    out = run(make()[0].handle(request_))
    assert out == {"jsonrpc": "2.0", "id": rid, "error": {"code": -32600, "message": INVALID}}


@pytest.mark.parametrize("rid", [True, {"a": 1}, [1]])
def test_an_id_of_the_wrong_type_is_invalid_request(rid: Any) -> None:
    d, echo = make()
    assert run(d.handle(req("echo_one", [1], rid))) == {"jsonrpc": "2.0", "id": None, "error": {
        "code": -32600, "message": "invalid request: id must be a string, number or null"}}
    assert echo.seen == []


def test_a_notification_runs_but_gets_no_response_even_on_error() -> None:
    d, echo = make()
    note = {"jsonrpc": "2.0", "method": "echo_one", "params": ["heard"]}
    assert run(d.handle(note)) is None and echo.seen == ["heard"]
    assert run(d.handle({"jsonrpc": "2.0", "method": "echo_fail", "params": ["bug"]})) is None
    assert run(d.handle({"jsonrpc": "2.0", "method": "eth_nope"})) is None
    # "id": null is a request, not a notification: it is answered.
    assert run(d.handle(req("echo_one", [1], None))) == {"jsonrpc": "2.0", "id": None, "result": 1}


# --- batches, over HTTP ------------------------------------------------------------------------
def post(body: bytes, max_batch: int = 10, max_bytes: int = 10_000) -> tuple[int, Any, Echo]:
    """POST `body` to a server that serves a fresh dispatcher at "/"; the status, JSON and namespace."""
    d, echo = make()
    server = RpcServer(max_request_bytes=max_bytes, max_batch_length=max_batch)
    server.add_chain("/", d, ChainEvents())

    async def go() -> tuple[int, Any]:
        async with aio.TestClient(aio.TestServer(server.app)) as client:
            response = await client.post("/", data=body, headers={"Content-Type": "application/json"})
            return response.status, (None if response.status == 204 else await response.json())

    status, out = run(go())
    return status, out, echo


def test_batch_errors_are_independent_and_in_order() -> None:
    batch = [req("echo_one", ["a"], 1), req("eth_nope", [], 2), {"jsonrpc": "2.0", "method": "echo_one",
             "params": ["note"]}, "junk", req("echo_fail", ["bug"], 3), req("echo_one", ["b"], 4)]
    status, out, echo = post(orjson.dumps(batch))
    assert status == 200 and out == [
        {"jsonrpc": "2.0", "id": 1, "result": "a"},
        {"jsonrpc": "2.0", "id": 2, "error": {"code": -32601,
                                              "message": "the method eth_nope does not exist/is not available"}},
        {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": INVALID}},
        {"jsonrpc": "2.0", "id": 3, "error": {"code": -32603, "message": "internal error: ValueError: unexpected"}},
        {"jsonrpc": "2.0", "id": 4, "result": "b"},
    ]
    assert echo.seen == ["a", "note", "b"]  # the notification ran; later requests ran after errors


def test_notifications_alone_get_no_content() -> None:
    batch = [{"jsonrpc": "2.0", "method": "echo_one", "params": [i]} for i in range(3)]
    status, out, echo = post(orjson.dumps(batch))
    assert (status, out, echo.seen) == (204, None, [0, 1, 2])
    status, out, echo = post(orjson.dumps({"jsonrpc": "2.0", "method": "echo_one", "params": ["x"]}))
    assert (status, out, echo.seen) == (204, None, ["x"])


@pytest.mark.parametrize(("raw", "status", "code", "message"), [
    (b"[]", 200, -32600, "invalid request: empty batch"),
    (orjson.dumps([req("echo_nothing")] * 3), 200, -32600, "batch too large: 3 requests, limit 2"),
    (b'{"jsonrpc": "2.0", ', 200, -32700, "parse error: "),
    (b"x" * 1001, 413, -32600, "request too large: 1001 bytes, limit 1000"),
])
def test_payload_level_errors_answer_once_with_a_null_id(raw: bytes, status: int, code: int, message: str) -> None:
    got, out, echo = post(raw, max_batch=2, max_bytes=1000)
    assert got == status and out["id"] is None and out["error"]["code"] == code
    assert out["error"]["message"].startswith(message)
    assert echo.seen == []
