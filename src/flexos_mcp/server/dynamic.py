"""`--dynamic-toolsets`: the server starts with two discovery tools and adds a toolset's tools and
resources when the model asks for it, then tells the client both lists changed. A model pays
context only for what it uses.

Enabled toolsets belong to the server instance: meant for stdio, where one server serves one
host window.
"""

import logging
from typing import Annotated, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from .registry import (
    ResourceSpec,
    ToolSpec,
    add_registered_resource,
    add_registered_tool,
    select_resources,
    select_tools,
)
from .sdk_adapter import advertise_list_changes
from .toolsets import KEYWORD_ALL, TOOLSETS

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
    added_resources: list[str] = Field(description="Resource URIs (or URI templates) now available.")


def install_dynamic_toolsets(server: MCPServer, *, read_only: bool) -> None:
    tools: dict[str, list[ToolSpec]] = {name: select_tools([name], read_only=read_only) for name in TOOLSETS}
    resources: dict[str, list[ResourceSpec]] = {name: select_resources([name]) for name in TOOLSETS}
    enabled: set[str] = set()
    ToolsetName = Literal[(*TOOLSETS, KEYWORD_ALL)]  # type: ignore[valid-type]  # built at runtime: the schema lists the toolsets

    async def list_toolsets() -> ToolsetList:
        """List the toolsets this server offers, whether each is enabled, and its tools. Call
        enable_toolset to add one before using its tools."""
        return ToolsetList(
            toolsets=[
                ToolsetInfo(
                    name=name,
                    description=TOOLSETS[name].description,
                    enabled=name in enabled,
                    tools=[s.name for s in specs],
                )
                for name, specs in tools.items()
            ]
        )

    async def enable_toolset(
        ctx: Context,
        toolset: Annotated[ToolsetName, Field(description="The toolset to enable (see list_toolsets), or `all`.")],
    ) -> ToolsetEnabled:
        """Enable a toolset (or `all`): its tools and resources are added to this session and the
        client is told both lists changed. Enabling one that is already enabled changes nothing."""
        chosen = [name for name in (TOOLSETS if toolset == KEYWORD_ALL else [toolset]) if name not in enabled]
        added = ToolsetEnabled(toolset=toolset, added_tools=[], added_resources=[])
        for name in chosen:
            for spec in tools[name]:
                add_registered_tool(server, spec)
                added.added_tools.append(spec.name)
            for resource in resources[name]:
                add_registered_resource(server, resource)
                added.added_resources.append(resource.uri)
            enabled.add(name)
            log.info("enabled toolset %s", name)
        if added.added_tools:
            await ctx.notify_tools_changed()  # protocol 2026-07-28: subscriptions/listen
            await ctx.session.send_tool_list_changed()  # earlier protocols: a plain notification
        if added.added_resources:
            await ctx.notify_resources_changed()
            await ctx.session.send_resource_list_changed()
        return added

    server.add_tool(
        list_toolsets,
        title="List toolsets",
        structured_output=True,
        annotations=ToolAnnotations(
            read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
        ),
    )
    server.add_tool(
        enable_toolset,
        title="Enable toolset",
        structured_output=True,
        annotations=ToolAnnotations(
            read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
        ),
    )
    advertise_list_changes(server)
