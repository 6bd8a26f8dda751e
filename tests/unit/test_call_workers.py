"""CallWorkers (chain/workers.py), the Deadline (vm_hooks/deadline.py) and the call gas rules,
without a node: a full pool refuses at once, a cancelled request cancels its run, close answers
everyone, and the gas a call runs with follows geth's --rpc.gascap."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from chain.backend.executor import CallContext
from chain.exceptions import ExecutionFailed, ServerBusy
from chain.spec import build_spec
from chain.workers import SHUTTING_DOWN, CallWorkers
from vm_hooks.deadline import Deadline, DeadlineExceeded, go_duration


def _spin(deadline: Deadline) -> str:
    """A job that runs until its deadline stops it, checking as a looping EVM run would."""
    while True:
        deadline.check()
        time.sleep(0.001)


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
        workers = CallWorkers(1, 1)
        running = asyncio.ensure_future(workers.run(_spin))
        waiting = asyncio.ensure_future(workers.run(_spin))
        await asyncio.sleep(0.05)
        with pytest.raises(ServerBusy, match="1 running, 1 waiting"):
            await workers.run(_spin)
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
        longs = [asyncio.ensure_future(workers.run(_spin, 1.0)) for _ in range(3)]
        await asyncio.sleep(0.2)
        start = time.monotonic()
        assert await asyncio.wait_for(workers.run(lambda d: "short"), 2) == "short"
        assert time.monotonic() - start < 0.1
        assert workers._long_runs == 3
        workers.close()
        await asyncio.gather(*longs, return_exceptions=True)
    asyncio.run(main())


def test_time_waiting_for_the_long_lane_does_not_count_against_the_timeout() -> None:
    """Two 0.4 s runs with a 0.5 s timeout: the second waits ~0.35 s for the lane, then still
    gets its whole budget, and both finish (geth's timer starts with the EVM, so would ours)."""
    def work(d: Deadline) -> str:
        until = time.monotonic() + 0.4
        while time.monotonic() < until:
            d.check()
            time.sleep(0.001)
        return "done"

    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=8, long_after_s=0.05)
        both = await asyncio.wait_for(asyncio.gather(workers.run(work, 0.5), workers.run(work, 0.5)), 5)
        assert both == ["done", "done"]
        workers.close()
    asyncio.run(main())


def test_a_full_long_lane_refuses_with_busy() -> None:
    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=1, long_after_s=0.02)
        longs = [asyncio.ensure_future(workers.run(_spin, 2.0)) for _ in range(2)]
        await asyncio.sleep(0.15)  # one in the long lane, one waiting for it
        with pytest.raises(ServerBusy, match=r"too many long calls in progress \(1 running, 1 waiting\)"):
            await asyncio.wait_for(workers.run(_spin, 2.0), 2)
        assert await asyncio.wait_for(workers.run(lambda d: "short"), 2) == "short"
        workers.close()
        await asyncio.gather(*longs, return_exceptions=True)
    asyncio.run(main())


def test_a_run_waiting_for_the_long_lane_is_cancelled_with_its_request() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 8, long_lanes=1, long_queue=8, long_after_s=0.02)
        first = asyncio.ensure_future(workers.run(_spin, 1.0))
        second = asyncio.ensure_future(workers.run(_spin, 1.0))
        await asyncio.sleep(0.15)
        second.cancel()
        await asyncio.sleep(0.15)
        assert workers._long_runs == 1  # the waiting one let its place go
        with pytest.raises(ExecutionFailed, match="timeout = 1s"):
            await asyncio.wait_for(first, 3)
        workers.close()
    asyncio.run(main())


def test_runs_waiting_for_a_worker_do_not_each_take_a_thread() -> None:
    """Each thread holds a SQLite read connection and a malloc arena: ten queued short runs use
    the two workers' threads; only a run that turns long adds one (it keeps its thread)."""
    async def main() -> None:
        workers = CallWorkers(2, 8, long_lanes=1, long_queue=8, long_after_s=0.05)
        await asyncio.gather(*(workers.run(lambda d: time.sleep(0.01)) for _ in range(10)))
        assert len(workers._threads) == 2
        long = asyncio.ensure_future(workers.run(_spin, 0.3))
        await asyncio.sleep(0.15)
        assert len(workers._threads) == 3
        with pytest.raises(ExecutionFailed):
            await long
        workers.close()
    asyncio.run(main())
