"""Dev methods only Anvil has (`anvil_` alone) or only Hardhat has (`hardhat_` alone).

Several are Anvil's own names for Ganache's `evm_*` methods (chain/rpc/namespaces/evm.py); both
names are served, as Anvil serves both. Devnet only.
"""
from __future__ import annotations

from typing import Any

from chain.api.dev import DevControls
from chain.api.transactions import Transactions
from chain.exceptions import InvalidParams
from chain.rpc import codec
from chain.rpc.namespaces.evm import EvmNamespace

_TIMESTAMP_MAX = 2**63


class AnvilOnlyNamespace:
    prefixes = ("anvil",)

    def __init__(self, dev: DevControls) -> None:
        self._dev = dev
        self._evm = EvmNamespace(dev)

    def snapshot(self) -> str:
        return self._evm.snapshot()

    def revert(self, snapshot_id: Any) -> bool:
        return self._evm.revert(snapshot_id)

    def increaseTime(self, seconds: Any) -> str:
        return self._evm.increaseTime(seconds)

    def setNextBlockTimestamp(self, timestamp: Any) -> None:
        self._evm.setNextBlockTimestamp(timestamp)

    def setTime(self, timestamp: Any) -> int:
        return self._evm.setTime(timestamp)

    def setBlockGasLimit(self, gas_limit: Any) -> bool:
        return self._evm.setBlockGasLimit(gas_limit)

    def setBlockTimestampInterval(self, seconds: Any) -> None:
        """Each next block `seconds` after its parent, until removed."""
        self._dev.set_block_timestamp_interval(codec.quantity(seconds, "interval", _TIMESTAMP_MAX, lenient=True))

    def removeBlockTimestampInterval(self) -> bool:
        """`true` if an interval was set."""
        return self._dev.remove_block_timestamp_interval()

    def getIntervalMining(self) -> int | None:
        """Seconds between interval-mined blocks, or null when not interval mining."""
        interval = self._dev.mining.interval
        return None if interval is None else int(interval)

    def setChainId(self, chain_id: Any) -> None:
        self._dev.set_chain_id(codec.quantity(chain_id, "chainId", 2**64 - 1, lenient=True))

    def setRpcUrl(self, url: Any) -> None:
        raise InvalidParams("forking is not supported (no network access): Wabei has no fork "
                            "backend to point at a URL")


class HardhatOnlyNamespace:
    prefixes = ("hardhat",)

    def __init__(self, dev: DevControls) -> None:
        self._dev = dev

    def setPrevRandao(self, value: Any) -> None:
        """The next block's PREVRANDAO (mixHash); later blocks derive theirs again."""
        self._dev.set_prev_randao(codec.fixed(value, "prevRandao", 32))

    # Not Hardhat methods: viem's test client sends these in 'hardhat' mode, with the interval
    # in milliseconds (it multiplies by 1000). Served so that client works; seconds underneath.
    def setBlockTimestampInterval(self, interval_ms: Any) -> None:
        ms = codec.quantity(interval_ms, "interval", _TIMESTAMP_MAX, lenient=True)
        if ms % 1000:
            raise InvalidParams(f"interval {ms} ms is not a whole number of seconds; block "
                                "timestamps are in seconds")
        self._dev.set_block_timestamp_interval(ms // 1000)

    def removeBlockTimestampInterval(self) -> bool:
        return self._dev.remove_block_timestamp_interval()


class EthDevNamespace:
    """The `eth_` methods only a devnet serves (Anvil's)."""

    prefixes = ("eth",)

    def __init__(self, transactions: Transactions) -> None:
        self._txs = transactions

    async def sendUnsignedTransaction(self, tx: Any) -> str:
        """eth_sendTransaction from any address, without a key or impersonation: the
        transaction carries a placeholder signature, as an impersonated one does."""
        return "0x" + (await self._txs.send_transaction(codec.call_request(tx), unsigned=True)).hex()
