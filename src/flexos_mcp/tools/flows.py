"""Toolset `flows`: user-journey flows (VueFlow canvases) and their nodes, journey building,
analysis, coverage and Mermaid export."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from ..domain import flow_nodes, flow_reports, flows
from ..domain.flow_nodes import DeletedFlowNode, FlowNodeList, LayoutResult
from ..domain.flow_reports import FlowAnalysis, FlowCoverage, FlowMermaid
from ..domain.flows import (
    CANVAS_ID_PATTERN,
    MAX_CANVAS_BYTES,
    MAX_CANVAS_NODES,
    CanvasSaved,
    DeletedFlow,
    Flow,
    FlowCanvas,
    FlowList,
    FlowName,
    FlowNode,
    FlowType,
    NodeType,
    StepType,
)
from ..server.apps import FLOW_VIEW
from ..server.params import DEFAULT_PAGE, Clearable, Cursor, JsonObject, Limit, ProjectId, changes_from_arguments
from ..server.registry import resource, tool
from ..server.resource_helpers import RESOURCE_PAGE, listing, to_json, uuid_from_uri
from ..server.state import current_scope, scope_of


def _bounded_canvas(value: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(value))
    if size > MAX_CANVAS_BYTES:
        raise ValueError(
            f"is {size:,} bytes as JSON; a canvas may be at most {MAX_CANVAS_BYTES:,} bytes "
            f"({MAX_CANVAS_NODES} nodes). Split the journey into several flows"
        )
    return value


Canvas = Annotated[
    dict[str, Any],
    AfterValidator(_bounded_canvas),
    Field(
        description="VueFlow FlowExportObject (toObject()): {nodes: [{id, type, position: {x, y}, data, width?, "
        "height?, label?}], edges: [{id, source, target, label?, data?: {trigger?, element?}}], viewport}. "
        "type: screen (data.page_id, mockup_id), decision (data.question, branches [{label, "
        "target_node: a node id}]), database (data.entity, operation CREATE|READ|UPDATE|DELETE), action, "
        f"annotation. At most {MAX_CANVAS_NODES} nodes. Other keys are kept as sent."
    ),
]
Viewport = Annotated[
    JsonObject,
    WithJsonSchema(
        {
            "type": "object",
            "properties": {"x": {"type": "number"}, "y": {"type": "number"}, "zoom": {"type": "number"}},
            "required": ["x", "y", "zoom"],
        }
    ),
]  # checked by analysis/vueflow.py, which names the bad key
FlowId = Annotated[UUID, Field(description="The flow's id (from list_flows or create_flow).")]
NodeId = Annotated[UUID, Field(description="The flow node's id (from get_flow or list_flow_nodes).")]
Description = Annotated[str, Field(max_length=20000, description="What the journey is for, in a sentence or two.")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
NodeRefText = Annotated[str, Field(min_length=1, max_length=255)]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)


class Size(BaseModel):
    model_config = ConfigDict(extra="forbid")
    width: float | None = Field(None, gt=0, allow_inf_nan=False)
    height: float | None = Field(None, gt=0, allow_inf_nan=False)


class ConnectionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_node_id: NodeRefText = Field(description="Id or canvas_node_id of a node of the same flow.")
    trigger: ShortText | None = Field(None, description="e.g. 'click', 'form_submit'.")
    element: ShortText | None = Field(None, description="e.g. 'button.submit'.")
    label: ShortText | None = Field(None, description="Text on the arrow.")


NodeData = Annotated[
    JsonObject,
    Field(
        description="By type: screen {page_id, mockup_id, device_frame}; decision {question, "
        "branches: [{label, target_node: a node id}]}; database {entity, "
        "operation: CREATE|READ|UPDATE|DELETE, fields}; any: label, entry: true, "
        "exit: true."
    ),
]
Connections = Annotated[
    list[ConnectionInput], Field(max_length=200, description="Where the node leads (the whole list).")
]


def _point(value: Point | None) -> dict[str, float] | None:
    return None if value is None else {"x": value.x, "y": value.y}


def _size(value: Size | None) -> dict[str, float] | None:
    return None if value is None else value.model_dump(exclude_none=True)


# ---------------------------------------------------------------------------------------------
# Flows


@tool("flows", title="Create flow", read_only=False, destructive=False, idempotent=False)
async def create_flow(
    ctx: Context,
    project_id: ProjectId,
    name: FlowName,
    description: Description | None = None,
    flow_type: Annotated[FlowType | None, Field(description="Whose journey: user, admin, system or error.")] = None,
    is_primary: Annotated[bool | None, Field(description="True for the app's main journey(s).")] = None,
    canvas: Annotated[
        Canvas | None, Field(description="A VueFlow canvas to start from, as for save_flow_canvas.")
    ] = None,
    filters_applied: Annotated[JsonObject | None, Field(description="Editor filter state.")] = None,
    display_settings: Annotated[JsonObject | None, Field(description="Editor display settings.")] = None,
) -> Flow:
    """Create a user-journey flow in a project, empty or from a VueFlow canvas. Returns the flow
    with its nodes. Then build it step by step with add_flow_step and connect_nodes (positions are
    computed for you), or save a whole canvas with save_flow_canvas."""
    values = changes_from_arguments(locals(), leave_out=("project_id", "canvas"), name=name.strip())
    return await flows.create_flow(scope_of(ctx), project_id, values, canvas)


@tool("flows", title="Get flow", read_only=True, destructive=False, idempotent=True, ui=FLOW_VIEW)
async def get_flow(
    ctx: Context,
    flow_id: FlowId,
    include_nodes: Annotated[
        bool, Field(description="Include the nodes (default true); false for just the flow's fields.")
    ] = True,
) -> Flow:
    """Read one flow: name, type, viewport, settings, and its nodes in canvas order (type, label,
    position, data, connections). For the raw VueFlow canvas use get_flow_canvas."""
    return await flows.get_flow(scope_of(ctx), flow_id, include_nodes=include_nodes)


@tool("flows", title="List flows", read_only=True, destructive=False, idempotent=True)
async def list_flows(
    ctx: Context,
    project_id: ProjectId,
    flow_type: Annotated[FlowType | None, Field(description="Only flows of this type.")] = None,
    is_primary: Annotated[bool | None, Field(description="Only primary (true) or secondary (false) flows.")] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> FlowList:
    """List a project's journey flows, oldest first, with node counts (no canvases, no nodes).
    Pages through results with `cursor`."""
    return await flows.list_flows(
        scope_of(ctx), project_id, flow_type=flow_type, is_primary=is_primary, limit=limit, cursor=cursor
    )


@tool("flows", title="Update flow", read_only=False, destructive=False, idempotent=True)
async def update_flow(
    ctx: Context,
    flow_id: FlowId,
    name: FlowName | None = None,
    description: Clearable[Description] = None,
    flow_type: Annotated[FlowType | None, Field(description="user, admin, system or error.")] = None,
    is_primary: Annotated[bool | None, Field(description="True for the app's main journey(s).")] = None,
    viewport: Annotated[Viewport | None, Field(description="Camera {x, y, zoom}; also stored in the canvas.")] = None,
    filters_applied: Annotated[JsonObject | None, Field(description="Replaces the editor filter state.")] = None,
    display_settings: Annotated[JsonObject | None, Field(description="Replaces the editor display settings.")] = None,
) -> Flow:
    """Change some fields of a flow (not its nodes); only the fields you pass change (null
    clears the description). Returns the flow without nodes."""
    changes = changes_from_arguments(locals(), leave_out=("flow_id",), name=name.strip() if name else None)
    return await flows.update_flow(scope_of(ctx), flow_id, changes)


@tool("flows", title="Delete flow", read_only=False, destructive=True, idempotent=True)
async def delete_flow(ctx: Context, flow_id: FlowId) -> DeletedFlow:
    """Delete a flow and all its nodes for good; features stop listing it as a required journey.
    Returns how many nodes went with it. Ask the user first."""
    return await flows.delete_flow(scope_of(ctx), flow_id)


# ---------------------------------------------------------------------------------------------
# Canvas


@tool("flows", title="Save flow canvas", read_only=False, destructive=True, idempotent=True)
async def save_flow_canvas(ctx: Context, flow_id: FlowId, canvas: Canvas) -> CanvasSaved:
    """Store a VueFlow canvas (FlowExportObject from toObject()) as the flow's whole state, in one
    step: nodes become the flow's nodes (created, updated or deleted to match; a node keeps its
    id across saves through its VueFlow id), edges become their connections. Everything is
    checked first (edges and decision branches name nodes of this canvas, screens name pages of
    this project); a bad canvas changes nothing. Returns what changed and the node ids."""
    return await flows.save_flow_canvas(scope_of(ctx), flow_id, canvas)


@tool("flows", title="Get flow canvas", read_only=True, destructive=False, idempotent=True)
async def get_flow_canvas(ctx: Context, flow_id: FlowId) -> FlowCanvas:
    """The flow as a VueFlow FlowExportObject ({nodes, edges, viewport, ...}), exactly as last
    saved plus any changes made through the node tools; pass it to VueFlow's fromObject(). Its
    text values come inside <user-content> blocks (labels people wrote); save_flow_canvas takes
    them back as they are."""
    return await flows.get_flow_canvas(scope_of(ctx), flow_id)


# ---------------------------------------------------------------------------------------------
# Nodes


@tool("flows", title="Create flow node", read_only=False, destructive=False, idempotent=False)
async def create_flow_node(
    ctx: Context,
    flow_id: FlowId,
    node_type: Annotated[NodeType, Field(description="screen, decision, database, action or annotation.")],
    data: NodeData | None = None,
    position: Annotated[
        Point | None, Field(description="Canvas position; left out, the node goes right of the canvas.")
    ] = None,
    size: Annotated[Size | None, Field(description="Width and height in pixels, if known.")] = None,
    connections: Connections | None = None,
    locked: Annotated[bool | None, Field(description="True to keep the node from being dragged in the editor.")] = None,
    canvas_node_id: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=255,
            pattern=CANVAS_ID_PATTERN,
            description="The node's VueFlow id; generated when left out.",
        ),
    ] = None,
) -> FlowNode:
    """Add one node to a flow with its data and outgoing connections. To append a journey step
    after another node (connected, positioned for you) prefer add_flow_step. Returns the node."""
    values = changes_from_arguments(
        locals(),
        leave_out=("flow_id",),
        position=_point(position),
        size=_size(size),
        connections=[c.model_dump() for c in connections] if connections is not None else None,
    )
    return await flow_nodes.create_flow_node(scope_of(ctx), flow_id, values)


@tool("flows", title="Get flow node", read_only=True, destructive=False, idempotent=True)
async def get_flow_node(ctx: Context, node_id: NodeId) -> FlowNode:
    """Read one flow node: type, label, position, size, data and connections."""
    return await flow_nodes.get_flow_node(scope_of(ctx), node_id)


@tool("flows", title="List flow nodes", read_only=True, destructive=False, idempotent=True)
async def list_flow_nodes(
    ctx: Context,
    flow_id: FlowId,
    node_type: Annotated[NodeType | None, Field(description="Only nodes of this type.")] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> FlowNodeList:
    """List a flow's nodes, oldest first, optionally of one type (e.g. every screen). Pages
    through results with `cursor`."""
    return await flow_nodes.list_flow_nodes(scope_of(ctx), flow_id, node_type=node_type, limit=limit, cursor=cursor)


@tool("flows", title="Update flow node", read_only=False, destructive=False, idempotent=True)
async def update_flow_node(
    ctx: Context,
    node_id: NodeId,
    node_type: Annotated[
        NodeType | None, Field(description="screen, decision, database, action or annotation.")
    ] = None,
    data: Annotated[NodeData | None, Field(description="Replaces the node's data (see create_flow_node).")] = None,
    position: Annotated[Point | None, Field(description="New canvas position.")] = None,
    size: Annotated[Size | None, Field(description="New width and height.")] = None,
    connections: Connections | None = None,
    locked: Annotated[bool | None, Field(description="True to keep the node from being dragged in the editor.")] = None,
) -> FlowNode:
    """Change a flow node; only the fields you pass change (data and connections are replaced
    whole). The flow's canvas changes with it. Returns the node."""
    changes = changes_from_arguments(
        locals(),
        leave_out=("node_id",),
        position=_point(position),
        size=_size(size),
        connections=[c.model_dump() for c in connections] if connections is not None else None,
    )
    return await flow_nodes.update_flow_node(scope_of(ctx), node_id, changes)


@tool("flows", title="Delete flow node", read_only=False, destructive=True, idempotent=True)
async def delete_flow_node(ctx: Context, node_id: NodeId) -> DeletedFlowNode:
    """Delete a node from its flow (and canvas). Connections and decision branches of other
    nodes that pointed to it are removed too and listed in the result."""
    return await flow_nodes.delete_flow_node(scope_of(ctx), node_id)


# ---------------------------------------------------------------------------------------------
# Building journeys


@tool("flows", title="Add flow step", read_only=False, destructive=False, idempotent=False)
async def add_flow_step(
    ctx: Context,
    flow_id: FlowId,
    node_type: Annotated[
        StepType,
        Field(
            description="screen (a page the user sees), action, decision (a question "
            "with branches) or database (a CRUD operation)."
        ),
    ],
    label: Annotated[
        str, Field(min_length=1, max_length=200, description="Step name, e.g. 'Sign-up form' or 'Email taken?'.")
    ],
    after_node: Annotated[
        NodeRefText | None,
        Field(
            description="The node this step follows (its id or canvas_node_id); "
            "left out, the step starts a new branch of the journey."
        ),
    ] = None,
    trigger: Annotated[
        ShortText | None, Field(description="What leads from after_node to this step, e.g. 'click', 'form_submit'.")
    ] = None,
    edge_label: Annotated[
        ShortText | None, Field(description="Text on the arrow; after a decision, the branch label, e.g. 'Yes'.")
    ] = None,
    element: Annotated[
        ShortText | None, Field(description="The element that triggers it, e.g. 'button.submit'.")
    ] = None,
    data: Annotated[
        NodeData | None, Field(description="screen {page_id}, database {entity, operation}, decision {question}.")
    ] = None,
) -> FlowNode:
    """Append a journey step after a node: creates the node, connects after_node to it (a
    decision also gets a branch), and places it one column to the right without overlapping
    anything. Returns the new node; use its id as after_node for the next step."""
    return await flow_nodes.add_flow_step(
        scope_of(ctx),
        flow_id,
        node_type=node_type,
        label=label.strip(),
        after_node=after_node,
        trigger=trigger,
        edge_label=edge_label,
        element=element,
        data=data,
    )


@tool("flows", title="Connect nodes", read_only=False, destructive=False, idempotent=True)
async def connect_nodes(
    ctx: Context,
    source_node_id: Annotated[UUID, Field(description="The node the user comes from.")],
    target_node_id: Annotated[UUID, Field(description="The node the user goes to (same flow).")],
    trigger: Annotated[ShortText | None, Field(description="What moves the user on, e.g. 'click'.")] = None,
    label: Annotated[
        ShortText | None, Field(description="Text on the arrow; from a decision, the branch label, e.g. 'No'.")
    ] = None,
    element: Annotated[ShortText | None, Field(description="The element that triggers it, e.g. 'a.login'.")] = None,
) -> FlowNode:
    """Connect two nodes of one flow (an edge on the canvas); from a decision it also adds a
    branch. Connecting the same pair with the same label again changes nothing. Returns the
    source node with its connections."""
    return await flow_nodes.connect_nodes(
        scope_of(ctx), source_node_id, target_node_id, trigger=trigger, label=label, element=element
    )


@tool("flows", title="Auto-layout flow", read_only=False, destructive=False, idempotent=True)
async def auto_layout_flow(ctx: Context, flow_id: FlowId) -> LayoutResult:
    """Arrange a flow's nodes left to right by journey order (entries first, decisions fanning out,
    notes beside what they describe), with no overlaps. The same flow always gets the same
    layout. Moves every node, locked ones included. Returns the new positions."""
    return await flow_nodes.auto_layout_flow(scope_of(ctx), flow_id)


# ---------------------------------------------------------------------------------------------
# Reading journeys


@tool("flows", title="Analyze flow", read_only=True, destructive=False, idempotent=True, ui=FLOW_VIEW)
async def analyze_flow(
    ctx: Context,
    flow_id: FlowId,
    max_paths: Annotated[
        int, Field(ge=0, le=200, description="Most entry-to-exit paths to list (the total is counted anyway).")
    ] = 20,
) -> FlowAnalysis:
    """Check a journey: where it starts and ends, nodes nothing leads to, dead ends (a question
    with no answer, a save that leads nowhere), loops, decisions missing a branch, and the
    entry-to-exit paths with their total count. Nodes are named by canvas id, with a legend."""
    return await flow_reports.analyze_flow(scope_of(ctx), flow_id, max_paths=max_paths)


@tool("flows", title="Project flow coverage", read_only=True, destructive=False, idempotent=True)
async def project_flow_coverage(ctx: Context, project_id: ProjectId) -> FlowCoverage:
    """Which pages of a project no journey shows, which flows show pages that have no mockup
    yet, and which screen nodes are linked to no page. Use it to find gaps in the design."""
    return await flow_reports.project_flow_coverage(scope_of(ctx), project_id)


@tool("flows", title="Export flow as Mermaid", read_only=True, destructive=False, idempotent=True)
async def export_flow_mermaid(
    ctx: Context,
    flow_id: FlowId,
    direction: Annotated[
        Literal["LR", "TB", "RL", "BT"],
        Field(description="Diagram direction: LR (left to right, default), TB, RL or BT."),
    ] = "LR",
) -> FlowMermaid:
    """The flow as a Mermaid flowchart (screens as boxes, decisions as diamonds, database steps as
    cylinders, notes dotted) to show the journey in a chat."""
    return await flow_reports.flow_mermaid(scope_of(ctx), flow_id, direction=direction)


# ---------------------------------------------------------------------------------------------
# Resources


@resource("flexos://projects/{project_id}/flows", toolset="flows", title="Project flows")
async def flows_resource(project_id: str) -> str:
    """A project's journey flows (the first 100) as JSON, without canvases."""
    project = uuid_from_uri(project_id, "project")
    return listing(
        await flows.list_flows(current_scope(), project, limit=RESOURCE_PAGE), "list_flows", project_id=project
    )


@resource("flexos://projects/{project_id}/flows/{flow_id}", toolset="flows", title="Flow")
async def flow_resource(project_id: str, flow_id: str) -> str:
    """One journey flow with its nodes, as JSON."""
    return to_json(
        await flows.get_flow(
            current_scope(), uuid_from_uri(flow_id, "flow"), project_id=uuid_from_uri(project_id, "project")
        )
    )


@resource(
    "flexos://projects/{project_id}/flows/{flow_id}/mermaid",
    toolset="flows",
    title="Flow as Mermaid",
    mime_type="text/plain",
)
async def flow_mermaid_resource(project_id: str, flow_id: str) -> str:
    """One journey flow as a Mermaid flowchart (left to right)."""
    return (
        await flow_reports.flow_mermaid(
            current_scope(), uuid_from_uri(flow_id, "flow"), project_id=uuid_from_uri(project_id, "project")
        )
    ).mermaid
