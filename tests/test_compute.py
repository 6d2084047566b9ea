"""The compute pool runs CPU work in worker processes: results and our errors come back as they
are, a task past its time or memory limit is stopped with a clear message while the others go
on, the event loop stays free meanwhile, and big workers are retired so memory goes back."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from flexos_mcp.compute import ComputeLimits, ComputePool, WorkTooBig
from flexos_mcp.errors import InvalidInput

from helpers import compute_tasks as tasks


@pytest.fixture
async def pool():
    p = ComputePool(ComputeLimits(workers=2, timeout_s=20, memory_mb=1024, recycle_rss_mb=200))
    yield p
    await p.close()


async def test_results_and_errors_come_back_as_they_are(pool):
    assert await pool.run(tasks.add, 2, 3) == 5
    with pytest.raises(InvalidInput, match="Invalid page_id: must be something else"):
        await pool.run(tasks.refuse, "page_id")
    with pytest.raises(RuntimeError, match="result could not be sent back"):
        await pool.run(tasks.unpicklable_result)
    assert await pool.run(tasks.add, 1, 1) == 2  # the worker survived all of that


async def test_the_event_loop_stays_free_while_a_task_computes(pool):
    gaps: list[float] = []

    async def ticker():
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    assert await pool.run(tasks.spin, 1.5) == "done"
    ticking.cancel()
    # On the loop itself the same work would block every tick for 1.5 s.
    assert len(gaps) > 30 and max(gaps) < 0.75, max(gaps)


async def test_a_task_past_its_time_is_stopped_and_the_others_go_on(pool):
    slow = asyncio.create_task(pool.run(tasks.spin, 30, timeout=0.5, hint="Ask for fewer pages."))
    quick = [pool.run(tasks.add, i, i) for i in range(5)]
    with pytest.raises(WorkTooBig, match=r"longer than its limit of 0.5 s .* Ask for fewer pages\."):
        await slow
    assert await asyncio.gather(*quick) == [0, 2, 4, 6, 8]


async def test_a_task_past_its_memory_bound_fails_cleanly(pool):
    with pytest.raises(WorkTooBig, match="memory bound of 1024 MB"):
        await pool.run(tasks.hoard, 2048)
    assert await pool.run(tasks.hoard, 16) == 16 * 1024 * 1024


async def test_a_worker_that_grew_big_is_retired(pool):
    first = await pool.run(tasks.pid)
    assert await pool.run(tasks.pid) == first  # a small task keeps its worker
    assert await pool.run(tasks.hoard_and_keep, 300) == first  # now past the 200 MB recycle threshold
    assert first not in {await pool.run(tasks.pid) for _ in range(3)}


async def test_progress_reports_reach_the_caller(pool):
    seen = []

    async def progress(done, total, message):
        seen.append((done, total, message))

    assert await pool.run(tasks.counted, 3, progress=progress) == 3
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


async def test_at_most_the_configured_number_run_at_once(pool):
    started = time.perf_counter()
    await asyncio.gather(*(pool.run(tasks.spin, 0.4) for _ in range(4)))
    # two workers, four tasks of 0.4 s: two rounds, never four at once
    assert time.perf_counter() - started >= 0.75


async def test_workers_yield_the_cpu_to_the_server(pool):
    own = os.nice(0)
    assert await pool.run(tasks.niceness) == min(19, own + pool.limits.nice) > own or own == 19
