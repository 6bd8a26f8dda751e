"""One block execution shared by the producer and the importer.

Both sides open a block on a parent, run transactions once against one state and finalise once
(py-evm's MiningChain.apply_transaction re-packs the open block on every call, which makes a block
of n transactions cost O(n^2)). The producer (builder.py) skips transactions that turn out
invalid; the importer (importer.py) refuses the whole block instead. Writes go into the
`WriteBuffer` the caller passes, which the commit step (Backend.commit) flushes in one batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from eth.abc import (
    BlockAPI, BlockHeaderAPI, ComputationAPI, ReceiptAPI, SignedTransactionAPI, StateAPI,
    WithdrawalAPI,
)
from eth.vm.forks.prague import PragueVM

from chain.backend.vm import make_vm
from chain.storage.buffer import WriteBuffer
from vm_hooks.console_log import console_payloads


@dataclass(frozen=True)
class HeaderFields:
    """What the block's proposer decides; everything else follows from the parent and the body."""

    timestamp: int
    coinbase: bytes
    gas_limit: int
    mix_hash: bytes
    extra_data: bytes = b""
    # A devnet's anvil_setNextBlockBaseFeePerGas; None = EIP-1559's value from the parent. Any
    # other node refuses a block whose base fee does not follow the rule (builder.check_header).
    base_fee: int | None = None


@dataclass
class BlockTimes:
    """When a block's build reached each step, in wall-clock seconds (time.time()): the block
    and transaction flow (chain/api/flow.py) and the metrics read them. One clock read per
    transaction and three per block; nothing per opcode."""

    proposed: float = 0.0   # the run opened (a proposal, a build for consensus, or an import)
    executed: float = 0.0   # the last transaction applied
    sealed: float = 0.0     # transaction and receipt tries, state root and state persisted
    tx_executed: list[float] = field(default_factory=list)  # per included transaction, in order
    # Set by Backend.commit: when the atomic write ended, how long storing took (indexes and the
    # batch, in seconds) and the bytes of keys and values it wrote.
    committed: float = 0.0
    commit_s: float = 0.0
    commit_bytes: int = 0


@dataclass
class BuiltBlock:
    """A finished, not yet committed block: its pending writes and what executing it produced."""

    block: BlockAPI
    parent: BlockHeaderAPI
    writes: WriteBuffer
    transactions: list[SignedTransactionAPI] = field(default_factory=list)
    senders: list[bytes] = field(default_factory=list)
    receipts: list[ReceiptAPI] = field(default_factory=list)
    computations: list[ComputationAPI] = field(default_factory=list)
    # Per transaction, the raw console.log payloads it sent (vm_hooks/console_log.py).
    console_logs: list[tuple[bytes, ...]] = field(default_factory=list)
    rejected: list[tuple[SignedTransactionAPI, str]] = field(default_factory=list)
    # The state the block ran on: the parent's root, or the head state a dev method edited.
    pre_state_root: bytes = b""
    times: BlockTimes = field(default_factory=BlockTimes)


class BlockRun:
    """A block being executed: open it, apply transactions one by one, then `finish()`."""

    def __init__(self, vm_class: type[PragueVM], writes: WriteBuffer, chain_id: int,
                 parent: BlockHeaderAPI, parent_state_root: bytes, fields: HeaderFields,
                 header_overrides: Mapping[str, Any] | None = None) -> None:
        """`header_overrides` (py-evm header field names) replace what the parent implies, e.g.
        the base fee: only eth_simulateV1 passes them, for blocks that are never stored."""
        header = vm_class.create_header_from_parent(
            parent,
            coinbase=fields.coinbase,
            timestamp=fields.timestamp,
            gas_limit=fields.gas_limit,
            mix_hash=fields.mix_hash,
            extra_data=fields.extra_data,
            state_root=parent_state_root,
        )
        if header_overrides:
            header = header.copy(**header_overrides)
        if fields.base_fee is not None:
            header = header.copy(base_fee_per_gas=fields.base_fee)
        self._vm = make_vm(vm_class, header, writes, chain_id)
        self._base = vm_class.get_block_class()(header, transactions=[], uncles=[], withdrawals=[])
        self._vm.block_preprocessing(self._base)
        self.header = header  # the running header: gas used, bloom, receipt fields so far
        self.built = BuiltBlock(block=self._base, parent=parent, writes=writes,
                                pre_state_root=parent_state_root, times=BlockTimes(proposed=time.time()))

    @property
    def state(self) -> StateAPI:
        """The running state (debug_trace* attaches a tracer to it between transactions)."""
        return self._vm.state

    def gas_left(self) -> int:
        return int(self.header.gas_limit - self.header.gas_used)

    def apply(self, tx: SignedTransactionAPI) -> None:
        """Execute `tx` and add it to the block; raises py-evm's ValidationError if it is invalid
        (nonce, funds, fees, gas, the EIP-7623 floor, or more gas used than its limit), and then
        leaves the state as it was (vm.AtomicApplyPragueVM)."""
        receipt, computation = self._vm.apply_transaction(self.header, tx)
        self.header = self._vm.add_receipt_to_header(self.header, receipt)
        self.header = self._vm.increment_blob_gas_used(self.header, tx)
        built = self.built
        # The block holds the transaction itself; an impersonation wrapper (SpoofTransaction)
        # only carries the sender, which is stored beside it, and cannot be deep-copied.
        built.transactions.append(getattr(tx, "spoof_target", tx))
        built.senders.append(bytes(tx.sender))
        built.receipts.append(receipt)
        built.computations.append(computation)
        built.console_logs.append(console_payloads(computation))
        built.times.tx_executed.append(time.time())

    def finish(self, withdrawals: Sequence[WithdrawalAPI] = ()) -> BuiltBlock:
        """Set the body and the roots, and persist the state into the write buffer.

        `withdrawals` are credited after the transactions (a devnet has none; eth_simulateV1's
        block override may give some)."""
        vm = self._vm
        times = self.built.times
        times.executed = time.time()
        if withdrawals:
            vm.apply_all_withdrawals(withdrawals)
        block = vm.set_block_transactions_and_withdrawals(
            self._base, self.header, self.built.transactions, self.built.receipts,
            withdrawals=withdrawals,
        )
        block = vm.block_postprocessing(block)
        self.built.block = vm.finalize_block(block).block
        times.sealed = time.time()
        return self.built
