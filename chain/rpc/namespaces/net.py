"""net_* methods."""
from __future__ import annotations

from typing import Awaitable, Callable

from chain.types import NetworkStatus


class NetNamespace:
    prefixes = ("net",)

    def __init__(self, chain_id: Callable[[], int], status: Callable[[], Awaitable[NetworkStatus]]) -> None:
        self._chain_id = chain_id  # read per call: a devnet's anvil_setChainId changes it
        self._status = status      # the chain's engine: a network node's CometBFT peers

    def version(self) -> str:
        return str(self._chain_id())

    def listening(self) -> bool:
        return True

    async def peerCount(self) -> str:
        return hex((await self._status()).peer_count)
