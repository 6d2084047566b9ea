"""Every prompt file is an MCP prompt: prompts/list and prompts/get through a real client."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError

from flexos_mcp.prompt_files import load_prompts, render_prompt
from flexos_mcp.wizard_definitions import load_wizard_definitions

from helpers.mcp_client import connect, new_email


async def test_every_prompt_file_is_listed_with_its_arguments(database_url):
    files = load_prompts()
    async with connect(database_url) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(listed) == set(files)
    for name, prompt_file in files.items():
        prompt = listed[name]
        assert prompt.description == prompt_file.description and prompt.title
        assert [(a.name, a.description, a.required) for a in prompt.arguments or []] == [
            (a.name, a.description, a.required) for a in prompt_file.arguments
        ]


async def test_every_prompt_renders_through_a_client(database_url):
    email = new_email()
    files = load_prompts()
    definitions = load_wizard_definitions()
    async with connect(database_url, email) as client:
        project = (
            await client.call_tool("create_project", {"name": "Lesson Library", "type": "web-app"})
        ).structured_content
        for name, prompt_file in files.items():
            arguments = {}
            for argument in prompt_file.arguments:
                arguments[argument.name] = {
                    "project": "lesson-library",
                    "brief": "A page to plan a lesson",
                    "page": "/lessons",
                    "focus": "colour",
                }[argument.name]
            got = await client.get_prompt(name, arguments)
            assert len(got.messages) == 1 and got.messages[0].role == "user"
            text = got.messages[0].content.text
            if prompt_file.kind == "phase":
                assert text == render_prompt(name, {})
                continue
            assert f"lesson-library (project_id {project['id']})" in text
            if prompt_file.kind == "wizard":
                # The wizard's instructions, then every phase's, then how to begin.
                assert text.startswith(
                    prompt_file.render({**arguments, "project": f"lesson-library (project_id {project['id']})"})
                )
                for phase in definitions[name].phases:
                    assert files[f"{name}/{phase.name}"].body in text
                assert "start_wizard" in text.rsplit("# Begin", 1)[1]
                if "brief" in arguments:
                    assert "A page to plan a lesson" in text


async def test_prompt_arguments_are_checked(database_url):
    async with connect(database_url) as client:
        await client.call_tool("create_project", {"name": "Mine", "type": "web-app"})
        with pytest.raises(MCPError) as missing:
            await client.get_prompt("page-creator", {"project": "mine"})
        assert "brief" in str(missing.value)
        with pytest.raises(MCPError) as unknown:
            await client.get_prompt("page-creator", {"project": "no-such-project", "brief": "x"})
        assert "no-such-project" in str(unknown.value) and "list_projects" in str(unknown.value)
        # Another user's project answers exactly like a missing one.
        async with connect(database_url) as other:
            with pytest.raises(MCPError) as foreign:
                await other.get_prompt("page-creator", {"project": "mine", "brief": "x"})
        assert str(foreign.value) == str(unknown.value).replace("no-such-project", "mine")
