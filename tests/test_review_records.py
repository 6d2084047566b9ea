"""Review findings: references written while the record they name is being deleted, and input
checks that must name the field. Each test fails on the code before its fix."""

from __future__ import annotations

import asyncio

import asyncpg

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.project_fixtures import add_page, make_project


async def _waiting_on_a_lock(db, task: asyncio.Task) -> None:
    """Return once `task` has finished or some backend waits for a row lock."""
    for _ in range(500):
        if task.done():
            return
        if await db.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ):
            return
        await asyncio.sleep(0.01)


async def _call_during_uncommitted_delete(database_url, db, client, delete_sql: str, record_id, tool: str, **args):
    """Delete a record in an open transaction, call a tool that names it, then commit the delete.
    Returns the tool's result (structured content, or the error text)."""
    deleter = await asyncpg.connect(database_url)
    try:
        tx = deleter.transaction()
        await tx.start()
        await deleter.execute(delete_sql, record_id)
        task = asyncio.ensure_future(client.call_tool(tool, args))
        await _waiting_on_a_lock(db, task)
        await tx.commit()
        result = await task
    finally:
        await deleter.close()
    return result.content[0].text if result.is_error else result.structured_content


async def test_feature_never_keeps_a_page_deleted_while_it_was_linked(database_url, db):
    email = new_email()
    project = await make_project(db, email)
    page = await add_page(db, project, "lessons", "Lessons")
    async with connect(database_url, email=email) as client:
        outcome = await _call_during_uncommitted_delete(
            database_url,
            db,
            client,
            "DELETE FROM pages WHERE id = $1",
            page,
            "create_feature",
            project_id=str(project),
            name="Share",
            affected_pages=[str(page)],
        )
        dangling = await db.fetchval("SELECT count(*) FROM features WHERE $1 = ANY(affected_pages)", page)
        assert dangling == 0, f"a feature names the deleted page {page}: {outcome}"
        assert isinstance(outcome, str) and "affected_pages" in outcome and str(page) in outcome


async def test_feature_never_keeps_a_flow_deleted_while_it_was_linked(database_url, db):
    email = new_email()
    project = await make_project(db, email)
    flow = await db.fetchval(
        "INSERT INTO journey_flows (project_id, name, canvas_state) VALUES ($1, 'Share', '{}') RETURNING id", project
    )
    async with connect(database_url, email=email) as client:
        feature = await call(client, "create_feature", project_id=str(project), name="Share")
        outcome = await _call_during_uncommitted_delete(
            database_url,
            db,
            client,
            "DELETE FROM journey_flows WHERE id = $1",
            flow,
            "update_feature",
            feature_id=feature["id"],
            required_journeys=[str(flow)],
        )
        dangling = await db.fetchval("SELECT count(*) FROM features WHERE $1 = ANY(required_journeys)", flow)
        assert dangling == 0, f"a feature names the deleted flow {flow}: {outcome}"
        assert "required_journeys" in await error_of(
            client, "update_feature", feature_id=feature["id"], required_journeys=[str(flow)]
        )


async def test_prescribed_tokens_are_checked_like_confirmations(database_url, db):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Brand first", type="web-app"))["id"]
        bad = [
            ({"colors": "red"}, "prescribed_tokens", "token path"),
            ({"colors": {}}, "prescribed_tokens", "token path"),
            ({"colour": {"primary": {"value": "#DC2626"}}}, "prescribed_tokens", "token path"),
            ({"colors": {"primary": 5}}, "prescribed_tokens.colors.primary", "CSS colour"),
            ({"colors": {"primary": {"value": None}}}, "prescribed_tokens.colors.primary", "CSS colour"),
            ({"typography": {"sizes": "x"}}, "prescribed_tokens", "token path"),
            ({"shadows": {"card": {"value": 3}}}, "prescribed_tokens.shadows.card", "box-shadow"),
            ({"radii": {"card": {"value": [1]}}}, "prescribed_tokens.radii.card", "length"),
            ({"radii": {"card": {"ref": "colors.primary"}}}, "prescribed_tokens.radii.card", "only colour"),
        ]
        for tokens, field, hint in bad:
            message = await error_of(client, "create_design_system", project_id=project, prescribed_tokens=tokens)
            assert f"Invalid {field}:" in message and hint in message, (tokens, message)
            assert "incident" not in message.lower()
        assert await db.fetchval("SELECT count(*) FROM design_systems WHERE project_id = $1::uuid", project) == 0

        good = {
            "colors": {"primary": {"value": "#0055FF"}, "accent": {"ref": "colors.primary"}, "text": "#111"},
            "spacing": {"base": {"value": "4px"}, "scale": [4, 8, 12], "steps": {"md": {"value": "16px"}}},
            "typography": {"font_family": "Inter", "sizes": {"lg": {"value": "18px"}}, "weights": {"bold": 700}},
            "radii": {"card": {"value": "8px"}},
            "shadows": {"card": "0 1px 3px 0 rgb(0 0 0 / 0.1)"},
        }
        created = await call(client, "create_design_system", project_id=project, prescribed_tokens=good)
        assert created["prescribed_tokens"] == good
        for tokens, field, hint in bad:
            message = await error_of(client, "update_design_system", project_id=project, prescribed_tokens=tokens)
            assert f"Invalid {field}:" in message and hint in message, (tokens, message)
        assert (await call(client, "get_design_system", project_id=project)) == created
        for fmt in ("dtcg", "css", "tailwind", "tailwind_config"):
            await call(client, "export_design_tokens", project_id=project, format=fmt)


async def test_relationship_never_targets_an_entity_deleted_or_renamed_meanwhile(database_url, db):
    email = new_email()
    project = await make_project(db, email)
    async with connect(database_url, email=email) as client:
        p = str(project)
        lesson = await call(client, "create_entity", project_id=p, entity_name="Lesson")
        teacher = await call(client, "create_entity", project_id=p, entity_name="Teacher")
        rel = [{"type": "has_many", "target_entity": "Lesson"}]
        outcome = await _call_during_uncommitted_delete(
            database_url,
            db,
            client,
            "DELETE FROM inferred_entities WHERE id = $1::uuid",
            lesson["id"],
            "update_entity",
            entity_id=teacher["id"],
            relationships=rel,
        )
        stored = await db.fetchval("SELECT relationships FROM inferred_entities WHERE id = $1::uuid", teacher["id"])
        assert stored == [], f"Teacher keeps a relationship to the deleted Lesson: {outcome}"
        assert "relationships[0].target_entity" in outcome and "Create the target entity first" in outcome

        course = await call(client, "create_entity", project_id=p, entity_name="Course")
        outcome = await _call_during_uncommitted_delete(
            database_url,
            db,
            client,
            "UPDATE inferred_entities SET entity_name = 'Module' WHERE id = $1::uuid",
            course["id"],
            "create_entity",
            project_id=p,
            entity_name="Student",
            relationships=[{"type": "belongs_to", "target_entity": "Course"}],
        )
        targets = await db.fetch(
            "SELECT r->>'target_entity' AS t FROM inferred_entities, "
            "jsonb_array_elements(relationships) r WHERE project_id = $1",
            project,
        )
        assert [t["t"] for t in targets] == [], f"a relationship names the renamed Course: {outcome}"


async def test_inference_never_overwrites_a_field_edited_meanwhile(database_url, db):
    from helpers.project_fixtures import load_lesson_library

    email = new_email()
    project, _ = await load_lesson_library(db, email)
    async with connect(database_url, email=email) as client:
        await call(client, "infer_entities", project_id=str(project))
        lesson = await db.fetchval(
            "SELECT id FROM inferred_entities WHERE project_id = $1 AND entity_name = 'Lesson'", project
        )
        # Inference has something to add again (a field it found), so it will write the Lesson row...
        await db.execute("UPDATE inferred_entities SET fields = fields - 'tags' WHERE id = $1", lesson)
        # ...while a person's edit of that row is in flight.
        edit = """UPDATE inferred_entities
                     SET fields = fields || '{"subtitle": {"type": "string", "user_edited": true}}'::jsonb
                   WHERE id = $1"""
        outcome = await _call_during_uncommitted_delete(
            database_url, db, client, edit, lesson, "infer_entities", project_id=str(project)
        )
        fields = await db.fetchval("SELECT fields FROM inferred_entities WHERE id = $1", lesson)
        assert "subtitle" in fields, f"inference overwrote the person's field: {outcome}"
        assert "tags" in fields
