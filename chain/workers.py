"""CallWorkers: runs calls and traces off the event loop, so no call stalls the node.

eth_call and its kin run py-evm synchronously for up to the call timeout; on the loop thread
that stopped every other client (a 6 s call delayed eth_blockNumber by 6 s). Here they run on a
few worker threads. The loop keeps serving: the worker runs pure Python, and CPython hands the
GIL back to the loop thread every switch interval (5 ms), so a request on another connection
waits milliseconds, not seconds.

A job is a function of a `Deadline`; everything it reads must be fixed before it is submitted
(block header, state root, pool snapshot): the loop thread keeps mining and committing meanwhile.
The database serves worker threads from read connections of their own (storage/sqlite_db.py).

Workers are daemon threads, not a ThreadPoolExecutor: the executor joins its threads at exit, so
a run stuck in one long precompile would keep a SIGTERMed node alive. `close` cancels every
run and answers every waiting request at once.
"""
from __future__ import annotations

import asyncio
import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from chain.exceptions import ExecutionFailed, ServerBusy
from vm_hooks.deadline import Deadline, DeadlineExceeded

T = TypeVar("T")
Job = Callable[[Deadline], T]
SHUTTING_DOWN = "execution aborted (the node is shutting down)"
# A run checks its deadline between instructions; one slow step (a large ecPairing input costs
# about a second per pair in py_ecc) cannot be interrupted. Its caller is answered this long
# after the deadline anyway, while the worker stays counted as busy until the step returns.
GRACE_S = 1.0


@dataclass(eq=False)
class _Task(Generic[T]):
    job: Job[T]
    deadline: Deadline
    future: "asyncio.Future[T]"
    loop: asyncio.AbstractEventLoop
    timer: asyncio.TimerHandle | None = None


class CallWorkers:
    """A bounded pool: `workers` threads, at most `queue_limit` jobs waiting for one.

    Beyond that `run` refuses with ServerBusy at once rather than queueing a request behind
    minutes of work. Threads start on first use, so a chain nobody calls costs none.
    """

    def __init__(self, workers: int = 2, queue_limit: int = 8) -> None:
        if workers < 1:
            raise ValueError("a call pool needs at least one worker")
        self.workers = workers
        self.queue_limit = queue_limit
        self._queue: queue.Queue[_Task[Any] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        # Submitted and not yet let go by a worker (answered or not); touched on the loop only.
        self._tasks: set[_Task[Any]] = set()
        self._closed = False

    async def run(self, job: Job[T], timeout_s: float | None = None) -> T:
        """Run `job` on a worker with a deadline of `timeout_s` seconds from when it starts
        (None or 0: none). Raises ServerBusy when the pool is full, ExecutionFailed when the run
        is aborted (geth's "execution aborted (timeout = 5s)"), or what the job raises.
        If the awaiting request is cancelled (client gone), the run is cancelled too."""
        if self._closed:
            raise ExecutionFailed(SHUTTING_DOWN)
        if len(self._tasks) >= self.workers + self.queue_limit:
            raise ServerBusy(f"too many calls in progress ({self.workers} running, {self.queue_limit} "
                             "waiting); retry later")
        loop = asyncio.get_running_loop()
        task: _Task[T] = _Task(job, Deadline(timeout_s), loop.create_future(), loop)
        self._tasks.add(task)
        self._start_threads()
        self._queue.put(task)
        try:
            return await task.future
        except asyncio.CancelledError:
            task.deadline.cancel("execution aborted (request cancelled)")
            raise

    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"wabei-call-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def _work(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            if task.deadline.cancelled is None:  # not abandoned while it waited
                self._execute(task)
            else:
                _to_loop(task, self._finished, task)

    def _execute(self, task: _Task[Any]) -> None:
        deadline = task.deadline.start()
        if deadline.timeout_s is not None:
            _to_loop(task, self._arm, task)
        try:
            result = task.job(deadline)
        except DeadlineExceeded as exc:
            _to_loop(task, self._settle, task, None, ExecutionFailed(str(exc)))
        except BaseException as exc:  # the job's own errors go to the request that ran it
            _to_loop(task, self._settle, task, None, exc)
        else:
            _to_loop(task, self._settle, task, result, None)

    # -- on the loop thread ----------------------------------------------------------------
    def _arm(self, task: _Task[Any]) -> None:
        if not task.future.done() and task.deadline.timeout_s is not None:
            task.timer = task.loop.call_later(task.deadline.timeout_s + GRACE_S, self._give_up, task)

    def _give_up(self, task: _Task[Any]) -> None:
        """The run is stuck in one step past its deadline: answer its caller now."""
        task.deadline.cancel(task.deadline.timeout_message())  # stop at the step's end
        if not task.future.done():
            task.future.set_exception(ExecutionFailed(task.deadline.timeout_message()))

    def _settle(self, task: _Task[Any], result: Any, error: BaseException | None) -> None:
        self._finished(task)
        if task.future.done():  # answered already (close, give-up) or its caller went away
            return
        if error is not None:
            task.future.set_exception(error)
        else:
            task.future.set_result(result)

    def _finished(self, task: _Task[Any]) -> None:
        self._tasks.discard(task)
        if task.timer is not None:
            task.timer.cancel()

    def close(self) -> None:
        """Cancel every run, answer every waiting request, and let the threads end. Does not
        wait for a run to notice: the threads are daemons and finish at their next check."""
        self._closed = True
        for task in list(self._tasks):
            task.deadline.cancel(SHUTTING_DOWN)
            if not task.future.done():
                task.future.set_exception(ExecutionFailed(SHUTTING_DOWN))
        for _ in self._threads:
            self._queue.put(None)


def _to_loop(task: _Task[Any], fn: Callable[..., None], *args: Any) -> None:
    """Call `fn(*args)` on the task's loop thread; nothing if the loop is closed (stopped node)."""
    try:
        task.loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:
        pass
