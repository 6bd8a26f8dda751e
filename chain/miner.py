"""Block production policy: automine, interval, manual. The mechanics live in NodeAPI.mine_block."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

from chain.config import MiningMode

log = logging.getLogger("wabei.miner")


class Miner:
    """Decides *when* to mine; `mine_ready()` decides *what* (all ready pool transactions)."""

    def __init__(
        self,
        mode: MiningMode,
        block_time: float,
        allow_empty_blocks: bool,
        mine_ready: Callable[[], int],
        has_ready: Callable[[], bool],
    ) -> None:
        self.mode = mode
        self.block_time = block_time
        self.allow_empty_blocks = allow_empty_blocks
        self._mine_ready = mine_ready
        self._has_ready = has_ready
        self._task: asyncio.Task[None] | None = None

    @property
    def automine(self) -> bool:
        return self.mode is MiningMode.AUTO

    def on_new_transaction(self) -> None:
        """Automine: the transaction (and any queued ones it unblocked) is mined before we reply."""
        if self.automine:
            self._mine_ready()

    def set_automine(self, enabled: bool) -> None:
        if enabled:
            self.mode = MiningMode.AUTO
            self._stop_interval()
            if self._has_ready():
                self._mine_ready()
        elif self.mode is MiningMode.AUTO:
            self.mode = MiningMode.MANUAL

    def set_interval(self, seconds: float) -> None:
        """evm_setIntervalMining: 0 turns interval mining off (manual, unless automine is on)."""
        self._stop_interval()
        self.block_time = seconds
        if seconds > 0:
            self.mode = MiningMode.INTERVAL
            self.start()
        elif self.mode is MiningMode.INTERVAL:
            self.mode = MiningMode.MANUAL

    def start(self) -> None:
        if self.mode is MiningMode.INTERVAL and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._interval_loop())

    def _stop_interval(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _interval_loop(self) -> None:
        while True:
            await asyncio.sleep(self.block_time)
            # The "heartbeat" rule: no empty blocks while there is nothing to include.
            if self.allow_empty_blocks or self._has_ready():
                try:
                    self._mine_ready()
                except Exception:
                    log.exception("interval mining failed")
