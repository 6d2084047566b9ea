"""`--dynamic-toolsets`: the server starts with two discovery tools and adds a toolset's tools
when the model asks for it, then tells the client the tool list changed. A model pays context
only for what it uses.

Enabled toolsets belong to the server instance: meant for stdio, where one server serves one
host window.
"""


import logging
from typing import Annotated, Literal

from mcp.server import MCPServer
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.mcpserver import Context
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from .registry import ToolSpec, select_tools
from .toolsets import TOOLSETS

log = logging.getLogger(__name__)


class ToolsetInfo(BaseModel):
    name: str
    description: str
    enabled: bool
    tools: list[str]


class ToolsetList(BaseModel):
    toolsets: list[ToolsetInfo]


class ToolsetEnabled(BaseModel):
    toolset: str
    added_tools: list[str] = Field(description="Tools now available; empty if the toolset was already enabled.")


def install_dynamic_toolsets(server: MCPServer, *, read_only: bool) -> None:
    available: dict[str, list[ToolSpec]] = {
        name: select_tools([name], read_only=read_only) for name in TOOLSETS
    }
    from .app import add_registered_tool  # app imports this module

    enabled: set[str] = set()
    ToolsetName = Literal[tuple(TOOLSETS)]  # type: ignore[valid-type]

    async def list_toolsets() -> ToolsetList:
        """List the toolsets this server offers, whether each is enabled, and its tools. Call
        enable_toolset to add one before using its tools."""
        return ToolsetList(toolsets=[
            ToolsetInfo(name=name, description=TOOLSETS[name].description, enabled=name in enabled,
                        tools=[s.name for s in specs])
            for name, specs in available.items()
        ])

    async def enable_toolset(
        ctx: Context,
        toolset: Annotated[ToolsetName, Field(description="The toolset to enable (see list_toolsets).")],
    ) -> ToolsetEnabled:
        """Enable a toolset: its tools are added to this session's tool list and the client is
        told the list changed. Enabling one that is already enabled changes nothing."""
        if toolset in enabled:
            return ToolsetEnabled(toolset=toolset, added_tools=[])
        for spec in available[toolset]:
            add_registered_tool(server, spec)
        enabled.add(toolset)
        await ctx.notify_tools_changed()              # protocol 2026-07-28: subscriptions/listen
        await ctx.session.send_tool_list_changed()   # earlier protocols: a plain notification
        log.info("enabled toolset %s", toolset)
        return ToolsetEnabled(toolset=toolset, added_tools=[s.name for s in available[toolset]])

    server.add_tool(list_toolsets, title="List toolsets", structured_output=True,
                    annotations=ToolAnnotations(title="List toolsets", read_only_hint=True, destructive_hint=False,
                                                idempotent_hint=True, open_world_hint=False))
    server.add_tool(enable_toolset, title="Enable toolset", structured_output=True,
                    annotations=ToolAnnotations(title="Enable toolset", read_only_hint=True, destructive_hint=False,
                                                idempotent_hint=True, open_world_hint=False))
    lowlevel = server._lowlevel_server
    default_options = lowlevel.create_initialization_options

    def with_tools_changed(notification_options=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        return default_options(notification_options or NotificationOptions(tools_changed=True), *args, **kwargs)

    lowlevel.create_initialization_options = with_tools_changed  # advertise tools.listChanged
