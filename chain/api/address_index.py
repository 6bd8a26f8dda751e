"""AddressIndex: which transactions touched an address, built lazily in memory for the explorer
and the ots_* methods (docs/explorer.md, "The address index").

Nothing is written when a block is committed: the index costs nothing until someone asks. The
first question scans every canonical block once (in chunks, yielding to the event loop between
them, so the node keeps serving); later questions scan only the blocks mined since. A rewind
(evm_revert, a state load, anvil_reset) is noticed by comparing the last indexed block's hash
with the canonical one and the index is cut back to the fork point.

What it records per transaction: the sender, the recipient, and the contract a top-level CREATE
made (internal creations and transfers inside calls would need a trace per transaction). In
memory that is about 120 bytes per transaction (two int entries in per-address lists) plus
48 bytes per block (hash, time, count), so a million transactions cost ~120 MB: a devnet's and a
small consortium's budget, not mainnet's.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from eth._utils.address import generate_contract_address
from eth_typing import Address

from chain.storage.chain_store import ChainStore, StoredBlock

CHUNK_BLOCKS = 200  # blocks decoded per loop turn while catching up (~20-40 ms on 2 cores)
_SHIFT = 20  # a location is block << _SHIFT | index: one int per entry; 2**20 txs per block max


def location(block: int, index: int) -> int:
    """One int for (block number, transaction index), ordered as the chain is."""
    return block << _SHIFT | index


def split(loc: int) -> tuple[int, int]:
    """(block number, transaction index) of a location."""
    return loc >> _SHIFT, loc & ((1 << _SHIFT) - 1)


@dataclass
class BlockSummary:
    """What the overview's charts need of one block, kept for every indexed block."""

    hash: bytes
    timestamp: int
    transactions: int


@dataclass
class AddressIndex:
    """Per-address transaction locations, contract creators, per-block counts."""

    store: ChainStore
    blocks: list[BlockSummary] = field(default_factory=list)  # by block number, from 0
    by_address: dict[bytes, list[int]] = field(default_factory=dict)  # ascending locations
    creators: dict[bytes, tuple[bytes, bytes]] = field(default_factory=dict)  # contract → (tx hash, creator)
    total_transactions: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def catch_up(self) -> None:
        """Index every canonical block up to the head; concurrent callers share one scan."""
        async with self._lock:
            self._cut_to_canonical()
            head = self.store.head_number()
            while len(self.blocks) <= head:
                stop = min(head, len(self.blocks) + CHUNK_BLOCKS - 1)
                for number in range(len(self.blocks), stop + 1):
                    block = self.store.block_by_number(number)
                    if block is None:  # rewound while we yielded; the next call cuts back
                        return
                    self._add(block)
                await asyncio.sleep(0)
                head = self.store.head_number()

    def locations(self, address: bytes) -> list[int]:
        """Ascending locations of the transactions that touched `address` (after catch_up)."""
        return self.by_address.get(address, [])

    def _add(self, block: StoredBlock) -> None:
        number = block.number
        self.blocks.append(BlockSummary(block.hash, int(block.header.timestamp), len(block.transactions)))
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
        keep = len(self.blocks)
        while keep and self.store.canonical_hash(keep - 1) != self.blocks[keep - 1].hash:
            keep -= 1
        if keep == len(self.blocks):
            return
        self.total_transactions -= sum(b.transactions for b in self.blocks[keep:])
        del self.blocks[keep:]
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
