"""The embedded database: SQLite in WAL mode behind py-evm's AtomicDatabaseAPI.

Why SQLite (measured in docs/storage.md): it ships with Python (no native build on a fresh
machine), one transaction makes a block atomic, WAL with synchronous=FULL makes a committed block
survive SIGKILL and power loss at about 0.7 ms per commit on this machine, and readers never
block the single writer (the block producer).

One thread writes (the event loop's: mining, commits, dev edits); it reads through the shared
connection and the read cache. Call workers (chain/workers.py) read from other threads: each
gets a read connection of its own, which in WAL mode sees only committed transactions (never a
block half written on the shared connection), and the cache only through single, atomic `get`s.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import IO, Iterable, Iterator

from eth.abc import AtomicWriteBatchAPI
from eth.db.backends.base import BaseAtomicDB, BaseDB

from chain.exceptions import StorageError

_DELETED = object()
# What one cached entry costs beyond its key's and value's bytes: two bytes objects' headers and
# an OrderedDict slot and link, about 150 bytes in CPython 3.11 (sys.getsizeof and the dict's).
ENTRY_OVERHEAD = 150


READER_PAGE_CACHE_KIB = 256


class SqliteDB(BaseAtomicDB):
    """A key-value store in one SQLite file, with a write-through read cache bounded in bytes.

    Bounded in bytes, not entries: entries run from a 32-byte trie node to a block body of
    megabytes, so a count bounds nothing (200,000 entries grew a soak's RSS by ~100 MB as the
    chain grew). 8 MiB holds the working set of ordinary traffic (the account paths a transfer
    touches; docs/benchmarks.md found a bigger cache changed nothing) and fills within a
    minute, after which RSS stays flat. SQLite keeps its own page cache below this one.
    """

    def __init__(self, path: Path, cache_bytes: int = 8 * 1024 * 1024) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
            )
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open the chain database at {path}: {exc}") from exc
        self.lock_file: IO[str] | None = None
        self._cache: OrderedDict[bytes, bytes | None] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0  # what the cache holds, by the measure of _cost
        self._writer = threading.get_ident()  # the thread that writes; others read on their own
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    # -- reads -------------------------------------------------------------------------------
    def _lookup(self, key: bytes) -> bytes | None:
        if threading.get_ident() != self._writer:
            return self._lookup_elsewhere(key)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        value = None if row is None else bytes(row[0])
        self._remember(key, value)
        return value

    def _lookup_elsewhere(self, key: bytes) -> bytes | None:
        """A read from a thread that does not write: the cache is only read (one `get`, atomic
        under the GIL, while the writer may be reordering it), misses go to this thread's own
        connection."""
        cached = self._cache.get(key, _DELETED)
        if cached is not _DELETED:
            return cached  # type: ignore[return-value]
        try:
            row = self._reader().execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"reading {self.path} failed: {exc}") from exc
        return None if row is None else bytes(row[0])

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # check_same_thread=False only so that close() can close it from the writer's thread.
            conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)
            # SQLite's own page cache, per connection (2 MiB by default), sits below the shared
            # read cache above: small for the call workers' connections, one per thread.
            conn.execute(f"PRAGMA cache_size=-{READER_PAGE_CACHE_KIB}")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _remember(self, key: bytes, value: bytes | None) -> None:
        if key in self._cache:
            self._cached -= _cost(key, self._cache[key])
        self._cache[key] = value
        self._cache.move_to_end(key)
        self._cached += _cost(key, value)
        while self._cached > self._cache_bytes and self._cache:
            old_key, old_value = self._cache.popitem(last=False)
            self._cached -= _cost(old_key, old_value)

    def __getitem__(self, key: bytes) -> bytes:
        value = self._lookup(key)
        if value is None:
            raise KeyError(key)
        return value

    def _exists(self, key: bytes) -> bool:
        return self._lookup(key) is not None

    # -- writes ------------------------------------------------------------------------------
    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.write({key: value})

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self.write({key: None})

    def write(self, changes: dict[bytes, bytes | None]) -> None:
        """Apply all `changes` (None = delete) in one durable transaction, or none of them."""
        # Whoever writes owns the shared connection and cache: the loop thread in a node, the
        # test's thread in a test that builds a chain without one.
        self._writer = threading.get_ident()
        upserts = [(k, v) for k, v in changes.items() if v is not None]
        deletes = [(k,) for k, v in changes.items() if v is None]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if upserts:
                    self._conn.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", upserts)
                if deletes:
                    self._conn.executemany("DELETE FROM kv WHERE k = ?", deletes)
                self._conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full, I/O error) may already have rolled back; a second
                # ROLLBACK would raise and hide the error that says what went wrong.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            # Nothing of this batch is visible: the cache is only updated after a commit.
            raise StorageError(f"writing to {self.path} failed, nothing was saved: {exc}") from exc
        for k, v in changes.items():
            self._remember(k, v)

    def replace_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Replace every key with `items` in one durable transaction (anvil_reset): a crash,
        SIGKILL included, leaves the old contents or the new, never a mix."""
        rows = list(items)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute("DELETE FROM kv")
                self._conn.executemany("INSERT INTO kv (k, v) VALUES (?, ?)", rows)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StorageError(f"replacing the chain in {self.path} failed, the old one is kept: {exc}") from exc
        self._cache.clear()
        self._cached = 0

    @contextlib.contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        batch = _Batch(self)
        yield batch  # type: ignore[misc]  # _Batch implements the read/write half of the API
        self.write(batch.changes)

    def all_items(self) -> Iterator[tuple[bytes, bytes]]:
        """Every key and value, for a full dump (anvil_dumpState). From a call worker, through
        its own connection: one SELECT reads one consistent snapshot while blocks are committed."""
        conn = self._conn if threading.get_ident() == self._writer else self._reader()
        for k, v in conn.execute("SELECT k, v FROM kv"):
            yield bytes(k), bytes(v)

    def close(self) -> None:
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        self._conn.close()
        if self.lock_file is not None:
            self.lock_file.close()


class _Batch(BaseDB):
    """Collects one atomic batch; reads see its own pending writes first."""

    def __init__(self, db: SqliteDB) -> None:
        self._db = db
        self.changes: dict[bytes, bytes | None] = {}

    def __getitem__(self, key: bytes) -> bytes:
        if key in self.changes:
            value = self.changes[key]
            if value is None:
                raise KeyError(key)
            return value
        return self._db[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.changes[key] = value

    def __delitem__(self, key: bytes) -> None:
        self.changes[key] = None

    def _exists(self, key: bytes) -> bool:
        if key in self.changes:
            return self.changes[key] is not None
        return key in self._db


def _cost(key: bytes, value: bytes | None) -> int:
    """An entry's share of the cache budget."""
    return len(key) + (0 if value is None else len(value)) + ENTRY_OVERHEAD
