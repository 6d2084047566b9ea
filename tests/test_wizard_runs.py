"""The wizard toolset through a real MCP client: every wizard walked through its phases with
answers, decisions and thoughts; lifecycle rules; outputs; tenancy; bad input."""

from __future__ import annotations

import re
import uuid
from collections import deque
from datetime import datetime

import pytest
from mcp.shared.exceptions import MCPError

from flexos_mcp.server.registry import all_tools
from flexos_mcp.wizard_definitions import load_wizard_definitions, suggested_tool_names

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project

MY_TOOLSETS = ("wizard", "thinking")


def walk(definition) -> list[str]:
    """The phases from the initial one to a terminal one, taking one step back where the wizard
    allows it (so revisits are exercised), else the shortest path."""
    edges = {p.name: list(p.next) for p in definition.phases}
    came = {definition.initial_phase: None}
    queue = deque([definition.initial_phase])
    end = None
    while queue:
        node = queue.popleft()
        if definition.phase(node).terminal:
            end = node
            break
        for nxt in edges[node]:
            if nxt not in came:
                came[nxt] = node
                queue.append(nxt)
    path = [end]
    while came[path[-1]] is not None:
        path.append(came[path[-1]])
    path.reverse()
    for i in range(1, len(path) - 1):  # one loop back, then forward again
        back = [p for p in edges[path[i]] if p in path[:i]]
        if back:
            j = path.index(back[0])
            return path[: i + 1] + path[j : i + 1] + path[i + 1 :]
    return path


async def make_records(db, project_id) -> list[str]:
    """A page, a mockup and a feature created 'by the run' (straight SQL: those toolsets live elsewhere)."""
    slug = f"p{uuid.uuid4().hex[:6]}"
    page = await db.fetchval(
        "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'Lessons', $2, $3) RETURNING id",
        project_id,
        slug,
        f"/{slug}",
    )
    mockup = await db.fetchval(
        """INSERT INTO mockups (page_id, project_id, version, html_content, changed_by)
                                  VALUES ($1, $2, 1, '<main>Lessons</main>', 'wizard') RETURNING id""",
        page,
        project_id,
    )
    feature = await db.fetchval("INSERT INTO features (project_id, name) VALUES ($1, 'Share') RETURNING id", project_id)
    return [f"page:{page}", f"mockup:{mockup}", f"feature:{feature}"]


@pytest.mark.parametrize("wizard_type", sorted(load_wizard_definitions()))
async def test_walk_each_wizard_through_its_phases(database_url, db, wizard_type):
    definition = load_wizard_definitions()[wizard_type]
    path = walk(definition)
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name=f"Walk {wizard_type}", type="web-app")
        listed = await call(client, "list_wizards")
        assert wizard_type in [w["type"] for w in listed["wizards"]]
        run = await call(
            client, "start_wizard", project_id=project["id"], wizard_type=wizard_type, brief="Teachers share lessons"
        )
        assert run["status"] == "in-progress" and run["current_phase"] == definition.initial_phase
        assert run["next"]["phase"] == definition.initial_phase and run["wizard_version"] == definition.version
        assert run["brief"] == "Teachers share lessons"
        rid = run["id"]
        decisions, answered, at_leave = [], {}, []
        previous = None
        for step, phase_name in enumerate(path):
            phase = definition.phase(phase_name)
            seen = await call(
                client,
                "log_thought",
                run_id=rid,
                thought_type="observation",
                confidence=0.9,
                reasoning=f"In {phase_name}: the project has no pages yet",
                depends_on=[previous] if previous else [],
            )
            for ask in phase.asks:
                answer = f"{ask.key} answer {step}"
                recorded = await call(client, "record_answer", run_id=rid, key=ask.key, answer=answer)
                answered[ask.key] = answer
                assert recorded["phase"] == phase_name
            decided = await call(
                client,
                "log_thought",
                run_id=rid,
                thought_type="decision",
                confidence=0.7,
                reasoning=f"Go on from {phase_name}",
                depends_on=[seen["id"]],
                alternatives=["stop here"],
            )
            if "decision" in phase.produces:
                made = await call(
                    client,
                    "record_decision",
                    run_id=rid,
                    decision=f"Decided in {phase_name}",
                    thought_id=decided["id"],
                    rationale="it fits",
                    alternatives=["other"],
                )
                decisions.append(made["decision"])
                assert made["decision"]["phase"] == phase_name
            previous = decided["id"]
            at_leave.append({a.key: answered[a.key] for a in phase.asks})
            if step + 1 < len(path):
                moved = await call(client, "advance_wizard", run_id=rid, to_phase=path[step + 1])
                assert moved["current_phase"] == path[step + 1]
        created = await make_records(db, uuid.UUID(project["id"]))
        await call(client, "record_output", run_id=rid, kind="page", record_id=created[0].split(":")[1])
        done = await call(client, "complete_wizard", run_id=rid, summary="Made a page", created=created[1:])

    assert done["status"] == "completed" and done["next"] is None
    history = done["phase_history"]
    assert [h["phase"] for h in history] == path
    times = [(datetime.fromisoformat(h["entered_at"]), datetime.fromisoformat(h["left_at"])) for h in history]
    assert all(entered <= left for entered, left in times)
    assert all(times[i][1] == times[i + 1][0] for i in range(len(times) - 1)), "phases follow each other"
    started, completed = datetime.fromisoformat(done["started_at"]), datetime.fromisoformat(done["completed_at"])
    assert times[0][0] == started and times[-1][1] == completed
    assert done["duration_seconds"] == round((completed - started).total_seconds())
    assert [entry["answers"] for entry in history] == at_leave, "each phase keeps the answers it was left with"
    assert done["answers"] == answered
    assert done["outputs"]["created"] == created and done["outputs"]["summary"] == "Made a page"
    assert done["decisions_made"] == decisions and decisions
    for decision in done["decisions_made"]:
        linked = await db.fetchrow(
            "SELECT wizard_run_id, thought_type FROM ai_thinking_chain WHERE id = $1", uuid.UUID(decision["thought_id"])
        )
        assert linked is not None and str(linked["wizard_run_id"]) == rid and linked["thought_type"] == "decision"
    flagged = await db.fetchval("SELECT wizard_generated FROM pages WHERE id = $1", uuid.UUID(created[0].split(":")[1]))
    assert flagged is True


async def test_transitions_requirements_and_finished_runs(database_url, db, subtests):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Rules", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        rid = run["id"]
        message = await error_of(client, "advance_wizard", run_id=rid, to_phase="finalize")
        assert "allowed next phases: gather-context" in message
        message = await error_of(client, "advance_wizard", run_id=rid, to_phase="no-such-phase")
        assert "understand-intent" in message and "gather-context" in message
        message = await error_of(client, "advance_wizard", run_id=rid, to_phase="gather-context")
        assert "page_purpose, primary_users, key_actions" in message and "record_answer" in message
        message = await error_of(client, "complete_wizard", run_id=rid, summary="too early")
        assert "finalize" in message and "not terminal" in message
        message = await error_of(client, "record_answer", run_id=rid, key="favourite_colour", answer="red")
        assert "page_purpose" in message and "favourite_colour" in message
        assert "empty" in await error_of(client, "record_answer", run_id=rid, key="page_purpose", answer="  ")
        state = await call(client, "get_wizard_run", run_id=rid)
        assert state["next"]["missing_required"] == ["page_purpose", "primary_users", "key_actions"]
        assert state["phase_history"] == [] and state["answers"] == {}

        paused = await call(client, "pause_wizard", run_id=rid, reason="lunch")
        assert (paused["status"], paused["status_note"]) == ("paused", "lunch")
        assert (await call(client, "resume_wizard", run_id=rid))["status"] == "in-progress"

        abandoned = await call(client, "abandon_wizard", run_id=rid, reason="changed my mind")
        assert abandoned["status"] == "abandoned" and abandoned["phase_history"][-1]["abandoned"] is True
        before = await dump_project(db, uuid.UUID(project["id"]))
        thought_args = dict(run_id=rid, thought_type="observation", reasoning="x", confidence=0.5)
        for tool, args in (
            ("advance_wizard", dict(run_id=rid, to_phase="gather-context")),
            ("record_answer", dict(run_id=rid, key="page_purpose", answer="x")),
            ("complete_wizard", dict(run_id=rid, summary="x")),
            ("abandon_wizard", dict(run_id=rid)),
            ("resume_wizard", dict(run_id=rid)),
            ("log_thought", thought_args),
            ("ask_user", dict(run_id=rid, question="Still there?")),
        ):
            with subtests.test(tool=tool, args=args):
                message = await error_of(client, tool, **args)
                assert "abandoned" in message and "start_wizard" in message, message
        assert await dump_project(db, uuid.UUID(project["id"])) == before


async def test_context_snapshot_and_references(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    other = await seed_project(db, new_email())
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        run = await call(
            client,
            "start_wizard",
            project_id=str(ids["project"]),
            wizard_type="feature-builder",
            context_references=[str(ids["context_item"])],
        )
        snap = run["context_snapshot"]
        assert snap["pages"] == {"total": 2, "by_status": {"draft": 2}}
        assert snap["features"]["total"] == 1 and snap["flows"] == 1 and snap["entities"] == 1
        assert snap["mockups"] == 1 and snap["context_items"] == 1
        assert snap["design_system"]["present"] is True and snap["design_system"]["token_groups"] == ["colors"]
        assert run["context_references"] == [str(ids["context_item"])]
        foreign = await error_of(
            client,
            "start_wizard",
            project_id=str(ids["project"]),
            wizard_type="feature-builder",
            context_references=[str(other["context_item"])],
        )
        missing_id = uuid.uuid4()
        missing = await error_of(
            client,
            "start_wizard",
            project_id=str(ids["project"]),
            wizard_type="feature-builder",
            context_references=[str(missing_id)],
        )
        assert "context_references" in foreign
        assert foreign.replace(str(other["context_item"]), "ID") == missing.replace(str(missing_id), "ID")
        project = await call(client, "create_project", name="Empty", type="api")
        empty = await call(client, "start_wizard", project_id=project["id"], wizard_type="design-system")
        assert empty["context_snapshot"]["design_system"] == {"present": False}
        assert empty["context_snapshot"]["pages"] == {"total": 0, "by_status": {}}
        listed = await call(client, "list_wizard_runs", project_id=str(ids["project"]), status="in-progress")
        assert run["id"] in [r["id"] for r in listed["items"]]


async def test_outputs_must_exist_in_the_project(database_url, db, subtests):
    email = new_email()
    ids = await seed_project(db, email)
    other = await seed_project(db, new_email())
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        run = await call(client, "start_wizard", project_id=str(ids["project"]), wizard_type="design-system")
        rid = run["id"]
        message = await error_of(client, "record_output", run_id=rid, kind="page", record_id=str(other["page"]))
        assert "No page with id" in message
        message = await error_of(client, "record_output", run_id=rid, kind="feature", record_id=str(ids["page"]))
        assert "No feature with id" in message
        recorded = await call(
            client, "record_output", run_id=rid, kind="design_system", record_id=str(ids["design_system"])
        )
        assert recorded["created"] == [f"design_system:{ids['design_system']}"]
        again = await call(
            client, "record_output", run_id=rid, kind="design_system", record_id=str(ids["design_system"])
        )
        assert again["created"] == recorded["created"]
        for phase in ("analyze-tokens", "review-tokens"):
            await call(client, "advance_wizard", run_id=rid, to_phase=phase)
        await call(client, "record_answer", run_id=rid, key="token_changes", answer="none")
        await call(client, "advance_wizard", run_id=rid, to_phase="confirm")
        await call(client, "record_answer", run_id=rid, key="tokens_confirmed", answer=True)
        await call(client, "advance_wizard", run_id=rid, to_phase="export")
        for bad, words in (
            (f"page:{other['page']}", "No page"),
            ("widget:" + str(ids["page"]), "known kind"),
            ("page:not-a-uuid", "not a record id"),
        ):
            with subtests.test(bad=bad, words=words):
                message = await error_of(client, "complete_wizard", run_id=rid, summary="x", created=[bad])
                assert words in message, message
        state = await call(client, "get_wizard_run", run_id=rid)
        assert state["status"] == "in-progress" and state["outputs"]["created"] == recorded["created"]


async def test_decisions_link_to_a_thought_of_the_run(database_url):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Decide", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        other = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        elsewhere = await call(
            client, "log_thought", run_id=other["id"], thought_type="decision", reasoning="Other run", confidence=0.5
        )
        message = await error_of(client, "record_decision", run_id=run["id"], decision="x", thought_id=elsewhere["id"])
        assert "thought_id" in message and "log_thought" in message
        own = await call(
            client, "log_thought", run_id=run["id"], thought_type="decision", reasoning="Grid", confidence=0.6
        )
        await call(client, "reject_thought", thought_id=own["id"], user_feedback="no grid")
        assert "rejected" in await error_of(
            client, "record_decision", run_id=run["id"], decision="Grid", thought_id=own["id"]
        )
        fresh = await call(
            client, "log_thought", run_id=run["id"], thought_type="decision", reasoning="List", confidence=0.6
        )
        await call(client, "record_decision", run_id=run["id"], decision="List", thought_id=fresh["id"])
        message = await error_of(client, "delete_thought", thought_id=fresh["id"])
        assert "backs the decision" in message


async def test_another_users_runs_answer_like_missing_ones(database_url, db):
    owner = new_email()
    ids = await seed_project(db, owner)
    before = await dump_project(db, ids["project"])
    rid = str(ids["wizard_run"])
    calls = {
        "get_wizard_run": {},
        "advance_wizard": {"to_phase": "gather-context"},
        "record_answer": {"key": "page_purpose", "answer": "x"},
        "record_decision": {"decision": "x", "thought_id": str(ids["thought"])},
        "record_output": {"kind": "page", "record_id": str(ids["page"])},
        "complete_wizard": {"summary": "x"},
        "abandon_wizard": {},
        "pause_wizard": {},
        "resume_wizard": {},
        "delete_wizard_run": {},
    }
    async with connect(database_url, toolsets=("all",)) as intruder:
        for tool, extra in calls.items():
            foreign = await error_of(intruder, tool, run_id=rid, **extra)
            missing_id = str(uuid.uuid4())
            missing = await error_of(intruder, tool, run_id=missing_id, **extra)
            assert foreign.replace(rid, "ID") == missing.replace(missing_id, "ID"), tool
        for tool in ("start_wizard", "list_wizard_runs"):
            extra = {"wizard_type": "page-creator"} if tool == "start_wizard" else {}
            foreign = await error_of(intruder, tool, project_id=str(ids["project"]), **extra)
            missing_id = str(uuid.uuid4())
            missing = await error_of(intruder, tool, project_id=missing_id, **extra)
            assert foreign.replace(str(ids["project"]), "ID") == missing.replace(missing_id, "ID")
        for uri in (f"flexos://projects/{ids['project']}/runs/{rid}", f"flexos://runs/{rid}/thinking"):
            with pytest.raises(Exception) as caught:
                await intruder.read_resource(uri)
            assert "No wizard run with id" in str(caught.value) or "No project" in str(caught.value)
    assert await dump_project(db, ids["project"]) == before


async def test_run_resource_checks_the_project(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    mine = await seed_project(db, email, name="Second")
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        body = await client.read_resource(f"flexos://projects/{ids['project']}/runs/{ids['wizard_run']}")
        assert str(ids["wizard_run"]) in body.contents[0].text and '"open_questions"' in body.contents[0].text
        with pytest.raises(MCPError):
            await client.read_resource(f"flexos://projects/{mine['project']}/runs/{ids['wizard_run']}")


async def test_delete_run_takes_its_thoughts(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        deleted = await call(client, "delete_wizard_run", run_id=str(ids["wizard_run"]))
        assert deleted["thoughts_deleted"] == 2
    assert await db.fetchval("SELECT count(*) FROM ai_thinking_chain WHERE project_id = $1", ids["project"]) == 0


def test_every_suggested_tool_of_my_toolsets_exists():
    """Phases suggest tools by name; those that belong to the wizard and thinking toolsets must exist."""
    suggested = set(suggested_tool_names(load_wizard_definitions()))
    specs = {s.name: s.toolset for s in all_tools()}
    mine = {name for name, toolset in specs.items() if toolset in MY_TOOLSETS}
    my_area = re.compile(r"thought|wizard|answer|decision|ask_user|question|assumption")
    claimed = {name for name in suggested if my_area.search(name)}
    assert claimed, "the definitions suggest wizard and thinking tools"
    assert claimed <= mine, f"suggested but missing: {sorted(claimed - mine)}"
    assert {"log_thought", "ask_user", "record_answer", "record_decision", "complete_wizard"} <= claimed
