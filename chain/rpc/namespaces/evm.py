"""evm_* dev methods (Ganache and Hardhat names)."""
from __future__ import annotations

from typing import Any

from chain.api.node_api import NodeAPI
from chain.exceptions import InvalidParams
from chain.rpc import codec


class EvmNamespace:
    prefixes = ("evm",)

    def __init__(self, api: NodeAPI) -> None:
        self._api = api

    def snapshot(self) -> str:
        return hex(self._api.snapshot())

    def revert(self, snapshot_id: Any) -> bool:
        return self._api.revert(codec.quantity(snapshot_id, "snapshotId"))

    def mine(self, options: Any = None) -> str:
        """evm_mine([timestamp]) or evm_mine({blocks, timestamp}) as Ganache and Anvil accept."""
        blocks, timestamp = 1, None
        if isinstance(options, dict):
            blocks = codec.quantity(options.get("blocks", 1), "blocks")
            if options.get("timestamp") is not None:
                timestamp = codec.quantity(options["timestamp"], "timestamp")
        elif options is not None:
            timestamp = codec.quantity(options, "timestamp")
        for i in range(blocks):
            self._api.mine_block(timestamp if i == 0 else None)
        return "0x0"

    def increaseTime(self, seconds: Any) -> str:
        """Move the clock forward; returns the total offset in seconds, as Hardhat does."""
        return hex(self._api.backend.increase_time(codec.quantity(seconds, "seconds", max_value=2**63)))

    def setNextBlockTimestamp(self, timestamp: Any) -> None:
        ts = codec.quantity(timestamp, "timestamp", max_value=2**63)
        if ts <= self._api.head.timestamp:
            raise InvalidParams(
                f"timestamp {ts} is not after the latest block's {self._api.head.timestamp}"
            )
        self._api.backend.next_timestamp = ts

    def setAutomine(self, enabled: Any) -> bool:
        self._api.miner.set_automine(codec.boolean(enabled, "enabled"))
        return True

    def setIntervalMining(self, interval_ms: Any) -> bool:
        ms = codec.quantity(interval_ms, "interval")
        self._api.miner.set_interval(ms / 1000)
        return True

    def setBlockGasLimit(self, gas_limit: Any) -> bool:
        raise InvalidParams("evm_setBlockGasLimit is not supported; start the node with --gas-limit")
