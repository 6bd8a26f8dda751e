"""Request bodies in, with every request id kept exactly as the client wrote it.

JSON-RPC 2.0 says the response carries the request's id, and a client matches the two by it.
orjson, which parses every body because it is fast, loses the text of some numbers: an integer
past 64 bits becomes a float (`99999999999999999999` comes back as `1e+20`), one of 400 digits is
refused as "infinity", `-0` becomes `0` and `1.50` becomes `1.5`. So a body that orjson refuses
over a number, or whose id (or a batch member's) came out as a float or as zero, is parsed again
by the standard library's json with hooks that keep each number's text, and a numeric id becomes
an `orjson.Fragment` of that text, which `orjson.dumps` writes back verbatim. Every other body
(string ids, ordinary integer ids) takes the fast path alone.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

import orjson


class _Int(int):
    text: str


class _Float(float):
    text: str


def loads(raw: bytes | str) -> Any:
    """Parse one HTTP body or WebSocket message. Raises ValueError (with a message for the
    client) for anything that is not JSON."""
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "number" not in str(exc):  # orjson refuses a number it cannot hold; anything else is bad JSON
            raise
        return _exact(raw)
    if any(isinstance(rid, float) or (isinstance(rid, int) and rid == 0) for rid in _ids(payload)):
        return _exact(raw)
    return payload


def _exact(raw: bytes | str) -> Any:
    """The stdlib parse that keeps every number's text; numeric ids become Fragments."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        payload = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_not_json)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    for request in _requests(payload):
        rid = request.get("id")
        if isinstance(rid, (_Int, _Float)):
            request["id"] = orjson.Fragment(rid.text)
    return payload


def _int(text: str) -> int:
    try:
        out = _Int(text)
    except ValueError:  # Python converts at most 4300 digits (sys.int_info.default_max_str_digits)
        raise ValueError(f"an integer of {len(text)} digits is too long") from None
    out.text = text
    return out


def _float(text: str) -> float:
    out = _Float(text)  # 1e400 is inf here, but its text is what goes back
    out.text = text
    return out


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _requests(payload: Any) -> Iterator[dict[str, Any]]:
    for item in payload if isinstance(payload, list) else [payload]:
        if isinstance(item, dict):
            yield item


def _ids(payload: Any) -> Iterator[Any]:
    for request in _requests(payload):
        if "id" in request:
            yield request["id"]
