"""Calls tried on the event loop's thread first (CallWorkers.run with `inline_s`, vm_hooks/
deadline.InlineDeadline): a short run ends there, a run past its CPU budget or entering a slow
precompile is thrown away and run again on a worker, and the loop is held only for the budget."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from chain.exceptions import ExecutionFailed
from chain.workers import CallWorkers
from vm_hooks.deadline import SLOW_PRECOMPILES, Deadline, InlineDeadline, Overtime

BUDGET_S = 0.002


def _burn(seconds: float, deadline: Deadline) -> None:
    """Use `seconds` of this thread's CPU, checking the deadline every 0.1 ms as a looping EVM
    run checks at its jumps."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        deadline.check()
        spin = time.thread_time() + 0.0001
        while time.thread_time() < spin:
            pass


def test_a_short_run_ends_on_the_loops_thread() -> None:
    async def main() -> None:
        workers = CallWorkers(2, 1)
        loop_thread = threading.get_ident()

        def job(deadline: Deadline) -> int:
            _burn(0.0002, deadline)
            return threading.get_ident()
        assert await workers.run(job, 5.0, BUDGET_S) == loop_thread
        assert await workers.run(job, 5.0) != loop_thread  # without a budget: on a worker
        workers.close()
    asyncio.run(main())


def test_a_long_run_starts_again_on_a_worker_and_holds_the_loop_only_for_the_budget() -> None:
    async def main() -> None:
        workers = CallWorkers(2, 1)
        loop_thread = threading.get_ident()
        tries: list[tuple[int, type[Deadline]]] = []

        def job(deadline: Deadline) -> str:
            tries.append((threading.get_ident(), type(deadline)))
            _burn(0.05, deadline)
            return "done"

        ticks: list[float] = []

        async def ticker() -> None:  # how long the loop goes without a turn
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0)
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        assert await workers.run(job, 5.0, BUDGET_S) == "done"
        tick.cancel()
        assert tries[0] == (loop_thread, InlineDeadline)
        assert len(tries) == 2 and tries[1][0] != loop_thread and tries[1][1] is Deadline
        longest = max(b - a for a, b in zip(ticks, ticks[1:]))
        assert longest < 0.03, f"the loop was held {longest * 1000:.1f} ms"  # the 50 ms run was not
        workers.close()
    asyncio.run(main())


def test_errors_of_an_inline_run_reach_the_caller_without_a_second_run() -> None:
    async def main() -> None:
        workers = CallWorkers(1, 1)
        runs = []

        def job(deadline: Deadline) -> int:
            runs.append(1)
            return 1 // 0
        with pytest.raises(ZeroDivisionError):
            await workers.run(job, 5.0, BUDGET_S)
        assert len(runs) == 1
        cancelled = InlineDeadline(5.0, BUDGET_S)

        def aborted(deadline: Deadline) -> int:
            cancelled.cancel("execution aborted (timeout = 5s)")
            cancelled.check()
            return 0
        with pytest.raises(ExecutionFailed, match="timeout = 5s"):
            await workers.run(aborted, 5.0, BUDGET_S)
        workers.close()
    asyncio.run(main())


@pytest.mark.parametrize("address", [5, 8, 9, 0x0A, 0x0F, 0x11, 0x100])
def test_an_inline_run_leaves_at_a_slow_precompile(address: int) -> None:
    code = address.to_bytes(20, "big")
    assert code in SLOW_PRECOMPILES
    with pytest.raises(Overtime):
        InlineDeadline(5.0, BUDGET_S).start().entering(code)
    Deadline(5.0).start().entering(code)  # on a worker it runs


@pytest.mark.parametrize("address", [1, 2, 3, 4, 0x12, 0x1000])
def test_cheap_precompiles_and_contracts_stay_inline(address: int) -> None:
    InlineDeadline(5.0, BUDGET_S).start().entering(address.to_bytes(20, "big"))
