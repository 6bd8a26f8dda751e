"""The computation mixin that enforces governance on every message frame.

py-evm sends every frame through the computation class's `apply_message` (calls, and CREATE /
CREATE2 through `apply_create_message`, which calls it), top-level and internal alike; this
overrides both, as py-evm's own forks do, and is mixed into Wabei's computation class
(vm_hooks/computation.py). An open chain pays one storage read per frame: the Permission
account's `flags` word, 0 until a rule exists (bench/ shows no throughput change).

A refused frame is a REVERT with `Error(reason)` data before any value moves or code runs: at
the top level a failed transaction with a receipt (only the intrinsic gas is spent), inside a
contract a failed call the caller can see, and the same answer from eth_call and
eth_estimateGas, which run the same class.
"""
from __future__ import annotations

from typing import Optional

from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.exceptions import Revert
from eth.vm.computation import BaseComputation
from eth_typing import Address

from vm_hooks.addresses import PERMISSION
from vm_hooks.governance.rules import FLAGS_SLOT, frame_denial
from vm_hooks.precompile import revert
from vm_hooks.storage import slot_of


class GovernedComputation(BaseComputation):
    """Put before the fork's computation class; `configure(default_governance_admin=...)` names
    the chain's default admin (authority.py)."""

    default_governance_admin: Optional[Address] = None

    @classmethod
    def apply_message(cls, state: StateAPI, message: MessageAPI,
                      transaction_context: TransactionContextAPI,
                      parent_computation: Optional[ComputationAPI] = None) -> ComputationAPI:
        flags = state.get_storage(PERMISSION, FLAGS_SLOT)
        if flags:
            reason = frame_denial(state, message, transaction_context.origin, flags)
            if reason is not None:
                return cls._refused(state, message, transaction_context, reason)
        return super().apply_message(state, message, transaction_context, parent_computation)

    @classmethod
    def apply_create_message(cls, state: StateAPI, message: MessageAPI,
                             transaction_context: TransactionContextAPI,
                             parent_computation: Optional[ComputationAPI] = None) -> ComputationAPI:
        computation = super().apply_create_message(state, message, transaction_context, parent_computation)
        if not computation.is_error and state.get_storage(PERMISSION, FLAGS_SLOT):
            # FISCO records tx.origin as a new contract's admin once auth checks are on. Not
            # metered: the deploy's gas stays what Ethereum charges for it.
            state.set_storage(PERMISSION, slot_of("contractAdmin", message.storage_address),
                              int.from_bytes(transaction_context.origin, "big"))
        return computation

    @classmethod
    def _refused(cls, state: StateAPI, message: MessageAPI,
                 transaction_context: TransactionContextAPI, reason: str) -> ComputationAPI:
        computation = cls(state, message, transaction_context)
        data = revert(reason).data
        computation.output = data
        computation.error = Revert(data)
        return computation
