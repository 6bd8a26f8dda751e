"""A long run gives the GIL away while other threads want it (vm_hooks/deadline.py).

Measured the way a request on the event loop feels it: the main thread sleeps 1 ms (as the loop
waits in epoll) and times how late it runs again while a looping run checks its deadline on
another thread. The switch interval is raised to 50 ms so that the impolite case is unmistakable
(CPython hands the GIL over only after a whole interval) whatever the machine's load.
"""
from __future__ import annotations

import statistics
import sys
import threading
import time
from typing import Iterator

import pytest

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


def test_a_long_run_alone_keeps_its_full_speed() -> None:
    """Nobody else in the process wants the GIL: the run sleeps at most for one contended
    window (a thread of an earlier test ending can look like another thread's CPU), against
    about 200 sleeps in 0.3 s if it gave way all the time."""
    d = Deadline(None, long_after_s=0.001, on_long=lambda d: None)
    d.start()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.3:
        d.check()
    assert d._polite and d.yields <= ONE_WINDOW


def test_a_long_run_stops_giving_way_once_the_others_are_done(slow_switching: None) -> None:
    """After the last sign of another thread, a run is polite for CONTENDED_FOR_S only: over
    0.3 s of quiet it sleeps at most for the window that the main thread's own wake-up opens
    (about 200 sleeps if it kept giving way)."""
    d = Deadline(None, long_after_s=0.001, on_long=lambda d: None)
    stop = threading.Event()
    runner = threading.Thread(target=_loop, args=(d, stop), daemon=True)
    runner.start()
    try:
        time.sleep(0.02)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.1:  # busy on the main thread: the run gives way
            _handle_a_request()
        assert d.yields > 0
        time.sleep(0.1 + CONTENDED_FOR_S)  # quiet
        before = d.yields
        time.sleep(0.3)
        assert d.yields - before <= ONE_WINDOW
    finally:
        stop.set()
        runner.join(5)
