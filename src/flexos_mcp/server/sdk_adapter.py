"""Every touch of the MCP SDK's private internals (checked against mcp 2.3.0), in one module.

The rest of the package uses the SDK's public API only; what it cannot do publicly is done here,
one function per touch, each with a test in tests/test_sdk_adapter.py that fails loudly (and names
the touch) when an SDK release changes what it relies on. Each function says what public API would
replace it; README's "Notes for the SDK" lists them for upstream.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.lowlevel.server import Server as LowLevelServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool as RegisteredTool
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
from mcp_types import ListResourcesResult, ListToolsResult, PaginatedRequestParams
from pydantic import PrivateAttr


def registered_tool(server: MCPServer[Any], name: str) -> RegisteredTool | None:
    """The SDK's own record of a registered tool (None when there is none): its `parameters` (the
    input schema, rewritten in place to a lean one) and `fn_metadata` (the output schema).
    Missing upstream: `MCPServer.get_tool(name)`, and `add_tool(..., input_schema=, output_schema=)`
    to register a tool with schemas of one's own."""
    return server._tool_manager.get_tool(name)


def rewrite_tool_schemas(
    server: MCPServer[Any],
    name: str,
    *,
    input_schema: Callable[[dict[str, Any]], dict[str, Any]],
    output_schema: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Replace the input and output schemas the SDK derived for a registered tool with rewritten
    ones (lean schemas: see schema_slim). The SDK validates arguments against its pydantic model,
    not this schema, so only what clients see changes. The output schema is a cached property
    over `fn_metadata`, dropped here so the rewritten one is served."""
    registered = registered_tool(server, name)
    if registered is None:
        raise KeyError(f"no tool {name!r} is registered")
    registered.parameters = input_schema(registered.parameters)
    metadata = registered.fn_metadata
    if metadata.output_schema is not None:
        metadata.output_schema = output_schema(metadata.output_schema)
        registered.__dict__.pop("output_schema", None)


class _ConvertingMetadata(FuncMetadata):
    """The SDK's per-tool metadata with a converter of our own tried first (see convert_results),
    and the SDK's pre-parsing of JSON sent inside strings done for less (see pre_parse_json)."""

    _convert: Callable[[Any, Any], Any] | None = PrivateAttr(default=None)
    _parsed_keys: frozenset[str] | None = PrivateAttr(default=None)

    def convert_result(self, result: Any) -> Any:
        output_model = self.output_model if self.output_schema is not None and not self.wrap_output else None
        converted = self._convert(result, output_model) if self._convert is not None else None
        return super().convert_result(result) if converted is None else converted

    def pre_parse_json(self, data: dict[str, Any]) -> dict[str, Any]:
        """What the SDK's pre_parse_json returns (a list or an object sent as a JSON string, as
        Claude Desktop does, becomes the list or object), for a fifth of the time on every call.
        The SDK rebuilds its map of argument names each call and runs json.loads on every string
        argument not typed `str`, raising an exception for each plain one, only to keep nothing
        but a list, an object or null: a JSON text that starts with `[`, `{` or `n`. Missing
        upstream: the same (tests/test_sdk_adapter.py holds the two to the same answers)."""
        keys = self._parsed_keys
        if keys is None:
            keys = self._parsed_keys = frozenset(
                key
                for name, field in self.arg_model.model_fields.items()
                if field.annotation is not str
                for key in (name, field.alias)
                if key
            )
        parsed = None
        for key, value in data.items():
            if key in keys and isinstance(value, str) and value.lstrip(" \t\n\r")[:1] in _JSON_KEPT_STARTS:
                try:
                    loaded = json.loads(value)
                except (ValueError, RecursionError):
                    continue
                if not isinstance(loaded, str | int | float):
                    parsed = parsed if parsed is not None else dict(data)
                    parsed[key] = loaded
        return data.copy() if parsed is None else parsed


_JSON_KEPT_STARTS = ("[", "{", "n")  # a JSON array, object or null: what pre-parsing keeps


def convert_results(server: MCPServer[Any], name: str, convert: Callable[[Any, Any], Any]) -> None:
    """Let `convert(result, output_model)` turn what a registered tool returned into its
    CallToolResult before the SDK does (`output_model` is None for a tool without structured
    output); when it returns None, the SDK converts as always. Call it after the schemas are
    rewritten (it keeps them). Missing upstream: a result converter per tool, or a cheaper
    default (the SDK dumps a returned model to structured content, then serialises the model again
    as indented text)."""
    registered = registered_tool(server, name)
    if registered is None:
        raise KeyError(f"no tool {name!r} is registered")
    metadata = registered.fn_metadata
    converting = _ConvertingMetadata(
        arg_model=metadata.arg_model,
        output_schema=metadata.output_schema,
        output_model=metadata.output_model,
        wrap_output=metadata.wrap_output,
    )
    converting._convert = convert
    registered.fn_metadata = converting
    registered.__dict__.pop("output_schema", None)


def lowlevel_server(server: MCPServer[Any]) -> LowLevelServer[Any]:
    """The low-level server under an MCPServer, to run it on streams of our own (the stdio server
    reads stdin itself, so that a stop can drain calls in flight). Missing upstream: a public
    `MCPServer.lowlevel_server` (the SDK's in-memory client reaches for it too, with a TODO)."""
    return server._lowlevel_server


def advertise_list_changes(server: MCPServer[Any]) -> None:
    """Advertise `tools.listChanged` and `resources.listChanged` at initialize on every transport
    (dynamic toolsets change both lists). Missing upstream: `MCPServer(notification_options=...)`;
    today only the low-level `create_initialization_options` takes them, and MCPServer calls it
    without."""
    lowlevel = lowlevel_server(server)
    default_options = lowlevel.create_initialization_options

    def with_lists_changed(notification_options: NotificationOptions | None = None, *args: Any, **kwargs: Any) -> Any:
        options = notification_options or NotificationOptions(tools_changed=True, resources_changed=True)
        return default_options(options, *args, **kwargs)

    lowlevel.create_initialization_options = with_lists_changed  # type: ignore[method-assign]  # patched on this one server instance


def context_for(ctx: Context, request_context: Any, context_class: type[Context] = Context) -> Context:
    """A Context like `ctx` (same server, same subscription bus for `notify_*_changed`) serving
    `request_context` instead: how the wizard driver calls tools in-process with a recording
    database. Missing upstream: a public `Context.subscriptions` (or `Context.replace(...)`)."""
    return context_class(request_context=request_context, mcp_server=ctx.mcp_server, subscriptions=ctx._subscriptions)


class ListHandlers(MCPServer[Any]):
    """The SDK answers tools/list and resources/list through these two private handlers, which
    it registers at construction; a server that shapes the lists per request (per client, per
    caller) overrides the public-named hooks below instead. Missing upstream: per-request list
    hooks (a `list_tools(ctx)` / `list_resources(ctx, cursor)` that receives the request)."""

    async def _handle_list_tools(self, ctx: Any, params: PaginatedRequestParams | None) -> ListToolsResult:
        return await self.tools_for_request(ctx, params)

    async def _handle_list_resources(self, ctx: Any, params: PaginatedRequestParams | None) -> ListResourcesResult:
        return await self.resources_for_request(ctx, params)

    async def tools_for_request(self, ctx: Any, params: PaginatedRequestParams | None) -> ListToolsResult:
        """tools/list for this request; by default every registered tool."""
        return ListToolsResult(tools=await self.list_tools())

    async def resources_for_request(self, ctx: Any, params: PaginatedRequestParams | None) -> ListResourcesResult:
        """resources/list for this request; by default every static resource."""
        return ListResourcesResult(resources=await self.list_resources())
