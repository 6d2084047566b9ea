"""`flexos-mcp wizard run|resume|show` on the Lesson Library example, with Claude scripted at the
HTTP transport (the real SDK underneath)."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from flexos_mcp.cli import main
from flexos_mcp.cli_database import command_scope
from flexos_mcp.config import DEFAULT_MODEL, Config
from flexos_mcp.demo import load_example
from flexos_mcp.wizard import backends

from helpers.mcp_client import call, connect, new_email
from helpers.wizard_script import COLLECTIONS, FakeAnthropic


async def _load_example(config: Config) -> None:
    async with command_scope(config) as scope:
        await load_example(scope, "lesson-library")


@pytest.fixture
def cli_env(database_url, monkeypatch):
    email = new_email()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FLEXOS_USER_EMAIL", email)
    monkeypatch.setenv("FLEXOS_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    asyncio.run(_load_example(Config(database_url=database_url, user_email=email)))
    return email


def test_cli_runs_resumes_and_shows_a_wizard_on_the_example(cli_env, monkeypatch, capsys):
    fake = FakeAnthropic(page=COLLECTIONS)
    monkeypatch.setattr(backends, "make_anthropic_client", fake.client)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")

    assert main(["wizard", "run", "page-creator", "--project", "lesson-library", "--brief", COLLECTIONS.brief]) == 0
    out, err = capsys.readouterr()
    run_id = re.search(r"run ([0-9a-f-]{36}): paused \(phase review-consistency\)", out).group(1)
    assert "turn 1 · phase understand-intent: asking the model" in err and 'create_page(name="Collections"' in err
    assert "✗ Invalid arguments for create_page: `path`" in err  # the refused path, shown as it happens
    assert f'flexos-mcp wizard resume {run_id} --answer "..."' in out and "Does this first mockup" in out

    assert main(["wizard", "resume", run_id, "--answer", "Looks right, keep the grid."]) == 0
    out, err = capsys.readouterr()
    assert f"run {run_id}: completed (phase finalize)" in out and "11 model turns" in out

    assert main(["wizard", "show", run_id, "--width", "110"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"Wizard run {run_id} · page-creator · completed\nProject: Lesson Library (lesson-library)")
    assert f"Model: {DEFAULT_MODEL} via anthropic · 11 turns" in shown
    phases = re.findall(r"^  \d\. ([a-z-]+)", shown, flags=re.M)
    assert phases == [
        "understand-intent",
        "gather-context",
        "define-structure",
        "design-mockup",
        "review-consistency",
        "finalize",
    ]
    assert "[observation 0.90] The brief asks for a page listing" in shown
    assert "[decision 1.00] Did create_page(" in shown and "[observation 1.00] create_page failed" in shown
    assert "[question 0.50] Does this first mockup" in shown and "Open questions" not in shown
    print(shown)  # the README shows this output


def test_cli_without_a_key_says_what_to_configure(cli_env, capsys):
    assert main(["wizard", "run", "page-creator", "--project", "lesson-library", "--brief", "x"]) == 2
    assert "ANTHROPIC_API_KEY" in capsys.readouterr().err


def test_cli_refuses_unknown_runs_and_projects_in_its_own_words(cli_env, monkeypatch, capsys):
    """A person at the command line gets CLI commands to run, not MCP tool names."""
    missing = uuid.uuid4()
    assert main(["wizard", "show", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"No wizard run {missing} among the runs of {cli_env}" in err and "`flexos-mcp wizard run`" in err
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    assert main(["wizard", "resume", str(missing)]) == 1
    resumed = capsys.readouterr().err
    assert f"No wizard run {missing} among the runs of {cli_env}" in resumed
    assert main(["wizard", "run", "page-creator", "--project", "nope", "--brief", "x"]) == 1
    err = capsys.readouterr().err
    assert f"No project 'nope' among the projects of {cli_env}" in err and "`flexos-mcp demo`" in err
    for text in (err, resumed):
        assert not any(tool in text for tool in ("list_projects", "list_wizard_runs", "get_wizard_run"))
    with pytest.raises(SystemExit):
        main(["wizard", "show", "not-a-uuid"])
    assert "is not a run id" in capsys.readouterr().err


async def _run_with_a_rejected_assumption(database_url: str, email: str) -> str:
    """A run whose first assumption the person rejected (so what rests on it needs review) and
    which waits for an answer."""
    async with connect(database_url, email=email) as client:
        project = await call(client, "create_project", name="Reviewed", type="web-app")
        run = (await call(client, "start_wizard", project_id=project["id"], wizard_type="page-creator"))["id"]
        root = await call(
            client,
            "log_thought",
            run_id=run,
            thought_type="assumption",
            reasoning="Teachers browse lessons on their phones.",
            confidence=0.6,
        )
        decision = await call(
            client,
            "log_thought",
            run_id=run,
            thought_type="decision",
            confidence=0.7,
            reasoning="A single column of lesson cards.",
            depends_on=[root["id"]],
        )
        await call(
            client,
            "log_thought",
            run_id=run,
            thought_type="inference",
            confidence=0.5,
            reasoning="Filters go in a bottom sheet.",
            depends_on=[decision["id"]],
        )
        await call(
            client,
            "log_thought",
            run_id=run,
            thought_type="question",
            confidence=0.5,
            reasoning="Should each card show how many lessons a collection holds?",
        )
        await call(client, "reject_thought", thought_id=root["id"], user_feedback="They plan on laptops.")
    return run


def test_show_flags_thoughts_that_need_review_and_lists_open_questions(cli_env, database_url, capsys):
    run_id = asyncio.run(_run_with_a_rejected_assumption(database_url, cli_env))
    assert main(["wizard", "show", run_id, "--width", "200"]) == 0
    shown = capsys.readouterr().out
    assert "#1 [assumption 0.60] Teachers browse lessons on their phones.  (status: rejected)" in shown
    assert "#2 [decision 0.70] A single column of lesson cards.  (status: active, needs review)" in shown
    assert "#3 [inference 0.50] Filters go in a bottom sheet.  (status: active, needs review)" in shown
    assert "Needs review (2: a thought each rests on was rejected or revised)" in shown
    assert f'Open questions (1; answer with `flexos-mcp wizard resume {run_id} --answer "..."`)' in shown
    assert "? #4 " in shown and "Should each card show how many lessons a collection holds?" in shown
