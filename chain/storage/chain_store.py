"""Wabei's own block index over a key-value database.

py-evm's ChainDB decides the canonical chain by score, which cannot express "revert the head to
block N" (post-merge scores tie). Wabei therefore keeps its own canonical index, head pointer,
transaction locations and receipts here, and uses py-evm only for headers-by-hash (which the VM
reads for BLOCKHASH) and for state. Every write of one block goes through one batch, so a block,
its receipts, its state and the new head become visible together.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth.abc import BlockHeaderAPI, DatabaseAPI, ReceiptAPI, SignedTransactionAPI
from typing import TYPE_CHECKING

from chain.storage import interceptions

if TYPE_CHECKING:  # the spec imports py-evm's VM; the store needs only its codecs
    from chain.spec import ChainSpec

_HEAD = b"wabei:head"
_META = b"wabei:meta:"
_CANON = b"wabei:canon:"
_BODY = b"wabei:body:"
_SENDERS = b"wabei:senders:"
_RECEIPTS = b"wabei:receipts:"
_TX = b"wabei:tx:"
RECENT_BLOCKS = 64  # decoded blocks kept in memory: clients read the block they just mined


def _num_key(prefix: bytes, number: int) -> bytes:
    return prefix + number.to_bytes(8, "big")


@dataclass(frozen=True)
class StoredBlock:
    """A block as clients see it: header, transactions with their senders, receipts."""

    header: BlockHeaderAPI
    transactions: tuple[SignedTransactionAPI, ...]
    senders: tuple[bytes, ...]
    receipts: tuple[ReceiptAPI, ...]

    @property
    def hash(self) -> bytes:
        return bytes(self.header.hash)

    @property
    def number(self) -> int:
        return int(self.header.block_number)


@dataclass(frozen=True)
class TxLocation:
    block_hash: bytes
    block_number: int
    index: int


class ChainStore:
    """Reads and writes Wabei's block index. Writes go to whatever db it was given (a batch)."""

    def __init__(self, db: DatabaseAPI, spec: "ChainSpec") -> None:
        self.db = db
        self.spec = spec
        # By hash, so always valid: a hash fixes header, transactions and receipts, and stored
        # bodies are never rewritten (evm_revert only drops their canonical index).
        self._recent: OrderedDict[bytes, StoredBlock] = OrderedDict()

    def remember(self, block: StoredBlock) -> None:
        """Keep a block that was just committed, so reading it back does not decode it again."""
        self._recent[block.hash] = block
        self._recent.move_to_end(block.hash)
        while len(self._recent) > RECENT_BLOCKS:
            self._recent.popitem(last=False)

    def forget(self) -> None:
        """Drop the remembered blocks (the database was replaced underneath, e.g. a state load)."""
        self._recent.clear()

    # -- writes ----------------------------------------------------------------------------
    def write_block(self, block: StoredBlock) -> None:
        """Store a block and make it the canonical head. Caller batches the writes."""
        h = block.hash
        self.db[h] = rlp.encode(block.header)  # same key layout as py-evm's HeaderDB
        self.db[_BODY + h] = rlp.encode([tx.encode() for tx in block.transactions])
        self.db[_SENDERS + h] = b"".join(block.senders)
        self.db[_RECEIPTS + h] = rlp.encode([r.encode() for r in block.receipts])
        for i, tx in enumerate(block.transactions):
            self.db[_TX + bytes(tx.hash)] = rlp.encode([h, block.number, i])
        self.db[_num_key(_CANON, block.number)] = h
        self.db[_HEAD] = h
        if interceptions.may_hold_reports(int(block.header.bloom)):
            interceptions.index_block(self.db, block.number, h, [
                (bytes(tx.hash), [(bytes(log.address), tuple(log.topics), bytes(log.data)) for log in r.logs])
                for tx, r in zip(block.transactions, block.receipts)])

    def write_empty_block(self, block_hash: bytes, number: int, encoded_header: bytes) -> None:
        """Store a block with no transactions from its header's encoding and make it the head
        (chain/backend/empty_run.py): the header and the canonical index only, two rows instead
        of five, since its empty transaction root already says it has no body."""
        self.db[block_hash] = encoded_header  # no body rows: `block` knows an empty one by its roots
        self.db[_num_key(_CANON, number)] = block_hash
        self.db[_HEAD] = block_hash

    def rewind_to(self, number: int) -> None:
        """Drop canonical blocks above `number` (evm_revert). Their bodies stay, unindexed."""
        head = self.head_number()
        for n in range(head, number, -1):
            block = self.block_by_number(n)
            if block is None:
                continue
            for tx in block.transactions:
                key = _TX + bytes(tx.hash)
                if key in self.db:
                    del self.db[key]
            del self.db[_num_key(_CANON, n)]
        interceptions.drop_above(self.db, number)
        self.db[_HEAD] = self.canonical_hash(number) or b""

    def set_meta(self, name: str, value: bytes) -> None:
        self.db[_META + name.encode()] = value

    # -- reads -----------------------------------------------------------------------------
    def meta(self, name: str) -> bytes | None:
        return self.db.get(_META + name.encode())

    def head_hash(self) -> bytes | None:
        value = self.db.get(_HEAD)
        return bytes(value) if value else None

    def head_number(self) -> int:
        h = self.head_hash()
        return -1 if h is None else int(self.header(h).block_number)  # type: ignore[union-attr]

    def canonical_hash(self, number: int) -> bytes | None:
        value = self.db.get(_num_key(_CANON, number))
        return bytes(value) if value else None

    def header(self, block_hash: bytes) -> BlockHeaderAPI | None:
        data = self.db.get(block_hash)
        if data is None:
            return None
        return self.spec.decode_header(bytes(data))

    def canonical_bloom(self, number: int) -> tuple[bytes, int] | None:
        """The hash and logs bloom of canonical block `number`, without decoding its header
        into py-evm's class (a fifth of the cost; log scans read one per block)."""
        block_hash = self.canonical_hash(number)
        data = None if block_hash is None else self.db.get(block_hash)
        if block_hash is None or data is None:
            return None
        return block_hash, int.from_bytes(rlp.decode(bytes(data))[6], "big")  # field 6: logsBloom

    def is_canonical(self, block_hash: bytes) -> bool:
        header = self.header(block_hash)
        return header is not None and self.canonical_hash(header.block_number) == block_hash

    def block(self, block_hash: bytes) -> StoredBlock | None:
        recent = self._recent.get(block_hash)
        if recent is not None:
            return recent
        header = self.header(block_hash)
        if header is None:
            return None
        if _BODY + block_hash not in self.db:
            # Only a block of an empty run is stored without a body (write_empty_block).
            if header.transaction_root != BLANK_ROOT_HASH:
                return None
            return StoredBlock(header, (), (), ())
        raw_txs: Sequence[bytes] = rlp.decode(self.db[_BODY + block_hash])
        txs = tuple(self.spec.decode_transaction(raw) for raw in raw_txs)
        packed = bytes(self.db[_SENDERS + block_hash])
        senders = tuple(packed[i : i + 20] for i in range(0, len(packed), 20))
        raw_receipts: Sequence[bytes] = rlp.decode(self.db[_RECEIPTS + block_hash])
        receipts = tuple(self.spec.decode_receipt(raw) for raw in raw_receipts)
        return StoredBlock(header, txs, senders, receipts)

    def block_by_number(self, number: int) -> StoredBlock | None:
        h = self.canonical_hash(number)
        return None if h is None else self.block(h)

    def interception_count(self) -> int:
        """How many interception reports the canonical chain holds (chain/storage/interceptions.py):
        the total the metrics export and wabei_getInterceptions pages through."""
        return interceptions.total(self.db, lambda n, h: self.canonical_hash(n) == h)

    def interception_page(self, start: int, limit: int) -> tuple[int, list[interceptions.IndexedReport]]:
        """(total, reports start .. start + limit - 1) in chain order."""
        count = self.interception_count()
        return count, interceptions.page(self.db, start, limit, count)

    def tx_location(self, tx_hash: bytes) -> TxLocation | None:
        data = self.db.get(_TX + tx_hash)
        if data is None:
            return None
        block_hash, number, index = rlp.decode(data)
        return TxLocation(bytes(block_hash), int.from_bytes(number, "big"), int.from_bytes(index, "big"))
