"""Tasks the compute-pool tests send to worker processes (importable by name, as the pool needs)."""

from __future__ import annotations

import os
import time

from flexos_mcp.errors import InvalidInput


def add(a: int, b: int) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def spin(seconds: float) -> str:
    """Pure-Python CPU work that holds the GIL the whole time."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return "done"


def refuse(field: str) -> None:
    raise InvalidInput(field, "must be something else")


def hoard(megabytes: int) -> int:
    """Allocate and touch `megabytes` of memory; its length if that was allowed."""
    block = bytearray(megabytes * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return len(block)


def counted(steps: int, *, report_progress) -> int:
    for step in range(1, steps + 1):
        report_progress(step, steps, f"step {step}")
    return steps


def unpicklable_result():
    return lambda: None


_kept: list[bytearray] = []


def hoard_and_keep(megabytes: int) -> int:
    """Like hoard, but the memory stays with the worker, as fragmented heaps do after big work."""
    _kept.append(bytearray(megabytes * 1024 * 1024))
    for i in range(0, len(_kept[-1]), 4096):
        _kept[-1][i] = 1
    return os.getpid()


def niceness() -> int:
    return os.nice(0)
