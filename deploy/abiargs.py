"""Command-line strings to ABI values and ABI values back to JSON, as pure functions.

    parse_args(inputs, ["42", "0xf39F...", "[1,2]"])   # inputs: an ABI entry's "inputs"

Scalars are typed as plain text: integers in decimal or 0x-hex (`uint`, `int`), addresses as
0x-hex (any case), `true`/`false`/`1`/`0` for `bool`, raw text for `string`, 0x-hex for
`bytes`/`bytesN`. Arrays and tuples are JSON arrays whose elements follow the same rules
(numbers may be JSON numbers or strings). Every value is checked with eth-abi's
`is_encodable`, so an out-of-range integer is refused before anything is sent.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from eth_abi.abi import decode, is_encodable
from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from deploy.errors import ArgumentError

_ARRAY_RE = re.compile(r"^(.*)\[(\d*)\]$")


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type string of an ABI parameter (tuples expanded: `(uint256,address)[]`)."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def parse_args(inputs: Sequence[Mapping[str, Any]], texts: Sequence[str], what: str = "constructor") -> list[Any]:
    """Parse `texts` into values for the ABI parameters `inputs`; raises ArgumentError."""
    if len(texts) != len(inputs):
        wanted = ", ".join(_describe(p) for p in inputs) or "no arguments"
        raise ArgumentError(f"{what} takes {len(inputs)} argument(s) ({wanted}), got {len(texts)}")
    return [parse_value(p, t, what) for p, t in zip(inputs, texts)]


def parse_value(param: Mapping[str, Any], text: str, what: str = "argument") -> Any:
    """One command-line string as a value of `param`'s type; raises ArgumentError."""
    label = f"{what} argument {_describe(param)}"
    kind = str(param["type"])
    if _ARRAY_RE.match(kind) or kind == "tuple":
        try:
            raw: Any = json.loads(text)
        except ValueError:
            raise ArgumentError(f"{label}: {text!r} is not a JSON array") from None
    else:
        raw = text
    try:
        value = _convert(param, kind, raw)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(f"{label}: {exc}") from None
    if not is_encodable(abi_type(param), value):
        raise ArgumentError(f"{label}: {text!r} does not fit type {abi_type(param)}")
    return value


def _convert(param: Mapping[str, Any], kind: str, raw: Any) -> Any:
    array = _ARRAY_RE.match(kind)
    if array is not None:
        if not isinstance(raw, list):
            raise ValueError(f"{raw!r} is not an array")
        size = array.group(2)
        if size and len(raw) != int(size):
            raise ValueError(f"expected {size} elements, got {len(raw)}")
        return [_convert(param, array.group(1), item) for item in raw]
    if kind == "tuple":
        components = list(param.get("components", []))
        if not isinstance(raw, list) or len(raw) != len(components):
            raise ValueError(f"expected a JSON array of {len(components)} fields")
        return tuple(_convert(c, str(c["type"]), v) for c, v in zip(components, raw))
    return _scalar(kind, raw)


def _scalar(kind: str, raw: Any) -> Any:
    if isinstance(raw, bool) and kind != "bool":
        raise ValueError(f"{raw!r} is not a {kind}")
    if kind.startswith(("uint", "int")):
        if isinstance(raw, int):
            return raw
        text = str(raw).strip()
        try:
            return int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text, 10)
        except ValueError:
            raise ValueError(f"{raw!r} is not an integer") from None
    if kind == "address":
        if not isinstance(raw, str) or not is_address(raw):
            raise ValueError(f"{raw!r} is not a 0x address")
        return to_checksum_address(raw)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValueError(f"{raw!r} is not true or false")
    if kind == "string":
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a string")
        return raw
    if kind.startswith("bytes"):
        if not isinstance(raw, str) or not raw.startswith("0x"):
            raise ValueError(f"{raw!r} is not 0x-prefixed hex")
        try:
            return bytes.fromhex(raw[2:])
        except ValueError:
            raise ValueError(f"{raw!r} is not valid hex") from None
    raise ValueError(f"type {kind} is not supported on the command line")


def to_json(value: Any) -> Any:
    """An ABI value as JSON-able data: bytes as 0x-hex, tuples as lists, the rest unchanged."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def format_value(value: Any) -> str:
    """How `wabei cns call` prints one result: scalars plainly, composites as JSON."""
    data = to_json(value)
    if isinstance(data, str):
        return data
    if isinstance(data, bool):
        return "true" if data else "false"
    return json.dumps(data)


def _describe(param: Mapping[str, Any]) -> str:
    name = param.get("name")
    return f"{name} ({abi_type(param)})" if name else abi_type(param)


def describe_revert(data: str, abi: Sequence[Mapping[str, Any]]) -> str | None:
    """A custom error's revert data (0x-hex) decoded against `abi`, e.g.
    `ERC20InsufficientBalance(sender=0x.., balance=1, needed=2)`; None if no error matches."""
    try:
        raw = bytes.fromhex(data.removeprefix("0x"))
    except ValueError:
        return None
    for entry in abi:
        if entry.get("type") != "error" or len(raw) < 4:
            continue
        inputs = list(entry.get("inputs", []))
        types = [abi_type(i) for i in inputs]
        if keccak(text=f"{entry['name']}({','.join(types)})")[:4] != raw[:4]:
            continue
        try:
            values = [to_checksum_address(v) if t == "address" else v
                      for t, v in zip(types, decode(types, raw[4:]))]
        except Exception:  # noqa: BLE001 - eth-abi raises several decoding errors; treat as no match
            return None
        fields = ", ".join(f"{i.get('name') or n}={format_value(v)}"
                           for n, (i, v) in enumerate(zip(inputs, values)))
        return f"{entry['name']}({fields})"
    return None
