"""Log queries: bloom-filtered scans over stored receipts."""
from __future__ import annotations

from typing import Iterator

from eth_bloom.bloom import BloomFilter

from chain.storage.chain_store import StoredBlock
from chain.types import LogEntry, LogFilter


def block_logs(block: StoredBlock, upto: int | None = None) -> Iterator[LogEntry]:
    """Every log of a block with its block-wide index, in order (of its first `upto` transactions)."""
    log_index = 0
    pairs = zip(block.transactions[:upto], block.receipts[:upto])
    for tx_index, (tx, receipt) in enumerate(pairs):
        for log in receipt.logs:
            yield LogEntry(
                address=bytes(log.address),
                topics=tuple(t.to_bytes(32, "big") for t in log.topics),
                data=bytes(log.data),
                block_number=block.number,
                block_hash=block.hash,
                tx_hash=bytes(tx.hash),
                tx_index=tx_index,
                log_index=log_index,
            )
            log_index += 1


def matches(entry: LogEntry, flt: LogFilter) -> bool:
    if flt.addresses and entry.address not in flt.addresses:
        return False
    for i, wanted in enumerate(flt.topics):
        if wanted is None:
            continue
        if i >= len(entry.topics) or entry.topics[i] not in wanted:
            return False
    return True


def bloom_may_match(bloom_int: int, flt: LogFilter) -> bool:
    """False only when the block certainly has no matching log."""
    bloom = BloomFilter(bloom_int)
    if flt.addresses and not any(a in bloom for a in flt.addresses):
        return False
    for wanted in flt.topics:
        if wanted is not None and not any(t in bloom for t in wanted):
            return False
    return True
