"""Which browser the renderer would launch: the setting first, then what the machine has."""

import os
import stat

import pytest

from flexos_mcp.rendering.chromium import find_chromium


def test_a_configured_browser_wins(tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert find_chromium({"FLEXOS_CHROMIUM": str(fake), "PATH": ""}) == str(fake)


def test_a_configured_path_that_is_not_a_browser_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="FLEXOS_CHROMIUM"):
        find_chromium({"FLEXOS_CHROMIUM": str(tmp_path / "nothing-here")})


def test_without_a_setting_the_machine_is_searched(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))  # no Playwright download here
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium({}) is None
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert find_chromium({}) == os.path.join(str(tmp_path), "chromium")
