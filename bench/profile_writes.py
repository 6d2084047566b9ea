"""Where the write tools of issue 19 spend their time: N in-memory calls each of create_page
(with a first mockup), update_project and log_thought (on the end of a 3,000-deep chain),
profiled as bench/profile_get_project.py does it, into bench/profiles/<tool>-<label>.txt and
<tool>-<label>-cpu.txt.

Run: python bench/profile_writes.py [label] [calls]
(to profile another checkout's code, put its src/ first on PYTHONPATH)
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from typing import Any

from mcp import Client
from profile_get_project import profile_calls  # bench/profile_get_project.py
from scratch_db import scratch_database  # bench/scratch_db.py
from tool_calls import DEPTH, EMAIL, MOCKUP_CSS, MOCKUP_HTML, Fixture, checked  # bench/tool_calls.py

from flexos_mcp.config import Config
from flexos_mcp.server.app import build_server


async def main(label: str, calls: int) -> None:
    async with scratch_database("flexos_bench_profile_writes") as url:
        fx = Fixture(url)
        await fx.build()  # the records bench/tool_calls.py writes to, a 3,000-deep chain among them
        counter = itertools.count()
        tail = {"id": fx.deep_tail}

        async def create_page() -> Any:
            i = next(counter)
            return checked(
                await client.call_tool(
                    "create_page",
                    {
                        "project_id": fx.writes_project,
                        "name": f"Screen {i}",
                        "path": f"/screen-{i}",
                        "html_content": MOCKUP_HTML,
                        "css_content": MOCKUP_CSS,
                    },
                )
            )

        async def update_project() -> Any:
            return checked(
                await client.call_tool(
                    "update_project", {"project_id": fx.writes_project, "description": f"d {next(counter)}"}
                )
            )

        async def log_thought() -> Any:
            result = checked(
                await client.call_tool(
                    "log_thought",
                    {
                        "project_id": fx.writes_project,
                        "thought_type": "inference",
                        "reasoning": "a step",
                        "confidence": 0.5,
                        "depends_on": [tail["id"]],
                    },
                )
            )
            tail["id"] = result.structured_content["id"]  # the chain only gets deeper
            return result

        config = Config(database_url=url, user_email=EMAIL, toolsets=("all",), log_level="WARNING")
        async with Client(build_server(config)) as client:
            for name, call in (
                ("create_page", create_page),
                ("update_project", update_project),
                (f"log_thought-{DEPTH}-deep", log_thought),
            ):
                for _ in range(50):  # warm up: prepared statements, caches
                    await call()
                await profile_calls(name, label, calls, call)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "before", int(sys.argv[2]) if len(sys.argv) > 2 else 2000))
