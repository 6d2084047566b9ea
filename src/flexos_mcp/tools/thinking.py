"""Toolset `thinking`: the AI thinking chain — log thoughts with their dependencies, review them
(confirm, reject, revise), and walk the graph (lineage, impact, open questions, assumptions)."""

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field

from ..domain import thinking
from ..domain.thinking import (
    Alternatives,
    Confidence,
    DeletedThought,
    LoggedThoughts,
    NewThought,
    Reasoning,
    SourceDescription,
    ThinkingChain,
    Thought,
    ThoughtGraph,
    ThoughtList,
    ThoughtReview,
    ThoughtStatus,
    ThoughtType,
)
from ..server.apps import THINKING_VIEW
from ..server.params import DEFAULT_PAGE, Cursor, Limit, changes_from_arguments
from ..server.registry import resource, tool
from ..server.resource_helpers import to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

ThoughtId = Annotated[UUID, Field(description="The thought's id (from log_thought or list_thoughts).")]
OptionalProject = Annotated[
    UUID | None, Field(description=("The project the thoughts belong to; leave out when you pass run_id."))
]
OptionalRun = Annotated[
    UUID | None,
    Field(
        description=("The wizard run the thoughts belong to (from start_wizard); leave out for project-level thoughts.")
    ),
]
DependsOn = Annotated[
    list[UUID],
    Field(
        max_length=100,
        description=("Ids of the earlier thoughts this one builds on (same project; same run for a run's thought)."),
    ),
]
Feedback = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20000,
        description=("What the person said about it (or why you changed it), in their words."),
    ),
]
TypeOfThought = Annotated[
    ThoughtType,
    Field(
        description=(
            "observation (read in a tool result or the brief), assumption (believed without evidence), "
            "inference (concluded from earlier thoughts), decision (a choice), question (only the person can settle it)."
        )
    ),
]


@tool("thinking", title="Log thought", read_only=False, destructive=False, idempotent=False)
async def log_thought(
    ctx: Context,
    thought_type: TypeOfThought,
    reasoning: Reasoning,
    confidence: Confidence,
    project_id: OptionalProject = None,
    run_id: OptionalRun = None,
    depends_on: DependsOn | None = None,
    source_description: SourceDescription | None = None,
    alternatives: Alternatives | None = None,
    is_assumption: Annotated[
        bool | None, Field(description="Follows thought_type (true exactly for assumptions); may be left out.")
    ] = None,
    needs_answer: Annotated[
        bool | None,
        Field(
            description=(
                "Questions only: true (default) when the person must answer; false for a question you will settle yourself."
            )
        ),
    ] = None,
) -> Thought:
    """Record one step of reasoning in the thinking chain, BEFORE acting on it: an observation,
    assumption, inference, decision or question, with the ids of the thoughts it builds on
    (depends_on) and an honest confidence. Pass run_id inside a wizard run, else project_id.
    Returns the thought with its id (use it in later depends_on). To log many at once, use
    log_thoughts; to ask the person, use ask_user."""
    item = NewThought(
        thought_type=thought_type,
        reasoning=reasoning,
        confidence=confidence,
        source_description=source_description,
        depends_on=[str(d) for d in depends_on or []],
        alternatives=alternatives or [],
        is_assumption=is_assumption,
        needs_answer=needs_answer,
    )
    return await thinking.log_thought(scope_of(ctx), item, project_id=project_id, run_id=run_id)


@tool("thinking", title="Log many thoughts", read_only=False, destructive=False, idempotent=False)
async def log_thoughts(
    ctx: Context,
    thoughts: Annotated[
        list[NewThought],
        Field(
            min_length=1,
            max_length=thinking.MAX_BATCH,
            description=(
                "The thoughts in order. Give each a `key`; depends_on may name earlier thoughts by id or other "
                "items of this batch by key."
            ),
        ),
    ],
    project_id: OptionalProject = None,
    run_id: OptionalRun = None,
) -> LoggedThoughts:
    """Record many thoughts in one call (all or none), linked to each other by your own keys and
    to existing thoughts by id. Cycles are refused. Returns every thought and the id each key got."""
    return await thinking.log_thoughts(scope_of(ctx), thoughts, project_id=project_id, run_id=run_id)


@tool("thinking", title="Get thought", read_only=True, destructive=False, idempotent=True)
async def get_thought(ctx: Context, thought_id: ThoughtId) -> Thought:
    """Read one thought: its reasoning, type, confidence, status, links both ways (depends_on,
    leads_to), alternatives, the person's feedback and whether it needs review."""
    return await thinking.get_thought(scope_of(ctx), thought_id)


@tool("thinking", title="List thoughts", read_only=True, destructive=False, idempotent=True)
async def list_thoughts(
    ctx: Context,
    project_id: OptionalProject = None,
    run_id: OptionalRun = None,
    thought_type: Annotated[ThoughtType | None, Field(description="Only thoughts of this type.")] = None,
    status: Annotated[
        ThoughtStatus | None,
        Field(description="Only thoughts with this status (active, revised, rejected, confirmed)."),
    ] = None,
    needs_review: Annotated[
        bool | None, Field(description="true: only thoughts whose premises were rejected or revised.")
    ] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> ThoughtList:
    """List the thoughts of a project (project_id) or of one wizard run (run_id), oldest first,
    with filters. Pages through results with `cursor`."""
    return await thinking.list_thoughts(
        scope_of(ctx),
        project_id=project_id,
        run_id=run_id,
        thought_type=thought_type,
        status=status,
        needs_review=needs_review,
        limit=limit,
        cursor=cursor,
    )


@tool("thinking", title="Change thought links", read_only=False, destructive=False, idempotent=True)
async def update_thought(
    ctx: Context,
    thought_id: ThoughtId,
    depends_on: Annotated[
        list[UUID] | None,
        Field(
            max_length=100,
            description=(
                "Replaces the thoughts this one builds on (checked: same project/run, no cycle). [] removes all."
            ),
        ),
    ] = None,
    confidence: Annotated[float | None, Field(ge=0, le=1, description="New confidence, 0 to 1.")] = None,
    source_description: SourceDescription | None = None,
    alternatives: Annotated[list[str] | None, Field(max_length=20, description="Replaces the alternatives.")] = None,
) -> Thought:
    """Fix a thought's links or metadata (depends_on, confidence, source, alternatives) while its
    run is open. Its reasoning never changes: to correct what it says, use revise_thought.
    A depends_on that would form a cycle is refused with the cycle spelled out."""
    changes = changes_from_arguments(locals(), leave_out=("thought_id",))
    return await thinking.update_thought(scope_of(ctx), thought_id, changes)


@tool("thinking", title="Revise thought", read_only=False, destructive=False, idempotent=False)
async def revise_thought(
    ctx: Context,
    thought_id: ThoughtId,
    reasoning: Annotated[str, Field(min_length=1, max_length=20000, description="The corrected thought.")],
    confidence: Annotated[
        float | None, Field(ge=0, le=1, description="Confidence in the correction; the old one's when left out.")
    ] = None,
    thought_type: Annotated[
        ThoughtType | None, Field(description="Type of the corrected thought; the old one's when left out.")
    ] = None,
    user_feedback: Feedback | None = None,
    depends_on: Annotated[
        list[UUID] | None,
        Field(
            max_length=100,
            description=("Further thoughts the correction builds on (it always depends on the old thought)."),
        ),
    ] = None,
    alternatives: Alternatives | None = None,
) -> ThoughtReview:
    """Correct a thought: writes a new thought that replaces it (the old one becomes 'revised' and
    keeps the feedback; the new one depends on it) and marks every thought built on the old one
    as needs_review. Returns both thoughts and the ids now needing review — revisit those."""
    return await thinking.revise_thought(
        scope_of(ctx),
        thought_id,
        reasoning=reasoning,
        confidence=confidence,
        thought_type=thought_type,
        user_feedback=user_feedback,
        depends_on=depends_on,
        alternatives=alternatives,
    )


@tool("thinking", title="Confirm thought", read_only=False, destructive=False, idempotent=True)
async def confirm_thought(ctx: Context, thought_id: ThoughtId, user_feedback: Feedback | None = None) -> ThoughtReview:
    """Mark a thought as confirmed (the person agreed, or you checked it) and clear its
    needs_review flag. Open questions are answered with answer_question instead."""
    return await thinking.confirm_thought(scope_of(ctx), thought_id, user_feedback)


@tool("thinking", title="Reject thought", read_only=False, destructive=False, idempotent=True)
async def reject_thought(ctx: Context, thought_id: ThoughtId, user_feedback: Feedback | None = None) -> ThoughtReview:
    """Mark a thought as wrong (e.g. an assumption the person rejected), keeping their feedback.
    Every thought downstream of it is marked needs_review; the result lists them so you can
    revise or confirm each."""
    return await thinking.reject_thought(scope_of(ctx), thought_id, user_feedback)


@tool("thinking", title="Delete thought", read_only=False, destructive=True, idempotent=True)
async def delete_thought(ctx: Context, thought_id: ThoughtId) -> DeletedThought:
    """Delete a thought logged by mistake (prefer reject_thought or revise_thought: they keep the
    history). Thoughts built on it lose the link and are marked needs_review. Refused in a
    finished run and for a thought a recorded decision rests on."""
    return await thinking.delete_thought(scope_of(ctx), thought_id)


@tool("thinking", title="Thought lineage", read_only=True, destructive=False, idempotent=True)
async def thought_lineage(
    ctx: Context, thought_id: ThoughtId, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None
) -> ThoughtGraph:
    """Everything a thought rests on, directly or indirectly (its premises, their premises...),
    oldest first, with the total count. Use it to audit why a decision was made."""
    return await thinking.thought_graph(scope_of(ctx), thought_id, "lineage", limit=limit, cursor=cursor)


@tool("thinking", title="Thought impact", read_only=True, destructive=False, idempotent=True)
async def thought_impact(
    ctx: Context, thought_id: ThoughtId, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None
) -> ThoughtGraph:
    """Everything resting on a thought, directly or indirectly, oldest first, with the total
    count: what would have to be rethought if it were wrong."""
    return await thinking.thought_graph(scope_of(ctx), thought_id, "impact", limit=limit, cursor=cursor)


@tool("thinking", title="Open questions", read_only=True, destructive=False, idempotent=True)
async def open_questions(
    ctx: Context,
    project_id: OptionalProject = None,
    run_id: OptionalRun = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> ThoughtList:
    """Questions of a project or run still waiting for the person's answer, oldest first. Answer
    one with answer_question."""
    return await thinking.open_questions(
        scope_of(ctx), project_id=project_id, run_id=run_id, limit=limit, cursor=cursor
    )


@tool("thinking", title="List assumptions", read_only=True, destructive=False, idempotent=True)
async def list_assumptions(
    ctx: Context,
    project_id: OptionalProject = None,
    run_id: OptionalRun = None,
    include_settled: Annotated[
        bool, Field(description="Also list confirmed, rejected and revised assumptions.")
    ] = False,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> ThoughtList:
    """Assumptions of a project or run, oldest first: by default only those nobody has confirmed
    or rejected yet — the things to check with the person."""
    return await thinking.assumptions(
        scope_of(ctx), project_id=project_id, run_id=run_id, include_settled=include_settled, limit=limit, cursor=cursor
    )


@tool("thinking", title="Get thinking chain", read_only=True, destructive=False, idempotent=True, ui=THINKING_VIEW)
async def get_thinking_chain(
    ctx: Context, project_id: OptionalProject = None, run_id: OptionalRun = None
) -> ThinkingChain:
    """A run's (run_id) or project's (project_id) whole reasoning as a graph: thoughts, edges,
    an indented text tree and a Mermaid flowchart, for a person to audit (first 500 thoughts)."""
    return await thinking.thinking_chain(scope_of(ctx), project_id=project_id, run_id=run_id)


@resource("flexos://runs/{run_id}/thinking", toolset="thinking", title="Wizard run thinking chain")
async def run_thinking_resource(run_id: str) -> str:
    """A wizard run's thinking chain as JSON: thoughts, edges, text tree and Mermaid diagram."""
    return to_json(await thinking.thinking_chain(current_scope(), run_id=uuid_from_uri(run_id, "wizard run")))
