"""Wire formats: hex strings in, bytes and ints out, and the JSON shapes clients expect back.

Every decoder raises InvalidParams naming the parameter, so a user sees which argument was wrong.
"""
from __future__ import annotations

import re
from typing import Any

from chain.api.logs import MAX_ADDRESSES, MAX_TOPIC_ALTERNATIVES
from chain.exceptions import InvalidParams
from chain.types import AccountOverride, Authorization, CallRequest, TraceOptions

# The strict primitives live in codec_hex and codec_block; they are re-exported here so every
# namespace keeps calling codec.quantity, codec.data, codec.address ...
from chain.rpc.codec_block import TAGS as TAGS, BlockRef as BlockRef, block_ref as block_ref
from chain.rpc.codec_hex import (
    INT64_MAX as INT64_MAX, UINT64_MAX as UINT64_MAX, UINT256_MAX as UINT256_MAX, address as address,
    boolean as boolean, data as data, describe as describe, fixed as fixed, hash32 as hash32,
    identifier as identifier, obj as obj, quantity as quantity, slot as slot,
)


def call_request(value: Any, name: str = "transaction") -> CallRequest:
    """geth's TransactionArgs: unknown keys are ignored, known ones are decoded strictly."""
    o = obj(value, name)

    def opt(key: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        v = o.get(key)
        return None if v is None else fn(v, f"{name}.{key}", *args, **kwargs)
    payload = o.get("input", o.get("data"))
    if "input" in o and "data" in o and o["input"] != o["data"] and o["data"] is not None and o["input"] is not None:
        raise InvalidParams(f"invalid {name}: both 'data' and 'input' are set and differ; use 'input'")
    _no_blobs(o, name)
    to = o.get("to")
    return CallRequest(
        sender=opt("from", address),
        to=None if to in (None, "", "0x") else address(to, f"{name}.to"),
        gas=opt("gas", quantity, UINT64_MAX),
        gas_price=opt("gasPrice", quantity),
        max_fee_per_gas=opt("maxFeePerGas", quantity),
        max_priority_fee_per_gas=opt("maxPriorityFeePerGas", quantity),
        value=opt("value", quantity) or 0,
        data=b"" if payload is None else data(payload, f"{name}.input"),
        nonce=opt("nonce", quantity, UINT64_MAX),
        access_list=access_list(o.get("accessList"), f"{name}.accessList"),
        chain_id=opt("chainId", quantity),
        # web3.py sends `type` as a JSON number ({"type": 2} passes through its formatters) and
        # geth ignores the key, so a plain integer is taken here.
        tx_type=opt("type", quantity, 255, lenient=True),
        authorization_list=authorizations(o.get("authorizationList"), f"{name}.authorizationList"),
    )


def access_list(value: Any, name: str) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    """[{address, storageKeys: [slot, ...]}] (EIP-2930)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams(f"invalid {name}: expected a list, got {describe(value)}")
    out = []
    for i, entry in enumerate(value):
        e = obj(entry, f"{name}[{i}]")
        keys = e.get("storageKeys") or []
        if not isinstance(keys, list):
            raise InvalidParams(f"invalid {name}[{i}].storageKeys: expected a list, got {describe(keys)}")
        out.append((address(e.get("address"), f"{name}[{i}].address"),
                    tuple(slot(k, f"{name}[{i}].storageKeys") for k in keys)))
    return tuple(out)


def _no_blobs(o: dict[str, Any], name: str) -> None:
    """Blob fields are checked, and a blob transaction refused: Wabei has no blob pool, and
    silently dropping the hashes would make BLOBHASH read zero in a call."""
    hashes = o.get("blobVersionedHashes")
    if hashes is not None:
        if not isinstance(hashes, list):
            raise InvalidParams(f"invalid {name}.blobVersionedHashes: expected a list of 32-byte hashes, "
                                f"got {describe(hashes)}")
        for i, h in enumerate(hashes):
            hash32(h, f"{name}.blobVersionedHashes[{i}]")
        if hashes:
            raise InvalidParams(f"invalid {name}.blobVersionedHashes: blob transactions (EIP-4844) are not supported")
    if o.get("maxFeePerBlobGas") is not None:
        quantity(o["maxFeePerBlobGas"], f"{name}.maxFeePerBlobGas")


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
            if len(t) > MAX_TOPIC_ALTERNATIVES:
                raise InvalidParams(f"exceed max topics: {name}[{i}] has {len(t):,} alternatives, the limit "
                                    f"is {MAX_TOPIC_ALTERNATIVES:,} per position (as geth); split the query")
            out.append(frozenset(fixed(x, f"{name}[{i}]", 32) for x in t if x is not None))
        else:
            out.append(frozenset([fixed(t, f"{name}[{i}]", 32)]))
    return tuple(out)


def addresses_filter(value: Any, name: str) -> frozenset[bytes]:
    if value is None:
        return frozenset()
    if isinstance(value, list):
        if len(value) > MAX_ADDRESSES:
            raise InvalidParams(f"exceed max addresses: {name} has {len(value):,} entries, the limit is "
                                f"{MAX_ADDRESSES:,} (as geth); split the query")
        return frozenset(address(a, name) for a in value)
    return frozenset([address(value, name)])


# -- encoding ----------------------------------------------------------------------------------
def hex_int(value: int) -> str:
    return hex(value)


def hex_bytes(value: bytes) -> str:
    return "0x" + value.hex()


def hex_addr(value: bytes | None) -> str | None:
    return None if value is None or value == b"" else "0x" + value.hex()


# re.ASCII: \d would also match "٥", which float() reads as 5.
_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$", re.ASCII)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", re.ASCII)
_DURATION_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(value: Any, name: str) -> float:
    """A Go duration string ("5s", "1m30s", "250ms"), as geth's `timeout` takes it, in seconds."""
    if not isinstance(value, str) or not _DURATION.match(value):
        raise InvalidParams(f"invalid {name}: expected a duration such as \"5s\", got {describe(value)}")
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
