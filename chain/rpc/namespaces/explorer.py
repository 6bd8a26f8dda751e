"""wabei_* methods the explorer page reads with (docs/explorer.md): uploaded ABIs and the
overview's transaction history. Decode, call, encode."""
from __future__ import annotations

from typing import Any

from chain.api.abi_store import AbiStore, validate_abi
from chain.api.address_index import AddressIndex
from chain.api.chain import Chain
from chain.exceptions import InvalidParams
from chain.rpc import codec

DAY_S = 86_400
MAX_DAYS = 90
MAX_RECENT = 500


class ExplorerNamespace:
    prefixes = ("wabei",)

    def __init__(self, chain: Chain, index: AddressIndex) -> None:
        self._reads = chain.reads
        self._abis = AbiStore(chain.backend.db)
        self._index = index

    def putAbi(self, address: Any, abi: Any) -> bool:
        """Keep a user's ABI for a contract on this node (not on chain): an array, or a string
        holding one (an uploaded file's text). -32602 says what is malformed."""
        where = codec.address(address, "address")
        self._abis.put(where, validate_abi(abi))
        return True

    def getAbi(self, address: Any) -> list[dict[str, Any]] | None:
        """The ABI uploaded for `address` on this node, or null."""
        return self._abis.get(codec.address(address, "address"))

    async def chainStats(self, days: Any = "0xe", recent: Any = "0x64") -> dict[str, Any]:
        """Totals and history for the overview: transactions in all, per day for the last `days`
        days (ending on the head's day, by block time), and the last `recent` blocks' times and
        transaction counts. The first call indexes the chain (chain/api/address_index.py)."""
        n_days = codec.quantity(days, "days", codec.UINT64_MAX)
        n_recent = codec.quantity(recent, "recent", codec.UINT64_MAX)
        if not 1 <= n_days <= MAX_DAYS:
            raise InvalidParams(f"days must be 1 to {MAX_DAYS}")
        if not 1 <= n_recent <= MAX_RECENT:
            raise InvalidParams(f"recent must be 1 to {MAX_RECENT}")
        await self._index.catch_up()
        times, counts = self._index.times, self._index.counts
        head_day = times[-1] // DAY_S if times else 0
        first_day = head_day - n_days + 1
        per_day = {d: [0, 0] for d in range(first_day, head_day + 1)}
        for number in range(len(times) - 1, -1, -1):
            day = times[number] // DAY_S
            if day < first_day:
                break
            if day in per_day:  # a dev clock moved back can leave a later block on an earlier day
                per_day[day][0] += counts[number]
                per_day[day][1] += 1
        start = max(0, len(times) - n_recent)
        return {
            "totalTransactions": hex(self._index.total_transactions),
            "indexedBlocks": hex(len(times)),
            "perDay": [{"day": hex(d * DAY_S), "transactions": hex(t), "blocks": hex(b)}
                       for d, (t, b) in per_day.items()],
            "recentBlocks": [{"number": hex(n), "timestamp": hex(times[n]), "transactions": hex(counts[n])}
                             for n in range(start, len(times))],
        }
