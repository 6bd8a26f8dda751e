"""The frames py-evm fails before starting them (vm_hooks/unstarted_frames.py), for the two
pre-checks the geth comparison cannot reach cheaply: the call depth limit and a creator's nonce
at 2**64 - 1. Each run goes through the chain's real traced state class, and is compared with
the same run untraced: the tracer may add frames, never change gas, output or state."""
from __future__ import annotations

from typing import Any

import pytest
from eth.abc import ComputationAPI, StateAPI
from eth.vm.message import Message
from eth_typing import Address

from chain.api.chain import build_chain
from chain.backend.tracers import TxOutcome
from chain.backend.tracers.calls import CallFrame, CallTracer
from chain.backend.tracers.structlog import StructLogger, StructLogResult
from chain.config import ChainConfig
from chain.types import TraceOptions
from vm_hooks.tracing import attach_tracer

EOA, CODE, TARGET = (Address(bytes([n]) * 20) for n in (0xE0, 0xC0, 0x7A))
GAS = 1_000_000
CALL_GAS = 0xFFFF
# CALL(gas 0xffff, TARGET, value 0, no input, no output); STOP
CALLS = bytes.fromhex("6000600060006000600073" + TARGET.hex() + "61ffff" + "f1" + "00")
# CREATE(value 0, empty init code); STOP
CREATES = bytes.fromhex("600060006000" + "f0" + "00")
COLD_ACCOUNT = 2600   # EIP-2929: TARGET is cold
CREATE_COST = 32_000  # no init code: no word costs


def _state(traced: bool, nonce: int) -> StateAPI:
    chain = build_chain(ChainConfig())
    head = chain.backend.head
    state = chain.backend.call_state(bytes(head.state_root), head, traced=traced)
    state.set_nonce(CODE, nonce)
    return state


def _run(code: bytes, depth: int, nonce: int = 1, tracer: Any = None) -> tuple[ComputationAPI, StateAPI]:
    state = _state(tracer is not None, nonce)
    if tracer is not None:
        attach_tracer(state, tracer)
    context = state.get_transaction_context_class()(gas_price=1, origin=EOA)
    state.set_code(CODE, code)
    message = Message(gas=GAS, to=CODE, sender=EOA, value=0, data=b"", code=code, depth=depth)
    computation = state.computation_class.apply_message(state, message, context)
    return computation, state


def _traced(code: bytes, depth: int, nonce: int, tracer: Any) -> tuple[Any, ComputationAPI]:
    plain, plain_state = _run(code, depth, nonce)
    traced, traced_state = _run(code, depth, nonce, tracer)
    assert not plain.is_error and not traced.is_error
    assert traced.get_gas_remaining() == plain.get_gas_remaining()
    assert traced_state.make_state_root() == plain_state.make_state_root()
    result = tracer.result(TxOutcome(GAS, traced.get_gas_used(), 0, traced))
    return result, traced


@pytest.mark.parametrize("code, depth, nonce, kind, error, gas", [
    (CALLS, 1024, 1, "CALL", "max call depth exceeded", CALL_GAS),
    (CREATES, 1024, 1, "CREATE", "max call depth exceeded", None),
    (CREATES, 0, 2**64 - 1, "CREATE", "nonce uint64 overflow", None),
], ids=["call-depth", "create-depth", "create-nonce"])
def test_a_frame_that_never_started_is_traced_as_geth_traces_it(
        code: bytes, depth: int, nonce: int, kind: str, error: str, gas: int | None) -> None:
    root, computation = _traced(code, depth, nonce, CallTracer(TraceOptions("callTracer")))
    assert isinstance(root, CallFrame) and len(root.calls) == 1
    child = root.calls[0]
    assert (child.type, child.error, child.gas_used, child.output) == (kind, error, 0, None)
    assert child.sender == bytes(CODE)
    if kind == "CALL":
        assert (child.to, child.gas, child.value) == (bytes(TARGET), gas, 0)
    else:  # geth's callTracer drops a failed create's address; its gas is the 63/64 it got
        assert child.to is None and child.input == b""
        left = GAS - 3 * 3 - CREATE_COST
        assert child.gas == left - left // 64


@pytest.mark.parametrize("code, depth, nonce, op, cost", [
    (CALLS, 1024, 1, "CALL", COLD_ACCOUNT + CALL_GAS),  # a CALL's cost includes what it forwards
    (CREATES, 1024, 1, "CREATE", CREATE_COST),          # a CREATE's does not
    (CREATES, 0, 2**64 - 1, "CREATE", CREATE_COST),
], ids=["call-depth", "create-depth", "create-nonce"])
def test_the_struct_logger_costs_the_failed_op_as_geth(
        code: bytes, depth: int, nonce: int, op: str, cost: int) -> None:
    result, _ = _traced(code, depth, nonce, StructLogger(TraceOptions()))
    assert isinstance(result, StructLogResult)
    step = next(s for s in result.struct_logs if s.op == op)
    assert step.gas_cost == cost and step.error is None
    assert [s.depth for s in result.struct_logs] == [depth + 1] * len(result.struct_logs)
