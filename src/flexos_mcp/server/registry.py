"""The tool registry. A tool is a typed async function in `flexos_mcp/tools/<toolset>.py`,
declared with `@tool(...)`: its toolset, title and behaviour hints live beside its code, and the
server builder decides at start which tools exist (toolsets, read-only mode).

Every registered function is guarded: a FlexError becomes a tool error with its own message, a
database error becomes an actionable message (db/error_map.py), and anything else is logged with
a traceback under an incident id while the caller gets a message that names the incident. For a
resource, a failure the caller can act on (a missing record above all) is "invalid params" (-32602),
like an unknown URI; only our own faults and an unavailable database are internal errors (-32603).

`add_registered_tool` / `add_registered_resource` put a declared tool or resource on a server.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic_core import to_json

from ..db.availability import is_unavailable
from ..db.error_map import explain_database_error
from ..errors import DatabaseUnavailable, FlexError
from .apps import tool_meta
from .schema_slim import collapse_optional_arguments, compact, strip_titles
from .sdk_adapter import convert_results, rewrite_tool_schemas
from .toolsets import TOOLSETS

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class ToolSpec:
    name: str
    toolset: str
    title: str
    fn: Callable[..., Awaitable[Any]]
    read_only: bool
    destructive: bool
    idempotent: bool
    ui: str | None = None  # the ui:// view (server/apps.py) a host that supports MCP Apps shows the result in
    open_world: bool = False  # reaches outside FlexOS (the web), so hosts can tell the user

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(  # the title lives on the tool itself; not repeated here
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


@dataclass(frozen=True)
class ResourceSpec:
    uri: str
    toolset: str
    name: str
    title: str
    description: str
    mime_type: str
    fn: Callable[..., Awaitable[Any]]


_REGISTRY: dict[str, ToolSpec] = {}
_RESOURCES: dict[str, ResourceSpec] = {}


def explain_failure(exc: BaseException, what: str) -> str:
    """The caller-facing text for any exception raised by a tool or resource."""
    if isinstance(exc, FlexError):
        return str(exc)
    if isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError | OSError):
        # An outage is logged once by db/availability.py, not once per failed call.
        log.log(logging.DEBUG if is_unavailable(exc) else logging.INFO, "%s: database error %r", what, exc)
        return str(explain_database_error(exc))
    incident = uuid.uuid4().hex[:8]
    log.error("%s failed unexpectedly (incident %s)", what, incident, exc_info=exc)
    return (
        f"Internal error in {what} (incident {incident}); nothing was changed. Try once more; if it "
        f"fails again, tell the user the incident id so they can find it in the server log."
    )


def _guarded(fn: F, what: str, error: type[Exception], caller_error: type[Exception] | None = None) -> F:
    """`fn` with every exception turned into `error` (the caller's own mistakes into
    `caller_error`, when given) carrying actionable text (see module doc)."""

    @functools.wraps(fn)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except error:
            raise
        except Exception as exc:
            mistake = isinstance(exc, FlexError) and not isinstance(exc, DatabaseUnavailable)
            raise (caller_error if caller_error and mistake else error)(explain_failure(exc, what)) from exc

    return guarded  # type: ignore[return-value]  # functools.wraps keeps fn's signature; mypy sees the wrapper's own


def tool(
    toolset: str,
    *,
    title: str,
    read_only: bool,
    destructive: bool,
    idempotent: bool,
    ui: str | None = None,
    open_world: bool = False,
) -> Callable[[F], F]:
    """Register a tool. The function's name is the tool's name, its docstring the description.
    The three hints are required, so each tool states them instead of inheriting a default that
    may not be true of it: `destructive` when it deletes records (a node a saved canvas left out),
    `idempotent` when calling it twice with the same arguments changes nothing more.
    `ui` names a `ui://` view of server/apps.py that renders the tool's result inline in hosts
    that support MCP Apps (the result itself is the same for every client)."""
    if toolset not in TOOLSETS:
        raise ValueError(f"unknown toolset {toolset!r}")
    if ui is not None and not ui.startswith("ui://"):
        raise ValueError(f"ui={ui!r}: an MCP Apps view is a ui:// URI (see server/apps.py)")

    def register(fn: F) -> F:
        name = fn.__name__
        if name in _REGISTRY:
            raise ValueError(f"tool {name} is registered twice")
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"tool {name} needs a docstring: it is the description a model reads")

        guarded = _guarded(fn, name, ToolError)
        _REGISTRY[name] = ToolSpec(name, toolset, title, guarded, read_only, destructive, idempotent, ui, open_world)
        return fn

    return register


def resource(uri: str, *, toolset: str, title: str, mime_type: str = "application/json") -> Callable[[F], F]:
    """Register a resource (read-only, listed when its toolset is enabled). The function gets the
    URI's parameters and reaches the caller through `current_scope()`; its docstring is the
    description. It is guarded like a tool: only actionable text leaves the server."""
    if toolset not in TOOLSETS:
        raise ValueError(f"unknown toolset {toolset!r}")

    def register(fn: F) -> F:
        # A missing record is the caller's mistake, like an unknown URI: -32602, not -32603.
        guarded = _guarded(fn, f"resource {uri}", ResourceError, caller_error=ResourceNotFoundError)
        _RESOURCES[uri] = ResourceSpec(uri, toolset, fn.__name__, title, (fn.__doc__ or "").strip(), mime_type, guarded)
        return fn

    return register


def in_toolset_module(module: str, toolset: str) -> bool:
    """Whether `tools/<module>.py` may declare tools of `toolset`: its name is the toolset's, or
    starts with it and an underscore (tools/wizard_driver.py: wizard). tests/test_tool_modules.py
    holds every module to it, so a server imports only the modules of the toolsets it offers."""
    return module == toolset or module.startswith(toolset + "_")


def _import_tool_modules(toolsets: list[str] | None = None) -> None:
    """Import the modules that declare tools: all of them, or those of `toolsets` only (a server
    with the default two toolsets does not pay at start for importing the other ten)."""
    from .. import tools

    for module in pkgutil.iter_modules(tools.__path__):
        if toolsets is None or any(in_toolset_module(module.name, t) for t in toolsets):
            importlib.import_module(f"{tools.__name__}.{module.name}")


def _in_toolset_order(specs: Any) -> list[Any]:
    order = {name: i for i, name in enumerate(TOOLSETS)}
    return sorted(specs, key=lambda s: order[s.toolset])


def all_tools() -> list[ToolSpec]:
    """Every tool, in toolset order, then in the order its module declares them."""
    _import_tool_modules()
    return _in_toolset_order(_REGISTRY.values())


def all_resources() -> list[ResourceSpec]:
    """Every resource and resource template, in toolset order."""
    _import_tool_modules()
    return _in_toolset_order(_RESOURCES.values())


def find_tool(name: str) -> ToolSpec | None:
    """Any declared tool by name, whether or not this server exposes it."""
    _import_tool_modules()
    return _REGISTRY.get(name)


def select_tools(toolsets: list[str], *, read_only: bool) -> list[ToolSpec]:
    _import_tool_modules(toolsets)
    return [
        s for s in _in_toolset_order(_REGISTRY.values()) if s.toolset in toolsets and (s.read_only or not read_only)
    ]


def select_resources(toolsets: list[str]) -> list[ResourceSpec]:
    _import_tool_modules(toolsets)
    return [r for r in _RESOURCES.values() if r.toolset in toolsets]


def compact_json(value: Any) -> str:
    """JSON without indentation or escaped non-ASCII: what a tool result's text block holds.
    pydantic-core's encoder writes what json.dumps(ensure_ascii=False, separators=(",", ":"))
    writes (floats aside: 1e-7, not 1e-07) in a fifth of the time, on every result."""
    return to_json(value).decode()


class CompactResult(CallToolResult):
    """A result whose text block is already the compact JSON of its structured content."""


def _dumped_once(result: Any, output_model: Any) -> CompactResult | None:
    """The result of a tool that returns exactly its output model, from one dump. The SDK would
    dump the model to structured content, serialise it a second time as indented text, and
    `app.compact_text` would write that text a third time, compact: the same result for a third of
    the work (bench/profiles/README.md). None for anything else: the SDK converts it."""
    if output_model is None or type(result) is not output_model:
        return None
    structured = result.model_dump(mode="json", by_alias=True)
    return CompactResult(
        content=[TextContent(type="text", text=compact_json(structured))], structured_content=structured
    )


def add_registered_tool(server: MCPServer[Any], spec: ToolSpec) -> None:
    """Put one declared tool on `server`, with lean schemas (see schema_slim) and, when it names an
    MCP Apps view, `_meta.ui.resourceUri` (see apps.py)."""
    server.add_tool(
        spec.fn,
        name=spec.name,
        title=spec.title,
        annotations=spec.annotations,
        structured_output=True,
        meta=tool_meta(spec.ui),
    )
    rewrite_tool_schemas(server, spec.name, input_schema=_lean_input, output_schema=_lean_output)
    convert_results(server, spec.name, _dumped_once)


def _lean_input(schema: dict[str, Any]) -> dict[str, Any]:
    strip_titles(schema)
    collapse_optional_arguments(schema)
    lean: dict[str, Any] = compact(schema, output=False)  # a schema object in, a schema object out
    return lean


def _lean_output(schema: dict[str, Any]) -> dict[str, Any]:
    strip_titles(schema)
    lean: dict[str, Any] = compact(schema, output=True)  # a schema object in, a schema object out
    return lean


def add_registered_resource(server: MCPServer[Any], spec: ResourceSpec) -> None:
    """Put one declared resource (or resource template) on `server`."""
    server.resource(spec.uri, name=spec.name, title=spec.title, description=spec.description, mime_type=spec.mime_type)(
        spec.fn
    )
