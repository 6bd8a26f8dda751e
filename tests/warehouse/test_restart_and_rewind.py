"""Restart safety (kill -9 at any point, restart, no gap and no duplicate) and rollback safety
(an evm_revert under a following exporter), each on SQLite and a real PostgreSQL server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from sqlalchemy import text
from web3 import Web3

from cns.client import CnsClient
from conftest import ROOT, RunningNode
from pg_cluster import free_port
from warehouse.store import open_engine
from wh_fixtures import artefact, db, deploy, export, pg, rows, scalar, verify  # noqa: F401 (fixtures)


def _progress(db: str) -> int:
    """The exported tip, -1 before the first commit (or before the tables exist)."""
    try:
        found = rows(db, "SELECT block_number FROM progress")
    except Exception:
        return -1
    return int(found[0][0]) if found else -1


def _start_export(rpc_url: str, db: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "cli", "export", "--rpc-url", rpc_url, "--db", db, *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _wait(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _token_traffic(w3: Web3, transfers: int, empty_blocks_between: int) -> Any:
    token = w3.eth.contract(address=deploy(w3, "TestToken", "T", "T", 10**9), abi=artefact("TestToken")["abi"])
    CnsClient(w3).register("tok", "1.0", token.address, artefact("TestToken")["abi"])
    me, you = w3.eth.accounts[:2]
    for i in range(transfers):
        token.functions.transfer(you, i + 1).transact({"from": me})
        w3.provider.make_request("anvil_mine", [hex(empty_blocks_between)])  # type: ignore[arg-type]
    return token


def test_kill_9_at_any_point_then_restart_leaves_no_gap_and_no_duplicate(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    _token_traffic(w3, transfers=40, empty_blocks_between=6)
    head = w3.eth.block_number
    sent = scalar_chain_txs(w3, head)
    # Three kills at whatever instant the exporter has reached (one block per transaction, so
    # most kills land between a batch's first insert and its commit, or inside the commit).
    for _ in range(3):
        before = _progress(db)
        exporter = _start_export(fresh_node.http_url, db, "--batch", "1")
        _wait(lambda: _progress(db) >= before + 15 or exporter.poll() is not None, "the exporter to advance")
        exporter.send_signal(signal.SIGKILL)
        exporter.wait(timeout=10)
        assert exporter.returncode == -signal.SIGKILL, "the export finished before it could be killed"
    killed_at = _progress(db)
    assert 0 < killed_at < head
    export(fresh_node.http_url, db, "--batch", "7")
    assert scalar(db, "SELECT count(*) FROM blocks") == head + 1
    assert scalar(db, "SELECT min(number) FROM blocks") == 0 and scalar(db, "SELECT max(number) FROM blocks") == head
    assert scalar(db, "SELECT count(*) FROM transactions") == sent
    assert scalar(db, "SELECT count(DISTINCT hash) FROM transactions") == sent
    assert [int(r[0]) for r in rows(db, "SELECT value FROM tok_transfer_method ORDER BY block_number")] == \
        list(range(1, 41))
    done = verify(fresh_node.http_url, db)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{head + 1} block(s) match the chain" in done.stdout


def scalar_chain_txs(w3: Web3, head: int) -> int:
    return sum(w3.eth.get_block_transaction_count(n) for n in range(head + 1))


def test_a_snapshot_revert_under_a_following_exporter_drops_the_orphans(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    token = _token_traffic(w3, transfers=3, empty_blocks_between=0)
    me, you = w3.eth.accounts[:2]
    follower = _start_export(fresh_node.http_url, db, "--follow", "--poll", "0.3")
    try:
        def caught_up() -> bool:
            tip = w3.eth.get_block("latest")
            found = rows(db, "SELECT hash FROM blocks WHERE number = :n", n=tip["number"]) if _progress(db) >= 0 else []
            return bool(found) and found[0][0] == tip["hash"].to_0x_hex()

        _wait(caught_up, "the follower to export the first blocks")
        snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        orphans = [token.functions.transfer(you, 100 + i).transact({"from": me}).to_0x_hex() for i in range(3)]
        _wait(caught_up, "the follower to export the blocks that will be orphaned")
        assert scalar(db, "SELECT count(*) FROM transactions WHERE hash = :h", h=orphans[-1]) == 1
        reverted = w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        assert reverted["result"] is True
        # The replacement chain: as long as the orphaned one, different blocks.
        for i in range(4):
            token.functions.transfer(you, 200 + i).transact({"from": me})
        _wait(caught_up, "the follower to export the replacement blocks")
    finally:
        follower.send_signal(signal.SIGINT)
        _, stderr = follower.communicate(timeout=20)
    assert "polling" not in stderr, stderr  # it followed newHeads over the WebSocket
    assert "chain rewound: dropped" in stderr, stderr
    for orphan in orphans:
        assert scalar(db, "SELECT count(*) FROM transactions WHERE hash = :h", h=orphan) == 0
    assert [int(r[0]) for r in rows(db, "SELECT value FROM tok_transfer_method ORDER BY block_number")] == \
        [1, 2, 3, 200, 201, 202, 203]
    assert scalar(db, "SELECT count(*) FROM token_transfers WHERE CAST(amount AS INTEGER) >= 100 "
                      "AND CAST(amount AS INTEGER) < 200") == 0
    done = verify(fresh_node.http_url, db)
    assert done.returncode == 0, done.stdout + done.stderr


def test_follow_polls_when_there_is_no_websocket(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    closed = f"ws://127.0.0.1:{free_port()}"  # nothing listens there
    follower = _start_export(fresh_node.http_url, db, "--follow", "--poll", "0.2", "--ws-url", closed)
    try:
        _wait(lambda: _progress(db) == w3.eth.block_number, "the first export round")
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1})
        _wait(lambda: _progress(db) == w3.eth.block_number, "the poll to export the new block")
    finally:
        follower.send_signal(signal.SIGINT)
        _, stderr = follower.communicate(timeout=20)
    assert f"no newHeads subscription at {closed}" in stderr and "polling" in stderr, stderr
    assert follower.returncode == 130


def test_verify_names_each_block_that_differs_and_exits_1(fresh_node: RunningNode, db: str) -> None:
    w3 = Web3(Web3.HTTPProvider(fresh_node.http_url))
    token = _token_traffic(w3, transfers=3, empty_blocks_between=1)
    export(fresh_node.http_url, db)
    last = int(scalar(db, "SELECT max(block_number) FROM tok_transfer_method"))
    first_log = rows(db, "SELECT block_number, log_index FROM logs WHERE address = :a ORDER BY block_number LIMIT 1",
                     a=token.address.lower())[0]
    engine = open_engine(db)
    with engine.begin() as conn:  # three kinds of damage, in three blocks
        conn.execute(text("DELETE FROM logs WHERE block_number = :b AND log_index = :i"),
                     {"b": first_log.block_number, "i": first_log.log_index})
        conn.execute(text("UPDATE transactions SET hash = :h WHERE block_number = :b"), {"h": "0x" + "00" * 32, "b": last})
        conn.execute(text("DELETE FROM blocks WHERE number = 2"))
    engine.dispose()
    done = verify(fresh_node.http_url, db)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"block {first_log.block_number}: log_count differs: database 0, chain 1" in lines
    assert any(line.startswith(f"block {last}: tx_digest differs: database 0x") for line in lines), lines
    assert "block 2: missing from the database (1 transaction and 2 log rows without it)" in lines, lines
    assert "mismatch(es) in" in done.stderr
