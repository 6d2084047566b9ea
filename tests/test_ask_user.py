"""ask_user with real MCP clients: one that implements elicitation (accept, decline, cancel) and
one that does not; answer_question for answers given later."""

from __future__ import annotations

from contextlib import asynccontextmanager

import mcp_types as types
import pytest
from mcp import Client

from flexos_mcp.config import Config
from flexos_mcp.server.app import build_server

from helpers.mcp_client import call, error_of, new_email


class Person:
    """An elicitation callback that answers from a script and remembers what it was asked."""

    def __init__(self, *replies: tuple[str, str | None]):
        self.replies = list(replies)
        self.asked: list[types.ElicitRequestParams] = []

    async def __call__(self, context, params):
        self.asked.append(params)
        action, text = self.replies.pop(0)
        return types.ElicitResult(action=action, content={"answer": text} if action == "accept" else None)


@asynccontextmanager
async def client_for(database_url: str, email: str, person: Person | None, mode: str = "auto"):
    server = build_server(Config(database_url=database_url, user_email=email, toolsets=("all",)))
    kwargs = {"elicitation_callback": person} if person is not None else {}
    async with Client(server, mode=mode, **kwargs) as client:
        yield client


# 'auto' speaks protocol 2026-07-28 (the question rides an input-required round); 'legacy' is the
# initialize handshake most hosts use today (the server sends elicitation/create mid-call).
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_accept_records_the_answer_on_the_question_and_the_run(database_url, db, mode):
    email = new_email()
    person = Person(("accept", "Teachers between classes"), ("decline", None), ("cancel", None), ("accept", "  "))
    async with client_for(database_url, email, person, mode) as client:
        project = await call(client, "create_project", name="Ask", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        rid = run["id"]
        seen = await call(
            client,
            "log_thought",
            run_id=rid,
            thought_type="observation",
            reasoning="Brief names teachers",
            confidence=0.8,
        )
        asked = await call(
            client,
            "ask_user",
            run_id=rid,
            question="Who uses this page?",
            ask_key="primary_users",
            options=["teachers", "students"],
            depends_on=[seen["id"]],
        )
        assert asked["outcome"] == "answered" and asked["answer_recorded_as"] == "primary_users"
        question = asked["question"]
        assert question["status"] == "confirmed" and not question["needs_answer"]
        assert "Teachers between classes" in question["user_feedback"] and question["depends_on"] == [seen["id"]]
        assert question["alternatives"] == ["teachers", "students"] and question["thought_type"] == "question"
        assert "Who uses this page?" in person.asked[0].message and "teachers; students" in person.asked[0].message
        assert person.asked[0].requested_schema["properties"]["answer"]["type"] == "string"
        state = await call(client, "get_wizard_run", run_id=rid)
        assert state["answers"] == {"primary_users": "Teachers between classes"}
        assert state["open_questions"] == []

        for outcome in ("declined", "cancelled"):
            left = await call(client, "ask_user", run_id=rid, question=f"Path? ({outcome})", ask_key="page_purpose")
            assert left["outcome"] == outcome and left["answer"] is None
            assert left["question"]["needs_answer"] and left["question"]["status"] == "active"
        empty = await call(client, "ask_user", run_id=rid, question="Path? (empty)", ask_key="page_purpose")
        assert empty["outcome"] == "declined" and "left the answer empty" in empty["what_to_do"]
        state = await call(client, "get_wizard_run", run_id=rid)
        assert [q["reasoning"] for q in state["open_questions"]] == [
            "Path? (declined)",
            "Path? (cancelled)",
            "Path? (empty)",
        ]
        assert "page_purpose" not in state["answers"]
        assert person.replies == []


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_without_elicitation_the_question_stays_open_until_answered(database_url, db, mode):
    async with client_for(database_url, new_email(), None, mode) as client:
        project = await call(client, "create_project", name="NoAsk", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="feature-builder")
        rid = run["id"]
        asked = await call(
            client, "ask_user", run_id=rid, question="What is the feature called?", ask_key="feature_name"
        )
        assert asked["outcome"] == "not_supported" and "answer_question" in asked["what_to_do"]
        qid = asked["question"]["id"]
        state = await call(client, "get_wizard_run", run_id=rid)
        assert [q["id"] for q in state["open_questions"]] == [qid]
        listed = await call(client, "open_questions", run_id=rid)
        assert [q["id"] for q in listed["items"]] == [qid]
        answered = await call(client, "answer_question", thought_id=qid, answer="Lesson sharing")
        assert answered["outcome"] == "answered" and answered["answer_recorded_as"] == "feature_name"
        state = await call(client, "get_wizard_run", run_id=rid)
        assert state["open_questions"] == [] and state["answers"]["feature_name"] == "Lesson sharing"
        assert "not an open question" in await error_of(client, "answer_question", thought_id=qid, answer="again")
        message = await error_of(client, "ask_user", run_id=rid, question="x", ask_key="not_a_key")
        assert "feature_name" in message
        # A project-level question, answered later; no run answers involved.
        loose = await call(client, "ask_user", project_id=project["id"], question="Dark mode?")
        done = await call(client, "answer_question", thought_id=loose["question"]["id"], answer="Yes")
        assert done["answer_recorded_as"] is None and done["question"]["status"] == "confirmed"
