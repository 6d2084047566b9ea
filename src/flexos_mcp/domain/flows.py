"""User-journey flows: `journey_flows` (one VueFlow canvas each) and `flow_nodes` (one row per
canvas node, with meaning: screen, decision, database step, action, annotation).

The two are kept equal in every writing call, in one transaction:

- `journey_flows.canvas_state` is the VueFlow FlowExportObject exactly as the editor sent it
  (custom keys included), and what `get_flow_canvas` returns;
- `flow_nodes` rows are derived from it (`analysis.vueflow.parse_canvas`); a canvas node's id is
  the row's `canvas_node_id`, so a node keeps its row UUID across saves;
- node tools (create/update/delete node, add_flow_step, connect_nodes, auto layout) change rows,
  write them back into the stored canvas (`apply_node_rows`, which touches only what changed),
  and store the result through the same path as a canvas save.

References inside JSONB are checked on write: `connections[].target_node_id` (row UUIDs, as in
the seed) and decision `branches[].target_node` (canvas node ids) name nodes of the same flow;
screen `data.page_id`/`data.mockup_id` name a page/mockup of the same project (the mockup of
that page when both are given). Deleting a node removes the connections and branches pointing to
it; deleting a page or mockup clears the screen references (migration 0003 triggers, and
`forget_page_references` for callers that want the list first).

This module keeps the flows, their canvas and the one write path; node tools and journey
building are `domain.flow_nodes`, reads of a journey (analysis, Mermaid, coverage)
`domain.flow_reports`. Both use the helpers below the output models.
"""

from __future__ import annotations

import copy
import json
import uuid as uuid_module
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field, RootModel

from ..analysis.vueflow import (
    CANVAS_ID_PATTERN,
    MAX_CANVAS_EDGES,
    MAX_CANVAS_NODES,
    CanvasError,
    apply_node_rows,
    node_label_of,
    node_semantic_errors,
    parse_canvas,
    validate_canvas,
)
from ..db.connection import ReadConnection, WriteConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import set_clause
from ..errors import FlexError, InvalidInput, NotFound
from ..untrusted import Untrusted, UntrustedJson, UntrustedValue
from .owned import RowLock, fetch_owned
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .projects import require_project
from .scope import Actor, Scope, owned_by

FlowType = Literal["user", "admin", "system", "error"]
NodeType = Literal["screen", "decision", "annotation", "database", "action"]
StepType = Literal["screen", "action", "decision", "database"]

FlowName = Annotated[str, Field(min_length=1, max_length=255, description="Flow name, e.g. 'Sign up'.")]
MAX_CANVAS_ID_LENGTH = 255
MAX_CANVAS_BYTES = 5_000_000
INLINE_NODES = 300  # above this, layout, analysis and Mermaid run in the compute pool (tens of ms and more)
"""Largest canvas accepted as JSON. MAX_CANVAS_NODES (analysis.vueflow) is the binding limit for
real canvases; this one stops a huge blob before any parsing."""

register_constraint_messages(
    {
        "valid_flow_type": ("flow_type", "must be one of user, admin, system, error."),
        "valid_node_type": ("node_type", "must be one of screen, decision, annotation, database, action."),
        "flow_nodes_flow_project_fkey": ("flow_id", "no such flow in this project; call list_flows."),
    }
)

_FLOW_HINT = "Call list_flows(project_id) to see the project's flows."


# ---------------------------------------------------------------------------------------------
# Output models (the server strips pydantic's derived titles from every tool schema)


class NodeConnection(BaseModel):
    target_node_id: UUID
    target_canvas_node_id: str | None = None
    trigger: UntrustedValue = None
    element: UntrustedValue = None
    label: UntrustedValue = None
    edge_id: str | None = Field(None, description="VueFlow edge id.")
    source_handle: Any = None


class FlowNode(BaseModel):
    id: UUID
    flow_id: UUID
    canvas_node_id: str = Field(description="The node's VueFlow id; decision branches name nodes by it.")
    node_type: str
    label: Untrusted
    position: dict[str, float]
    size: dict[str, float]
    data: UntrustedJson
    connections: list[NodeConnection]
    locked: bool
    created_at: datetime
    updated_at: datetime


class FlowSummary(BaseModel):
    id: UUID
    project_id: UUID
    name: Untrusted
    description: Untrusted | None
    flow_type: str | None
    is_primary: bool
    node_count: int
    viewport: dict[str, Any]
    filters_applied: UntrustedJson
    display_settings: UntrustedJson
    created_at: datetime
    updated_at: datetime


class Flow(FlowSummary):
    nodes: list[FlowNode] | None = Field(None, description="In canvas order; null when include_nodes is false.")


class FlowList(Paged[FlowSummary]):
    pass


class DeletedFlow(BaseModel):
    id: UUID
    name: Untrusted
    deleted_nodes: int


class CanvasSaved(BaseModel):
    flow_id: UUID
    node_count: int
    edge_count: int
    created: list[str] = Field(description="Canvas ids of new nodes.")
    updated: list[str]
    deleted: list[str]
    node_ids: dict[str, UUID] = Field(description="Canvas id -> node id.")


class ForgottenReference(BaseModel):
    flow_id: UUID
    node_id: UUID
    canvas_node_id: str
    field: str
    removed_id: UUID


class ImportedFlows(BaseModel):
    flows: list[FlowSummary]
    skipped: list[str] = Field(
        description="Example flows not imported because the project already has a flow of that name."
    )
    unresolved_page_paths: list[str] = Field(
        description="Screen page paths with no page in the project; those screens stay unlinked."
    )


# ---------------------------------------------------------------------------------------------
# Row helpers


def node_label(canvas_node_id: str, node_type: str, data: dict[str, Any]) -> str:
    return node_label_of({"id": canvas_node_id, "type": node_type, "data": data})


def _flow_summary(row: Any) -> dict[str, Any]:
    return dict(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        description=row["description"],
        flow_type=row["flow_type"],
        is_primary=bool(row["is_primary"]),
        node_count=row["node_count"],
        viewport=row["viewport"] or {},
        filters_applied=row["filters_applied"] or {},
        display_settings=row["display_settings"] or {},
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _as_uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def flow_node_from_row(row: Any, canvas_ids: dict[UUID, str]) -> FlowNode:
    connections = []
    for c in row["connections"] or []:
        target = _as_uuid(c.get("target_node_id")) if isinstance(c, dict) else None
        if target is None:
            continue
        connections.append(
            NodeConnection(
                target_node_id=target,
                target_canvas_node_id=canvas_ids.get(target),
                trigger=c.get("trigger"),
                element=c.get("element"),
                label=c.get("label"),
                edge_id=c.get("edge_id"),
                source_handle=c.get("sourceHandle"),
            )
        )
    data = row["data"] or {}
    return FlowNode(
        id=row["id"],
        flow_id=row["flow_id"],
        canvas_node_id=row["canvas_node_id"],
        node_type=row["node_type"],
        label=node_label(row["canvas_node_id"], row["node_type"], data),
        position=row["position"],
        size=row["size"] or {},
        data=data,
        connections=connections,
        locked=bool(row["locked"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _canvas_error(exc: CanvasError, prefix: str = "canvas") -> InvalidInput:
    field = ".".join(part for part in (prefix, exc.path) if part) or "canvas"
    return InvalidInput(field, f"{exc.message.rstrip('.')}. Nothing was saved.")


async def require_flow(
    conn: ReadConnection,
    actor: Actor,
    flow_id: UUID,
    *,
    field: str = "flow_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> asyncpg.Record:
    """The flow row if the actor may see it; NotFound otherwise (missing and foreign alike).
    Writers of the flow's nodes or canvas lock it "NO KEY UPDATE"."""
    return await fetch_owned(
        conn, actor, "journey_flows", "flow", flow_id, field=field, hint=_FLOW_HINT, lock=lock, project_id=project_id
    )


async def node_rows(conn: ReadConnection, flow_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM flow_nodes WHERE flow_id = $1 ORDER BY created_at, id", flow_id)


def canvas_order(rows: list[Any], canvas: Any) -> list[Any]:
    """Rows in the order their nodes appear on the canvas (rows not on it last)."""
    order: dict[str, int] = {}
    if isinstance(canvas, dict) and isinstance(canvas.get("nodes"), list):
        for i, node in enumerate(canvas["nodes"]):
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                order.setdefault(node["id"], i)
    return sorted(rows, key=lambda r: order.get(r["canvas_node_id"], len(order)))


# ---------------------------------------------------------------------------------------------
# The one write path: a canvas in, rows and canvas_state out


def valid_canvas_or_empty(canvas: Any) -> dict[str, Any]:
    """The stored canvas if it is valid (it always is when our tools or triggers wrote it), else
    an empty one that `apply_node_rows` rebuilds from the rows. Checked with parse_canvas's own
    validation, without the deep copy parse_canvas makes (a third of a node edit's time at
    1,000 nodes)."""
    try:
        validate_canvas(canvas)
        assert isinstance(canvas, dict)  # validate_canvas accepts only a JSON object
        return canvas
    except CanvasError:
        return {"nodes": [], "edges": []}


def rows_as_canvas_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Database rows as `analysis.vueflow` rows (targets by canvas id, stale targets dropped)."""
    canvas_ids = {r["id"]: r["canvas_node_id"] for r in rows}
    result = []
    for r in rows:
        connections = []
        for c in r["connections"] or []:
            target = canvas_ids.get(_as_uuid(c.get("target_node_id"))) if isinstance(c, dict) else None
            if target is None:
                continue
            connection: dict[str, Any] = {"target": target}
            for key in ("edge_id", "trigger", "element", "label", "sourceHandle"):
                if key in c:
                    connection[key] = c[key]
            connections.append(connection)
        result.append(
            {
                "canvas_node_id": r["canvas_node_id"],
                "node_type": r["node_type"],
                "position": dict(r["position"]),
                "size": dict(r["size"] or {}),
                "data": r["data"] or {},
                "connections": connections,
                "locked": bool(r["locked"]),
            }
        )
    return result


async def _check_screen_references(
    conn: ReadConnection, project_id: UUID, rows: Sequence[Mapping[str, Any]], field_of: Any
) -> None:
    """Screen page_id/mockup_id exist in this project (and a mockup is of the node's page); the
    referenced pages and mockups are locked against a concurrent delete until commit."""
    page_ids = {
        r["data"]["page_id"] for r in rows if r["node_type"] == "screen" and r["data"].get("page_id") is not None
    }
    mockup_ids = {
        r["data"]["mockup_id"] for r in rows if r["node_type"] == "screen" and r["data"].get("mockup_id") is not None
    }
    pages: set[str] = set()
    mockups: dict[str, str] = {}
    if page_ids:
        found = await conn.fetch(
            "SELECT id FROM pages WHERE project_id = $1 AND id = ANY($2::uuid[]) FOR KEY SHARE",
            project_id,
            list(page_ids),
        )
        pages = {str(r["id"]) for r in found}
    if mockup_ids:
        found = await conn.fetch(
            "SELECT id, page_id FROM mockups WHERE project_id = $1 AND id = ANY($2::uuid[]) FOR KEY SHARE",
            project_id,
            list(mockup_ids),
        )
        mockups = {str(r["id"]): str(r["page_id"]) for r in found}
    for r in rows:
        if r["node_type"] != "screen":
            continue
        data = r["data"]
        page_id, mockup_id = data.get("page_id"), data.get("mockup_id")
        if page_id is not None and page_id.lower() not in pages:
            raise InvalidInput(
                field_of(r, "data.page_id"),
                f"page {page_id} is not a page of this project. "
                f"Call list_pages(project_id) for valid page ids, or leave page_id out. Nothing was saved.",
            )
        if mockup_id is not None:
            if mockup_id.lower() not in mockups:
                raise InvalidInput(
                    field_of(r, "data.mockup_id"),
                    f"mockup {mockup_id} is not a mockup of this project. "
                    f"Call list_mockups(page_id) for valid mockup ids, or leave mockup_id out. Nothing was saved.",
                )
            if page_id is not None and mockups[mockup_id.lower()] != page_id.lower():
                raise InvalidInput(
                    field_of(r, "data.mockup_id"),
                    f"mockup {mockup_id} belongs to another page than "
                    f"data.page_id {page_id}; give a mockup of that page. Nothing was saved.",
                )


def _changed(old: Any, values: dict[str, Any]) -> bool:
    stored = {
        "node_type": old["node_type"],
        "position": old["position"],
        "size": old["size"] or {},
        "data": old["data"] or {},
        "connections": old["connections"] or [],
        "locked": bool(old["locked"]),
    }
    return any(stored[k] != values[k] for k in stored)


def _canvas_field(row: dict[str, Any], field: str) -> str:
    return f"canvas node '{row['canvas_node_id']}' {field}"


async def _store_canvas(
    conn: WriteConnection,
    flow: Any,
    canvas: Any,
    *,
    new_ids: dict[str, UUID] | None = None,
    field_of: Any = _canvas_field,
    prefix: str = "canvas",
) -> CanvasSaved:
    """Validate `canvas`, make the flow's rows match it (insert, update, delete) and store it as
    the flow's canvas_state. `new_ids` fixes the row UUID of nodes created by a node tool."""
    try:
        parsed = parse_canvas(canvas)
    except CanvasError as exc:
        raise _canvas_error(exc, prefix) from None
    rows = parsed["rows"]
    for row in rows:
        if len(row["canvas_node_id"]) > MAX_CANVAS_ID_LENGTH:
            raise InvalidInput(
                field_of(row, "id"),
                f"'{row['canvas_node_id'][:40]}...' is longer than "
                f"{MAX_CANVAS_ID_LENGTH} characters; use shorter ids. Nothing was saved.",
            )
    problems = node_semantic_errors(rows)
    if problems:
        first = problems[0]
        row = next(r for r in rows if r["canvas_node_id"] == first["node_id"])
        text = first["message"].removeprefix(f"node '{first['node_id']}': {first['field']} ")
        more = (
            f" ({len(problems) - 1} more problem(s): " + "; ".join(p["message"] for p in problems[1:4]) + ")"
            if len(problems) > 1
            else ""
        )
        raise InvalidInput(field_of(row, first["field"]), f"{text}{more}. Nothing was saved.")
    await _check_screen_references(conn, flow["project_id"], rows, field_of)

    existing = {
        r["canvas_node_id"]: r
        for r in await conn.fetch(
            "SELECT id, canvas_node_id, node_type, position, size, data, connections, locked FROM flow_nodes WHERE flow_id = $1",
            flow["id"],
        )
    }
    ids: dict[str, UUID] = {}
    for row in rows:
        node_id = row["canvas_node_id"]
        ids[node_id] = (
            existing[node_id]["id"] if node_id in existing else (new_ids or {}).get(node_id) or uuid_module.uuid4()
        )

    created, updated, inserts, updates = [], [], [], []
    for row in rows:
        node_id = row["canvas_node_id"]
        connections = []
        for c in row["connections"]:
            stored: dict[str, Any] = {"target_node_id": str(ids[c["target"]])}
            stored.update({k: v for k, v in c.items() if k != "target"})
            connections.append(stored)
        values = {
            "id": str(ids[node_id]),
            "canvas_node_id": node_id,
            "node_type": row["node_type"],
            "position": row["position"],
            "size": row["size"],
            "data": row["data"],
            "connections": connections,
            "locked": row["locked"],
        }
        old = existing.get(node_id)
        if old is None:
            created.append(node_id)
            inserts.append(values)
        elif _changed(old, values):
            updated.append(node_id)
            updates.append(values)
    gone = [r for node_id, r in existing.items() if node_id not in ids]
    record = (
        "r(id uuid, canvas_node_id text, node_type text, position jsonb, size jsonb, data jsonb, "
        "connections jsonb, locked boolean)"
    )
    if gone:
        await conn.execute(
            "DELETE FROM flow_nodes WHERE flow_id = $1 AND id = ANY($2::uuid[])", flow["id"], [r["id"] for r in gone]
        )
    if updates:
        await conn.execute(
            f"""UPDATE flow_nodes f SET node_type = r.node_type, position = r.position, size = r.size, data = r.data,
                       connections = r.connections, locked = r.locked
                  FROM jsonb_to_recordset($2::jsonb) AS {record}
                 WHERE f.flow_id = $1 AND f.id = r.id""",
            flow["id"],
            updates,
        )
    if inserts:
        await conn.execute(
            f"""INSERT INTO flow_nodes (id, flow_id, project_id, canvas_node_id, node_type, position, size, data, connections, locked)
                SELECT r.id, $1, $2, r.canvas_node_id, r.node_type, r.position, r.size, r.data, r.connections, r.locked
                  FROM jsonb_to_recordset($3::jsonb) AS {record}""",
            flow["id"],
            flow["project_id"],
            inserts,
        )
    if (parsed["canvas"], parsed["viewport"]) != (flow["canvas_state"], flow["viewport"]):
        await conn.execute(
            "UPDATE journey_flows SET canvas_state = $2, viewport = $3 WHERE id = $1",
            flow["id"],
            parsed["canvas"],
            parsed["viewport"],
        )
    return CanvasSaved(
        flow_id=flow["id"],
        node_count=len(rows),
        edge_count=len(parsed["canvas"].get("edges") or []),
        created=created,
        updated=updated,
        deleted=[r["canvas_node_id"] for r in gone],
        node_ids=ids,
    )


async def store_rows(
    conn: WriteConnection,
    flow: Any,
    rows: list[Any],
    canvas_rows: list[dict[str, Any]],
    *,
    new_ids: dict[str, UUID] | None = None,
    relabel: frozenset[str] | set[str] = frozenset(),
) -> CanvasSaved:
    """Write node-tool changes: `canvas_rows` (the complete node set) into the stored canvas,
    then through the canvas write path. Nodes in `relabel` get their VueFlow `label` set from
    `data.label` (so a renamed step shows its new name in the editor)."""
    base = valid_canvas_or_empty(flow["canvas_state"])
    try:
        canvas = apply_node_rows(base, canvas_rows)
    except CanvasError as exc:
        raise _canvas_error(exc, "nodes") from None
    if relabel:
        by_id = {r["canvas_node_id"]: r for r in canvas_rows}
        for node in canvas.get("nodes", []):
            label = by_id.get(node["id"], {}).get("data", {}).get("label")
            if node["id"] in relabel and isinstance(label, str):
                node["label"] = label
    return await _store_canvas(conn, flow, canvas, new_ids=new_ids, field_of=_node_tool_field, prefix="nodes")


def _node_tool_field(row: dict[str, Any], field: str) -> str:
    return f"{field} of node '{row['canvas_node_id']}'"


# ---------------------------------------------------------------------------------------------
# Flows


async def _flow_out(conn: ReadConnection, flow_id: UUID, *, include_nodes: bool = True) -> Flow:
    row = await conn.fetchrow(
        "SELECT f.*, (SELECT count(*) FROM flow_nodes n WHERE n.flow_id = f.id) AS node_count FROM journey_flows f WHERE f.id = $1",
        flow_id,
    )
    assert row is not None  # callers found the flow in this transaction
    nodes = None
    if include_nodes:
        rows = canvas_order(await node_rows(conn, flow_id), row["canvas_state"])
        canvas_ids = {r["id"]: r["canvas_node_id"] for r in rows}
        nodes = [flow_node_from_row(r, canvas_ids) for r in rows]
    return Flow(**_flow_summary(row), nodes=nodes)


async def create_flow(scope: Scope, project_id: UUID, values: dict[str, Any], canvas: Any | None = None) -> Flow:
    values = dict(values)
    if canvas is not None:
        _require_node_list(canvas)
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        flow = await conn.fetchrow(
            """INSERT INTO journey_flows (project_id, name, description, flow_type, is_primary, canvas_state, viewport,
                                          filters_applied, display_settings)
               VALUES ($1, $2, $3, $4, COALESCE($5, FALSE), '{"nodes": [], "edges": []}', '{"x": 0, "y": 0, "zoom": 1}',
                       COALESCE($6, '{}'::jsonb), COALESCE($7, '{}'::jsonb))
               RETURNING *""",
            project_id,
            values["name"],
            values.get("description"),
            values.get("flow_type"),
            values.get("is_primary"),
            values.get("filters_applied"),
            values.get("display_settings"),
        )
        if canvas is not None:
            await _store_canvas(conn, flow, canvas)
        return await _flow_out(conn, flow["id"])


async def get_flow(scope: Scope, flow_id: UUID, *, include_nodes: bool = True, project_id: UUID | None = None) -> Flow:
    """The flow (with its nodes unless asked not to); with `project_id` (a resource URI's
    project), only if it is that project's."""
    async with scope.db.snapshot() as conn:
        await require_flow(conn, scope.actor, flow_id, project_id=project_id)
        return await _flow_out(conn, flow_id, include_nodes=include_nodes)


async def list_flows(
    scope: Scope,
    project_id: UUID,
    *,
    flow_type: str | None = None,
    is_primary: bool | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> FlowList:
    after = decode_cursor(cursor)
    rows = await scope.db.fetch(
        f"""SELECT f.id, f.project_id, f.name, f.description, f.flow_type, f.is_primary, f.viewport, f.filters_applied,
                   f.display_settings, f.created_at, f.updated_at,
                   (SELECT count(*) FROM flow_nodes n WHERE n.flow_id = f.id) AS node_count
              FROM journey_flows f JOIN projects p ON p.id = f.project_id
             WHERE f.project_id = $1 AND {owned_by(2, "p.user_id")}
               AND ($3::text IS NULL OR f.flow_type = $3)
               AND ($4::boolean IS NULL OR f.is_primary = $4)
               AND ($5::timestamptz IS NULL OR (f.created_at, f.id) > ($5, $6::uuid))
             ORDER BY f.created_at, f.id
             LIMIT $7""",
        project_id,
        scope.actor.owner_id,
        flow_type,
        is_primary,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    if not rows:
        await require_project(scope.db, scope.actor, project_id)  # an empty page, or not your project
    items, next_cursor = page_of(rows, limit, "created_at", lambda r: FlowSummary(**_flow_summary(r)))
    return FlowList(items=items, next_cursor=next_cursor)


async def update_flow(scope: Scope, flow_id: UUID, changes: dict[str, Any]) -> Flow:
    changes = dict(changes)
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        if "viewport" in changes:
            viewport = changes.pop("viewport")
            canvas = valid_canvas_or_empty(flow["canvas_state"])
            canvas = {**canvas, "viewport": viewport}
            try:
                parsed = parse_canvas(canvas)
            except CanvasError as exc:
                raise _canvas_error(exc, "") from None
            await conn.execute(
                "UPDATE journey_flows SET canvas_state = $2, viewport = $3 WHERE id = $1",
                flow_id,
                parsed["canvas"],
                parsed["viewport"],
            )
        if changes:
            assignments, values = set_clause(changes, 2)
            await conn.execute(f"UPDATE journey_flows SET {assignments} WHERE id = $1", flow_id, *values)
        return await _flow_out(conn, flow_id, include_nodes=False)


async def delete_flow(scope: Scope, flow_id: UUID) -> DeletedFlow:
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        count = await conn.fetchval("SELECT count(*) FROM flow_nodes WHERE flow_id = $1", flow_id)
        await conn.execute("DELETE FROM journey_flows WHERE id = $1", flow_id)
    return DeletedFlow(id=flow["id"], name=flow["name"], deleted_nodes=count)


# ---------------------------------------------------------------------------------------------
# Canvas


def _require_node_list(canvas: Any) -> None:
    """A canvas from a caller must say which nodes it has: `{}` would otherwise empty the flow."""
    if isinstance(canvas, dict) and "nodes" not in canvas:
        raise InvalidInput(
            "canvas.nodes",
            "is missing; a saved canvas lists its nodes (VueFlow's toObject() always "
            'does). Pass "nodes": [] to empty the flow on purpose. Nothing was saved.',
        )


async def save_flow_canvas(scope: Scope, flow_id: UUID, canvas: Any) -> CanvasSaved:
    _require_node_list(canvas)
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        return await _store_canvas(conn, flow, canvas)


class FlowCanvas(RootModel[UntrustedJson]):
    """A flow's VueFlow FlowExportObject as stored: labels and data people wrote, so untrusted."""


async def get_flow_canvas(scope: Scope, flow_id: UUID) -> FlowCanvas:
    row = await scope.db.fetchrow(
        f"""SELECT f.canvas_state FROM journey_flows f JOIN projects p ON p.id = f.project_id
            WHERE f.id = $1 AND {owned_by(2, "p.user_id")}""",
        flow_id,
        scope.actor.owner_id,
    )
    if row is None:
        raise NotFound("flow", flow_id, field="flow_id", hint=_FLOW_HINT)
    return FlowCanvas(row["canvas_state"] or {})


# ---------------------------------------------------------------------------------------------
# For other domains: page/mockup deletion and example data


async def forget_page_references(
    conn: WriteConnection, project_id: UUID, page_ids: list[UUID]
) -> list[ForgottenReference]:
    """Clear screen nodes' `data.page_id` naming these pages (and `data.mockup_id` naming their
    mockups), in the rows and in the flows' canvases. Call inside the transaction that deletes
    the pages to report what changed; the migration-0003 triggers do the same for any delete."""
    mockup_ids = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM mockups WHERE project_id = $1 AND page_id = ANY($2::uuid[])", project_id, list(page_ids)
        )
    ]
    rows = await conn.fetch(
        "SELECT * FROM flexos_forget_screen_references('page_id', $1::uuid[], $2::uuid[])", list(page_ids), [project_id]
    )
    if mockup_ids:
        rows += await forget_mockup_references_rows(conn, project_id, mockup_ids)
    return [ForgottenReference(**dict(r)) for r in rows]


async def forget_mockup_references_rows(conn: WriteConnection, project_id: UUID, mockup_ids: list[UUID]) -> list[Any]:
    return await conn.fetch(
        "SELECT * FROM flexos_forget_screen_references('mockup_id', $1::uuid[], $2::uuid[])",
        list(mockup_ids),
        [project_id],
    )


async def forget_mockup_references(
    conn: WriteConnection, project_id: UUID, mockup_ids: list[UUID]
) -> list[ForgottenReference]:
    """Clear screen nodes' `data.mockup_id` naming these mockups (rows and canvases)."""
    return [ForgottenReference(**dict(r)) for r in await forget_mockup_references_rows(conn, project_id, mockup_ids)]


async def import_example_flows_into(
    conn: WriteConnection, actor: Actor, project_id: UUID, directory: Path | str
) -> ImportedFlows:
    """`import_example_flows` inside a caller's transaction."""
    await require_project(conn, actor, project_id, lock="NO KEY UPDATE")
    paths = {
        r["path"]: str(r["id"])
        for r in await conn.fetch("SELECT id, path FROM pages WHERE project_id = $1 AND path IS NOT NULL", project_id)
    }
    existing = {r["name"] for r in await conn.fetch("SELECT name FROM journey_flows WHERE project_id = $1", project_id)}
    imported, skipped, unresolved = [], [], []
    for file in sorted(Path(directory).glob("*.json")):
        try:
            spec = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FlexError(f"Example flow {file.name} cannot be read as JSON ({exc}); nothing was imported.") from None
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("name"), str)
            or not isinstance(spec.get("canvas"), dict)
        ):
            raise FlexError(
                f"Example flow {file.name} must be an object with a name and a canvas; nothing was imported."
            )
        if spec["name"] in existing:
            skipped.append(spec["name"])
            continue
        canvas = copy.deepcopy(spec["canvas"])
        for node in canvas.get("nodes") or []:
            data = node.get("data") if isinstance(node, dict) else None
            if node.get("type") == "screen" and isinstance(data, dict) and isinstance(data.get("page_path"), str):
                if data["page_path"] in paths:
                    data["page_id"] = paths[data["page_path"]]
                elif data["page_path"] not in unresolved:
                    unresolved.append(data["page_path"])
        flow = await conn.fetchrow(
            """INSERT INTO journey_flows (project_id, name, description, flow_type, is_primary, canvas_state)
               VALUES ($1, $2, $3, $4, $5, '{"nodes": [], "edges": []}') RETURNING *""",
            project_id,
            spec["name"],
            spec.get("description"),
            spec.get("flow_type"),
            bool(spec.get("is_primary", False)),
        )
        assert flow is not None  # INSERT ... RETURNING returns the row it wrote
        try:
            await _store_canvas(conn, flow, canvas)
        except InvalidInput as exc:
            raise FlexError(f"Example flow {file.name} is invalid: {exc}") from None
        existing.add(spec["name"])
        imported.append(
            FlowSummary(
                **_flow_summary(
                    await conn.fetchrow(
                        "SELECT f.*, (SELECT count(*) FROM flow_nodes n WHERE n.flow_id = f.id) AS node_count FROM journey_flows f WHERE f.id = $1",
                        flow["id"],
                    )
                )
            )
        )
    return ImportedFlows(flows=imported, skipped=skipped, unresolved_page_paths=unresolved)


async def import_example_flows(scope: Scope, project_id: UUID, directory: Path | str) -> ImportedFlows:
    """Create the example journey flows in `directory` (`*.json`: name, description, flow_type,
    is_primary, canvas) in a project, in one transaction. Screens name pages by
    `data.page_path`; each is linked to the project's page with that path (`data.page_id`).
    Flows whose name the project already has are skipped, so importing twice adds nothing."""
    async with scope.db.transaction() as conn:
        return await import_example_flows_into(conn, scope.actor, project_id, directory)


__all__ = [
    "CANVAS_ID_PATTERN",
    "MAX_CANVAS_BYTES",
    "MAX_CANVAS_EDGES",
    "MAX_CANVAS_NODES",
    "CanvasSaved",
    "DeletedFlow",
    "Flow",
    "FlowCanvas",
    "FlowList",
    "FlowNode",
    "FlowSummary",
    "create_flow",
    "delete_flow",
    "forget_mockup_references",
    "forget_page_references",
    "get_flow",
    "get_flow_canvas",
    "import_example_flows",
    "list_flows",
    "save_flow_canvas",
    "update_flow",
]
