"""From a CometBFT block to the Ethereum block every node builds from it, and the proposer's
choice of transactions.

Every header field follows from what CometBFT decided, so every node builds the same block:
  - number = the CometBFT height (Wabei's genesis is height 0; CometBFT's first block is 1);
  - timestamp = the block's BFT time in whole seconds, but at least the parent's + 1 (Ethereum
    needs strictly increasing seconds; BFT time only increases by milliseconds);
  - coinbase = the proposer's CometBFT validator address, which is already 20 bytes (the first
    20 bytes of SHA-256 of its ed25519 key), used as the Ethereum address the fees go to;
  - gas limit = the parent's; prevrandao = the hash of the parent's hash (Backend.prevrandao);
    base fee = EIP-1559's from the parent.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from eth.abc import SignedTransactionAPI

from chain.api import admission
from chain.backend.backend import Backend
from chain.backend.execution import HeaderFields
from chain.exceptions import WabeiError
from chain.pool import TxPool
from network.abci.framing import encode_uvarint


@dataclass(frozen=True)
class BlockInputs:
    """What CometBFT decided about a block, as far as its Ethereum header depends on it."""

    height: int
    time_ns: int          # BFT time, nanoseconds since the Unix epoch
    proposer: bytes       # the proposer's validator address
    txs: tuple[bytes, ...]


def time_ns_of(timestamp: object) -> int:
    """A google.protobuf.Timestamp as integer nanoseconds."""
    return int(getattr(timestamp, "seconds")) * 10**9 + int(getattr(timestamp, "nanos"))


def coinbase_of(proposer: bytes) -> bytes:
    """The Ethereum address a proposer's fees go to: its 20-byte validator address as it is
    (any other length, which CometBFT's ed25519 and secp256k1 keys never give, is hashed)."""
    return proposer if len(proposer) == 20 else hashlib.sha256(proposer).digest()[:20]


def header_fields(backend: Backend, inputs: BlockInputs) -> HeaderFields:
    """The header choices of the block CometBFT decided at `inputs.height`, on the head."""
    seconds = inputs.time_ns // 10**9
    timestamp = max(seconds, int(backend.head.timestamp) + 1)
    return backend.header_fields(timestamp, coinbase_of(inputs.proposer))


def decode_all(backend: Backend, txs: Sequence[bytes]) -> list[SignedTransactionAPI | None]:
    """Each raw transaction decoded and its signature checked, or None where that fails."""
    out: list[SignedTransactionAPI | None] = []
    for raw in txs:
        try:
            tx = admission.decode_raw(backend.spec, raw)
            admission.recover_sender(backend.spec.crypto, tx)
            out.append(tx)
        except WabeiError:
            out.append(None)
    return out


def order_candidates(backend: Backend, txs: Sequence[bytes], max_bytes: int, gas_limit: int,
                     base_fee: int) -> list[bytes]:
    """The proposer's order: the pool's (each sender's transactions in nonce order; between
    senders the highest tip, then the earliest in the mempool), keeping only what passes
    admission against the head and fits `max_bytes` (CometBFT's bound on the block's data).

    A transaction left out for size takes its sender's later ones with it (they could not
    execute without it). Execution (PrepareProposal) then drops any that still fail.
    """
    state = backend.head_state()
    pool = TxPool(lambda sender: int(state.get_nonce(sender)))  # type: ignore[arg-type]
    raw_of: dict[bytes, bytes] = {}
    for raw in txs:
        try:
            tx = admission.decode_raw(backend.spec, raw)
            sender = admission.recover_sender(backend.spec.crypto, tx)
            ptx = admission.check_transaction(tx, sender, state, chain_id=backend.chain_id,
                                              block_gas_limit=gas_limit, next_base_fee=base_fee)
            pool.add(ptx)
        except WabeiError:
            continue
        raw_of[ptx.hash] = raw
    chosen: list[bytes] = []
    size = 0
    cut: set[bytes] = set()
    for ptx in pool.ready(base_fee):
        raw = raw_of[ptx.hash]
        # As CometBFT counts it (ComputeProtoSizeForTxs): each tx is a length-delimited field.
        cost = 1 + len(encode_uvarint(len(raw))) + len(raw)
        if ptx.sender in cut or size + cost > max_bytes:
            cut.add(ptx.sender)
            continue
        chosen.append(raw)
        size += cost
    return chosen
