"""A server imports only the tool modules of the toolsets it offers (server/registry.py), so every
tool and resource must live in a module named after its toolset (or `<toolset>_<more>`)."""

from __future__ import annotations

import subprocess
import sys

from flexos_mcp.server.registry import all_resources, all_tools, in_toolset_module


def _module(fn) -> str:
    return fn.__module__.rsplit(".", 1)[-1]


def test_every_tool_and_resource_lives_in_a_module_of_its_toolset():
    misplaced = [
        f"{spec.name} ({spec.toolset}) in tools/{_module(spec.fn)}.py"
        for spec in all_tools()
        if not in_toolset_module(_module(spec.fn), spec.toolset)
    ]
    misplaced += [
        f"{res.uri} ({res.toolset}) in tools/{_module(res.fn)}.py"
        for res in all_resources()
        if not in_toolset_module(_module(res.fn), res.toolset)
    ]
    assert not misplaced, misplaced


def test_a_server_of_two_toolsets_imports_only_their_modules_and_still_finds_every_tool():
    probe = """
import sys
from flexos_mcp.server.registry import find_tool, select_tools
names = [s.name for s in select_tools(["projects", "pages"], read_only=False)]
loaded = sorted(m.rsplit(".", 1)[-1] for m in sys.modules if m.startswith("flexos_mcp.tools."))
print(loaded)
print("get_project" in names and "create_page" in names and not any(n.startswith("log_") for n in names))
print(find_tool("log_thought") is not None)
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    loaded, selected, found = out.stdout.splitlines()
    assert loaded == "['pages', 'projects']"
    assert selected == "True" and found == "True"
