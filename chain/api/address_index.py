"""AddressIndex: which transactions touched an address, built lazily in memory for the explorer
and the ots_* methods (docs/explorer.md, "The address index").

Nothing is written when a block is committed: the index costs nothing until someone asks. The
first question scans every canonical block once (in chunks, yielding to the event loop between
them, so the node keeps serving); later questions scan only the blocks mined since. A rewind
(evm_revert, a state load, anvil_reset) is noticed by comparing the last indexed block's hash
with the canonical one and the index is cut back to the fork point.

What it records per transaction: the sender, the recipient, and the contract a top-level CREATE
made (internal creations and transfers inside calls would need a trace per transaction). In
memory (measured with tracemalloc) that is 44 bytes per block, about 50 bytes per transaction
between addresses already seen and about 230 when it reaches a new address (its own list and
dict entry): a million one-transaction blocks cost roughly 100-280 MB, a devnet's and a small
consortium's budget, not mainnet's.
"""
from __future__ import annotations

import asyncio
from array import array
from dataclasses import dataclass, field

from eth._utils.address import generate_contract_address
from eth_typing import Address

from chain.storage.chain_store import ChainStore, StoredBlock

# Blocks decoded per loop turn while catching up: ~40 ms of a loaded 2-core machine (0.18 ms a
# one-transfer block, measured over 600 of them), so other clients wait at most that long.
CHUNK_BLOCKS = 200
_SHIFT = 20  # a location is block << _SHIFT | index: one int per entry; 2**20 txs per block max


def location(block: int, index: int) -> int:
    """One int for (block number, transaction index), ordered as the chain is."""
    return block << _SHIFT | index


def split(loc: int) -> tuple[int, int]:
    """(block number, transaction index) of a location."""
    return loc >> _SHIFT, loc & ((1 << _SHIFT) - 1)


@dataclass
class AddressIndex:
    """Per-address transaction locations, contract creators, per-block counts."""

    store: ChainStore
    # Per indexed block, by number from 0, packed (44 bytes a block, not ~165 as objects): its
    # hash (to notice a rewind), time and transaction count (the overview's charts).
    hashes: bytearray = field(default_factory=bytearray)
    times: array[int] = field(default_factory=lambda: array("q"))
    counts: array[int] = field(default_factory=lambda: array("I"))
    by_address: dict[bytes, list[int]] = field(default_factory=dict)  # ascending locations
    creators: dict[bytes, tuple[bytes, bytes]] = field(default_factory=dict)  # contract → (tx hash, creator)
    total_transactions: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def catch_up(self) -> None:
        """Index every canonical block up to the head; concurrent callers share one scan."""
        async with self._lock:
            self._cut_to_canonical()
            head = self.store.head_number()
            while self.indexed <= head:
                stop = min(head, self.indexed + CHUNK_BLOCKS - 1)
                for number in range(self.indexed, stop + 1):
                    block = self.store.block_by_number(number)
                    if block is None:  # rewound while we yielded; the next call cuts back
                        return
                    self._add(block)
                await asyncio.sleep(0)
                head = self.store.head_number()

    @property
    def indexed(self) -> int:
        """How many blocks (0 … indexed - 1) are in the index."""
        return len(self.times)

    def locations(self, address: bytes) -> list[int]:
        """Ascending locations of the transactions that touched `address` (after catch_up)."""
        return self.by_address.get(address, [])

    def _add(self, block: StoredBlock) -> None:
        number = block.number
        self.hashes += block.hash
        self.times.append(int(block.header.timestamp))
        self.counts.append(len(block.transactions))
        self.total_transactions += len(block.transactions)
        for i, (tx, sender) in enumerate(zip(block.transactions, block.senders)):
            loc = location(number, i)
            self.by_address.setdefault(sender, []).append(loc)
            target = bytes(tx.to) if tx.to else None
            if target is None and block.receipts[i].state_root == b"\x01":
                target = bytes(generate_contract_address(Address(sender), tx.nonce))
                self.creators[target] = (bytes(tx.hash), sender)
            if target is not None and target != sender:
                self.by_address.setdefault(target, []).append(loc)

    def _cut_to_canonical(self) -> None:
        """Drop indexed blocks that are no longer canonical (the chain was rewound)."""
        keep = self.indexed
        while keep and self.store.canonical_hash(keep - 1) != bytes(self.hashes[32 * (keep - 1):32 * keep]):
            keep -= 1
        if keep == self.indexed:
            return
        self.total_transactions -= sum(self.counts[keep:])
        del self.hashes[32 * keep:], self.times[keep:], self.counts[keep:]
        first_gone = location(keep, 0)
        for address in list(self.by_address):
            locs = self.by_address[address]
            while locs and locs[-1] >= first_gone:
                locs.pop()
            if not locs:
                del self.by_address[address]
        for contract, (tx_hash, _) in list(self.creators.items()):
            if self.store.tx_location(tx_hash) is None:
                del self.creators[contract]
