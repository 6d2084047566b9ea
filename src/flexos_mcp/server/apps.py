"""MCP Apps views (extension `io.modelcontextprotocol/ui`): `ui://` HTML resources that a host
supporting MCP Apps renders inline, in a sandboxed frame, for the tools that name them
(`@tool(..., ui=MOCKUP_VIEW)`).

A view gets the tool's result from the host over postMessage (JSON-RPC: `ui/initialize`, then
`ui/notifications/tool-input` and `ui/notifications/tool-result`) and draws it; it may ask the host
to call another read tool (a flow view fetches the flow's analysis). The tool result itself is
the same for every client: a client that did not negotiate Apps sees exactly the result it always
did, and its tools/list carries no `_meta.ui` (FlexOSServer strips it).

The views share one page shell, script and stylesheet (`app_views/`), inlined into each document
when the server starts: a view needs nothing from the network, so each
declares an empty CSP allow-list. Mockup HTML shown by the mockup view goes into a nested
`sandbox="allow-scripts"` frame, never into the view's own document.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mcp.server.apps import EXTENSION_ID, Apps, ResourceCsp, ResourcePermissions, client_supports_apps

from ..analysis.viewports import VIEWPORTS
from ..rendering.mockup_frame import MOCKUP_POLICY

_VIEW_DIR = Path(__file__).resolve().parent / "app_views"

MOCKUP_VIEW = "ui://flexos/views/mockup.html"
DESIGN_SYSTEM_VIEW = "ui://flexos/views/design-system.html"
FLOW_VIEW = "ui://flexos/views/flow.html"
THINKING_VIEW = "ui://flexos/views/thinking.html"


@dataclass(frozen=True)
class View:
    uri: str
    kind: str  # which renderer of views.js draws it
    title: str
    description: str


VIEWS: dict[str, View] = {
    v.uri: v
    for v in (
        View(
            MOCKUP_VIEW,
            "mockup",
            "Mockup",
            "A mockup version drawn live in a sandboxed frame, with its version, size and who changed it.",
        ),
        View(
            DESIGN_SYSTEM_VIEW,
            "design-system",
            "Design system",
            "The design system's colour swatches with usage counts, type scale, spacing, radii and shadows.",
        ),
        View(
            FLOW_VIEW,
            "flow",
            "Journey flow",
            "A journey flow as a diagram, with unreachable nodes and dead ends highlighted.",
        ),
        View(
            THINKING_VIEW,
            "thinking",
            "Thinking chain",
            "A thinking chain as a graph and an indented tree; open questions and rejected thoughts stand out.",
        ),
    )
}


@cache
def view_html(uri: str) -> str:
    """The view's self-contained HTML: the one page shell with the view's kind and title, the shared
        stylesheet and script inlined, and as JSON data the renderer's viewport presets and the policy a
    mockup is shown under (rendering/mockup_frame.py)."""
    view = VIEWS[uri]

    def read(name: str) -> str:
        return (_VIEW_DIR / name).read_text(encoding="utf-8")

    data = json.dumps(
        {
            "viewports": {v.name: {"width": v.width, "height": v.height} for v in VIEWPORTS.values()},
            "mockupPolicy": MOCKUP_POLICY,
        }
    ).replace("</", "<\\/")
    parts = {
        "<!-- flexos:title -->": html.escape(view.title),
        "<!-- flexos:view -->": view.kind,
        "<!-- flexos:style -->": f"<style>\n{read('views.css')}</style>",
        "<!-- flexos:data -->": f'<script type="application/json" id="view-data">{data}</script>',
        "<!-- flexos:script -->": f"<script>\n{read('views.js')}</script>",
    }
    page = read("view.html")
    for marker, value in parts.items():
        page = page.replace(marker, value)
    return page


def apps_extension() -> Apps:
    """The Apps extension carrying every view (advertised under the server's capabilities)."""
    apps = Apps()
    for view in VIEWS.values():
        apps.add_html_resource(
            view.uri,
            view_html(view.uri),
            name=f"{view.kind}-view",
            title=view.title,
            description=view.description,
            csp=ResourceCsp(connect_domains=[], resource_domains=[], frame_domains=[]),
            permissions=ResourcePermissions(),
            prefers_border=True,
        )
    return apps


def tool_meta(ui: str | None) -> dict[str, Any] | None:
    """The `_meta` of a tool that names a view."""
    if ui is None:
        return None
    if ui not in VIEWS:
        raise ValueError(f"ui={ui!r} is not a view of server/apps.py; known: {', '.join(VIEWS)}")
    return {"ui": {"resourceUri": ui}}


def without_ui_meta(tool: Any, ctx: Any) -> Any:
    """The tool as a client that did not negotiate MCP Apps should see it: no `_meta.ui`."""
    meta = getattr(tool, "meta", None)
    if not meta or "ui" not in meta or client_supports_apps(ctx):
        return tool
    rest = {k: v for k, v in meta.items() if k != "ui"}
    return tool.model_copy(update={"meta": rest or None})


__all__ = [
    "DESIGN_SYSTEM_VIEW",
    "EXTENSION_ID",
    "FLOW_VIEW",
    "MOCKUP_VIEW",
    "THINKING_VIEW",
    "VIEWS",
    "View",
    "apps_extension",
    "client_supports_apps",
    "tool_meta",
    "view_html",
    "without_ui_meta",
]
