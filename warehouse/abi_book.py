"""Which ABI decodes what: per address, the ABIs known for it and from which block each applies.

An address can have several ABIs over time: a CNS name whose versions share an address (a
proxy, or a re-published ABI) or a user file and a CNS entry for the same contract. A call or
log at block N is decoded with the newest ABI that applies from N or earlier; before the first
one applies (a contract used before it was published in CNS), with the oldest.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from eth_utils.abi import abi_to_signature, collapse_if_tuple, event_abi_to_log_topic, function_abi_to_4byte_selector

AbiItem = Mapping[str, Any]


def selector(item: AbiItem) -> bytes:
    """A function's 4-byte selector."""
    return bytes(function_abi_to_4byte_selector(cast(Any, dict(item))))


def topic(item: AbiItem) -> bytes:
    """An event's topic0."""
    return bytes(event_abi_to_log_topic(cast(Any, dict(item))))


@dataclass(frozen=True)
class ContractAbi:
    """One ABI of one contract: `name` names its tables, `version` is the CNS version (or "")."""

    name: str
    abi: Sequence[AbiItem]
    version: str = ""
    from_block: int = 0
    source: str = ""
    functions: Mapping[bytes, AbiItem] = field(init=False, compare=False, repr=False)
    events: Mapping[tuple[bytes, int], AbiItem] = field(init=False, compare=False, repr=False)
    # Each function's and event's input types, collapsed once (`(uint256,address)` for a tuple):
    # recomputing them per call took a tenth of an export's time.
    types: Mapping[int, list[str]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        functions = {selector(f): f
                     for f in self.abi if f.get("type") == "function"}
        # An event is found by topic0 and its number of indexed inputs: ERC-20's and ERC-721's
        # Transfer share topic0 and differ only there.
        events = {(topic(e), sum(1 for i in e.get("inputs", []) if i.get("indexed"))): e
                  for e in self.abi if e.get("type") == "event" and not e.get("anonymous")}
        object.__setattr__(self, "functions", functions)
        object.__setattr__(self, "events", events)
        items = [*functions.values(), *events.values()]
        object.__setattr__(self, "types", {id(i): [collapse_if_tuple(dict(p)) for p in i.get("inputs", [])]
                                           for i in items})

    def input_types(self, item: AbiItem) -> list[str]:
        """The collapsed types of `item`'s inputs (an item of this ABI)."""
        return self.types[id(item)]


def signature(item: AbiItem) -> str:
    """The canonical signature, `transfer(address,uint256)`; events list indexed inputs too."""
    return str(abi_to_signature(cast(Any, dict(item))))


class AbiBook:
    """Address → the ABIs known for it, from every source; built once per refresh."""

    def __init__(self) -> None:
        self._by_address: dict[str, list[ContractAbi]] = {}

    def add(self, address: str, contract: ContractAbi) -> None:
        """Record `contract` for `address` (any case); an identical entry is kept once."""
        entries = self._by_address.setdefault(address.lower(), [])
        if contract not in entries:
            entries.append(contract)
            entries.sort(key=lambda c: c.from_block)

    def at(self, address: str | None, block: int) -> ContractAbi | None:
        """The ABI that decodes `address`'s calls and logs at `block`, or None."""
        entries = self._by_address.get((address or "").lower())
        if not entries:
            return None
        applicable = [c for c in entries if c.from_block <= block]
        return applicable[-1] if applicable else entries[0]

    def cns_names(self, address: str) -> list[str]:
        """The CNS names (`name@version`) published for `address`."""
        return [f"{c.name}@{c.version}" for c in self._by_address.get(address.lower(), []) if c.source == "cns"]

    def addresses(self) -> list[str]:
        return list(self._by_address)

    def __len__(self) -> int:
        return len(self._by_address)
