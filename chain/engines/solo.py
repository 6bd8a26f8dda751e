"""The solo engine of a devnet: one node, no agreement needed; automine, interval or manual.

It decides *when* to make a block; the chain's BlockPipeline decides *what* goes in it (every
ready pool transaction) and commits it. Mining inside `submit` happens before the transaction's
hash is returned, as Anvil and Hardhat do in automine.
"""
from __future__ import annotations

import asyncio
import logging

from chain.api.blocks import BlockPipeline
from chain.api.events import ChainEvents
from chain.config import MiningMode
from chain.pool import PooledTx, TxPool
from chain.types import NetworkNodes, NetworkStatus

log = logging.getLogger("wabei.miner")


class SoloEngine:
    def __init__(self, blocks: BlockPipeline, pool: TxPool, events: ChainEvents, mode: MiningMode,
                 block_time: float, allow_empty_blocks: bool) -> None:
        self._blocks = blocks
        self._pool = pool
        self._events = events
        self.mode = mode
        self.block_time = block_time
        self.allow_empty_blocks = allow_empty_blocks
        self._task: asyncio.Task[None] | None = None

    @property
    def automine(self) -> bool:
        return self.mode is MiningMode.AUTO

    @property
    def interval(self) -> float | None:
        return self.block_time if self.mode is MiningMode.INTERVAL else None

    async def network_status(self) -> NetworkStatus:
        """No peers, never syncing; `producing` (eth_mining) is automine, as Anvil says."""
        return NetworkStatus(peer_count=0, producing=self.automine)

    async def network_nodes(self) -> NetworkNodes | None:
        """A devnet has no network: no node table."""
        return None

    async def submit(self, tx: PooledTx) -> None:
        """Pool the transaction; in automine, mine it (and what it unblocked) before returning."""
        self._pool.add(tx)
        self._events.new_pending.publish(tx)
        if self.automine:
            self._blocks.mine_each_ready()

    def mine_ready(self) -> int:
        """Automine: a block per ready transaction; otherwise one block with all of them."""
        if self.automine:
            return self._blocks.mine_each_ready()
        self._blocks.mine_block()
        return 1

    # -- dev switches (DevMiningAPI) -----------------------------------------------------------
    def set_automine(self, enabled: bool) -> None:
        if enabled:
            self.mode = MiningMode.AUTO
            self._stop_interval()
            if self._blocks.has_ready():
                self._blocks.mine_each_ready()
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

    # -- lifecycle -----------------------------------------------------------------------------
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
            if self.allow_empty_blocks or self._blocks.has_ready():
                try:
                    self._blocks.mine_block()
                except Exception:
                    log.exception("interval mining failed")
