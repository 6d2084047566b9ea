"""infer_entities on big projects: page by page in the worker pool, cached per page, applied in a
short transaction that checks nothing moved, and never holding up another user's calls (over real
HTTP, with a real server process)."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import pytest

from flexos_mcp.analysis import entities as analysis
from flexos_mcp.compute import WorkTooBig
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import entity_inference
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user

from helpers.big_project import DASHBOARD, LESSON_PLAN_FORM, big_project_pages, example_pages, store_pages
from helpers.http_helpers import http_server, mcp_client, new_token
from helpers.mcp_client import call, connect, new_email
from helpers.project_fixtures import EXAMPLE, add_page, load_lesson_library, make_project


async def findings_rows(db, project) -> dict[str, tuple]:
    rows = await db.fetch(
        """SELECT p.slug, c.updated_at, c.findings IS NOT NULL AS read FROM entity_page_findings c
           JOIN pages p ON p.id = c.page_id WHERE c.project_id = $1""",
        project,
    )
    return {r["slug"]: (r["updated_at"], r["read"]) for r in rows}


async def stored_entities(db, project) -> dict[str, dict]:
    rows = await db.fetch(
        "SELECT entity_name, fields, crud_locations FROM inferred_entities WHERE project_id = $1", project
    )
    return {r["entity_name"]: {"fields": r["fields"], "crud_locations": r["crud_locations"]} for r in rows}


def expected(pages: list[dict], features: list[dict] = ()) -> dict[str, dict]:
    return {
        e["entity_name"]: {"fields": e["fields"], "crud_locations": e["crud_locations"]}
        for e in analysis.infer_entities(pages, list(features))
    }


async def test_a_second_run_reads_no_page_and_a_changed_page_is_read_alone(database_url, db):
    email = new_email()
    project, pages = await load_lesson_library(db, email)
    notes: list[tuple[float, float | None, str | None]] = []

    async def progress(done, total, message):
        notes.append((done, total, message))

    async with connect(database_url, email=email, toolsets=("entities",)) as client:
        first = await client.call_tool("infer_entities", {"project_id": str(project)}, progress_callback=progress)
        assert not first.is_error, first.content[0].text
        assert notes and notes[-1][0] == notes[-1][1] and "of" in notes[-1][2]
        assert [n[0] for n in notes] == sorted(n[0] for n in notes)
        cached = await findings_rows(db, project)
        assert set(cached) == set(pages) and all(read for _, read in cached.values())
        assert await stored_entities(db, project) == expected(example_pages())

        notes.clear()
        second = await call(client, "infer_entities", project_id=str(project))
        assert second["created"] == second["updated"] == [] and "Lesson" in second["unchanged"]
        assert await findings_rows(db, project) == cached and notes == []

        html = (
            (EXAMPLE / "pages/lessons-new.html")
            .read_text()
            .replace("</form>", '<label>Reading time<input type="number" name="reading_minutes"></label></form>')
        )
        await db.execute("UPDATE mockups SET html_content = $1 WHERE page_id = $2", html, pages["lessons-new"])
        third = await call(client, "infer_entities", project_id=str(project))
        assert third["updated"] == ["Lesson"]
        now = await findings_rows(db, project)
        assert {slug for slug in now if now[slug] != cached[slug]} == {"lessons-new"}
        fields = (await stored_entities(db, project))["Lesson"]["fields"]
        assert fields["reading_minutes"]["type"] == "integer"
        assert fields["reading_minutes"]["inferred_from"] == ["lessons-new"]


async def test_a_page_whose_known_entities_changed_is_read_again(database_url, db):
    email = new_email()
    project = await make_project(db, email)
    form = await add_page(db, project, "plans-new", "New plan", html=LESSON_PLAN_FORM, path="/lesson-plans/new")
    await add_page(db, project, "dashboard", "Dashboard", html=DASHBOARD, path="/dashboard")
    async with connect(database_url, email=email, toolsets=("entities", "pages")) as client:
        await call(client, "infer_entities", project_id=str(project))
        assert set(await stored_entities(db, project)) == {"LessonPlan"}
        await call(client, "delete_page", page_id=str(form))
        result = await call(client, "infer_entities", project_id=str(project))
    assert result["created"] == ["Plan"] and result["pages_read"] == 1
    board = {"slug": "dashboard", "path": "/dashboard", "name": "Dashboard", "html": DASHBOARD}
    assert (await stored_entities(db, project))["Plan"] == expected([board])["Plan"]


@asynccontextmanager
async def scope_for(database_url: str, email: str):
    pool = await create_pool(database_url, max_size=4)
    try:
        db = Database(pool)
        yield Scope(db=db, actor=await ensure_user(db, email))
    finally:
        await pool.close()


async def test_a_page_changed_while_inferring_is_seen_not_overwritten(database_url, db):
    """Work runs outside any transaction, so a page can change meanwhile: the apply step sees its
    new hash and the run starts again from the cache, ending with what the page says now."""
    email = new_email()
    project, pages = await load_lesson_library(db, email)
    quiz = (
        '<html><body><main><h1>New quiz</h1><form method="post"><label for="q">Question</label>'
        '<input id="q" name="question" required><button type="submit">Create quiz</button></form></main></body></html>'
    )
    changed = []

    async def progress(done, total, message):
        if not changed:  # the first batch is done: someone edits a page now
            changed.append(
                await db.execute("UPDATE mockups SET html_content = $1 WHERE page_id = $2", quiz, pages["home"])
            )

    async with scope_for(database_url, email) as scope:
        result = await entity_inference.infer_entities(scope, project, progress=progress)
    assert changed and "Quiz" in result["created"]
    pages_now = [p if p["slug"] != "home" else dict(p, html=quiz) for p in example_pages()]
    assert await stored_entities(db, project) == expected(pages_now)


async def test_work_over_its_time_limit_says_so_changes_nothing_and_keeps_what_it_read(database_url, db):
    email = new_email()
    project, pages = await load_lesson_library(db, email)

    async def slow_progress(done, total, message):
        await asyncio.sleep(0.3)  # past the limit below once the first batch is done

    async with scope_for(database_url, email) as scope:
        with pytest.raises(WorkTooBig) as stopped:
            await entity_inference.infer_entities(scope, project, progress=slow_progress, time_limit=0.2)
        assert "limit of 0.2 s" in stopped.value.message and "call infer_entities again" in stopped.value.message
        assert await db.fetchval("SELECT count(*) FROM inferred_entities WHERE project_id = $1", project) == 0
        cached = await findings_rows(db, project)
        assert set(cached) == set(pages)  # the seeds of every page were kept

        result = await entity_inference.infer_entities(scope, project)
    assert "Lesson" in result["created"]
    assert await stored_entities(db, project) == expected(example_pages())


# --- over real HTTP: another user is not held up ---------------------------------------------------

BIG_PAGES = 400  # ~7 MB of HTML: seconds of inference, which on the event loop stalled every call
BOUND_S = 2.0  # generous: a call that waits for the whole inference takes far longer


async def test_a_big_inference_does_not_hold_up_another_users_calls(database_url, db):
    owner, other = new_email(), new_email()
    owner_token, other_token = new_token(database_url, owner), new_token(database_url, other)
    project = await make_project(db, owner, "Big")
    await store_pages(db, project, big_project_pages(BIG_PAGES))
    with http_server(database_url, "--toolsets", "projects,entities") as server:
        async with (
            mcp_client(server.mcp_url, owner_token, timeout=300) as big,
            mcp_client(server.mcp_url, other_token) as small,
        ):
            await small.call_tool("get_me", {})  # both sessions warm before the clock starts
            inference = asyncio.create_task(
                big.call_tool("infer_entities", {"project_id": str(project)}, read_timeout_seconds=300)
            )
            waits = []
            while not inference.done():
                started = time.perf_counter()
                answer = await small.call_tool("get_me", {})
                waits.append(time.perf_counter() - started)
                assert not answer.is_error and answer.structured_content["email"] == other
                await asyncio.sleep(0.05)
            result = await inference
    assert not result.is_error, result.content[0].text
    assert result.structured_content["pages_read"] == BIG_PAGES
    assert len(result.structured_content["created"]) >= 20
    assert len(waits) >= 5, f"the inference ended before another user's calls could overlap it ({waits})"
    assert max(waits) < BOUND_S, f"another user's call waited {max(waits):.1f} s during the inference"
