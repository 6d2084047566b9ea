"""Toolset `wizard`: wizard runs — start, advance through phases, record answers, decisions and
outputs, complete or abandon — and asking the person questions (MCP elicitation when the client
supports it)."""

from typing import Annotated, Any
from uuid import UUID

from mcp.server.elicitation import AcceptedElicitation, CancelledElicitation, DeclinedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from ..domain import wizard
from ..domain.thinking import Alternatives, AskKey
from ..domain.wizard import (
    AnswerRecorded,
    AskResult,
    Brief,
    DecisionRecorded,
    DeletedRun,
    OutputKind,
    OutputRecorded,
    Reply,
    RunStatus,
    WizardList,
    WizardRunList,
    WizardRunState,
    WizardType,
)
from ..server.params import DEFAULT_PAGE, Cursor, Limit, ProjectId
from ..server.registry import resource, tool
from ..server.resource_helpers import to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

RunId = Annotated[UUID, Field(description="The wizard run's id (from start_wizard or list_wizard_runs).")]
Phase = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
        description="A phase name of the run's wizard, e.g. 'gather-context'.",
    ),
]
Reason = Annotated[
    str, Field(min_length=1, max_length=2000, description="Why, in a sentence (kept as the run's status_note).")
]


@tool("wizard", title="List wizards", read_only=True, destructive=False, idempotent=True)
async def list_wizards(ctx: Context) -> WizardList:
    """The wizards you can run (page-creator, feature-builder, design-system) with every phase:
    its goal, the questions it asks (keys for record_answer), what it produces, the tools it
    suggests and the phases allowed next. Read this before start_wizard."""
    return wizard.list_wizards()


@tool("wizard", title="Start wizard", read_only=False, destructive=False, idempotent=False)
async def start_wizard(
    ctx: Context,
    project_id: ProjectId,
    wizard_type: Annotated[WizardType, Field(description="Which wizard to run (see list_wizards).")],
    brief: Brief | None = None,
    context_references: Annotated[
        list[UUID] | None,
        Field(
            max_length=100,
            description=("Ids of the project's context items (screenshots, URLs, notes) this run should use."),
        ),
    ] = None,
) -> WizardRunState:
    """Start a wizard run in a project. Stores the brief, a snapshot of what the project holds now
    (pages by status, features, flows, entities, design system) and the context items named.
    Returns the run in its first phase with what that phase needs (`next`); keep the run id for
    every later call (log_thought, record_answer, advance_wizard, complete_wizard)."""
    return await wizard.start_wizard(
        scope_of(ctx), project_id, wizard_type, brief=brief, context_references=context_references
    )


@tool("wizard", title="Get wizard run", read_only=True, destructive=False, idempotent=True)
async def get_wizard_run(ctx: Context, run_id: RunId) -> WizardRunState:
    """A wizard run's state: status, current phase and what it still needs (unanswered required
    questions, allowed next phases, whether it may complete), phase history with times and answers,
    decisions, outputs and the questions waiting for the person."""
    return await wizard.get_wizard_run(scope_of(ctx), run_id)


@tool("wizard", title="List wizard runs", read_only=True, destructive=False, idempotent=True)
async def list_wizard_runs(
    ctx: Context,
    project_id: ProjectId,
    status: Annotated[RunStatus | None, Field(description="Only runs with this status.")] = None,
    wizard_type: Annotated[WizardType | None, Field(description="Only runs of this wizard.")] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> WizardRunList:
    """A project's wizard runs, newest first (type, status, phase, timing). Pages with `cursor`."""
    return await wizard.list_wizard_runs(
        scope_of(ctx), project_id, status=status, wizard_type=wizard_type, limit=limit, cursor=cursor
    )


@tool("wizard", title="Advance wizard", read_only=False, destructive=False, idempotent=False)
async def advance_wizard(ctx: Context, run_id: RunId, to_phase: Phase) -> WizardRunState:
    """Move a run to the next phase once the current phase's goal is met and its required
    questions are answered. Only phases the wizard allows next are accepted (the error lists them).
    The phase left is added to phase_history with its entry/exit times and answers."""
    return await wizard.advance_wizard(scope_of(ctx), run_id, to_phase)


@tool("wizard", title="Record answer", read_only=False, destructive=False, idempotent=True)
async def record_answer(
    ctx: Context,
    run_id: RunId,
    key: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description=(
                "The ask key of the wizard's question, e.g. 'page_purpose' (get_wizard_run lists the current phase's)."
            ),
        ),
    ],
    answer: Annotated[
        Any,
        Field(
            description=("The person's answer: text, or a JSON list/object when the question asks for several things.")
        ),
    ],
) -> AnswerRecorded:
    """Store the person's answer to one of the wizard's questions (replacing an earlier answer to
    the same key). Returns which required questions of the current phase are still open."""
    return await wizard.record_answer(scope_of(ctx), run_id, key, answer)


@tool("wizard", title="Record decision", read_only=False, destructive=False, idempotent=False)
async def record_decision(
    ctx: Context,
    run_id: RunId,
    decision: Annotated[str, Field(min_length=1, max_length=2000, description="What was chosen, in one sentence.")],
    thought_id: Annotated[
        UUID,
        Field(
            description=(
                "The thought (of this run) that made the decision; log it first with log_thought (thought_type 'decision')."
            )
        ),
    ],
    rationale: Annotated[str | None, Field(max_length=5000, description="Why, briefly.")] = None,
    alternatives: Alternatives | None = None,
) -> DecisionRecorded:
    """Record a choice made in this run (on the person's behalf or with them), linked to the
    thought that made it, with the alternatives and why. Returns the stored decision."""
    return await wizard.record_decision(
        scope_of(ctx), run_id, decision=decision, thought_id=thought_id, rationale=rationale, alternatives=alternatives
    )


@tool("wizard", title="Record wizard output", read_only=False, destructive=False, idempotent=True)
async def record_output(
    ctx: Context,
    run_id: RunId,
    kind: Annotated[OutputKind, Field(description="What the record is.")],
    record_id: Annotated[UUID, Field(description="The record's id, e.g. the page id create_page returned.")],
) -> OutputRecorded:
    """List a record this run created (a page, mockup, feature, flow, entity...) in its outputs;
    pages and features are also flagged wizard_generated. The record must be in the run's project."""
    return await wizard.record_output(scope_of(ctx), run_id, kind, record_id)


@tool("wizard", title="Complete wizard", read_only=False, destructive=False, idempotent=False)
async def complete_wizard(
    ctx: Context,
    run_id: RunId,
    summary: Annotated[
        str,
        Field(
            min_length=1,
            max_length=20000,
            description=("What the run made and decided, the assumptions still open, questions for the person."),
        ),
    ],
    created: Annotated[
        list[str] | None,
        Field(
            max_length=200,
            description=(
                "Records created by the run not yet listed with record_output, as '<kind>:<id>', e.g. 'page:<uuid>'."
            ),
        ),
    ] = None,
) -> WizardRunState:
    """Finish a run from its terminal phase: stores the summary and outputs (each record checked to
    exist in the project), the completion time and duration. A finished run never changes again."""
    return await wizard.complete_wizard(scope_of(ctx), run_id, summary=summary, created=created)


@tool("wizard", title="Abandon wizard", read_only=False, destructive=False, idempotent=False)
async def abandon_wizard(ctx: Context, run_id: RunId, reason: Reason | None = None) -> WizardRunState:
    """Stop a run for good (the person changed their mind, or it went wrong). Records it created
    stay. Use pause_wizard to stop for now instead."""
    return await wizard.abandon_wizard(scope_of(ctx), run_id, reason)


@tool("wizard", title="Pause wizard", read_only=False, destructive=False, idempotent=True)
async def pause_wizard(ctx: Context, run_id: RunId, reason: Reason | None = None) -> WizardRunState:
    """Pause a run (e.g. waiting for the person). It keeps everything; resume_wizard or
    advance_wizard continues it."""
    return await wizard.set_run_status(scope_of(ctx), run_id, "paused", reason)


@tool("wizard", title="Resume wizard", read_only=False, destructive=False, idempotent=True)
async def resume_wizard(ctx: Context, run_id: RunId) -> WizardRunState:
    """Continue a paused or failed run where it stopped. Returns its state and what is next."""
    return await wizard.set_run_status(scope_of(ctx), run_id, "in-progress")


@tool("wizard", title="Delete wizard run", read_only=False, destructive=True, idempotent=True)
async def delete_wizard_run(ctx: Context, run_id: RunId) -> DeletedRun:
    """Delete a run and its whole thinking chain for good. Records it created stay. Ask the
    person first; abandon_wizard keeps the history."""
    return await wizard.delete_wizard_run(scope_of(ctx), run_id)


class AnswerForm(BaseModel):
    """What the person fills in when the server asks them a question directly."""

    answer: str = Field(description="Your answer")


def can_elicit(ctx: Context) -> bool:
    """Whether the connected client declared form-mode elicitation (an empty `elicitation`
    object means form mode, for clients older than the form/url split)."""
    capabilities = ctx.client_capabilities
    support = getattr(capabilities, "elicitation", None) if capabilities is not None else None
    if support is None:
        return False
    return getattr(support, "form", None) is not None or getattr(support, "url", None) is None


async def ask_the_person(
    ctx: Context,
    question: str,
    options: list[str] | None,
    run_id: UUID | None,
    project_id: UUID | None,
    ask_key: str | None,
    depends_on: list[UUID] | None,
) -> Elicit[AnswerForm] | None:
    """Resolver for ask_user: ask through the client when it can elicit and the call is valid (an
    invalid call is reported by the tool itself, without bothering the person). The SDK sends the
    request mid-call (protocol <= 2025-11-25) or as an input-required round (2026-07-28)."""
    if not can_elicit(ctx):
        return None
    try:
        await wizard.check_question(
            scope_of(ctx),
            question=question,
            project_id=project_id,
            run_id=run_id,
            options=options,
            ask_key=ask_key,
            depends_on=depends_on,
        )
    except Exception:
        return None
    message = question + (("\n\nOptions: " + "; ".join(options)) if options else "")
    return Elicit(message, AnswerForm)


def reply_of(outcome: object) -> Reply | None:
    if isinstance(outcome, AcceptedElicitation) and isinstance(outcome.data, AnswerForm):
        return ("accept", outcome.data.answer)
    if isinstance(outcome, DeclinedElicitation):
        return ("decline", None)
    if isinstance(outcome, CancelledElicitation):
        return ("cancel", None)
    return None


@tool("wizard", title="Ask the user", read_only=False, destructive=False, idempotent=False)
async def ask_user(
    ctx: Context,
    question: Annotated[
        str,
        Field(min_length=1, max_length=5000, description=("One clear question; say what you would choose and why.")),
    ],
    person: Annotated[ElicitationResult[AnswerForm], Resolve(ask_the_person)],
    run_id: Annotated[
        UUID | None, Field(description="The wizard run asking (leave out for a project-level question).")
    ] = None,
    project_id: Annotated[UUID | None, Field(description="The project, when the question belongs to no run.")] = None,
    options: Annotated[list[str] | None, Field(max_length=20, description="The options you see, if any.")] = None,
    ask_key: AskKey | None = None,
    depends_on: Annotated[
        list[UUID] | None, Field(max_length=100, description="Thoughts that raised the question.")
    ] = None,
) -> AskResult:
    """Ask the person something only they can settle. Logs a question thought; if this client can
    ask the person directly, it does so now and returns their answer (stored on the question and,
    with ask_key, as the run's answer). Otherwise, or if they decline, the question stays open:
    put it to them yourself and call answer_question with their reply."""
    return await wizard.ask_user(
        scope_of(ctx),
        question=question,
        project_id=project_id,
        run_id=run_id,
        options=options,
        ask_key=ask_key,
        depends_on=depends_on,
        reply=reply_of(person),
    )


@tool("wizard", title="Answer question", read_only=False, destructive=False, idempotent=False)
async def answer_question(
    ctx: Context,
    thought_id: Annotated[UUID, Field(description="The open question's id (from ask_user or open_questions).")],
    answer: Annotated[str, Field(min_length=1, max_length=20000, description="The person's answer, in their words.")],
) -> AskResult:
    """Record the person's answer to an open question: the question becomes confirmed and stops
    needing an answer; if it fills a wizard question (ask_key) of an open run, the run's answer is
    stored too."""
    return await wizard.answer_question(scope_of(ctx), thought_id, answer)


@resource("flexos://projects/{project_id}/runs/{run_id}", toolset="wizard", title="Wizard run")
async def run_resource(project_id: str, run_id: str) -> str:
    """A wizard run of a project as JSON: state, phase history, answers, decisions, outputs,
    open questions and what is next."""
    return to_json(
        await wizard.get_wizard_run(
            current_scope(), uuid_from_uri(run_id, "wizard run"), project_id=uuid_from_uri(project_id, "project")
        )
    )
