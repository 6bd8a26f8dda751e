"""A write buffer over the node's database, so one block's writes commit as one atomic batch."""
from __future__ import annotations

import contextlib
from typing import Iterator

from eth.abc import AtomicDatabaseAPI, AtomicWriteBatchAPI
from eth.db.backends.base import BaseAtomicDB
from eth.db.batch import BatchDB


class WriteBuffer(BaseAtomicDB):
    """Reads fall through to `base`; writes stay here until `commit()` writes them in one batch.

    py-evm code that asks for `atomic_batch()` (trie persistence) writes into this buffer, so the
    whole block is still one unit when it reaches the disk.
    """

    def __init__(self, base: AtomicDatabaseAPI) -> None:
        self._base = base
        self._pending = BatchDB(base)

    def __getitem__(self, key: bytes) -> bytes:
        return self._pending[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self._pending[key]

    def _exists(self, key: bytes) -> bool:
        return key in self._pending

    @contextlib.contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        yield self  # type: ignore[misc]  # nested batches fold into this one

    def commit(self) -> int:
        """Write everything buffered to the base database in one atomic batch; returns the bytes
        of keys and values written (deletions count nothing), for the storage metrics."""
        diff = self._pending.diff()
        with self._base.atomic_batch() as batch:
            diff.apply_to(batch, apply_deletes=True)
        self._pending.clear()
        # One pass over the block's ~50-100 keys: a few microseconds against milliseconds of work.
        return sum(len(k) + len(v) for k, v in diff.pending_items())
