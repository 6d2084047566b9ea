"""Regression tests for bugs found in review of the wizard, thinking and driver code."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import httpx2
import mcp_types as t
import pytest
from mcp import Client

from flexos_mcp.config import Config
from flexos_mcp.server.app import build_server
from flexos_mcp.wizard import backends

from helpers.mcp_client import call, connect, new_email
from helpers.wizard_script import BRIEF, MODEL, Conversation, FakeAnthropic, message, page_creator_turn


class StrictAnthropic(FakeAnthropic):
    """The scripted API, refusing what the real Messages API refuses: a message with no content
    (only the final assistant message may be empty). The first answer is empty, as Claude's
    sometimes is after tool results (stop_reason end_turn, content [])."""

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        for i, m in enumerate(body["messages"]):
            empty = not m["content"] or any(
                b.get("type") == "text" and not b.get("text", "").strip() for b in m["content"] if isinstance(b, dict)
            )
            if empty:
                return httpx2.Response(
                    400,
                    json={
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "message": f"messages.{i}: all messages must have non-empty content except for the "
                            f"optional final assistant message",
                        },
                    },
                )
        if len(self.requests) == 1:
            return httpx2.Response(200, json=message([], 0))
        c = Conversation(body)
        return httpx2.Response(200, json=message(page_creator_turn(c, self.page), c.turn))


async def test_an_empty_model_turn_does_not_break_the_run_for_good(database_url, db, monkeypatch):
    fake = StrictAnthropic()
    monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
    async with connect(
        database_url, new_email(), toolsets=("all",), anthropic_api_key="sk-test", model=MODEL
    ) as client:
        project = await call(client, "create_project", name="Lesson Library", type="web-app")
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
    # The empty turn is kept in the transcript (and counted), but never sent back as an empty message.
    assert first["status"] == "paused", first["message"]
    assert first["current_phase"] == "review-consistency"
    steps = await db.fetch(
        "SELECT role, content FROM wizard_run_steps WHERE run_id = $1 AND role = 'assistant' ORDER BY step_index",
        uuid.UUID(first["run_id"]),
    )
    assert steps[0]["content"] == []


async def test_a_rejected_question_is_not_handed_to_the_model_as_an_answer(database_url, db, monkeypatch):
    fake = FakeAnthropic()
    monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
    async with connect(
        database_url, new_email(), toolsets=("all",), anthropic_api_key="sk-test", model=MODEL
    ) as client:
        project = await call(client, "create_project", name="Lesson Library", type="web-app")
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
        assert first["status"] == "paused"
        [question] = first["open_questions"]
        await call(
            client, "reject_thought", thought_id=question["thought_id"], user_feedback="Not my call; decide yourself."
        )
        sent = len(fake.requests)
        await call(client, "continue_wizard_run", run_id=first["run_id"])
    resumed = Conversation(fake.requests[sent]).text_of_user_messages()
    told = resumed[resumed.index(question["thought_id"]) - 300 :]
    assert "answered your question" not in told and "None" not in told
    assert "rejected" in told and "Not my call; decide yourself." in told


# ---- lock order: the run before its thoughts, as log_thought and record_decision take them ----------


@pytest.fixture
async def other_conn(database_url):
    """A second session on the test database, to hold locks as a concurrent call would."""
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


async def _blocked_on_a_lock(db) -> None:
    """Wait until another session of this database waits for a lock."""
    for _ in range(500):
        if await db.fetchval("""SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                                   AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"""):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the call never waited for the lock")


async def _open_question(client) -> tuple[dict[str, Any], dict[str, Any]]:
    project = await call(client, "create_project", name="Locks", type="web-app")
    run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
    asked = await call(client, "ask_user", run_id=run["id"], ask_key="page_purpose", question="What is it for?")
    return run, asked["question"]


async def test_answering_while_a_thought_builds_on_the_question_does_not_deadlock(database_url, db, other_conn):
    async with connect(database_url, new_email()) as client:
        run, question = await _open_question(client)
        other = other_conn  # log_thought(run_id, depends_on=[question]): the run share-locked, then the question
        async with other.transaction():
            await other.execute("SELECT 1 FROM wizard_runs WHERE id = $1 FOR SHARE", uuid.UUID(run["id"]))
            answering = asyncio.ensure_future(
                client.call_tool("answer_question", {"thought_id": question["id"], "answer": "Planning lessons."})
            )
            await _blocked_on_a_lock(db)
            await other.execute(
                "SELECT 1 FROM ai_thinking_chain WHERE id = $1 FOR KEY SHARE", uuid.UUID(question["id"])
            )
        result = await answering
        assert not result.is_error, result.content[0].text
        state = await call(client, "get_wizard_run", run_id=run["id"])
    assert state["answers"]["page_purpose"] == "Planning lessons."


async def test_two_answered_questions_of_one_run_at_once_do_not_deadlock(database_url, db, other_conn):
    async def person(context, params) -> t.ElicitResult:
        return t.ElicitResult(action="accept", content={"answer": "Planning lessons."})

    config = Config(database_url=database_url, user_email=new_email(), toolsets=("all",))
    async with Client(build_server(config), mode="legacy", elicitation_callback=person) as client:
        project = await call(client, "create_project", name="Locks", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        other = other_conn  # another ask_user of the run, answered: the run share-locked, then locked to update
        async with other.transaction():
            await other.execute("SELECT 1 FROM wizard_runs WHERE id = $1 FOR SHARE", uuid.UUID(run["id"]))
            asking = asyncio.ensure_future(
                client.call_tool(
                    "ask_user", {"run_id": run["id"], "ask_key": "page_purpose", "question": "What is it for?"}
                )
            )
            await _blocked_on_a_lock(db)
            await other.execute("SELECT 1 FROM wizard_runs WHERE id = $1 FOR UPDATE", uuid.UUID(run["id"]))
        result = await asking
        assert not result.is_error, result.content[0].text
        assert result.structured_content["outcome"] == "answered"


@pytest.mark.parametrize("tool", ["revise_thought", "update_thought", "delete_thought"])
async def test_changing_a_thought_while_a_decision_is_recorded_on_it_does_not_deadlock(
    database_url, db, other_conn, tool
):
    """record_decision locks the run, then the thought; changing a thought takes them in the same order."""
    async with connect(database_url, new_email()) as client:
        project = await call(client, "create_project", name="Locks", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        logged = await call(
            client,
            "log_thought",
            run_id=run["id"],
            thought_type="decision",
            reasoning="A card grid fits",
            confidence=0.8,
        )
        thought_id = logged["id"]
        args = {"thought_id": thought_id} | {
            "revise_thought": {"reasoning": "A list fits better"},
            "update_thought": {"confidence": 0.6},
            "delete_thought": {},
        }[tool]
        async with other_conn.transaction():  # record_decision: the run locked to update, then the thought
            await other_conn.execute("SELECT 1 FROM wizard_runs WHERE id = $1 FOR NO KEY UPDATE", uuid.UUID(run["id"]))
            changing = asyncio.ensure_future(client.call_tool(tool, args))
            await _blocked_on_a_lock(db)
            await other_conn.execute(
                "SELECT 1 FROM ai_thinking_chain WHERE id = $1 FOR KEY SHARE", uuid.UUID(thought_id)
            )
        result = await changing
        assert not result.is_error, result.content[0].text
