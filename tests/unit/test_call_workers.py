"""CallWorkers (chain/workers.py), the Deadline (vm_hooks/deadline.py) and the call gas rules,
without a node: a full pool refuses at once, a cancelled request cancels its run, close answers
everyone, and the gas a call runs with follows geth's --rpc.gascap."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

import pytest

from chain.backend.executor import CallContext
from chain.exceptions import ExecutionFailed, ServerBusy
from chain.spec import build_spec
from chain.workers import SHUTTING_DOWN, CallWorkers
from vm_hooks.deadline import Deadline, DeadlineExceeded, go_duration


def _burn(seconds: float) -> None:
    """Use `seconds` of this thread's CPU, as an EVM run does (a long run is long in CPU time)."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def _spin(deadline: Deadline) -> str:
    """A job that runs until its deadline stops it, checking as a looping EVM run would."""
    while True:
        deadline.check()
        _burn(0.001)


def test_a_job_runs_on_another_thread_and_returns() -> None:
    async def main() -> None:
        workers = CallWorkers(2, 1)
        loop_thread = threading.get_ident()
        assert await workers.run(lambda d: threading.get_ident()) != loop_thread
        with pytest.raises(ZeroDivisionError):
            await workers.run(lambda d: 1 // 0)
        workers.close()
    asyncio.run(main())


def test_the_timeout_aborts_with_geths_message() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 1)
        start = time.monotonic()
        with pytest.raises(ExecutionFailed, match=r"^execution aborted \(timeout = 200ms\)$"):
            await workers.run(_spin, 0.2)
        assert 0.15 < time.monotonic() - start < 2
        workers.close()
    asyncio.run(main())


def test_a_full_pool_refuses_at_once_and_close_answers_everyone() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 1, long_after_s=None)  # the short lane alone (no run turns long)
        running = asyncio.ensure_future(workers.run(_spin))
        waiting = asyncio.ensure_future(workers.run(_spin))
        await asyncio.sleep(0.05)
        with pytest.raises(ServerBusy, match="1 running, 1 waiting"):
            await asyncio.wait_for(workers.run(_spin), 5)
        workers.close()
        for task in (running, waiting):
            with pytest.raises(ExecutionFailed, match=SHUTTING_DOWN.replace("(", r"\(").replace(")", r"\)")):
                await asyncio.wait_for(task, 2)
        with pytest.raises(ExecutionFailed):
            await workers.run(lambda d: 1)
    asyncio.run(main())


def test_a_cancelled_request_cancels_its_run() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 0)
        seen: list[Deadline] = []

        def job(d: Deadline) -> None:
            seen.append(d)
            _spin(d)
        task = asyncio.ensure_future(workers.run(job))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(DeadlineExceeded, match="request cancelled"):
            seen[0].check()
        # The worker is free again: the next job runs (queue 0: only if nothing is running).
        await asyncio.sleep(0.05)
        assert await asyncio.wait_for(workers.run(lambda d: "free"), 2) == "free"
        workers.close()
    asyncio.run(main())


@pytest.mark.parametrize("seconds,text", [
    (5, "5s"), (1.5, "1.5s"), (0.25, "250ms"), (0.0005, "500µs"), (90, "1m30s"), (120, "2m0s"),
    (3600, "1h0m0s"), (0, "0s"),
])
def test_timeouts_print_as_go_durations(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_a_deadline_counts_from_start_not_from_creation() -> None:
    d = Deadline(0.05)
    time.sleep(0.1)
    d.check()  # not started: waiting for a worker does not count
    d.start()
    time.sleep(0.1)
    with pytest.raises(DeadlineExceeded, match=r"timeout = 50ms"):
        d.check()
    Deadline(0).start().check()  # 0: no timeout


class _Header:
    gas_limit = 30_000_000


@pytest.mark.parametrize("cap,requested,runs,ceiling", [
    (50_000_000, None, 30_000_000, 30_000_000),      # no gas: the block gas limit
    (50_000_000, 2**64 - 1, 50_000_000, 50_000_000),  # explicit gas is capped too (geth)
    (50_000_000, 40_000_000, 40_000_000, 40_000_000),  # above the block limit, below the cap
    (25_000_000, None, 25_000_000, 25_000_000),       # a cap below the block limit binds
    (0, 2**64 - 1, 2**64 - 1, 2**64 - 1),             # 0: no cap
    (50_000_000, 100, 100, 30_000_000),               # estimate: below 21,000 means "none"
])
def test_call_gas_follows_geths_gas_cap(cap: int, requested: int | None, runs: int, ceiling: int) -> None:
    ctx = CallContext(_Header(), cap, 31337, build_spec("ethereum"))  # type: ignore[arg-type]
    assert ctx.gas_for(requested) == runs
    assert ctx.estimate_ceiling(requested) == ceiling


def test_a_run_stuck_in_one_step_is_answered_after_a_grace_and_stays_busy() -> None:
    """A slow precompile cannot be interrupted: its caller still gets the timeout error, one
    grace second after the deadline, and the worker counts as busy until the step returns."""
    async def main() -> None:
        workers = CallWorkers(1, 0)
        release = threading.Event()

        def stuck(d: Deadline) -> str:
            release.wait(10)  # one long step that never checks the deadline
            d.check()
            return "finished"
        start = time.monotonic()
        with pytest.raises(ExecutionFailed, match=r"^execution aborted \(timeout = 100ms\)$"):
            await asyncio.wait_for(workers.run(stuck, 0.1), 5)
        assert time.monotonic() - start < 3
        with pytest.raises(ServerBusy):
            await workers.run(lambda d: 1)
        release.set()
        await asyncio.sleep(0.1)
        assert await asyncio.wait_for(workers.run(lambda d: 1), 2) == 1
        workers.close()
    asyncio.run(main())


def test_short_runs_pass_long_ones() -> None:
    """Two clients' looping calls fill both short workers only for long_after_s: then they move
    to the long lane, one at a time, and a short call is answered in milliseconds."""
    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=8, long_after_s=0.05)
        longs = [asyncio.ensure_future(workers.run(_spin, 5.0)) for _ in range(3)]
        for _ in range(100):  # until all three have used their 50 ms of CPU (slower when loaded)
            await asyncio.sleep(0.05)
            if workers._long_runs == 3:
                break
        assert workers._long_runs == 3
        # Before the lane, this waited for a long run to end: 5 s. Now it runs at once (the
        # bound is loose only because a loaded machine shares the CPU with the long runs).
        assert await asyncio.wait_for(workers.run(lambda d: "short"), 2) == "short"
        assert not any(t.done() for t in longs)
        workers.close()
        await asyncio.gather(*longs, return_exceptions=True)
    asyncio.run(main())


async def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait for `condition` (runs reach their lanes later when the machine is loaded)."""
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not reached"
        await asyncio.sleep(0.01)


def test_time_waiting_for_the_long_lane_does_not_count_against_the_timeout() -> None:
    """A run with a 0.5 s timeout waits 1 s for the long lane, then still finishes: its clock
    stopped while it waited (geth's timer starts with the EVM, so does ours)."""
    released = threading.Event()

    def holder(d: Deadline) -> str:
        while not released.is_set():
            d.check()
            _burn(0.001)
        return "held"

    def waiter(d: Deadline) -> str:
        while not released.is_set():
            d.check()
            _burn(0.001)
        for _ in range(5):  # the checks after the lane: past the clock's 0.5 s without the pause
            d.check()
            _burn(0.001)
        return "done"

    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=8, long_after_s=0.01)
        first = asyncio.ensure_future(workers.run(holder))
        await _until(lambda: workers._long_runs == 1)
        second = asyncio.ensure_future(workers.run(waiter, 0.5))
        await _until(lambda: workers._long_runs == 2)
        await asyncio.sleep(1.0)
        assert not second.done()
        released.set()
        assert await asyncio.wait_for(asyncio.gather(first, second), 5) == ["held", "done"]
        workers.close()
    asyncio.run(main())


def test_a_full_long_lane_refuses_with_busy() -> None:
    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=1, long_after_s=0.02)
        longs = [asyncio.ensure_future(workers.run(_spin, 10.0)) for _ in range(2)]
        await _until(lambda: workers._long_runs == 2)  # one in the long lane, one waiting for it
        with pytest.raises(ServerBusy, match=r"too many long calls in progress \(1 running, 1 waiting\)"):
            await asyncio.wait_for(workers.run(_spin, 10.0), 5)
        assert await asyncio.wait_for(workers.run(lambda d: "short"), 5) == "short"
        workers.close()
        await asyncio.gather(*longs, return_exceptions=True)
    asyncio.run(main())


def test_a_run_waiting_for_the_long_lane_is_cancelled_with_its_request() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 8, long_lanes=1, long_queue=8, long_after_s=0.02)
        first = asyncio.ensure_future(workers.run(_spin, 3.0))
        second = asyncio.ensure_future(workers.run(_spin, 3.0))
        await _until(lambda: workers._long_runs == 2)
        second.cancel()
        await _until(lambda: workers._long_runs == 1)  # the waiting one let its place go
        assert not first.done()
        with pytest.raises(ExecutionFailed, match="timeout = 3s"):
            await asyncio.wait_for(first, 10)
        workers.close()
    asyncio.run(main())


def test_a_run_slowed_by_other_threads_is_not_long() -> None:
    """Long means CPU time: a run that checks often but mostly waits (a loaded machine, a slow
    disk) stays in the short lane however long its wall time."""
    async def main() -> None:
        workers = CallWorkers(1, 8, long_lanes=1, long_queue=8, long_after_s=0.02)

        def waits(d: Deadline) -> str:
            for _ in range(30):
                d.check()
                time.sleep(0.005)
            return "short"
        assert await workers.run(waits, 2) == "short"
        assert len(workers._threads) == 1  # a run that turned long would have started another
        workers.close()
    asyncio.run(main())


def test_runs_waiting_for_a_worker_do_not_each_take_a_thread() -> None:
    """Each thread holds a SQLite read connection and a malloc arena: ten queued short runs use
    the two workers' threads; only a run that turns long adds one (it keeps its thread)."""
    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=8, long_after_s=0.05)
        await asyncio.gather(*(workers.run(lambda d: time.sleep(0.01)) for _ in range(10)))
        assert len(workers._threads) == 2
        long = asyncio.ensure_future(workers.run(_spin, 10.0))
        # The run turns long after 50 ms of its own CPU (later on a loaded machine); its thread
        # count is raised just after it is counted long, so wait for the thread itself.
        await _until(lambda: len(workers._threads) == 3)
        assert workers._long_runs == 1
        await asyncio.sleep(0.1)
        assert len(workers._threads) == 3  # and no more
        long.cancel()
        workers.close()
    asyncio.run(main())
