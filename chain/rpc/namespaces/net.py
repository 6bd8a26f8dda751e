"""net_* methods."""
from __future__ import annotations

from chain.api.node_api import NodeAPI


class NetNamespace:
    prefixes = ("net",)

    def __init__(self, api: NodeAPI) -> None:
        self._api = api

    def version(self) -> str:
        return str(self._api.chain_id)

    def listening(self) -> bool:
        return True

    def peerCount(self) -> str:
        return "0x0"
