"""Per-call cost of FlexOS tools against the floor measured in the same run (issue 19).

The floor of a call is what the MCP SDK and PostgreSQL cost without us: the SDK's own server
(bench/echo_server.py) returning the same structured result under the same output schema, over
the same transport, then a bare asyncpg connection running the same statements (the same rows
read; the same writes in one transaction), measured as one unit. One unit, not the sum of the two
measured apart: statements sent back to back find the PostgreSQL backend still awake, while a
statement sent after any other work waits for it to be woken and scheduled, which on a loaded
machine costs more than the statement (bench/profiles/README.md). Every case runs in interleaved
rounds; the figures are medians. Printed per case: ours, the echo alone, the bare statements
alone, the floor (echo, then the statements), ratio = ours / floor, the target.

1. Reads, in-memory (`mcp.Client(server)`) and over stdio (`flexos-mcp serve` as a subprocess
   against the echo server as a subprocess): get_project, get_page with its current mockup,
   list_pages (20 rows). Targets: <= 1.5x in-memory, <= 1.25x over stdio.
2. Writes, in-memory: create_page with a first mockup, create_mockup_version, update_project
   (<= 1.5x); log_thought on a fresh chain and at the end of a 3,000-deep chain (<= 1.25x each, and
   deep / fresh ~ 1: flat with depth).
3. Streamable HTTP as `flexos-mcp serve --transport http` runs (stateless, JSON responses, bearer
   tokens): get_project calls per second with 1, 8 and 32 concurrent clients against the echo
   server run the same way behind a token check that touches no database (>= 0.8x); beside it the
   same echo server reading the row with a bare asyncpg fetch before each answer (`echo+fetch`:
   what any server that reads the project per call costs here, PostgreSQL sharing the 2 cores);
   and what the reads wrote to the database (nothing but a token's last use, at most once a minute).
4. Start: process start to the first tools/list answer, `flexos-mcp serve` on a warm embedded
   PostgreSQL against the bare SDK echo server (<= 1.5x).

Sections 1 and 2 run pinned to one CPU, with the servers and the embedded PostgreSQL they use
(bench/machine.py, pin_to_one_cpu: on this 2-core virtual machine, which core the scheduler puts
each PostgreSQL backend on moves a round trip by ~100 µs, and ours and the floor use different
connections); sections 3 and 4 run on all CPUs. --no-pin runs 1 and 2 unpinned.

Run: python bench/tool_calls.py [--only reads|writes|http|start] [--no-pin]  (about five minutes for the whole
run, which is the default; --only runs one section: `writes` is sections 2, about a minute; FLEXOS_BENCH_DATABASE_URL=postgresql://...
to run sections 1-3 on a server, otherwise an embedded PostgreSQL in a temporary directory; section 4
always starts an embedded one of its own)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx2
from echo_server import build_echo_server, json_codecs  # bench/echo_server.py
from machine import free_port, load_average, pin_to_one_cpu, unpin  # bench/machine.py
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from scratch_db import ENV_VAR as SCRATCH_ENV  # bench/scratch_db.py
from scratch_db import scratch_database

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import thinking, tokens
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.thinking import NewThought
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.server.app import build_server

HERE = Path(__file__).resolve().parent
EMAIL = "bench@example.test"
ROUNDS = 7
MOCKUP_HTML = (
    '<main class="card"><h1 style="color:#1d4ed8">Lessons</h1><p style="margin:16px">Pick a lesson.</p>'
    '<button style="background:#dc2626;padding:8px 16px">Start</button></main>'
)
MOCKUP_CSS = ".card { font-family: Inter, sans-serif; padding: 24px; border-radius: 8px; }"
DEPTH = 3000
BARE_GET_PROJECT = "SELECT * FROM projects WHERE id = $1"  # the row get_project returns
Call = Callable[[], Awaitable[Any]]


async def interleaved(cases: dict[str, Call], calls: int, rounds: int = ROUNDS) -> dict[str, float]:
    """Median µs per call of each case; every round runs every case once, `calls` calls each."""
    for fn in cases.values():  # warm up: prepared statements, caches, schemas
        for _ in range(3):
            await fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            for _ in range(calls):
                await fn()
            samples[name].append((time.perf_counter() - start) / calls * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, names: list[str], us: dict[str, float], target: float) -> list[float]:
    print(f"{title} (µs per call, medians of {ROUNDS} interleaved rounds; load {load_average()})")
    print(f"  {'tool':<30} {'ours':>7} {'echo':>7} {'bare SQL':>8} {'floor':>7} {'ratio':>6}  target")
    ratios = []
    for name in names:
        ours, floor = us[f"ours {name}"], us[f"floor {name}"]
        ratio = ours / floor
        ratios.append(ratio)
        verdict = "ok" if ratio <= target else "OVER"
        print(
            f"  {name:<30} {ours:7.0f} {us[f'echo {name}']:7.0f} {us[f'bare {name}']:8.0f} {floor:7.0f} "
            f"{ratio:5.2f}x  <= {target}x {verdict}"
        )
    return ratios


def with_floors(cases: dict[str, Call]) -> dict[str, Call]:
    """`floor X` for each `echo X` and `bare X`: the echo call, then the bare statements."""
    floors = {}
    for name in cases:
        if name.startswith("echo "):
            echo, bare = cases[name], cases["bare " + name.removeprefix("echo ")]

            async def floor(echo: Call = echo, bare: Call = bare) -> None:
                await echo()
                await bare()

            floors["floor " + name.removeprefix("echo ")] = floor
    return {**cases, **floors}


def checked(result: Any) -> Any:
    if result.is_error:
        raise RuntimeError(result.content[0].text)
    return result


class Fixture:
    """The records the benchmark reads and writes, and the bare statements that read them."""

    def __init__(self, url: str):
        self.url = url

    async def build(self) -> None:
        pool = await create_pool(self.url)
        self.scope = Scope(Database(pool), await ensure_user(Database(pool), EMAIL))
        async with Client(
            build_server(Config(database_url=self.url, user_email=EMAIL, toolsets=("all",), log_level="WARNING"))
        ) as client:

            async def make(tool: str, **args: Any) -> dict[str, Any]:
                return checked(await client.call_tool(tool, args)).structured_content

            project = await make(
                "create_project", name="Bench", type="web-app", description="Reads", settings={"theme": "dark"}
            )
            self.project_id = project["id"]
            for i in range(20):
                page = await make(
                    "create_page",
                    project_id=self.project_id,
                    name=f"Page {i}",
                    path=f"/page-{i}",
                    purpose="A screen of the bench project.",
                    html_content=MOCKUP_HTML,
                    css_content=MOCKUP_CSS,
                )
            self.page_id = page["id"]
            self.mockup_id = page["current_mockup"]["id"]
            self.writes_project = (await make("create_project", name="Bench writes", type="web-app"))["id"]
            self.bare_project = (await make("create_project", name="Bench bare writes", type="web-app"))["id"]
            self.version_page = (
                await make("create_page", project_id=self.writes_project, name="Versions", html_content=MOCKUP_HTML)
            )["id"]
            self.bare_version_page = (
                await make("create_page", project_id=self.bare_project, name="Versions", html_content=MOCKUP_HTML)
            )["id"]
            self.read_args = {
                "get_project": {"project_id": self.project_id},
                "get_page": {"page_id": self.page_id, "include_current_mockup": True},
                "list_pages": {"project_id": self.project_id, "limit": 20},
            }
            listed = {t.name: t for t in (await client.list_tools()).tools}
            self.echo_results = {}
            for name, args in self.read_args.items():
                self.echo_results[name] = {
                    "result": await make(name, **args),
                    "output_schema": listed[name].output_schema,
                }
            self.echo_results["get_project"]["bare"] = {"sql": BARE_GET_PROJECT, "args": [self.project_id]}
            for name in ("create_page", "create_mockup_version", "update_project", "log_thought"):
                self.echo_results[name] = {"result": None, "output_schema": listed[name].output_schema}
            self.extraction = await make("get_mockup", mockup_id=self.mockup_id, include_analysis=True)
            self.echo_results["create_page"]["result"] = page
            self.echo_results["create_mockup_version"]["result"] = await make(
                "create_mockup_version", page_id=self.version_page, html_content=MOCKUP_HTML, css_content=MOCKUP_CSS
            )
            self.echo_results["update_project"]["result"] = await make(
                "update_project", project_id=self.writes_project, description="first"
            )
            self.echo_results["log_thought"]["result"] = await make(
                "log_thought",
                project_id=self.writes_project,
                thought_type="inference",
                reasoning="first",
                confidence=0.5,
            )
        self.deep_tail = await self._chain(uuid.UUID(self.writes_project), DEPTH)
        self.bare_deep_tail = await self._chain(uuid.UUID(self.bare_project), DEPTH)
        self.fresh_root = self.echo_results["log_thought"]["result"]["id"]
        async with pool.acquire() as conn:
            self.bare_fresh_root = await conn.fetchval(
                """INSERT INTO ai_thinking_chain (project_id, thought_type, reasoning, confidence)
                   VALUES ($1, 'inference', 'root', 0.5) RETURNING id""",
                uuid.UUID(self.bare_project),
            )
        await pool.close()

    async def _chain(self, project_id: uuid.UUID, depth: int) -> str:
        """A chain of `depth` thoughts, each depending on the one before; the last one's id."""
        tail = None
        for start in range(0, depth, thinking.MAX_BATCH):
            items = [
                NewThought(
                    key=f"k{i}",
                    thought_type="inference",
                    reasoning=f"step {i}",
                    confidence=0.5,
                    depends_on=[f"k{i - 1}"] if i > start else ([tail] if tail else []),
                )
                for i in range(start, min(start + thinking.MAX_BATCH, depth))
            ]
            logged = await thinking.log_thoughts(self.scope, items, project_id=project_id)
            tail = str(logged.keys[items[-1].key])
        return tail

    def bare_reads(self, conn: asyncpg.Connection) -> dict[str, Call]:
        """The same rows each read tool returns, fetched by hand on one connection."""
        project_id, page_id, mockup_id = (uuid.UUID(x) for x in (self.project_id, self.page_id, self.mockup_id))

        async def get_page() -> None:
            await conn.fetchrow("SELECT * FROM pages WHERE id = $1", page_id)
            await conn.fetchrow("SELECT * FROM mockups WHERE id = $1", mockup_id)

        return {
            "get_project": lambda: conn.fetchrow(BARE_GET_PROJECT, project_id),
            "get_page": get_page,
            "list_pages": lambda: conn.fetch(
                "SELECT * FROM pages WHERE project_id = $1 ORDER BY coalesce(sort_order, 0), created_at, id LIMIT 21",
                project_id,
            ),
        }


async def bare_connection(url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(url)
    await json_codecs(conn)
    return conn


async def reads(
    fx: Fixture, over: str, ours: Client, echo: Client, conn: asyncpg.Connection, calls: int, target: float
) -> list[float]:
    cases: dict[str, Call] = {}
    bare = fx.bare_reads(conn)
    for name, args in fx.read_args.items():
        cases[f"ours {name}"] = lambda name=name, args=args: ours.call_tool(name, args)
        cases[f"echo {name}"] = lambda name=name, args=args: echo.call_tool(f"echo_{name}", args)
        cases[f"bare {name}"] = bare[name]
    return report(f"Reads, {over}", list(fx.read_args), await interleaved(with_floors(cases), calls), target)


async def writes(fx: Fixture, ours: Client, echo: Client, conn: asyncpg.Connection) -> list[float]:
    counter = iter(range(10**9))
    _project, bare_project = uuid.UUID(fx.writes_project), uuid.UUID(fx.bare_project)
    extraction = fx.extraction
    deep = {"ours": fx.deep_tail, "bare": uuid.UUID(fx.bare_deep_tail)}
    fresh = {"ours": fx.fresh_root, "bare": fx.bare_fresh_root}

    def page_args() -> dict[str, Any]:
        i = next(counter)
        return {
            "project_id": fx.writes_project,
            "name": f"Screen {i}",
            "path": f"/screen-{i}",
            "html_content": MOCKUP_HTML,
            "css_content": MOCKUP_CSS,
        }

    version_args = {"page_id": fx.version_page, "html_content": MOCKUP_HTML, "css_content": MOCKUP_CSS}

    async def bare_mockup(tx: asyncpg.Connection, page_id: uuid.UUID, project_id: uuid.UUID) -> None:
        mockup_id = await tx.fetchval(
            """INSERT INTO mockups (page_id, project_id, html_content, css_content, responsive_rules,
                                    extracted_patterns, interactions, change_description)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'First version') RETURNING id""",
            page_id,
            project_id,
            MOCKUP_HTML,
            MOCKUP_CSS,
            extraction["responsive_rules"],
            extraction["extracted_patterns"],
            extraction["interactions"],
        )
        await tx.execute(
            "UPDATE pages SET current_mockup_id = $2, status = 'designed' WHERE id = $1", page_id, mockup_id
        )

    async def bare_create_page() -> None:
        i = next(counter)
        async with conn.transaction():
            page_id = await conn.fetchval(
                "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, $2, $3, $4) RETURNING id",
                bare_project,
                f"Screen {i}",
                f"screen-{i}",
                f"/screen-{i}",
            )
            await bare_mockup(conn, page_id, bare_project)

    async def bare_version() -> None:
        async with conn.transaction():
            await bare_mockup(conn, uuid.UUID(fx.bare_version_page), bare_project)

    async def bare_update() -> None:
        async with conn.transaction():
            await conn.fetchrow(
                "UPDATE projects SET description = $2 WHERE id = $1 RETURNING *",
                bare_project,
                f"description {next(counter)}",
            )

    def thought_args(parent: str) -> dict[str, Any]:
        return {
            "project_id": fx.writes_project,
            "thought_type": "inference",
            "reasoning": "a step",
            "confidence": 0.5,
            "depends_on": [parent],
        }

    async def ours_thought(kind: str) -> None:
        result = checked(
            await ours.call_tool("log_thought", thought_args(deep["ours"] if kind == "deep" else fresh["ours"]))
        )
        if kind == "deep":  # the next one goes on the end: the chain only gets deeper
            deep["ours"] = result.structured_content["id"]

    async def bare_thought(kind: str) -> None:
        row = await conn.fetchrow(  # the row log_thought returns, as bare_update returns the project's
            """INSERT INTO ai_thinking_chain (project_id, thought_type, reasoning, confidence, depends_on)
               VALUES ($1, 'inference', 'a step', 0.5, $2) RETURNING *""",
            bare_project,
            [deep["bare"] if kind == "deep" else fresh["bare"]],
        )
        if kind == "deep":
            deep["bare"] = row["id"]

    cases: dict[str, Call] = {
        "ours create_page": lambda: ours.call_tool("create_page", page_args()),
        "echo create_page": lambda: echo.call_tool("echo_create_page", page_args()),
        "bare create_page": bare_create_page,
        "ours create_mockup_version": lambda: ours.call_tool("create_mockup_version", version_args),
        "echo create_mockup_version": lambda: echo.call_tool("echo_create_mockup_version", version_args),
        "bare create_mockup_version": bare_version,
        "ours update_project": lambda: ours.call_tool(
            "update_project", {"project_id": fx.writes_project, "description": f"d {next(counter)}"}
        ),
        "echo update_project": lambda: echo.call_tool(
            "echo_update_project", {"project_id": fx.writes_project, "description": "d"}
        ),
        "bare update_project": bare_update,
        "ours log_thought (fresh chain)": lambda: ours_thought("fresh"),
        "echo log_thought (fresh chain)": lambda: echo.call_tool("echo_log_thought", thought_args(fresh["ours"])),
        "bare log_thought (fresh chain)": lambda: bare_thought("fresh"),
        "ours log_thought (3,000 deep)": lambda: ours_thought("deep"),
        "echo log_thought (3,000 deep)": lambda: echo.call_tool("echo_log_thought", thought_args(deep["ours"])),
        "bare log_thought (3,000 deep)": lambda: bare_thought("deep"),
    }
    us = await interleaved(with_floors(cases), calls=25)
    ratios = report("Writes, in-memory", ["create_page", "create_mockup_version", "update_project"], us, 1.5)
    ratios += report("Thinking chain, in-memory", ["log_thought (fresh chain)", "log_thought (3,000 deep)"], us, 1.25)
    flat = us["ours log_thought (3,000 deep)"] / us["ours log_thought (fresh chain)"]
    print(f"  log_thought 3,000 deep / fresh chain: {flat:.2f}x (flat with depth: ~1)")
    return ratios


def stdio_env(**extra: str) -> dict[str, str]:
    """The environment of a server subprocess (PYTHONPATH passed on: to measure another checkout)."""
    passed = {name: os.environ[name] for name in ("PATH", "PYTHONPATH") if name in os.environ}
    return {**passed, "FLEXOS_LOG_LEVEL": "WARNING", **extra}


def wait_for_port(process: subprocess.Popen, port: int) -> None:
    import socket

    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.05)


async def throughput(url: str, token: str, tool: str, args: dict[str, Any], clients: int, seconds: float) -> float:
    """Calls per second of `clients` concurrent callers, each posting one tools/call at a time."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": args}}
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-06-18",
    }
    done = 0
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(headers=headers, timeout=30, limits=limits) as http:
        stop = time.perf_counter() + seconds

        async def caller() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                response = await http.post(url, json=body)
                if response.status_code != 200 or response.json().get("result", {}).get("isError"):
                    raise RuntimeError(f"{tool} over HTTP: {response.status_code} {response.text[:300]}")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(clients)))
        return done / (time.perf_counter() - start)


async def http(fx: Fixture, results_file: Path) -> list[float]:
    pool = await create_pool(fx.url, max_size=1)
    token, _ = await tokens.create_token(Database(pool), EMAIL, "bench")
    echo_token = "echo-" + uuid.uuid4().hex
    ports = {"ours": free_port(), "echo": free_port(), "echo+fetch": free_port()}
    env = stdio_env(DATABASE_URL=fx.url, FLEXOS_MAX_REQUESTS_PER_TOKEN="64")  # 32 clients share one token

    def echo_server(name: str, *extra: str) -> subprocess.Popen:
        command = [sys.executable, str(HERE / "echo_server.py"), str(results_file), "--http", str(ports[name])]
        return subprocess.Popen([*command, "--token", echo_token, *extra], env=env, stdout=subprocess.DEVNULL)

    processes = {
        "ours": subprocess.Popen(
            [sys.executable, "-m", "flexos_mcp", "serve", "--transport", "http", "--port", str(ports["ours"])],
            env=env,
            stdout=subprocess.DEVNULL,
        ),
        "echo": echo_server("echo"),
        "echo+fetch": echo_server("echo+fetch", "--fetch", fx.url),
    }
    ratios = []
    try:
        for name, process in processes.items():
            wait_for_port(process, ports[name])
        args = fx.read_args["get_project"]
        targets = {
            "ours": (f"http://127.0.0.1:{ports['ours']}/mcp", token, "get_project"),
            "echo": (f"http://127.0.0.1:{ports['echo']}/mcp", echo_token, "echo_get_project"),
            "echo+fetch": (f"http://127.0.0.1:{ports['echo+fetch']}/mcp", echo_token, "echo_get_project"),
        }
        for url, tok, tool in targets.values():  # warm up
            await throughput(url, tok, tool, args, 4, 1.0)
        await asyncio.sleep(1.5)  # the token's first use is written within about a second
        before = await _writes(pool)
        print(
            f"Streamable HTTP, get_project calls per second (medians of 3 interleaved rounds of 3 s; load {load_average()})"
        )
        print(f"  {'clients':<8} {'ours':>8} {'echo':>8} {'ratio':>7}  target    {'echo+fetch':>10} {'ratio':>7}")
        for clients in (1, 8, 32):
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(3):
                for name, (url, tok, tool) in targets.items():
                    rates[name].append(await throughput(url, tok, tool, args, clients, 3.0))
            ours, echo, fetching = (statistics.median(rates[name]) for name in targets)
            ratios.append(ours / echo)
            print(
                f"  {clients:<8} {ours:8.0f} {echo:8.0f} {ours / echo:6.2f}x  >= 0.8x "
                f"{'ok   ' if ours / echo >= 0.8 else 'UNDER'} {fetching:10.0f} {ours / fetching:6.2f}x"
            )
        await asyncio.sleep(1.5)  # statistics reach pg_stat_* within a second
        after = await _writes(pool)
        changed = {
            table: after[table] - before.get(table, 0) for table in after if after[table] != before.get(table, 0)
        }
        print(f"  rows written by those reads: {changed or 'none'} (a token's last use: at most once a minute)")
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
        await pool.close()
    return ratios


async def _writes(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch("""SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables""")
    return {r["relname"]: r["n"] for r in rows}


async def start_times(rounds: int = 5) -> float:
    """Start to first tools/list, on a warm embedded PostgreSQL, against the echo server's start."""
    data_dir = Path(tempfile.mkdtemp(prefix="flexos-bench-start-"))
    ours = StdioServerParameters(
        command=sys.executable,
        args=["-m", "flexos_mcp", "serve"],
        env=stdio_env(FLEXOS_DATA_DIR=str(data_dir), FLEXOS_USER_EMAIL=EMAIL),
    )
    echo = StdioServerParameters(command=sys.executable, args=[str(HERE / "echo_server.py")], env=stdio_env())

    async def started(params: StdioServerParameters) -> float:
        start = time.perf_counter()
        async with Client(params) as client:
            await client.list_tools()
            took = time.perf_counter() - start
        return took

    from flexos_mcp.db.embedded import release_embedded, start_embedded

    try:
        await asyncio.to_thread(start_embedded, data_dir)  # warm: running, and this process keeps it so
        await started(ours)  # the first start creates the schema and the user
        samples: dict[str, list[float]] = {"ours": [], "echo": []}
        for _ in range(rounds):
            samples["ours"].append(await started(ours))
            samples["echo"].append(await started(echo))
        ours_s, echo_s = statistics.median(samples["ours"]), statistics.median(samples["echo"])
        print(f"Start to first tools/list (medians of {rounds} interleaved starts; load {load_average()})")
        print(
            f"  flexos-mcp serve, warm embedded PostgreSQL {ours_s * 1000:6.0f} ms; SDK echo server "
            f"{echo_s * 1000:6.0f} ms; ratio {ours_s / echo_s:.2f}x  <= 1.5x {'ok' if ours_s / echo_s <= 1.5 else 'OVER'}"
        )
        return ours_s / echo_s
    finally:
        await asyncio.to_thread(release_embedded, data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


SECTIONS = ("reads", "writes", "http", "start")


async def main(only: str | None = None, pin: bool = True) -> None:
    def runs(section: str) -> bool:
        return only is None or only == section

    print(f"machine: {os.cpu_count()} cores; load average at start {load_average()}")
    if only == "start":  # the start section needs no fixture
        await start_times()
        return
    cpus = pin_to_one_cpu() if pin and (runs("reads") or runs("writes")) else None
    if cpus is not None:
        print(
            f"reads and writes pinned to CPU {max(cpus)} with their servers and PostgreSQL (see bench/machine.py; "
            f"--no-pin to run them unpinned); HTTP and start on all {len(cpus)} CPUs"
            + ("" if SCRATCH_ENV not in os.environ else f"; the server at {SCRATCH_ENV} is not pinned")
        )
    async with scratch_database("flexos_bench_tool_calls") as url:
        fx = Fixture(url)
        await fx.build()
        results_file = Path(tempfile.mkstemp(prefix="flexos-echo-", suffix=".json")[1])
        results_file.write_text(json.dumps(fx.echo_results))
        conn = await bare_connection(url)
        try:
            async with AsyncExitStack() as stack:
                ours = await stack.enter_async_context(
                    Client(
                        build_server(Config(database_url=url, user_email=EMAIL, toolsets=("all",), log_level="WARNING"))
                    )
                )
                echo = await stack.enter_async_context(Client(build_echo_server(fx.echo_results)))
                if runs("reads"):
                    await reads(fx, "in-memory", ours, echo, conn, calls=100, target=1.5)
                if runs("writes"):
                    await writes(fx, ours, echo, conn)
            if runs("reads"):
                await stdio_reads(fx, url, results_file, conn)
            if cpus is not None:
                embedded = None if SCRATCH_ENV in os.environ else await conn.fetchval("SHOW data_directory")
                unpin(cpus, embedded)
            if runs("http"):
                await http(fx, results_file)
        finally:
            await conn.close()
            results_file.unlink(missing_ok=True)
    if runs("start"):
        await start_times()
    print(f"load average at end {load_average()}")


async def stdio_reads(fx: Fixture, url: str, results_file: Path, conn: asyncpg.Connection) -> None:
    async with AsyncExitStack() as stack:
        ours = await stack.enter_async_context(
            Client(
                StdioServerParameters(
                    command=sys.executable,
                    args=["-m", "flexos_mcp", "serve"],
                    env=stdio_env(DATABASE_URL=url, FLEXOS_USER_EMAIL=EMAIL),
                )
            )
        )
        echo = await stack.enter_async_context(
            Client(
                StdioServerParameters(
                    command=sys.executable, args=[str(HERE / "echo_server.py"), str(results_file)], env=stdio_env()
                )
            )
        )
        await reads(fx, "stdio", ours, echo, conn, calls=50, target=1.25)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=SECTIONS, help="run one section (default: the whole run)")
    parser.add_argument(
        "--no-pin", dest="pin", action="store_false", help="run reads and writes unpinned (see bench/machine.py)"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.only, arguments.pin))
