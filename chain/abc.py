"""Interfaces between the node's parts, in one place (py-evm's `eth/abc.py` habit).

Concrete parts depend on these, not on each other: the API layer drives "a miner", and the
composition root (chain/node.py) decides which one.
"""
from __future__ import annotations

from typing import Protocol


class MinerAPI(Protocol):
    """What the node API and the dev namespaces need from the block producer."""

    @property
    def automine(self) -> bool:
        """True when every accepted transaction is mined before its hash is returned."""
        ...

    def on_new_transaction(self) -> None:
        """A transaction entered the pool; in automine, mine it (and what it unblocked) now."""
        ...

    def set_automine(self, enabled: bool) -> None:
        """evm_setAutomine: switch automine on, or off (to manual mining)."""
        ...

    def set_interval(self, seconds: float) -> None:
        """evm_setIntervalMining: mine every `seconds`; 0 turns interval mining off."""
        ...
