"""Fixtures and helpers of the warehouse tests: a database of each engine, the real CLI in a
subprocess, and reading the database back with SQLAlchemy."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from web3 import Web3

from conftest import ROOT
from pg_cluster import PgCluster
from warehouse.store import open_engine

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    """One PostgreSQL server for the session; each test gets a database of its own."""
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=ENGINES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty warehouse database URL, once per engine."""
    if request.param == "sqlite":
        return str(tmp_path / "warehouse.sqlite")
    cluster: PgCluster = request.getfixturevalue("pg")
    return cluster.create_database()


def wabei(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run `wabei ARGS` (python -m cli) as a separate process."""
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def export(rpc_url: str, db: str, *extra: str) -> subprocess.CompletedProcess[str]:
    done = wabei("export", "--rpc-url", rpc_url, "--db", db, *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def verify(rpc_url: str, db: str) -> subprocess.CompletedProcess[str]:
    return wabei("export", "verify", "--rpc-url", rpc_url, "--db", db)


def rows(db: str, sql: str, **params: Any) -> list[Any]:
    """The rows of `sql` on the warehouse `db`."""
    engine = open_engine(db)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def scalar(db: str, sql: str, **params: Any) -> Any:
    return rows(db, sql, **params)[0][0]


def artefact(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "contracts" / "build" / f"{name}.json").read_text())


def deploy(w3: Web3, name: str, *args: Any) -> str:
    """Deploy a committed artefact from accounts[0]; returns its address."""
    art = artefact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": w3.eth.accounts[0]}))
    return str(receipt["contractAddress"])
