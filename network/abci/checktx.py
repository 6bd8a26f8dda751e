"""CheckTx: the devnet's admission (chain/api/admission.py) plus a view of what the mempool holds.

State checks run against the last committed state, so a sender's second transaction (nonce + 1)
must not be refused for a nonce the first one has not consumed yet: admission accepts any nonce
at or above the state's, and this view refuses a second, different transaction for a nonce the
mempool already holds, since CometBFT's mempool cannot replace one (geth would replace it on a
10% fee bump; a network node says so instead). The view is emptied at every commit, when
CometBFT rechecks every transaction still in its mempool (`CheckTxType.RECHECK`), which rebuilds
it and drops what the block made invalid (nonce too low, funds spent).
"""
from __future__ import annotations

from dataclasses import dataclass

from chain.api import admission
from chain.api.blocks import BlockPipeline
from chain.backend.backend import Backend
from chain.exceptions import AlreadyKnown, ReplacementUnderpriced
from chain.pool import PooledTx


@dataclass
class MempoolView:
    """Per sender, the nonces of transactions CheckTx accepted since the last commit."""

    nonces: dict[bytes, dict[int, bytes]]

    @classmethod
    def empty(cls) -> "MempoolView":
        return cls({})

    def admit(self, ptx: PooledTx) -> None:
        """Record `ptx`; raises if the mempool already holds it or another tx with its nonce."""
        held = self.nonces.setdefault(ptx.sender, {})
        other = held.get(ptx.nonce)
        if other == ptx.hash:
            raise AlreadyKnown("already known")
        if other is not None:
            raise ReplacementUnderpriced(
                f"replacement transaction not accepted: a transaction with nonce {ptx.nonce} from "
                f"0x{ptx.sender.hex()} (0x{other.hex()}) is already in the network's mempool, and "
                "a network node cannot replace it; wait for it to be included")
        held[ptx.nonce] = ptx.hash

    def reset(self) -> None:
        self.nonces.clear()


def check(backend: Backend, blocks: BlockPipeline, view: MempoolView, raw: bytes) -> PooledTx:
    """Admit `raw` or raise the devnet's admission error (a WabeiError) for it."""
    spec = backend.spec
    tx = admission.decode_raw(spec, raw)
    sender = admission.recover_sender(spec.crypto, tx)
    ptx = admission.check_transaction(
        tx, sender, backend.head_state(), chain_id=backend.chain_id,
        block_gas_limit=blocks.next_gas_limit(), next_base_fee=blocks.next_base_fee())
    if backend.store.tx_location(ptx.hash) is not None:
        raise AlreadyKnown("already known")
    view.admit(ptx)
    return ptx
