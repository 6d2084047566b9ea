"""Writes go only through the write path (issue 15 item 2).

The gateway's read methods (fetch, fetchrow, fetchval) refuse a statement that writes, so a write
can only run on the connection of `transaction()`, or as a single statement through `write()`:
one transaction per writing call, and the places the wizard's recording store sees (a driven run
records each tool call in the same transaction as the call's changes; its `write()` runs in such a
transaction). update_me and open_project used to write with a bare `fetchrow`, invisible to that
store; open_project now writes through `write()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flexos_mcp.db.gateway import Database, WriteOutsideTransaction, is_writing
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects, thinking, users, wizard
from flexos_mcp.domain.scope import Scope
from flexos_mcp.wizard.store import PendingStep, RecordingDatabase, Step, StepRecorder

from helpers.mcp_client import new_email

WRITES = [
    "INSERT INTO users (email) VALUES ($1)",
    "UPDATE users SET full_name = $2 WHERE id = $1 RETURNING *",
    "UPDATE api_tokens t SET last_used_at = now() FROM x WHERE t.id = x.id",
    "WITH t AS (UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING *) SELECT * FROM t",
    "WITH gone AS (DELETE FROM pages WHERE id = $1 RETURNING id) SELECT count(*) FROM gone",
    "DELETE FROM projects WHERE id = $1",
    "MERGE INTO pages p USING x ON p.id = x.id WHEN MATCHED THEN DELETE",
    "SELECT * FROM projects WHERE id = $1 FOR NO KEY UPDATE",
    "SELECT * FROM pages WHERE id = $1 FOR UPDATE",
    "SELECT * FROM pages WHERE id = $1 FOR KEY SHARE",
    "SELECT nextval('some_sequence')",
    "CREATE TABLE x (id int)",
    "DROP INDEX some_index",
    "TRUNCATE pages",
]
READS = [
    "SELECT * FROM users WHERE id = $1",
    "SELECT created_at, updated_at FROM projects WHERE id = $1",
    "SELECT count(*) FILTER (WHERE status = 'update') FROM pages",
    "WITH RECURSIVE down(id) AS (SELECT id FROM t UNION SELECT t.id FROM t JOIN down d ON t.id = d.id) "
    "SELECT * FROM down",
    "SELECT id FROM pages WHERE name ILIKE 'insert into the cart%'",
]


@pytest.mark.parametrize("sql", WRITES)
def test_a_writing_statement_is_recognised(sql: str):
    assert is_writing(sql)


@pytest.mark.parametrize("sql", READS)
def test_a_read_is_not_taken_for_a_write(sql: str):
    assert not is_writing(sql)


@pytest.fixture
async def gateway(database_url: str) -> AsyncIterator[Database]:
    pool = await create_pool(database_url, max_size=2)
    try:
        yield Database(pool)
    finally:
        await pool.close()


@pytest.mark.parametrize("method", ["fetch", "fetchrow", "fetchval"])
async def test_a_read_method_refuses_a_write_and_nothing_changes(gateway: Database, method: str):
    actor = await users.ensure_user(gateway, new_email())
    with pytest.raises(WriteOutsideTransaction, match=r"db\.transaction\(\)"):
        await getattr(gateway, method)("UPDATE users SET full_name = $2 WHERE id = $1", actor.id, "Changed")
    assert await gateway.fetchval("SELECT full_name FROM users WHERE id = $1", actor.id) is None
    async with gateway.transaction() as conn:  # the write path takes the same statement
        await conn.execute("UPDATE users SET full_name = $2 WHERE id = $1", actor.id, "Changed")
    assert await gateway.fetchval("SELECT full_name FROM users WHERE id = $1", actor.id) == "Changed"


async def test_single_statement_writes_are_seen_by_the_recording_store(gateway: Database):
    """update_me and open_project wrote outside a transaction once; update_project and log_thought
    are one statement through write() now. A driven run records each with its change."""
    actor = await users.ensure_user(gateway, new_email())
    scope = Scope(db=gateway, actor=actor)
    project = await projects.create_project(scope, {"name": "Recorded", "type": "web-app"})
    run = await wizard.start_wizard(scope, project.id, "page-creator")
    thought = thinking.NewThought(thought_type="observation", reasoning="Recorded", confidence=0.9)
    recorder = StepRecorder()
    recording = Scope(db=RecordingDatabase(gateway, recorder), actor=actor)

    for index, (name, write) in enumerate(
        [
            ("open_project", lambda: projects.open_project(recording, project.id)),
            ("update_me", lambda: users.update_me(recording, {"full_name": "Recorded Person"})),
            # one statement through write(): the recording store runs it in its transaction
            ("update_project", lambda: projects.update_project(recording, project.id, {"description": "Recorded"})),
            ("log_thought", lambda: thinking.log_thought(recording, thought, project_id=project.id)),
        ]
    ):
        recorder.pending = PendingStep(run.id, project.id, Step(index, "tool", {}, tool_use_id=name, tool_name=name))
        try:
            await write()
        finally:
            recorder.pending = None

    recorded = await gateway.fetch(
        "SELECT tool_use_id FROM wizard_run_steps WHERE run_id = $1 ORDER BY step_index", run.id
    )
    assert [r["tool_use_id"] for r in recorded] == ["open_project", "update_me", "update_project", "log_thought"]
    assert (await users.get_me(scope)).full_name == "Recorded Person"
    assert (await projects.get_project(scope, project.id)).description == "Recorded"
