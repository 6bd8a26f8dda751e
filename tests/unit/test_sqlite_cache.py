"""SqliteDB's read cache (chain/storage/sqlite_db.py) is bounded in bytes, whatever the sizes of
its entries, and evicting from it never loses or changes what the database returns."""
from __future__ import annotations

import threading
from pathlib import Path

from chain.storage.sqlite_db import ENTRY_OVERHEAD, READER_PAGE_CACHE_KIB, SqliteDB


def test_the_cache_stays_within_its_byte_budget_and_reads_stay_right(tmp_path: Path) -> None:
    db = SqliteDB(tmp_path / "kv.sqlite", cache_bytes=64 * 1024)
    big = {i.to_bytes(32, "big"): bytes([i % 256]) * 10_000 for i in range(20)}   # 200 kB of values
    small = {(1000 + i).to_bytes(32, "big"): b"x" * 40 for i in range(500)}
    db.write(big)
    db.write(small)
    assert db._cached <= 64 * 1024
    assert db._cached == sum(len(k) + len(v or b"") + ENTRY_OVERHEAD for k, v in db._cache.items())
    assert len(db._cache) < len(big) + len(small)  # something was evicted...
    for key, value in {**big, **small}.items():    # ...and every read is still right
        assert db[key] == value
    db.write({next(iter(big)): b"short"})          # replacing an entry re-counts its size
    assert db[next(iter(big))] == b"short"
    assert db._cached == sum(len(k) + len(v or b"") + ENTRY_OVERHEAD for k, v in db._cache.items())


def test_an_entry_larger_than_the_budget_is_not_kept(tmp_path: Path) -> None:
    db = SqliteDB(tmp_path / "kv.sqlite", cache_bytes=1024)
    db.write({b"k": b"v" * 4096})
    assert db._cached == 0 and not db._cache
    assert db[b"k"] == b"v" * 4096


def test_a_call_workers_connection_keeps_a_small_page_cache_and_reads_right(tmp_path: Path) -> None:
    """Each reading thread has a connection of its own; SQLite's page cache of each is bounded
    at READER_PAGE_CACHE_KIB, not SQLite's 2 MiB, so a node with many worker threads does not
    grow by 2 MiB per thread as its database grows."""
    db = SqliteDB(tmp_path / "kv.sqlite")
    db.write({b"k": b"v"})
    seen: dict[str, object] = {}

    def read() -> None:
        seen["value"] = db[b"k"]
        seen["cache_size"] = db._reader().execute("PRAGMA cache_size").fetchone()[0]

    t = threading.Thread(target=read)
    t.start()
    t.join()
    assert seen == {"value": b"v", "cache_size": -READER_PAGE_CACHE_KIB}
    assert db._conn.execute("PRAGMA cache_size").fetchone()[0] == -2000  # the writer's is SQLite's
