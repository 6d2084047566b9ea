"""Settings: every one documented in the README, every bad value refused with a clear message."""

from __future__ import annotations

import pytest

from flexos_mcp.config import SETTINGS, Config, ConfigError

from helpers import ROOT


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not missing, f"README.md does not document {missing}"


def test_defaults_need_no_environment():
    config = Config.from_env({})
    assert config.database_url is None and config.toolsets == ("default",) and not config.read_only
    assert config.user_email.endswith("@localhost")


def test_values_are_read():
    config = Config.from_env(
        {
            "DATABASE_URL": "postgresql://h/db",
            "FLEXOS_USER_EMAIL": "Ada@Example.com",
            "FLEXOS_TOOLSETS": "pages, flows",
            "FLEXOS_READ_ONLY": "yes",
            "FLEXOS_STATEMENT_TIMEOUT_MS": "500",
            "FLEXOS_DATA_DIR": "/tmp/x",
        }
    )
    assert config.user_email == "ada@example.com" and config.toolsets == ("pages", "flows")
    assert config.read_only and config.statement_timeout_ms == 500 and str(config.data_dir) == "/tmp/x"


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"FLEXOS_USER_EMAIL": "nobody"}, "FLEXOS_USER_EMAIL"),
        ({"FLEXOS_READ_ONLY": "perhaps"}, "true or false"),
        ({"FLEXOS_STATEMENT_TIMEOUT_MS": "-3"}, "positive whole number"),
        ({"FLEXOS_LOG_LEVEL": "LOUD"}, "DEBUG, INFO"),
        ({"FLEXOS_TOOLSETS": "pages,,flows"}, "malformed"),
    ],
)
def test_bad_values_are_refused_clearly(env, fragment):
    with pytest.raises(ConfigError) as caught:
        Config.from_env(env)
    assert fragment in str(caught.value)


def test_readme_tool_list_is_current():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_tools.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr


def test_no_readme_table_is_cut_by_a_blank_line():
    """A row after a blank line starts a new table only if a header separator follows it; otherwise
    Markdown shows it as a stray line of pipes (as the rls.py row of the measured figures was)."""
    import re

    lines = (ROOT / "README.md").read_text().splitlines()
    stray = [
        lines[i]
        for i in range(1, len(lines) - 1)
        if lines[i].startswith("|")
        and not lines[i - 1].strip()
        and not re.fullmatch(r"\|[-| :]+\|", lines[i + 1].strip())
    ]
    assert not stray, f"table rows cut off from their table: {stray}"


def test_compute_limits_are_read_and_checked():
    config = Config.from_env({"FLEXOS_COMPUTE_WORKERS": "3", "FLEXOS_COMPUTE_TIMEOUT_S": "5"})
    assert config.compute.workers == 3 and config.compute.timeout_s == 5
    assert config.compute.memory_mb == Config().compute.memory_mb
    with pytest.raises(ConfigError, match="FLEXOS_COMPUTE_MEMORY_MB"):
        Config.from_env({"FLEXOS_COMPUTE_MEMORY_MB": "lots"})
