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
import time
from typing import Callable

from eth.abc import ComputationAPI, MessageAPI

from vm_hooks.tracing import TracerAPI

JUMPS = frozenset({0x56, 0x57})


class DeadlineExceeded(Exception):
    """The run went past its deadline or was cancelled.

    Deliberately not a py-evm VMError, so no frame of the computation swallows it: it unwinds the
    whole run, whose state is thrown away. `str()` is the reason, in geth's words.
    """


class LaneFull(DeadlineExceeded):
    """A run turned long while the long lane and its waiting room were full (chain/workers.py)."""


# Called once when a run has lasted `long_after_s`; blocks until the run may go on (and may push
# `at` out by the time it waited), or raises DeadlineExceeded.
OnLong = Callable[["Deadline"], None]


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
    """

    __slots__ = ("timeout_s", "at", "cancelled", "long_after_s", "long_at", "_long_cpu_at", "_on_long")

    def __init__(self, timeout_s: float | None = None, long_after_s: float | None = None,
                 on_long: OnLong | None = None) -> None:
        self.timeout_s = timeout_s if timeout_s else None  # None or 0: no timeout
        self.at = math.inf
        self.cancelled: str | None = None
        self.long_after_s = long_after_s if on_long is not None else None
        self.long_at = math.inf      # wall clock: when to look at the CPU clock
        self._long_cpu_at = math.inf  # the thread's CPU clock: when the run is long
        self._on_long = on_long

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
        if now > self.at:
            raise DeadlineExceeded(self.timeout_message())

    def timeout_message(self) -> str:
        """geth's error for a call past --rpc.evmtimeout."""
        return f"execution aborted (timeout = {go_duration(self.timeout_s or 0)})"


class DeadlineTracer(TracerAPI):
    """A tracer that only watches the clock: JUMP/JUMPI steps and frame starts.

    A clock read costs well under a microsecond, a JUMP in py-evm several, so every jump is
    checked (no sampling: one iteration of a loop may be a slow precompile call).
    """

    opcodes = JUMPS

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def step(self, computation: ComputationAPI, opcode: int) -> None:
        self.deadline.check()

    def enter(self, message: MessageAPI, call_type: str, parent: ComputationAPI | None) -> None:
        self.deadline.check()

    def exit(self, computation: ComputationAPI) -> None:
        pass


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
