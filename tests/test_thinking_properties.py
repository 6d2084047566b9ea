"""Property test: after any sequence of logs, batches, revisions, rejections, relinks and deletes,
`leads_to` is exactly the mirror of `depends_on`, the graph has no cycle, and the flags agree with
the content. Drives the domain functions directly (Scope-based), as the LLM driver will."""

from __future__ import annotations

import graphlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects, thinking, wizard
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.thinking import NewThought
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.errors import FlexError

from helpers.mcp_client import new_email

TYPES = ("observation", "assumption", "decision", "question", "inference")

picks = st.lists(st.integers(min_value=0, max_value=50), max_size=3)
operation = st.one_of(
    st.tuples(st.just("log"), st.sampled_from(TYPES), picks),
    st.tuples(st.just("batch"), st.integers(min_value=1, max_value=4), picks),
    st.tuples(st.just("revise"), st.integers(min_value=0, max_value=50), picks),
    st.tuples(st.just("reject"), st.integers(min_value=0, max_value=50), picks),
    st.tuples(st.just("relink"), st.integers(min_value=0, max_value=50), picks),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=50), picks),
)


@pytest.fixture(scope="module")
async def scope(database_url):
    pool = await create_pool(database_url, max_size=2)
    try:
        db = Database(pool)
        actor = await ensure_user(db, new_email())
        yield Scope(db=db, actor=actor)
    finally:
        await pool.close()


async def check_invariants(scope: Scope, project_id) -> None:
    rows = await scope.db.fetch("SELECT * FROM ai_thinking_chain WHERE project_id = $1", project_id)
    ids = {r["id"] for r in rows}
    mirror = {r["id"]: set() for r in rows}
    for r in rows:
        assert set(r["depends_on"]) <= ids, "no dangling dependency"
        assert len(r["depends_on"]) == len(set(r["depends_on"]))
        for dep in r["depends_on"]:
            mirror[dep].add(r["id"])
    for r in rows:
        assert set(r["leads_to"]) == mirror[r["id"]] and len(r["leads_to"]) == len(mirror[r["id"]])
        assert r["is_assumption"] == (r["thought_type"] == "assumption")
        assert r["has_alternatives"] == bool(r["alternatives"])
        if r["needs_answer"]:
            assert r["thought_type"] == "question" and r["status"] == "active"
    graphlib.TopologicalSorter({r["id"]: list(r["depends_on"]) for r in rows}).prepare()  # raises on a cycle


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
async def test_leads_to_mirrors_depends_on_after_any_sequence(scope, operations):
    project = await projects.create_project(scope, {"name": "Property", "type": "web-app"})
    run = await wizard.start_wizard(scope, project.id, "page-creator")
    existing: list = []

    def pick(indexes):
        return [str(existing[i % len(existing)]) for i in indexes] if existing else []

    for op, arg, deps in operations:
        try:
            if op == "log":
                thought = await thinking.log_thought(
                    scope,
                    NewThought(
                        thought_type=arg,
                        reasoning=f"{arg} {len(existing)}",
                        confidence=0.5,
                        depends_on=pick(deps),
                        alternatives=["other"] if len(existing) % 2 else [],
                    ),
                    run_id=run.id,
                )
                existing.append(thought.id)
            elif op == "batch":
                items = [
                    NewThought(
                        key=f"k{i}",
                        thought_type=TYPES[i % 5],
                        reasoning=f"batch {i}",
                        confidence=0.4,
                        depends_on=([f"k{i - 1}"] if i else []) + pick(deps),
                    )
                    for i in range(arg)
                ]
                logged = await thinking.log_thoughts(scope, items, run_id=run.id)
                existing.extend(t.id for t in logged.thoughts)
            elif existing:
                target = existing[arg % len(existing)]
                if op == "revise":
                    review = await thinking.revise_thought(scope, target, reasoning="corrected", confidence=0.7)
                    existing.append(review.replacement.id)
                elif op == "reject":
                    review = await thinking.reject_thought(scope, target, "no")
                    impact = await thinking.thought_graph(scope, target, "impact", limit=100)
                    flagged = {t.id for t in impact.items if t.status in ("active", "confirmed")}
                    assert set(review.needs_review) == flagged
                elif op == "relink":
                    await thinking.update_thought(scope, target, {"depends_on": [d for d in map(_uuid, pick(deps))]})
                elif op == "delete":
                    await thinking.delete_thought(scope, target)
                    existing.remove(target)
        except FlexError:
            pass  # refused (a cycle, a revised thought...): nothing may have changed
        await check_invariants(scope, project.id)


def _uuid(value: str):
    from uuid import UUID

    return UUID(value)
