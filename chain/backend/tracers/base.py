"""What every tracer shares: its options (chain/types.py) and the traced transaction's outcome."""
from __future__ import annotations

import math
import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from eth._utils.address import generate_contract_address
from eth.abc import ComputationAPI, MessageAPI, SignedTransactionAPI, StateAPI
from eth_typing import Address

from chain.exceptions import InvalidParams
from vm_hooks.deadline import Deadline
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


JUMPS = frozenset({0x56, 0x57})
DEFAULT_TIMEOUT_S = 5.0  # geth's default for debug_trace*
_CHECK_EVERY = 1024      # steps between clock reads: a read costs more than a step's bookkeeping


class TraceAborted(Exception):
    """A traced run was stopped before its end (timeout, answer too large). Deliberately not a
    py-evm VMError, so no frame of the computation swallows it: it unwinds the whole run, whose
    state is thrown away. The message is the JSON-RPC error's (-32000)."""


class TraceTimeout(TraceAborted):
    """A traced run went past its timeout."""


class TraceTooLarge(TraceAborted):
    """A struct log grew past the node's bound on one answer (`SizeBudget`)."""


@dataclass
class SizeBudget:
    """How many bytes of JSON one debug_trace* answer may hold, shared by every transaction of
    a traced block. `limit` 0 means no bound. The struct logger spends from it step by step, so
    a run that would build an enormous answer stops while what it holds is still small."""

    limit: int
    used: int = 0

    def spend(self, size: int) -> None:
        """Count `size` more bytes; raises TraceTooLarge once past `limit`."""
        self.used += size
        if self.limit and self.used > self.limit:
            raise TraceTooLarge(
                f"trace too large: the struct logs passed {self.limit} bytes, this node's bound "
                "on one answer (--trace-max-bytes); trace fewer steps with `limit`, leave "
                "memory out with `enableMemory: false` (the default), the stack with "
                "`disableStack: true`, or use a tracer such as callTracer")


class Tracer(TracerAPI):
    """A tracer for one transaction: the hooks of TracerAPI, then `result`.

    Every tracer watches JUMP and JUMPI at least: a run that lasts has to loop, and loops jump,
    so counting them is enough to stop a run at its deadline without wrapping every opcode.
    """

    opcodes: frozenset[int] | None = JUMPS
    # How many logs the block's earlier transactions left: a traced log's `index` counts on from
    # there, as the receipt's logIndex does (0 for debug_traceCall, as geth).
    first_log_index = 0
    _deadline = math.inf
    _ticks = 0
    _cancel: Deadline | None = None

    def set_timeout(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds

    def watch(self, cancel: Deadline) -> None:
        """Also stop when `cancel` is cancelled (node shutdown, client gone): a call worker's."""
        self._cancel = cancel

    def tick(self) -> None:
        """Count a step; raises TraceTimeout once the deadline has passed, and DeadlineExceeded
        once the watched worker deadline was cancelled."""
        self._ticks += 1
        if self._ticks % _CHECK_EVERY == 0:
            if time.monotonic() > self._deadline:
                raise TraceTimeout("execution timeout")
            if self._cancel is not None:
                self._cancel.check()

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        self.tick()

    @abstractmethod
    def result(self, outcome: TxOutcome) -> Any:
        """The tracer's answer, as plain data (ints, bytes, dataclasses); the RPC layer encodes it."""


def start_tracer(tracer: TracerAPI, state: StateAPI, tx: SignedTransactionAPI) -> None:
    """Tell `tracer` the transaction is about to run on `state` (before it buys gas)."""
    sender = Address(tx.sender)
    to = bytes(tx.to) if tx.to else bytes(generate_contract_address(sender, state.get_nonce(sender)))
    tracer.start(state, bytes(sender), to)


_BY_CODE_ADDRESS = ("DELEGATECALL", "CALLCODE")


def endpoints(message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> tuple[bytes, bytes]:
    """(from, to) as geth names them: the calling contract, and for DELEGATECALL/CALLCODE the
    code's address (py-evm's message keeps the original sender and the caller's storage)."""
    sender = bytes(parent.msg.storage_address) if parent is not None else bytes(message.sender)
    to = message.code_address if call_type in _BY_CODE_ADDRESS else message.storage_address
    return sender, bytes(to)


def config_flag(config: dict[str, Any], name: str) -> bool:
    """tracerConfig[`name`] as a boolean (absent: False); InvalidParams for anything else."""
    value = config.get(name, False)
    if not isinstance(value, bool):
        raise InvalidParams(f"invalid tracerConfig.{name}: expected true or false")
    return value
