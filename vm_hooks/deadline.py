"""A deadline for read-only runs (eth_call, eth_estimateGas...), checked from inside py-evm.

geth aborts a call after `--rpc.evmtimeout` by cancelling its EVM from another goroutine; the
interpreter checks the flag before every instruction. Wabei does the same cooperatively, with the
tracing hooks (vm_hooks/tracing.py): a `DeadlineTracer` watches JUMP and JUMPI, and every message
frame, and raises `DeadlineExceeded` once the deadline has passed or someone cancelled it.

Why those points suffice: a run that lasts has to loop, and loops jump; a run that recurses
instead opens frames (CALL, CREATE, precompiles), and every frame is checked as it opens. The
mining path never meets this code: only states built from the traced VM class can carry it.
"""
from __future__ import annotations

import math
import threading
import time
from typing import Callable

from eth.abc import ComputationAPI, MessageAPI

from vm_hooks.tracing import SharedTracer

JUMPS = frozenset({0x56, 0x57})


class DeadlineExceeded(Exception):
    """The run went past its deadline or was cancelled.

    Deliberately not a py-evm VMError, so no frame of the computation swallows it: it unwinds the
    whole run, whose state is thrown away. `str()` is the reason, in geth's words.
    """


class LaneFull(DeadlineExceeded):
    """A run turned long while the long lane and its waiting room were full (chain/workers.py)."""


class Overtime(DeadlineExceeded):
    """A run on the event loop's thread used its budget or met a slow precompile: it is thrown
    away and run again from the start on a call worker (chain/workers.py, `run`)."""


# Precompiles that may run for long in one step, between two deadline checks: modexp, the BN254
# curve (py_ecc: ~1 s per pairing), blake2f (its rounds are a parameter), the KZG point
# evaluation, the BLS12-381 operations, and P-256 verification.
SLOW_PRECOMPILES = frozenset([(5).to_bytes(20, "big"), *((n).to_bytes(20, "big") for n in range(6, 0x12)),
                              (0x100).to_bytes(20, "big")])


# Called once when a run has lasted `long_after_s`; blocks until the run may go on (and may push
# `at` out by the time it waited), or raises DeadlineExceeded.
OnLong = Callable[["Deadline"], None]

# A long run gives the GIL away while other threads want it (see Deadline.check). Every SLICE_S
# it looks at how much CPU the process's other threads used meanwhile; past OTHERS_BUSY_S, and for
# CONTENDED_FOR_S after the last time it was, the run sleeps YIELD_S before its next slice.
# CPython otherwise hands the GIL over only once a waiting thread has waited a whole switch
# interval (5 ms), which a request on the event loop pays at every step that releases the GIL
# (each socket write, each epoll wake-up). Other processes do not count: preemption by the
# kernel is not contention for the GIL.
SLICE_S = 0.001
YIELD_S = 0.0005
OTHERS_BUSY_S = 0.00002
CONTENDED_FOR_S = 0.05


class Deadline:
    """When a run must stop, and whether it was cancelled (shutdown, client gone).

    `cancel` may be called from any thread; the running thread sees it at its next check. The
    clock starts at `start`, so time spent waiting for a worker does not count, as in geth,
    whose timer starts with the EVM.

    With `on_long`, the first check after `long_after_s` of the running thread's CPU time hands
    the run to it once: the call workers use this to move long runs into a lane of their own, so
    that runs which end in milliseconds never queue behind a client's five-second loops. CPU
    time, not the clock: on a loaded machine a 5 ms call can take 100 ms of wall time, and must
    not be mistaken for a long one. The CPU clock is a system call, so it is read only once the
    wall clock says the run could have used that much CPU.

    Once long, a run is polite: while other threads want the GIL it sleeps YIELD_S after every
    SLICE_S of running, so the event loop and the short calls take the GIL within a slice instead
    of a switch interval, and a client's five-second loop costs the others little. With nobody
    else waiting it never sleeps, so a long call on an idle node runs at full speed.
    """

    __slots__ = ("timeout_s", "at", "cancelled", "long_after_s", "long_at", "_long_cpu_at", "_on_long",
                 "_polite", "_contended_until", "_slice_at", "_cpu_marks", "yields")

    def __init__(self, timeout_s: float | None = None, long_after_s: float | None = None,
                 on_long: OnLong | None = None) -> None:
        self.timeout_s = timeout_s if timeout_s else None  # None or 0: no timeout
        self.at = math.inf
        self.cancelled: str | None = None
        self.long_after_s = long_after_s if on_long is not None else None
        self.long_at = math.inf      # wall clock: when to look at the CPU clock
        self._long_cpu_at = math.inf  # the thread's CPU clock: when the run is long
        self._on_long = on_long
        self._polite = False
        self._contended_until = 0.0
        self._slice_at = 0.0
        self._cpu_marks = (0.0, 0.0)  # (process CPU, this thread's CPU) at the slice's start
        self.yields = 0  # sleeps so far: how often the run gave way

    def start(self) -> "Deadline":
        """Start the clock (idempotent after the first call)."""
        if self.timeout_s is not None and self.at == math.inf:
            self.at = time.monotonic() + self.timeout_s
        if self.long_after_s is not None:
            self.long_at = time.monotonic() + self.long_after_s
            self._long_cpu_at = time.thread_time() + self.long_after_s
            self.long_after_s = None
        return self

    def cancel(self, reason: str) -> None:
        """Stop the run at its next check; `reason` becomes the error message."""
        self.cancelled = reason

    def check(self) -> None:
        """Raise DeadlineExceeded if the run must stop now."""
        if self.cancelled is not None:
            raise DeadlineExceeded(self.cancelled)
        now = time.monotonic()
        if now > self.long_at:
            cpu_left = self._long_cpu_at - time.thread_time()
            if cpu_left > 0:  # slowed by other threads, not long: look again when it could be
                self.long_at = now + cpu_left
            else:
                self.long_at = math.inf
                assert self._on_long is not None
                self._on_long(self)
                now = time.monotonic()
                self._polite = True
                self._cpu_marks = (time.process_time(), time.thread_time())
                self._slice_at = now + SLICE_S
        if self._polite and now >= self._slice_at:
            now = self._give_way(now)
        if now > self.at:
            raise DeadlineExceeded(self.timeout_message())

    def _give_way(self, now: float) -> float:
        """At the end of a long run's slice: if other threads of the process used CPU during it
        (or did lately), sleep so they take the GIL at once. Returns the clock after any sleep."""
        process, own = time.process_time(), time.thread_time()
        others = (process - self._cpu_marks[0]) - (own - self._cpu_marks[1])
        if others > OTHERS_BUSY_S:
            self._contended_until = now + CONTENDED_FOR_S
        if now < self._contended_until:
            time.sleep(YIELD_S)
            self.yields += 1
            now = time.monotonic()
            process, own = time.process_time(), time.thread_time()
        self._cpu_marks = (process, own)
        self._slice_at = now + SLICE_S
        return now

    def entering(self, code_address: bytes) -> None:
        """A frame (a call, a creation, a precompile) is about to run the code at `code_address`."""
        self.check()

    def timeout_message(self) -> str:
        """geth's error for a call past --rpc.evmtimeout."""
        return f"execution aborted (timeout = {go_duration(self.timeout_s or 0)})"


def _overtime(deadline: Deadline) -> None:
    raise Overtime("the run is too long for the event loop")


class InlineDeadline(Deadline):
    """A deadline for a run tried on the event loop's own thread: it raises Overtime once the run
    has used `budget_s` of CPU time or when it enters a slow precompile, so the loop is never held
    for more than about `budget_s` (and one step) by a run that would last."""

    __slots__ = ()

    def __init__(self, timeout_s: float | None, budget_s: float) -> None:
        super().__init__(timeout_s, budget_s, _overtime)

    def entering(self, code_address: bytes) -> None:
        if code_address in SLOW_PRECOMPILES:
            raise Overtime("a slow precompile")
        self.check()


_running = threading.local()  # the deadline of the run on each thread (bind_deadline)


def bind_deadline(deadline: Deadline) -> None:
    """Make `deadline` the one DEADLINE_TRACER checks for runs on the calling thread; call it
    right before the run, on the thread that runs it."""
    _running.deadline = deadline


class DeadlineTracer(SharedTracer):
    """A tracer that only watches the clock: JUMP/JUMPI steps and frame starts, against the
    deadline bound to the running thread. Shared by every run, so its traced classes are built
    once (vm_hooks/tracing.SharedTracer).

    A clock read costs well under a microsecond, a JUMP in py-evm several, so every jump is
    checked (no sampling: one iteration of a loop may be a slow precompile call).
    """

    opcodes = JUMPS

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        _running.deadline.check()

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        _running.deadline.entering(bytes(message.code_address))

    def exit(self, computation: ComputationAPI) -> None:
        pass


DEADLINE_TRACER = DeadlineTracer()


def go_duration(seconds: float) -> str:
    """`seconds` as Go's time.Duration prints it ("5s", "1.5s", "250ms", "1m30s"), so the
    timeout error reads exactly as geth's."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:g}ms" if ms >= 1 else f"{seconds * 1e6:g}µs"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{round(secs, 9):g}s"
    if hours or minutes:
        text = f"{int(minutes)}m" + text
    if hours:
        text = f"{int(hours)}h" + text
    return text
