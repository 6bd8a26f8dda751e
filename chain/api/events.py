"""A tiny synchronous publish/subscribe hub for new blocks and pending transactions."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Topic(Generic[T]):
    """Listeners run in the order they subscribed; one failing listener does not stop others."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    def subscribe(self, listener: Callable[[T], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, value: T) -> None:
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:  # a broken subscriber (closed socket) must not break mining
                import logging

                logging.getLogger("wabei.events").exception("event listener failed")
