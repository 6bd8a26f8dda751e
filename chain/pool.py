"""The transaction pool: per-sender nonce ordering, queued future nonces, fee-bump replacement.

Pure bookkeeping: the pool never executes anything. It asks `nonce_of(sender)` for the sender's
nonce in the head state; a transaction is *pending* when it continues the sender's nonce sequence
without a gap and *queued* otherwise, like geth's txpool.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from chain.exceptions import AlreadyKnown, NonceTooLow, PoolFull, ReplacementUnderpriced

# geth and Anvil both demand a 10% bump of both fee fields to replace a transaction.
REPLACEMENT_BUMP_PERCENT = 10


@dataclass(frozen=True)
class PooledTx:
    hash: bytes
    sender: bytes
    nonce: int
    gas: int
    max_fee: int           # max_fee_per_gas, or gas_price for legacy transactions
    max_priority_fee: int  # max_priority_fee_per_gas, or gas_price for legacy transactions
    tx: Any                # the signed py-evm transaction, opaque here
    seq: int = 0           # arrival order, the tie-breaker between senders

    def effective_tip(self, base_fee: int) -> int:
        return min(self.max_priority_fee, self.max_fee - base_fee)


class TxPool:
    """Not thread-safe: the node runs it on its event loop."""

    def __init__(self, nonce_of: Callable[[bytes], int], max_size: int = 20_000) -> None:
        self._nonce_of = nonce_of
        self._max_size = max_size
        self._by_sender: dict[bytes, dict[int, PooledTx]] = {}
        self._by_hash: dict[bytes, PooledTx] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._by_hash)

    def __contains__(self, tx_hash: bytes) -> bool:
        return tx_hash in self._by_hash

    def get(self, tx_hash: bytes) -> PooledTx | None:
        return self._by_hash.get(tx_hash)

    def add(self, ptx: PooledTx) -> PooledTx | None:
        """Admit `ptx`; return the transaction it replaced, if any.

        Raises AlreadyKnown, NonceTooLow, ReplacementUnderpriced or PoolFull.
        """
        if ptx.hash in self._by_hash:
            raise AlreadyKnown("already known")
        state_nonce = self._nonce_of(ptx.sender)
        if ptx.nonce < state_nonce:
            raise NonceTooLow(
                f"nonce too low: next nonce {state_nonce}, tx nonce {ptx.nonce}"
            )
        slots = self._by_sender.setdefault(ptx.sender, {})
        old = slots.get(ptx.nonce)
        if old is not None and not _outbids(ptx, old):
            raise ReplacementUnderpriced(
                "replacement transaction underpriced: raise both maxFeePerGas and "
                f"maxPriorityFeePerGas by at least {REPLACEMENT_BUMP_PERCENT}%"
            )
        if old is None and len(self._by_hash) >= self._max_size:
            raise PoolFull(f"txpool is full ({self._max_size} transactions)")
        self._seq += 1
        ptx = PooledTx(**{**ptx.__dict__, "seq": self._seq})
        if old is not None:
            del self._by_hash[old.hash]
        slots[ptx.nonce] = ptx
        self._by_hash[ptx.hash] = ptx
        return old

    def remove(self, tx_hash: bytes) -> PooledTx | None:
        ptx = self._by_hash.pop(tx_hash, None)
        if ptx is not None:
            slots = self._by_sender[ptx.sender]
            del slots[ptx.nonce]
            if not slots:
                del self._by_sender[ptx.sender]
        return ptx

    def clear(self) -> None:
        self._by_sender.clear()
        self._by_hash.clear()

    def prune(self) -> list[PooledTx]:
        """Drop transactions whose nonce the head state has passed (mined, or made stale)."""
        stale = [
            ptx
            for sender, slots in self._by_sender.items()
            for nonce, ptx in slots.items()
            if nonce < self._nonce_of(sender)
        ]
        for ptx in stale:
            self.remove(ptx.hash)
        return stale

    def next_nonce(self, sender: bytes) -> int:
        """The nonce a new transaction from `sender` should use ("pending" transaction count)."""
        nonce = self._nonce_of(sender)
        slots = self._by_sender.get(sender, {})
        while nonce in slots:
            nonce += 1
        return nonce

    def _split(self) -> tuple[dict[bytes, list[PooledTx]], dict[bytes, list[PooledTx]]]:
        pending: dict[bytes, list[PooledTx]] = {}
        queued: dict[bytes, list[PooledTx]] = {}
        for sender, slots in self._by_sender.items():
            expected = self._nonce_of(sender)
            for nonce in sorted(slots):
                target = pending if nonce == expected else queued
                if nonce == expected:
                    expected += 1
                target.setdefault(sender, []).append(slots[nonce])
        return pending, queued

    def pending(self) -> dict[bytes, list[PooledTx]]:
        return self._split()[0]

    def queued(self) -> dict[bytes, list[PooledTx]]:
        return self._split()[1]

    def ready(self, base_fee: int) -> list[PooledTx]:
        """Executable transactions in mining order.

        Each sender's transactions stay in nonce order; between senders the highest effective tip
        goes first, then the earliest arrival. Transactions whose fee cap is below `base_fee` wait,
        and so do their successors.
        """
        heads: list[Iterator[PooledTx]] = []
        for txs in self.pending().values():
            affordable = []
            for ptx in txs:
                if ptx.max_fee < base_fee:
                    break
                affordable.append(ptx)
            if affordable:
                heads.append(iter(affordable))
        order: list[PooledTx] = []
        current = {i: next(it) for i, it in enumerate(heads)}
        while current:
            i = min(current, key=lambda k: (-current[k].effective_tip(base_fee), current[k].seq))
            order.append(current[i])
            following = next(heads[i], None)
            if following is None:
                del current[i]
            else:
                current[i] = following
        return order


def _outbids(new: PooledTx, old: PooledTx) -> bool:
    factor = 100 + REPLACEMENT_BUMP_PERCENT
    return (
        new.max_fee * 100 >= old.max_fee * factor
        and new.max_priority_fee * 100 >= old.max_priority_fee * factor
    )
