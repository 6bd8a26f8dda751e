"""Decoding calldata and logs with a known ABI into SQL-ready values (pure functions).

Values are converted for their columns (docs/warehouse.md, "Type mapping"): addresses and
hashes as lower-case `0x` hex, `bytes`/`bytesN` as `0x` hex, integers as Python ints (the column
type keeps them exact), and tuples and arrays as JSON: an array is a JSON array, a tuple a JSON
object keyed by component name (a JSON array when any component is unnamed), integers inside
as JSON numbers.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode

from warehouse.abi_book import AbiItem, ContractAbi


@dataclass(frozen=True)
class Decoded:
    """A decoded call or event: its ABI entry and one value per input, in ABI order."""

    item: AbiItem
    values: list[Any]


class Undecodable(Exception):
    """Calldata or a log that the ABI cannot decode; the message is the reason stored with it."""


def is_json_type(abi_type: str) -> bool:
    """Arrays and tuples go into JSON columns."""
    return abi_type.endswith("]") or abi_type.startswith("tuple") or abi_type.startswith("(")


def to_json_value(param: Mapping[str, Any], value: Any) -> Any:
    """A decoded value as JSON: arrays as lists, tuples as objects (or lists), bytes as hex."""
    abi_type = str(param["type"])
    if abi_type.endswith("]"):
        inner = dict(param, type=abi_type[:abi_type.rindex("[")])
        return [to_json_value(inner, v) for v in value]
    if abi_type.startswith("tuple"):
        components = param.get("components", [])
        values = [to_json_value(c, v) for c, v in zip(components, value)]
        if all(c.get("name") for c in components):
            return {c["name"]: v for c, v in zip(components, values)}
        return values
    return to_scalar(abi_type, value)


def to_scalar(abi_type: str, value: Any) -> Any:
    """A decoded scalar in its column's form."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if abi_type == "address":
        return str(value).lower()
    return value


def to_column(param: Mapping[str, Any], value: Any) -> Any:
    return to_json_value(param, value) if is_json_type(str(param["type"])) else to_scalar(str(param["type"]), value)


def decode_call(contract: ContractAbi, data: bytes) -> Decoded:
    """Decode calldata against `contract`'s functions; raises Undecodable with the reason."""
    if len(data) < 4:
        raise Undecodable(f"calldata of {len(data)} bytes has no 4-byte selector")
    item = contract.functions.get(data[:4])
    if item is None:
        raise Undecodable(f"no function with selector 0x{data[:4].hex()} in {_label(contract)}")
    types = contract.input_types(item)
    try:
        values = list(decode(types, data[4:]))
    except Exception as exc:  # eth_abi raises several decoding errors; all mean the same here
        raise Undecodable(f"arguments do not decode as {item['name']}({','.join(types)}): {exc}") from None
    return Decoded(item, values)


def decode_log(contract: ContractAbi, topics: Sequence[bytes], data: bytes) -> Decoded:
    """Decode a log against `contract`'s events; an indexed dynamic value (string, bytes, array,
    tuple) is only its keccak in the topic and is kept as that hash."""
    if not topics:
        raise Undecodable("anonymous log (no topic0)")
    item = contract.events.get((topics[0], len(topics) - 1))
    if item is None:
        raise Undecodable(f"no event with topic0 0x{topics[0].hex()} and {len(topics) - 1} indexed inputs"
                          f" in {_label(contract)}")
    inputs = item.get("inputs", [])
    types = contract.input_types(item)
    plain = [t for i, t in zip(inputs, types) if not i.get("indexed")]
    try:
        unindexed = iter(decode(plain, data) if plain else ())
    except Exception as exc:
        raise Undecodable(f"data does not decode as {item['name']}({','.join(plain)}): {exc}") from None
    indexed = iter(topics[1:])
    values: list[Any] = []
    for i, abi_type in zip(inputs, types):
        if not i.get("indexed"):
            values.append(next(unindexed))
        elif abi_type in ("string", "bytes") or is_json_type(abi_type):
            values.append(next(indexed))
        else:
            values.append(decode_topic(abi_type, next(indexed)))
    return Decoded(item, values)


def decode_topic(abi_type: str, topic: bytes) -> Any:
    """One indexed static value. The common types are read directly (eth_abi's generic decoder
    cost more than the rest of a log's handling); the rest go through eth_abi, strictly."""
    if abi_type == "address" and not any(topic[:12]):
        return "0x" + topic[12:].hex()
    if abi_type.startswith("uint") and len(topic) == 32:
        bits = int(abi_type[4:] or 256)
        value = int.from_bytes(topic, "big")
        if value < 1 << bits:
            return value
    try:
        return decode([abi_type], topic)[0]
    except Exception as exc:
        raise Undecodable(f"topic does not decode as {abi_type}: {exc}") from None


def _label(contract: ContractAbi) -> str:
    return f"{contract.name}'s ABI" + (f" (version {contract.version})" if contract.version else "")
