"""Where a tracer sees inside py-evm, through py-evm's own extension points only.

A traced run uses classes built here and nowhere else: a state subclass whose `get_computation`
hands out a traced computation class while a tracer is attached, and that computation class,
configured per tracer with wrapped opcode functions and overriding the message and log hooks.
The mining path, imports, calls and gas estimates keep the untouched classes, so tracing costs
them nothing: no flag is tested, no wrapper is called.

The tracer interface lives here rather than in chain/abc.py because vm_hooks must not import
chain (tests/unit/test_layers.py); chain/backend/tracers implements it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Optional

from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.exceptions import Halt, VMError
from eth.vm.computation import BaseComputation
from eth.vm.logic.invalid import InvalidOpcode
from eth_typing import Address

from vm_hooks.unstarted_frames import probed_opcode

# Opcode bytes that start a child message; the tracer learns which one from the parent's code.
CALL_OPS = {0xF1: "CALL", 0xF2: "CALLCODE", 0xF4: "DELEGATECALL", 0xFA: "STATICCALL"}
CREATE_OPS = {0xF0: "CREATE", 0xF5: "CREATE2"}


class TracerAPI(ABC):
    """What a tracer is told during one traced transaction.

    `opcodes` names the opcode bytes whose steps the tracer wants (`None`: every byte, including
    undefined ones); only those are wrapped, so a call tracer pays nothing per instruction.
    """

    opcodes: frozenset[int] | None = frozenset()

    def start(self, state: StateAPI, sender: bytes, to: bytes) -> None:
        """Before the transaction buys its gas (the caller of the run calls it, not py-evm):
        `to` is the created address for a create."""

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        """Before `opcode` runs in `computation` (pc, gas and stack are still the op's inputs)."""

    def step_done(self, computation: ComputationAPI, opcode: int, error: VMError | None) -> None:
        """After `opcode` ran; `error` is what it raised (Halt, STOP/RETURN's way out, is None)."""

    @abstractmethod
    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        """A message frame starts: the transaction's (parent None) or a CALL*/CREATE* child."""

    @abstractmethod
    def exit(self, computation: ComputationAPI) -> None:
        """The frame that `enter` opened last has finished (code deposit charged, if a create)."""

    def log(self, computation: ComputationAPI, address: bytes, topics: tuple[int, ...],
            data: bytes) -> None:
        """`computation` emitted a log (it may still be reverted)."""


class _Step:
    """One opcode function wrapped for a tracer; py-evm calls it as `fn(computation=...)`."""

    __slots__ = ("opcode", "fn", "tracer")

    def __init__(self, opcode: int, fn: Any, tracer: TracerAPI) -> None:
        self.opcode = opcode
        self.fn = fn
        self.tracer = tracer

    def __call__(self, computation: ComputationAPI) -> None:
        self.tracer.step(computation, self.opcode)
        try:
            self.fn(computation=computation)
        except Halt:
            self.tracer.step_done(computation, self.opcode, None)
            raise
        except VMError as exc:
            self.tracer.step_done(computation, self.opcode, exc)
            raise
        self.tracer.step_done(computation, self.opcode, None)


def call_type(message: MessageAPI, parent: ComputationAPI | None) -> str:
    """CALL, CREATE2, DELEGATECALL... for `message`, read from the opcode the parent just ran.

    py-evm's Message does not record which opcode made it; the parent's program counter has
    just moved past that opcode (none of them has immediate bytes), so the byte before it is it.
    """
    if parent is None:
        return "CREATE" if message.is_create else "CALL"
    code = parent.msg.code
    pc = parent.code.program_counter - 1
    op = code[pc] if 0 <= pc < len(code) else 0
    return CREATE_OPS.get(op) or CALL_OPS.get(op) or ("CREATE" if message.is_create else "CALL")


class _TracingComputation(BaseComputation):
    """The hooks of a traced computation; `traced_computation_class` puts it before the real one."""

    tracer: TracerAPI

    @classmethod
    def apply_message(cls, state: StateAPI, message: MessageAPI,
                      transaction_context: TransactionContextAPI,
                      parent_computation: Optional[ComputationAPI] = None) -> ComputationAPI:
        if message.is_create:  # apply_create_message's inner step: its frame is opened there
            return super().apply_message(state, message, transaction_context, parent_computation)
        return cls._framed(super().apply_message, state, message, transaction_context,
                           parent_computation)

    @classmethod
    def apply_create_message(cls, state: StateAPI, message: MessageAPI,
                             transaction_context: TransactionContextAPI,
                             parent_computation: Optional[ComputationAPI] = None) -> ComputationAPI:
        return cls._framed(super().apply_create_message, state, message, transaction_context,
                           parent_computation)

    @classmethod
    def _framed(cls, apply: Any, state: StateAPI, message: MessageAPI,
                transaction_context: TransactionContextAPI,
                parent: Optional[ComputationAPI]) -> ComputationAPI:
        cls.tracer.enter(message, call_type(message, parent), parent)
        computation: ComputationAPI = apply(state, message, transaction_context, parent)
        cls.tracer.exit(computation)
        return computation

    def add_log_entry(self, account: Address, topics: tuple[int, ...], data: bytes) -> None:
        super().add_log_entry(account, topics, data)
        self.tracer.log(self, bytes(account), topics, bytes(data))


def traced_computation_class(base: type[ComputationAPI], tracer: TracerAPI) -> type[ComputationAPI]:
    """`base` with `tracer` attached: a new subclass for this one traced run.

    Built per run (a class, six opcode probes and at most 256 small wrappers), so the tracer is a
    class attribute and no per-instruction lookup is needed to find it. The CALL*/CREATE*
    opcodes are probes (vm_hooks/unstarted_frames.py), so a tracer also sees the frames py-evm
    fails before starting them, as geth's tracers do.
    """
    own: dict[int, Any] = dict(base.opcodes)
    for op in (*CALL_OPS, *CREATE_OPS):  # every tracer sees frames, the unstarted ones too
        if op in own:
            own[op] = probed_opcode(own[op], tracer)
    wanted = range(256) if tracer.opcodes is None else tracer.opcodes
    for op in wanted:
        # Undefined bytes are wrapped too, as py-evm's loop would build InvalidOpcode for them.
        own[op] = _Step(op, own.get(op) or InvalidOpcode(op), tracer)
    return type(f"Traced{base.__name__}", (_TracingComputation, base),
                {"tracer": tracer, "opcodes": own})


class SharedTracer(TracerAPI):
    """A tracer that keeps nothing of one run, so one traced class serves all its runs.

    Building the class costs ~0.2 ms (a class and its wrappers), a fifth of a simple eth_call's
    time in the node and as much again for every run of an estimate's search; for a shared tracer
    `attach` builds it once per computation class and keeps it. Per-run state, if any, must be
    found from the running thread (vm_hooks/deadline.py)."""


_SHARED_CLASSES: dict[tuple[type[ComputationAPI], SharedTracer], type[ComputationAPI]] = {}


def stack_values(computation: ComputationAPI) -> list[int]:
    """The stack, bottom first, as ints. py-evm has no public read of the whole stack, so this
    (with `memory_bytes`) is where tracing looks inside a computation."""
    values = computation._stack.values  # type: ignore[attr-defined]
    # py-evm keeps each entry as pushed, an int or big-endian bytes.
    return [v if isinstance(v, int) else int.from_bytes(v, "big") for v in values]


def memory_bytes(computation: ComputationAPI) -> bytes:
    return bytes(computation._memory._bytes)  # type: ignore[attr-defined]


class TracingStateMixin:
    """A state that runs a traced computation class while a tracer is attached.

    Mixed into the fork's state class only for traced runs (chain/backend/vm.py), so a block's
    earlier transactions replay with the plain class and only the traced one is wrapped. py-evm
    reads `computation_class` from the state instance (transaction executor, system calls,
    precompile checks), which is what this property answers.
    """

    plain_computation_class: type[ComputationAPI]
    _traced_class: type[ComputationAPI] | None = None

    @property
    def computation_class(self) -> type[ComputationAPI]:
        return self._traced_class or self.plain_computation_class

    def attach(self, tracer: TracerAPI | None) -> None:
        """Trace the next transactions with `tracer` (None: stop tracing)."""
        if tracer is None:
            self._traced_class = None
        elif isinstance(tracer, SharedTracer):
            key = (self.plain_computation_class, tracer)
            traced = _SHARED_CLASSES.get(key)
            if traced is None:  # two threads may both build it: either class will do
                traced = _SHARED_CLASSES[key] = traced_computation_class(self.plain_computation_class, tracer)
            self._traced_class = traced
        else:
            self._traced_class = traced_computation_class(self.plain_computation_class, tracer)


def attach_tracer(state: StateAPI, tracer: TracerAPI | None) -> None:
    """Attach `tracer` to a state built from a traced VM class; TypeError for any other state."""
    if not isinstance(state, TracingStateMixin):
        raise TypeError(f"{type(state).__name__} is not a tracing state")
    state.attach(tracer)
