"""The default tracer: geth's struct logger (eth/tracers/logger), one entry per instruction."""
from __future__ import annotations

from dataclasses import dataclass, field

from eth.abc import ComputationAPI, MessageAPI
from eth.exceptions import Revert, VMError
from eth_typing import Address

from chain.backend.revert import vm_error_text
from chain.backend.tracers.base import SizeBudget, Tracer, TxOutcome
from chain.backend.tracers.opnames import op_name
from chain.types import TraceOptions
from vm_hooks.tracing import CALL_OPS, CREATE_OPS, memory_bytes, stack_values

SLOAD, SSTORE = 0x54, 0x55

# Bytes of JSON a struct log takes, for SizeBudget: the fixed fields ({"pc":..,"op":..,"gas":..,
# "gasCost":..,"depth":..} with room for large numbers), a quoted 0x-word with its comma, and a
# stack entry's quotes, 0x and comma around its hex digits.
_ENTRY_BYTES = 80
_WORD_BYTES = 69
_STACK_ITEM_BYTES = 5


@dataclass
class StructLog:
    """One executed instruction, with the machine state before it (geth's StructLogRes)."""

    pc: int
    op: str
    gas: int                              # gas left before the instruction
    gas_cost: int                         # geth's cost: a CALL's includes the gas it forwards
    depth: int                            # 1 for the transaction's own frame
    stack: list[int] | None = None        # bottom first
    memory: bytes | None = None
    storage: dict[int, int] | None = None  # slots this contract read or wrote so far
    return_data: bytes | None = None
    refund: int = 0
    error: str | None = None


@dataclass
class StructLogResult:
    gas: int
    failed: bool
    return_value: bytes
    struct_logs: list[StructLog]


@dataclass
class _Frame:
    computation: ComputationAPI | None = None
    after_pc: int = 0                      # program counter when the last instruction ended
    pending: list[tuple[StructLog | None, int, int]] = field(default_factory=list)
    child: tuple[int, int] | None = None  # (gas, gas used) of the child the last op ran


class StructLogger(Tracer):
    """Records every instruction. Costs a Python call and a stack copy per instruction, so it is
    only ever attached to the one transaction being traced."""

    opcodes = None  # every byte

    def __init__(self, options: TraceOptions, budget: SizeBudget | None = None) -> None:
        self._opt = options
        self._budget = budget or SizeBudget(0)
        self._logs: list[StructLog] = []
        self._frames: list[_Frame] = []
        self._storage: dict[bytes, dict[int, int]] = {}
        self._refund = 0

    # -- frames ------------------------------------------------------------------------------
    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        self._frames.append(_Frame())

    def exit(self, computation: ComputationAPI) -> None:
        self._frames.pop()
        if self._frames:
            self._frames[-1].child = (int(computation.msg.gas), int(computation.get_gas_used()))

    # -- instructions ------------------------------------------------------------------------
    def step(self, computation: ComputationAPI, opcode: int) -> None:
        self.tick()
        frame = self._frames[-1]
        frame.computation = computation
        counter = computation.code.program_counter
        # py-evm's code iterator moved past the byte it read; the STOP it yields after the last
        # byte moves nothing, so an unchanged counter means that implicit STOP.
        pc = counter if counter == frame.after_pc else counter - 1
        gas = computation.get_gas_remaining()
        frame.child = None
        log = None
        # Code-less accounts: py-evm still runs the one implicit STOP; geth runs no interpreter
        # for them, so a plain transfer has no steps.
        has_code = len(computation.code) > 0
        if has_code and (not self._opt.limit or len(self._logs) < self._opt.limit):
            log = self._record(computation, opcode, pc, gas)
            self._budget.spend(json_size(log))
            self._logs.append(log)
        frame.pending.append((log, gas, opcode))

    def _record(self, computation: ComputationAPI, opcode: int, pc: int, gas: int) -> StructLog:
        opt = self._opt
        stack = None if opt.disable_stack and opcode not in (SLOAD, SSTORE) else stack_values(computation)
        log = StructLog(pc, op_name(opcode), gas, 0, int(computation.msg.depth) + 1,
                        refund=self._refund)
        if not opt.disable_stack:
            log.stack = stack
        if opt.enable_memory:
            log.memory = memory_bytes(computation)
        if opt.enable_return_data:  # the JSON leaves it out when empty, as geth does
            log.return_data = bytes(computation.return_data)
        if not opt.disable_storage and opcode in (SLOAD, SSTORE) and stack:
            log.storage = self._storage_seen(computation, opcode, stack)
        return log

    def _storage_seen(self, computation: ComputationAPI, opcode: int, stack: list[int]) -> dict[int, int]:
        address = bytes(computation.msg.storage_address)
        seen = self._storage.setdefault(address, {})
        key = stack[-1]
        if opcode == SLOAD:
            seen[key] = int(computation.state.get_storage(Address(address), key))
        elif len(stack) >= 2:
            seen[key] = stack[-2]
        return dict(seen)

    def step_done(self, computation: ComputationAPI, opcode: int, error: VMError | None) -> None:
        frame = self._frames[-1]
        frame.after_pc = computation.code.program_counter
        log, gas, _ = frame.pending.pop()
        if opcode == SSTORE or opcode in CALL_OPS or opcode in CREATE_OPS:
            # Only these change the counter; a child's refunds count once the parent holds it.
            self._refund = self._current_refund()
        if log is None:
            return
        if opcode == SSTORE:  # geth's SSTORE step shows the refund its own gas rule just added
            log.refund = self._refund
        log.gas_cost = self._cost(frame, opcode, gas, computation.get_gas_remaining())
        if error is not None and not isinstance(error, Revert):
            log.error = vm_error_text(error)

    @staticmethod
    def _cost(frame: _Frame, opcode: int, before: int, after: int) -> int:
        """geth's gasCost: a CALL's includes the gas it forwards (not the stipend), a CREATE's
        does not. By the step's end py-evm has charged the op what its child used (all of it if
        the child burnt its gas, none if it never started), so that is taken back out, and for a
        CALL the child's whole gas put in; the stipend is in the child's gas but never charged,
        which leaves it out."""
        spent = before - after
        if frame.child is None:
            return spent
        child_gas, used = frame.child
        if opcode in CREATE_OPS:
            return spent - used
        if opcode in CALL_OPS:
            return spent + child_gas - used
        return spent

    def _current_refund(self) -> int:
        """The transaction's refund counter so far: what the running frames and their finished
        children hold (a failed child's refunds are gone, as py-evm counts them)."""
        return sum(int(f.computation.get_gas_refund()) for f in self._frames if f.computation)

    # -- result ------------------------------------------------------------------------------
    def result(self, outcome: TxOutcome) -> StructLogResult:
        c = outcome.computation
        failed = c.is_error
        keep = not failed or isinstance(c.error, Revert)
        return StructLogResult(outcome.gas_used, failed, bytes(c.output) if keep else b"", self._logs)


def json_size(log: StructLog) -> int:
    """About how many bytes `log` takes in the JSON answer (chain/rpc/trace_json.py): exact for
    memory, storage and return data, which is where large answers come from."""
    size = _ENTRY_BYTES + len(log.op)
    if log.stack is not None:
        size += sum(_STACK_ITEM_BYTES + (v.bit_length() + 3) // 4 for v in log.stack)
    if log.memory is not None:
        size += (len(log.memory) + 31) // 32 * _WORD_BYTES
    if log.storage is not None:
        size += len(log.storage) * 2 * _WORD_BYTES
    if log.return_data is not None:
        size += 2 * len(log.return_data) + 20
    return size
