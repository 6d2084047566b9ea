"""Regression tests for bugs found in review of the wizard, thinking and driver code."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx2
import pytest

from conftest import call, connect, new_email
from flexos_mcp.wizard import backends
from wizard_script import BRIEF, MODEL, Conversation, FakeAnthropic, message, page_creator_turn


class StrictAnthropic(FakeAnthropic):
    """The scripted API, refusing what the real Messages API refuses: a message with no content
    (only the final assistant message may be empty). The first answer is empty, as Claude's
    sometimes is after tool results (stop_reason end_turn, content [])."""

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        for i, m in enumerate(body["messages"]):
            empty = not m["content"] or any(
                b.get("type") == "text" and not b.get("text", "").strip() for b in m["content"]
                if isinstance(b, dict))
            if empty:
                return httpx2.Response(400, json={"type": "error", "error": {
                    "type": "invalid_request_error",
                    "message": f"messages.{i}: all messages must have non-empty content except for the "
                               f"optional final assistant message"}})
        if len(self.requests) == 1:
            return httpx2.Response(200, json=message([], 0))
        c = Conversation(body)
        return httpx2.Response(200, json=message(page_creator_turn(c, self.page), c.turn))


async def test_an_empty_model_turn_does_not_break_the_run_for_good(database_url, db, monkeypatch):
    fake = StrictAnthropic()
    monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
    async with connect(database_url, new_email(), toolsets=("all",), anthropic_api_key="sk-test",
                       model=MODEL) as client:
        project = await call(client, "create_project", name="Lesson Library", type="web-app")
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
    # The empty turn is kept in the transcript (and counted), but never sent back as an empty message.
    assert first["status"] == "paused", first["message"]
    assert first["current_phase"] == "review-consistency"
    steps = await db.fetch("SELECT role, content FROM wizard_run_steps WHERE run_id = $1 AND role = 'assistant' "
                           "ORDER BY step_index", uuid.UUID(first["run_id"]))
    assert steps[0]["content"] == []


async def test_a_rejected_question_is_not_handed_to_the_model_as_an_answer(database_url, db, monkeypatch):
    fake = FakeAnthropic()
    monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
    async with connect(database_url, new_email(), toolsets=("all",), anthropic_api_key="sk-test",
                       model=MODEL) as client:
        project = await call(client, "create_project", name="Lesson Library", type="web-app")
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
        assert first["status"] == "paused"
        [question] = first["open_questions"]
        await call(client, "reject_thought", thought_id=question["thought_id"],
                   user_feedback="Not my call; decide yourself.")
        sent = len(fake.requests)
        await call(client, "continue_wizard_run", run_id=first["run_id"])
    resumed = Conversation(fake.requests[sent]).text_of_user_messages()
    told = resumed[resumed.index(question["thought_id"]) - 300:]
    assert "answered your question" not in told and "None" not in told
    assert "rejected" in told and "Not my call; decide yourself." in told
