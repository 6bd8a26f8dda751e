"""Tracing costs nothing when off: the chain's own classes carry no hook, and a traced run wraps
only the opcodes its tracer asks for. Plus the option decoder and the opcode names, as tables."""
from __future__ import annotations

from typing import Any

import pytest

from chain.backend.tracers import make_tracer
from chain.backend.tracers.opnames import op_name
from chain.backend.vm import build_traced_vm_class
from chain.exceptions import InvalidParams
from chain.rpc.codec import trace_options
from chain.spec import build_spec
from chain.types import TraceOptions
from vm_hooks.tracing import TracingStateMixin, _Step, traced_computation_class
from vm_hooks.unstarted_frames import _CallProbe, _CreateProbe


def _wrapped(computation_class: Any) -> set[int]:
    return {op for op, fn in computation_class.opcodes.items() if isinstance(fn, _Step)}


def _probed(computation_class: Any) -> set[int]:
    """The opcodes that report frames py-evm never started (vm_hooks/unstarted_frames.py)."""
    def unwrapped(fn: Any) -> Any:
        return fn.fn if isinstance(fn, _Step) else fn
    return {op for op, fn in computation_class.opcodes.items()
            if isinstance(unwrapped(fn), (_CallProbe, _CreateProbe))}


def test_the_chain_vm_has_no_tracing_hook() -> None:
    vm_class = build_spec().vm_class
    state = vm_class.get_state_class()
    assert not issubclass(state, TracingStateMixin)
    assert _wrapped(state.computation_class) == set()
    assert _probed(state.computation_class) == set()
    assert "Traced" not in state.computation_class.__name__


def test_the_traced_vm_is_separate_and_wraps_only_what_the_tracer_watches() -> None:
    vm_class = build_spec().vm_class
    traced = build_traced_vm_class(vm_class)
    assert traced is not vm_class and traced is build_traced_vm_class(vm_class)  # built once
    assert issubclass(traced.get_state_class(), TracingStateMixin)
    plain = vm_class.get_state_class().computation_class
    calls = traced_computation_class(plain, make_tracer(TraceOptions("callTracer"), frozenset()))
    assert _wrapped(calls) == {0x56, 0x57}  # JUMP and JUMPI only, for the timeout
    steps = traced_computation_class(plain, make_tracer(TraceOptions(), frozenset()))
    assert _wrapped(steps) == set(range(256))
    assert _wrapped(plain) == set()  # configuring a traced subclass left the base untouched
    assert _probed(calls) == _probed(steps) == {0xF0, 0xF1, 0xF2, 0xF4, 0xF5, 0xFA}
    assert _probed(plain) == set()


@pytest.mark.parametrize("raw, expected", [
    (None, TraceOptions()),
    ({}, TraceOptions()),
    ({"tracer": "callTracer", "tracerConfig": {"onlyTopCall": True}},
     TraceOptions("callTracer", {"onlyTopCall": True})),
    ({"disableStack": True, "enableMemory": True, "limit": 10, "timeout": "5s", "reexec": 128},
     TraceOptions(disable_stack=True, enable_memory=True, limit=10, timeout=5.0)),
    ({"timeout": "1m30s"}, TraceOptions(timeout=90.0)),
    ({"timeout": "250ms"}, TraceOptions(timeout=0.25)),
])
def test_trace_options(raw: Any, expected: TraceOptions) -> None:
    assert trace_options(raw) == expected


@pytest.mark.parametrize("raw", [
    "callTracer", {"tracer": 1}, {"tracer": ""}, {"limit": -1}, {"limit": True},
    {"disableStack": "yes"}, {"timeout": 5}, {"timeout": "soon"}, {"timeout": "5"},
    {"tracerConfig": []},
])
def test_bad_trace_options(raw: Any) -> None:
    with pytest.raises(InvalidParams):
        trace_options(raw)


@pytest.mark.parametrize("name", ["prestateTracerX", "function() {}", "{step: 1}"])
def test_unknown_tracers(name: str) -> None:
    with pytest.raises(InvalidParams):
        make_tracer(TraceOptions(name), frozenset())


@pytest.mark.parametrize("opcode, name", [
    (0x00, "STOP"), (0x20, "KECCAK256"), (0x44, "PREVRANDAO"), (0x5F, "PUSH0"), (0x7F, "PUSH32"),
    (0xF5, "CREATE2"), (0xFA, "STATICCALL"), (0xFE, "INVALID"), (0xEF, "opcode 0xef not defined"),
])
def test_opcode_names(opcode: int, name: str) -> None:
    assert op_name(opcode) == name


def test_the_deadline_tracer_class_is_built_once_and_each_thread_checks_its_own_run() -> None:
    """The deadline tracer is shared, so its traced class is built once per computation class
    (building it cost a fifth of an eth_call); each thread's run answers to its own deadline."""
    import threading

    from vm_hooks.deadline import DEADLINE_TRACER, Deadline, DeadlineExceeded, bind_deadline
    from vm_hooks.tracing import attach_tracer

    state_class = build_traced_vm_class(build_spec().vm_class).get_state_class()
    first, second = object.__new__(state_class), object.__new__(state_class)
    attach_tracer(first, DEADLINE_TRACER)
    attach_tracer(second, DEADLINE_TRACER)
    assert first.computation_class is second.computation_class
    assert _wrapped(first.computation_class) == {0x56, 0x57}
    attach_tracer(first, None)
    assert first.computation_class is state_class.plain_computation_class

    outcomes: dict[str, str] = {}

    def run(name: str, deadline: Deadline) -> None:
        bind_deadline(deadline)
        try:
            DEADLINE_TRACER.step(None, 0x56)  # type: ignore[arg-type]
            outcomes[name] = "ran"
        except DeadlineExceeded as exc:
            outcomes[name] = str(exc)
    stopped = Deadline(5.0).start()
    stopped.cancel("execution aborted (request cancelled)")
    threads = [threading.Thread(target=run, args=("stopped", stopped)),
               threading.Thread(target=run, args=("free", Deadline(5.0).start()))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == {"stopped": "execution aborted (request cancelled)", "free": "ran"}
