"""What the node answers about regulation without running the VM: the interception index (for
wabei_getInterceptions and the metrics' counter) and identities read from the state.

The interception rules and the identity registry are precompiles (vm_hooks/regulation); their
reports are logs in receipts, indexed at commit (chain/storage/interceptions.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from eth.abc import BlockHeaderAPI

from chain.api.reads import ChainReads
from chain.storage.interceptions import IndexedReport
from vm_hooks.addresses import IDENTITY
from vm_hooks.regulation.report import Report, decode_report
from vm_hooks.regulation.rules import RULE_NAMES
from vm_hooks.regulation.store import Identity, IdentityStore

MAX_PAGE = 1_000  # reports in one wabei_getInterceptions answer; the default page is 100
DEFAULT_PAGE = 100


@dataclass(frozen=True)
class Interception:
    """One report with where it is on the chain."""

    position: int
    where: IndexedReport
    report: Report

    @property
    def rule_name(self) -> str:
        return RULE_NAMES.get(self.report.rule, f"rule {self.report.rule}")


@dataclass(frozen=True)
class InterceptionPage:
    total: int
    start: int
    items: tuple[Interception, ...]

    @property
    def next(self) -> int | None:
        """Where the next page starts, or None after the last report."""
        end = self.start + len(self.items)
        return end if end < self.total else None


@dataclass(frozen=True)
class IdentityView:
    """An identity as read at a block: the record, and whether it counts at that block."""

    identity: Identity | None
    valid: bool
    level: int  # the level that counts (0 when not valid)


class _ReadWords:
    """One account's storage at one block, through the node's reads (no VM)."""

    def __init__(self, reads: ChainReads, header: BlockHeaderAPI) -> None:
        self._reads = reads
        self._header = header

    def get_word(self, slot: int) -> int:
        return self._reads.storage(IDENTITY, slot, self._header)

    def set_word(self, slot: int, value: int) -> None:
        raise TypeError("read-only")


class RegulationReads:
    def __init__(self, reads: ChainReads) -> None:
        self._reads = reads

    def interception_total(self) -> int:
        """Interceptions reported on the canonical chain: the counter the metrics export (it
        only falls when the chain itself is rewound, by evm_revert or a state load)."""
        return self._reads.backend.store.interception_count()

    def interceptions(self, start: int, limit: int) -> InterceptionPage:
        """Reports `start` .. `start + limit - 1`, oldest first (positions start at 0)."""
        total, rows = self._reads.backend.store.interception_page(start, limit)
        items = tuple(Interception(r.position, r, decode_report(r.topics, r.data)) for r in rows)
        return InterceptionPage(total, start, items)

    def identity(self, account: bytes, header: BlockHeaderAPI) -> IdentityView:
        """`account`'s identity in the registry (0x…1011) after block `header`, judged at that
        block's timestamp, as a contract calling `getIdentity` there would see it."""
        store = IdentityStore(_ReadWords(self._reads, header))
        found = store.identity(account)
        valid = store.valid(found, int(header.timestamp))
        return IdentityView(found, valid, found.level if found is not None and valid else 0)
