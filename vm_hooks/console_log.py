"""console.log capture: the payloads contracts send to Hardhat's console address.

hardhat/console.sol (and forge-std's console2) STATICCALL `0x000000000000000000636F6e736F6c652e6c6f67`
with `abi.encodeWithSignature("log(...)", ...)`. That address has no code and is no precompile,
so the call costs what a call to any empty account costs (2,600 gas cold, 100 warm, under
EIP-2929). Registering it as a precompile would change that: py-evm warms every precompile at
the start of each transaction, so the first call would cost 100 instead of 2,600 and gasUsed
would differ from Hardhat's, Anvil's and geth's. So this only watches messages go by:

- `ConsoleLogContext` is the state's transaction context class: py-evm builds one per
  transaction (and per system call), so each transaction's payloads stay apart with no
  draining, and a call or a replay reads them from the computation it gets back
  (`console_payloads`).
- `ConsoleObservingComputation.apply_message` compares each message's target with the console
  address before handing it on unchanged: one bytes comparison per message frame (not per
  instruction) is all the mining path pays. Payloads from frames that later revert are kept,
  as Hardhat and Anvil keep them: that is when a developer needs them most.

Decoding and formatting happen later, outside the EVM, and only when somebody prints or asks
(chain/console_log).
"""
from __future__ import annotations

from typing import Any, Optional

from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.vm.computation import BaseComputation
from eth.vm.forks.cancun.transaction_context import CancunTransactionContext
from eth_typing import Address

CONSOLE_ADDRESS = Address(bytes.fromhex("000000000000000000636f6e736f6c652e6c6f67"))


class ConsoleLogContext(CancunTransactionContext):
    """Prague's transaction context (py-evm reuses Cancun's), plus the console payloads sent
    during its transaction, in call order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.console_payloads: list[bytes] = []


class ConsoleObservingComputation(BaseComputation):
    """Put before the fork's computation class: notes every message sent to the console
    address, then runs it exactly as py-evm would (an empty account: no code, no output)."""

    @classmethod
    def apply_message(cls, state: StateAPI, message: MessageAPI,
                      transaction_context: TransactionContextAPI,
                      parent_computation: Optional[ComputationAPI] = None) -> ComputationAPI:
        # `to` is the called account, as Anvil checks it: a DELEGATECALL to the console runs
        # its (empty) code in the caller's account and is not a log.
        if message.to == CONSOLE_ADDRESS and isinstance(transaction_context, ConsoleLogContext):
            transaction_context.console_payloads.append(bytes(message.data))
        return super().apply_message(state, message, transaction_context, parent_computation)


def console_payloads(computation: ComputationAPI) -> tuple[bytes, ...]:
    """The console payloads of the transaction (or call) that `computation` ran, in order;
    empty for a context that does not collect them."""
    context = computation.transaction_context
    if isinstance(context, ConsoleLogContext):
        return tuple(context.console_payloads)
    return ()
