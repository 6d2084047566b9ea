"""The installed `flexos-mcp` command run as a real process, as a person runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXECUTABLE = shutil.which("flexos-mcp", path=str(Path(sys.executable).parent)) or "flexos-mcp"


def run_flexos(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXECUTABLE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)
