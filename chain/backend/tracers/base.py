"""What every tracer shares: its options (chain/types.py) and the traced transaction's outcome."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from eth._utils.address import generate_contract_address
from eth.abc import ComputationAPI, SignedTransactionAPI, StateAPI
from eth_typing import Address

from chain.types import TraceOptions
from vm_hooks.tracing import TracerAPI


@dataclass(frozen=True)
class TxOutcome:
    """How the traced transaction ended, for a tracer's result.

    `gas_limit` is the transaction's gas; `gas_used` what its receipt says (intrinsic gas plus
    execution, minus the refund), as geth reports at the top of a trace.
    """

    gas_limit: int
    gas_used: int
    value: int
    computation: ComputationAPI


class Tracer(TracerAPI):
    """A tracer for one transaction: the hooks of TracerAPI, then `result`."""

    @abstractmethod
    def result(self, outcome: TxOutcome) -> Any:
        """The tracer's answer, as plain data (ints, bytes, dataclasses); the RPC layer encodes it."""


def start_tracer(tracer: TracerAPI, state: StateAPI, tx: SignedTransactionAPI) -> None:
    """Tell `tracer` the transaction is about to run on `state` (before it buys gas)."""
    sender = Address(tx.sender)
    to = bytes(tx.to) if tx.to else bytes(generate_contract_address(sender, state.get_nonce(sender)))
    tracer.start(state, bytes(sender), to)
