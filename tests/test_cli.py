"""The command line as a person meets it, run as real processes: every command that writes says
which database it uses; `demo` says whose project it made and how to see it, and does not make a
second copy; `token create` on the embedded database says what that means; nothing prints a
warning about XDG_RUNTIME_DIR."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from helpers.cli_process import EXECUTABLE, run_flexos
from helpers.mcp_client import new_email


def _with_password(url: str, password: str) -> str:
    """The same URL with a password (ignored by the test servers' trust authentication)."""
    parts = urlsplit(url)
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':')[0]}:{password}@{host}"))


async def test_demo_says_whose_project_it_made_and_does_not_make_it_twice(database_url, db):
    email = new_email()
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": _with_password(database_url, "s3cret-pw"),
        "FLEXOS_LOG_LEVEL": "WARNING",
    }
    first = run_flexos("demo", "--email", email, env=env)
    assert first.returncode == 0, first.stderr
    assert "as project 'Lesson Library' (slug lesson-library, id " in first.stdout and f"for {email}." in first.stdout
    assert f'"FLEXOS_USER_EMAIL": "{email}"' in first.stdout and "flexos-mcp demo --email" in first.stdout
    assert "flexos-mcp: using PostgreSQL at postgresql://postgres:***@" in first.stderr
    assert "s3cret-pw" not in first.stderr + first.stdout

    again = run_flexos("demo", "--email", email, env=env)
    assert again.returncode == 0, again.stderr
    assert (
        f"The lesson-library example is already loaded for {email} as project 'Lesson Library' (slug "
        f"lesson-library, id "
        in again.stdout
        and "nothing was changed" in again.stdout
    )
    slugs = await db.fetch("SELECT p.slug FROM projects p JOIN users u ON u.id = p.user_id WHERE u.email = $1", email)
    assert [r["slug"] for r in slugs] == ["lesson-library"]


@pytest.fixture
def home():
    folder = Path(tempfile.mkdtemp(prefix="flexos-cli-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_commands_on_the_embedded_database_say_so_and_print_no_runtime_dir_warning(home):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "FLEXOS_DATA_DIR": str(home / "data"),
        "FLEXOS_LOG_LEVEL": "WARNING",
    }  # and no XDG_RUNTIME_DIR, as under cron, sudo or in a container
    embedded = f"flexos-mcp: using the embedded PostgreSQL in {home / 'data' / 'postgres'} (DATABASE_URL is not set)"
    runs = {"migrate": run_flexos("migrate", env=env)}  # creates the cluster
    # A server holds the cluster open meanwhile, so each command joins it instead of starting it.
    holder = subprocess.Popen(
        [EXECUTABLE, "serve"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        runs["token create"] = run_flexos("token", "create", "--email", "ops@example.com", env=env)
    finally:
        _, holder_err = holder.communicate("", timeout=120)  # end of input: the server exits
    runs["serve"] = subprocess.CompletedProcess(["serve"], holder.returncode, "", holder_err)
    for command, run in runs.items():
        assert run.returncode == 0, f"{command}: {run.stderr}"
        assert "Warning" not in run.stderr and "XDG_RUNTIME_DIR" not in run.stderr, f"{command}: {run.stderr}"
        assert embedded in run.stderr, f"{command} does not say which database it uses: {run.stderr}"
    token = runs["token create"]
    assert token.stdout.startswith("flexos_")
    assert "The token is stored in the embedded PostgreSQL" in token.stderr
    assert "DATABASE_URL=postgresql://... flexos-mcp token create --email ops@example.com" in token.stderr
