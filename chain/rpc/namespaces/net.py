"""net_* methods."""
from __future__ import annotations



class NetNamespace:
    prefixes = ("net",)

    def __init__(self, chain_id: int) -> None:
        self._chain_id = chain_id

    def version(self) -> str:
        return str(self._chain_id)

    def listening(self) -> bool:
        return True

    def peerCount(self) -> str:
        return "0x0"
