"""JSON-RPC dispatch: method names come from namespace objects, never from if-chains.

A namespace is an object with a `prefixes` tuple; its public methods whose names do not start
with an underscore become `<prefix>_<name>` for each prefix (so one class serves both `anvil_`
and `hardhat_`).
"""
from __future__ import annotations

import inspect
import logging
import time
from typing import Any, Callable, Iterable, Mapping

import orjson

from chain.api.events import Topic

from chain.exceptions import InvalidParams, MethodNotFound, WabeiError
from chain.rpc.errors import INVALID_REQUEST, error_object, to_error

log = logging.getLogger("wabei.rpc")
Handler = Callable[..., Any]
Session = dict[str, Callable[[list[Any]], Any]]
# Told of every request answered: (method as sent, 0 or the error code, seconds taken).
Observer = Callable[[str, int, float], None]
SESSION_METHODS = ("eth_subscribe", "eth_unsubscribe")


class Dispatcher:
    def __init__(self, namespaces: Iterable[Any], switched_off: Mapping[str, str] | None = None) -> None:
        """`switched_off` maps a method prefix the node does not serve (`evm`) to why, so a
        call to it answers -32601 with the reason (`... started with --no-dev-methods`)."""
        self.switched_off = dict(switched_off or {})
        self.methods: dict[str, Handler] = {}
        self._arity: dict[str, tuple[int, int]] = {}
        for ns in namespaces:
            for prefix in ns.prefixes:
                for name, fn in inspect.getmembers(ns, inspect.ismethod):
                    if name.startswith("_"):
                        continue
                    full = f"{prefix}_{name}"
                    self.methods[full] = fn
                    params = list(inspect.signature(fn).parameters.values())
                    if any(p.kind is p.VAR_POSITIONAL for p in params):
                        self._arity[full] = (0, 10**6)
                    else:
                        required = sum(1 for p in params if p.default is p.empty)
                        self._arity[full] = (required, len(params))
        self.calls: Topic[str] = Topic()  # every method called (the console follows it)
        self.observer: Observer | None = None  # the node's metrics (chain/metrics), when served

    async def call(self, method: str, params: Any, session: Session | None = None) -> Any:
        """Run one method; raises WabeiError subclasses for the caller to encode.

        `session` holds methods that belong to one connection (eth_subscribe on a WebSocket).
        A method may be a coroutine (one that waits for a consensus engine); it is awaited.
        """
        if params is None:
            params = []
        if isinstance(params, dict):
            raise InvalidParams("named parameters are not supported; send params as an array")
        if not isinstance(params, list):
            raise InvalidParams("params must be an array")
        if method in SESSION_METHODS:
            if session is None:
                raise MethodNotFound(f"{method} is only available over WebSocket")
            self.calls.publish(method)
            return session[method](params)
        fn = self.methods.get(method)
        if fn is None:
            reason = self.switched_off.get(method.partition("_")[0])
            if reason is not None:
                raise MethodNotFound(f"the method {method} is not available: {reason}")
            raise MethodNotFound(f"the method {method} does not exist/is not available")
        lo, hi = self._arity[method]
        if len(params) > hi:
            raise InvalidParams(f"too many arguments, want at most {hi}")
        if len(params) < lo:
            raise InvalidParams(f"missing value for required argument {len(params)}")
        self.calls.publish(method)
        result = fn(*params)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def handle(self, request: Any, session: Session | None = None) -> dict[str, Any] | None:
        """One JSON-RPC request object → its response object (None for a notification)."""
        observe = self.observer
        if observe is None:  # no metrics: not even a clock read
            response, answer = await self._respond(request, session)
        else:
            started = time.perf_counter()
            response, answer = await self._respond(request, session)
            error = response.get("error")
            method = request.get("method") if isinstance(request, dict) else None
            observe(method if isinstance(method, str) else "", error["code"] if error else 0,
                    time.perf_counter() - started)
        return response if answer else None

    async def _respond(self, request: Any, session: Session | None) -> tuple[dict[str, Any], bool]:
        """The response, and whether to send it: not for a notification (a request without
        an id), except when the request is malformed."""
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(
            request.get("method"), str
        ):
            rid = request.get("id") if isinstance(request, dict) else None
            return {"jsonrpc": "2.0", "id": rid if _valid_id(rid) else None,
                    "error": error_object(INVALID_REQUEST, "invalid request: expected "
                                          '{"jsonrpc":"2.0","method":string,"params":array,"id":...}')}, True
        rid = request.get("id")
        if "id" in request and not _valid_id(rid):
            return {"jsonrpc": "2.0", "id": None,
                    "error": error_object(INVALID_REQUEST, "invalid request: id must be a string, number or null")}, True
        try:
            result = await self.call(request["method"], request.get("params"), session)
            response: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "result": result}
        except WabeiError as exc:
            response = {"jsonrpc": "2.0", "id": rid, "error": to_error(exc)}
        except Exception as exc:  # a bug must not take the node down; report it to the caller
            log.exception("internal error in %s", request.get("method"))
            response = {"jsonrpc": "2.0", "id": rid, "error": to_error(exc)}
        return response, "id" in request


def _valid_id(rid: Any) -> bool:
    """JSON-RPC 2.0: a string, a number or null. A Fragment is a number kept as the client
    wrote it (chain/rpc/jsonwire.py), echoed back verbatim."""
    return rid is None or isinstance(rid, orjson.Fragment) or (
        isinstance(rid, (str, int, float)) and not isinstance(rid, bool))
