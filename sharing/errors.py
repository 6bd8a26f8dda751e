"""The sharing package's exceptions, and decoding of the suite's custom revert errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address

from sharing.abi import abi_type, selector


class SharingError(Exception):
    """Base of every error raised by the sharing package."""


class DeploymentError(SharingError):
    """The suite could not be deployed or wired as expected."""


class TransactionFailedError(SharingError):
    """A transaction was mined with status 0; ``tx_hash`` is its 0x-hash, ``reason`` the revert
    reason found by replaying it (None if the replay did not revert)."""

    def __init__(self, action: str, tx_hash: str, reason: str | None = None) -> None:
        self.action = action
        self.tx_hash = tx_hash
        self.reason = reason
        super().__init__(f"{action}: transaction {tx_hash} reverted" + (f": {reason}" if reason else ""))


@dataclass(frozen=True)
class DecodedRevert:
    """A custom error decoded from revert data: its name and its arguments in ABI order."""

    name: str
    args: tuple[Any, ...]


def error_table(abis: Iterable[Sequence[Mapping[str, Any]]]) -> dict[bytes, tuple[str, list[str]]]:
    """Map each custom error's 4-byte selector to its name and argument types, over ``abis``."""
    table: dict[bytes, tuple[str, list[str]]] = {}
    for abi in abis:
        for entry in abi:
            if entry.get("type") != "error":
                continue
            types = [abi_type(p) for p in entry.get("inputs", [])]
            table[selector(entry)] = (str(entry["name"]), types)
    return table


def decode_revert(data: bytes, table: Mapping[bytes, tuple[str, list[str]]]) -> DecodedRevert | None:
    """Decode revert ``data`` with ``table`` (from ``error_table``); ``None`` if the selector is unknown."""
    known = table.get(bytes(data[:4]))
    if known is None:
        return None
    name, types = known
    values = decode(types, bytes(data[4:]))
    return DecodedRevert(name, tuple(to_checksum_address(v) if t == "address" else v
                                     for t, v in zip(types, values)))
