"""Regenerate the toolsets-and-tools section of README.md from the registry.

    python scripts/readme_tools.py          # rewrite README.md in place
    python scripts/readme_tools.py --check  # exit 1 if README.md is stale (the tests do this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from flexos_mcp.server.registry import all_tools
from flexos_mcp.server.toolsets import TOOLSETS

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"


def render() -> str:
    specs = all_tools()
    lines = [START, "", "| toolset | default | tools |", "|---|---|---|"]
    for toolset in TOOLSETS.values():
        names = [s for s in specs if s.toolset == toolset.name]
        listed = ", ".join(f"`{s.name}`" + ("" if s.read_only else "\\*") for s in names) or "—"
        lines.append(f"| **{toolset.name}** — {toolset.description} | {'yes' if toolset.default else 'no'} | {listed} |")
    lines += ["", f"{len(specs)} tools in all; \\* marks a tool that writes (left out by `--read-only`).", "", END]
    return "\n".join(lines)


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + render() + tail


def main() -> int:
    text = README.read_text()
    new = updated(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's tool list is stale: run python scripts/readme_tools.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
