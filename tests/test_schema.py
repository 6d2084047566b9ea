"""schema.sql against the seed: every seed column and index exists with the seed's type, and each
fixed defect is fixed (path CHECK, ON DELETE rules, updated_at, current_mockup_id, UUID arrays)."""

from __future__ import annotations

import asyncio
import re
import uuid

import asyncpg
import pytest

from helpers import ROOT
from helpers.mcp_client import connect, new_email
from helpers.records import PROJECT_TABLES, seed_project

SEED = (ROOT / "docs" / "seed-schema.md").read_text()

SEED_TYPES = {
    "UUID": ("uuid", None),
    "TEXT": ("text", None),
    "JSONB": ("jsonb", None),
    "INTEGER": ("integer", None),
    "BOOLEAN": ("boolean", None),
    "FLOAT": ("double precision", None),
    "TIMESTAMP WITH TIME ZONE": ("timestamp with time zone", None),
    "TEXT[]": ("ARRAY", "_text"),
    "UUID[]": ("ARRAY", "_uuid"),
}


def seed_sql() -> str:
    blocks = re.findall(r"```sql\n(.*?)```", SEED, flags=re.S)
    sql = "\n".join(blocks)
    sql = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


def seed_columns() -> list[tuple[str, str, str, int | None]]:
    """(table, column, seed type, varchar length) for every column of every seed CREATE TABLE."""
    found = []
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", seed_sql(), flags=re.S):
        for line in body.splitlines():
            match = re.match(
                r"\s*([a-z_]+)\s+(VARCHAR\((\d+)\)|TIMESTAMP WITH TIME ZONE|UUID\[\]|TEXT\[\]|[A-Z]+)", line
            )
            if match and match.group(1) not in ("unique", "primary", "constraint"):
                kind = "VARCHAR" if match.group(3) else match.group(2)
                found.append((table, match.group(1), kind, int(match.group(3)) if match.group(3) else None))
    return found


def seed_indexes() -> list[tuple[str, str]]:
    return re.findall(r"CREATE INDEX (\w+) ON (\w+)", seed_sql())


def test_the_seed_parses_into_every_table():
    tables = {t for t, *_ in seed_columns()}
    assert tables == {
        "users",
        "projects",
        "design_systems",
        "pages",
        "mockups",
        "features",
        "journey_flows",
        "flow_nodes",
        "inferred_entities",
        "wizard_runs",
        "ai_thinking_chain",
        "user_context_items",
    }
    assert len(seed_columns()) > 150
    assert len(seed_indexes()) == 19


async def test_every_seed_column_exists_with_the_seed_type(db):
    rows = await db.fetch(
        """SELECT table_name, column_name, data_type, udt_name, character_maximum_length
           FROM information_schema.columns WHERE table_schema = 'public'"""
    )
    actual = {(r["table_name"], r["column_name"]): r for r in rows}
    for table, column, kind, length in seed_columns():
        assert (table, column) in actual, f"{table}.{column} is missing"
        row = actual[(table, column)]
        if kind == "VARCHAR":
            assert row["data_type"] == "character varying" and row["character_maximum_length"] == length, (
                table,
                column,
            )
        else:
            data_type, udt = SEED_TYPES[kind]
            assert row["data_type"] == data_type, (table, column, row["data_type"])
            if udt:
                assert row["udt_name"] == udt, (table, column)


async def test_every_seed_index_exists_on_its_table(db):
    rows = await db.fetch("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'")
    actual = {(r["indexname"], r["tablename"]) for r in rows}
    for index, table in seed_indexes():
        assert (index, table) in actual, f"index {index} on {table} is missing"


async def test_the_seed_unique_constraints_hold(db):
    ids = await seed_project(db, new_email())
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute("INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'X', 'x', '/')", ids["project"])
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(
            "INSERT INTO mockups (page_id, project_id, version, html_content) VALUES ($1, $2, 1, '')",
            ids["page"],
            ids["project"],
        )
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(
            "INSERT INTO inferred_entities (project_id, entity_name, fields) VALUES ($1, 'Lesson', '{}')",
            ids["project"],
        )
    with pytest.raises(asyncpg.UniqueViolationError):  # defect 8: one design system per project
        await db.execute("INSERT INTO design_systems (project_id) VALUES ($1)", ids["project"])


async def test_pages_accept_valid_paths(db):
    """Defect 1: with the seed's CHECK, every one of these inserts failed."""
    user = await db.fetchval("INSERT INTO users (email) VALUES ($1) RETURNING id", new_email())
    project = await db.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'P', 'p', 'web-app') RETURNING id", user
    )
    for i, path in enumerate(["/", "/dashboard/settings", "/a-b/c-9/"]):
        await db.execute(
            "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'P', $2, $3)", project, f"p{i}", path
        )
    paths = await db.fetch("SELECT path FROM pages WHERE project_id = $1 ORDER BY path", project)
    assert [r["path"] for r in paths] == ["/", "/a-b/c-9/", "/dashboard/settings"]


@pytest.mark.parametrize("path", ["dashboard", "/Dashboard", "/a b", "/a_b", "/ä"])
async def test_pages_reject_invalid_paths(db, path):
    ids = await seed_project(db, new_email())
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        await db.execute(
            "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'P', 'p', $2)", ids["project"], path
        )
    assert caught.value.constraint_name == "valid_path"


async def test_updated_at_moves_on_update(db):
    ids = await seed_project(db, new_email())
    before = await db.fetchval("SELECT updated_at FROM pages WHERE id = $1", ids["page"])
    await asyncio.sleep(0.01)
    after = await db.fetchval("UPDATE pages SET purpose = 'changed' WHERE id = $1 RETURNING updated_at", ids["page"])
    assert after > before


async def test_current_mockup_must_be_a_mockup_of_the_same_page(db):
    ids = await seed_project(db, new_email())
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("UPDATE pages SET current_mockup_id = $1 WHERE id = $2", ids["mockup"], ids["child_page"])
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("UPDATE pages SET current_mockup_id = $1 WHERE id = $2", uuid.uuid4(), ids["page"])
    await db.execute("DELETE FROM mockups WHERE id = $1", ids["mockup"])
    assert await db.fetchval("SELECT current_mockup_id FROM pages WHERE id = $1", ids["page"]) is None


async def test_mockups_and_nodes_carry_their_parents_project(db):
    ids = await seed_project(db, new_email())
    other = await seed_project(db, new_email())
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            "INSERT INTO mockups (page_id, project_id, version, html_content) VALUES ($1, $2, 9, '')",
            ids["page"],
            other["project"],
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            """INSERT INTO flow_nodes (flow_id, project_id, node_type, position, data)
                            VALUES ($1, $2, 'screen', '{}', '{}')""",
            ids["flow"],
            other["project"],
        )


async def test_page_parents_stay_in_the_project_and_never_cycle(db):
    ids = await seed_project(db, new_email())
    other = await seed_project(db, new_email())
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("UPDATE pages SET parent_id = $1 WHERE id = $2", other["page"], ids["page"])
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        await db.execute("UPDATE pages SET parent_id = $1 WHERE id = $2", ids["child_page"], ids["page"])
    assert caught.value.constraint_name == "pages_parent_no_cycle"
    await db.execute("DELETE FROM pages WHERE id = $1", ids["page"])
    assert await db.fetchval("SELECT parent_id FROM pages WHERE id = $1", ids["child_page"]) is None


async def test_deleted_targets_leave_uuid_arrays(db):
    ids = await seed_project(db, new_email())
    await db.execute("DELETE FROM pages WHERE id = $1", ids["page"])
    await db.execute("DELETE FROM journey_flows WHERE id = $1", ids["flow"])
    await db.execute("DELETE FROM user_context_items WHERE id = $1", ids["context_item"])
    await db.execute("DELETE FROM ai_thinking_chain WHERE id = $1", ids["thought"])
    feature = await db.fetchrow("SELECT affected_pages, required_journeys FROM features WHERE id = $1", ids["feature"])
    assert feature["affected_pages"] == [] and feature["required_journeys"] == []
    assert await db.fetchval("SELECT context_references FROM wizard_runs WHERE id = $1", ids["wizard_run"]) == []
    assert await db.fetchval("SELECT depends_on FROM ai_thinking_chain WHERE id = $1", ids["thought_2"]) == []


async def test_delete_project_removes_everything_in_it(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    keep = await seed_project(db, email, name="Kept")
    async with connect(database_url, email) as client:
        result = await client.call_tool("delete_project", {"project_id": str(ids["project"])})
    assert not result.is_error, result.content
    deleted = result.structured_content["deleted"]
    assert deleted["pages"] == 2 and deleted["mockups"] == 1 and deleted["wizard_runs"] == 1
    assert deleted["ai_thinking_chain"] == 2 and deleted["flow_nodes"] == 2
    for table in PROJECT_TABLES:
        column = "id" if table == "projects" else "project_id"
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", ids["project"]) == 0, table
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", keep["project"]) >= 1, table


async def test_deleting_a_user_deletes_their_projects_and_runs(db):
    ids = await seed_project(db, new_email())
    await db.execute("DELETE FROM users WHERE id = $1", ids["user"])
    assert await db.fetchval("SELECT count(*) FROM wizard_runs WHERE id = $1", ids["wizard_run"]) == 0
    assert await db.fetchval("SELECT count(*) FROM projects WHERE id = $1", ids["project"]) == 0
