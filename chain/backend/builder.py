"""Build one block: execute its transactions once against one state, finalise once.

py-evm's MiningChain.apply_transaction re-packs the open block on every call, which makes a block of
n transactions cost O(n^2). Here each transaction runs exactly once, the transaction and receipt tries
are built once, and the state root is computed once, in `finalize_block`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from eth.abc import (
    AtomicDatabaseAPI,
    BlockAPI,
    BlockHeaderAPI,
    ComputationAPI,
    ReceiptAPI,
    SignedTransactionAPI,
)
from eth.vm.forks.prague import PragueVM
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError

from chain.backend.vm import make_vm


@dataclass(frozen=True)
class BlockSpec:
    """What the block producer decides; everything else follows from the parent."""

    timestamp: int
    coinbase: bytes
    gas_limit: int
    parent_state_root: bytes | None = None  # None = the parent header's (dev edits change it)


@dataclass
class BuiltBlock:
    block: BlockAPI
    transactions: list[SignedTransactionAPI] = field(default_factory=list)
    senders: list[bytes] = field(default_factory=list)
    receipts: list[ReceiptAPI] = field(default_factory=list)
    computations: list[ComputationAPI] = field(default_factory=list)
    rejected: list[tuple[SignedTransactionAPI, str]] = field(default_factory=list)


def build_block(
    vm_class: type[PragueVM],
    db: AtomicDatabaseAPI,
    chain_id: int,
    parent: BlockHeaderAPI,
    spec: BlockSpec,
    candidates: Sequence[SignedTransactionAPI],
) -> BuiltBlock:
    """Execute `candidates` in order on top of `parent`; skip any that turn out invalid.

    State, trie nodes and the header are written into `db`; the caller passes a batch and commits it
    together with its own indexes, so a block becomes visible atomically.
    """
    fields = dict(
        coinbase=spec.coinbase,
        timestamp=spec.timestamp,
        gas_limit=spec.gas_limit,
        # prevrandao: unpredictable enough for a devnet, and reproducible from the parent
        mix_hash=keccak(bytes(parent.hash) + b"prevrandao"),
    )
    if spec.parent_state_root is not None:
        fields["state_root"] = spec.parent_state_root
    header = vm_class.create_header_from_parent(parent, **fields)
    vm = make_vm(vm_class, header, db, chain_id)
    base_block = vm_class.get_block_class()(header, transactions=[], uncles=[], withdrawals=[])
    vm.block_preprocessing(base_block)

    built = BuiltBlock(block=base_block)
    running = header
    for tx in candidates:
        if running.gas_used + tx.gas > running.gas_limit:
            built.rejected.append((tx, "block gas limit reached"))
            continue
        snapshot = vm.state.snapshot()
        try:
            receipt, computation = vm.apply_transaction(running, tx)
        except ValidationError as exc:
            vm.state.revert(snapshot)
            built.rejected.append((tx, str(exc)))
            continue
        running = vm.add_receipt_to_header(running, receipt)
        running = vm.increment_blob_gas_used(running, tx)
        # The block holds the transaction itself; an impersonation wrapper (SpoofTransaction)
        # only carries the sender, which is stored beside it, and cannot be deep-copied.
        built.transactions.append(getattr(tx, "spoof_target", tx))
        built.senders.append(bytes(tx.sender))
        built.receipts.append(receipt)
        built.computations.append(computation)

    block = vm.set_block_transactions_and_withdrawals(
        base_block, running, built.transactions, built.receipts, withdrawals=()
    )
    block = vm.block_postprocessing(block)
    built.block = vm.finalize_block(block).block
    return built
