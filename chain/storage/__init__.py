"""Chain storage: a key-value database (py-evm's AtomicDatabaseAPI) and the schema Wabei keeps in it."""
from __future__ import annotations

import fcntl
from pathlib import Path

from chain.exceptions import StorageError
from chain.storage.memory_db import MemoryStore
from chain.storage.sqlite_db import SqliteDB

DB_FILE = "chain.sqlite"
LOCK_FILE = "LOCK"


def open_database(data_dir: Path | None) -> SqliteDB | MemoryStore:
    """The node's database: SQLite under `data_dir`, or memory when it is None.

    A data directory is locked while a node uses it: two nodes writing one chain would corrupt it.
    """
    if data_dir is None:
        return MemoryStore()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = open(data_dir / LOCK_FILE, "a+")
    except OSError as exc:
        raise StorageError(f"cannot use data directory {data_dir}: {exc.strerror}") from exc
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise StorageError(f"data directory {data_dir} is in use by another wabei node") from None
    db = SqliteDB(data_dir / DB_FILE)
    db.lock_file = lock  # held open (and locked) for the database's lifetime
    return db
