"""`flexos-mcp wizard run|resume|show`: drive a wizard with Claude from the command line and read
what it did.

`run` and `resume` start the server in-process with every toolset and call its `run_wizard` /
`continue_wizard_run` tools through an in-memory MCP client — the same path any MCP client takes —
printing progress to stderr as the model works. `show` prints a run's phases, usage and its
thinking chain as an indented tree (types, confidence, open questions).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from datetime import datetime
from typing import Any
from uuid import UUID

from .analysis.thought_graph import render_thought_tree
from .config import DEFAULT_MODEL, Config
from .errors import FlexError, NotFound
from .wizard_definitions import load_wizard_definitions


def add_wizard_commands(subparsers: Any) -> None:
    """Add `wizard run|resume|show` to the CLI's subcommands."""
    wizard = subparsers.add_parser("wizard", help="let Claude run a wizard; show a run's reasoning")
    actions = wizard.add_subparsers(dest="wizard_command", metavar="ACTION", required=True)

    run = actions.add_parser("run", help="start a wizard run and let Claude drive it (needs ANTHROPIC_API_KEY)")
    run.add_argument("wizard_type", choices=sorted(load_wizard_definitions()), help="the wizard to run")
    run.add_argument("--project", required=True, help="the project's slug or id")
    run.add_argument("--brief", required=True, help="what you want, in your words")
    _limits(run)

    resume = actions.add_parser("resume", help="continue a paused, failed or interrupted run")
    resume.add_argument("run_id", type=_uuid, help="the run's id")
    resume.add_argument("--answer", help="your answer to the question the run is waiting for")
    _limits(resume)

    show = actions.add_parser("show", help="print a run's phases and its thinking chain")
    show.add_argument("run_id", type=_uuid, help="the run's id")
    show.add_argument("--width", type=int, default=100, help="wrap the thought tree at this width (default 100)")


def _limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-turns", type=int, default=60, help="cap on model turns for the run (default 60)")
    parser.add_argument(
        "--max-tokens", type=int, default=2_000_000, help="cap on input+output tokens for the run (default 2,000,000)"
    )


def _uuid(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a run id (a UUID such as 3f2b...-...)") from None


def run_wizard_command(args: argparse.Namespace, config: Config) -> int:
    """Run `flexos-mcp wizard ...`; returns the exit code (0 done or paused, 1 failed, 2 misconfigured)."""
    for noisy in ("httpx", "httpx2", "mcp"):  # progress lines are the output here, not request logs
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return asyncio.run(_dispatch(args, config))
    except NotFound as exc:  # the domain's text names MCP tools; here a person runs commands
        print(f"flexos-mcp: {_not_found_here(exc, args, config)}", file=sys.stderr)
        return 1
    except FlexError as exc:
        print(f"flexos-mcp: {exc}", file=sys.stderr)
        return 1


def _not_found_here(exc: NotFound, args: argparse.Namespace, config: Config) -> str:
    who = f"{config.user_email} (FLEXOS_USER_EMAIL picks the user)"
    if exc.field == "project":
        return (
            f"No project {args.project!r} among the projects of {who}. Give the slug or id of one of them; "
            f"`flexos-mcp demo` loads an example project."
        )
    if exc.field == "run_id":
        return (
            f"No wizard run {args.run_id} among the runs of {who}. `flexos-mcp wizard run` prints the id of "
            f"each run it starts."
        )
    return str(exc)


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    from .cli_database import command_scope

    if args.wizard_command == "show":
        async with command_scope(config) as scope:
            print(await show_run(scope, args.run_id, width=args.width))
        return 0
    if not config.anthropic_api_key:
        print(
            "flexos-mcp: wizard run/resume needs ANTHROPIC_API_KEY (Claude drives the run; FLEXOS_MODEL picks "
            f"the model, default {DEFAULT_MODEL}). Without a key, use an MCP client with sampling (run_wizard) "
            "or start the wizard's prompt in your MCP host.",
            file=sys.stderr,
        )
        return 2
    from .domain.projects import find_project
    from .wizard import store

    async with command_scope(config) as scope:
        if args.wizard_command == "run":
            project = await find_project(scope, args.project)
            if project is None:
                raise NotFound(
                    "project",
                    args.project,
                    field="project",
                    hint="Give a project id or slug of yours (flexos-mcp lists them with list_projects).",
                )
            tool, arguments = (
                "run_wizard",
                {"project_id": str(project.id), "wizard_type": args.wizard_type, "brief": args.brief},
            )
        else:
            tool, arguments = "continue_wizard_run", {"run_id": str(args.run_id)}
            await store.get_run(scope, args.run_id)  # an unknown run is refused here, in the CLI's words
            if args.answer:
                await _answer_open_question(scope, args.run_id, args.answer)
    arguments |= {"model_source": "anthropic", "max_turns": args.max_turns, "max_tokens": args.max_tokens}
    result = await _call_server(config, tool, arguments)
    print(_outcome(result))
    return 1 if result["status"] == "failed" else 0


async def _answer_open_question(scope: Any, run_id: UUID, answer: str) -> None:
    from .domain import thinking, wizard

    questions = await thinking.run_open_questions(scope.db, run_id)
    if len(questions) != 1:
        raise FlexError(
            f"--answer needs exactly one open question in the run; it has {len(questions)}. "
            f"`flexos-mcp wizard show {run_id}` lists them."
        )
    await wizard.answer_question(scope, questions[0].id, answer)


async def _call_server(config: Config, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    from mcp import Client

    from .server.app import build_server, resolve_database_url

    url = await resolve_database_url(config)
    server = build_server(
        dataclasses.replace(config, database_url=url, toolsets=("all",), read_only=False, dynamic_toolsets=False)
    )

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        if message:
            print(message, file=sys.stderr, flush=True)

    async with Client(server) as client:
        result = await client.call_tool(tool, arguments, progress_callback=progress)
    if result.is_error:
        raise FlexError(" ".join(getattr(block, "text", "") for block in result.content))
    structured: dict[str, Any] = result.structured_content  # the driver tools all return a structured result
    return structured


def _outcome(result: dict[str, Any]) -> str:
    lines = [
        f"run {result['run_id']}: {result['status']} (phase {result['current_phase']})",
        f"{result['model_turns']} model turns, {result['tool_calls']} tool calls, {result['thoughts']} thoughts, "
        f"{result['input_tokens']:,} input / {result['output_tokens']:,} output tokens ({result['model']})",
        result["message"],
    ]
    for question in result["open_questions"]:
        lines.append(f"? {question['thought_id']}: {question['question']}")
    if result["status"] == "paused":
        lines.append(f'answer with: flexos-mcp wizard resume {result["run_id"]} --answer "..."')
    lines.append(f"details: flexos-mcp wizard show {result['run_id']}")
    return "\n".join(lines)


def _clock(value: str | datetime | None) -> str:
    if value is None:
        return "…"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%H:%M:%S")


async def show_run(scope: Any, run_id: UUID, *, width: int = 100) -> str:
    """A run as text for a person: header, usage, phases, the thought tree, open questions."""
    from .domain import projects, thinking, wizard
    from .wizard import store

    state = await wizard.get_wizard_run(scope, run_id)
    project = await projects.get_project(scope, state.project_id)
    usage = await store.run_usage(scope.db, run_id)
    thoughts = await thinking.run_thought_rows(scope.db, run_id)
    lines = [
        f"Wizard run {state.id} · {state.wizard_type} · {state.status}",
        f"Project: {project.name} ({project.slug})",
    ]
    if state.status_note:
        lines.append(f"Note: {state.status_note}")
    if usage.get("driver_backend"):
        lines.append(
            f"Model: {usage['driver_model']} via {usage['driver_backend']} · {usage['model_turns']} turns · "
            f"{usage['tool_calls']} tool calls · {usage['input_tokens']:,} input / "
            f"{usage['output_tokens']:,} output tokens"
        )
    lines += ["", "Phases"]
    number = 0
    for number, entry in enumerate(state.phase_history, start=1):
        answers = ", ".join(entry.get("answers") or {}) or "no answers"
        lines.append(
            f"  {number}. {entry['phase']:<20} {_clock(entry.get('entered_at'))} → "
            f"{_clock(entry.get('left_at'))}  ({answers})"
        )
    if state.status not in ("completed", "abandoned") and state.current_phase:
        lines.append(f"  {number + 1}. {state.current_phase:<20} {_clock(state.phase_entered_at)} → now  (current)")
    summary = (state.outputs or {}).get("summary")
    if summary:
        lines += ["", "Summary", f"  {summary}"]
    lines += ["", f"Thinking chain ({len(thoughts)} thoughts)"]
    lines.append(render_thought_tree(thoughts, width=width) if thoughts else "  (none)")
    numbers = {t["id"]: number for number, t in enumerate(thoughts, start=1)}
    open_questions = [t for t in thoughts if t["needs_answer"]]
    if open_questions:
        lines += [
            "",
            f'Open questions ({len(open_questions)}; answer with `flexos-mcp wizard resume {run_id} --answer "..."`)',
        ]
        lines += [f"  ? #{numbers[t['id']]} {t['id']}: {t['reasoning']}" for t in open_questions]
    to_review = [t for t in thoughts if t["needs_review"]]
    if to_review:
        lines += ["", f"Needs review ({len(to_review)}: a thought each rests on was rejected or revised)"]
        lines += [f"  ! #{numbers[t['id']]} {t['id']}: {t['reasoning']}" for t in to_review]
    return "\n".join(lines)
