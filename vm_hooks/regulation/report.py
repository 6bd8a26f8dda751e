"""Interception reports: the `Intercepted` event that survives the frame it reports on.

An intercepted frame reverts, and py-evm discards the logs of a reverted frame (and every log of
a failed transaction). A regulator must still learn of it, from the chain itself and over an
ordinary `eth_subscribe("logs")`. So the report is kept outside the journal and put into the
transaction's receipt afterwards:

- `record` appends the `Intercepted` log to the transaction context (py-evm builds one per
  transaction, so nothing leaks between transactions, and a snapshot revert cannot undo it),
  with the context's next log counter, so it sorts where the interception happened;
- `ReportingComputation.get_log_entries`, asked by the VM's `make_receipt` of the transaction's
  first frame only, merges those reports with the transaction's surviving logs.

So a refused transaction has a receipt with status 0 *and* the report log (Ethereum's failed
receipts carry no logs: this is the one deliberate difference), and a transaction that caught an
intercepted internal call (try/catch) succeeds with the report among its logs. The log is in the
receipts root and the bloom, so eth_getLogs, eth_subscribe("logs"), filters, a follower's
re-execution and the node's interception index (chain/storage/interceptions.py) all see it.
eth_call and eth_estimateGas build no receipt: they answer the revert with the same reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth.abc import TransactionContextAPI
from eth.vm.computation import BaseComputation
from eth_abi.abi import decode, encode
from eth_utils.abi import event_signature_to_log_topic

from vm_hooks.addresses import REGULATION
from vm_hooks.console_log import ConsoleLogContext
from vm_hooks.regulation.rules import Interception

INTERCEPTED_SIGNATURE = "Intercepted(address,address,uint8,address,bytes4,uint256,string)"
INTERCEPTED = event_signature_to_log_topic(INTERCEPTED_SIGNATURE)
# (name, type, indexed) of the event's fields, for ABIs and decoders.
INTERCEPTED_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("origin", "address", True), ("target", "address", True), ("rule", "uint8", True),
    ("sender", "address", False), ("selector", "bytes4", False), ("amount", "uint256", False),
    ("reason", "string", False),
)
RawLog = tuple[int, bytes, tuple[int, ...], bytes]  # (counter, address, topics, data), py-evm's shape


class ReportingContext(ConsoleLogContext):
    """The transaction context: console payloads (ConsoleLogContext) and interception reports."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interception_reports: list[RawLog] = []


def report_log(origin: bytes, hit: Interception) -> tuple[tuple[int, ...], bytes]:
    """The `Intercepted` event's topics and data."""
    topics = (int.from_bytes(INTERCEPTED, "big"), int.from_bytes(origin, "big"),
              int.from_bytes(hit.target, "big"), hit.rule)
    data = encode(["address", "bytes4", "uint256", "string"],
                  [hit.sender, hit.selector, hit.amount, hit.reason])
    return topics, data


def record(context: TransactionContextAPI, hit: Interception) -> None:
    """Keep the report of `hit` for the transaction's receipt (a context that does not collect
    reports, such as a Prague system call's, keeps nothing)."""
    if isinstance(context, ReportingContext):
        topics, data = report_log(bytes(context.origin), hit)
        context.interception_reports.append((context.get_next_log_counter(), REGULATION, topics, data))


class ReportingComputation(BaseComputation):
    """Adds the transaction's interception reports to the logs its receipt records."""

    def get_log_entries(self) -> tuple[tuple[bytes, tuple[int, ...], bytes], ...]:
        context = self.transaction_context
        if self.msg.depth != 0 or not isinstance(context, ReportingContext) or not context.interception_reports:
            return super().get_log_entries()
        merged = sorted((*self.get_raw_log_entries(), *context.interception_reports))
        return tuple(log[1:] for log in merged)


@dataclass(frozen=True)
class Report:
    """An `Intercepted` log, decoded."""

    origin: bytes
    target: bytes
    rule: int
    sender: bytes
    selector: bytes
    amount: int
    reason: str


def decode_report(topics: tuple[bytes, ...], data: bytes) -> Report:
    """Decode an `Intercepted` log's topics (32 bytes each, the signature first) and data."""
    sender, selector, amount, reason = decode(["address", "bytes4", "uint256", "string"], data)
    return Report(topics[1][12:], topics[2][12:], int.from_bytes(topics[3], "big"),
                  bytes.fromhex(sender[2:]), bytes(selector), int(amount), str(reason))
