"""The producer's clock: the timestamp of the next block.

A network node takes wall-clock time (strictly after the head). A devnet adds what its dev methods
ask for (evm_increaseTime, evm_setNextBlockTimestamp); only DevControls changes `offset` and
`next_timestamp`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from chain.exceptions import InvalidParams


@dataclass
class BlockClock:
    offset: int = 0                      # seconds added to the wall clock (evm_increaseTime)
    next_timestamp: int | None = None    # evm_setNextBlockTimestamp: the next block's exact time
    interval: int | None = None          # anvil_setBlockTimestampInterval: seconds between blocks

    def now(self) -> int:
        return int(time.time()) + self.offset

    def timestamp_for_next_block(self, head_timestamp: int, requested: int | None = None) -> int:
        """Strictly after the head; honours a requested or forced timestamp and time travel.

        Raises InvalidParams when a requested timestamp is not after the head's.
        """
        if requested is None:
            requested = self.next_timestamp
        if requested is not None:
            if requested <= head_timestamp:
                raise InvalidParams(
                    f"timestamp {requested} is not after the latest block's {head_timestamp}"
                )
            return requested
        if self.interval is not None:
            return head_timestamp + max(self.interval, 1)  # strictly after the head, always
        return max(self.now(), head_timestamp + 1)

    def adopt(self, timestamp: int, forced: bool) -> None:
        """A block was made at `timestamp`; a forced time continues from there, as in Hardhat
        and Anvil, and a pending evm_setNextBlockTimestamp is used up."""
        if forced:
            self.offset = timestamp - int(time.time())
        self.next_timestamp = None

    def increase(self, seconds: int, head_timestamp: int) -> int:
        """evm_increaseTime: the next block is at least `seconds` after the head; returns the offset.

        When blocks were mined faster than one a second the head runs ahead of the clock; that
        lead is folded in first, so time travel never moves less than asked.
        """
        lead = head_timestamp - int(time.time())
        self.offset = max(self.offset, lead) + seconds
        return self.offset

    def set_time(self, timestamp: int) -> int:
        """evm_setTime / anvil_setTime: the clock reads `timestamp` now (earlier or later).

        Returns how many seconds that moved the clock forward (0 when it moved back), as Anvil
        does. A block is still never older than its parent: the next one is at least a second
        after the head whatever the clock says.
        """
        moved = timestamp - self.now()
        self.offset = timestamp - int(time.time())
        self.next_timestamp = None
        return max(moved, 0)

    def reset(self) -> None:
        """anvil_reset: back to the wall clock, with nothing pending."""
        self.offset, self.next_timestamp, self.interval = 0, None, None
