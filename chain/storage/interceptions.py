"""The interception index: every `Intercepted` report of the canonical chain, in order.

The reports themselves are logs in receipts (vm_hooks/regulation/report.py); this index lets
`wabei_getInterceptions` page through all of them by position without scanning blocks, and
gives the metrics a total. It is written by ChainStore.write_block in the block's own batch (so
a block and its index entries appear together), trimmed by ChainStore.rewind_to, and rows left
behind by a state load that merged another chain's database are ignored on read (a row whose
block is not canonical ends the index).

    wabei:icpt:count          how many rows
    wabei:icpt:<n, 8 bytes>   rlp [block number, block hash, tx hash, tx index, log index, topics, data]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import rlp
from eth.abc import DatabaseAPI
from eth_bloom.bloom import get_bloom_bits

from vm_hooks.addresses import REGULATION
from vm_hooks.regulation.report import INTERCEPTED

_COUNT = b"wabei:icpt:count"
_ROW = b"wabei:icpt:"
_TOPIC = int.from_bytes(INTERCEPTED, "big")
# The bloom bits of the interception precompile's address: a block whose bloom lacks one of
# them has no report, so indexing costs one integer test per block.
def _bloom_mask(value: bytes) -> int:
    mask = 0
    for bit in get_bloom_bits(value):
        mask |= bit
    return mask


_MASK = _bloom_mask(REGULATION)


@dataclass(frozen=True)
class IndexedReport:
    """One `Intercepted` log and where it is."""

    position: int
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    tx_index: int
    log_index: int
    topics: tuple[bytes, ...]
    data: bytes


def _row_key(n: int) -> bytes:
    return _ROW + n.to_bytes(8, "big")


def stored_count(db: DatabaseAPI) -> int:
    raw = db.get(_COUNT)
    return int.from_bytes(raw, "big") if raw else 0


def row(db: DatabaseAPI, n: int) -> IndexedReport:
    number, block_hash, tx_hash, tx_index, log_index, topics, data = rlp.decode(db[_row_key(n)])
    return IndexedReport(n, int.from_bytes(number, "big"), bytes(block_hash), bytes(tx_hash),
                         int.from_bytes(tx_index, "big"), int.from_bytes(log_index, "big"),
                         tuple(bytes(t) for t in topics), bytes(data))


def _trim(db: DatabaseAPI, count: int, keep: Callable[[IndexedReport], bool]) -> int:
    """Drop rows from the end while `keep` refuses them; the new count (not yet stored)."""
    while count and not keep(row(db, count - 1)):
        count -= 1
        del db[_row_key(count)]
    return count


def drop_above(db: DatabaseAPI, number: int) -> None:
    """Forget the reports of blocks above `number` (the head moved back to it)."""
    count = stored_count(db)
    trimmed = _trim(db, count, lambda r: r.block_number <= number)
    if trimmed != count:
        db[_COUNT] = trimmed.to_bytes(8, "big")


def may_hold_reports(bloom: int) -> bool:
    """False when a block with this logs bloom certainly has no report (the usual case)."""
    return bloom & _MASK == _MASK


def index_block(db: DatabaseAPI, number: int, block_hash: bytes,
                txs: list[tuple[bytes, list[tuple[bytes, tuple[int, ...], bytes]]]]) -> None:
    """Add block `number`'s reports: `txs` is (tx hash, [(address, topics, data)]) per transaction."""
    count = _trim(db, stored_count(db), lambda r: r.block_number < number)
    log_index = 0
    for tx_index, (tx_hash, logs) in enumerate(txs):
        for address, topics, data in logs:
            if address == REGULATION and topics and topics[0] == _TOPIC:
                encoded = [t.to_bytes(32, "big") for t in topics]
                db[_row_key(count)] = rlp.encode([number, block_hash, tx_hash, tx_index, log_index, encoded, data])
                count += 1
            log_index += 1
    db[_COUNT] = count.to_bytes(8, "big")


def total(db: DatabaseAPI, is_canonical: Callable[[int, bytes], bool]) -> int:
    """How many reports the canonical chain holds (rows of orphaned blocks at the end ignored)."""
    count = stored_count(db)
    while count and not is_canonical(*_where(db, count - 1)):
        count -= 1
    return count


def _where(db: DatabaseAPI, n: int) -> tuple[int, bytes]:
    r = row(db, n)
    return r.block_number, r.block_hash


def page(db: DatabaseAPI, start: int, limit: int, count: int) -> list[IndexedReport]:
    """Rows start .. start + limit - 1 of the first `count` (from `total`)."""
    return [row(db, n) for n in range(start, min(start + limit, count))]
