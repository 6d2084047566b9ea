"""One test per touch of the MCP SDK's private internals (server/sdk_adapter.py), each on a bare
MCPServer with a real in-memory client, no database: when an SDK release changes what a touch
relies on, the test named after it fails, before anything built on it misbehaves."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ListResourcesResult, ListToolsResult, Resource, TextContent, TextResourceContents
from pydantic import BaseModel

from flexos_mcp.server.sdk_adapter import (
    ListHandlers,
    advertise_list_changes,
    context_for,
    convert_results,
    lowlevel_server,
    registered_tool,
    rewrite_tool_schemas,
)


class Echoed(BaseModel):
    text: str


async def echo(text: str) -> Echoed:
    """Echo the text."""
    return Echoed(text=text)


def _server(cls: type[MCPServer[Any]] = MCPServer) -> MCPServer[Any]:
    server = cls("adapter-test")
    server.add_tool(echo, structured_output=True)
    return server


async def test_registered_tool_is_the_sdk_record_with_parameters_and_metadata():
    server = _server()
    tool = registered_tool(server, "echo")
    assert tool is not None and registered_tool(server, "nothing") is None
    assert tool.parameters["properties"]["text"]["type"] == "string"
    assert tool.fn_metadata.output_schema["properties"]["text"]["type"] == "string"
    assert tool.annotations is None


async def test_rewritten_tool_schemas_are_what_clients_list_and_calls_still_validate():
    server = _server()

    def lean_input(schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "description": "rewritten input"}

    def lean_output(schema: dict[str, Any]) -> dict[str, Any]:
        return {**schema, "description": "rewritten output"}

    rewrite_tool_schemas(server, "echo", input_schema=lean_input, output_schema=lean_output)
    async with Client(server) as client:
        [listed] = (await client.list_tools()).tools
        assert listed.input_schema["description"] == "rewritten input"
        assert listed.output_schema["description"] == "rewritten output"
        result = await client.call_tool("echo", {"text": "hi"})
        assert result.structured_content == {"text": "hi"}
        refused = await client.call_tool("echo", {"text": 3})
        assert refused.is_error


async def test_the_lowlevel_server_runs_streams_and_builds_initialization_options():
    lowlevel = lowlevel_server(_server())
    assert callable(lowlevel.run)
    options = lowlevel.create_initialization_options()
    assert options.server_name == "adapter-test" and options.capabilities.tools is not None


async def test_advertised_list_changes_are_in_the_handshake_era_initialization_options():
    """Protocols before 2026-07-28 take listChanged from these options (later ones derive it from
    subscriptions/listen being served): without the touch they say False."""
    plain = lowlevel_server(_server()).create_initialization_options().capabilities
    assert plain.tools.list_changed is False
    server = _server()
    server.add_resource(_static_resource())
    advertise_list_changes(server)
    options = lowlevel_server(server).create_initialization_options().capabilities
    assert options.tools.list_changed is True and options.resources.list_changed is True
    async with Client(server) as client:  # and the server still initializes with them
        assert client.server_capabilities.tools.list_changed


def _static_resource():
    from mcp.server.mcpserver.resources import TextResource

    return TextResource(uri="res://static", name="static", text="static")


async def test_context_for_keeps_the_subscription_bus_and_serves_the_new_request():
    seen: dict[str, Any] = {}

    async def rebind(ctx: Context) -> str:
        """Build a context for the same request through the adapter and use its bus."""
        copy = context_for(ctx, ctx.request_context)
        await copy.notify_tools_changed()  # raises without the subscription bus
        seen["same_request"] = copy.request_context is ctx.request_context
        seen["same_server"] = copy.mcp_server is ctx.mcp_server
        return "ok"

    server = MCPServer("adapter-test")
    server.add_tool(rebind)
    async with Client(server) as client:
        result = await client.call_tool("rebind", {})
    assert not result.is_error, result.content[0].text
    assert seen == {"same_request": True, "same_server": True}


class Shaped(ListHandlers):
    async def tools_for_request(self, ctx: Any, params: Any) -> ListToolsResult:
        return ListToolsResult(tools=[t.model_copy(update={"title": "per request"}) for t in await self.list_tools()])

    async def resources_for_request(self, ctx: Any, params: Any) -> ListResourcesResult:
        listed = await self.list_resources()
        return ListResourcesResult(resources=[*listed, Resource(uri="res://extra", name="extra")])


async def test_list_handlers_answer_tools_list_and_resources_list():
    server = _server(Shaped)
    server.add_resource(_static_resource())
    async with Client(server) as client:
        assert [t.title for t in (await client.list_tools()).tools] == ["per request"]
        assert {str(r.uri) for r in (await client.list_resources()).resources} == {"res://static", "res://extra"}
        read = await client.read_resource("res://static")
        assert isinstance(read.contents[0], TextResourceContents) and read.contents[0].text == "static"


async def test_default_list_handlers_list_what_is_registered():
    server = _server(ListHandlers)
    async with Client(server) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["echo"]
        assert (await client.list_resources()).resources == []


async def test_converted_results_come_from_our_converter_and_anything_else_from_the_sdk():
    server = _server()

    async def shout(text: str) -> str:
        """Not structured: the converter is asked with no output model."""
        return text.upper()

    server.add_tool(shout)
    seen: list[Any] = []

    def convert(result: Any, output_model: Any) -> Any:
        seen.append(output_model)
        if output_model is Echoed and result.text == "mine":
            return CallToolResult(
                content=[TextContent(type="text", text="converted")], structured_content={"text": "mine"}
            )
        return None

    rewrite_tool_schemas(server, "echo", input_schema=lambda s: s, output_schema=lambda s: {**s, "description": "kept"})
    convert_results(server, "echo", convert)
    convert_results(server, "shout", convert)
    async with Client(server) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert listed["echo"].output_schema["description"] == "kept"
        mine = await client.call_tool("echo", {"text": "mine"})
        assert mine.content[0].text == "converted" and mine.structured_content == {"text": "mine"}
        other = await client.call_tool("echo", {"text": "other"})
        assert other.structured_content == {"text": "other"} and '"other"' in other.content[0].text
        assert (await client.call_tool("shout", {"text": "hi"})).content[0].text == "HI"
    assert seen == [Echoed, Echoed, None]


async def many_kinds(
    words: list[str] | None = None,
    options: dict[str, Any] | None = None,
    note: str | None = None,
    count: int | None = None,
    flag: bool | None = None,
    plain: str = "",
) -> Echoed:
    """Arguments of every kind a client may send as a JSON string."""
    return Echoed(text=repr((words, options, note, count, flag, plain)))


async def test_pre_parsing_json_in_strings_answers_as_the_sdk_does():
    """Our pre_parse_json (sdk_adapter._ConvertingMetadata) skips the work the SDK's would throw
    away; for every kind of value a client sends, the answer is the SDK's own, and a call with a
    list sent as a JSON string still works end to end."""
    from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata

    server = MCPServer("adapter-test")
    server.add_tool(many_kinds, structured_output=True)
    convert_results(server, "many_kinds", lambda result, model: None)
    metadata = registered_tool(server, "many_kinds").fn_metadata
    assert type(metadata).pre_parse_json is not FuncMetadata.pre_parse_json, "the cheaper pre-parsing is installed"
    texts = [
        '["a", "b"]',
        " \n[1]",
        '{"k": 1}',
        "null",
        " null",
        "true",
        "false",
        "12",
        "-3.5",
        '"quoted"',
        "plain",
        "[unclosed",
        "{bad",
        "nope",
        "",
        "  ",
        "\u2003[1]",
        "[" * 5000 + "]" * 5000,
        "1" * 5000,
    ]
    for key in ("words", "options", "note", "count", "flag", "plain", "unknown"):
        for value in [*texts, 7, None, ["x"], {"a": 1}]:
            data = {key: value, "plain": "[1]"}
            assert metadata.pre_parse_json(data) == FuncMetadata.pre_parse_json(metadata, data), (key, value)
    async with Client(server) as client:
        result = await client.call_tool("many_kinds", {"words": '["a", "b"]', "options": '{"k": 1}', "plain": "[1]"})
    assert result.structured_content == {"text": repr((["a", "b"], {"k": 1}, None, None, None, "[1]"))}
