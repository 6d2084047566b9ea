"""Pages, mockups and entities written straight with SQL (the `db` fixture encodes JSONB itself, so
Python values go in as they are) for the features/entities/analytics tests:
the Lesson Library example (examples/lesson-library, real mockup HTML) and small hand-made pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lesson-library"


async def make_project(conn: asyncpg.Connection, email: str, name: str = "Fixture") -> UUID:
    user = await conn.fetchval(
        "INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id",
        email,
    )
    slug = f"fixture-{await conn.fetchval('SELECT count(*) FROM projects')}"
    return await conn.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, $2, $3, 'web-app') RETURNING id", user, name, slug
    )


async def add_page(
    conn: asyncpg.Connection,
    project: UUID,
    slug: str,
    name: str,
    *,
    purpose: str | None = None,
    key_elements: Any = (),
    html: str | None = None,
    status: str = "draft",
    path: str | None = None,
    parent: UUID | None = None,
) -> UUID:
    """A page, and when `html` is given a first mockup that becomes its current one."""
    async with conn.transaction():
        page = await conn.fetchval(
            """INSERT INTO pages (project_id, parent_id, name, slug, path, purpose, key_elements, status)
               VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING id""",
            project,
            parent,
            name,
            slug,
            path or f"/{slug}",
            purpose,
            list(key_elements) if isinstance(key_elements, (list, tuple)) else key_elements,
            status,
        )
        if html is not None:
            mockup = await conn.fetchval(
                """INSERT INTO mockups (page_id, project_id, version, html_content, changed_by)
                   VALUES ($1, $2, 1, $3, 'user') RETURNING id""",
                page,
                project,
                html,
            )
            await conn.execute("UPDATE pages SET current_mockup_id = $1 WHERE id = $2", mockup, page)
    return page


async def add_entity(
    conn: asyncpg.Connection,
    project: UUID,
    name: str,
    *,
    plural: str | None = None,
    fields: dict | None = None,
    crud: dict | None = None,
    confirmed: bool = False,
    description: str | None = None,
) -> UUID:
    return await conn.fetchval(
        """INSERT INTO inferred_entities (project_id, entity_name, plural_name, description, fields, crud_locations,
                                          user_confirmed)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7) RETURNING id""",
        project,
        name,
        plural,
        description,
        fields or {"id": {"type": "uuid", "primary": True}},
        crud or {},
        confirmed,
    )


async def load_lesson_library(conn: asyncpg.Connection, email: str) -> tuple[UUID, dict[str, UUID]]:
    """The example project's pages with their real mockups; returns (project id, page ids by slug)."""
    spec = json.loads((EXAMPLE / "project.json").read_text(encoding="utf-8"))
    project = await make_project(conn, email, spec["name"])
    pages = {}
    for page in spec["pages"]:
        html = (EXAMPLE / page["html"]).read_text(encoding="utf-8")
        pages[page["slug"]] = await add_page(
            conn, project, page["slug"], page["name"], purpose=page["purpose"], html=html, path=page["path"]
        )
    return project, pages
