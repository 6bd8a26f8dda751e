"""Publish/subscribe topics for what happens on a chain: blocks, pending transactions, rewinds.

Many listeners may follow a topic (subscriptions, filters, the console, an explorer, an
exporter). Listeners run *after* the step that published, on the event loop (`call_soon`), so a
slow or broken listener never sits on the mining path; a listener subscribed with `inline=True`
runs at once instead, for the node's own bookkeeping that a request in the same batch must see
(filters). Without a running event loop (a script driving a chain directly) every listener runs
at once.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Generic, TypeVar

from eth.abc import BlockHeaderAPI

from chain.pool import PooledTx

if TYPE_CHECKING:
    from chain.api.blocks import MinedBlock
    from chain.api.flow import BlockFlow
    from chain.backend.empty_run import EmptyHeader

T = TypeVar("T")
log = logging.getLogger("wabei.events")


class Topic(Generic[T]):
    """Listeners run in the order they subscribed; one failing listener does not stop others."""

    def __init__(self) -> None:
        self._listeners: list[tuple[Callable[[T], None], bool]] = []

    def subscribe(self, listener: Callable[[T], None], *, inline: bool = False) -> Callable[[], None]:
        """Follow the topic; returns the function that stops following it."""
        entry = (listener, inline)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry) if entry in self._listeners else None

    def publish(self, value: T) -> None:
        if not self._listeners:
            return
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for listener, inline in list(self._listeners):
            if inline or loop is None:
                _deliver(listener, value)
            else:
                loop.call_soon(_deliver, listener, value)


def _deliver(listener: Callable[[T], None], value: T) -> None:
    try:
        listener(value)
    except Exception:  # a broken subscriber (closed socket) must not break the chain
        log.exception("event listener failed")


@dataclass(frozen=True)
class Rewound:
    """The head moved back (evm_revert) or the chain was replaced (a state load).

    Blocks above `number` left the chain; a listener that keeps copies (an exporter) drops them
    and continues from the new head. `number` is -1 when nothing is known to be unchanged.
    """

    number: int          # the highest block number still the same; the new head for a revert
    head_hash: bytes     # the new head's hash
    old_number: int      # the head's number before


@dataclass(frozen=True)
class EmptyBlocks:
    """Empty blocks mined in bulk without the VM (chain/backend/empty_run.py), already stored.

    They have no transactions, receipts or logs; `header(i)` decodes one for a listener that
    needs more than the hashes.
    """

    headers: "tuple[EmptyHeader, ...]"
    decode: Callable[[bytes], BlockHeaderAPI]

    def header(self, i: int) -> BlockHeaderAPI:
        return self.decode(self.headers[i].encoded)


@dataclass(frozen=True)
class CallConsoleLogs:
    """console.log payloads sent during an eth_call or eth_estimateGas (`label`: the method)."""

    label: str
    payloads: tuple[bytes, ...]


@dataclass
class ChainEvents:
    """Every topic of one chain. Each block appears once, on `new_blocks` (a block the VM ran,
    with its receipts) or on `empty_blocks` (a run of empty blocks, in order)."""

    new_blocks: "Topic[MinedBlock]" = field(default_factory=Topic)
    empty_blocks: Topic[EmptyBlocks] = field(default_factory=Topic)
    new_pending: Topic[PooledTx] = field(default_factory=Topic)
    rejected: Topic[tuple[bytes, str]] = field(default_factory=Topic)  # (tx hash, reason)
    rewound: Topic[Rewound] = field(default_factory=Topic)
    call_console: Topic[CallConsoleLogs] = field(default_factory=Topic)  # the terminal prints it
    # Each committed block's flow (chain/api/flow.py), after `new_blocks`: metrics, --flow-log.
    block_flows: "Topic[BlockFlow]" = field(default_factory=Topic)
