"""Polling filters (eth_newFilter & co.): bounded in number and size, expired when nobody polls.

Block and log filters keep no copies: each remembers the first block it has not reported and
reads the chain when polled, so a filter nobody polls costs the same after a million blocks as
after one (they used to collect every new block hash until expiry, ~70 bytes a block each).
Pending-transaction filters keep the hashes, which exist nowhere else once mined, up to
`max_buffered` each. Criteria are bounded too: `max_entries` addresses and topic alternatives
across every installed log filter of a chain.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

from chain.exceptions import InvalidParams, ResourceNotFound
from chain.types import LogFilter


def criteria_entries(criteria: LogFilter) -> int:
    """What a filter's criteria weigh against the chain's budget: 1 + addresses + alternatives."""
    return 1 + len(criteria.addresses) + sum(len(t) for t in criteria.topics if t is not None)


@dataclass
class _Filter:
    kind: str                          # "block" | "pending" | "logs"
    last_poll: float
    criteria: LogFilter | None = None
    next_block: int = 0                # block and logs: first block not yet reported
    items: list[bytes] = field(default_factory=list)  # pending: tx hashes not yet reported


class FilterManager:
    def __init__(self, max_filters: int, timeout_s: float, clock: Callable[[], float] = time.monotonic,
                 max_buffered: int = 10_000, max_entries: int = 200_000) -> None:
        self._filters: dict[str, _Filter] = {}
        self._max = max_filters
        self._timeout = timeout_s
        self._clock = clock
        self._max_buffered = max_buffered
        self._max_entries = max_entries
        self._entries = 0

    def _new_id(self) -> str:
        return "0x" + os.urandom(16).hex()

    def _install(self, f: _Filter) -> str:
        self.expire()
        if len(self._filters) >= self._max:
            raise InvalidParams(f"too many filters installed ({self._max}, the limit); uninstall some "
                                "first, or let unpolled ones expire")
        weight = 0 if f.criteria is None else criteria_entries(f.criteria)
        if self._entries + weight > self._max_entries:
            raise InvalidParams(f"too many filter criteria installed: {self._entries:,} addresses and topics "
                                f"already, this filter adds {weight:,}, the limit is {self._max_entries:,} "
                                "per chain; uninstall some filters first")
        fid = self._new_id()
        self._filters[fid] = f
        self._entries += weight
        return fid

    def new_block_filter(self, head: int) -> str:
        return self._install(_Filter("block", self._clock(), next_block=head + 1))

    def new_pending_filter(self) -> str:
        return self._install(_Filter("pending", self._clock()))

    def new_log_filter(self, criteria: LogFilter, head: int) -> str:
        return self._install(_Filter("logs", self._clock(), criteria, next_block=criteria.from_block
                                     if criteria.from_block <= head else head + 1))

    def uninstall(self, fid: str) -> bool:
        f = self._filters.pop(fid, None)
        if f is not None and f.criteria is not None:
            self._entries -= criteria_entries(f.criteria)
        return f is not None

    def get(self, fid: str) -> _Filter:
        self.expire()
        f = self._filters.get(fid)
        if f is None:
            raise ResourceNotFound("filter not found")
        return f

    def on_pending(self, tx_hash: bytes) -> None:
        for f in self._filters.values():
            if f.kind == "pending" and len(f.items) < self._max_buffered:
                f.items.append(tx_hash)

    def on_rewind(self, head: int, replaced: bool) -> None:
        """Blocks above `head` left the chain (evm_revert): report their replacements from there.
        `replaced` (a state load): report only what is mined from now on."""
        for f in self._filters.values():
            if f.kind != "pending":
                f.next_block = head + 1 if replaced else min(f.next_block, head + 1)

    def poll(self, fid: str, head: int, hash_of: Callable[[int], bytes | None]) -> list[bytes] | LogFilter:
        """Changes since the last poll: hashes (block and pending filters, at most `max_buffered`
        blocks a poll: the next poll continues), or, for a log filter, the criteria of the
        block range not yet reported, for the caller to run."""
        f = self.get(fid)
        f.last_poll = self._clock()
        if f.kind == "pending":
            items, f.items = f.items, []
            return items
        if f.kind == "block":
            end = min(head, f.next_block + self._max_buffered - 1)
            hashes = [h for h in map(hash_of, range(f.next_block, end + 1)) if h is not None]
            f.next_block = max(f.next_block, end + 1)
            return hashes
        assert f.criteria is not None
        end = head if f.criteria.to_block is None else min(head, f.criteria.to_block)
        if f.next_block > end:
            return []
        crit = LogFilter(f.next_block, end, f.criteria.addresses, f.criteria.topics)
        f.next_block = end + 1
        return crit

    def criteria(self, fid: str) -> LogFilter:
        f = self.get(fid)
        if f.criteria is None:
            raise InvalidParams("eth_getFilterLogs needs a log filter, not a block or pending filter")
        f.last_poll = self._clock()
        return f.criteria

    def expire(self) -> None:
        deadline = self._clock() - self._timeout
        for fid in [k for k, f in self._filters.items() if f.last_poll < deadline]:
            self.uninstall(fid)

    def clear(self) -> None:
        """Uninstall every filter (anvil_reset: what they watched is gone)."""
        self._filters.clear()
        self._entries = 0

    def __len__(self) -> int:
        return len(self._filters)
