"""`flexos-mcp demo`: load the Lesson Library example project for the configured user and print
what was made, so a new user has something real to look at in their MCP host."""

from __future__ import annotations

import asyncio

from .config import Config
from .errors import FlexError


async def _demo(config: Config, name: str) -> str:
    from .db.gateway import Database
    from .db.pool import create_pool
    from .demo import load_example
    from .domain import design_systems, flows, pages
    from .domain.scope import Scope
    from .domain.users import ensure_user
    from .server.app import prepare_database, resolve_database_url

    url = await resolve_database_url(config)
    await prepare_database(url, config)
    pool = await create_pool(url, statement_timeout_ms=max(config.statement_timeout_ms, 60000), max_size=2)
    try:
        db = Database(pool)
        scope = Scope(db=db, actor=await ensure_user(db, config.user_email))
        project = await load_example(scope, name)
        listed = await pages.list_pages(scope, project.id, limit=100)
        design = await design_systems.get_design_system(scope, project.id)
        journeys = await flows.list_flows(scope, project.id, limit=100)
    finally:
        await pool.close()
    tokens = design.tokens
    roles = [f"{role} {tokens['colors'][role]['value']}" for role in ("primary", "background", "surface", "text")
             if role in tokens.get("colors", {})]
    spacing = tokens.get("spacing") or {}
    lines = [
        f"Loaded the {name} example as project '{project.name}' (id {project.id}, slug {project.slug}) "
        f"for {config.user_email}.",
        f"Pages ({len(listed.items)}): " + ", ".join(f"{p.name} {p.path or ''}".strip() for p in listed.items),
        f"Flows ({len(journeys.items)}): " + ", ".join(sorted(f.name for f in journeys.items)),
        "Design system: " + ", ".join(roles),
    ]
    if spacing.get("base"):
        lines.append(f"Spacing: base {spacing['base']['value']}, scale {spacing.get('scale')}")
    if (tokens.get("typography") or {}).get("font_family"):
        lines.append(f"Font: {tokens['typography']['font_family']}")
    lines.append(f"Ask your MCP host: get_project(project_id=\"{project.id}\"), list_pages, get_design_system.")
    return "\n".join(lines)


def run_demo(config: Config, name: str = "lesson-library") -> None:
    """Load the example into the configured database as the configured user; print a summary.
    Raises FlexError (the CLI prints it) when the server is read-only or the example is unknown."""
    if config.read_only:
        raise FlexError("demo writes an example project; run it without --read-only / FLEXOS_READ_ONLY.")
    print(asyncio.run(_demo(config, name)))
