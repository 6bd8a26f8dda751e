"""`wabei export verify`: does the database match the chain, block by block?

For every stored block it recomputes, from the rows in `transactions` and `logs`, the count and
a digest of the block's transactions and logs, and compares them with the same figures computed
from the node's block and receipts, along with the block hash; it also reports blocks missing
below the progress mark. Digests (keccak over the concatenation, in order):
  transactions: the transaction hashes;
  logs: for each log, address ‖ number of topics (1 byte) ‖ topics ‖ keccak(data).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.crypto import keccak
from sqlalchemy import select

from warehouse import schema
from warehouse.rpc import RpcClient
from warehouse.store import PROGRESS_NAME, open_engine

CHUNK = 200  # blocks per round trip and per query
MISSING = "(missing)"  # the hash of a block whose row is not in `blocks`


@dataclass(frozen=True)
class BlockFigures:
    """What is compared for one block."""

    hash: str
    tx_count: int
    tx_digest: str
    log_count: int
    log_digest: str


def tx_digest(hashes: Iterable[str]) -> str:
    return "0x" + keccak(b"".join(bytes.fromhex(h[2:]) for h in hashes)).hex()


def log_digest(logs: Iterable[tuple[str, Sequence[str], str]]) -> str:
    """`logs`: (address, topics, data) in log order, all `0x` hex."""
    parts = []
    for address, topics, data in logs:
        parts.append(bytes.fromhex(address[2:].lower()) + bytes([len(topics)])
                     + b"".join(bytes.fromhex(t[2:]) for t in topics) + keccak(bytes.fromhex(data[2:])))
    return "0x" + keccak(b"".join(parts)).hex()


def chain_figures(block: Any, receipts: Sequence[Any]) -> BlockFigures:
    hashes = [t["hash"] if isinstance(t, dict) else t for t in block["transactions"]]
    logs = [(log["address"], log["topics"], log["data"]) for r in receipts for log in r["logs"]]
    return BlockFigures(block["hash"], len(hashes), tx_digest(hashes), len(logs), log_digest(logs))


def db_figures(conn: Any, first: int, last: int) -> dict[int, BlockFigures]:
    b, t, lg = schema.blocks, schema.transactions, schema.logs
    hashes = {r.number: r.hash for r in conn.execute(select(b.c.number, b.c.hash).where(b.c.number.between(first, last)))}
    txs: dict[int, list[str]] = {n: [] for n in hashes}
    for r in conn.execute(select(t.c.block_number, t.c.hash).where(t.c.block_number.between(first, last))
                          .order_by(t.c.block_number, t.c.tx_index)):
        txs.setdefault(r.block_number, []).append(r.hash)
    logs: dict[int, list[tuple[str, list[str], str]]] = {n: [] for n in hashes}
    for r in conn.execute(select(lg).where(lg.c.block_number.between(first, last))
                          .order_by(lg.c.block_number, lg.c.log_index)):
        topics = [x for x in (r.topic0, r.topic1, r.topic2, r.topic3) if x is not None]
        logs.setdefault(r.block_number, []).append((r.address, topics, r.data))
    return {n: BlockFigures(hashes.get(n, MISSING), len(txs.get(n, [])), tx_digest(txs.get(n, [])),
                            len(logs.get(n, [])), log_digest(logs.get(n, [])))
            for n in set(hashes) | set(txs) | set(logs)}


def compare(number: int, stored: BlockFigures | None, chain: BlockFigures | None) -> Iterator[str]:
    """One line per difference for block `number`."""
    if stored is None or stored.hash == MISSING:
        yield f"block {number}: missing from the database" + (
            f" ({stored.tx_count} transaction and {stored.log_count} log rows without it)"
            if stored is not None and stored.tx_count + stored.log_count else "")
        return
    if chain is None:
        yield f"block {number}: in the database but not on the chain"
        return
    for field in ("hash", "tx_count", "tx_digest", "log_count", "log_digest"):
        mine, theirs = getattr(stored, field), getattr(chain, field)
        if mine != theirs:
            yield f"block {number}: {field} differs: database {mine}, chain {theirs}"


def verify(db: str, rpc_url: str) -> tuple[int, list[str]]:
    """Compare every block up to the progress mark; returns (blocks checked, mismatch lines)."""
    engine = open_engine(db)
    rpc = RpcClient(rpc_url)
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            mark = conn.execute(select(schema.progress.c.block_number)
                                .where(schema.progress.c.name == PROGRESS_NAME)).scalar()
            if mark is None:
                return 0, ["the database holds no exported block"]
            for first in range(0, mark + 1, CHUNK):
                last = min(mark, first + CHUNK - 1)
                stored = db_figures(conn, first, last)
                numbers = range(first, last + 1)
                answers = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers]
                                    + [("eth_getBlockReceipts", [hex(n)]) for n in numbers])
                for i, n in enumerate(numbers):
                    block, receipts = answers[i], answers[len(numbers) + i]
                    chain = None if block is None or receipts is None else chain_figures(block, receipts)
                    problems.extend(compare(n, stored.get(n), chain))
            extra: list[int] = list(conn.execute(select(schema.blocks.c.number).where(schema.blocks.c.number > mark)).scalars())
            problems.extend(f"block {n}: stored beyond the progress mark {mark}" for n in extra)
        return mark + 1, problems
    finally:
        rpc.close()
        engine.dispose()
