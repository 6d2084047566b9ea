"""Regenerate the parts of README.md that describe what the server exposes, from the code itself:
the toolsets and their tools, the prompts and their arguments, and the size of the tool lists.

    python scripts/readme_tools.py          # rewrite README.md in place
    python scripts/readme_tools.py --check  # exit 1 if README.md is stale (the tests do this)

Each part sits between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from mcp_types import ListToolsResult

from flexos_mcp.config import Config
from flexos_mcp.prompt_files import load_prompts
from flexos_mcp.server.app import build_server
from flexos_mcp.server.registry import all_tools
from flexos_mcp.server.toolsets import TOOLSETS
from flexos_mcp.wizard_definitions import load_wizard_definitions

README = Path(__file__).resolve().parent.parent / "README.md"


def render_tools() -> list[str]:
    specs = all_tools()
    lines = ["| toolset | default | tools |", "|---|---|---|"]
    for toolset in TOOLSETS.values():
        names = [s for s in specs if s.toolset == toolset.name]
        listed = ", ".join(f"`{s.name}`" + ("" if s.read_only else "\\*") for s in names) or "—"
        lines.append(
            f"| **{toolset.name}** — {toolset.description} | {'yes' if toolset.default else 'no'} | {listed} |"
        )
    return [*lines, "", f"{len(specs)} tools in all; \\* marks a tool that writes (left out by `--read-only`)."]


def _arguments(prompt) -> str:
    return ", ".join(f"`{a.name}`" + ("" if a.required else " (optional)") for a in prompt.arguments) or "none"


def render_prompts() -> list[str]:
    prompts = load_prompts()
    definitions = load_wizard_definitions()
    lines = ["| prompt | arguments | what it gives the model |", "|---|---|---|"]
    for prompt in sorted(prompts.values(), key=lambda p: (p.kind != "wizard", p.name)):
        if prompt.kind == "wizard":
            lines.append(
                f"| `{prompt.name}` | {_arguments(prompt)} | {prompt.description} The instructions of "
                f"every phase follow, then how to begin. |"
            )
        elif prompt.kind == "general":
            lines.append(f"| `{prompt.name}` | {_arguments(prompt)} | {prompt.description} |")
    for wizard_type, definition in sorted(definitions.items()):
        phases = ", ".join(f"`{phase.name}`" for phase in definition.phases)
        phase_arguments = {_arguments(prompts[f"{wizard_type}/{phase.name}"]) for phase in definition.phases}
        lines.append(
            f"| `{wizard_type}/<phase>`: {phases} | {', '.join(sorted(phase_arguments))} | That phase's "
            f"instructions alone, for a model already in a run that needs them again. |"
        )
    return lines


def _tool_list_bytes(toolsets: tuple[str, ...]) -> tuple[int, int]:
    """(tools, bytes of the tools/list result as JSON) for these toolsets."""
    server = build_server(Config(database_url="postgresql://unused", toolsets=toolsets))
    tools = asyncio.run(server.list_tools())
    return len(tools), len(ListToolsResult(tools=tools).model_dump_json(by_alias=True, exclude_none=True))


def render_tool_sizes() -> list[str]:
    default = [name for name, toolset in TOOLSETS.items() if toolset.default]
    default_count, default_bytes = _tool_list_bytes(("default",))
    all_count, all_bytes = _tool_list_bytes(("all",))
    return [
        f"The default tool list ({' + '.join(f'`{n}`' for n in default)}, {default_count} tools) is "
        f"{default_bytes / 1024:.1f} KB of JSON; all {all_count} tools are {all_bytes / 1024:.1f} KB, which is "
        f"why the rest is opt-in."
    ]


SECTIONS: dict[str, Callable[[], list[str]]] = {
    "tools": render_tools,
    "prompts": render_prompts,
    "tool-sizes": render_tool_sizes,
}


def updated(text: str) -> str:
    for name, render in SECTIONS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = "\n".join([head + start, "", *render(), "", end]) + tail
    return text


def main() -> int:
    text = README.read_text()
    new = updated(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's generated parts are stale: run python scripts/readme_tools.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
