"""What a model sees: guard rules over every tool, a reviewed snapshot of each tool's schema, the
context budget of the default toolsets, read-only mode, toolset selection, dynamic toolsets."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import anyio
import asyncpg
import pytest
from mcp import Client
from mcp.shared.subscriptions import ToolsListChanged
from pydantic import BaseModel

from flexos_mcp.config import Config
from flexos_mcp.db.error_map import explain_database_error
from flexos_mcp.db.pool import create_pool
from flexos_mcp.server.app import build_server
from flexos_mcp.server.registry import all_tools
from flexos_mcp.server.toolsets import TOOLSETS, UnknownToolset

from helpers import ROOT
from helpers.mcp_client import call, connect, new_email
from helpers.schema_values import FREE_FORM_ARGUMENTS

SNAPSHOTS = ROOT / "tests" / "toolsnaps"
UPDATE = os.environ.get("FLEXOS_UPDATE_SNAPSHOTS") == "1"
DEFAULT_BUDGET_BYTES = 40 * 1024


async def _tools(database_url, **settings):
    async with connect(database_url, **settings) as client:
        return (await client.list_tools()).tools


def _snapshot_of(tool) -> dict:
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True),
        "inputSchema": tool.input_schema,
        "outputSchema": tool.output_schema,
    }


# A writer that says it deletes records (other than "nothing is deleted") must say it is destructive.
DELETES = re.compile(r"\b(?<!nothing is )deleted\b", re.IGNORECASE)


def annotation_problems(tool) -> list[str]:
    """Hints that are missing, contradict each other, or contradict the tool's name or text."""
    ann, name = tool.annotations, tool.name
    if ann is None or None in (ann.read_only_hint, ann.destructive_hint, ann.idempotent_hint):
        return [f"{name}: annotations must state readOnly, destructive and idempotent hints"]
    problems = []
    if ann.read_only_hint and (ann.destructive_hint or not ann.idempotent_hint):
        problems.append(f"{name}: a read-only tool is neither destructive nor anything but idempotent")
    if name.startswith("delete_") and not ann.destructive_hint:
        problems.append(f"{name}: a delete_ tool is destructive")
    if not ann.read_only_hint and not ann.destructive_hint and DELETES.search(tool.description or ""):
        problems.append(f"{name}: its description says records are deleted, so it is destructive")
    return problems


def _planted_tool(name: str, description: str = "Does a thing to a project; returns it.", **hints):
    from mcp_types import Tool, ToolAnnotations

    annotations = ToolAnnotations(**hints) if hints else None
    return Tool(name=name, description=description, input_schema={"type": "object"}, annotations=annotations)


@pytest.mark.parametrize(
    "planted, problem",
    [
        (_planted_tool("update_thing"), "must state"),
        (_planted_tool("update_thing", read_only_hint=False, destructive_hint=False), "must state"),
        (_planted_tool("list_things", read_only_hint=True, destructive_hint=True, idempotent_hint=True), "read-only"),
        (_planted_tool("list_things", read_only_hint=True, destructive_hint=False, idempotent_hint=False), "read-only"),
        (_planted_tool("delete_thing", read_only_hint=False, destructive_hint=False, idempotent_hint=True), "delete_"),
        (
            _planted_tool(
                "save_canvas",
                "Nodes are created, updated or deleted to match.",
                read_only_hint=False,
                destructive_hint=False,
                idempotent_hint=True,
            ),
            "says records are deleted",
        ),
    ],
)
def test_the_annotation_check_catches_a_planted_lie(planted, problem):
    assert any(problem in p for p in annotation_problems(planted)), annotation_problems(planted)


def test_the_annotation_check_passes_an_honest_tool():
    honest = _planted_tool(
        "set_current",
        "Roll back to a version. Nothing is deleted.",
        read_only_hint=False,
        destructive_hint=False,
        idempotent_hint=True,
    )
    assert annotation_problems(honest) == []


async def test_every_tool_follows_the_conventions(database_url):
    problems = []
    for tool in await _tools(database_url, toolsets=("all",)):
        name = tool.name
        if not re.fullmatch(r"[a-z]+(_[a-z]+)+", name):
            problems.append(f"{name}: not verb_noun snake_case")
        if not tool.title:
            problems.append(f"{name}: no title")
        if not tool.description or len(tool.description) < 40:
            problems.append(f"{name}: description too short for a model to act on")
        problems += annotation_problems(tool)
        schema = tool.input_schema
        if schema.get("type") != "object" or {"anyOf", "oneOf", "allOf"} & set(schema):
            problems.append(f"{name}: input schema must be a plain object (no top-level anyOf/oneOf/allOf)")
        for prop, spec in schema.get("properties", {}).items():
            described = spec.get("description") or any(o.get("description") for o in spec.get("anyOf", []))
            if not described and "$ref" not in spec:
                problems.append(f"{name}.{prop}: argument has no description")
        if not tool.output_schema:
            problems.append(f"{name}: no output schema (structured output)")
    assert not problems, "\n".join(problems)


def loose_schemas(schema, path: str, allowed: dict[str, str]) -> list[str]:
    """Places in a JSON schema that accept anything: an array without `items`, an object that
    names neither its properties nor the schema of its values (free-form arguments excepted)."""
    if isinstance(schema, list):
        return [p for i, s in enumerate(schema) for p in loose_schemas(s, f"{path}[{i}]", allowed)]
    if not isinstance(schema, dict):
        return []
    name = path.rsplit(".", 1)[-1]
    if name in allowed:
        return []
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    found = []
    if "array" in kinds and "items" not in schema and "prefixItems" not in schema:
        found.append(f"{path}: array without items")
    if (
        "object" in kinds
        and "properties" not in schema
        and not isinstance(schema.get("additionalProperties"), dict)
        and schema.get("additionalProperties") is not False
    ):
        found.append(f"{path}: object without properties or a schema for its values")
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties") and isinstance(value, dict):
            found += [p for sub, s in value.items() for p in loose_schemas(s, f"{path}.{sub}", allowed)]
        elif isinstance(value, dict | list):
            found += loose_schemas(
                value,
                f"{path}.{key}" if key not in ("anyOf", "oneOf", "allOf", "items", "additionalProperties") else path,
                allowed,
            )
    return found


async def test_no_argument_accepts_anything_unless_documented_free_form(database_url):
    problems = []
    for tool in await _tools(database_url, toolsets=("all",)):
        problems += loose_schemas(tool.input_schema, tool.name, FREE_FORM_ARGUMENTS)
    assert not problems, "\n".join(problems)
    async with connect(database_url) as client:  # and the server holds to it
        project = (await client.call_tool("create_project", {"name": "Typed", "type": "api"})).structured_content
        refused = await client.call_tool(
            "create_page", {"project_id": project["id"], "name": "P", "key_elements": [1, {"a": 2}]}
        )
    assert refused.is_error and "`key_elements.0`" in refused.content[0].text, refused.content[0].text


def _compare_snapshots(folder, snapshots: dict[str, dict]) -> None:
    """Each snapshot against its reviewed file in `folder` (rewritten with FLEXOS_UPDATE_SNAPSHOTS=1)."""
    folder.mkdir(exist_ok=True)
    changed = []
    for name, snapshot in snapshots.items():
        path = folder / f"{name}.json"
        text = json.dumps(snapshot, indent=2, sort_keys=True) + "\n"
        if UPDATE:
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            changed.append(name)
    stale = sorted(p.stem for p in folder.glob("*.json") if p.stem not in snapshots)
    if UPDATE:
        for name in stale:
            (folder / f"{name}.json").unlink()
        return
    assert not changed, f"surface changed for {changed}; review and run with FLEXOS_UPDATE_SNAPSHOTS=1"
    assert not stale, f"snapshots of removed entries: {stale}; run with FLEXOS_UPDATE_SNAPSHOTS=1"


async def test_tool_snapshots_match(database_url):
    """Every tool, the dynamic-toolset tools (list_toolsets, enable_toolset) included."""
    tools = await _tools(database_url, toolsets=("all",))
    tools += await _tools(database_url, dynamic_toolsets=True)
    _compare_snapshots(SNAPSHOTS, {tool.name: _snapshot_of(tool) for tool in tools})


async def test_resource_snapshots_match(database_url):
    """Every resource template and static resource a client can list (names, URIs, descriptions)."""
    async with connect(database_url, toolsets=("all",)) as client:
        templates = (await client.list_resource_templates()).resource_templates
        resources = (await client.list_resources()).resources
    snapshots = {t.name: t.model_dump(by_alias=True, exclude_none=True) for t in templates}
    snapshots |= {r.name: r.model_dump(by_alias=True, exclude_none=True) for r in resources}
    assert len(snapshots) == len(templates) + len(resources), "two resources share a name"
    _compare_snapshots(SNAPSHOTS / "resources", snapshots)


async def test_default_tool_list_fits_the_context_budget(database_url):
    async with connect(database_url, toolsets=("default",)) as client:
        listed = await client.list_tools()
    size = len(listed.model_dump_json(by_alias=True, exclude_none=True))
    assert size <= DEFAULT_BUDGET_BYTES, f"tools/list for the default toolsets is {size} bytes"


async def test_read_only_registers_no_writing_tool(database_url):
    everything = {t.name: t for t in await _tools(database_url, toolsets=("all",))}
    writers = {n for n, t in everything.items() if not t.annotations.read_only_hint}
    assert {"create_project", "delete_project", "update_me"} <= writers
    read_only = {t.name for t in await _tools(database_url, toolsets=("all",), read_only=True)}
    assert read_only == set(everything) - writers
    assert not (read_only & writers)


async def test_read_only_connections_cannot_write(database_url):
    pool = await create_pool(database_url, read_only=True)
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError) as caught:
            await pool.execute("INSERT INTO users (email) VALUES ('x@y.z')")
    finally:
        await pool.close()
    assert "read-only" in str(explain_database_error(caught.value))


async def test_read_only_server_still_reads(database_url):
    async with connect(database_url, toolsets=("projects",), read_only=True) as client:
        result = await client.call_tool("list_projects", {})
        assert not result.is_error and result.structured_content["items"] == []


async def test_toolsets_select_tools(database_url):
    names = {t.name for t in await _tools(database_url, toolsets=("projects",))}
    expected = {s.name for s in all_tools() if s.toolset == "projects"}
    assert names == expected


def test_unknown_toolset_stops_the_server_with_the_valid_names():
    with pytest.raises(UnknownToolset) as caught:
        build_server(Config(database_url="postgresql://unused", toolsets=("pages", "nope")))
    assert "nope" in str(caught.value) and "projects" in str(caught.value)
    run = subprocess.run(
        [sys.executable, "-m", "flexos_mcp", "serve", "--toolsets", "pages,,flows"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "malformed" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "flexos_mcp", "serve", "--toolsets", "nope"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and "unknown toolset 'nope'" in run.stderr and run.stdout == ""


async def test_dynamic_toolsets_start_small_and_grow_on_request(database_url):
    async with connect(database_url, dynamic_toolsets=True) as client:
        assert {t.name for t in (await client.list_tools()).tools} == {"list_toolsets", "enable_toolset"}
        listed = (await client.call_tool("list_toolsets", {})).structured_content["toolsets"]
        assert {t["name"] for t in listed} == set(TOOLSETS)
        async with client.listen(tools_list_changed=True) as subscription:
            enabled = await client.call_tool("enable_toolset", {"toolset": "projects"})
            assert not enabled.is_error and "create_project" in enabled.structured_content["added_tools"]
            with anyio.fail_after(5):
                event = await subscription.__anext__()
            assert isinstance(event, ToolsListChanged)
        names = {t.name for t in (await client.list_tools()).tools}
        assert "create_project" in names
        created = await client.call_tool("create_project", {"name": "Dyn", "type": "api"})
        assert not created.is_error
        again = await client.call_tool("enable_toolset", {"toolset": "projects"})
        assert again.structured_content["added_tools"] == []
        bad = await client.call_tool("enable_toolset", {"toolset": "nope"})
        assert bad.is_error and "`toolset`" in bad.content[0].text


async def _templates(client) -> set[str]:
    return {t.uri_template for t in (await client.list_resource_templates()).resource_templates}


async def test_dynamic_toolsets_bring_their_resources_and_say_so(database_url):
    """A toolset's resources appear when it is enabled, not before; the client hears of it both
    ways (protocol 2026-07-28 subscriptions, and the plain notification earlier protocols use)."""
    from mcp.shared.exceptions import MCPError
    from mcp.shared.subscriptions import ResourcesListChanged
    from mcp_types import ResourceListChangedNotification

    pages = "flexos://projects/{project_id}/pages"
    tokens_css = "flexos://projects/{project_id}/design-system/tokens.css"
    async with connect(database_url, dynamic_toolsets=True) as client:
        assert await _templates(client) == set()
        assert (await client.list_resources()).resources == []
        assert client.server_capabilities.resources.list_changed
        async with client.listen(resources_list_changed=True) as subscription:
            enabled = await call(client, "enable_toolset", toolset="projects")
            assert "flexos://projects" in enabled["added_resources"]
            with anyio.fail_after(5):
                assert isinstance(await subscription.__anext__(), ResourcesListChanged)
        project = await call(client, "create_project", name="Dyn resources", type="web-app")
        with pytest.raises(MCPError) as unknown:
            await client.read_resource(pages.format(project_id=project["id"]))
        assert unknown.value.error.code == -32602 and "Unknown resource" in unknown.value.error.message
        assert tokens_css not in await _templates(client)

        await call(client, "enable_toolset", toolset="design")
        assert tokens_css in await _templates(client) and pages not in await _templates(client)
        await call(client, "create_design_system", project_id=project["id"])
        css = await client.read_resource(tokens_css.format(project_id=project["id"]))
        assert css.contents[0].text.startswith(":root")

        everything = await call(client, "enable_toolset", toolset="all")
        assert everything["toolset"] == "all" and "create_flow" in everything["added_tools"]
        assert "create_project" not in everything["added_tools"]  # already enabled, not added twice
        assert pages in await _templates(client)
        assert len((await client.list_tools()).tools) == len(all_tools()) + 2

    heard: list[object] = []

    async def collect(message) -> None:
        heard.append(message)

    config = Config(database_url=database_url, user_email=new_email(), dynamic_toolsets=True)
    async with Client(build_server(config), mode="legacy", message_handler=collect) as legacy:
        assert legacy.server_capabilities.resources.list_changed
        await call(legacy, "enable_toolset", toolset="flows")
        with anyio.fail_after(5):
            while not any(isinstance(m, ResourceListChangedNotification) for m in heard):
                await anyio.sleep(0.05)


class Shape(BaseModel):
    size: int


async def test_a_result_that_breaks_its_own_model_is_an_incident_not_a_bare_error():
    """Outside the per-tool guard (the SDK converting a result) a crash still reaches the caller
    only as an incident id."""
    from flexos_mcp.server.app import FlexOSServer

    server = FlexOSServer("broken")

    @server.tool(structured_output=True)
    async def broken_tool() -> Shape:
        """Returns something that is not a Shape."""
        return {"size": "not a number"}  # type: ignore[return-value]

    async with Client(server) as client:
        result = await client.call_tool("broken_tool", {})
    text = result.content[0].text
    assert result.is_error and re.search(r"Internal error in broken_tool \(incident [0-9a-f]{8}\)", text), text
    assert not text.startswith("Error executing tool")
