"""Every prompt file in `prompts/` as an MCP prompt (prompts/list, prompts/get), so a person in
Claude Desktop or another host can start a wizard from the prompt menu and let their own model
drive it through our tools.

- A wizard prompt (`page-creator`, `feature-builder`, `design-system`) takes the run's arguments
  (the project, the brief) and returns one user message: the wizard's instructions, then the
  instructions of every phase in order (a host cannot add them phase by phase the way the
  driver does), then how to begin.
- A phase prompt (`page-creator/design-mockup`, ...) returns that phase's instructions alone,
  for a model that is already in a run and needs them again.
- A general prompt (`design-review`) is rendered with its arguments.

The `project` argument accepts a project id or slug; it is resolved among the caller's projects,
so the model gets the id its tools need (an unknown one is refused, like a missing record).

A read-only server does not offer the prompts that need writing tools: a prompt needs one when its
text (a wizard prompt's with its phases') names a writing tool in backticks.
"""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.prompts.base import Message, Prompt, PromptArgument, UserMessage
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from ..domain.projects import find_project
from ..prompt_files import PromptFile, load_prompts
from ..wizard_definitions import load_wizard_definitions
from .registry import all_tools
from .state import scope_of


async def _project_reference(ctx: Any, reference: str) -> str:
    """`slug` (project_id ...) for one of the caller's projects, named by id or slug."""
    project = await find_project(scope_of(ctx), reference)
    if project is None:
        raise ValueError(
            f"No project '{reference}' was found in your projects; give the id or slug of one of "
            f"yours (list_projects shows them)."
        )
    return f"{project.slug} (project_id {project.id})"


class FilePrompt(Prompt):
    """A prompt file: its own argument checks, whose messages reach the client (the SDK's
    generic check would answer "Internal server error")."""

    async def render(self, arguments: dict[str, Any] | None, context: Any) -> list[Message]:
        try:
            # Prompt.fn is typed sync-or-async with any prompt result; a FilePrompt's fn is always
            # _prompt_for's async render, which returns messages.
            return await self.fn(ctx=context, **(arguments or {}))  # type: ignore[misc, no-any-return]
        except ValueError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from exc


def _prompt_for(prompt: PromptFile, prompts: dict[str, PromptFile]) -> Prompt:
    definitions = load_wizard_definitions()
    definition = definitions.get(prompt.name) if prompt.kind == "wizard" else None
    if prompt.kind == "phase":
        wizard_type, phase = prompt.name.split("/", 1)
        title = f"{definitions[wizard_type].title}: {definitions[wizard_type].phase(phase).title}"
    else:
        title = definition.title if definition else prompt.name.replace("-", " ").capitalize()

    async def render(ctx: Any = None, **arguments: str) -> list[UserMessage]:
        values = dict(arguments)
        if values.get("project") and ctx is not None:
            values["project"] = await _project_reference(ctx, values["project"])
        text = prompt.render(values)
        if definition is not None:
            parts = [
                text,
                "",
                "# Phase instructions",
                "Apply each phase's instructions when the run enters that phase.",
                "",
            ]
            for phase in definition.phases:
                phase_prompt = prompts[f"{prompt.name}/{phase.name}"]
                wanted = {a.name for a in phase_prompt.arguments}
                parts += [phase_prompt.render({k: v for k, v in values.items() if k in wanted}), ""]
            parts.append(
                f"# Begin\nCall start_wizard with the project's id, wizard_type `{prompt.name}` and the brief, "
                f"then work through the phases from `{definition.initial_phase}`, logging your thinking with "
                f"log_thought as you go."
            )
            text = "\n".join(parts)
        return [UserMessage(text)]

    return FilePrompt(
        name=prompt.name,
        title=title,
        description=prompt.description,
        arguments=[
            PromptArgument(name=a.name, description=a.description, required=a.required) for a in prompt.arguments
        ],
        fn=render,
        context_kwarg="ctx",
    )


def writing_tools_named(prompt: PromptFile, prompts: dict[str, PromptFile]) -> set[str]:
    """The writing tools a prompt tells the model to use (a phase prompt and a wizard prompt
    count their wizard's whole text)."""
    wizard_type = prompt.name.split("/", 1)[0] if prompt.kind == "phase" else prompt.name
    texts = [p.body for name, p in prompts.items() if name == wizard_type or name.startswith(f"{wizard_type}/")]
    if prompt.kind == "general":
        texts = [prompt.body]
    writers = {spec.name for spec in all_tools() if not spec.read_only}
    return {name for name in writers if any(f"`{name}`" in text for text in texts)}


def install_prompts(server: MCPServer, *, read_only: bool = False) -> None:
    """Register every prompt file (wizard, phase and general prompts) as an MCP prompt; on a
    read-only server, only those that need no writing tool."""
    prompts = load_prompts()
    for prompt in prompts.values():
        if read_only and writing_tools_named(prompt, prompts):
            continue
        server.add_prompt(_prompt_for(prompt, prompts))
