"""`--flow-log`: one JSON line per committed block on the `wabei.flow` logger (stderr by
default), with the block's steps and, summarised, its transactions' (docs/metrics.md)."""
from __future__ import annotations

import logging
import statistics
from typing import Any

import orjson

from chain.api.chain import Chain
from chain.api.flow import BlockFlow

log = logging.getLogger("wabei.flow")


def flow_line(chain_id: int, flow: BlockFlow) -> dict[str, Any]:
    """The log line's fields: times in seconds since the epoch, durations in milliseconds."""
    line: dict[str, Any] = {
        "event": "block", "chain": chain_id, "number": flow.number, "hash": "0x" + flow.hash.hex(),
        "txs": flow.transactions, "gas_used": flow.gas_used,
        "proposed": round(flow.proposed, 6), "executed": round(flow.executed, 6),
        "sealed": round(flow.sealed, 6), "committed": round(flow.committed, 6),
        "execute_ms": _ms(flow.executed - flow.proposed), "state_root_ms": _ms(flow.sealed - flow.executed),
        "commit_ms": _ms(flow.commit_s), "commit_bytes": flow.commit_bytes,
        "total_ms": _ms(flow.committed - flow.proposed),
    }
    if flow.consensus:
        line["consensus"] = {step: round(at, 6) for step, at in flow.consensus.items()}
    waits = [tx.included - tx.admitted for tx in flow.txs if tx.included is not None and tx.admitted is not None]
    if waits:
        line["pool_wait_ms"] = {"median": _ms(statistics.median(waits)), "max": _ms(max(waits))}
    ends = [tx.committed - tx.received for tx in flow.txs if tx.committed is not None and tx.received is not None]
    if ends:
        line["tx_total_ms"] = {"median": _ms(statistics.median(ends)), "max": _ms(max(ends))}
    return line


def follow_flow_log(chain: Chain) -> None:
    """Log each committed block of `chain` (after the commit, on the event loop)."""
    chain_id = chain.config.chain_id
    chain.events.block_flows.subscribe(
        lambda flow: log.info("%s", orjson.dumps(flow_line(chain_id, flow)).decode()))


def log_to_stderr() -> None:
    """Send `wabei.flow` lines to stderr, bare (the CLI's --flow-log; a host application may
    configure the logger itself instead)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
