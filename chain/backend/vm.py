"""The one place that chooses the py-evm VM class and the objects it needs to run."""
from __future__ import annotations

import functools
from typing import Iterable

from eth.abc import (
    AtomicDatabaseAPI,
    BlockHeaderAPI,
    ComputationAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    StateAPI,
)
from eth.consensus.context import ConsensusContext
from eth.constants import GAS_TX
from eth.db.chain import ChainDB
from eth.vm.chain_context import ChainContext
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.constants import STANDARD_TOKEN_COST, TOTAL_COST_FLOOR_PER_TOKEN
from eth.vm.forks.prague.state import PragueState
from eth_typing import Address
from eth_utils.exceptions import ValidationError

from chain.backend.compiled_state import CompiledTrieAccountDB
from chain.backend.compiled_trie import compiled_trie_enabled
from chain.backend.preimages import PreimageRecordingAccountDB
from chain.backend.sealing import SealingPragueVM
from chain.crypto import ETHEREUM, CryptoSuite
from vm_hooks.computation import WabeiComputation
from vm_hooks.regulation.report import ReportingContext
from vm_hooks.tracing import TracingStateMixin


def data_floor_gas(data: bytes) -> int:
    """EIP-7623's least gas for a Prague transaction carrying `data` (calldata or initcode).

    21,000 plus 10 gas per token, where a zero byte is one token and any other byte four. A
    transaction whose gas limit is below it is invalid, and one that uses less is charged it.
    """
    zeros = data.count(0)
    tokens = zeros + (len(data) - zeros) * STANDARD_TOKEN_COST
    return GAS_TX + TOTAL_COST_FLOOR_PER_TOKEN * tokens


class FloorCheckingPragueState(PragueState):
    """Prague's state with EIP-7623's validity rule, which py-evm 0.12.1b1 leaves out.

    py-evm applies the floor only after execution (`calc_data_floor_gas` in the executor's
    `finalize_computation` adds the shortfall to the gas used) and never checks that the gas
    limit covers it. A transaction whose limit lies between its intrinsic gas and its floor was
    therefore executed, ran out of gas, and was charged limit + shortfall: a receipt recording
    more gas than the transaction's own limit (134,000 for 2,825 bytes of initcode sent with
    100,000), a sender debited for gas it never bought (the "refund" turns negative), in a block
    no other client accepts. geth refuses it before execution with
    ErrFloorDataGas; this raises py-evm's ValidationError at the same step, so the builder skips
    such a transaction, the importer refuses a block with one, and calls answer it as invalid.
    """

    def validate_transaction(self, transaction: SignedTransactionAPI) -> None:
        super().validate_transaction(transaction)
        floor = data_floor_gas(bytes(transaction.data))
        if transaction.gas < floor:
            raise ValidationError(
                f"insufficient gas for floor data gas cost: have {transaction.gas}, want {floor}"
            )


class AtomicApplyPragueVM(SealingPragueVM):
    """PragueVM whose `apply_transaction` leaves the state as it found it when it raises.

    py-evm's version calls `state.lock_changes()`, which drops every journal checkpoint, before it
    executes: a snapshot the caller took before the call can no longer be reverted to ("No
    checkpoint N was found"), so a transaction refused inside the state (funds spent by an
    earlier transaction of the block, a limit below the EIP-7623 floor) crashed the producer. This
    takes the snapshot after the lock and reverts to it on ValidationError. It also refuses a
    receipt that records more gas than the transaction's limit, which no valid block holds.
    """

    def apply_transaction(
        self, header: BlockHeaderAPI, transaction: SignedTransactionAPI
    ) -> tuple[ReceiptAPI, ComputationAPI]:
        self.validate_transaction_against_header(header, transaction)
        self.state.lock_changes()
        snapshot = self.state.snapshot()
        try:
            computation = self.state.apply_transaction(transaction)
            receipt = self.make_receipt(header, transaction, computation, self.state)
            self.validate_receipt(receipt)
            used = receipt.gas_used - header.gas_used
            if used > transaction.gas:
                raise ValidationError(
                    f"transaction used {used} gas, more than its limit {transaction.gas}"
                )
        except ValidationError:
            self.state.revert(snapshot)
            raise
        self.state.commit(snapshot)
        return receipt, computation


def build_vm_class(crypto: CryptoSuite, governance_admin: bytes | None = None) -> type[PragueVM]:
    """The py-evm VM class of a Wabei chain with the crypto suite `crypto`.

    Prague is the newest fork py-evm 0.12 implements; Solidity targets `cancun`, which it runs.
    The state records address and slot preimages so the state can be listed (dumps), and runs
    Wabei's computation class, which adds the platform precompiles (vm_hooks), with a
    transaction context that collects console.log payloads (vm_hooks/console_log.py) and
    interception reports (vm_hooks/regulation/report.py). One class
    per suite and default governance admin (vm_hooks/governance/authority.py: a devnet's first
    account, None on a network chain), so every chain of a kind shares it.

    The state trie is the compiled one (chain/backend/compiled_trie.py) when it is installed,
    not turned off by WABEI_PURE_TRIE=1, and the suite hashes with keccak (the only hash
    `wabei_trie` knows); otherwise py-trie. Both write the same nodes.
    """
    return _build_vm_class(crypto, governance_admin, use_compiled_trie(crypto))


def use_compiled_trie(crypto: CryptoSuite) -> bool:
    """True when a chain with `crypto` runs its state trie on `wabei_trie`."""
    return compiled_trie_enabled() and crypto.hash is ETHEREUM.hash


@functools.cache
def _build_vm_class(crypto: CryptoSuite, governance_admin: bytes | None, compiled_trie: bool) -> type[PragueVM]:
    base = CompiledTrieAccountDB if compiled_trie else PreimageRecordingAccountDB
    account_db = type(f"PreimageAccountDB_{crypto.name}", (base,),
                      {"key_hash": staticmethod(crypto.hash)})
    state = FloorCheckingPragueState.configure(
        __name__=f"WabeiPragueState_{crypto.name}",
        account_db_class=account_db,
        computation_class=_computation_class(governance_admin),
        transaction_context_class=ReportingContext,
    )
    vm: type[PragueVM] = AtomicApplyPragueVM.configure(__name__=f"WabeiPragueVM_{crypto.name}", _state_class=state)
    return vm


def _computation_class(governance_admin: bytes | None) -> type[ComputationAPI]:
    if governance_admin is None:
        return WabeiComputation
    return WabeiComputation.configure(
        __name__=f"WabeiPragueComputation_{governance_admin.hex()[:8]}",
        default_governance_admin=Address(governance_admin))


@functools.cache
def build_traced_vm_class(vm_class: type[PragueVM]) -> type[PragueVM]:
    """`vm_class` with a state that can run a tracer (vm_hooks/tracing.py), for debug_trace*.

    Only traced runs use it; the chain's own `vm_class` is untouched, so mining, imports and calls
    never pass through a tracing hook.
    """
    state = vm_class.get_state_class()
    traced_state = type(f"Tracing{state.__name__}", (TracingStateMixin, state),
                        {"plain_computation_class": state.computation_class})
    vm: type[PragueVM] = vm_class.configure(__name__=f"Tracing{vm_class.__name__}",
                                            _state_class=traced_state)
    return vm


def base_fee(header: BlockHeaderAPI) -> int:
    """`header`'s base fee per gas, in wei.

    py-evm types it Optional because pre-London headers have none; every header this node makes
    is Prague. Raises TypeError for a header without one, as `int(None)` did before this check.
    """
    fee = header.base_fee_per_gas
    if fee is None:
        raise TypeError(f"block {header.block_number} has no base fee (pre-London header)")
    return int(fee)


def make_vm(
    vm_class: type[PragueVM], header: BlockHeaderAPI, db: AtomicDatabaseAPI, chain_id: int
) -> PragueVM:
    """A VM positioned on `header` (the block being built, or the block to read/call at)."""
    chaindb = ChainDB(db)
    return vm_class(
        header=header,
        chaindb=chaindb,
        chain_context=ChainContext(chain_id),
        consensus_context=ConsensusContext(db),
    )


def build_state(
    vm_class: type[PragueVM],
    header: BlockHeaderAPI,
    db: AtomicDatabaseAPI,
    chain_id: int,
    previous_hashes: Iterable[bytes] = (),
) -> StateAPI:
    """State after `header` with `header`'s block context, for reads and calls."""
    return vm_class.build_state(db, header, ChainContext(chain_id), previous_hashes)  # type: ignore[arg-type]
