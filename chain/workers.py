"""CallWorkers: runs calls and traces off the event loop, so no call stalls the node.

eth_call and its kin run py-evm synchronously for up to the call timeout; on the loop thread
that stopped every other client (a 6 s call delayed eth_blockNumber by 6 s). Here they run on a
few worker threads. The loop keeps serving: the worker runs pure Python, and CPython hands the
GIL back to the loop thread every switch interval (5 ms), so a request on another connection
waits milliseconds, not seconds.

A job is a function of a `Deadline`; everything it reads must be fixed before it is submitted
(block header, state root, pool snapshot): the loop thread keeps mining and committing meanwhile.
The database serves worker threads from read connections of their own (storage/sqlite_db.py).

Two lanes. Most runs end in milliseconds; a hostile or careless client can send runs that loop
until the timeout. First come, first served, two such clients kept both workers busy and every
other eth_call waited seconds (the soak in bench/soak.py measured a 5 s p99). So a run starts in
the short lane (`workers` at a time); when it has used `long_after_s` of CPU time it leaves the short lane
for the long lane (`long_lanes` at a time, `long_queue` waiting, beyond that -32005), and its
timeout clock stops while it waits there. Short runs then wait at most `long_after_s` behind
anyone's long ones.

Workers are daemon threads, not a ThreadPoolExecutor: the executor joins its threads at exit, so
a run stuck in one long precompile would keep a SIGTERMed node alive. `close` cancels every
run and answers every waiting request at once.
"""
from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from chain.exceptions import ExecutionFailed, ServerBusy
from vm_hooks.deadline import Deadline, DeadlineExceeded, InlineDeadline, LaneFull, Overtime

T = TypeVar("T")
Job = Callable[[Deadline], T]
SHUTTING_DOWN = "execution aborted (the node is shutting down)"
# A run checks its deadline between instructions; one slow step (a large ecPairing input costs
# about a second per pair in py_ecc) cannot be interrupted. Its caller is answered this long
# after the deadline anyway, while the worker stays counted as busy until the step returns.
GRACE_S = 1.0
LANE_POLL_S = 0.05  # how often a run waiting for the long lane looks for its cancellation


@dataclass(eq=False)
class _Task(Generic[T]):
    job: Job[T]
    deadline: Deadline
    future: "asyncio.Future[T]"
    loop: asyncio.AbstractEventLoop
    timer: asyncio.TimerHandle | None = None
    permit: threading.Semaphore | None = None  # the lane it holds; set by its worker thread only
    waiting_for_lane: bool = False
    went_long: bool = False  # counted in CallWorkers._long_runs until its worker lets it go


class CallWorkers:
    """A bounded pool: `workers` short runs at a time and at most `queue_limit` waiting for one;
    `long_lanes` long runs at a time and at most `long_queue` waiting for one.

    Beyond those bounds a request is refused with ServerBusy at once rather than queued behind
    minutes of work. Threads start on first use, so a chain nobody calls costs none.
    """

    def __init__(self, workers: int = 2, queue_limit: int = 8, long_lanes: int = 1,
                 long_queue: int = 8, long_after_s: float | None = 0.05) -> None:
        if workers < 1 or long_lanes < 1:
            raise ValueError("a call pool needs at least one worker in each lane")
        self.workers = workers
        self.queue_limit = queue_limit
        self.long_lanes = long_lanes
        self.long_queue = long_queue
        self.long_after_s = long_after_s  # None: every run stays in the short lane
        self._short = threading.Semaphore(workers)
        self._long = threading.Semaphore(long_lanes)
        self._lock = threading.Lock()
        self._long_runs = 0  # in the long lane or waiting for it; under _lock
        self._queue: queue.Queue[_Task[Any] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        # Submitted and not yet let go by a worker (answered or not); touched on the loop only.
        self._tasks: set[_Task[Any]] = set()
        self._closed = False

    async def run(self, job: Job[T], timeout_s: float | None = None, inline_s: float = 0.0) -> T:
        """Run `job` on a worker with a deadline of `timeout_s` seconds from when it starts
        (None or 0: none). Raises ServerBusy when the pool is full, ExecutionFailed when the run
        is aborted (geth's "execution aborted (timeout = 5s)"), or what the job raises.
        If the awaiting request is cancelled (client gone), the run is cancelled too.

        With `inline_s`, the job is first tried here, on the loop's thread, for up to `inline_s`
        of CPU time: most calls end within a millisecond or two, and handing one to a worker and
        back costs about 0.2 ms more (two thread wake-ups and the GIL's hand-overs). A run that goes
        past the budget, or enters a slow precompile, is dropped and started afresh on a worker,
        so the job must have no effect outside its own result until it returns."""
        if self._closed:
            raise ExecutionFailed(SHUTTING_DOWN)
        if inline_s > 0:
            try:
                return job(InlineDeadline(timeout_s, inline_s).start())
            except Overtime:
                pass  # too long for the loop's thread: run it again where it may take its time
            except DeadlineExceeded as exc:  # the clock ran out (a stalled machine): as a worker would say
                raise ExecutionFailed(str(exc)) from None
        if len(self._tasks) - self._long_runs >= self.workers + self.queue_limit:
            raise ServerBusy(f"too many calls in progress ({self.workers} running, {self.queue_limit} "
                             "waiting); retry later")
        loop = asyncio.get_running_loop()
        deadline = Deadline(timeout_s, self.long_after_s, lambda d: self._go_long(task))
        task: _Task[T] = _Task(job, deadline, loop.create_future(), loop)
        self._tasks.add(task)
        self._start_threads()
        self._queue.put(task)
        try:
            return await task.future
        except asyncio.CancelledError:
            task.deadline.cancel("execution aborted (request cancelled)")
            raise

    def _start_threads(self) -> None:
        """Enough threads for every short slot and every long run (in the lane or waiting for
        it, each keeps its thread); a run waiting for a short slot waits in the queue, not on a
        thread of its own. Called on the loop and on a thread whose run turns long."""
        with self._lock:
            wanted = min(self.workers + self._long_runs, self.workers + self.long_lanes + self.long_queue)
            while len(self._threads) < wanted:
                t = threading.Thread(target=self._work, name=f"wabei-call-{len(self._threads)}", daemon=True)
                self._threads.append(t)
                t.start()

    def _work(self) -> None:
        while True:
            self._short.acquire()  # a slot first, then a run: runs never wait on a thread
            task = self._queue.get()
            if task is None:
                self._short.release()
                return
            task.permit = self._short
            try:
                if task.deadline.cancelled is None:  # not abandoned while it waited
                    self._execute(task)
                else:
                    _to_loop(task, self._finished, task)
            finally:
                self._release(task)
                if task.went_long:
                    with self._lock:
                        self._long_runs -= 1

    def _execute(self, task: _Task[Any]) -> None:
        deadline = task.deadline.start()
        if deadline.timeout_s is not None:
            _to_loop(task, self._arm, task)
        try:
            result = task.job(deadline)
        except LaneFull as exc:
            _to_loop(task, self._settle, task, None, ServerBusy(str(exc)))
        except DeadlineExceeded as exc:
            _to_loop(task, self._settle, task, None, ExecutionFailed(str(exc)))
        except BaseException as exc:  # the job's own errors go to the request that ran it
            _to_loop(task, self._settle, task, None, exc)
        else:
            _to_loop(task, self._settle, task, result, None)

    def _go_long(self, task: _Task[Any]) -> None:
        """On the run's thread, once it has used long_after_s of CPU: give the short lane back and
        wait for the long one. The time waited is added to the deadline."""
        with self._lock:
            if self._long_runs >= self.long_lanes + self.long_queue:
                raise LaneFull(f"too many long calls in progress ({self.long_lanes} running, "
                               f"{self.long_queue} waiting); retry later")
            self._long_runs += 1
            task.went_long = True
        self._start_threads()  # a thread for the short slot this run gives back
        self._release(task)
        started = time.monotonic()
        task.waiting_for_lane = True
        try:
            while not self._long.acquire(timeout=LANE_POLL_S):
                if task.deadline.cancelled is not None:
                    raise DeadlineExceeded(task.deadline.cancelled)
            task.permit = self._long
            task.deadline.at += time.monotonic() - started  # before _give_up may look again
        finally:
            task.waiting_for_lane = False

    def _release(self, task: _Task[Any]) -> None:
        """Give back the lane `task` holds, if any (on its worker thread)."""
        permit, task.permit = task.permit, None
        if permit is not None:
            permit.release()

    # -- on the loop thread ----------------------------------------------------------------
    def _arm(self, task: _Task[Any]) -> None:
        if not task.future.done() and task.deadline.timeout_s is not None:
            task.timer = task.loop.call_later(task.deadline.timeout_s + GRACE_S, self._give_up, task)

    def _give_up(self, task: _Task[Any]) -> None:
        """The run is stuck in one step past its deadline: answer its caller now. Unless its
        clock stopped while it waited for the long lane: then look again when it runs out."""
        left = task.deadline.at - time.monotonic()
        if task.waiting_for_lane or left > 0:
            task.timer = task.loop.call_later(max(left, 0) + GRACE_S, self._give_up, task)
            return
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
        with self._lock:
            threads = len(self._threads)
        for _ in range(threads):
            self._queue.put(None)


def _to_loop(task: _Task[Any], fn: Callable[..., None], *args: Any) -> None:
    """Call `fn(*args)` on the task's loop thread; nothing if the loop is closed (stopped node)."""
    try:
        task.loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:
        pass
