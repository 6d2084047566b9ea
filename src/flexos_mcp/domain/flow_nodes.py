"""Flow nodes one at a time, and building journeys from them: create, read, update and delete a
node, add a step after another, connect two nodes, lay a flow out.

Every change is made to the flow's rows as `analysis.vueflow` canvas rows and written back
through the one canvas write path of `domain.flows` (`store_rows`), in one transaction, so the
stored canvas and the rows stay equal. Nodes are named by row UUID or canvas id.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from ..analysis import flow_graph
from ..analysis.vueflow import CanvasError, apply_node_rows, normalise_node_data
from ..compute import run_cpu_if
from ..db.connection import ReadConnection
from ..errors import InvalidInput, NotFound
from .flows import (
    INLINE_NODES,
    FlowNode,
    canvas_order,
    flow_node_from_row,
    node_rows,
    require_flow,
    rows_as_canvas_rows,
    store_rows,
    valid_canvas_or_empty,
)
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .scope import Actor, Scope, owned_by

_NODE_HINT = "Call list_flow_nodes(flow_id) to see a flow's nodes."


# ---------------------------------------------------------------------------------------------
# Output models


class FlowNodeList(Paged[FlowNode]):
    pass


class RemovedReference(BaseModel):
    node_id: UUID
    canvas_node_id: str
    field: str = Field(description="e.g. 'connections[0]', 'data.branches[1]'.")
    target: str


class DeletedFlowNode(BaseModel):
    id: UUID
    flow_id: UUID
    canvas_node_id: str
    removed_references: list[RemovedReference] = Field(
        description="Other nodes' connections and branches to it, removed."
    )


class LayoutResult(BaseModel):
    flow_id: UUID
    moved: int
    positions: dict[str, dict[str, float]] = Field(description="Canvas id -> {x, y}.")


async def _require_node_flow(
    conn: ReadConnection, actor: Actor, node_id: UUID, *, field: str = "node_id"
) -> tuple[asyncpg.Record, UUID]:
    """The node's flow, locked for the write, and the node id; NotFound for missing and foreign alike."""
    row = await conn.fetchrow(
        f"""SELECT f.* FROM flow_nodes n JOIN journey_flows f ON f.id = n.flow_id JOIN projects p ON p.id = n.project_id
            WHERE n.id = $1 AND {owned_by(2, "p.user_id")} FOR NO KEY UPDATE OF f""",
        node_id,
        actor.owner_id,
    )
    if row is None:
        raise NotFound("flow node", node_id, field=field, hint=_NODE_HINT)
    return row, node_id


# ---------------------------------------------------------------------------------------------
# Nodes


async def _node_out(conn: ReadConnection, node_id: UUID) -> FlowNode:
    row = await conn.fetchrow(
        """SELECT n.*, (SELECT jsonb_object_agg(m.id::text, m.canvas_node_id) FROM flow_nodes m WHERE m.flow_id = n.flow_id) AS ids
             FROM flow_nodes n WHERE n.id = $1""",
        node_id,
    )
    assert row is not None  # callers wrote or found the node in this transaction
    return flow_node_from_row(row, {UUID(k): v for k, v in (row["ids"] or {}).items()})


def _resolve_node(ref: Any, rows: list[Any], field: str, flow_name: str) -> Any:
    """A node of this flow named by its id (UUID) or canvas_node_id."""
    text = str(ref)
    for r in rows:
        if str(r["id"]) == text.lower() or r["canvas_node_id"] == text:
            return r
    shown = ", ".join(f"{r['canvas_node_id']} ({r['id']})" for r in rows[:10]) or "(none: the flow has no nodes)"
    raise InvalidInput(
        field,
        f"'{text}' is not a node of flow '{flow_name}'; give the id or canvas_node_id of one of its "
        f"nodes: {shown}{' ...' if len(rows) > 10 else ''}. Nothing was saved.",
    )


def _connections_in(
    connections: list[dict[str, Any]], rows: list[Any], flow_name: str, previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Tool-given connections as canvas-row connections. A connection to a target the node was
    already connected to keeps that edge (its id and VueFlow keys such as markerEnd)."""
    unused = list(previous)
    result = []
    for index, c in enumerate(connections):
        target = _resolve_node(c["target_node_id"], rows, f"connections[{index}].target_node_id", flow_name)
        connection: dict[str, Any] = {}
        match = next((p for p in unused if p["target"] == target["canvas_node_id"]), None)
        if match is not None:
            unused.remove(match)
            connection.update({k: v for k, v in match.items() if k in ("edge_id", "sourceHandle")})
        connection["target"] = target["canvas_node_id"]
        for key in ("trigger", "element", "label"):
            if c.get(key) is not None:
                connection[key] = c[key]
        result.append(connection)
    return result


def _branches_by_canvas_id(data: dict[str, Any], rows: list[Any], flow_name: str) -> dict[str, Any]:
    """Decision branches may name their target by node UUID; store the canvas id, as VueFlow does."""
    branches = data.get("branches")
    if not isinstance(branches, list):
        return data
    fixed = []
    for index, branch in enumerate(branches):
        if isinstance(branch, dict) and branch.get("target_node") is not None:
            target = _resolve_node(branch["target_node"], rows, f"data.branches[{index}].target_node", flow_name)
            branch = {**branch, "target_node": target["canvas_node_id"]}
        fixed.append(branch)
    return {**data, "branches": fixed}


async def create_flow_node(scope: Scope, flow_id: UUID, values: dict[str, Any]) -> FlowNode:
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        rows = canvas_order(await node_rows(conn, flow_id), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        new_id = uuid_module.uuid4()
        canvas_id = values.get("canvas_node_id") or str(new_id)
        if any(r["canvas_node_id"] == canvas_id for r in rows):
            raise InvalidInput(
                "canvas_node_id",
                f"'{canvas_id}' is already a node of flow '{flow['name']}'; choose another id "
                f"or leave it out. Nothing was saved.",
            )
        node_type = values["node_type"]
        data = normalise_node_data(node_type, values.get("data") or {})
        here = [*rows, _pseudo_row(new_id, canvas_id)]
        data = _branches_by_canvas_id(data, here, flow["name"])
        size = values.get("size") or {}
        position = values.get("position")
        if position is None:
            nodes = [{"id": r["canvas_node_id"], "position": r["position"], **r["size"]} for r in canvas_rows]
            position = flow_graph.place_after(nodes, None, _box(size))
        canvas_rows.append(
            {
                "canvas_node_id": canvas_id,
                "node_type": node_type,
                "position": position,
                "size": size,
                "data": data,
                "connections": _connections_in(values.get("connections") or [], here, flow["name"], []),
                "locked": bool(values.get("locked", False)),
            }
        )
        await store_rows(conn, flow, rows, canvas_rows, new_ids={canvas_id: new_id})
        return await _node_out(conn, new_id)


def _pseudo_row(node_id: UUID, canvas_id: str) -> dict[str, Any]:
    return {"id": node_id, "canvas_node_id": canvas_id}


def _box(size: dict[str, Any]) -> tuple[float, float]:
    return (size.get("width", 180), size.get("height", 80))


async def get_flow_node(scope: Scope, node_id: UUID) -> FlowNode:
    row = await scope.db.fetchrow(
        f"""SELECT n.*, (SELECT jsonb_object_agg(m.id::text, m.canvas_node_id) FROM flow_nodes m WHERE m.flow_id = n.flow_id) AS ids
              FROM flow_nodes n JOIN projects p ON p.id = n.project_id
             WHERE n.id = $1 AND {owned_by(2, "p.user_id")}""",
        node_id,
        scope.actor.owner_id,
    )
    if row is None:
        raise NotFound("flow node", node_id, field="node_id", hint=_NODE_HINT)
    return flow_node_from_row(row, {UUID(k): v for k, v in (row["ids"] or {}).items()})


async def list_flow_nodes(
    scope: Scope, flow_id: UUID, *, node_type: str | None = None, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> FlowNodeList:
    after = decode_cursor(cursor)
    async with scope.db.snapshot() as conn:
        await require_flow(conn, scope.actor, flow_id)
        rows = await conn.fetch(
            """SELECT * FROM flow_nodes
                WHERE flow_id = $1 AND ($2::text IS NULL OR node_type = $2)
                  AND ($3::timestamptz IS NULL OR (created_at, id) > ($3, $4::uuid))
                ORDER BY created_at, id LIMIT $5""",
            flow_id,
            node_type,
            after[0] if after else None,
            after[1] if after else None,
            limit + 1,
        )
        ids = {
            r["id"]: r["canvas_node_id"]
            for r in await conn.fetch("SELECT id, canvas_node_id FROM flow_nodes WHERE flow_id = $1", flow_id)
        }
    items, next_cursor = page_of(rows, limit, "created_at", lambda r: flow_node_from_row(r, ids))
    return FlowNodeList(items=items, next_cursor=next_cursor)


async def update_flow_node(scope: Scope, node_id: UUID, changes: dict[str, Any]) -> FlowNode:
    async with scope.db.transaction() as conn:
        flow, _ = await _require_node_flow(conn, scope.actor, node_id)
        rows = canvas_order(await node_rows(conn, flow["id"]), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        index = next(i for i, r in enumerate(rows) if r["id"] == node_id)
        target = canvas_rows[index]
        relabel: set[str] = set()
        if "node_type" in changes:
            target["node_type"] = changes["node_type"]
        if "data" in changes:
            data = normalise_node_data(target["node_type"], changes["data"])
            target["data"] = _branches_by_canvas_id(data, rows, flow["name"])
            relabel.add(target["canvas_node_id"])
        elif "node_type" in changes:
            target["data"] = normalise_node_data(target["node_type"], target["data"])
        for key in ("position", "size", "locked"):
            if key in changes:
                target[key] = changes[key]
        if "connections" in changes:
            target["connections"] = _connections_in(changes["connections"], rows, flow["name"], target["connections"])
        await store_rows(conn, flow, rows, canvas_rows, relabel=relabel)
        return await _node_out(conn, node_id)


async def delete_flow_node(scope: Scope, node_id: UUID) -> DeletedFlowNode:
    async with scope.db.transaction() as conn:
        flow, _ = await _require_node_flow(conn, scope.actor, node_id)
        rows = canvas_order(await node_rows(conn, flow["id"]), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        index = next(i for i, r in enumerate(rows) if r["id"] == node_id)
        gone = canvas_rows.pop(index)["canvas_node_id"]
        rows_left = rows[:index] + rows[index + 1 :]
        removed: list[RemovedReference] = []
        for row, canvas_row in zip(rows_left, canvas_rows, strict=True):
            kept = []
            for c_index, c in enumerate(canvas_row["connections"]):
                if c["target"] == gone:
                    removed.append(
                        RemovedReference(
                            node_id=row["id"],
                            canvas_node_id=row["canvas_node_id"],
                            field=f"connections[{c_index}]",
                            target=gone,
                        )
                    )
                else:
                    kept.append(c)
            canvas_row["connections"] = kept
            branches = canvas_row["data"].get("branches")
            if isinstance(branches, list):
                kept_branches = []
                for b_index, branch in enumerate(branches):
                    if isinstance(branch, dict) and branch.get("target_node") == gone:
                        removed.append(
                            RemovedReference(
                                node_id=row["id"],
                                canvas_node_id=row["canvas_node_id"],
                                field=f"data.branches[{b_index}]",
                                target=gone,
                            )
                        )
                    else:
                        kept_branches.append(branch)
                canvas_row["data"]["branches"] = kept_branches
        await store_rows(conn, flow, rows_left, canvas_rows)
    return DeletedFlowNode(id=node_id, flow_id=flow["id"], canvas_node_id=gone, removed_references=removed)


# ---------------------------------------------------------------------------------------------
# Building journeys: steps, connections, layout


async def add_flow_step(
    scope: Scope,
    flow_id: UUID,
    *,
    node_type: str,
    label: str,
    after_node: str | None = None,
    trigger: str | None = None,
    edge_label: str | None = None,
    element: str | None = None,
    data: dict[str, Any] | None = None,
) -> FlowNode:
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        rows = canvas_order(await node_rows(conn, flow_id), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        after = _resolve_node(after_node, rows, "after_node", flow["name"]) if after_node is not None else None
        new_id = uuid_module.uuid4()
        canvas_id = str(new_id)
        step_data = dict(data or {})
        step_data["label"] = label
        if node_type == "decision":
            step_data.setdefault("question", label)
        step_data = _branches_by_canvas_id(normalise_node_data(node_type, step_data), rows, flow["name"])
        canvas = apply_node_rows(valid_canvas_or_empty(flow["canvas_state"]), canvas_rows)
        try:
            position = flow_graph.place_after(canvas.get("nodes", []), after["canvas_node_id"] if after else None)
        except CanvasError as exc:
            raise InvalidInput("after_node", exc.message) from None
        canvas_rows.append(
            {
                "canvas_node_id": canvas_id,
                "node_type": node_type,
                "position": position,
                "size": {},
                "data": step_data,
                "connections": [],
                "locked": False,
            }
        )
        if after is not None:
            source = canvas_rows[rows.index(after)]
            _connect(source, canvas_id, trigger=trigger, label=edge_label, element=element)
        await store_rows(conn, flow, rows, canvas_rows, new_ids={canvas_id: new_id})
        return await _node_out(conn, new_id)


def _connect(
    source: dict[str, Any], target: str, *, trigger: str | None, label: str | None, element: str | None
) -> bool:
    """Add a connection (and, from a decision, a branch) unless an identical one exists."""
    for c in source["connections"]:
        if c["target"] == target and c.get("label") == label and c.get("trigger") == trigger:
            return False
    connection: dict[str, Any] = {"target": target}
    for key, value in (("trigger", trigger), ("label", label), ("element", element)):
        if value is not None:
            connection[key] = value
    source["connections"].append(connection)
    if source["node_type"] == "decision":
        branches = source["data"].get("branches")
        branches = list(branches) if isinstance(branches, list) else []
        if not any(isinstance(b, dict) and b.get("target_node") == target for b in branches):
            branches.append({"label": label or trigger or f"Branch {len(branches) + 1}", "target_node": target})
        source["data"]["branches"] = branches
    return True


async def connect_nodes(
    scope: Scope,
    source_node_id: UUID,
    target_node_id: UUID,
    *,
    trigger: str | None = None,
    label: str | None = None,
    element: str | None = None,
) -> FlowNode:
    async with scope.db.transaction() as conn:
        flow, _ = await _require_node_flow(conn, scope.actor, source_node_id, field="source_node_id")
        rows = canvas_order(await node_rows(conn, flow["id"]), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        source = canvas_rows[next(i for i, r in enumerate(rows) if r["id"] == source_node_id)]
        if not any(r["id"] == target_node_id for r in rows):
            raise InvalidInput(
                "target_node_id",
                f"{target_node_id} is not a node of flow '{flow['name']}' (the flow of "
                f"source_node_id); nodes connect only within one flow. {_NODE_HINT} "
                f"Nothing was saved.",
            )
        target = next(r for r in rows if r["id"] == target_node_id)["canvas_node_id"]
        if _connect(source, target, trigger=trigger, label=label, element=element):
            await store_rows(conn, flow, rows, canvas_rows)
        return await _node_out(conn, source_node_id)


async def auto_layout_flow(scope: Scope, flow_id: UUID) -> LayoutResult:
    async with scope.db.transaction() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, lock="NO KEY UPDATE")
        rows = canvas_order(await node_rows(conn, flow_id), flow["canvas_state"])
        canvas_rows = rows_as_canvas_rows(rows)
        canvas = apply_node_rows(valid_canvas_or_empty(flow["canvas_state"]), canvas_rows)
        positions = await run_cpu_if(
            len(canvas.get("nodes", [])) > INLINE_NODES,
            flow_graph.auto_layout,
            canvas.get("nodes", []),
            canvas.get("edges", []),
            timeout=60,
        )
        moved = 0
        for row in canvas_rows:
            new = positions[row["canvas_node_id"]]
            if row["position"] != new:
                moved += 1
                row["position"] = dict(new)
        if moved:
            await store_rows(conn, flow, rows, canvas_rows)
    return LayoutResult(flow_id=flow_id, moved=moved, positions=positions)
