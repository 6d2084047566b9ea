"""Helpers for the bundle tests: a scope on a database, a project that fills every table, a full
dump of a project's rows, a file store in a test directory, and rewriting a bundle's member with a
manifest that matches (what a deliberate forger would do)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from PIL import Image

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.demo import load_example
from flexos_mcp.domain.bundle import BundleFiles
from flexos_mcp.domain.bundle.catalog import project_tables
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.store import LocalFileStore

UUID_ANYWHERE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@asynccontextmanager
async def scope_on(url: str, email: str) -> AsyncIterator[Scope]:
    pool = await create_pool(url, max_size=2)
    try:
        db = Database(pool)
        yield Scope(db=db, actor=await ensure_user(db, email))
    finally:
        await pool.close()


def file_store(root: Path) -> BundleFiles:
    """A real content-addressed store in a test directory, with a 10 MB limit."""
    return BundleFiles(store=LocalFileStore(root), max_bytes=10 * 1024 * 1024)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), (220, 38, 38)).save(out, format="PNG")
    return out.getvalue()


async def full_project(scope: Scope, store: BundleFiles) -> UUID:
    """The Lesson Library example (pages, mockups, design system, flows with screen nodes), plus a
    row in every other table, with ids inside every UUID array and JSONB kind the schema has: a
    sub-page, mockup versions built on each other with a deleted one, features naming pages and
    flows, an entity, a wizard run naming a context item, thoughts depending on each other, a
    run step naming a thought, and a context item whose file is in the store."""
    project = (await load_example(scope, "lesson-library")).id
    digest = store.put(png_bytes())
    async with scope.db.transaction() as conn:
        pages = [
            r["id"] for r in await conn.fetch("SELECT id FROM pages WHERE project_id = $1 ORDER BY sort_order", project)
        ]
        flows = [r["id"] for r in await conn.fetch("SELECT id FROM journey_flows WHERE project_id = $1", project)]
        child = await conn.fetchval(
            """INSERT INTO pages (project_id, parent_id, name, slug, path, purpose, key_elements)
               VALUES ($1, $2, 'Lesson extra', 'lesson-extra', '/lessons/extra', 'One lesson', $3) RETURNING id""",
            project,
            pages[0],
            [{"page": str(pages[1])}],
        )
        first = await conn.fetchval(
            "INSERT INTO mockups (page_id, project_id, html_content, changed_by) VALUES ($1, $2, '<p>1</p>', 'user') RETURNING id",
            child,
            project,
        )
        second = await conn.fetchval(
            """INSERT INTO mockups (page_id, project_id, html_content, changed_by, parent_mockup_id, ai_notes)
               VALUES ($1, $2, '<p>2</p>', 'ai', $3, $4) RETURNING id""",
            child,
            project,
            first,
            {"from": str(first)},
        )
        third = await conn.fetchval(
            """INSERT INTO mockups (page_id, project_id, html_content, changed_by, parent_mockup_id)
               VALUES ($1, $2, '<p>3</p>', 'ai', $3) RETURNING id""",
            child,
            project,
            second,
        )
        await conn.execute("UPDATE pages SET current_mockup_id = $1 WHERE id = $2", third, child)
        await conn.execute("DELETE FROM mockups WHERE id = $1", third)  # counter stays at 3, current goes to 2
        context = await conn.fetchval(
            """INSERT INTO user_context_items (project_id, item_type, content_url, content_text, tags, referenced_in)
               VALUES ($1, 'screenshot', $2, 'A screenshot', ARRAY['ui'], $3) RETURNING id""",
            project,
            f"flexos://files/sha256/{digest}",
            [{"page_id": str(pages[0]).upper()}],
        )
        await conn.execute(
            """INSERT INTO features (project_id, name, user_description, affected_pages, required_journeys,
                                     data_operations)
               VALUES ($1, 'Favourites', 'Save lessons', $2, $3, $4)""",
            project,
            [pages[0], child],
            flows[:1],
            {"pages": [str(child)], "note": "keeps 00000000-0000-4000-8000-000000000000"},
        )
        await conn.execute(
            """INSERT INTO inferred_entities (project_id, entity_name, fields, crud_locations, relationships)
               VALUES ($1, 'Lesson', $2, $3, $4)""",
            project,
            {"id": {"type": "uuid"}},
            {"read": ["lessons"]},
            [{"page_id": str(child)}],
        )
        run = await conn.fetchval(
            """INSERT INTO wizard_runs (project_id, user_id, wizard_type, context_references, outputs)
               VALUES ($1, $2, 'page-creator', $3, $4) RETURNING id""",
            project,
            scope.actor.id,
            [context],
            {"page_id": str(child)},
        )
        root = await conn.fetchval(
            """INSERT INTO ai_thinking_chain (project_id, wizard_run_id, thought_type, reasoning)
               VALUES ($1, $2, 'observation', 'Lessons are the core') RETURNING id""",
            project,
            run,
        )
        middle = await conn.fetchval(
            """INSERT INTO ai_thinking_chain (project_id, wizard_run_id, thought_type, reasoning, depends_on)
               VALUES ($1, $2, 'inference', 'So a detail page', $3) RETURNING id""",
            project,
            run,
            [root],
        )
        await conn.execute(
            """INSERT INTO ai_thinking_chain (project_id, wizard_run_id, thought_type, reasoning, depends_on)
               VALUES ($1, $2, 'decision', 'Build it', $3)""",
            project,
            run,
            [root, middle],
        )
        await conn.execute(
            """INSERT INTO wizard_run_steps (run_id, project_id, step_index, role, content, tool_use_id, tool_name, thought_id)
               VALUES ($1, $2, 0, 'driver', $3, 'toolu_1', 'log_thought', $4)""",
            run,
            project,
            {"thought": str(middle)},
            middle,
        )
    async with scope.db.transaction() as conn:  # a later transaction: updated_at differs from created_at
        await conn.execute("UPDATE pages SET purpose = 'One lesson, in full' WHERE id = $1", child)
    return project


async def dump(conn: Any, project: UUID, *, owner: UUID) -> dict[str, list[dict[str, Any]]]:
    """Every row of the project in every table (generated columns included), ordered by id, with
    the owner's id replaced by a marker so projects of different users compare."""
    result = {}
    for table in await project_tables(conn):
        rows = await conn.fetch(
            f'SELECT row_to_json(t)::text AS j FROM "{table.name}" t WHERE {table.project_column} = $1 ORDER BY id',
            project,
        )
        result[table.name] = [json.loads(r["j"].replace(str(owner), "<owner>")) for r in rows]
    return result


async def project_ids(conn: Any, project: UUID) -> set[str]:
    ids = set()
    for table in await project_tables(conn):
        ids |= {
            str(r["id"])
            for r in await conn.fetch(f'SELECT id FROM "{table.name}" WHERE {table.project_column} = $1', project)
        }
    return ids


def rewrite(bundle: bytes, member: str, change: Any) -> bytes:
    """The bundle with `member` replaced by change(old bytes), and a manifest that matches."""
    source = zipfile.ZipFile(io.BytesIO(bundle))
    manifest = json.loads(source.read("manifest.json"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "manifest.json":
                continue
            data = source.read(info.filename)
            if info.filename == member:
                data = change(data)
                manifest["members"][member] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            target.writestr(info.filename, data)
        target.writestr("manifest.json", json.dumps(manifest))
    return out.getvalue()
