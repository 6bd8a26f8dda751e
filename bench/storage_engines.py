"""Durable-commit latency of the embedded key-value engines Wabei could use (docs/storage.md).

    python bench/storage_engines.py [--commits 300] [--dir DIR]

Each engine commits batches shaped like Wabei's blocks (one atomic batch per block, every commit
forced to disk: fsync/fdatasync), then serves random point reads. Two batch sizes: a one-transaction
block (`--small` keys, automine) and a full block (`--large` keys). Keys are 32 random bytes (trie
node hashes), values 40-600 random bytes. An engine whose Python package is missing is reported as
such. The directory defaults to one under the repository, i.e. on the disk a data dir would use.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable, Protocol

ROOT = Path(__file__).resolve().parents[1]


class Engine(Protocol):
    def commit(self, batch: list[tuple[bytes, bytes]]) -> None: ...
    def get(self, key: bytes) -> bytes | None: ...
    def close(self) -> None: ...


class Sqlite:
    """Wabei's choice: one table, WAL, one BEGIN IMMEDIATE ... COMMIT per batch."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.conn = sqlite3.connect(str(path / "kv.sqlite"), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")
        self.conn.execute("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID")

    def commit(self, batch: list[tuple[bytes, bytes]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", batch)
        self.conn.execute("COMMIT")

    def get(self, key: bytes) -> bytes | None:
        row = self.conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        self.conn.close()


class LevelDB:
    """plyvel: a WriteBatch written with sync=True (LevelDB fsyncs its log before returning)."""

    def __init__(self, path: Path) -> None:
        import plyvel

        self.db = plyvel.DB(str(path / "leveldb"), create_if_missing=True)

    def commit(self, batch: list[tuple[bytes, bytes]]) -> None:
        with self.db.write_batch(sync=True) as wb:
            for k, v in batch:
                wb.put(k, v)

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self.db.get(key)
        return value

    def close(self) -> None:
        self.db.close()


class Lmdb:
    """py-lmdb: one write transaction per batch; sync=True (the default) flushes on commit."""

    def __init__(self, path: Path) -> None:
        import lmdb

        self.env = lmdb.open(str(path / "lmdb"), map_size=8 << 30, sync=True, metasync=True)

    def commit(self, batch: list[tuple[bytes, bytes]]) -> None:
        with self.env.begin(write=True) as txn:
            for k, v in batch:
                txn.put(k, v)

    def get(self, key: bytes) -> bytes | None:
        with self.env.begin() as txn:
            value = txn.get(key)
            return None if value is None else bytes(value)

    def close(self) -> None:
        self.env.close()


class RocksDB:
    """rocksdict: a WriteBatch written with WriteOptions.sync = True."""

    def __init__(self, path: Path) -> None:
        from rocksdict import Rdict, WriteOptions

        self.db = Rdict(str(path / "rocksdb"))
        self.opts = WriteOptions()
        self.opts.sync = True

    def commit(self, batch: list[tuple[bytes, bytes]]) -> None:
        from rocksdict import WriteBatch

        wb = WriteBatch()
        for k, v in batch:
            wb.put(k, v)
        self.db.write(wb, self.opts)

    def get(self, key: bytes) -> bytes | None:
        value = self.db.get(key)
        return None if value is None else bytes(value)

    def close(self) -> None:
        self.db.close()


ENGINES: dict[str, Callable[[Path], Engine]] = {
    "SQLite WAL, synchronous=FULL (Wabei)": lambda p: Sqlite(p, "FULL"),
    "SQLite WAL, synchronous=NORMAL (not durable on power loss)": lambda p: Sqlite(p, "NORMAL"),
    "LevelDB (plyvel), sync writes": LevelDB,
    "LMDB (lmdb), sync commits": Lmdb,
    "RocksDB (rocksdict), sync writes": RocksDB,
}


def _batch(rng: random.Random, size: int) -> list[tuple[bytes, bytes]]:
    return [(rng.randbytes(32), rng.randbytes(rng.randint(40, 600))) for _ in range(size)]


def measure(factory: Callable[[Path], Engine], directory: Path, commits: int, small: int,
            large: int) -> dict[str, float]:
    rng = random.Random(1)
    path = Path(tempfile.mkdtemp(dir=directory))
    try:
        engine = factory(path)
        try:
            keys: list[bytes] = []
            out: dict[str, float] = {}
            for label, size, count in (("small", small, commits), ("large", large, max(commits // 10, 10))):
                lat = []
                for _ in range(count):
                    batch = _batch(rng, size)
                    t = time.perf_counter()
                    engine.commit(batch)
                    lat.append((time.perf_counter() - t) * 1000)
                    keys.extend(k for k, _ in batch[:5])
                lat.sort()
                out[f"{label}_p50"] = statistics.median(lat)
                out[f"{label}_p99"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            sample = [rng.choice(keys) for _ in range(20_000)]
            t = time.perf_counter()
            for k in sample:
                if engine.get(k) is None:
                    raise RuntimeError("a committed key is missing")
            out["read_us"] = (time.perf_counter() - t) / len(sample) * 1e6
        finally:
            engine.close()
        out["disk_mib"] = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20
        return out
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commits", type=int, default=300, help="small commits (large: a tenth)")
    ap.add_argument("--small", type=int, default=30, help="keys in a one-transaction block")
    ap.add_argument("--large", type=int, default=3_000, help="keys in a full block")
    ap.add_argument("--dir", type=Path, default=ROOT)
    args = ap.parse_args()
    print(f"| Engine | commit {args.small} keys p50 / p99 (ms) | commit {args.large} keys p50 / p99 (ms)"
          " | point read (µs) | on disk (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for name, factory in ENGINES.items():
        try:
            r = measure(factory, args.dir, args.commits, args.small, args.large)
        except ImportError as exc:
            print(f"| {name} | not installed ({exc.name}) | | | |")
            continue
        print(f"| {name} | {r['small_p50']:.2f} / {r['small_p99']:.2f} | {r['large_p50']:.1f} / "
              f"{r['large_p99']:.1f} | {r['read_us']:.1f} | {r['disk_mib']:.1f} |", flush=True)
    print(f"\n{os.cpu_count()} CPUs; directory {args.dir} ({_fs_type(args.dir)}); load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


def _fs_type(path: Path) -> str:
    best, fstype = "", "?"
    with open("/proc/mounts") as f:
        for line in f:
            _dev, mount, kind = line.split()[:3]
            if str(path.resolve()).startswith(mount) and len(mount) > len(best):
                best, fstype = mount, kind
    return fstype


if __name__ == "__main__":
    raise SystemExit(main())
