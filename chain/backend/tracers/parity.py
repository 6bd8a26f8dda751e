"""The tracers behind the Parity-style `trace_*` methods (docs/tracing.md, "Parity-style traces").

`ParityCallTracer` is geth's callTracer (chain/backend/tracers/calls.py) with the two things a
Parity trace needs that geth's frame tree does not keep by default: a SELFDESTRUCT as a child
frame of the contract that ran it (geth's callTracer adds the same frame; its flatCallTracer
turns it into a `suicide` trace), and the top frame's own gas rather than the transaction's.
`MuxTracer` runs several tracers over one execution, so `trace_call` with `["trace",
"stateDiff"]` executes the call once.
"""
from __future__ import annotations

from typing import Any, Sequence

from eth.abc import ComputationAPI, MessageAPI, StateAPI
from eth.exceptions import VMError
from eth_typing import Address

from chain.backend.tracers.base import JUMPS, Tracer, TxOutcome
from chain.backend.tracers.calls import CallFrame, CallTracer
from chain.types import TraceOptions
from vm_hooks.tracing import stack_values

SELFDESTRUCT = 0xFF


class ParityCallTracer(CallTracer):
    """The call tracer, plus SELFDESTRUCT frames, with the top frame's gas left as the frame's.

    Parity, OpenEthereum, Erigon and Reth report the top call's `gas` as what its message got
    (the gas limit minus intrinsic gas) and `gasUsed` as what the frame used (no intrinsic gas,
    before the refund): reth#9761 and revm-inspectors#171 put Reth back on those values after
    it had briefly used the transaction's. geth's callTracer reports the transaction's, which
    is what CallTracer.result writes; this tracer writes the frame's back.
    """

    opcodes = JUMPS | {SELFDESTRUCT}

    def __init__(self) -> None:
        super().__init__(TraceOptions(tracer="callTracer"))
        self._pending: CallFrame | None = None

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        self.tick()
        if opcode != SELFDESTRUCT:
            return
        stack = stack_values(computation)
        if not stack:
            return  # fails on its own (stack underflow); nothing is destroyed
        contract = bytes(computation.msg.storage_address)
        balance = int(computation.state.get_balance(Address(contract)))
        beneficiary = (stack[-1] % 2**160).to_bytes(20, "big")
        self._pending = CallFrame("SELFDESTRUCT", contract, beneficiary, balance, 0, b"")

    def step_done(self, computation: ComputationAPI, opcode: int, error: VMError | None) -> None:
        frame, self._pending = self._pending, None
        # Only a SELFDESTRUCT that ran (it halts, which is no error) destroys anything; one that
        # fails (write protection in a static call, out of gas) leaves an error on its frame.
        if opcode == SELFDESTRUCT and frame is not None and error is None and self._stack:
            self._stack[-1].calls.append(frame)

    def exit(self, computation: ComputationAPI) -> None:
        super().exit(computation)
        # A failed create has no `to` in geth's frame; Parity still names the address it would
        # have had (Erigon, Reth), so the frame keeps it here and `error` says it failed.
        frame = self._stack[-1].calls[-1] if self._stack else self._root
        if frame is not None and frame.to is None and computation.msg.is_create:
            frame.to = bytes(computation.msg.storage_address)

    def result(self, outcome: TxOutcome) -> CallFrame:
        root = super().result(outcome)
        computation = outcome.computation
        root.gas = int(computation.msg.gas)
        root.gas_used = int(computation.get_gas_used())
        if root.to is None and computation.msg.is_create:
            root.to = bytes(computation.msg.storage_address)
        return root


class MuxTracer(Tracer):
    """Several tracers over one run: every hook goes to each, a step only to those watching it.

    `result` is a list of the tracers' results, in the order they were given.
    """

    def __init__(self, tracers: Sequence[Tracer]) -> None:
        self._tracers = tuple(tracers)
        watched: set[int] = set()
        for tracer in self._tracers:
            watched |= set(range(256)) if tracer.opcodes is None else tracer.opcodes
        self.opcodes = frozenset(watched)

    def set_timeout(self, seconds: float) -> None:
        for tracer in self._tracers:
            tracer.set_timeout(seconds)

    def _watching(self, opcode: int) -> list[Tracer]:
        return [t for t in self._tracers if t.opcodes is None or opcode in t.opcodes]

    def start(self, state: StateAPI, sender: bytes, to: bytes) -> None:
        for tracer in self._tracers:
            tracer.start(state, sender, to)

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        for tracer in self._watching(opcode):
            tracer.step(computation, opcode)

    def step_done(self, computation: ComputationAPI, opcode: int, error: VMError | None) -> None:
        for tracer in self._watching(opcode):
            tracer.step_done(computation, opcode, error)

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        for tracer in self._tracers:
            tracer.enter(message, call_type, parent)

    def exit(self, computation: ComputationAPI) -> None:
        for tracer in self._tracers:
            tracer.exit(computation)

    def log(self, computation: ComputationAPI, address: bytes, topics: tuple[int, ...],
            data: bytes) -> None:
        for tracer in self._tracers:
            tracer.log(computation, address, topics, data)

    def result(self, outcome: TxOutcome) -> list[Any]:
        return [tracer.result(outcome) for tracer in self._tracers]
