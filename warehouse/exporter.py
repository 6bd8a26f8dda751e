"""The export loop: read batches of blocks over JSON-RPC, check they extend what is stored,
decode, and write each batch with its progress mark in one transaction.

Rollback safety: before each batch the stored tip is compared with the chain's block of the
same number; a different hash (an `evm_revert`, an `anvil_reset`, a reorg) walks back to the
newest stored block the chain still has, deletes everything after it and continues from there.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from warehouse.abi_book import AbiBook
from warehouse.abi_sources import CNS_ADDRESS, load_cns, load_manifests, load_user_dir
from warehouse.config import MAX_BATCH, ExportConfig
from warehouse.errors import ChainMismatch, RpcError, WarehouseError
from warehouse.progress import ProgressBar
from warehouse.rpc import RpcClient
from warehouse.store import Store, open_engine
from warehouse.transform import Rows, block_rows

Report = Callable[[str], None]
_WALK_BACK = 64  # blocks compared per round trip while looking for the fork point


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Exporter:
    """One export from one node into one database; `run` catches up, `follow` keeps up."""

    def __init__(self, config: ExportConfig, report: Report = _stderr) -> None:
        if not 1 <= config.batch <= MAX_BATCH:
            raise ValueError(f"--batch must be 1..{MAX_BATCH} blocks")
        self.config = config
        self.report = report
        self.rpc = RpcClient(config.rpc_url)
        self._ahead_rpc = RpcClient(config.rpc_url)  # the read-ahead thread's own connection
        # The node first: no database is created or migrated for a URL where nothing answers.
        self.chain_id = int(self.rpc.call("eth_chainId", []), 16)
        self.genesis_hash = str(self.rpc.call("eth_getBlockByNumber", ["0x0", False])["hash"])
        self.store = Store(open_engine(config.db))
        self.book = AbiBook()
        self.refresh_abis()

    def refresh_abis(self) -> None:
        """Rebuild the ABI book from every source; report each source that could not be used."""
        book = AbiBook()
        problems = []
        if self.config.abi_dir is not None:
            problems += load_user_dir(self.config.abi_dir, book)
        if self.config.manifests is not None:
            problems += load_manifests(self.config.manifests, self.chain_id, self.config.artifacts, book)
        problems += load_cns(self.rpc, book)
        for problem in problems:
            self.report(f"warning: ABI skipped: {problem}")
        self.book = book
        self.store.update_names(
            (a, c.name if (c := book.at(a, 1 << 62)) else None, book.cns_names(a)) for a in book.addresses())

    def target(self) -> int:
        head = int(self.rpc.call("eth_blockNumber", []), 16)
        return head if self.config.to_block is None else min(head, self.config.to_block)

    def run(self) -> int:
        """Export every block up to the target; returns how many blocks were written."""
        written = stalls = 0
        target = self.target()
        start = self._next_block()
        ahead: tuple[int, int, Future[list[Any]]] | None = None
        with ThreadPoolExecutor(1) as pool, ProgressBar(start, target, self.config.progress) as bar:
            while start <= target:
                last = min(target, start + self.config.batch - 1)
                if ahead is not None and ahead[:2] == (start, last):
                    answers = ahead[2].result()
                else:
                    answers = self._fetch(self.rpc, start, last)
                # Read the next batch while this one is decoded and written: the node and the
                # exporter then work at the same time (the profile: half the time was waiting
                # for the node). It is checked against the stored tip like any other batch.
                ahead = None
                if last < target:
                    following = (last + 1, min(target, last + self.config.batch))
                    ahead = (*following, pool.submit(self._fetch, self._ahead_rpc, *following))
                done = self._export_batch(start, answers)
                written += done
                bar.update(done)
                # Nothing written: the chain changed under the batch (checked again next round),
                # or a block stays unreadable, which must not spin for ever.
                stalls = 0 if done else stalls + 1
                if stalls > 3:
                    raise WarehouseError(f"block {start} cannot be exported: the node keeps answering "
                                         "without it or without all of its receipts")
                start = self._next_block()
                if not done:
                    target = self.target()
        return written

    def _next_block(self) -> int:
        """The first block to export: after the stored tip, once the tip is checked against the
        chain (rewinding orphans)."""
        mark = self.store.progress()
        if mark is None:
            return 0
        number, block_hash, genesis = mark
        if genesis != self.genesis_hash:
            raise ChainMismatch(f"the database holds another chain (genesis {genesis}, the node's is "
                                f"{self.genesis_hash}); export into a new database")
        chain = self.rpc.call("eth_getBlockByNumber", [hex(number), False])
        if chain is not None and chain["hash"] == block_hash:
            return number + 1
        return self._rewind(number) + 1

    def _rewind(self, tip: int) -> int:
        """Find the newest stored block the chain still has, drop the rest; returns it."""
        high = tip
        while high >= 0:
            low = max(0, high - _WALK_BACK + 1)
            stored = self.store.stored_hashes(low, high)
            chain = self.rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in range(low, high + 1)])
            for n in range(high, low - 1, -1):
                block = chain[n - low]
                if block is not None and stored.get(n) == block["hash"]:
                    dropped = self.store.rewind(n, block["hash"], self.genesis_hash)
                    self.report(f"chain rewound: dropped {dropped} orphaned block(s) after {n}")
                    return n
            high = low - 1
        raise ChainMismatch("no stored block is on the node's chain; export into a new database")

    @staticmethod
    def _fetch(rpc: RpcClient, first: int, last: int) -> list[Any]:
        """Blocks first..last with their transactions, then their receipts, in one round trip."""
        numbers = range(first, last + 1)
        return rpc.batch([("eth_getBlockByNumber", [hex(n), True]) for n in numbers]
                         + [("eth_getBlockReceipts", [hex(n)]) for n in numbers])

    def _export_batch(self, first: int, answers: list[Any]) -> int:
        """Decode and write the fetched blocks from `first` on (fewer if the chain changed)."""
        count = len(answers) // 2
        blocks, receipts = self._contiguous(first, answers[:count], answers[count:])
        if not blocks:
            return 0
        if any(log["address"].lower() == CNS_ADDRESS for rs in receipts for r in rs for log in r["logs"]):
            self.refresh_abis()  # a new CNS version: its ABI decodes its calls from now on
        codes = self._created_codes(receipts)
        rows = Rows()
        with self.store.engine.begin() as conn:
            for block, block_receipts in zip(blocks, receipts):
                block_rows(conn, block, block_receipts, codes, self.book, self.store.tables, rows)
            self.store.write(conn, rows, int(blocks[-1]["number"], 16), blocks[-1]["hash"], self.genesis_hash)
        return len(blocks)

    def _contiguous(self, first: int, blocks: list[Any], receipts: list[Any]) -> tuple[list[Any], list[Any]]:
        """The leading blocks that exist, have receipts and chain onto each other and onto the
        stored tip; the rest waits for the next round (after the tip check)."""
        parent = None
        if first > 0:
            stored = self.store.stored_hashes(first - 1, first - 1)
            parent = stored.get(first - 1)
        kept = 0
        for block, block_receipts in zip(blocks, receipts):
            if block is None or block_receipts is None or (parent is not None and block["parentHash"] != parent):
                break
            if len(block_receipts) != len(block["transactions"]):
                break
            parent = block["hash"]
            kept += 1
        return blocks[:kept], receipts[:kept]

    def _created_codes(self, receipts: list[Any]) -> dict[str, str]:
        created = [(r["contractAddress"].lower(), r["blockNumber"]) for rs in receipts for r in rs
                   if r.get("contractAddress")]
        if not created:
            return {}
        codes = self.rpc.batch([("eth_getCode", [a, n]) for a, n in created])
        return {a: c for (a, _), c in zip(created, codes)}

    def close(self) -> None:
        self.rpc.close()
        self._ahead_rpc.close()
        self.store.engine.dispose()


__all__ = ["Exporter", "RpcError"]
