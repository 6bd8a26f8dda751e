"""The database side: open by URL, migrate, write blocks with their progress mark in one
transaction, rewind orphaned blocks.

Why one transaction per batch: a batch's rows and the `progress` row that says "exported up to
block N" commit together or not at all, so an exporter killed at any instant (kill -9, power
cut on PostgreSQL) restarts from the mark with no gap and no duplicate row.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, insert, select
from sqlalchemy.engine import make_url

from warehouse import schema
from warehouse.contract_tables import ContractTables
from warehouse.migrate import upgrade
from warehouse.transform import Rows

PROGRESS_NAME = "export"


def database_url(text: str) -> str:
    """A `--db` value as a SQLAlchemy URL: a path is a SQLite file; `postgresql://` uses psycopg 3."""
    if "://" not in text:
        return f"sqlite:///{Path(text).resolve()}"
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def open_engine(text: str) -> Engine:
    """An engine for `--db`; SQLite in WAL mode (readers do not block the exporter; a commit
    survives the process being killed, only a power cut can lose the last one) with a busy
    timeout, so `verify` and a BI tool can read while an export runs."""
    engine = create_engine(database_url(text))
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    return engine


class Store:
    """One warehouse database: migrated on open, written a batch of blocks at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        upgrade(engine)
        self.tables = ContractTables()
        with engine.connect() as conn:
            self.tables.load(conn)

    def progress(self) -> tuple[int, str, str] | None:
        """(last exported block, its hash, the genesis hash), or None before the first block."""
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.progress).where(schema.progress.c.name == PROGRESS_NAME)).first()
        return None if row is None else (row.block_number, row.block_hash, row.genesis_hash)

    def stored_hashes(self, first: int, last: int) -> dict[int, str]:
        """Block number → hash for the stored blocks in [first, last]."""
        b = schema.blocks
        with self.engine.connect() as conn:
            rows = conn.execute(select(b.c.number, b.c.hash).where(b.c.number.between(first, last)))
            return {r.number: r.hash for r in rows}

    def write(self, conn: Connection, rows: Rows, last: int, last_hash: str, genesis_hash: str) -> None:
        """Insert `rows` and move the progress mark to `last`, inside the caller's transaction."""
        for table in _parents_first(rows.by_table):
            if rows.by_table[table]:
                conn.execute(insert(table), rows.by_table[table])
        _set_progress(conn, last, last_hash, genesis_hash)

    def rewind(self, keep: int, keep_hash: str, genesis_hash: str) -> int:
        """Delete every row of blocks after `keep` (orphaned by a revert or reorg) and move the
        mark back to `keep`, in one transaction; returns how many blocks were dropped."""
        with self.engine.begin() as conn:
            dropped = conn.execute(delete(schema.blocks).where(schema.blocks.c.number > keep)).rowcount
            for table in [*schema.BLOCK_TABLES[1:], *self.tables.tables()]:
                conn.execute(delete(table).where(table.c.block_number > keep))
            _set_progress(conn, keep, keep_hash, genesis_hash)
        return int(dropped or 0)

    def update_names(self, names: Iterable[tuple[str, str | None, list[str]]]) -> None:
        """Set contract_name and cns_names of stored contracts (CNS names can come after creation)."""
        c = schema.contracts
        with self.engine.begin() as conn:
            for address, name, cns in names:
                conn.execute(c.update().where(c.c.address == address).values(
                    contract_name=name, cns_names=cns or None))


def _parents_first(tables: Iterable[Table]) -> list[Table]:
    order = {t: i for i, t in enumerate(schema.BLOCK_TABLES)}
    return sorted(tables, key=lambda t: order.get(t, len(order)))


def _set_progress(conn: Connection, number: int, block_hash: str, genesis_hash: str) -> None:
    # Delete + insert rather than a dialect's upsert: the same two statements on every engine.
    p = schema.progress
    conn.execute(delete(p).where(p.c.name == PROGRESS_NAME))
    conn.execute(insert(p).values(name=PROGRESS_NAME, block_number=number, block_hash=block_hash,
                                  genesis_hash=genesis_hash))
