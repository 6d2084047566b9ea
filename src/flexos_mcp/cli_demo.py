"""`flexos-mcp demo`: load the Lesson Library example project for a user and print what was made,
whose it is and how to see it, so a new user has something real to look at in their MCP host.

An MCP host sees a project only when its server acts as the project's owner (FLEXOS_USER_EMAIL in
the host's config) on the same database; both are easy to get wrong, so the output names them.
Loading the same example twice for one user says it is there instead of making a second copy.
"""

from __future__ import annotations

import asyncio

from .config import Config
from .errors import FlexError


def _how_to_see_it(config: Config) -> str:
    return (
        f"Your MCP host sees it when its FlexOS server acts as {config.user_email} on this database: set "
        f'"FLEXOS_USER_EMAIL": "{config.user_email}" in the host\'s config (and the same DATABASE_URL or '
        f"FLEXOS_DATA_DIR, if you set one), or load the example for the host's user with "
        f"`flexos-mcp demo --email <the host's FLEXOS_USER_EMAIL>`."
    )


async def _demo(config: Config, name: str) -> str:
    from .cli_database import command_scope
    from .demo import example_dir, load_example
    from .domain import design_systems, flows, pages, projects

    example_dir(name)  # an unknown example is refused before anything is written
    async with command_scope(config) as scope:
        existing = await projects.find_example_project(scope, name)
        if existing is not None:
            return "\n".join(
                [
                    f"The {name} example is already loaded for {config.user_email} as project '{existing.name}' "
                    f"(slug {existing.slug}, id {existing.id}); nothing was changed.",
                    _how_to_see_it(config),
                ]
            )
        project = await load_example(scope, name)
        listed = await pages.list_pages(scope, project.id, limit=100)
        design = await design_systems.get_design_system(scope, project.id)
        journeys = await flows.list_flows(scope, project.id, limit=100)
    tokens = design.tokens
    roles = [
        f"{role} {tokens['colors'][role]['value']}"
        for role in ("primary", "background", "surface", "text")
        if role in tokens.get("colors", {})
    ]
    spacing = tokens.get("spacing") or {}
    lines = [
        f"Loaded the {name} example as project '{project.name}' (slug {project.slug}, id {project.id}) "
        f"for {config.user_email}.",
        f"Pages ({len(listed.items)}): " + ", ".join(f"{p.name} {p.path or ''}".strip() for p in listed.items),
        f"Flows ({len(journeys.items)}): " + ", ".join(sorted(f.name for f in journeys.items)),
        "Design system: " + ", ".join(roles),
    ]
    if spacing.get("base"):
        lines.append(f"Spacing: base {spacing['base']['value']}, scale {spacing.get('scale')}")
    if (tokens.get("typography") or {}).get("font_family"):
        lines.append(f"Font: {tokens['typography']['font_family']}")
    lines += [
        _how_to_see_it(config),
        f'Then ask it about the project: get_project(project_id="{project.id}"), list_pages, get_design_system.',
    ]
    return "\n".join(lines)


def run_demo(config: Config, name: str = "lesson-library") -> None:
    """Load the example into the configured database as the configured user; print a summary.
    Raises FlexError (the CLI prints it) when the server is read-only or the example is unknown."""
    if config.read_only:
        raise FlexError("demo writes an example project; run it without FLEXOS_READ_ONLY=true.")
    print(asyncio.run(_demo(config, name)))
