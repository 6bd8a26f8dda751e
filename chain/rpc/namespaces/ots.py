"""ots_* methods: Otterscan's small read methods (its docs/custom-jsonrpc.md, API level 8), so
the explorer page, and Otterscan itself, can show a chain without a separate indexer.

Implemented: getApiLevel, hasCode, getBlockDetails(ByHash), getBlockTransactions,
searchTransactionsBefore/After, getContractCreator, getTransactionBySenderAndNonce,
getTransactionError. Not implemented: getInternalOperations, traceTransaction (the explorer
uses debug_traceTransaction's callTracer instead). The address searches and the creator come
from the lazy in-memory AddressIndex (chain/api/address_index.py): sender, recipient and
top-level contract creation only.
"""
from __future__ import annotations

from typing import Any

from chain.api.address_index import AddressIndex, split
from chain.api.chain import Chain
from chain.api.tracing import ChainTracing
from chain.backend.vm import base_fee as header_base_fee
from chain.exceptions import InvalidParams, ResourceNotFound
from chain.rpc import codec, formatters as fmt
from chain.rpc.namespaces.common import header_at
from chain.rpc.trace_json import trace_json
from chain.storage.chain_store import StoredBlock
from chain.types import TraceOptions

API_LEVEL = 8  # the level Otterscan v2.6 asks for
MAX_PAGE = 100  # transactions per page of a search or a block (Otterscan asks for 25)


class OtsNamespace:
    prefixes = ("ots",)

    def __init__(self, chain: Chain, index: AddressIndex) -> None:
        self._reads = chain.reads
        self._index = index
        self._tracing = ChainTracing(chain.reads)

    def getApiLevel(self) -> int:
        return API_LEVEL

    def hasCode(self, address: Any, block: Any = "latest") -> bool:
        return bool(self._reads.code(codec.address(address, "address"), header_at(self._reads, block)))

    def getBlockDetails(self, number: Any) -> dict[str, Any] | None:
        try:
            header = self._header(number)
        except ResourceNotFound:
            return None
        return _details(self._reads.block(header))

    def getBlockDetailsByHash(self, block_hash: Any) -> dict[str, Any] | None:
        block = self._reads.block_or_none(codec.hash32(block_hash, "blockHash"))
        return None if block is None else _details(block)

    def getBlockTransactions(self, number: Any, page: Any, page_size: Any) -> dict[str, Any]:
        block = self._reads.block(self._header(number))
        p, size = _page_args(page, page_size)
        indexes = range(len(block.transactions))[p * size:(p + 1) * size]
        full = fmt.block_json(block, False)
        full["transactionCount"] = len(block.transactions)
        full["transactions"] = [fmt.tx_json(block, i) for i in indexes]
        receipts = [fmt.receipt_json(block, i) | {"logs": None, "logsBloom": None} for i in indexes]
        return {"fullblock": full, "receipts": receipts}

    async def searchTransactionsBefore(self, address: Any, block: Any, page_size: Any) -> dict[str, Any]:
        """Newest first, in blocks strictly before `block` (0: from the head)."""
        who, start, size = await self._search_args(address, block, page_size)
        locs = self._index.locations(who)
        older = [loc for loc in reversed(locs) if start == 0 or split(loc)[0] < start]
        page = _whole_blocks(older, size)
        return self._page(page, first=start == 0 or len(older) == len(locs),
                          last=len(page) == len(older))

    async def searchTransactionsAfter(self, address: Any, block: Any, page_size: Any) -> dict[str, Any]:
        """In blocks strictly after `block` (0: from genesis); the page is given newest first,
        as Otterscan expects."""
        who, start, size = await self._search_args(address, block, page_size)
        locs = self._index.locations(who)
        newer = [loc for loc in locs if split(loc)[0] > start]
        page = _whole_blocks(newer, size)
        return self._page(list(reversed(page)), first=len(page) == len(newer),
                          last=start == 0 or len(newer) == len(locs))

    async def getContractCreator(self, address: Any) -> dict[str, str] | None:
        who = codec.address(address, "address")
        await self._index.catch_up()
        found = self._index.creators.get(who)
        return None if found is None else {"hash": "0x" + found[0].hex(), "creator": "0x" + found[1].hex()}

    async def getTransactionBySenderAndNonce(self, sender: Any, nonce: Any) -> str | None:
        who, n = codec.address(sender, "sender"), _uint(nonce, "nonce")
        await self._index.catch_up()
        for loc in self._index.locations(who):
            block = self._block_at(split(loc)[0])
            tx = block.transactions[split(loc)[1]]
            if block.senders[split(loc)[1]] == who and tx.nonce == n:
                return "0x" + bytes(tx.hash).hex()
        return None

    async def getTransactionError(self, tx_hash: Any) -> str:
        """The revert data of a failed transaction ("0x" when it succeeded), from a replay."""
        h = codec.fixed(tx_hash, "transactionHash", 32)
        trace = trace_json(await self._tracing.trace_transaction(h, TraceOptions(tracer="callTracer")))
        frame = trace if isinstance(trace, dict) else {}
        return str(frame.get("output", "0x")) if frame.get("error") else "0x"

    async def _search_args(self, address: Any, block: Any, page_size: Any) -> tuple[bytes, int, int]:
        who = codec.address(address, "address")
        start = _uint(block, "blockNumber")
        size = _uint(page_size, "pageSize")
        if not 1 <= size <= MAX_PAGE:
            raise InvalidParams(f"pageSize must be 1 to {MAX_PAGE}")
        await self._index.catch_up()
        return who, start, size

    def _header(self, number: Any) -> Any:
        """A block number as Otterscan sends it (a JSON integer), or a hex quantity or tag."""
        if isinstance(number, int) and not isinstance(number, bool):
            return self._reads.header_by_number(_uint(number, "blockNumber"))
        return header_at(self._reads, number, "blockNumber", required=True)

    def _block_at(self, number: int) -> StoredBlock:
        return self._reads.block(self._reads.header_by_number(number))

    def _page(self, locs: list[int], *, first: bool, last: bool) -> dict[str, Any]:
        txs, receipts = [], []
        for loc in locs:
            number, i = split(loc)
            block = self._block_at(number)
            txs.append(fmt.tx_json(block, i))
            receipts.append(fmt.receipt_json(block, i) | {"timestamp": hex(block.header.timestamp)})
        return {"txs": txs, "receipts": receipts, "firstPage": first, "lastPage": last}


def _uint(value: Any, name: str) -> int:
    """Otterscan sends page numbers, sizes and block numbers as JSON integers (Erigon's Go
    uint64/uint16 parameters); hex quantities are taken too."""
    return codec.quantity(value, name, codec.UINT64_MAX, lenient=True)


def _page_args(page: Any, page_size: Any) -> tuple[int, int]:
    p = _uint(page, "pageNumber")
    size = _uint(page_size, "pageSize")
    if not 1 <= size <= MAX_PAGE:
        raise InvalidParams(f"pageSize must be 1 to {MAX_PAGE}")
    return p, size


def _whole_blocks(locs: list[int], size: int) -> list[int]:
    """The first `size` locations, extended to the end of the last block they reach, as
    Otterscan's pages never split a block."""
    if len(locs) <= size:
        return locs
    last_block = split(locs[size - 1])[0]
    end = size
    while end < len(locs) and split(locs[end])[0] == last_block:
        end += 1
    return locs[:end]


def _details(block: StoredBlock) -> dict[str, Any]:
    out = fmt.block_json(block, False)
    del out["transactions"]
    out["transactionCount"] = len(block.transactions)
    out["logsBloom"] = None
    fees = 0
    base_fee = header_base_fee(block.header)
    prev = 0
    for tx, receipt in zip(block.transactions, block.receipts):
        fees += (receipt.gas_used - prev) * fmt.effective_gas_price(tx, base_fee)
        prev = receipt.gas_used
    return {"block": out, "issuance": {"blockReward": "0x0", "uncleReward": "0x0", "issuance": "0x0"},
            "totalFees": hex(fees)}
