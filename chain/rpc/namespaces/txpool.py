"""txpool_* methods, in geth's shapes."""
from __future__ import annotations

from typing import Any

from chain.pool import PooledTx, TxPool
from chain.rpc import codec
from chain.rpc.formatters import tx_json


class TxpoolNamespace:
    prefixes = ("txpool",)

    def __init__(self, pool: TxPool) -> None:
        self._pool = pool

    def status(self) -> dict[str, str]:
        pending, queued = self._pool.pending(), self._pool.queued()
        return {"pending": hex(sum(map(len, pending.values()))),
                "queued": hex(sum(map(len, queued.values())))}

    def content(self) -> dict[str, Any]:
        return self._group(lambda p: tx_json(None, None, p.tx, p.sender))

    def inspect(self) -> dict[str, Any]:
        def summary(p: PooledTx) -> str:
            to = "0x" + bytes(p.tx.to).hex() if p.tx.to else "contract creation"
            return f"{to}: {p.tx.value} wei + {p.gas} gas × {p.max_fee} wei"
        return self._group(summary)

    def contentFrom(self, address: Any) -> dict[str, Any]:
        whole = self.content()
        key = "0x" + codec.address(address, "address").hex()
        return {k: whole[k].get(key, {}) for k in ("pending", "queued")}

    def _group(self, fmt: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, groups in (("pending", self._pool.pending()), ("queued", self._pool.queued())):
            out[name] = {
                "0x" + sender.hex(): {str(p.nonce): fmt(p) for p in txs}
                for sender, txs in groups.items()
            }
        return out
