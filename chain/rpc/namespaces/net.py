"""net_* methods."""
from __future__ import annotations

from typing import Callable


class NetNamespace:
    prefixes = ("net",)

    def __init__(self, chain_id: Callable[[], int]) -> None:
        self._chain_id = chain_id  # read per call: a devnet's anvil_setChainId changes it

    def version(self) -> str:
        return str(self._chain_id())

    def listening(self) -> bool:
        return True

    def peerCount(self) -> str:
        return "0x0"
