"""A long run gives the GIL away while other threads want it (vm_hooks/deadline.py).

Measured the way a request on the event loop feels it: the main thread sleeps 1 ms (as the loop
waits in epoll) and times how late it runs again while a looping run checks its deadline on
another thread. The switch interval is raised to 50 ms so that the impolite case is unmistakable
(CPython hands the GIL over only after a whole interval) whatever the machine's load.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from typing import Iterator

import pytest

from tests.conftest import ROOT
from vm_hooks.deadline import CONTENDED_FOR_S, SLICE_S, Deadline

SWITCH_S = 0.05
ONE_WINDOW = int(CONTENDED_FOR_S / SLICE_S) + 2  # the most sleeps one contended window holds


@pytest.fixture
def slow_switching() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_S)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _loop(deadline: Deadline, stop: threading.Event) -> None:
    """An EVM loop as the deadline sees it: a check every few microseconds."""
    deadline.start()
    while not stop.is_set():
        deadline.check()


def _handle_a_request() -> None:
    """About 100 µs of Python, as the event loop spends on a small request."""
    until = time.thread_time() + 0.0001
    while time.thread_time() < until:
        pass


def _wake_up_lateness(deadline: Deadline, rounds: int = 30) -> float:
    """The median time the main thread waits past a 1 ms sleep (then handles a request) while
    `deadline`'s run loops."""
    stop = threading.Event()
    runner = threading.Thread(target=_loop, args=(deadline, stop), daemon=True)
    runner.start()
    try:
        time.sleep(0.02)  # the run is long (and, when polite, has seen the main thread) by now
        late = []
        for _ in range(rounds):
            t0 = time.monotonic()
            time.sleep(0.001)
            late.append(time.monotonic() - t0 - 0.001)
            _handle_a_request()
        return statistics.median(late)
    finally:
        stop.set()
        runner.join(5)


def test_a_long_run_lets_other_threads_in_within_a_slice(slow_switching: None) -> None:
    polite = Deadline(None, long_after_s=0.001, on_long=lambda d: None)
    assert _wake_up_lateness(polite) < SWITCH_S / 5


def test_a_run_that_is_not_long_keeps_the_gil_for_the_switch_interval(slow_switching: None) -> None:
    """The control: without the long lane's politeness the waiting thread waits an interval, so
    the test above measures the politeness, not the machine."""
    plain = Deadline(None)
    assert _wake_up_lateness(plain, rounds=8) > SWITCH_S / 2


def _in_a_quiet_process(probe: str) -> list[int]:
    """Run `probe`, a function of this module, in a fresh interpreter and return the numbers it
    prints. The sleeps counted below must be the run's answer to this test's threads only: in a
    pytest-xdist worker, execnet's thread wakes up whenever the controller sends work, and a
    run rightly gives way to it too (CI saw two windows, 59 sleeps, that way)."""
    code = f"from tests.unit.test_deadline_polite import {probe}; print(*{probe}())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [int(n) for n in out.stdout.split()]


def _alone() -> tuple[int, int]:
    d = Deadline(None, long_after_s=0.001, on_long=lambda d: None)
    d.start()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.3:
        d.check()
    return int(d._polite), d.yields


def test_a_long_run_alone_keeps_its_full_speed() -> None:
    """Nobody else in the process wants the GIL: the run sleeps at most for one contended
    window, against about 200 sleeps in 0.3 s if it gave way all the time."""
    polite, yields = _in_a_quiet_process("_alone")
    assert polite and yields <= ONE_WINDOW


QUIET_FROM_S, QUIET_S = 0.3, 0.2  # from the run's start; the main thread stops being busy at ~0.12 s


def _busy_then_quiet() -> tuple[int, int]:
    """The main thread is busy for 0.1 s, then blocks in join() until the run ends; the run
    itself counts its sleeps over [QUIET_FROM_S, QUIET_FROM_S + QUIET_S], so nothing wakes the
    main thread while they are counted."""
    sys.setswitchinterval(SWITCH_S)
    d = Deadline(None, long_after_s=0.001, on_long=lambda d: None)
    marks: dict[str, int] = {}

    def run() -> None:
        d.start()
        t0 = time.monotonic()
        while True:
            d.check()
            elapsed = time.monotonic() - t0
            if "quiet" not in marks and elapsed >= QUIET_FROM_S:
                marks["quiet"] = d.yields
            if elapsed >= QUIET_FROM_S + QUIET_S:
                marks["end"] = d.yields
                return

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    time.sleep(0.02)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.1:  # busy on the main thread: the run gives way
        _handle_a_request()
    while_busy = d.yields
    runner.join(5)
    return while_busy, marks["end"] - marks["quiet"]


def test_a_long_run_stops_giving_way_once_the_others_are_done() -> None:
    """After the last sign of another thread, a run is polite for CONTENDED_FOR_S only: over
    0.2 s of quiet it sleeps at most for one window (about 130 sleeps if it kept giving way).
    One window, not none: with a second thread in the process, the two CPU clocks the run
    compares sometimes differ by 20–90 µs while that thread sleeps (here, about once in 3.5 s
    of quiet; never in a single-threaded process), which opens a window of 50 ms."""
    while_busy, while_quiet = _in_a_quiet_process("_busy_then_quiet")
    assert while_busy > 0
    assert while_quiet <= ONE_WINDOW
