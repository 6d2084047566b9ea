"""What a model pays, in bytes, for the common responses on the example project — regenerated
into README.md (between the sizes markers), checked by tests/test_response_sizes.py.

    python scripts/response_sizes.py          # measure and rewrite README.md in place
    python scripts/response_sizes.py --check  # exit 1 if README.md's figures are stale

The figures are the bytes of each result's text content (what a host puts in the model's
context). The database: FLEXOS_BENCH_DATABASE_URL (an admin URL where a scratch database may be
created) or an embedded PostgreSQL in a temporary directory.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- sizes:start -->", "<!-- sizes:end -->"
EMAIL = "sizes@example.test"


async def load_example_project(database_url: str, email: str = EMAIL) -> dict[str, Any]:
    """The Lesson Library example, loaded the way `flexos-mcp demo` loads it; its ids by name."""
    from flexos_mcp.db.gateway import Database
    from flexos_mcp.db.pool import create_pool
    from flexos_mcp.demo import load_example
    from flexos_mcp.domain import flows, pages
    from flexos_mcp.domain.scope import Scope
    from flexos_mcp.domain.users import ensure_user

    pool = await create_pool(database_url, max_size=2)
    try:
        db = Database(pool)
        scope = Scope(db=db, actor=await ensure_user(db, email))
        project = await load_example(scope)
        listed = await pages.list_pages(scope, project.id, limit=100)
        journeys = await flows.list_flows(scope, project.id, limit=100)
        page = next(p for p in listed.items if p.current_mockup_id)
        return {
            "project": str(project.id),
            "slug": project.slug,
            "page": str(page.id),
            "mockup": str(page.current_mockup_id),
            "flow": str(min(journeys.items, key=lambda f: f.name).id),
        }
    finally:
        await pool.close()


HTML = (
    '<main class="max-w-5xl mx-auto p-6">'
    + "".join(
        f'<article class="rounded-lg shadow p-4 mb-4 bg-white"><h2 class="text-xl font-semibold text-slate-900">'
        f'Lesson {i}</h2><p class="text-slate-600">Fractions with pizza slices, for grade {i % 6 + 1}.</p>'
        f'<a class="text-red-600 underline" href="/lessons/{i}">Open</a></article>'
        for i in range(12)
    )
    + "</main>"
)
CSS = ".card { border-radius: 12px; padding: 16px; }\n" * 12

# (label, tool or resource, arguments) — `{project}` etc. are filled from load_example_project.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("get_project", "get_project", {"project_id": "{project}"}),
    ("list_pages", "list_pages", {"project_id": "{project}"}),
    ("get_page (with its current mockup)", "get_page", {"page_id": "{page}", "include_current_mockup": True}),
    (
        "create_mockup_version (4 KB HTML+CSS)",
        "create_mockup_version",
        {"page_id": "{page}", "html_content": HTML, "css_content": CSS},
    ),
    ("get_mockup", "get_mockup", {"mockup_id": "{mockup}"}),
    ("get_design_system", "get_design_system", {"project_id": "{project}"}),
    ("get_design_system (detail)", "get_design_system", {"project_id": "{project}", "detail": True}),
    ("check_mockup_consistency", "check_mockup_consistency", {"mockup_id": "{mockup}"}),
    ("color_usage", "color_usage", {"project_id": "{project}"}),
    ("get_flow", "get_flow", {"flow_id": "{flow}"}),
    ("analyze_flow", "analyze_flow", {"flow_id": "{flow}"}),
    ("infer_entities", "infer_entities", {"project_id": "{project}"}),
    ("project_summary", "project_summary", {"project_id": "{project}"}),
    ("outline resource", "flexos://projects/{project}/outline", {}),
    ("pages resource", "flexos://projects/{project}/pages", {}),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    """`"{project}"` -> the project's id, and so on; any other value as it is."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


async def measure(client: Any, ids: dict[str, str]) -> dict[str, int]:
    """Bytes of each call's text content, in CALLS order."""
    sizes = {}
    for label, target, arguments in CALLS:
        args = {k: _fill(v, ids) for k, v in arguments.items()}
        if target.startswith("flexos://"):
            read = await client.read_resource(target.format(**ids))
            text = read.contents[0].text
        else:
            result = await client.call_tool(target, args)
            if result.is_error:
                raise RuntimeError(f"{label}: {result.content[0].text}")
            text = "".join(getattr(c, "text", "") for c in result.content)
        sizes[label] = len(text.encode())
    return sizes


def render(sizes: dict[str, int]) -> str:
    lines = [START, "", "| response | bytes |", "|---|---:|"]
    lines += [f"| {label} | {size:,} |" for label, size in sizes.items()]
    return "\n".join([*lines, "", END])


def readme_figures(text: str) -> dict[str, int]:
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = [line.strip("| ").split(" | ") for line in block.splitlines() if line.startswith("| ") and "---" not in line]
    return {label: int(size.replace(",", "")) for label, size in rows[1:]}


def updated(text: str, sizes: dict[str, int]) -> str:
    head, rest = text.split(START, 1)
    return head + render(sizes) + rest.split(END, 1)[1]


async def _measured() -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "bench"))
    from mcp import Client
    from scratch_db import scratch_database

    from flexos_mcp.config import Config
    from flexos_mcp.server.app import build_server

    async with scratch_database("sizes") as url:
        ids = await load_example_project(url)
        async with Client(build_server(Config(database_url=url, user_email=EMAIL, toolsets=("all",)))) as client:
            return await measure(client, ids)


def main() -> int:
    sizes = asyncio.run(_measured())
    text = README.read_text()
    if "--check" in sys.argv:
        stale = {k: (v, sizes.get(k)) for k, v in readme_figures(text).items() if v != sizes.get(k)}
        if stale or set(readme_figures(text)) != set(sizes):
            print(
                f"README.md's response sizes are stale ({json.dumps(stale)}): run python scripts/response_sizes.py",
                file=sys.stderr,
            )
            return 1
        return 0
    README.write_text(updated(text, sizes))
    print(render(sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
