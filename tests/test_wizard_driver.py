"""LLM-driven wizard runs, offline: the real `anthropic` SDK over a scripted HTTP transport, and
the MCP sampling path with a real client whose callback plays the model."""

from __future__ import annotations

import uuid
from typing import Any

import mcp_types as t
import pytest
from mcp import Client

from flexos_mcp.config import Config
from flexos_mcp.prompt_files import render_wizard_prompt
from flexos_mcp.server.app import build_server
from flexos_mcp.wizard import backends, store

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.wizard_script import BRIEF, MODEL, Conversation, FakeAnthropic, message, page_creator_turn

PHASES = ["understand-intent", "gather-context", "define-structure", "design-mockup", "review-consistency", "finalize"]


@pytest.fixture
def fake_api(monkeypatch):
    def install(failures: dict[int, str] | None = None) -> FakeAnthropic:
        fake = FakeAnthropic(failures)
        monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
        return fake

    return install


def driven(database_url: str, email: str):
    return connect(database_url, email, toolsets=("all",), anthropic_api_key="sk-test", model=MODEL)


async def _project(client) -> dict[str, Any]:
    return await call(client, "create_project", name="Lesson Library", type="web-app")


async def check_chain(db, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every step's thought is in the chain once; each thought the driver wrote (model text, tool
    steps) depends on exactly the step before it; tool steps name their tool."""
    steps = await db.fetch("SELECT * FROM wizard_run_steps WHERE run_id = $1 ORDER BY step_index", run_id)
    thoughts = {
        r["id"]: r
        for r in await db.fetch(
            "SELECT * FROM ai_thinking_chain WHERE wizard_run_id = $1 ORDER BY created_at, id", run_id
        )
    }
    seen: list[uuid.UUID] = []
    reason = None  # the latest reasoning step: model text or a thought the model logged
    for step in steps:
        if step["thought_id"] is None:
            continue
        row = thoughts[step["thought_id"]]
        assert step["thought_id"] not in seen
        seen.append(step["thought_id"])
        if step["role"] == "driver":
            key = step["tool_use_id"]
            assert row["depends_on"] == ([reason] if reason else []), (key, row["reasoning"])
            if key.startswith("text:"):
                assert row["thought_type"] == "inference" and row["source_description"].startswith("model text")
            else:
                tool_use_id = key.split(":")[0]
                tool_step = next(s for s in steps if s["tool_use_id"] == tool_use_id)
                assert row["source_description"] == tool_step["tool_name"]
                assert row["thought_type"] in ("observation", "decision")
        if step["role"] == "tool" or step["tool_use_id"].startswith("text:"):
            reason = step["thought_id"]
    assert set(seen) == set(thoughts), "every thought of the run is a step of its transcript"
    # No tool call ran twice, and every call has its result.
    tool_steps = [s for s in steps if s["role"] == "tool"]
    assert len({s["tool_use_id"] for s in tool_steps}) == len(tool_steps)
    return [dict(thoughts[i]) for i in seen]


async def test_claude_runs_page_creator_to_the_end(database_url, db, fake_api):
    fake = fake_api()
    email = new_email()
    async with driven(database_url, email) as client:
        project = await _project(client)
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
        assert first["status"] == "paused" and first["current_phase"] == "review-consistency"
        [question] = first["open_questions"]
        assert "first mockup" in question["question"]
        run_id = first["run_id"]
        paused = await db.fetchrow("SELECT status, status_note FROM wizard_runs WHERE id = $1", uuid.UUID(run_id))
        asked = await db.fetchrow("SELECT * FROM ai_thinking_chain WHERE id = $1", uuid.UUID(question["thought_id"]))
        assert paused["status"] == "paused" and "first mockup" in paused["status_note"]
        assert asked["thought_type"] == "question" and asked["needs_answer"] and asked["ask_key"] == "mockup_feedback"
        # Resuming before the answer is refused, and says what to do.
        refused = await error_of(client, "continue_wizard_run", run_id=run_id)
        assert question["thought_id"] in refused and "answer_question" in refused
        await call(client, "answer_question", thought_id=question["thought_id"], answer="Looks right, keep one form.")
        done = await call(client, "continue_wizard_run", run_id=run_id)
        state = await call(client, "get_wizard_run", run_id=run_id)

    assert done["status"] == "completed" and done["open_questions"] == []
    assert (done["backend"], done["model"]) == ("anthropic", MODEL)
    assert done["model_turns"] == 11 == len(fake.requests)
    assert done["input_tokens"] == sum(1000 + 100 * i for i in range(11))
    assert done["output_tokens"] == sum(50 + i for i in range(11))
    assert [h["phase"] for h in state["phase_history"]] == PHASES
    assert state["answers"]["mockup_feedback"] == "Looks right, keep one form."
    run_uuid = uuid.UUID(run_id)
    run = await db.fetchrow("SELECT * FROM wizard_runs WHERE id = $1", run_uuid)
    assert (run["driver_backend"], run["driver_model"], run["model_turns"]) == ("anthropic", MODEL, 11)

    # The project holds the page and its mockup.
    pages = await db.fetch("SELECT * FROM pages WHERE project_id = $1", uuid.UUID(project["id"]))
    assert [(p["name"], p["path"]) for p in pages] == [("Plan a lesson", "/lessons/new")]
    mockups = await db.fetch("SELECT * FROM mockups WHERE page_id = $1", pages[0]["id"])
    assert len(mockups) == 1 and "Fractions with pizza slices" in mockups[0]["html_content"]
    assert pages[0]["current_mockup_id"] == mockups[0]["id"]

    # The thinking chain has every step, linked.
    chain = await check_chain(db, run_uuid)
    kinds = [(r["thought_type"], r["source_description"]) for r in chain]
    assert ("decision", "create_page") in kinds and ("observation", "create_page") in kinds  # the error, then the fix
    assert ("decision", "create_mockup_version") in kinds and ("observation", "get_project") in kinds
    assert ("decision", "complete_wizard") in kinds
    assert sum(1 for r in chain if r["thought_type"] == "question") == 1
    assert sum(1 for r in chain if r["source_description"] == "model text (not a tool call)") == 2
    failed = next(r for r in chain if r["reasoning"].startswith("create_page failed"))
    assert "path" in failed["reasoning"]
    # The model cited what it read: a tool step's thought id travels with the tool result.
    listed = next(r for r in chain if r["source_description"] == "list_pages")
    context = next(r for r in chain if r["reasoning"].startswith("The project has 0 page(s)"))
    assert listed["id"] in context["depends_on"] and context["id"] in listed["leads_to"]

    # What the driver sent: the prompts of each phase, the tools' own schemas, the tool results.
    arguments = {"project": project["id"], "brief": BRIEF}
    assert fake.requests[0]["system"][0]["text"] == render_wizard_prompt("page-creator", "understand-intent", arguments)
    assert fake.requests[7]["system"][0]["text"] == render_wizard_prompt("page-creator", "design-mockup", arguments)
    assert fake.requests[10]["system"][0]["text"] == render_wizard_prompt("page-creator", "finalize", arguments)
    assert all(r["model"] == MODEL for r in fake.requests)
    sent_tools = {tool["name"]: tool for tool in fake.requests[0]["tools"]}
    assert {
        "create_page",
        "create_mockup_version",
        "log_thought",
        "ask_user",
        "advance_wizard",
        "complete_wizard",
        "record_answer",
        "check_mockup_consistency",
    } <= set(sent_tools)
    assert not {"start_wizard", "run_wizard", "continue_wizard_run", "delete_project", "delete_page"} & set(sent_tools)
    async with driven(database_url, email) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    for name, tool in sent_tools.items():
        assert tool["input_schema"] == listed[name].input_schema and tool["description"] == listed[name].description
    after_error = Conversation(fake.requests[5])
    assert after_error.results["tu_04_create"]["is_error"] is True
    assert "path" in after_error.results["tu_04_create"]["content"]
    assert after_error.result("tu_04_name")["key"] == "page_name"
    resumed = Conversation(fake.requests[9])
    assert "Looks right, keep one form." in resumed.text_of_user_messages()
    assert resumed.result("tu_08_ask")["outcome"] == "not_supported"


async def test_rate_limit_then_dropped_connection_then_resume_finishes_once(database_url, db, fake_api):
    # Request 4 is rate limited, request 8 (the retry of turn 6... counted by attempts) loses its connection.
    fake = fake_api({4: "429", 9: "drop"})
    async with driven(database_url, new_email()) as client:
        project = await _project(client)
        first = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
        assert first["status"] == "failed" and "429" in first["message"] and "rate limit" in first["message"]
        assert first["model_turns"] == 3
        second = await call(client, "continue_wizard_run", run_id=first["run_id"])
        assert second["status"] == "failed" and "could not reach the Anthropic API" in second["message"]
        assert second["model_turns"] == 7
        paused = await call(client, "continue_wizard_run", run_id=first["run_id"])
        assert paused["status"] == "paused"
        await call(client, "answer_question", thought_id=paused["open_questions"][0]["thought_id"], answer="Yes.")
        done = await call(client, "continue_wizard_run", run_id=first["run_id"])
    assert done["status"] == "completed" and done["model_turns"] == 11 and len(fake.requests) == 13
    project_id = uuid.UUID(project["id"])
    assert await db.fetchval("SELECT count(*) FROM pages WHERE project_id = $1", project_id) == 1
    assert await db.fetchval("SELECT count(*) FROM mockups WHERE project_id = $1", project_id) == 1
    chain = await check_chain(db, uuid.UUID(first["run_id"]))
    reasonings = [r["reasoning"] for r in chain]
    assert len(reasonings) == len(set(reasonings)), "no thought was written twice"
    # The retried turn was sent the same conversation as the failed attempt.
    assert fake.requests[3]["messages"] == fake.requests[4]["messages"]


async def test_a_killed_process_never_repeats_a_committed_call(database_url, db, fake_api, monkeypatch):
    """The process dies after record_decision committed but before its result was stored: the
    step row written in the tool's own transaction stops the resumed run from repeating it."""
    fake = fake_api()
    real_save = store.save_step
    killed = []

    async def dying_save(db_, run_id, project_id, step):
        if step.tool_name == "record_decision" and not killed:
            killed.append(step.tool_use_id)
            raise RuntimeError("process killed")
        await real_save(db_, run_id, project_id, step)

    monkeypatch.setattr(store, "save_step", dying_save)
    async with driven(database_url, new_email()) as client:
        project = await _project(client)
        crashed = await client.call_tool(
            "run_wizard", {"project_id": project["id"], "wizard_type": "page-creator", "brief": BRIEF}
        )
        assert crashed.is_error and "incident" in crashed.content[0].text
        run_id = await db.fetchval("SELECT id FROM wizard_runs WHERE project_id = $1", uuid.UUID(project["id"]))
        marker = await db.fetchrow(
            "SELECT * FROM wizard_run_steps WHERE run_id = $1 AND tool_use_id = $2", run_id, killed[0]
        )
        assert marker is not None and marker["tool_result"] is None  # committed with the decision
        paused = await call(client, "continue_wizard_run", run_id=str(run_id))
        await call(client, "answer_question", thought_id=paused["open_questions"][0]["thought_id"], answer="Yes.")
        done = await call(client, "continue_wizard_run", run_id=str(run_id))
    assert done["status"] == "completed"
    decisions = await db.fetchval("SELECT decisions_made FROM wizard_runs WHERE id = $1", run_id)
    assert len(decisions) == 1
    resumed = Conversation(fake.requests[7])
    assert "was completed before the run was interrupted" in resumed.results["tu_06_decision"]["content"]
    await check_chain(db, run_id)


async def test_without_a_model_the_message_says_what_to_configure(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await _project(client)
        message = await error_of(
            client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF
        )
        assert "ANTHROPIC_API_KEY" in message and "sampling" in message
        message = await error_of(
            client,
            "run_wizard",
            project_id=project["id"],
            wizard_type="page-creator",
            brief=BRIEF,
            model_source="client",
        )
        assert "model_source" in message and "sampling" in message
        missing = await error_of(
            client, "run_wizard", project_id=str(uuid.uuid4()), wizard_type="page-creator", brief=BRIEF
        )
        assert "project" in missing
    assert await db.fetchval("SELECT count(*) FROM wizard_runs WHERE project_id = $1", uuid.UUID(project["id"])) == 0


# ---- MCP sampling: the client's own model -------------------------------------------------------


def _anthropic_view(params: t.CreateMessageRequestParams) -> dict[str, Any]:
    """A sampling request as the script reads requests (Messages API shape)."""
    messages = []
    for m in params.messages:
        blocks = []
        for block in m.content_as_list:
            if block.type == "text":
                blocks.append({"type": "text", "text": block.text})
            elif block.type == "tool_use":
                blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
            elif block.type == "tool_result":
                blocks.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.tool_use_id,
                        "is_error": block.is_error,
                        "content": "".join(c.text for c in block.content),
                    }
                )
        if messages and messages[-1]["role"] == m.role:
            messages[-1]["content"] += blocks
        else:
            messages.append({"role": m.role, "content": blocks})
    return {"system": params.system_prompt, "messages": messages}


async def test_the_clients_own_model_drives_the_run_through_sampling(database_url, db):
    requests: list[t.CreateMessageRequestParams] = []

    async def model(context, params: t.CreateMessageRequestParams) -> t.CreateMessageResultWithTools:
        requests.append(params)
        c = Conversation(_anthropic_view(params))
        body = message(page_creator_turn(c), c.turn)
        content = [
            t.TextContent(type="text", text=b["text"])
            if b["type"] == "text"
            else t.ToolUseContent(id=b["id"], name=b["name"], input=b["input"])
            for b in body["content"]
        ]
        return t.CreateMessageResultWithTools(
            role="assistant",
            model="client-model",
            content=content,
            stop_reason="toolUse" if body["stop_reason"] == "tool_use" else "endTurn",
        )

    async def person(context, params) -> t.ElicitResult:
        return t.ElicitResult(action="accept", content={"answer": "Looks right."})

    config = Config(database_url=database_url, user_email=new_email(), toolsets=("all",))
    async with Client(
        build_server(config),
        mode="legacy",
        sampling_callback=model,
        elicitation_callback=person,
        sampling_capabilities=t.SamplingCapability(tools=t.SamplingToolsCapability()),
    ) as client:
        project = await _project(client)
        done = await call(client, "run_wizard", project_id=project["id"], wizard_type="page-creator", brief=BRIEF)
    # The person answered through elicitation, so the run never paused.
    assert done["status"] == "completed" and (done["backend"], done["model"]) == ("sampling", "client-model")
    assert done["model_turns"] == 11 == len(requests) and done["input_tokens"] == 0
    assert requests[0].system_prompt == render_wizard_prompt(
        "page-creator", "understand-intent", {"project": project["id"], "brief": BRIEF}
    )
    assert {"create_page", "log_thought"} <= {tool.name for tool in requests[0].tools}
    assert "run_wizard" not in {tool.name for tool in requests[0].tools}
    assert requests[0].tool_choice.mode == "auto"
    project_id = uuid.UUID(project["id"])
    assert await db.fetchval("SELECT count(*) FROM mockups WHERE project_id = $1", project_id) == 1
    run_id = await db.fetchval("SELECT id FROM wizard_runs WHERE project_id = $1", project_id)
    await check_chain(db, run_id)
