"""Soak: N mixed MCP calls over Streamable HTTP against `flexos-mcp serve --transport http`, as a
team's clients make them (several users, each with a token and a project; reads mostly, some
writes). Prints latency p50/p99 per call kind, throughput, errors, the server's memory (RSS)
before and after, and the CPU the server process and PostgreSQL spent, as calls per CPU-second:
what one core of each serves (docs/scaling.md uses these figures).

    python bench/soak.py [--calls 20000] [--clients 8] [--users 8]

The load generator speaks JSON-RPC over keep-alive connections (stateless, no SDK client), so
its own cost stays small next to the server's. It shares the machine with the server and the
database: on 2 cores, the figures are a floor for what dedicated cores would do.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import asyncpg
import httpx2
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import free_port
from scratch_db import scratch_database

from flexos_mcp.db.gateway import Database
from flexos_mcp.domain import tokens

HTML = (
    "<main class='p-8'><h1 class='text-2xl text-slate-900'>Lessons</h1>"
    + "<p class='mt-2'>A lesson.</p>" * 40
    + "</main>"
)
# (kind, weight): what a design session and a coding agent mostly do
MIX = [
    ("get_project", 25),
    ("list_pages", 15),
    ("get_page", 15),
    ("list_projects", 10),
    ("get_me", 5),
    ("tools/list", 5),
    ("create_mockup_version", 10),
    ("update_page", 10),
    ("create_page", 5),
]
HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}


class User:
    def __init__(self, token: str):
        self.token = token
        self.project_id = ""
        self.page_ids: list[str] = []
        self.serial = 0


async def _rpc(http: httpx2.AsyncClient, url: str, user: User, method: str, params: dict) -> dict:
    response = await http.post(
        url,
        json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
        headers={**HEADERS, "Authorization": f"Bearer {user.token}"},
    )
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        raise RuntimeError(body["error"]["message"])
    result = body["result"]
    if method == "tools/call" and result.get("isError"):
        raise RuntimeError(result["content"][0]["text"])
    return result


async def _tool(http, url, user, tool: str, **args) -> dict:
    return (await _rpc(http, url, user, "tools/call", {"name": tool, "arguments": args})).get("structuredContent", {})


async def _seed(http, url: str, user: User) -> None:
    project = await _tool(http, url, user, "create_project", name="Soak", type="web-app")
    user.project_id = project["id"]
    for i in range(10):
        page = await _tool(
            http,
            url,
            user,
            "create_page",
            project_id=user.project_id,
            name=f"Page {i}",
            path=f"/page-{i}",
            html_content=HTML,
        )
        user.page_ids.append(page["id"])


async def _one(http, url, user: User, kind: str) -> None:
    page_id = random.choice(user.page_ids)
    if kind == "tools/list":
        await _rpc(http, url, user, "tools/list", {})
    elif kind in ("get_me", "list_projects"):
        await _tool(http, url, user, kind)
    elif kind in ("get_project", "list_pages"):
        await _tool(http, url, user, kind, project_id=user.project_id)
    elif kind == "get_page":
        await _tool(http, url, user, kind, page_id=page_id)
    elif kind == "create_mockup_version":
        await _tool(
            http, url, user, kind, page_id=page_id, html_content=HTML.replace("Lessons", f"Lessons {user.serial}")
        )
    elif kind == "update_page":
        await _tool(http, url, user, kind, page_id=page_id, purpose=f"revision {user.serial}")
    elif kind == "create_page":
        await _tool(
            http,
            url,
            user,
            kind,
            project_id=user.project_id,
            name=f"Extra {user.serial}",
            path=f"/extra-{os.getpid()}-{user.serial}",
        )
    user.serial += 1


def _postgres_cpu(pid: int) -> float:
    """CPU seconds of the postmaster and every backend, exited ones included (the postmaster
    reaps them, so their time lands in its children's times)."""
    postmaster = psutil.Process(pid)
    total = sum(postmaster.cpu_times()[:4])
    for child in postmaster.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


async def _postmaster_pid(url: str) -> int | None:
    conn = await asyncpg.connect(url)
    try:
        data_dir = await conn.fetchval("SELECT current_setting('data_directory')")
    except asyncpg.PostgresError:  # not a superuser: the data directory is hidden
        return None
    finally:
        await conn.close()
    try:
        return int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    except OSError:  # a server on another machine, or not readable
        return None


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def soak(url: str, calls: int, clients: int, users: int) -> None:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    try:
        secrets = [
            (await tokens.create_token(Database(pool), f"soak-{i}@example.test", "soak"))[0] for i in range(users)
        ]
    finally:
        await pool.close()
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115  the server's stderr sink for its whole life, closed at exit
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "FLEXOS_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "flexos_mcp", "serve", "--transport", "http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    mcp_url = f"http://127.0.0.1:{port}/mcp"
    try:
        async with httpx2.AsyncClient(timeout=60, limits=httpx2.Limits(max_connections=clients)) as http:
            for _ in range(300):
                try:
                    await http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx2.TransportError:
                    await asyncio.sleep(0.1)
            people = [User(token) for token in secrets]
            for person in people:
                await _seed(http, mcp_url, person)
            for person in people:  # warm every path once
                for kind, _ in MIX:
                    await _one(http, mcp_url, person, kind)
            process = psutil.Process(server.pid)
            postmaster = await _postmaster_pid(url)
            rss_before = process.memory_info().rss
            cpu_before = sum(process.cpu_times()[:2])
            pg_before = _postgres_cpu(postmaster) if postmaster else None

            kinds = [k for k, _ in MIX]
            weights = [w for _, w in MIX]
            latencies: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            remaining = iter(range(calls))
            rss_half: list[int] = []

            async def client(person: User) -> None:
                for n in remaining:
                    if n == calls // 2:  # growth in the second half is what stays, not warm-up
                        rss_half.append(process.memory_info().rss)
                    kind = random.choices(kinds, weights)[0]
                    started = time.perf_counter()
                    try:
                        await _one(http, mcp_url, person, kind)
                    except Exception as exc:  # counted and shown, never hidden
                        errors[f"{kind}: {str(exc)[:120]}"] += 1
                        continue
                    latencies[kind].append(time.perf_counter() - started)

            started = time.perf_counter()
            await asyncio.gather(*(client(people[i % len(people)]) for i in range(clients)))
            wall = time.perf_counter() - started

            rss_after = process.memory_info().rss
            cpu = sum(process.cpu_times()[:2]) - cpu_before
            pg_cpu = _postgres_cpu(postmaster) - pg_before if postmaster else None
    finally:
        server.terminate()
        server.wait(30)

    done = sum(len(v) for v in latencies.values())
    every = [x for v in latencies.values() for x in v]
    print(
        f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, Python {sys.version.split()[0]}"
    )
    print(
        f"{done} calls ({sum(errors.values())} errors) from {clients} clients as {users} users in {wall:.1f} s: "
        f"{done / wall:.0f} calls/s"
    )
    print(f"latency p50 {statistics.median(every) * 1000:.1f} ms, p99 {_percentile(every, 99) * 1000:.1f} ms")
    for kind in kinds:
        values = latencies[kind]
        if values:
            print(
                f"  {kind:<22} {len(values):>6}  p50 {statistics.median(values) * 1000:6.1f} ms  "
                f"p99 {_percentile(values, 99) * 1000:6.1f} ms"
            )
    half = rss_half[0] if rss_half else rss_before
    print(
        f"server RSS {rss_before / 2**20:.0f} MB before, {half / 2**20:.0f} MB halfway, {rss_after / 2**20:.0f} MB "
        f"after ({(rss_after - rss_before) / rss_before * 100:+.1f}% in all, {(rss_after - half) / half * 100:+.1f}% "
        f"in the second half)"
    )
    print(f"server CPU {cpu:.1f} s: {done / cpu:.0f} calls per server CPU-second")
    if pg_cpu:
        print(f"PostgreSQL CPU {pg_cpu:.1f} s: {done / pg_cpu:.0f} calls per PostgreSQL CPU-second")
    else:
        print("PostgreSQL CPU: not measurable (its processes are not visible from here)")
    for error, count in sorted(errors.items()):
        print(f"  error x{count}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args()

    async def run() -> None:
        async with scratch_database("flexos_bench_soak") as url:
            await soak(url, args.calls, args.clients, args.users)

    asyncio.run(run())


if __name__ == "__main__":
    main()
