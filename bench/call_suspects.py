"""What each suspect of issue 19 costs per `get_project` call, measured one by one (interleaved
rounds, medians), so bench/profiles/README.md can say where the time goes in numbers:

- pool acquire + release, with asyncpg's default reset (one more round trip: advisory unlock,
  CLOSE ALL, UNLISTEN, RESET ALL) and without it;
- the project read with `plan_cache_mode=force_custom_plan` and with PostgreSQL's default;
- acting-user resolution (`scope_of`), our argument pass (`checked_arguments`), the SDK's argument
  model, building the Project model from the row, the SDK's dump to JSON, its indented text block,
  and our compact text block (stdlib json vs orjson vs pydantic_core);
- asyncpg's JSONB decoding (stdlib json vs orjson);
- the client's check of the result against the output schema (jsonschema, as
  `ClientSession.validate_tool_result` does it: `best_match(iter_errors(...))`), with our lean schema
  and with pydantic's full one, and `is_valid` for comparison.

Run: python bench/call_suspects.py (FLEXOS_BENCH_DATABASE_URL as for every bench)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from types import SimpleNamespace
from typing import Any

import asyncpg
import pydantic_core
from jsonschema.validators import validator_for
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.server.app import build_server, compact_text
from flexos_mcp.server.arguments import checked_arguments
from flexos_mcp.server.state import AppState, scope_of

ROUNDS, CALLS = 7, 300

try:
    import orjson
except ImportError:  # optional: only its row is left out
    orjson = None


async def measure(cases: dict[str, Any]) -> dict[str, float]:
    """Median µs per call of each case, the cases interleaved round by round."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            is_async = asyncio.iscoroutine(probe := fn()) or asyncio.iscoroutinefunction(fn)
            if asyncio.iscoroutine(probe):
                await probe
            start = time.perf_counter()
            for _ in range(CALLS):
                if is_async:
                    await fn()
                else:
                    fn()
            samples[name].append((time.perf_counter() - start) / CALLS * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


async def main() -> None:
    async with scratch_database("flexos_bench_suspects") as url:
        pool = await create_pool(url)
        db = Database(pool)
        actor = await ensure_user(db, "bench@example.test")
        scope = Scope(db, actor)
        project = await projects.create_project(
            scope,
            {
                "name": "Bench",
                "type": "web-app",
                "settings": {"theme": "dark", "grid": 8},
                "metadata": {"source": "bench", "tags": ["a", "b"]},
            },
        )
        no_reset = await asyncpg.create_pool(url, min_size=1, max_size=2, reset=lambda conn: asyncio.sleep(0))
        custom = await asyncpg.connect(url, server_settings={"plan_cache_mode": "force_custom_plan"})
        auto = await asyncpg.connect(url)
        sql = "SELECT * FROM projects WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)"

        async def acquire_default() -> None:
            async with pool.acquire():
                pass

        async def acquire_no_reset() -> None:
            async with no_reset.acquire():
                pass

        print("database (µs per call):")
        for name, value in (
            await measure(
                {
                    "pool acquire+release, asyncpg default reset": acquire_default,
                    "pool acquire+release, no reset query": acquire_no_reset,
                    "project read, force_custom_plan": lambda: custom.fetchrow(sql, project.id, actor.id),
                    "project read, plan_cache_mode auto": lambda: auto.fetchrow(sql, project.id, actor.id),
                    "gateway fetchrow (acquire, read, release)": lambda: db.fetchrow(sql, project.id, actor.id),
                }
            )
        ).items():
            print(f"  {name:<52} {value:8.1f}")

        server = build_server(Config(database_url=url, user_email="bench@example.test"))
        registered = server._tool_manager.get_tool("get_project")
        app = AppState(config=Config(database_url=url), db=db, database_url=url, actor=actor, renderer=None)  # type: ignore[arg-type]
        ctx = SimpleNamespace(request_context=SimpleNamespace(lifespan_context=app, request=None))
        args = {"project_id": str(project.id)}
        row = await db.fetchrow(sql, project.id, actor.id)
        model = projects._project(row)
        dumped = model.model_dump(mode="json", by_alias=True)
        converted = registered.fn_metadata.convert_result(model)
        settings_text = json.dumps(dict(row)["settings"])
        lean = validator_for(registered.output_schema)(registered.output_schema)
        full_schema = projects.Project.model_json_schema()
        full = validator_for(full_schema)(full_schema)
        cases = {
            "acting user: scope_of(ctx)": lambda: scope_of(ctx),
            "our argument pass: checked_arguments": lambda: checked_arguments(
                "get_project", args, registered.parameters
            ),
            "SDK argument model: validate_arguments": lambda: registered.fn_metadata.validate_arguments(args),
            "Project model from the row": lambda: projects._project(row),
            "SDK dump: model_dump(mode=json)": lambda: model.model_dump(mode="json", by_alias=True),
            "SDK convert_result (dump + indented text)": lambda: registered.fn_metadata.convert_result(model),
            "our compact text, stdlib json": lambda: json.dumps(dumped, ensure_ascii=False, separators=(",", ":")),
            "our compact text, pydantic_core.to_json": lambda: pydantic_core.to_json(dumped).decode(),
            "our compact_text (as called)": lambda: compact_text(converted.model_copy()),
            "JSONB decode, stdlib json.loads": lambda: json.loads(settings_text),
            "client output check: is_valid, lean schema": lambda: lean.is_valid(dumped),
            "client output check: best_match, lean schema": lambda: _best(lean, dumped),
            "client output check: best_match, pydantic full schema": lambda: _best(full, dumped),
        }
        if orjson is not None:
            cases["our compact text, orjson"] = lambda: orjson.dumps(dumped).decode()
            cases["JSONB decode, orjson.loads"] = lambda: orjson.loads(settings_text)
        print("Python per call (µs):")
        for name, value in (await measure(cases)).items():
            print(f"  {name:<52} {value:8.1f}")
        print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        await custom.close()
        await auto.close()
        await no_reset.close()
        await pool.close()


def _best(validator: Any, instance: Any) -> None:
    from jsonschema.exceptions import best_match

    best_match(validator.iter_errors(instance))


if __name__ == "__main__":
    asyncio.run(main())
