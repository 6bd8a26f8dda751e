"""The in-memory database for `--in-memory` chains and tests; same interface as SqliteDB."""
from __future__ import annotations

import contextlib
from typing import Iterable, Iterator

from eth.abc import AtomicWriteBatchAPI
from eth.db.backends.base import BaseAtomicDB

from chain.storage.sqlite_db import _Batch


class MemoryStore(BaseAtomicDB):
    def __init__(self) -> None:
        self._data: dict[bytes, bytes] = {}

    def __getitem__(self, key: bytes) -> bytes:
        return self._data[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._data[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self._data[key]

    def _exists(self, key: bytes) -> bool:
        return key in self._data

    def write(self, changes: dict[bytes, bytes | None]) -> None:
        for k, v in changes.items():
            if v is None:
                self._data.pop(k, None)
            else:
                self._data[k] = v

    def replace_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Replace every key with `items` (anvil_reset)."""
        self._data = dict(items)

    @contextlib.contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        batch = _Batch(self)  # type: ignore[arg-type]  # _Batch needs only reads and write()
        yield batch  # type: ignore[misc]
        self.write(batch.changes)

    def all_items(self) -> Iterator[tuple[bytes, bytes]]:
        return iter(list(self._data.items()))

    def close(self) -> None:
        pass
