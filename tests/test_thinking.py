"""The thinking toolset through a real MCP client: logging with dependencies, batches with keys,
integrity (cycles, other projects, same run), reviews that ripple, graph queries, tenancy."""

from __future__ import annotations

import uuid

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project


async def mirror_holds(db, project_id) -> None:
    rows = await db.fetch("SELECT id, depends_on, leads_to FROM ai_thinking_chain WHERE project_id = $1", project_id)
    expected = {r["id"]: set() for r in rows}
    for r in rows:
        for dep in r["depends_on"]:
            expected[dep].add(r["id"])
    assert {r["id"]: set(r["leads_to"]) for r in rows} == expected


async def test_log_with_dependencies_and_flags(database_url, db, subtests):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Think", type="web-app")
        pid = project["id"]
        seen = await call(
            client,
            "log_thought",
            project_id=pid,
            thought_type="observation",
            confidence=0.9,
            reasoning="Teachers upload PDFs",
            source_description="the brief",
        )
        guess = await call(
            client,
            "log_thought",
            project_id=pid,
            thought_type="assumption",
            confidence=0.4,
            reasoning="They browse by grade",
            depends_on=[seen["id"]],
            is_assumption=True,
        )
        asked = await call(
            client,
            "log_thought",
            project_id=pid,
            thought_type="question",
            confidence=0.5,
            reasoning="By grade or subject?",
            depends_on=[guess["id"]],
            alternatives=["grade", "subject"],
        )
        chosen = await call(
            client,
            "log_thought",
            project_id=pid,
            thought_type="decision",
            confidence=0.6,
            reasoning="Filter by grade",
            depends_on=[guess["id"], seen["id"]],
        )
        assert guess["is_assumption"] and not seen["is_assumption"]
        assert asked["needs_answer"] and asked["has_alternatives"] and asked["alternatives"] == ["grade", "subject"]
        assert not chosen["needs_answer"] and not chosen["has_alternatives"]
        got = await call(client, "get_thought", thought_id=seen["id"])
        assert set(got["leads_to"]) == {guess["id"], chosen["id"]}
        for args, field in (
            (dict(thought_type="inference", is_assumption=True), "is_assumption"),
            (dict(thought_type="observation", needs_answer=True), "needs_answer"),
            (dict(thought_type="observation", confidence=1.5), "confidence"),
            (dict(thought_type="guess"), "thought_type"),
        ):
            with subtests.test(args=args, field=field):
                args = {"confidence": 0.5, "reasoning": "x", **args}
                message = await error_of(client, "log_thought", project_id=pid, **args)
                assert field in message, message
        assert "project_id" in await error_of(
            client, "log_thought", thought_type="observation", reasoning="x", confidence=0.5
        )
        questions = await call(client, "open_questions", project_id=pid)
        assert [q["id"] for q in questions["items"]] == [asked["id"]]
        open_assumptions = await call(client, "list_assumptions", project_id=pid)
        assert [a["id"] for a in open_assumptions["items"]] == [guess["id"]]
    await mirror_holds(db, uuid.UUID(pid))


async def test_batch_with_keys_and_cycles(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Batch", type="web-app")
        pid = project["id"]
        root = await call(
            client, "log_thought", project_id=pid, thought_type="observation", reasoning="root", confidence=0.9
        )
        batch = [
            {"key": "b", "thought_type": "inference", "reasoning": "b", "confidence": 0.5, "depends_on": ["a"]},
            {
                "key": "a",
                "thought_type": "observation",
                "reasoning": "a",
                "confidence": 0.5,
                "depends_on": [root["id"]],
            },
            {"key": "c", "thought_type": "decision", "reasoning": "c", "confidence": 0.5, "depends_on": ["a", "b"]},
        ]
        logged = await call(client, "log_thoughts", project_id=pid, thoughts=batch)
        ids = logged["keys"]
        by_id = {t["id"]: t for t in logged["thoughts"]}
        assert by_id[ids["c"]]["depends_on"] == [ids["a"], ids["b"]]
        assert set(by_id[ids["a"]]["leads_to"]) == {ids["b"], ids["c"]}
        before = await db.fetchval("SELECT count(*) FROM ai_thinking_chain")
        cyclic = [
            {"key": "x", "thought_type": "inference", "reasoning": "x", "confidence": 0.5, "depends_on": ["z"]},
            {"key": "y", "thought_type": "inference", "reasoning": "y", "confidence": 0.5, "depends_on": ["x"]},
            {"key": "z", "thought_type": "inference", "reasoning": "z", "confidence": 0.5, "depends_on": ["y"]},
        ]
        message = await error_of(client, "log_thoughts", project_id=pid, thoughts=cyclic)
        assert "cycle" in message and "x" in message and "y" in message and "z" in message
        message = await error_of(
            client,
            "log_thoughts",
            project_id=pid,
            thoughts=[
                {"key": "k", "thought_type": "inference", "reasoning": "k", "confidence": 0.5, "depends_on": ["nope"]}
            ],
        )
        assert "'nope'" in message and "keys here: k" in message
        duplicate = [{"key": "d", "thought_type": "observation", "reasoning": "d", "confidence": 0.5}] * 2
        assert "unique" in await error_of(client, "log_thoughts", project_id=pid, thoughts=duplicate)
        assert await db.fetchval("SELECT count(*) FROM ai_thinking_chain") == before

        # A cycle through an update of depends_on is refused with the cycle spelled out.
        message = await error_of(client, "update_thought", thought_id=root["id"], depends_on=[ids["c"]])
        assert "cycle" in message and root["id"] in message and ids["c"] in message
        assert "itself" in await error_of(client, "update_thought", thought_id=root["id"], depends_on=[root["id"]])
        relinked = await call(client, "update_thought", thought_id=ids["c"], depends_on=[root["id"]], confidence=0.8)
        assert relinked["depends_on"] == [root["id"]] and relinked["confidence"] == 0.8
    await mirror_holds(db, uuid.UUID(pid))


async def test_dependencies_stay_in_the_project_and_run(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    other = await seed_project(db, new_email())
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        pid = str(ids["project"])
        foreign = await error_of(
            client,
            "log_thought",
            project_id=pid,
            thought_type="inference",
            reasoning="x",
            confidence=0.5,
            depends_on=[str(other["thought"])],
        )
        missing_id = uuid.uuid4()
        missing = await error_of(
            client,
            "log_thought",
            project_id=pid,
            thought_type="inference",
            reasoning="x",
            confidence=0.5,
            depends_on=[str(missing_id)],
        )
        assert "not found" in foreign.lower() or "No thought" in foreign
        assert foreign.replace(str(other["thought"]), "ID") == missing.replace(str(missing_id), "ID")
        run = await call(client, "start_wizard", project_id=pid, wizard_type="page-creator")
        message = await error_of(
            client,
            "log_thought",
            run_id=run["id"],
            thought_type="inference",
            reasoning="x",
            confidence=0.5,
            depends_on=[str(ids["thought"])],
        )
        assert "same run" in message
        # A project-level thought may build on a run's thought.
        await call(
            client,
            "log_thought",
            project_id=pid,
            thought_type="inference",
            reasoning="x",
            confidence=0.5,
            depends_on=[str(ids["thought"])],
        )
        foreign = await error_of(
            client, "update_thought", thought_id=str(ids["thought_2"]), depends_on=[str(other["thought"])]
        )
        missing = await error_of(
            client, "update_thought", thought_id=str(ids["thought_2"]), depends_on=[str(missing_id)]
        )
        assert foreign.replace(str(other["thought"]), "ID") == missing.replace(str(missing_id), "ID")


async def test_rejecting_an_assumption_mid_chain_reports_exactly_downstream(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Chain", type="web-app")
        pid = project["id"]
        # 50 thoughts: a spine where each depends on the previous, plus a side branch off #10 that
        # rejoins at #40, and a few thoughts that do not rest on #25 at all.
        batch = []
        for i in range(50):
            deps = [f"t{i - 1}"] if i else []
            if i == 40:
                deps.append("t12")
            thought_type = "assumption" if i == 25 else "inference"
            if i in (11, 12):  # side branch off #10 that does not pass through #25
                deps = ["t10"] if i == 11 else ["t11"]
            batch.append(
                {
                    "key": f"t{i}",
                    "thought_type": thought_type,
                    "reasoning": f"step {i}",
                    "confidence": 0.6,
                    "depends_on": deps,
                }
            )
        batch[13]["depends_on"] = ["t10"]  # the spine continues from #10 past the branch
        logged = await call(client, "log_thoughts", project_id=pid, thoughts=batch)
        key = logged["keys"]
        downstream = {key[f"t{i}"] for i in range(26, 50)}
        rejected = await call(
            client, "reject_thought", thought_id=key["t25"], user_feedback="Teachers search by subject"
        )
        assert set(rejected["needs_review"]) == downstream and len(rejected["needs_review"]) == 24
        assert rejected["thought"]["status"] == "rejected" and "subject" in rejected["thought"]["user_feedback"]
        flagged = await call(client, "list_thoughts", project_id=pid, needs_review=True, limit=100)
        assert {t["id"] for t in flagged["items"]} == downstream
        impact = await call(client, "thought_impact", thought_id=key["t25"], limit=100)
        assert {t["id"] for t in impact["items"]} == downstream and impact["total"] == 24
        lineage = await call(client, "thought_lineage", thought_id=key["t40"], limit=100)
        assert {t["id"] for t in lineage["items"]} == {key[f"t{i}"] for i in range(40)}
        first = await call(client, "thought_lineage", thought_id=key["t49"], limit=20)
        second = await call(client, "thought_lineage", thought_id=key["t49"], limit=20, cursor=first["next_cursor"])
        third = await call(client, "thought_lineage", thought_id=key["t49"], limit=20, cursor=second["next_cursor"])
        paged = [t["id"] for page in (first, second, third) for t in page["items"]]
        assert len(paged) == len(set(paged)) == 49 and third["next_cursor"] is None and first["total"] == 49
        confirmed = await call(client, "confirm_thought", thought_id=key["t30"])
        assert confirmed["thought"]["status"] == "confirmed" and not confirmed["thought"]["needs_review"]


async def test_revise_replaces_and_ripples(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project = await call(client, "create_project", name="Revise", type="web-app")
        run = await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator")
        rid = run["id"]
        logged = await call(
            client,
            "log_thoughts",
            run_id=rid,
            thoughts=[
                {"key": "a", "thought_type": "assumption", "reasoning": "Grade first", "confidence": 0.5},
                {
                    "key": "b",
                    "thought_type": "inference",
                    "reasoning": "Grade filter on top",
                    "confidence": 0.5,
                    "depends_on": ["a"],
                },
                {
                    "key": "c",
                    "thought_type": "decision",
                    "reasoning": "Tabs per grade",
                    "confidence": 0.5,
                    "depends_on": ["b"],
                },
            ],
        )
        k = logged["keys"]
        revised = await call(
            client,
            "revise_thought",
            thought_id=k["a"],
            reasoning="Subject first",
            user_feedback="They think in subjects",
            confidence=0.8,
        )
        new = revised["replacement"]
        assert revised["thought"]["status"] == "revised" and new["depends_on"] == [k["a"]]
        assert new["thought_type"] == "assumption" and new["is_assumption"] and new["wizard_run_id"] == rid
        assert set(revised["needs_review"]) == {k["b"], k["c"]}
        assert new["id"] in revised["thought"]["leads_to"] and not new["needs_review"]
        assert "revised" in await error_of(client, "revise_thought", thought_id=k["a"], reasoning="again")
        assert "revised" in await error_of(client, "confirm_thought", thought_id=k["a"])
        # Delete: dependents lose the link and need review.
        gone = await call(client, "delete_thought", thought_id=k["b"])
        assert gone["needs_review"] == [k["c"]]
        c = await call(client, "get_thought", thought_id=k["c"])
        assert c["depends_on"] == [] and c["needs_review"]
        chain = await call(client, "get_thinking_chain", run_id=rid)
        assert chain["total"] == 3 and [tuple(e) for e in chain["edges"]] == [(k["a"], new["id"])]
        assert chain["mermaid"].startswith("flowchart TD") and "Subject first" in chain["tree"]
        resource = await client.read_resource(f"flexos://runs/{rid}/thinking")
        assert '"mermaid"' in resource.contents[0].text
        # Reviews are allowed after the run is finished: auditing happens later.
        await call(client, "abandon_wizard", run_id=rid)
        rejected = await call(client, "reject_thought", thought_id=new["id"], user_feedback="both")
        assert rejected["thought"]["status"] == "rejected"
        assert "abandoned" in await error_of(client, "delete_thought", thought_id=k["c"])
        assert "abandoned" in await error_of(client, "update_thought", thought_id=k["c"], confidence=0.1)
    await mirror_holds(db, uuid.UUID(project["id"]))


async def test_another_users_thoughts_answer_like_missing_ones(database_url, db, subtests):
    ids = await seed_project(db, new_email())
    before = await dump_project(db, ids["project"])
    tid = str(ids["thought"])
    calls = {
        "get_thought": {},
        "update_thought": {"confidence": 0.2},
        "revise_thought": {"reasoning": "x"},
        "confirm_thought": {},
        "reject_thought": {},
        "delete_thought": {},
        "thought_lineage": {},
        "thought_impact": {},
        "answer_question": {"answer": "x"},
    }
    async with connect(database_url, toolsets=("all",)) as intruder:
        for tool, extra in calls.items():
            foreign = await error_of(intruder, tool, thought_id=tid, **extra)
            missing_id = str(uuid.uuid4())
            missing = await error_of(intruder, tool, thought_id=missing_id, **extra)
            assert foreign.replace(tid, "ID") == missing.replace(missing_id, "ID"), tool
        for tool in ("list_thoughts", "open_questions", "list_assumptions", "get_thinking_chain"):
            with subtests.test(tool=tool):
                for field, value in (("project_id", ids["project"]), ("run_id", ids["wizard_run"])):
                    foreign = await error_of(intruder, tool, **{field: str(value)})
                    missing_id = str(uuid.uuid4())
                    missing = await error_of(intruder, tool, **{field: missing_id})
                    assert foreign.replace(str(value), "ID") == missing.replace(missing_id, "ID"), tool
        for field, value in (("project_id", ids["project"]), ("run_id", ids["wizard_run"])):
            foreign = await error_of(
                intruder,
                "log_thought",
                thought_type="observation",
                reasoning="x",
                confidence=0.5,
                **{field: str(value)},
            )
            assert "No " in foreign
    assert await dump_project(db, ids["project"]) == before
