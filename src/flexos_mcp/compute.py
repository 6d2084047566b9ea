"""CPU-heavy work off the event loop: a small pool of worker processes with a time limit and a
memory bound per task.

One event loop serves every user of a server, so a call that computes for a minute in Python
(entity inference over 1,000 pages, a design-system aggregation, an export) would make every other
call wait that minute. Work of that kind runs here instead:

    result = await run_cpu(infer_pages, pages, timeout=30, hint="Pass page_ids to infer fewer pages.")

- Processes, not threads: pure-Python work holds the GIL, and a process can be stopped when it
  overruns its time and gives its memory back to the system when it is retired.
- Workers run at a lower CPU priority (nice 10): a long task does not slow the event loop or
  PostgreSQL when they share the cores.
- Each worker is forked from a clean fork server (not from the server process with its threads,
  sockets and pool), and limits its own address space (`RLIMIT_AS`), so a runaway task fails
  with MemoryError inside its worker instead of taking the server down.
- A task that overruns its time limit has its worker killed; other tasks and workers go on.
- A worker whose resident memory grew past the recycle threshold after a task is retired, so
  memory a big task used goes back to the system instead of staying in a long-lived process.
- A task that wants to report progress takes a `report_progress(done, total, message)` keyword;
  its reports reach the caller's async `progress` callback (e.g. MCP progress notifications).

Functions and arguments cross a process boundary: the function must be importable at module
level and its arguments and result picklable (plain data: dicts, lists, strings, dataclasses).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from .errors import FlexError

log = logging.getLogger(__name__)

T = TypeVar("T")
ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]

_MIB = 1024 * 1024
# How long a worker whose pipe is closed gets to exit before it is killed.
STOP_GRACE_S = 5.0


class WorkTooBig(FlexError):
    """A task ran past its time limit or its memory bound; the message says which limit and how
    to ask for less."""


class WorkerCrashed(Exception):
    """A worker process died without answering (killed from outside, or a crash in C code).
    Not the caller's fault: it surfaces as an internal error with an incident id."""


@dataclass(frozen=True)
class ComputeLimits:
    workers: int = max(1, min(4, (os.cpu_count() or 2)))
    timeout_s: float = 60.0
    memory_mb: int = 2048  # address-space bound of each worker (RLIMIT_AS)
    recycle_rss_mb: int = 256  # a worker above this resident size after a task is retired
    tasks_per_worker: int = 500  # and every worker after this many tasks, to bound slow leaks
    nice: int = 10  # workers yield the CPU to the event loop and PostgreSQL when both want it


# --- the worker side -----------------------------------------------------------------------------


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # not Linux: the peak is the best we know
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling (our FlexErrors do), else a plain stand-in
    that keeps its type name and text for the log."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _worker_main(conn: Connection, memory_bytes: int, nice: int = 0) -> None:
    """Run tasks from `conn` until it closes. Ctrl-C is the parent's business, not ours."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice > 0:
        with contextlib.suppress(OSError):
            os.nice(nice)
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    def report_progress(done: float, total: float | None = None, message: str | None = None) -> None:
        conn.send(("progress", (done, total, message)))

    while True:
        try:
            fn, args, kwargs, wants_progress = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if wants_progress:
                kwargs = {**kwargs, "report_progress": report_progress}
            outcome: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except MemoryError:
            outcome = ("memory", None)
        except BaseException as exc:
            outcome = ("error", _portable(exc))
        try:
            conn.send((*outcome, _resident_bytes()))
        except MemoryError:
            conn.send(("memory", None, _resident_bytes()))
        except Exception as exc:  # an unpicklable result is the task's bug: say so
            conn.send(("error", RuntimeError(f"result could not be sent back: {exc}"), _resident_bytes()))


# --- the server side -----------------------------------------------------------------------------


class _Worker:
    def __init__(self, context: multiprocessing.context.ForkServerContext, memory_bytes: int, nice: int = 0):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=_worker_main, args=(child, memory_bytes, nice), daemon=True, name="flexos-compute"
        )
        self.process.start()
        child.close()
        self.tasks = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def stop(self, deadline: float | None = None) -> None:
        """Ask the worker to finish (its loop ends when the pipe closes); killed if it has not by
        `deadline` (time.monotonic(); 5 s from now by default)."""
        self.conn.close()
        self.join_or_kill(deadline)

    def join_or_kill(self, deadline: float | None = None) -> None:
        deadline = time.monotonic() + STOP_GRACE_S if deadline is None else deadline
        self.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.process.is_alive():
            self.kill()


class ComputePool:
    """At most `limits.workers` tasks run at once; the rest wait their turn in order."""

    def __init__(self, limits: ComputeLimits | None = None, *, preload: tuple[str, ...] = ()):
        self.limits = limits or ComputeLimits()
        self._context = multiprocessing.get_context("forkserver")
        if preload:  # modules the fork server imports once, so each new worker starts warm
            self._context.set_forkserver_preload(list(preload))
        self._idle: list[_Worker] = []
        self._slots = asyncio.Semaphore(self.limits.workers)
        self._closed = False
        self.loop: asyncio.AbstractEventLoop | None = None

    async def run(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        timeout: float | None = None,
        hint: str = "",
        progress: ProgressCallback | None = None,
        **kwargs: Any,
    ) -> T:
        """`fn(*args, **kwargs)` in a worker process; its result, or its exception re-raised here.

        `hint` finishes the message of a WorkTooBig (how the caller can ask for less). With
        `progress`, `fn` gets a `report_progress` keyword whose calls reach `progress`."""
        if self._closed:
            raise RuntimeError("the compute pool is closed")
        self.loop = self.loop or asyncio.get_running_loop()
        limit = self.limits.timeout_s if timeout is None else timeout
        async with self._slots:
            worker = self._idle.pop() if self._idle else await asyncio.to_thread(self._spawn)
            try:
                status, value, resident = await asyncio.wait_for(
                    self._exchange(worker, (fn, args, kwargs, progress is not None), progress), limit
                )
            except TimeoutError:
                worker.kill()
                raise WorkTooBig(
                    f"This work took longer than its limit of {limit:g} s and was stopped; nothing "
                    f"was changed. {hint}".strip()
                ) from None
            except BaseException:
                worker.kill()  # cancelled, or the worker died: its state is unknown
                raise
            self._return(worker, resident)
        if status == "ok":
            result: T = value  # what fn returned, unpickled
            return result
        if status == "memory":
            raise WorkTooBig(
                f"This work needed more than the memory bound of {self.limits.memory_mb} MB and was "
                f"stopped; nothing was changed. {hint}".strip()
            )
        raise value

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self.limits.memory_mb * _MIB, self.limits.nice)

    def _return(self, worker: _Worker, resident: int) -> None:
        worker.tasks += 1
        if self._closed or resident > self.limits.recycle_rss_mb * _MIB or worker.tasks >= self.limits.tasks_per_worker:
            log.debug(
                "retiring compute worker %s (%d MB resident, %d tasks)",
                worker.process.pid,
                resident // _MIB,
                worker.tasks,
            )
            # Off the event loop: a worker takes tens of milliseconds to exit, and the other calls
            # on this server must not wait for it.
            asyncio.get_running_loop().run_in_executor(None, worker.stop)
        else:
            self._idle.append(worker)

    async def _exchange(
        self, worker: _Worker, task: tuple[Any, ...], progress: ProgressCallback | None
    ) -> tuple[Any, ...]:
        """Send the task, then read messages as they arrive without blocking the loop."""
        loop = asyncio.get_running_loop()
        messages: asyncio.Queue[tuple[Any, ...] | None] = asyncio.Queue()  # None: the worker is gone
        fd = worker.conn.fileno()

        def readable() -> None:
            try:
                while worker.conn.poll():
                    messages.put_nowait(worker.conn.recv())
            except (EOFError, OSError):
                loop.remove_reader(fd)
                messages.put_nowait(None)

        try:
            worker.conn.send(task)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise TypeError(
                f"{getattr(task[0], '__name__', task[0])!r} and its arguments must be picklable: {exc}"
            ) from exc
        loop.add_reader(fd, readable)
        try:
            while True:
                message = await messages.get()
                if message is None:
                    raise WorkerCrashed(
                        f"compute worker {worker.process.pid} exited without answering "
                        f"(exit code {worker.process.exitcode})"
                    )
                if message[0] == "progress":
                    if progress is not None:
                        await progress(*message[1])
                    continue
                return message
        finally:
            with contextlib.suppress(Exception):
                loop.remove_reader(fd)

    def retire_idle(self) -> None:
        """Stop every idle worker (each exits as soon as its pipe closes)."""
        idle, self._idle = self._idle, []
        for worker in idle:  # every pipe first, so the workers exit side by side
            worker.conn.close()
        deadline = time.monotonic() + STOP_GRACE_S  # one grace for all of them, not one each
        for worker in idle:
            worker.join_or_kill(deadline)

    async def close(self) -> None:
        """Stop every idle worker; busy ones stop when their task ends."""
        self._closed = True
        await asyncio.to_thread(self.retire_idle)


_pool: ComputePool | None = None
_limits = ComputeLimits()
_preload: tuple[str, ...] = ()


def configure(limits: ComputeLimits, *, preload: tuple[str, ...] = ()) -> None:
    """Set the limits of the process's pool and the modules its workers start with (the server
    does this once at start from its settings). Takes effect for the next pool."""
    global _limits, _preload
    _limits, _preload = limits, preload


def pool() -> ComputePool:
    """The process's pool, created on first use (and anew for another event loop: its queue
    belongs to the loop that made it)."""
    global _pool
    if _pool is not None and not _pool._closed and _pool.loop not in (None, asyncio.get_running_loop()):
        _pool.retire_idle()
        _pool = None
    if _pool is None or _pool._closed:
        _pool = ComputePool(_limits, preload=_preload)
    return _pool


async def run_cpu(
    fn: Callable[..., T],
    /,
    *args: Any,
    timeout: float | None = None,
    hint: str = "",
    progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> T:
    """Run `fn` in the process's compute pool (see ComputePool.run)."""
    return await pool().run(fn, *args, timeout=timeout, hint=hint, progress=progress, **kwargs)


async def run_cpu_if(
    big: bool, fn: Callable[..., T], /, *args: Any, timeout: float | None = None, hint: str = "", **kwargs: Any
) -> T:
    """`fn` in the compute pool when the work is `big`, else right here: for small work a worker
    round trip (pickling the arguments through a pipe) costs more than the work itself."""
    if not big:
        return fn(*args, **kwargs)
    return await run_cpu(fn, *args, timeout=timeout, hint=hint, **kwargs)


async def shutdown() -> None:
    """Stop the process's pool (at server exit); the next run_cpu starts a new one."""
    global _pool
    if _pool is not None:
        current, _pool = _pool, None
        await current.close()
