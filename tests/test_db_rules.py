"""Rules the database keeps for every writer, tested with plain SQL (no tool in the way): acyclic
`depends_on` (migration 0009), version numbers never reused and "current after delete" following
the history (0010), and the seed's own INSERTs working on our schema (0011)."""

from __future__ import annotations

import asyncio
import re
import uuid

import asyncpg
import pytest

from flexos_mcp.db.error_map import explain_database_error
from flexos_mcp.db.migrate import load_migrations, migrate
from flexos_mcp.errors import InvalidInput

from helpers import ROOT
from helpers.mcp_client import new_email
from helpers.records import seed_project

SEED = (ROOT / "docs" / "seed-schema.md").read_text()


async def _project(db: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    """(user id, project id) of a fresh user's project."""
    user = await db.fetchval("INSERT INTO users (email) VALUES ($1) RETURNING id", new_email())
    project = await db.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'P', 'p', 'web-app') RETURNING id", user
    )
    return user, project


# -- depends_on stays acyclic ------------------------------------------------------------------


async def _chain(db: asyncpg.Connection, project: uuid.UUID, length: int) -> list[uuid.UUID]:
    """`length` thoughts, each depending on the one before (plain INSERTs)."""
    ids: list[uuid.UUID] = []
    for i in range(length):
        ids.append(
            await db.fetchval(
                "INSERT INTO ai_thinking_chain (project_id, reasoning, depends_on) VALUES ($1, $2, $3) RETURNING id",
                project,
                f"step {i}",
                ids[-1:],
            )
        )
    return ids


async def test_a_raw_update_cannot_close_a_cycle(db, subtests):
    _, project = await _project(db)
    a, b, c = await _chain(db, project, 3)
    for target, deps in ((a, [c]), (a, [b]), (b, [c])):
        with subtests.test(target=target, deps=deps):
            with pytest.raises(asyncpg.CheckViolationError) as caught:
                await db.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", target, deps)
            assert caught.value.constraint_name == "thoughts_depends_on_acyclic"
            assert "cycle" in caught.value.message
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute("UPDATE ai_thinking_chain SET depends_on = depends_on || id WHERE id = $1", b)
    assert [
        r["depends_on"]
        for r in await db.fetch(
            "SELECT depends_on FROM ai_thinking_chain WHERE id = ANY($1) ORDER BY created_at, id", [a, b, c]
        )
    ] == [[], [a], [b]]


async def test_edges_that_close_no_cycle_are_kept(db):
    _, project = await _project(db)
    a, b, c = await _chain(db, project, 3)
    loose = await db.fetchval(
        "INSERT INTO ai_thinking_chain (project_id, reasoning) VALUES ($1, 'loose') RETURNING id", project
    )
    await db.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", c, [b, a, loose])  # a diamond
    await db.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", a, [loose])  # new root
    await db.execute("UPDATE ai_thinking_chain SET depends_on = '{}' WHERE id = $1", b)  # removal
    assert await db.fetchval("SELECT leads_to FROM ai_thinking_chain WHERE id = $1", loose) == [a, c]  # oldest first


async def test_a_self_dependency_or_a_cycle_within_one_insert_is_refused(db):
    _, project = await _project(db)
    one, two = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "INSERT INTO ai_thinking_chain (id, project_id, reasoning, depends_on) VALUES ($1, $2, 'x', $3)",
            one,
            project,
            [one],
        )
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            """INSERT INTO ai_thinking_chain (id, project_id, reasoning, depends_on)
               VALUES ($1, $3, 'one', ARRAY[$2::uuid]), ($2, $3, 'two', ARRAY[$1::uuid])""",
            one,
            two,
            project,
        )
    # Forward references without a cycle are fine, whatever the row order.
    await db.execute(
        """INSERT INTO ai_thinking_chain (id, project_id, reasoning, depends_on)
           VALUES ($1, $3, 'one', ARRAY[$2::uuid]), ($2, $3, 'two', '{}')""",
        one,
        two,
        project,
    )
    assert await db.fetchval("SELECT leads_to FROM ai_thinking_chain WHERE id = $1", two) == [one]


async def test_two_writers_cannot_each_add_half_a_cycle(database_url, db):
    _, project = await _project(db)
    a, b = await _chain(db, project, 2)  # b depends on a
    c = await db.fetchval(
        "INSERT INTO ai_thinking_chain (project_id, reasoning) VALUES ($1, 'c') RETURNING id", project
    )
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        first_tx = first.transaction()
        await first_tx.start()
        await first.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", c, [b])  # c -> b -> a
        # The second writer would close a -> c -> b -> a; it waits for the first, then sees its commit.
        closing = asyncio.ensure_future(
            second.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", a, [c])
        )
        await asyncio.sleep(0.3)
        assert not closing.done(), "the second writer should wait for the first one's lock"
        await first_tx.commit()
        with pytest.raises(asyncpg.CheckViolationError):
            await closing
    finally:
        await first.close()
        await second.close()
    assert await db.fetchval("SELECT depends_on FROM ai_thinking_chain WHERE id = $1", a) == []


async def test_the_trigger_refusal_reads_as_an_actionable_tool_error(db):
    _, project = await _project(db)
    a, b = await _chain(db, project, 2)
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        await db.execute("UPDATE ai_thinking_chain SET depends_on = $2 WHERE id = $1", a, [b])
    error = explain_database_error(caught.value)
    assert isinstance(error, InvalidInput)
    text = str(error)
    assert "depends_on" in text and "dependency cycle" in text and "Nothing was saved" in text
    assert "23514" not in text and "check_violation" not in text


# -- version numbers ---------------------------------------------------------------------------


async def _page(db: asyncpg.Connection, project: uuid.UUID, slug: str = "home") -> uuid.UUID:
    return await db.fetchval(
        "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'Home', $2, $3) RETURNING id",
        project,
        slug,
        f"/{slug}",
    )


async def _save(
    db: asyncpg.Connection, page: uuid.UUID, html: str, *, parent: str = "current"
) -> tuple[uuid.UUID, int]:
    """A seed-shaped save: INSERT without version (the database numbers it), built on the current
    version, then made current. (id, version)."""
    async with db.transaction():
        row = await db.fetchrow(
            """INSERT INTO mockups (page_id, html_content, parent_mockup_id)
               VALUES ($1, $2, (SELECT current_mockup_id FROM pages WHERE id = $1)) RETURNING id, version""",
            page,
            html,
        )
        await db.execute("UPDATE pages SET current_mockup_id = $2 WHERE id = $1", page, row["id"])
    return row["id"], row["version"]


async def _current(db: asyncpg.Connection, page: uuid.UUID) -> int | None:
    return await db.fetchval(
        "SELECT m.version FROM pages p LEFT JOIN mockups m ON m.id = p.current_mockup_id WHERE p.id = $1", page
    )


async def test_version_numbers_are_never_reused_and_current_follows_the_history(db):
    """The issue's scenario: 20 versions; deleting the current 20 makes 19 current and the next
    save is 21, not 20 again; rolling back to 5 and building on it, deleting that makes 5 current
    again, not the highest remaining version."""
    _, project = await _project(db)
    page = await _page(db, project)
    versions = {}
    for i in range(1, 21):
        versions[i], number = await _save(db, page, f"<p>v{i}</p>")
        assert number == i
    await db.execute("DELETE FROM mockups WHERE id = $1", versions[20])
    assert await _current(db, page) == 19
    versions[21], number = await _save(db, page, "<p>v21</p>")
    assert number == 21
    await db.execute("UPDATE pages SET current_mockup_id = $2 WHERE id = $1", page, versions[5])  # roll back to 5
    versions[22], number = await _save(db, page, "<p>built on 5</p>")
    assert number == 22
    assert await db.fetchval("SELECT parent_mockup_id FROM mockups WHERE id = $1", versions[22]) == versions[5]
    await db.execute("DELETE FROM mockups WHERE id = $1", versions[22])
    assert await _current(db, page) == 5
    versions[23], _ = await _save(db, page, "<p>built on 5 again</p>")
    # The parent goes in the same statement: the nearest surviving ancestor becomes current.
    await db.execute("DELETE FROM mockups WHERE id = ANY($1)", [versions[5], versions[23]])
    assert await _current(db, page) == 4
    assert await db.fetchval("SELECT last_mockup_version FROM pages WHERE id = $1", page) == 23


async def test_current_without_history_falls_back_to_the_newest_then_to_none(db):
    _, project = await _project(db)
    page = await _page(db, project)
    first, _ = await _save(db, page, "<p>1</p>")
    second, _ = await _save(db, page, "<p>2</p>")
    await db.execute("UPDATE pages SET current_mockup_id = $2, status = 'designed' WHERE id = $1", page, first)
    await db.execute("DELETE FROM mockups WHERE id = $1", first)  # no parent: the newest remaining
    assert await _current(db, page) == 2
    await db.execute("DELETE FROM mockups WHERE id = $1", second)
    row = await db.fetchrow("SELECT current_mockup_id, status FROM pages WHERE id = $1", page)
    assert (row["current_mockup_id"], row["status"]) == (None, "draft")
    other = await _page(db, project, "other")
    _, unmarked = await _save(db, other, "<p>x</p>")
    await db.execute("UPDATE pages SET current_mockup_id = NULL WHERE id = $1", other)
    await db.execute("DELETE FROM mockups WHERE page_id = $1", other)  # not current: nothing moves
    assert unmarked == 1 and await _current(db, other) is None


async def test_a_used_version_number_is_refused_and_versions_never_move(db):
    _, project = await _project(db)
    page = await _page(db, project)
    other = await _page(db, project, "other")
    first, _ = await _save(db, page, "<p>1</p>")
    await _save(db, page, "<p>2</p>")
    await db.execute("DELETE FROM mockups WHERE version = 2 AND page_id = $1", page)
    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        await db.execute("INSERT INTO mockups (page_id, version, html_content) VALUES ($1, 2, '<p>again</p>')", page)
    assert caught.value.constraint_name == "mockups_version_never_reused"
    assert "Leave version out" in explain_database_error(caught.value).args[0]
    # The seed's explicit numbering works when the number is new.
    assert (
        await db.fetchval(
            "INSERT INTO mockups (page_id, version, html_content) VALUES ($1, 7, '<p/>') RETURNING version", page
        )
        == 7
    )
    assert (
        await db.fetchval("INSERT INTO mockups (page_id, html_content) VALUES ($1, '<p/>') RETURNING version", page)
        == 8
    )
    for statement in (
        "UPDATE mockups SET version = 9 WHERE id = $1",
        f"UPDATE mockups SET page_id = '{other}' WHERE id = $1",
    ):
        with pytest.raises(asyncpg.CheckViolationError) as moved:
            await db.execute(statement, first)
        assert moved.value.constraint_name == "mockups_version_fixed"
    with pytest.raises(asyncpg.CheckViolationError) as back:
        await db.execute("UPDATE pages SET last_mockup_version = 1 WHERE id = $1", page)
    assert back.value.constraint_name == "pages_mockup_version_only_grows"
    with pytest.raises(asyncpg.CheckViolationError):  # the seed's own rule still speaks first
        await db.execute("INSERT INTO mockups (page_id, version, html_content) VALUES ($1, 0, '<p/>')", page)


async def test_concurrent_plain_sql_saves_get_distinct_numbers(database_url, db):
    _, project = await _project(db)
    page = await _page(db, project)
    pool = await asyncpg.create_pool(database_url, min_size=8, max_size=8)
    try:
        numbers = await asyncio.gather(
            *(
                pool.fetchval(
                    "INSERT INTO mockups (page_id, html_content) VALUES ($1, $2) RETURNING version", page, f"<p>{i}</p>"
                )
                for i in range(40)
            )
        )
    finally:
        await pool.close()
    assert sorted(numbers) == list(range(1, 41))


async def test_upgrading_a_database_starts_each_counter_at_its_highest_version(scratch_conn):
    """Migration 0010 on a database that already has mockups: each page's counter starts at its
    highest existing version, so the next save does not collide."""
    for migration in load_migrations():
        if migration.version < 10:
            await scratch_conn.execute(migration.sql)
            await scratch_conn.execute(
                "INSERT INTO flexos_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
    _, project = await _project(scratch_conn)
    page = await _page(scratch_conn, project)
    for version in (1, 2, 5):
        await scratch_conn.execute(
            "INSERT INTO mockups (page_id, project_id, version, html_content) VALUES ($1, $2, $3, '<p/>')",
            page,
            project,
            version,
        )
    assert 10 in await migrate(scratch_conn)
    assert await scratch_conn.fetchval("SELECT last_mockup_version FROM pages WHERE id = $1", page) == 5
    assert (
        await scratch_conn.fetchval(
            "INSERT INTO mockups (page_id, html_content) VALUES ($1, '<p/>') RETURNING version", page
        )
        == 6
    )


# -- the seed's own INSERTs --------------------------------------------------------------------


def seed_new_page_transaction(values: dict[int, str]) -> str:
    """The seed's "Creating a New Page" statements as written, run as what they are: PL/pgSQL
    (`RETURNING id INTO page_id` is not plain SQL, seed defect 3), with `$n` filled in."""
    block = re.search(r"### Creating a New Page\n```sql\n(.*?)```", SEED, flags=re.S).group(1)
    body = "\n".join(line for line in block.splitlines() if line.strip() not in ("BEGIN;", "COMMIT;"))
    body = re.sub(r"\$(\d+)", lambda m: values[int(m.group(1))], body)
    return f"DO $seed$\nDECLARE page_id UUID; mockup_id UUID;\nBEGIN\n{body}\nEND $seed$;"


async def test_the_seed_new_page_transaction_works_as_written(db):
    _, project = await _project(db)
    statement = seed_new_page_transaction(
        {
            1: f"'{project}'",
            2: "'Lessons'",
            3: "'lessons'",
            4: "'/lessons'",
            5: "'Teachers browse lessons'",
            6: "'<main class=\"p-4\">Lessons</main>'",
            7: "'main { color: #1E293B }'",
        }
    )
    assert "INSERT INTO mockups (page_id, version, html_content, css_content)" in statement
    await db.execute(statement)
    row = await db.fetchrow(
        """SELECT m.project_id, m.version, p.last_mockup_version, p.current_mockup_id = m.id AS is_current
             FROM pages p JOIN mockups m ON m.page_id = p.id WHERE p.project_id = $1""",
        project,
    )
    assert dict(row) == {"project_id": project, "version": 1, "last_mockup_version": 1, "is_current": True}


async def test_seed_shaped_inserts_fill_every_column_we_added(db):
    """INSERTs naming only the seed's columns, for every table whose rows carry a column we added
    and can derive from the parent."""
    user, project = await _project(db)
    page = await _page(db, project)
    flow = await db.fetchval(
        """INSERT INTO journey_flows (project_id, name, canvas_state) VALUES ($1, 'Sign up', '{"nodes": [], "edges": []}')
           RETURNING id""",
        project,
    )
    mockup = await db.fetchrow(
        "INSERT INTO mockups (page_id, version, html_content) VALUES ($1, 1, '<p/>') RETURNING *", page
    )
    node = await db.fetchrow(
        """INSERT INTO flow_nodes (flow_id, node_type, position, data)
           VALUES ($1, 'screen', '{"x": 100, "y": 200}', $2) RETURNING *""",
        flow,
        {"page_id": str(page)},
    )
    run = await db.fetchrow(
        "INSERT INTO wizard_runs (project_id, wizard_type) VALUES ($1, 'page-creator') RETURNING *", project
    )
    thought = await db.fetchrow(
        "INSERT INTO ai_thinking_chain (wizard_run_id, thought_type, reasoning) VALUES ($1, 'observation', 'x') RETURNING *",
        run["id"],
    )
    step = await db.fetchrow(
        "INSERT INTO wizard_run_steps (run_id, step_index, role, content) VALUES ($1, 0, 'user', '{}') RETURNING *",
        run["id"],
    )
    assert (mockup["project_id"], node["project_id"], thought["project_id"], step["project_id"]) == (project,) * 4
    assert run["user_id"] == user
    assert node["canvas_node_id"]  # our canvas id has a default too


async def test_a_given_value_is_kept_and_the_composite_keys_still_refuse_a_wrong_one(db):
    ids = await seed_project(db, new_email())
    other = await seed_project(db, new_email())
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            "INSERT INTO mockups (page_id, project_id, html_content) VALUES ($1, $2, '<p/>')",
            ids["page"],
            other["project"],
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            "INSERT INTO ai_thinking_chain (project_id, wizard_run_id, reasoning) VALUES ($1, $2, 'x')",
            other["project"],
            ids["wizard_run"],
        )
    with pytest.raises(asyncpg.NotNullViolationError):  # nothing to fill a thought's project from
        await db.execute("INSERT INTO ai_thinking_chain (reasoning) VALUES ('orphan')")
    with pytest.raises(asyncpg.ForeignKeyViolationError):  # a missing parent is the foreign key's to report
        await db.execute(
            "INSERT INTO flow_nodes (flow_id, node_type, position, data) VALUES ($1, 'screen', '{}', '{}')",
            uuid.uuid4(),
        )
