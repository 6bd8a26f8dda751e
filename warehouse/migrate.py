"""Run the Alembic migrations (warehouse/migrations) on an engine, from code: the exporter
upgrades its database to the newest schema every time it opens it, so no one runs `alembic`
by hand. The contract tables are not migrated (contract_tables.py says why)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the fixed tables to the newest revision (a no-op when they are there)."""
    cfg = config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
