"""Turning console.log payloads (selector + ABI-encoded arguments) into the lines Hardhat prints.

Each argument becomes a string the way Hardhat's ConsoleLogger makes it — integers in decimal,
`true`/`false`, bytes and bytesN as 0x-prefixed lowercase hex, strings as UTF-8 — except that
addresses are EIP-55 checksummed, as Anvil prints them (Hardhat 2.28 prints them lowercase).
Then the first argument is the format string (chain/console_log/node_format.py). A payload
whose selector console.sol does not define, or whose arguments do not decode, is skipped
without a word, as Hardhat skips unknown selectors.
"""
from __future__ import annotations

import re
from typing import Iterable

from eth_utils.address import to_checksum_address

from chain.console_log.node_format import node_format
from chain.console_log.signatures import SIGNATURES

_WORD = 32
# Hardhat rewrites %d and %i (not escaped as %%d) to %s, so a uint256 prints whole.
_INTEGER_PLACEHOLDER = re.compile(r"((?<!%)(?:%%)*)(%[di])")


class _Malformed(Exception):
    """The arguments do not decode as the selector's types say."""


def _word(data: bytes, position: int) -> bytes:
    if position < 0 or position + _WORD > len(data):
        raise _Malformed
    return data[position:position + _WORD]


def _dynamic(data: bytes, head: int) -> bytes:
    start = int.from_bytes(_word(data, head), "big")
    length = int.from_bytes(_word(data, start), "big")
    if start + _WORD + length > len(data):
        raise _Malformed
    return data[start + _WORD:start + _WORD + length]


def _argument(data: bytes, index: int, kind: str) -> str:
    head = index * _WORD
    if kind == "string":
        return _dynamic(data, head).decode("utf-8", errors="replace")
    if kind == "bytes":
        return "0x" + _dynamic(data, head).hex()
    word = _word(data, head)
    if kind == "uint256":
        return str(int.from_bytes(word, "big"))
    if kind == "int256":
        return str(int.from_bytes(word, "big", signed=True))
    if kind == "bool":
        return "true" if word[31] else "false"
    if kind == "address":
        return to_checksum_address(word[12:])
    if kind.startswith("bytes"):  # bytes1 ... bytes32: left-aligned in the word
        return "0x" + word[:int(kind[5:])].hex()
    raise _Malformed


def decode_arguments(payload: bytes) -> list[str] | None:
    """The payload's arguments as strings, or None for an unknown selector or bad encoding."""
    types = SIGNATURES.get(int.from_bytes(payload[:4], "big")) if len(payload) >= 4 else None
    if types is None:
        return None
    data = payload[4:]
    try:
        return [_argument(data, i, kind) for i, kind in enumerate(types)]
    except _Malformed:
        return None


def format_payload(payload: bytes) -> str | None:
    """The line Hardhat prints for one console.log call, or None when it prints nothing."""
    args = decode_arguments(payload)
    if args is None:
        return None
    if args:
        args[0] = _INTEGER_PLACEHOLDER.sub(r"\1%s", args[0])
    return node_format(args)


def format_payloads(payloads: Iterable[bytes]) -> list[str]:
    """Every printable line of a transaction's console.log calls, in call order."""
    lines = (format_payload(p) for p in payloads)
    return [line for line in lines if line is not None]
