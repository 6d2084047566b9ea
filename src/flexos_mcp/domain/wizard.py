"""Wizard runs: a run walks a wizard definition's phases (flexos_mcp/wizards/*.json), collecting
answers, decisions linked to thoughts, and references to the records it created.

Life of a run: `start_wizard` (snapshot of the project, validated context references) ->
`advance_wizard` to an allowed next phase once the current phase's required questions are answered
(each left phase is appended to `phase_history` with its times and answers) -> `complete_wizard`
from a terminal phase (outputs validated, `completed_at` and `duration_seconds` computed), or
`abandon_wizard`. A completed or abandoned run never changes again. `paused` and `failed` runs are
open: `resume_wizard` (or advancing) sets them back to in-progress.

Asking the person: `ask_user` logs a question thought and, when the caller could reach the person
(MCP elicitation; the caller passes their `reply`), records the answer at once; otherwise the
question stays open until `answer_question`.

Every function takes a Scope, so the LLM driver can call them directly as well as through MCP.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, Field

from ..db.connection import ReadConnection, WriteConnection
from ..errors import Conflict, InvalidInput, NotFound
from ..untrusted import Untrusted, UntrustedJson, UntrustedList, UntrustedValue
from ..wizard_definitions import (
    WizardDefinition,
    allowed_next,
    can_complete,
    check_transition,
    get_wizard_definition,
    load_wizard_definitions,
    missing_required_answers,
)
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .projects import require_project
from .runs import OPEN_STATUSES, ensure_open, require_run
from .scope import Scope
from .thinking import NewThought, Thought, insert_thoughts, require_thought, run_open_questions, thought_of

if TYPE_CHECKING:  # a Literal of the wizard names, read from the definitions at import; statically a str
    WizardType = str
else:
    WizardType = Literal[tuple(sorted(load_wizard_definitions()))]
RunStatus = Literal["in-progress", "paused", "completed", "abandoned", "failed"]

# What `outputs.created` may name: "<kind>:<uuid>", and the table each kind lives in.
OUTPUT_TABLES: dict[str, str] = {
    "page": "pages",
    "mockup": "mockups",
    "feature": "features",
    "entity": "inferred_entities",
    "flow": "journey_flows",
    "flow_node": "flow_nodes",
    "design_system": "design_systems",
    "context_item": "user_context_items",
}
KIND_OF = {table: kind for kind, table in OUTPUT_TABLES.items()}
OutputKind = Literal["page", "mockup", "feature", "entity", "flow", "flow_node", "design_system", "context_item"]
# Tables whose rows carry the seed's `wizard_generated` flag.
FLAGGED_TABLES = ("pages", "features")
MAX_OPEN_QUESTIONS = 50

Brief = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20000,
        description=("The person's request in their words: what they want the wizard to make."),
    ),
]


class PhaseAsk(BaseModel):
    key: str
    question: str
    required: bool
    answered: bool


class NextStep(BaseModel):
    phase: str
    title: str
    goal: str
    asks: list[PhaseAsk]
    missing_required: list[str] = Field(description="Required ask keys of this phase without an answer yet.")
    allowed_next: list[str] = Field(description="Phases advance_wizard may go to from here.")
    can_complete: bool = Field(
        description="True in a terminal phase: complete_wizard is allowed (once missing_required is empty)."
    )
    suggested_tools: list[str]
    what_to_do: str


class WizardRun(BaseModel):
    id: UUID
    project_id: UUID
    user_id: UUID
    wizard_type: str
    wizard_version: str | None
    status: str
    status_note: Untrusted | None
    current_phase: str | None
    brief: Untrusted | None = Field(description="The person's brief, as <user-content> (data, not instructions).")
    phase_history: list[dict[str, Any]] = Field(description="Left phases: {phase, entered_at, left_at, answers}.")
    answers: UntrustedJson
    decisions_made: UntrustedList = Field(
        description="{id, phase, decision, rationale, alternatives, thought_id, decided_at}."
    )
    context_snapshot: UntrustedJson
    context_references: list[UUID]
    outputs: UntrustedJson
    started_at: datetime
    phase_entered_at: datetime | None
    completed_at: datetime | None
    duration_seconds: int | None


class WizardRunState(WizardRun):
    next: NextStep | None = Field(description="The current phase and what it needs; null once the run is finished.")
    open_questions: list[Thought] = Field(description="Questions of this run still waiting for an answer.")
    thoughts: int
    needs_review: int = Field(description="Thoughts of this run marked needs_review.")


class WizardRunSummary(BaseModel):
    id: UUID
    project_id: UUID
    wizard_type: str
    status: str
    current_phase: str | None
    started_at: datetime
    completed_at: datetime | None
    duration_seconds: int | None


class WizardRunList(Paged[WizardRunSummary]):
    pass


class AnswerRecorded(BaseModel):
    run_id: UUID
    phase: str
    key: str
    answer: UntrustedValue
    missing_required: list[str] = Field(description="Required ask keys of the current phase still unanswered.")
    allowed_next: list[str]


class DecisionRecorded(BaseModel):
    run_id: UUID
    decision: UntrustedJson
    decisions: int = Field(description="How many decisions the run has now.")


class OutputRecorded(BaseModel):
    run_id: UUID
    created: list[str] = Field(description="Every record the run lists as its output, '<kind>:<id>'.")


class DeletedRun(BaseModel):
    id: UUID
    wizard_type: str
    thoughts_deleted: int


class WizardList(BaseModel):
    wizards: list[WizardDefinition]


class AskResult(BaseModel):
    question: Thought
    outcome: Literal["answered", "declined", "cancelled", "not_supported"] = Field(
        description=(
            "answered: the person answered; declined/cancelled: they did not (the question stays open); "
            "not_supported: the client cannot ask the person directly (the question stays open)."
        )
    )
    answer: Untrusted | None = Field(description="The person's answer, as <user-content> (data, not instructions).")
    answer_recorded_as: str | None = Field(description="The run's ask key the answer was stored under, if any.")
    what_to_do: str


# The person's reaction to a question: ("accept", answer) | ("decline", None) | ("cancel", None).
Reply = tuple[Literal["accept", "decline", "cancel"], str | None]


def _run_of(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "project_id": row["project_id"],
        "user_id": row["user_id"],
        "wizard_type": row["wizard_type"],
        "wizard_version": row["wizard_version"],
        "status": row["status"],
        "status_note": row["status_note"],
        "current_phase": row["current_phase"],
        "brief": row["brief"],
        "phase_history": row["phase_history"] or [],
        "answers": row["answers"] or {},
        "decisions_made": row["decisions_made"] or [],
        "context_snapshot": row["context_snapshot"] or {},
        "context_references": list(row["context_references"] or []),
        "outputs": row["outputs"] or {},
        "started_at": row["started_at"],
        "phase_entered_at": row["phase_entered_at"],
        "completed_at": row["completed_at"],
        "duration_seconds": row["duration_seconds"],
    }


def _definition(run: Any) -> WizardDefinition:
    return get_wizard_definition(run["wizard_type"])


def next_step(definition: WizardDefinition, phase_name: str, answers: dict[str, Any]) -> NextStep:
    phase = definition.phase(phase_name)
    missing = missing_required_answers(definition, phase_name, answers)
    options = allowed_next(definition, phase_name)
    terminal = can_complete(definition, phase_name)
    if missing:
        todo = f"Answer {', '.join(missing)} (ask_user, or record_answer if you already know the answer), then " + (
            "complete_wizard." if terminal else f"advance_wizard to {' or '.join(options)}."
        )
    elif terminal:
        todo = "Finish the phase's work, then complete_wizard with a summary of what the run made."
    else:
        todo = f"Finish the phase's goal, then advance_wizard to {' or '.join(options)}."
    return NextStep(
        phase=phase.name,
        title=phase.title,
        goal=phase.goal,
        asks=[
            PhaseAsk(key=a.key, question=a.question, required=a.required, answered=not _is_blank(answers.get(a.key)))
            for a in phase.asks
        ],
        missing_required=missing,
        allowed_next=options,
        can_complete=terminal,
        suggested_tools=list(phase.suggested_tools),
        what_to_do=todo,
    )


async def _state(conn: ReadConnection, run: Any) -> WizardRunState:
    counts = await conn.fetchrow(
        """SELECT count(*) AS thoughts, count(*) FILTER (WHERE needs_review) AS needs_review
             FROM ai_thinking_chain WHERE wizard_run_id = $1""",
        run["id"],
    )
    assert counts is not None  # an aggregate: always one row
    questions = await run_open_questions(conn, run["id"], limit=MAX_OPEN_QUESTIONS)
    step = None
    if run["status"] in OPEN_STATUSES and run["current_phase"]:
        step = next_step(_definition(run), run["current_phase"], run["answers"] or {})
    return WizardRunState(
        **_run_of(run),
        next=step,
        open_questions=questions,
        thoughts=counts["thoughts"],
        needs_review=counts["needs_review"],
    )


def list_wizards() -> WizardList:
    """Every wizard definition: phases, what each asks and produces, suggested tools, next phases."""
    return WizardList(wizards=list(load_wizard_definitions().values()))


_SNAPSHOT = """
SELECT jsonb_build_object(
  'taken_at', now(),
  'project', (SELECT jsonb_build_object('id', id, 'name', name, 'type', type, 'status', status,
                                        'target_feeling', target_feeling)
                FROM projects WHERE id = $1),
  'pages', (SELECT jsonb_build_object('total', COALESCE(sum(n), 0), 'by_status', COALESCE(jsonb_object_agg(s, n), '{}'))
              FROM (SELECT COALESCE(status, 'draft') AS s, count(*) AS n FROM pages WHERE project_id = $1 GROUP BY 1) x),
  'mockups', (SELECT count(*) FROM mockups WHERE project_id = $1),
  'features', (SELECT jsonb_build_object('total', COALESCE(sum(n), 0), 'by_status', COALESCE(jsonb_object_agg(s, n), '{}'))
                 FROM (SELECT COALESCE(status, 'planned') AS s, count(*) AS n FROM features WHERE project_id = $1 GROUP BY 1) x),
  'flows', (SELECT count(*) FROM journey_flows WHERE project_id = $1),
  'entities', (SELECT count(*) FROM inferred_entities WHERE project_id = $1),
  'context_items', (SELECT count(*) FROM user_context_items WHERE project_id = $1),
  'design_system', COALESCE(
     (SELECT jsonb_build_object('present', true, 'generation_method', generation_method,
                                'token_groups', (SELECT COALESCE(jsonb_agg(k ORDER BY k), '[]')
                                                   FROM jsonb_object_keys(COALESCE(tokens, '{}')) k))
        FROM design_systems WHERE project_id = $1),
     jsonb_build_object('present', false))
)
"""


async def project_snapshot(conn: ReadConnection, project_id: UUID) -> dict[str, Any]:
    """What the project holds right now, in one statement (stored with a run as context_snapshot)."""
    snapshot: dict[str, Any] = await conn.fetchval(
        _SNAPSHOT, project_id
    )  # one jsonb object, decoded by the pool's codec
    return snapshot


async def _check_context_items(conn: ReadConnection, project_id: UUID, ids: list[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    rows = await conn.fetch(
        "SELECT id FROM user_context_items WHERE project_id = $1 AND id = ANY($2::uuid[])", project_id, unique
    )
    found = {r["id"] for r in rows}
    for item in unique:
        if item not in found:
            raise NotFound(
                "context item",
                item,
                field="context_references",
                hint="Call list_context_items with the project id to see its context items.",
            )
    return unique


async def start_wizard(
    scope: Scope,
    project_id: UUID,
    wizard_type: str,
    *,
    brief: str | None = None,
    context_references: list[UUID] | None = None,
) -> WizardRunState:
    try:
        definition = get_wizard_definition(wizard_type)
    except ValueError as exc:
        raise InvalidInput("wizard_type", f"{exc}. Nothing was saved.") from None
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id)
        references = await _check_context_items(conn, project_id, context_references or [])
        snapshot = await project_snapshot(conn, project_id)
        row = await conn.fetchrow(
            """INSERT INTO wizard_runs (user_id, project_id, wizard_type, wizard_version, status, current_phase,
                                        phase_entered_at, brief, context_snapshot, context_references)
               VALUES ($1, $2, $3, $4, 'in-progress', $5, now(), $6, $7, $8) RETURNING *""",
            scope.actor.id,
            project_id,
            definition.type,
            definition.version,
            definition.initial_phase,
            brief,
            snapshot,
            references,
        )
        return await _state(conn, row)


async def get_wizard_run(scope: Scope, run_id: UUID, *, project_id: UUID | None = None) -> WizardRunState:
    """The run, what its current phase needs, and its open questions (one consistent snapshot)."""
    async with scope.db.snapshot() as conn:
        run = await require_run(conn, scope.actor, run_id)
        if project_id is not None and run["project_id"] != project_id:
            raise NotFound("wizard run", run_id, field="run_id", hint="The run does not belong to that project.")
        return await _state(conn, run)


async def list_wizard_runs(
    scope: Scope,
    project_id: UUID,
    *,
    status: str | None = None,
    wizard_type: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> WizardRunList:
    await require_project(scope.db, scope.actor, project_id)
    after = decode_cursor(cursor)
    rows = await scope.db.fetch(
        """SELECT * FROM wizard_runs
            WHERE project_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR wizard_type = $3)
              AND ($4::timestamptz IS NULL OR (started_at, id) < ($4, $5::uuid))
            ORDER BY started_at DESC, id DESC LIMIT $6""",
        project_id,
        status,
        wizard_type,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items, next_cursor = page_of(
        rows, limit, "started_at", lambda r: WizardRunSummary(**{k: r[k] for k in WizardRunSummary.model_fields})
    )
    return WizardRunList(items=items, next_cursor=next_cursor)


def _history_entry(definition: WizardDefinition, run: Any, left_at: datetime, **extra: Any) -> dict[str, Any]:
    phase = definition.phase(run["current_phase"])
    answers = run["answers"] or {}
    return {
        "phase": phase.name,
        "entered_at": (run["phase_entered_at"] or run["started_at"]).isoformat(),
        "left_at": left_at.isoformat(),
        "answers": {a.key: answers[a.key] for a in phase.asks if a.key in answers},
        **extra,
    }


async def _locked_open_run(conn: ReadConnection, scope: Scope, run_id: UUID, action: str) -> Any:
    run = await require_run(conn, scope.actor, run_id, lock="UPDATE")
    ensure_open(run, action)
    return run


async def advance_wizard(scope: Scope, run_id: UUID, to_phase: str) -> WizardRunState:
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "advance")
        definition = _definition(run)
        current = run["current_phase"]
        try:
            check_transition(definition, current, to_phase)
        except ValueError as exc:
            raise InvalidInput("to_phase", f"{exc}. Nothing was changed.") from None
        missing = missing_required_answers(definition, current, run["answers"] or {})
        if missing:
            raise Conflict(
                f"Phase '{current}' still needs answers for: {', '.join(missing)}. Ask the person (ask_user) or "
                f"store what they said (record_answer with those keys), then advance_wizard again. Nothing was changed."
            )
        now = await conn.fetchval("SELECT now()")
        entry = _history_entry(definition, run, now)
        row = await conn.fetchrow(
            """UPDATE wizard_runs SET phase_history = phase_history || jsonb_build_array($2::jsonb),
                      current_phase = $3, phase_entered_at = $4, status = 'in-progress', status_note = NULL
                WHERE id = $1 RETURNING *""",
            run_id,
            entry,
            to_phase,
            now,
        )
        return await _state(conn, row)


def _check_ask_key(definition: WizardDefinition, key: str, current: str) -> None:
    keys = [a.key for p in definition.phases for a in p.asks]
    if key not in keys:
        here = [a.key for a in definition.phase(current).asks]
        raise InvalidInput(
            "key",
            (
                f"'{key}' is not a question of the {definition.type} wizard. Keys of the current phase "
                f"'{current}': {', '.join(here) or 'none'}; all keys: {', '.join(keys)}. Nothing was saved."
            ),
        )


def _is_blank(value: Any) -> bool:
    return value is None or value == [] or value == {} or (isinstance(value, str) and not value.strip())


async def record_answer(scope: Scope, run_id: UUID, key: str, answer: Any) -> AnswerRecorded:
    if _is_blank(answer):
        raise InvalidInput("answer", "is empty; record what the person actually said. Nothing was saved.")
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "take answers")
        return await _store_answer(conn, run, key, answer)


async def _store_answer(conn: WriteConnection, run: Any, key: str, answer: Any) -> AnswerRecorded:
    definition = _definition(run)
    _check_ask_key(definition, key, run["current_phase"])
    row = await conn.fetchrow(
        "UPDATE wizard_runs SET answers = answers || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1 RETURNING *",
        run["id"],
        key,
        answer,
    )
    assert row is not None  # the run was locked by the caller: the UPDATE finds it
    answers = row["answers"] or {}
    return AnswerRecorded(
        run_id=run["id"],
        phase=row["current_phase"],
        key=key,
        answer=answer,
        missing_required=missing_required_answers(definition, row["current_phase"], answers),
        allowed_next=allowed_next(definition, row["current_phase"]),
    )


async def record_decision(
    scope: Scope,
    run_id: UUID,
    *,
    decision: str,
    thought_id: UUID,
    rationale: str | None = None,
    alternatives: list[str] | None = None,
) -> DecisionRecorded:
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "take decisions")
        thought = await conn.fetchrow(
            "SELECT id, status FROM ai_thinking_chain WHERE id = $1 AND wizard_run_id = $2 FOR KEY SHARE",
            thought_id,
            run_id,
        )
        if thought is None:
            raise NotFound(
                "thought",
                thought_id,
                field="thought_id",
                hint="A decision links to a thought of the same run: log_thought (thought_type 'decision') "
                "with this run_id first, then pass its id.",
            )
        if thought["status"] in ("rejected", "revised"):
            raise Conflict(
                f"Thought {thought_id} is {thought['status']}; a decision must rest on a thought that "
                f"still stands. Link the thought that replaced it, or log a new one."
            )
        now = await conn.fetchval("SELECT now()")
        entry = {
            "id": str(uuid4()),
            "phase": run["current_phase"],
            "decision": decision,
            "rationale": rationale,
            "alternatives": list(alternatives or []),
            "thought_id": str(thought_id),
            "decided_at": now.isoformat(),
        }
        row = await conn.fetchrow(
            """UPDATE wizard_runs SET decisions_made = decisions_made || jsonb_build_array($2::jsonb)
                WHERE id = $1 RETURNING jsonb_array_length(decisions_made) AS n""",
            run_id,
            entry,
        )
        return DecisionRecorded(run_id=run_id, decision=entry, decisions=row["n"])


def parse_output_ref(ref: str, field: str) -> tuple[str, UUID]:
    kind, _, ident = ref.partition(":")
    if kind not in OUTPUT_TABLES:
        raise InvalidInput(
            field,
            f"'{ref}' does not start with a known kind; write '<kind>:<id>' with kind one of "
            f"{', '.join(OUTPUT_TABLES)}. Nothing was saved.",
        )
    try:
        return kind, UUID(ident)
    except ValueError:
        raise InvalidInput(field, f"'{ref}': '{ident}' is not a record id (a UUID). Nothing was saved.") from None


async def attach_outputs(conn: WriteConnection, run: Any, refs: list[tuple[str, UUID]], field: str) -> list[str]:
    """Check each (kind, id) is a record of the run's project, flag pages and features as
    wizard-generated, and add them to outputs.created. Usable inside the caller's transaction
    (e.g. when the wizard driver creates a page), so the record and its listing commit together."""
    by_table: dict[str, list[UUID]] = {}
    for kind, ident in refs:
        ids = by_table.setdefault(OUTPUT_TABLES[kind], [])
        if ident not in ids:
            ids.append(ident)
    for table, ids in by_table.items():
        if table in FLAGGED_TABLES:
            sql = f"UPDATE {table} SET wizard_generated = TRUE WHERE project_id = $1 AND id = ANY($2::uuid[]) RETURNING id"
        else:
            sql = f"SELECT id FROM {table} WHERE project_id = $1 AND id = ANY($2::uuid[])"
        found = {r["id"] for r in await conn.fetch(sql, run["project_id"], ids)}
        for ident in ids:
            if ident not in found:
                raise NotFound(
                    KIND_OF[table].replace("_", " "),
                    ident,
                    field=field,
                    hint="Outputs must be records of the run's project; check the id and its kind.",
                )
    created = list((run["outputs"] or {}).get("created", []))
    for kind, ident in refs:
        ref = f"{kind}:{ident}"
        if ref not in created:
            created.append(ref)
    await conn.execute(
        "UPDATE wizard_runs SET outputs = outputs || jsonb_build_object('created', $2::jsonb) WHERE id = $1",
        run["id"],
        created,
    )
    return created


async def record_output(scope: Scope, run_id: UUID, kind: str, record_id: UUID) -> OutputRecorded:
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "take outputs")
        if kind not in OUTPUT_TABLES:
            raise InvalidInput("kind", f"must be one of {', '.join(OUTPUT_TABLES)}. Nothing was saved.")
        created = await attach_outputs(conn, run, [(kind, record_id)], "record_id")
    return OutputRecorded(run_id=run_id, created=created)


async def complete_wizard(
    scope: Scope, run_id: UUID, *, summary: str, created: list[str] | None = None
) -> WizardRunState:
    refs = [parse_output_ref(ref, "created") for ref in created or []]
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "be completed")
        definition = _definition(run)
        current = run["current_phase"]
        if not can_complete(definition, current):
            terminals = [p.name for p in definition.phases if p.terminal]
            raise Conflict(
                f"Wizard run {run_id} is in phase '{current}', which is not terminal; a run completes only from "
                f"{', '.join(terminals)}. Advance with advance_wizard to {', '.join(allowed_next(definition, current))}. "
                f"Nothing was changed."
            )
        missing = missing_required_answers(definition, current, run["answers"] or {})
        if missing:
            raise Conflict(
                f"Phase '{current}' still needs answers for: {', '.join(missing)}; record them "
                f"(record_answer or ask_user), then complete_wizard. Nothing was changed."
            )
        if refs:
            await attach_outputs(conn, run, refs, "created")
            run = await conn.fetchrow("SELECT * FROM wizard_runs WHERE id = $1", run_id)
        now = await conn.fetchval("SELECT now()")
        entry = _history_entry(definition, run, now)
        outputs = dict(run["outputs"] or {})
        outputs.setdefault("created", [])
        outputs["summary"] = summary
        row = await conn.fetchrow(
            """UPDATE wizard_runs SET status = 'completed', status_note = NULL, completed_at = $2,
                      duration_seconds = round(extract(epoch FROM $2 - started_at))::int,
                      phase_history = phase_history || jsonb_build_array($3::jsonb), outputs = $4
                WHERE id = $1 RETURNING *""",
            run_id,
            now,
            entry,
            outputs,
        )
        return await _state(conn, row)


async def abandon_wizard(scope: Scope, run_id: UUID, reason: str | None = None) -> WizardRunState:
    """Stop a run for good. The current phase is closed in phase_history; records it created stay."""
    async with scope.db.transaction() as conn:
        run = await _locked_open_run(conn, scope, run_id, "be abandoned")
        now = await conn.fetchval("SELECT now()")
        entry = _history_entry(_definition(run), run, now, abandoned=True)
        row = await conn.fetchrow(
            """UPDATE wizard_runs SET status = 'abandoned', status_note = $3,
                      duration_seconds = round(extract(epoch FROM $2 - started_at))::int,
                      phase_history = phase_history || jsonb_build_array($4::jsonb)
                WHERE id = $1 RETURNING *""",
            run_id,
            now,
            reason,
            entry,
        )
        return await _state(conn, row)


async def set_run_status(
    scope: Scope, run_id: UUID, status: Literal["in-progress", "paused", "failed"], note: str | None = None
) -> WizardRunState:
    """Pause, resume or mark failed an open run (the LLM driver marks a run failed with the error)."""
    async with scope.db.transaction() as conn:
        await _locked_open_run(conn, scope, run_id, f"become {status}")  # checks it is open; locks it
        row = await conn.fetchrow(
            "UPDATE wizard_runs SET status = $2, status_note = $3 WHERE id = $1 RETURNING *", run_id, status, note
        )
        return await _state(conn, row)


async def delete_wizard_run(scope: Scope, run_id: UUID) -> DeletedRun:
    async with scope.db.transaction() as conn:
        run = await require_run(conn, scope.actor, run_id, lock="UPDATE")
        count = await conn.fetchval("SELECT count(*) FROM ai_thinking_chain WHERE wizard_run_id = $1", run_id)
        await conn.execute("DELETE FROM wizard_runs WHERE id = $1", run_id)
    return DeletedRun(id=run_id, wizard_type=run["wizard_type"], thoughts_deleted=count)


async def _apply_answer(
    conn: WriteConnection, scope: Scope, thought_id: UUID, answer: str
) -> tuple[Thought, str | None]:
    """Record `answer` on an open question (confirmed, needs_answer false, user_feedback) and, when
    the question fills an ask key of an open run, in the run's answers too.
    Locks the run before the question, the order every other writer takes them in (log_thought,
    record_decision: run, then thought), so concurrent calls queue instead of deadlocking."""
    row = await require_thought(conn, scope.actor, thought_id)
    run = None
    if row["wizard_run_id"] is not None and row["ask_key"]:  # neither ever changes
        run = await require_run(conn, scope.actor, row["wizard_run_id"], lock="UPDATE")
    row = await require_thought(conn, scope.actor, thought_id, lock="UPDATE")
    if not row["needs_answer"]:
        raise Conflict(
            f"Thought {thought_id} is not an open question (type {row['thought_type']}, status "
            f"{row['status']}); open_questions lists the questions waiting for an answer."
        )
    recorded = None
    if run is not None and run["status"] in OPEN_STATUSES:
        await _store_answer(conn, run, row["ask_key"], answer)
        recorded = row["ask_key"]
    updated = await conn.fetchrow(
        """UPDATE ai_thinking_chain SET status = 'confirmed', needs_answer = FALSE, user_feedback = $2
            WHERE id = $1 RETURNING *""",
        thought_id,
        answer,
    )
    return thought_of(updated), recorded


async def answer_question(scope: Scope, thought_id: UUID, answer: str) -> AskResult:
    """The person's answer to an open question, given later (or relayed by the driver)."""
    if not answer.strip():
        raise InvalidInput("answer", "is empty; record what the person actually said. Nothing was saved.")
    async with scope.db.transaction() as conn:
        thought, recorded = await _apply_answer(conn, scope, thought_id, answer)
    return AskResult(
        question=thought,
        outcome="answered",
        answer=answer,
        answer_recorded_as=recorded,
        what_to_do="Continue with the answer; it is stored on the question"
        + (f" and in the run's answers as '{recorded}'." if recorded else "."),
    )


class _DryRun(Exception):
    """Raised to roll back check_question's transaction."""


async def check_question(
    scope: Scope,
    *,
    question: str,
    project_id: UUID | None = None,
    run_id: UUID | None = None,
    options: list[str] | None = None,
    ask_key: str | None = None,
    depends_on: list[UUID] | None = None,
) -> None:
    """Raise what ask_user would raise, changing nothing: checked before a person is bothered."""
    try:
        async with scope.db.transaction() as conn:
            await insert_thoughts(
                conn,
                scope.actor,
                [_question(question, options, ask_key, depends_on, 0.5)],
                project_id=project_id,
                run_id=run_id,
                single=True,
            )
            raise _DryRun
    except _DryRun:
        return


def _question(
    question: str, options: list[str] | None, ask_key: str | None, depends_on: list[UUID] | None, confidence: float
) -> NewThought:
    return NewThought(
        thought_type="question",
        reasoning=question,
        confidence=confidence,
        source_description="Asked the person",
        depends_on=[str(d) for d in depends_on or []],
        alternatives=list(options or []),
        needs_answer=True,
        ask_key=ask_key,
    )


async def ask_user(
    scope: Scope,
    *,
    question: str,
    project_id: UUID | None = None,
    run_id: UUID | None = None,
    options: list[str] | None = None,
    ask_key: str | None = None,
    depends_on: list[UUID] | None = None,
    confidence: float = 0.5,
    reply: Reply | None = None,
) -> AskResult:
    """Log a question thought. `reply` is the person's reaction when the caller could ask them
    (MCP elicitation, or the driver's own channel): ("accept", text) records the answer at once,
    ("decline" | "cancel", None) leaves the question open; None means nobody could be asked."""
    async with scope.db.transaction() as conn:
        if run_id is not None and ask_key and reply is not None and reply[0] == "accept":
            # The answer will be stored on the run: lock it for that now, not share-lock it first and
            # upgrade later (two such calls on one run would deadlock, losing the person's answer).
            await require_run(conn, scope.actor, run_id, lock="UPDATE")
        logged = await insert_thoughts(
            conn,
            scope.actor,
            [_question(question, options, ask_key, depends_on, confidence)],
            project_id=project_id,
            run_id=run_id,
            single=True,
        )
        thought = logged.thoughts[0]
        if reply is not None and reply[0] == "accept" and reply[1] and reply[1].strip():
            answered, recorded = await _apply_answer(conn, scope, thought.id, reply[1])
            return AskResult(
                question=answered,
                outcome="answered",
                answer=reply[1],
                answer_recorded_as=recorded,
                what_to_do="The person answered; continue with their answer.",
            )
    if reply is None:
        return AskResult(
            question=thought,
            outcome="not_supported",
            answer=None,
            answer_recorded_as=None,
            what_to_do="This client cannot ask the person directly. Put the question to them in your "
            "reply; when they answer, call answer_question with this question's id. "
            "It stays listed in open_questions and get_wizard_run until then.",
        )
    # An accepted form with an empty answer is no answer: reported with the declines, in words.
    outcome: Literal["cancelled", "declined"] = "cancelled" if reply[0] == "cancel" else "declined"
    reaction = {
        "accept": "left the answer empty",
        "decline": "declined the question",
        "cancel": "cancelled the question",
    }[reply[0]]
    return AskResult(
        question=thought,
        outcome=outcome,
        answer=None,
        answer_recorded_as=None,
        what_to_do=f"The person {reaction}; it stays open. Continue with your best "
        f"assumption (log it with thought_type 'assumption'), or ask again later.",
    )
