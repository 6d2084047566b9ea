"""Toolset `wizard`, LLM-driven runs: a model runs a whole wizard through this server's tools —
Claude through the Anthropic API (ANTHROPIC_API_KEY), or the connected client's own model through
MCP sampling — and every step lands in the thinking chain."""

import contextlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field

from ..config import DEFAULT_MODEL
from ..domain.projects import require_project
from ..domain.wizard import Brief, WizardType
from ..errors import FlexError
from ..server.params import ProjectId
from ..server.registry import tool
from ..server.sdk_adapter import context_for
from ..server.state import app_of, scope_of
from ..wizard import store
from ..wizard.backends import (
    NO_MODEL_MESSAGE,
    AnthropicBackend,
    Backend,
    SamplingBackend,
    client_can_sample_with_tools,
)
from ..wizard.driver import DriveResult, Limits, ServerTools, WizardDriver
from ..wizard.store import StepRecorder

ModelSource = Literal["auto", "client", "anthropic"]
Source = Annotated[
    ModelSource,
    Field(
        description=(
            "Which model drives the run: 'anthropic' (Claude through the API; needs ANTHROPIC_API_KEY on the "
            "server), 'client' (your own model through MCP sampling with tools), or 'auto' (the API when "
            "configured, else your model)."
        )
    ),
]
MaxTurns = Annotated[
    int,
    Field(
        ge=1,
        le=500,
        description=(
            "Hard cap on model turns for the whole run (all attempts); reaching it marks the run failed, resumable with a higher cap."
        ),
    ),
]
MaxTokens = Annotated[
    int,
    Field(ge=1000, le=50_000_000, description=("Hard cap on input + output tokens for the whole run (all attempts).")),
]


def _backend(ctx: Context, source: ModelSource, tools: ServerTools, listed: dict[str, Any]) -> Backend:
    config = app_of(ctx).config
    can_sample = client_can_sample_with_tools(ctx)
    if source == "client" or (source == "auto" and not config.anthropic_api_key and can_sample):
        if not can_sample:
            raise FlexError(
                "Invalid model_source: 'client' needs a client that supports sampling with tools "
                "(protocol 2025-11-25, capability sampling.tools), and this one did not declare it. "
                "Use model_source 'anthropic' with ANTHROPIC_API_KEY set on the server instead."
            )
        return SamplingBackend(ctx, list(listed.values()))
    if not config.anthropic_api_key:
        if source == "anthropic":
            raise FlexError(
                "Invalid model_source: 'anthropic' needs ANTHROPIC_API_KEY in the server's environment "
                f"(FLEXOS_MODEL picks the model, default {DEFAULT_MODEL})."
            )
        raise FlexError(NO_MODEL_MESSAGE)
    return AnthropicBackend(config.anthropic_api_key, config.model)


async def _progress_reporter(ctx: Context) -> Callable[[str, int, int], Awaitable[None]]:
    count = 0

    async def report(message: str, turns: int, max_turns: int) -> None:
        nonlocal count
        count += 1
        with contextlib.suppress(Exception):  # progress is best effort; the run goes on
            await ctx.report_progress(count, None, message)

    return report


async def _driver(ctx: Context, model_source: ModelSource, max_turns: int, max_tokens: int) -> WizardDriver:
    """A driver that calls this server's own tools for the caller, with the chosen model."""
    recorder = StepRecorder()
    tools = ServerTools(ctx.mcp_server, ctx, recorder, scope_of(ctx), context_for)
    backend = _backend(ctx, model_source, tools, await tools.listed())
    return WizardDriver(
        tools,
        recorder,
        backend,
        Limits(max_turns=max_turns, max_tokens=max_tokens),
        progress=await _progress_reporter(ctx),
    )


@tool("wizard", title="Run wizard with a model", read_only=False, destructive=False, idempotent=False)
async def run_wizard(
    ctx: Context,
    project_id: ProjectId,
    wizard_type: Annotated[
        WizardType, Field(description="Which wizard to run: page-creator, feature-builder or design-system.")
    ],
    brief: Brief,
    model_source: Source = "auto",
    max_turns: MaxTurns = 60,
    max_tokens: MaxTokens = 2_000_000,
) -> DriveResult:
    """Start a wizard run and let a model drive it to the end through this server's tools: it
    works phase by phase (pages, mockups, answers, decisions), and every step — its text, each
    tool call and result, the thoughts it logs — lands in the run's thinking chain with its
    dependencies. Returns when the run is completed, paused (a question only the person can
    answer: answer_question, then continue_wizard_run) or failed (continue_wizard_run resumes it
    without repeating completed steps). Usage (turns, tokens, model) is recorded on the run.
    Use start_wizard instead to drive a run yourself."""
    scope = scope_of(ctx)
    await require_project(scope.db, scope.actor, project_id)
    driver = await _driver(ctx, model_source, max_turns, max_tokens)
    return await driver.start(project_id, wizard_type, brief)


@tool("wizard", title="Continue a model-driven wizard run", read_only=False, destructive=False, idempotent=False)
async def continue_wizard_run(
    ctx: Context,
    run_id: Annotated[UUID, Field(description="The wizard run's id (from run_wizard or list_wizard_runs).")],
    model_source: Source = "auto",
    max_turns: MaxTurns = 60,
    max_tokens: MaxTokens = 2_000_000,
) -> DriveResult:
    """Continue a paused, failed or interrupted run with a model, from its stored transcript:
    answers given with answer_question since the pause are handed to the model, and no tool call
    that already completed is made again. Refused while a question the run paused for is still
    unanswered, and for completed or abandoned runs. Returns like run_wizard."""
    scope = scope_of(ctx)
    await store.get_run(scope, run_id)
    driver = await _driver(ctx, model_source, max_turns, max_tokens)
    return await driver.drive(run_id, resume=True)
