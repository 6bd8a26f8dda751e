"""Polling filters (eth_newFilter & co.): bounded in number, and expired when nobody polls them."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

from chain.exceptions import InvalidParams, ResourceNotFound
from chain.types import LogEntry, LogFilter


@dataclass
class _Filter:
    kind: str                          # "block" | "pending" | "logs"
    last_poll: float
    criteria: LogFilter | None = None
    next_block: int = 0                # logs: first block not yet reported
    items: list[bytes] = field(default_factory=list)  # block or tx hashes not yet reported


class FilterManager:
    def __init__(self, max_filters: int, timeout_s: float, clock: Callable[[], float] = time.monotonic,
                 max_buffered: int = 10_000) -> None:
        self._filters: dict[str, _Filter] = {}
        self._max = max_filters
        self._timeout = timeout_s
        self._clock = clock
        self._max_buffered = max_buffered

    def _new_id(self) -> str:
        return "0x" + os.urandom(16).hex()

    def _install(self, f: _Filter) -> str:
        self.expire()
        if len(self._filters) >= self._max:
            raise InvalidParams(f"too many filters installed ({self._max}); uninstall some first")
        fid = self._new_id()
        self._filters[fid] = f
        return fid

    def new_block_filter(self) -> str:
        return self._install(_Filter("block", self._clock()))

    def new_pending_filter(self) -> str:
        return self._install(_Filter("pending", self._clock()))

    def new_log_filter(self, criteria: LogFilter, head: int) -> str:
        return self._install(_Filter("logs", self._clock(), criteria, next_block=criteria.from_block
                                     if criteria.from_block <= head else head + 1))

    def uninstall(self, fid: str) -> bool:
        return self._filters.pop(fid, None) is not None

    def get(self, fid: str) -> _Filter:
        self.expire()
        f = self._filters.get(fid)
        if f is None:
            raise ResourceNotFound("filter not found")
        return f

    def on_block(self, block_hash: bytes) -> None:
        for f in self._filters.values():
            if f.kind == "block" and len(f.items) < self._max_buffered:
                f.items.append(block_hash)

    def on_blocks(self, block_hashes: list[bytes]) -> None:
        for h in block_hashes:
            self.on_block(h)

    def on_pending(self, tx_hash: bytes) -> None:
        for f in self._filters.values():
            if f.kind == "pending" and len(f.items) < self._max_buffered:
                f.items.append(tx_hash)

    def poll(self, fid: str, head: int, query: Callable[[LogFilter], list[LogEntry]]) -> list[bytes] | list[LogEntry]:
        """Changes since the last poll; logs are computed from the block range not yet reported."""
        f = self.get(fid)
        f.last_poll = self._clock()
        if f.kind != "logs":
            items, f.items = f.items, []
            return items
        assert f.criteria is not None
        end = head if f.criteria.to_block is None else min(head, f.criteria.to_block)
        if f.next_block > end:
            return []
        crit = LogFilter(f.next_block, end, f.criteria.addresses, f.criteria.topics)
        f.next_block = end + 1
        return query(crit)

    def criteria(self, fid: str) -> LogFilter:
        f = self.get(fid)
        if f.criteria is None:
            raise InvalidParams("eth_getFilterLogs needs a log filter, not a block or pending filter")
        f.last_poll = self._clock()
        return f.criteria

    def expire(self) -> None:
        deadline = self._clock() - self._timeout
        for fid in [k for k, f in self._filters.items() if f.last_poll < deadline]:
            del self._filters[fid]

    def clear(self) -> None:
        """Uninstall every filter (anvil_reset: what they watched is gone)."""
        self._filters.clear()

    def __len__(self) -> int:
        return len(self._filters)
