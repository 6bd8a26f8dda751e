"""Wire formats: hex strings in, bytes and ints out, and the JSON shapes clients expect back.

Every decoder raises InvalidParams naming the parameter, so a user sees which argument was wrong.
"""
from __future__ import annotations

import re
from typing import Any

from chain.exceptions import InvalidParams
from chain.types import AccountOverride, Authorization, CallRequest, TraceOptions

UINT256_MAX = 2**256 - 1
# Hex digits only: Python's int(s, 16) and bytes.fromhex also take "_", whitespace and non-ASCII
# digits, which no JSON-RPC client sends on purpose ("0x1_000" must not become 4096).
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


# -- decoding ----------------------------------------------------------------------------------
def quantity(value: Any, name: str, max_value: int = UINT256_MAX) -> int:
    """A JSON-RPC QUANTITY: 0x-prefixed hex without leading zeros; ints tolerated, as geth does."""
    if isinstance(value, bool):
        raise InvalidParams(f"invalid {name}: expected a hex quantity, got a boolean")
    if isinstance(value, int):
        out = value
    elif isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) > 2:
        if not _HEX_DIGITS.fullmatch(value, 2):
            raise InvalidParams(f"invalid {name}: {value!r} is not hex")
        out = int(value, 16)
    else:
        raise InvalidParams(f"invalid {name}: expected a 0x-prefixed hex quantity, got {value!r}")
    if out < 0 or out > max_value:
        raise InvalidParams(f"invalid {name}: {value!r} is out of range")
    return out


def data(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise InvalidParams(f"invalid {name}: expected 0x-prefixed hex data, got {_short(value)}")
    body = value[2:]
    if len(body) % 2:
        raise InvalidParams(f"invalid {name}: hex data has an odd number of digits")
    if not _HEX_DIGITS.fullmatch(body):
        raise InvalidParams(f"invalid {name}: {_short(value)} is not hex")
    return bytes.fromhex(body)


def fixed(value: Any, name: str, size: int) -> bytes:
    out = data(value, name)
    if len(out) != size:
        raise InvalidParams(f"invalid {name}: expected {size} bytes, got {len(out)}")
    return out


def address(value: Any, name: str) -> bytes:
    """Any case accepted (checksummed, lower, upper), as geth accepts."""
    return fixed(value, name, 20)


def slot(value: Any, name: str) -> int:
    """A storage slot: a quantity or 32 bytes of data (both are seen in the wild)."""
    if isinstance(value, str) and len(value) == 66:
        return int.from_bytes(data(value, name), "big")
    return quantity(value, name)


def boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidParams(f"invalid {name}: expected true or false, got {_short(value)}")
    return value


def obj(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParams(f"invalid {name}: expected an object, got {_short(value)}")
    return value


def call_request(value: Any, name: str = "transaction") -> CallRequest:
    o = obj(value, name)
    def opt(key: str, fn: Any) -> Any:
        v = o.get(key)
        return None if v is None else fn(v, f"{name}.{key}")
    payload = o.get("input", o.get("data"))
    if "input" in o and "data" in o and o["input"] != o["data"] and o["data"] is not None and o["input"] is not None:
        raise InvalidParams(f"invalid {name}: both 'data' and 'input' are set and differ")
    access = o.get("accessList") or []
    if not isinstance(access, list):
        raise InvalidParams(f"invalid {name}.accessList: expected a list")
    access_list = tuple(
        (address(obj(e, f"{name}.accessList").get("address"), f"{name}.accessList.address"),
         tuple(slot(s, f"{name}.accessList.storageKeys") for s in e.get("storageKeys") or []))
        for e in access
    )
    to = o.get("to")
    return CallRequest(
        sender=opt("from", address),
        to=None if to in (None, "", "0x") else address(to, f"{name}.to"),
        gas=opt("gas", quantity),
        gas_price=opt("gasPrice", quantity),
        max_fee_per_gas=opt("maxFeePerGas", quantity),
        max_priority_fee_per_gas=opt("maxPriorityFeePerGas", quantity),
        value=opt("value", quantity) or 0,
        data=b"" if payload is None else data(payload, f"{name}.input"),
        nonce=opt("nonce", quantity),
        access_list=access_list,
        chain_id=opt("chainId", quantity),
        tx_type=opt("type", quantity),
        authorization_list=authorizations(o.get("authorizationList"), f"{name}.authorizationList"),
    )


def authorizations(value: Any, name: str) -> tuple[Authorization, ...]:
    """geth's JSON shape of an EIP-7702 list: [{chainId, address, nonce, yParity, r, s}]."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams(f"invalid {name}: expected a list")
    out = []
    for i, entry in enumerate(value):
        e, where = obj(entry, f"{name}[{i}]"), f"{name}[{i}]"
        # Some clients (viem) send `v` instead of `yParity`; both name the same bit here.
        parity = e.get("yParity", e.get("v"))
        out.append(Authorization(
            chain_id=quantity(e.get("chainId"), f"{where}.chainId"),
            address=address(e.get("address"), f"{where}.address"),
            nonce=quantity(e.get("nonce"), f"{where}.nonce", max_value=2**64 - 1),
            y_parity=quantity(parity, f"{where}.yParity", max_value=255),
            r=quantity(e.get("r"), f"{where}.r"),
            s=quantity(e.get("s"), f"{where}.s"),
        ))
    return tuple(out)


def state_overrides(value: Any, name: str = "stateOverrides") -> dict[bytes, AccountOverride]:
    if value is None:
        return {}
    out = {}
    for addr_hex, o in obj(value, name).items():
        o = obj(o, f"{name}[{addr_hex}]")
        if "state" in o and "stateDiff" in o:
            raise InvalidParams(f"invalid {name}[{addr_hex}]: 'state' and 'stateDiff' are exclusive")
        def slots(v: Any) -> dict[int, int] | None:
            return None if v is None else {slot(k, "slot"): slot(x, "value") for k, x in obj(v, name).items()}
        out[address(addr_hex, f"{name} key")] = AccountOverride(
            balance=None if o.get("balance") is None else quantity(o["balance"], "balance"),
            nonce=None if o.get("nonce") is None else quantity(o["nonce"], "nonce"),
            code=None if o.get("code") is None else data(o["code"], "code"),
            state=slots(o.get("state")),
            state_diff=slots(o.get("stateDiff")),
        )
    return out


def topics_filter(value: Any, name: str) -> tuple[frozenset[bytes] | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams(f"invalid {name}: expected a list")
    if len(value) > 4:
        raise InvalidParams(f"invalid {name}: at most 4 topic positions")
    out: list[frozenset[bytes] | None] = []
    for i, t in enumerate(value):
        if t is None or t == []:
            out.append(None)
        elif isinstance(t, list):
            out.append(frozenset(fixed(x, f"{name}[{i}]", 32) for x in t if x is not None))
        else:
            out.append(frozenset([fixed(t, f"{name}[{i}]", 32)]))
    return tuple(out)


def addresses_filter(value: Any, name: str) -> frozenset[bytes]:
    if value is None:
        return frozenset()
    if isinstance(value, list):
        return frozenset(address(a, name) for a in value)
    return frozenset([address(value, name)])


# -- encoding ----------------------------------------------------------------------------------
def hex_int(value: int) -> str:
    return hex(value)


def hex_bytes(value: bytes) -> str:
    return "0x" + value.hex()


def hex_addr(value: bytes | None) -> str | None:
    return None if value is None or value == b"" else "0x" + value.hex()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."



_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(value: Any, name: str) -> float:
    """A Go duration string ("5s", "1m30s", "250ms"), as geth's `timeout` takes it, in seconds."""
    if not isinstance(value, str) or not _DURATION.match(value):
        raise InvalidParams(f"invalid {name}: expected a duration such as \"5s\", got {_short(value)}")
    return sum(float(n) * _DURATION_UNIT_S[u] for n, u in _DURATION_PART.findall(value))


def trace_options(value: Any, name: str = "options") -> TraceOptions:
    """geth's TraceConfig (debug_trace*'s last param). Unknown keys are ignored, as geth's JSON
    decoding ignores them; the known ones are checked strictly."""
    if value is None:
        return TraceOptions()
    o = obj(value, name)

    def flag(key: str) -> bool:
        v = o.get(key)
        return False if v is None else boolean(v, f"{name}.{key}")

    tracer = o.get("tracer")
    if tracer is not None and (not isinstance(tracer, str) or not tracer):
        raise InvalidParams(f"invalid {name}.tracer: expected a tracer name")
    timeout = o.get("timeout")
    config = o.get("tracerConfig")
    limit = o.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidParams(f"invalid {name}.limit: expected a non-negative integer")
    return TraceOptions(
        tracer=tracer,
        tracer_config={} if config is None else obj(config, f"{name}.tracerConfig"),
        disable_stack=flag("disableStack"),
        disable_storage=flag("disableStorage"),
        enable_memory=flag("enableMemory"),
        enable_return_data=flag("enableReturnData"),
        limit=limit or 0,
        timeout=None if timeout is None else duration(timeout, f"{name}.timeout"),
    )
