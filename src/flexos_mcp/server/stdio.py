"""Serving MCP on stdio until the client leaves or a signal says stop.

An MCP host starts `flexos-mcp serve` with pipes and usually ends it with SIGTERM; a person in a
terminal presses Ctrl-C (SIGINT). Either must end the server promptly even though the client
still holds stdin open. The SDK reads stdin in a worker thread that nothing can interrupt, and
its shutdown waits for that thread, i.e. for the next line or end of input. So the input here is
read by a daemon thread that shutdown never waits for, and a signal does this:

1. new requests are no longer read (responses and notifications from the client still are, so a
   call waiting on the client, e.g. for sampling, can finish);
2. calls in flight get up to `grace_s` seconds to finish;
3. then the input ends as if the client had closed it: the SDK answers what is still running with
   "Connection closed", the lifespan closes the database pool;
4. the exit code is 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), 0 when the client
   closed stdin.

A second signal skips the grace period.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import signal
import threading
from collections.abc import Callable

import anyio
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server

from .sdk_adapter import lowlevel_server

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 5.0  # how long calls in flight may take to finish after a signal
_FORCE_AFTER_S = 5.0  # then how long the SDK may take to wind down before it is cancelled
_QUEUED_LINES = 16  # lines read ahead of the server (the reader waits beyond that)


class StdinLines:
    """The client's input as an async iterator of lines, read from `fd` by a daemon thread."""

    def __init__(self, fd: int | None):
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=_QUEUED_LINES)
        self._loop = asyncio.get_running_loop()
        self._ended = False
        self.accepting_requests = True
        if fd is None:
            self._queue.put_nowait(None)
        else:
            threading.Thread(target=self._read, args=(fd,), name="flexos-stdin", daemon=True).start()

    def _read(self, fd: int) -> None:
        # closefd=False: the thread may still be blocked on fd when the server is gone; the
        # descriptor must never be closed and reused under it.
        with os.fdopen(fd, "rb", buffering=65536, closefd=False) as stream:
            for raw in stream:
                if not self._hand_over(raw.decode("utf-8", errors="replace")):
                    return
        self._hand_over(None)

    def _hand_over(self, line: str | None) -> bool:
        try:
            asyncio.run_coroutine_threadsafe(self._queue.put(line), self._loop).result()
        except (RuntimeError, asyncio.CancelledError):  # the loop is closed: nobody is listening
            return False
        return True

    def end(self) -> None:
        """End the input now, as if the client had closed stdin."""
        self._ended = True
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    def __aiter__(self) -> StdinLines:
        return self

    async def __anext__(self) -> str:
        while not self._ended:
            line = await self._queue.get()
            if line is None:
                break
            if self.accepting_requests or not _is_request(line):
                return line
            log.info("shutting down: a request that arrived after the signal is not served")
        self._ended = True
        raise StopAsyncIteration


def _is_request(line: str) -> bool:
    try:
        message = json.loads(line)
    except ValueError:
        return False
    return isinstance(message, list) or (isinstance(message, dict) and "method" in message and "id" in message)


def _claim_stdin() -> int | None:
    """A private copy of fd 0 for the protocol, with fd 0 itself pointed at /dev/null so a child
    process reading stdin gets end of input, not the client's messages (as the SDK does)."""
    try:
        private = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError:  # no stdin at all
        return None
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        os.close(null)
    return private


async def _serve(server: MCPServer, stdin_fd: int | None, busy: Callable[[], int], grace_s: float) -> int:
    lines = StdinLines(stdin_fd)
    lowlevel = lowlevel_server(server)
    received: list[int] = []

    async with anyio.create_task_group() as tasks:
        serving = anyio.CancelScope()

        async def stop(skip_grace: bool) -> None:
            lines.accepting_requests = False
            if not skip_grace:
                with anyio.move_on_after(grace_s):
                    while busy():
                        await anyio.sleep(0.05)
            lines.end()
            await anyio.sleep(_FORCE_AFTER_S)
            log.warning("the server did not wind down within %g s of the end of input; cancelling", _FORCE_AFTER_S)
            serving.cancel()

        async def watch_signals() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for signum in signals:
                    received.append(signum)
                    name = signal.Signals(signum).name
                    if len(received) == 1:
                        log.info("%s: stopping; %d call(s) in flight get up to %g s", name, busy(), grace_s)
                        tasks.start_soon(stop, False)
                    else:
                        log.info("%s again: stopping now", name)
                        tasks.start_soon(stop, True)

        tasks.start_soon(watch_signals)
        with serving:
            async with stdio_server(stdin=lines) as (read_stream, write_stream):  # type: ignore[arg-type]  # StdinLines reads lines like the async file the SDK expects
                await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
        tasks.cancel_scope.cancel()
    return 128 + received[0] if received else 0


def serve_stdio(server: MCPServer, busy: Callable[[], int], *, grace_s: float = SHUTDOWN_GRACE_S) -> int:
    """Serve `server` on stdin/stdout; returns the process's exit code (see the module doc).
    `busy()` is the number of calls in flight."""
    stdin_fd = _claim_stdin()
    try:
        return anyio.run(_serve, server, stdin_fd, busy, grace_s)
    except BaseExceptionGroup as group:  # e.g. the lifespan failed: raise the error itself, not its wrappers
        raise _only_error(group) from None
    finally:
        if stdin_fd is not None:
            os.dup2(stdin_fd, 0)


def _only_error(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error
