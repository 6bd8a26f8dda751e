"""A progress bar with blocks/s and ETA on a terminal, nothing otherwise.

tqdm rather than rich: one small pure-Python package with no dependencies, whose bar already
shows rate and ETA and which turns itself off when the stream is not a TTY (`disable=None`), so
logs and CI output stay quiet.
"""
from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class ProgressBar:
    """Blocks exported out of the range [start, target]; `enabled=None` follows isatty."""

    def __init__(self, start: int, target: int, enabled: bool | None) -> None:
        disable = None if enabled is None else not enabled
        if enabled is None and not sys.stderr.isatty():
            disable = True
        self._bar = tqdm(total=max(0, target - start + 1), unit="block", disable=disable,
                         dynamic_ncols=True, file=sys.stderr)

    def update(self, blocks: int) -> None:
        self._bar.update(blocks)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._bar.close()
