"""evm_* dev methods (Ganache and Hardhat names); served only by a devnet chain."""
from __future__ import annotations

from typing import Any

from chain.api.dev import MAX_MINE_BLOCKS, DevControls
from chain.rpc import codec


class EvmNamespace:
    prefixes = ("evm",)

    def __init__(self, dev: DevControls) -> None:
        self._dev = dev

    def snapshot(self) -> str:
        return hex(self._dev.snapshot())

    def revert(self, snapshot_id: Any) -> bool:
        return self._dev.revert(codec.quantity(snapshot_id, "snapshotId", lenient=True))

    async def mine(self, options: Any = None) -> str:
        """evm_mine([timestamp]) or evm_mine({blocks, timestamp}) as Ganache and Anvil accept."""
        blocks, timestamp = 1, None
        if isinstance(options, dict):
            blocks = codec.quantity(options.get("blocks", 1), "blocks", max_value=MAX_MINE_BLOCKS, lenient=True)
            if options.get("timestamp") is not None:
                timestamp = codec.quantity(options["timestamp"], "timestamp", lenient=True)
        elif options is not None:
            timestamp = codec.quantity(options, "timestamp", lenient=True)
        await self._dev.mine(blocks, timestamp)
        return "0x0"

    def increaseTime(self, seconds: Any) -> str:
        """Move the clock forward; returns the total offset in seconds, as Hardhat does."""
        return hex(self._dev.increase_time(codec.quantity(seconds, "seconds", max_value=2**63, lenient=True)))

    def setNextBlockTimestamp(self, timestamp: Any) -> None:
        self._dev.set_next_block_timestamp(codec.quantity(timestamp, "timestamp", max_value=2**63, lenient=True))

    def setAutomine(self, enabled: Any) -> bool:
        self._dev.mining.set_automine(codec.boolean(enabled, "enabled"))
        return True

    def setIntervalMining(self, interval_ms: Any) -> bool:
        ms = codec.quantity(interval_ms, "interval", lenient=True)
        self._dev.mining.set_interval(ms / 1000)
        return True

    def setBlockGasLimit(self, gas_limit: Any) -> bool:
        """The gas limit of the next block and every later one, as Anvil and Hardhat set it
        (any step from the parent's; another node would refuse that block, docs/rpc.md)."""
        self._dev.set_block_gas_limit(codec.quantity(gas_limit, "gasLimit", 2**63 - 1, lenient=True))
        return True

    def setTime(self, timestamp: Any) -> int:
        """Anvil's evm_setTime: the clock reads `timestamp` (seconds) now; returns how many
        seconds that moved it forward. The next block is still after the head."""
        return self._dev.set_time(codec.quantity(timestamp, "timestamp", max_value=2**63, lenient=True))
