"""Log queries: bloom-filtered scans over stored receipts, bounded in size and time.

A query's addresses and topic alternatives are sets, and their bloom bits are computed once per
query (`LogQuery`), not once per block: with 1,000 alternatives that was 1,000 keccaks per block
scanned. The limits are geth's where geth has one (`maxAddresses`, `maxSubTopics`), and the
result bound is the 10,000 logs that hosted providers answer with (docs/rpc.md, Limits).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from eth_bloom.bloom import get_bloom_bits

from chain.exceptions import LimitExceeded
from chain.storage.chain_store import StoredBlock
from chain.types import LogEntry, LogFilter
from vm_hooks.deadline import Deadline, DeadlineExceeded, go_duration

MAX_ADDRESSES = 1_000      # geth's maxAddresses (eth/filters/api.go)
MAX_TOPIC_ALTERNATIVES = 1_000  # geth's maxSubTopics: alternatives in one topic position
MAX_LOG_RESULTS = 10_000
# A query over at most this many blocks runs on the event loop (it costs milliseconds); a longer
# one runs on a call worker, under the call timeout, so it never holds up other clients.
INLINE_BLOCKS = 32


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
    """Set lookups only: O(topic positions) per log, whatever the number of alternatives."""
    if flt.addresses and entry.address not in flt.addresses:
        return False
    for i, wanted in enumerate(flt.topics):
        if wanted is None:
            continue
        if i >= len(entry.topics) or entry.topics[i] not in wanted:
            return False
    return True


def _mask(value: bytes) -> int:
    mask = 0
    for bit in get_bloom_bits(value):
        mask |= bit
    return mask


@dataclass(frozen=True)
class LogQuery:
    """A filter with the bloom bits of each address and topic alternative computed once."""

    flt: LogFilter
    addresses: frozenset[int]
    topics: tuple[frozenset[int] | None, ...]

    @classmethod
    def of(cls, flt: LogFilter) -> "LogQuery":
        return cls(flt, frozenset(_mask(a) for a in flt.addresses),
                   tuple(None if t is None else frozenset(_mask(x) for x in t) for t in flt.topics))

    def may_match(self, bloom: int) -> bool:
        """False only when a block with this bloom certainly has no matching log."""
        if self.addresses and not any(bloom & m == m for m in self.addresses):
            return False
        for wanted in self.topics:
            if wanted is not None and not any(bloom & m == m for m in wanted):
                return False
        return True


def bloom_may_match(bloom_int: int, flt: LogFilter) -> bool:
    """False only when the block certainly has no matching log (one-off; scans use LogQuery)."""
    return LogQuery.of(flt).may_match(bloom_int)


def scan(query: LogQuery, blocks: Iterator[StoredBlock], deadline: Deadline | None = None,
         max_results: int = MAX_LOG_RESULTS) -> list[LogEntry]:
    """The matching logs of `blocks`, in order. Raises LimitExceeded past `max_results` logs
    or past the deadline (checked once a block), naming the limit and how far the scan got."""
    out: list[LogEntry] = []
    for block in blocks:
        out.extend(e for e in block_logs(block) if matches(e, query.flt))
        if len(out) > max_results:
            raise LimitExceeded(f"query returned more than {max_results} results (the limit); "
                                f"narrow the block range (block {block.number} reached it)")
        if deadline is not None:
            _check(deadline, block.number)
    return out


def matching_blocks(query: LogQuery, start: int, end: int, bloom_at: Callable[[int], tuple[bytes, int] | None],
                    block: Callable[[bytes], StoredBlock | None],
                    deadline: Deadline | None = None) -> Iterator[StoredBlock]:
    """The canonical blocks in [start, end] whose bloom may match; `bloom_at(n)` gives a
    block's hash and bloom. Checks the deadline every 256 blocks a bloom rules out."""
    for n in range(start, end + 1):
        found = bloom_at(n)
        if found is None:
            continue
        block_hash, bloom = found
        if bloom and query.may_match(bloom):
            b = block(block_hash)
            if b is not None:
                yield b
        elif deadline is not None and n & 255 == 0:
            _check(deadline, n)


def _check(deadline: Deadline, reached: int) -> None:
    """The deadline's check, with the log query's own words for a timeout (a cancel — shutdown,
    the client gone — goes to the worker as it is)."""
    try:
        deadline.check()
    except DeadlineExceeded:
        if deadline.cancelled is not None:
            raise
        raise LimitExceeded(f"query timeout exceeded ({go_duration(deadline.timeout_s or 0)}, the node's "
                            f"--rpc-evm-timeout, after scanning up to block {reached}); narrow the block "
                            "range or the filter") from None
