"""Tracers for debug_trace*: geth's struct logger and its native tracers, by name."""
from __future__ import annotations

from typing import Callable

from chain.backend.tracers.base import (
    DEFAULT_TIMEOUT_S, SizeBudget, TraceAborted, TraceTimeout, TraceTooLarge, Tracer, TxOutcome,
    start_tracer,
)
from chain.backend.tracers.calls import CallTracer, FourByteTracer, NoopTracer
from chain.backend.tracers.prestate import PrestateTracer
from chain.backend.tracers.structlog import StructLogger
from chain.exceptions import InvalidParams
from chain.types import TraceOptions

__all__ = ["SizeBudget", "TraceAborted", "TraceOptions", "TraceTimeout", "TraceTooLarge", "Tracer", "TxOutcome", "TRACERS", "make_tracer",
           "start_tracer"]

TracerFactory = Callable[[TraceOptions, frozenset[bytes]], Tracer]

TRACERS: dict[str, TracerFactory] = {
    "callTracer": lambda options, _: CallTracer(options),
    "4byteTracer": FourByteTracer,
    "noopTracer": lambda options, _: NoopTracer(options),
    "prestateTracer": lambda options, _: PrestateTracer(options),
}


def make_tracer(options: TraceOptions, precompiles: frozenset[bytes],
                budget: SizeBudget | None = None) -> Tracer:
    """A fresh tracer for one transaction, its clock started (geth's 5 s unless `timeout`);
    InvalidParams for a name Wabei does not know. The struct logger spends its answer's size
    from `budget` (None: no bound), which the transactions of one traced block share.

    geth runs any other string as JavaScript; Wabei has no JavaScript engine, so it says so.
    """
    tracer = _new_tracer(options, precompiles, budget or SizeBudget(0))
    tracer.set_timeout(DEFAULT_TIMEOUT_S if options.timeout is None else options.timeout)
    return tracer


def _new_tracer(options: TraceOptions, precompiles: frozenset[bytes], budget: SizeBudget) -> Tracer:
    if options.tracer is None:
        return StructLogger(options, budget)
    factory = TRACERS.get(options.tracer)
    if factory is not None:
        return factory(options, precompiles)
    known = ", ".join(sorted(TRACERS))
    if any(c in options.tracer for c in "{}();"):
        raise InvalidParams(f"JavaScript tracers are not supported; use one of {known}, "
                            "or no tracer for the struct logger")
    raise InvalidParams(f"unknown tracer {options.tracer!r}; use one of {known}, "
                        "or no tracer for the struct logger")
