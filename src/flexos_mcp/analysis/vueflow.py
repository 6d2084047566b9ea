"""VueFlow canvas <-> flow_nodes rows.

A journey flow is stored twice: `journey_flows.canvas_state` keeps the VueFlow FlowExportObject
exactly as the editor sent it (VueFlow users put their own keys on nodes and edges, and the
editor must get back what it saved), and `flow_nodes` keeps one row per canvas node so tools can
query and edit nodes with meaning (screen, decision, database step...). This module converts
between the two without losing anything:

- `parse_canvas` validates a FlowExportObject and derives one row per node;
- `apply_node_rows` writes rows back into the canvas, touching only what the rows changed, so
  `apply_node_rows(c, parse_canvas(c)["rows"]) == c` for every valid canvas `c`;
- `node_semantic_errors` checks what the node types mean (branch targets, page ids, CRUD ops).

Everything here works on VueFlow string ids; the database layer maps them to row UUIDs.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NotRequired, TypedDict, TypeGuard

from .shown import json_shown

# Size limits of one canvas. A journey flow a person can read has tens of nodes; these limits
# leave two orders of magnitude of headroom while keeping one save (validation, row diff, JSONB
# write) well under a second. Larger canvases are refused with a message naming the limit.
MAX_CANVAS_NODES = 2000
MAX_CANVAS_EDGES = 5000

NODE_TYPES = ("screen", "decision", "annotation", "database", "action")
"""Our `flow_nodes.node_type` values. Any other VueFlow `type` (the built-ins `input`, `output`,
`default`, or a custom component name) is stored as `action` and kept untouched in the canvas."""

DATABASE_OPERATIONS = ("CREATE", "READ", "UPDATE", "DELETE")

DEFAULT_NODE_SIZE = {"width": 180, "height": 80}
"""Size assumed for layout when a node carries none (VueFlow measures nodes only when mounted)."""


class CanvasError(ValueError):
    """A canvas (or a reference into one) is invalid. `path` locates the offending value,
    e.g. `edges[3].target`; the message says what was wrong and what is valid."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class Connection(TypedDict):
    """One outgoing edge as seen from its source node's row."""

    target: str
    edge_id: NotRequired[str]
    trigger: NotRequired[Any]
    element: NotRequired[Any]
    label: NotRequired[Any]
    sourceHandle: NotRequired[Any]


class NodeRow(TypedDict):
    canvas_node_id: str
    node_type: str
    position: dict[str, float]
    size: dict[str, float]
    data: dict[str, Any]
    connections: list[Connection]
    locked: bool


class ParsedCanvas(TypedDict):
    canvas: dict[str, Any]
    rows: list[NodeRow]
    viewport: dict[str, float]


# ---------------------------------------------------------------------------------------------
# Reading single nodes (shared with flow_graph and mermaid)


def row_node_type(vueflow_type: Any) -> str:
    """Our node_type for a VueFlow node `type`: our five types map to themselves, anything else
    (built-ins, custom components, missing) is an `action` step."""
    return vueflow_type if vueflow_type in NODE_TYPES else "action"


def node_type_of(node: dict[str, Any]) -> str:
    return row_node_type(node.get("type"))


def _number_from_css(value: Any) -> float | None:
    """A size as VueFlow may carry it: a number, or a CSS length in px ("200px", "200")."""
    if _is_number(value):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(?:px)?\s*", value)
        if match:
            number = float(match.group(1))
            return int(number) if number.is_integer() else number
    return None


def _size_sources(node: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Where each dimension of a node's size lives, first found wins: the node's own
    `width`/`height`, then `dimensions`, then `style`. Writing a size back goes to the same
    place, so a canvas that sizes nodes through `style` keeps doing so."""
    sources: dict[str, tuple[str, ...]] = {}
    for dim in ("width", "height"):
        for path in ((dim,), ("dimensions", dim), ("style", dim)):
            container = node if len(path) == 1 else node.get(path[0])
            if isinstance(container, dict) and _number_from_css(container.get(path[-1])) is not None:
                sources[dim] = path
                break
    return sources


def node_size_of(node: dict[str, Any]) -> dict[str, float]:
    """The size a node carries, as `{width?, height?}` numbers (empty when it carries none)."""
    size: dict[str, float] = {}
    for dim, path in _size_sources(node).items():
        container = node if len(path) == 1 else node[path[0]]
        number = _number_from_css(container[path[-1]])
        assert number is not None  # _size_sources lists only the dimensions that parse
        size[dim] = number
    return size


def node_box_size(node: dict[str, Any]) -> tuple[float, float]:
    """Width and height for layout: the carried size, else DEFAULT_NODE_SIZE."""
    size = node_size_of(node)
    return (size.get("width", DEFAULT_NODE_SIZE["width"]), size.get("height", DEFAULT_NODE_SIZE["height"]))


def node_label_of(node: dict[str, Any], page_names: dict[str, str] | None = None) -> str:
    """What a person would call this node: its VueFlow `label`, else `data.label`, else what its
    type says (a decision's question, a database step's operation and entity, a screen's page
    name from `page_names` (page id, lowercase -> name) or else its page path), else its id."""
    data: dict[str, Any] = node["data"] if isinstance(node.get("data"), dict) else {}
    for value in (node.get("label"), data.get("label"), data.get("title"), data.get("name")):
        if isinstance(value, str) and value.strip():
            return value
    node_type = node_type_of(node)
    if node_type == "decision" and isinstance(question := data.get("question"), str):
        return question
    if node_type == "database" and isinstance(entity := data.get("entity"), str):
        operation = data.get("operation")
        return f"{operation.upper()} {entity}" if isinstance(operation, str) else entity
    if node_type == "screen":
        page_name = (page_names or {}).get(str(data.get("page_id", "")).lower())
        if page_name and page_name.strip():
            return page_name
        if isinstance(page_path := data.get("page_path"), str):
            return page_path
    if node_type == "annotation" and isinstance(text := data.get("text"), str):
        return text
    return str(node.get("id", ""))


# ---------------------------------------------------------------------------------------------
# Validation


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# Node and edge ids are identifiers (rows and links name nodes by them), not text: letters and
# digits of any script and _ . : - only; no spaces or markup, so an id cannot carry a sentence or
# a boundary marker to the model that reads it (labels are where text goes, inside the boundary).
CANVAS_ID_PATTERN = r"^[\w.:-]+$"
CANVAS_ID_HELP = "letters, digits, '_', '.', ':' and '-', no spaces (at most 255), e.g. 'n1' or 'vueflow__node-2'"
_CANVAS_ID = re.compile(CANVAS_ID_PATTERN)


def _typed(value: Any) -> str:
    """A value for an error message, with its JSON type: `string "1"`, `number 2`, `null`."""
    return "null" if value is None else f"{_type_name(value)} {json_shown(value)}"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _id_list(ids: list[str], limit: int = 20) -> str:
    shown = ", ".join(ids[:limit])
    if len(ids) > limit:
        shown += f", ... ({len(ids) - limit} more)"
    return shown or "(none: the canvas has no nodes)"


def _require_point(value: Any, path: str, what: str) -> None:
    if not isinstance(value, dict):
        raise CanvasError(f"{path} must be an object {{x: number, y: number}} ({what}); got {_type_name(value)}", path)
    for axis in ("x", "y"):
        if not _is_number(value.get(axis)):
            got = "missing" if axis not in value else f"{_typed(value[axis])}"
            raise CanvasError(f"{path}.{axis} must be a finite number ({what}); got {got}", f"{path}.{axis}")


def _identified(
    items: Any, kind: str, limit: int, limit_name: str, advice: str
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Check an array of VueFlow nodes or edges: an array within its limit, each item an object
    with a unique non-empty string id. Yields (path, item, id) for the checks of each kind."""
    plural = f"{kind}s"
    if not isinstance(items, list):
        raise CanvasError(f"{plural} must be an array of VueFlow {plural}; got {_type_name(items)}", plural)
    if len(items) > limit:
        raise CanvasError(
            f"the canvas has {len(items)} {plural}; a flow holds at most {limit} ({limit_name}). {advice}", plural
        )
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        path = f"{plural}[{index}]"
        if not isinstance(item, dict):
            raise CanvasError(f"{path} must be an object (a VueFlow {kind}); got {_type_name(item)}", path)
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise CanvasError(f"{path}.id must be a non-empty string; got {_typed(item_id)}", f"{path}.id")
        if len(item_id) > 255 or not _CANVAS_ID.fullmatch(item_id):
            raise CanvasError(f"{path}.id must be {CANVAS_ID_HELP}; got {json_shown(item_id)}", f"{path}.id")
        if item_id in seen:
            raise CanvasError(
                f"{path}.id '{item_id}' is already the id of {plural}[{seen[item_id]}]; {kind} ids must be unique",
                f"{path}.id",
            )
        seen[item_id] = index
        yield path, item, item_id


def _validate_nodes(nodes: Any) -> list[str]:
    ids: list[str] = []
    for path, node, node_id in _identified(
        nodes, "node", MAX_CANVAS_NODES, "MAX_CANVAS_NODES", "Split it into several flows (e.g. one per journey)."
    ):
        ids.append(node_id)
        _require_point(node.get("position"), f"{path}.position", f"node '{node_id}'")
        if "type" in node and node["type"] is not None and not isinstance(node["type"], str):
            raise CanvasError(
                f"{path}.type of node '{node_id}' must be a string; got {_type_name(node['type'])}", f"{path}.type"
            )
        if node.get("data") is not None and not isinstance(node["data"], dict):
            raise CanvasError(
                f"{path}.data of node '{node_id}' must be an object; got {_type_name(node['data'])}", f"{path}.data"
            )
    known = set(ids)
    for index, node in enumerate(nodes):
        for key in ("parentNode", "parent"):
            parent = node.get(key)
            if parent is not None and parent not in known:
                raise CanvasError(
                    f"nodes[{index}].{key} '{parent}' of node '{node['id']}' is not a node of this canvas; valid node ids: {_id_list(ids)}",
                    f"nodes[{index}].{key}",
                )
    return ids


def _validate_edges(edges: Any, node_ids: list[str]) -> None:
    known = set(node_ids)
    for path, edge, edge_id in _identified(
        edges, "edge", MAX_CANVAS_EDGES, "MAX_CANVAS_EDGES", "Split it into several flows."
    ):
        for end in ("source", "target"):
            value = edge.get(end)
            if not isinstance(value, str) or value not in known:
                shown = json_shown(value) if isinstance(value, str) else _typed(value)
                raise CanvasError(
                    f"{path}.{end} {shown} of edge '{edge_id}' is not a node of this canvas; valid node ids: {_id_list(node_ids)}",
                    f"{path}.{end}",
                )
        if edge.get("data") is not None and not isinstance(edge["data"], dict):
            raise CanvasError(
                f"{path}.data of edge '{edge_id}' must be an object; got {_type_name(edge['data'])}", f"{path}.data"
            )


def _validate_viewport(canvas: dict[str, Any]) -> dict[str, float]:
    """The camera: `viewport`, else the deprecated `position` + `zoom`, else the origin at 1x."""
    if "viewport" in canvas and canvas["viewport"] is not None:
        viewport = canvas["viewport"]
        if not isinstance(viewport, dict):
            raise CanvasError(f"viewport must be an object {{x, y, zoom}}; got {_type_name(viewport)}", "viewport")
        for key in ("x", "y", "zoom"):
            if key in viewport and not _is_number(viewport[key]):
                raise CanvasError(
                    f"viewport.{key} must be a finite number; got {_typed(viewport[key])}", f"viewport.{key}"
                )
        if "zoom" in viewport and viewport["zoom"] <= 0:
            raise CanvasError(
                f"viewport.zoom must be greater than 0; got {json_shown(viewport['zoom'])}", "viewport.zoom"
            )
        return {"x": viewport.get("x", 0), "y": viewport.get("y", 0), "zoom": viewport.get("zoom", 1)}
    position = canvas.get("position")
    if position is not None and not (
        isinstance(position, list) and len(position) == 2 and all(_is_number(v) for v in position)
    ):
        raise CanvasError(
            f"position (deprecated) must be an array [x, y] of two numbers; got {json_shown(position)}", "position"
        )
    zoom = canvas.get("zoom")
    if zoom is not None and not (_is_number(zoom) and zoom > 0):
        raise CanvasError(f"zoom (deprecated) must be a number greater than 0; got {json_shown(zoom)}", "zoom")
    x, y = position if position is not None else (0, 0)
    return {"x": x, "y": y, "zoom": zoom if zoom is not None else 1}


# ---------------------------------------------------------------------------------------------
# Canvas -> rows


def _edge_connection(edge: dict[str, Any]) -> Connection:
    """An edge as a connection of its source row. Only keys the edge has are present, so the
    connection converts back to exactly the same edge."""
    connection: dict[str, Any] = {"target": edge["target"], "edge_id": edge["id"]}
    data: dict[str, Any] = edge["data"] if isinstance(edge.get("data"), dict) else {}
    for key in ("trigger", "element"):
        if key in data:
            connection[key] = copy.deepcopy(data[key])
    for key in ("label", "sourceHandle"):
        if key in edge:
            connection[key] = copy.deepcopy(edge[key])
    return connection  # type: ignore[return-value]  # built with Connection's keys only, those the edge has


def validate_canvas(obj: Any) -> tuple[list[str], dict[str, float]]:
    """Check a FlowExportObject without copying it: its node ids (in canvas order) and viewport,
    or a CanvasError naming the offending node/edge and field."""
    if not isinstance(obj, dict):
        raise CanvasError(
            f"a canvas must be a JSON object (a VueFlow FlowExportObject with nodes, edges, viewport); got {_type_name(obj)}",
            "",
        )
    node_ids = _validate_nodes(obj.get("nodes", []))
    _validate_edges(obj.get("edges", []), node_ids)
    return node_ids, _validate_viewport(obj)


def parse_canvas(obj: Any) -> ParsedCanvas:
    """Validate a VueFlow FlowExportObject and derive one `flow_nodes` row per node.

    Returns `{"canvas": obj (deep copy, unchanged), "rows": [NodeRow...] in canvas order,
    "viewport": {x, y, zoom}}`. Raises CanvasError naming the offending node/edge and field.
    `locked` mirrors VueFlow's `draggable: false` (a node the editor will not let you move)."""
    node_ids, viewport = validate_canvas(obj)
    canvas = copy.deepcopy(obj)
    nodes = canvas.get("nodes", [])
    connections: dict[str, list[Connection]] = {node_id: [] for node_id in node_ids}
    for edge in canvas.get("edges", []):
        connections[edge["source"]].append(_edge_connection(edge))
    rows: list[NodeRow] = []
    for node in nodes:
        rows.append(
            {
                "canvas_node_id": node["id"],
                "node_type": node_type_of(node),
                "position": {"x": node["position"]["x"], "y": node["position"]["y"]},
                "size": node_size_of(node),
                "data": copy.deepcopy(node.get("data") or {}),
                "connections": connections[node["id"]],
                "locked": node.get("draggable") is False,
            }
        )
    return {"canvas": canvas, "rows": rows, "viewport": viewport}


# ---------------------------------------------------------------------------------------------
# Rows -> canvas


def _validate_rows(rows: Any) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        raise CanvasError(f"rows must be an array of flow node rows; got {_type_name(rows)}", "rows")
    seen: set[str] = set()
    edge_ids: set[str] = set()
    for index, row in enumerate(rows):
        path = f"rows[{index}]"
        if not isinstance(row, dict):
            raise CanvasError(f"{path} must be an object; got {_type_name(row)}", path)
        node_id = row.get("canvas_node_id")
        if not isinstance(node_id, str) or not node_id:
            raise CanvasError(
                f"{path}.canvas_node_id must be a non-empty string; got {json_shown(node_id)}", f"{path}.canvas_node_id"
            )
        if node_id in seen:
            raise CanvasError(
                f"{path}.canvas_node_id '{node_id}' appears twice; each row is one canvas node",
                f"{path}.canvas_node_id",
            )
        seen.add(node_id)
        if row.get("node_type") not in NODE_TYPES:
            raise CanvasError(
                f"{path}.node_type of node '{node_id}' is {json_shown(row.get('node_type'))}; valid: {', '.join(NODE_TYPES)}",
                f"{path}.node_type",
            )
        _require_point(row.get("position"), f"{path}.position", f"node '{node_id}'")
        if not isinstance(row.get("data", {}), dict):
            raise CanvasError(f"{path}.data of node '{node_id}' must be an object", f"{path}.data")
        size = row.get("size") or {}
        if not isinstance(size, dict) or any(not _is_number(size[k]) for k in ("width", "height") if k in size):
            raise CanvasError(
                f"{path}.size of node '{node_id}' must be {{width?: number, height?: number}}; got {json_shown(size)}",
                f"{path}.size",
            )
        connections = row.get("connections") or []
        if not isinstance(connections, list):
            raise CanvasError(f"{path}.connections of node '{node_id}' must be an array", f"{path}.connections")
        for c_index, connection in enumerate(connections):
            c_path = f"{path}.connections[{c_index}]"
            if not isinstance(connection, dict) or not isinstance(connection.get("target"), str):
                raise CanvasError(
                    f"{c_path} of node '{node_id}' must be an object with a string target (a canvas node id)", c_path
                )
            edge_id = connection.get("edge_id")
            if edge_id is not None:
                if not isinstance(edge_id, str) or not edge_id:
                    raise CanvasError(
                        f"{c_path}.edge_id of node '{node_id}' must be a non-empty string", f"{c_path}.edge_id"
                    )
                if edge_id in edge_ids:
                    raise CanvasError(
                        f"{c_path}.edge_id '{edge_id}' of node '{node_id}' is used by another connection; edge ids are unique",
                        f"{c_path}.edge_id",
                    )
                edge_ids.add(edge_id)
    return rows


def _set_or_delete(container: dict[str, Any], key: str, present: bool, value: Any) -> None:
    if present:
        container[key] = copy.deepcopy(value)
    else:
        container.pop(key, None)


def _apply_size(node: dict[str, Any], size: dict[str, float]) -> None:
    if node_size_of(node) == size:
        return
    sources = _size_sources(node)
    for dim in ("width", "height"):
        path = sources.get(dim, (dim,))
        container = node if len(path) == 1 else node.setdefault(path[0], {})
        if dim not in size:
            if dim in sources:
                container.pop(path[-1], None)
            continue
        old = container.get(path[-1])
        if _number_from_css(old) == size[dim]:
            continue
        container[path[-1]] = f"{size[dim]}px" if isinstance(old, str) else size[dim]


def _apply_row_to_node(node: dict[str, Any], row: dict[str, Any]) -> None:
    """Write a row's fields into its canvas node, changing only what differs."""
    if node_type_of(node) != row["node_type"]:
        node["type"] = row["node_type"]
    for axis in ("x", "y"):
        if node["position"][axis] != row["position"][axis]:
            node["position"][axis] = row["position"][axis]
    _apply_size(node, row.get("size") or {})
    data = row.get("data") or {}
    if (node.get("data") or {}) != data:
        node["data"] = copy.deepcopy(data)
    locked = bool(row.get("locked", False))
    if (node.get("draggable") is False) != locked:
        node["draggable"] = not locked


def _new_node(row: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": row["canvas_node_id"],
        "type": row["node_type"],
        "position": {"x": row["position"]["x"], "y": row["position"]["y"]},
        "data": copy.deepcopy(row.get("data") or {}),
    }
    label = node["data"].get("label")
    if isinstance(label, str):
        node["label"] = label
    for dim, value in (row.get("size") or {}).items():
        node[dim] = value
    if row.get("locked"):
        node["draggable"] = False
    return node


def _apply_connection_to_edge(edge: dict[str, Any], source: str, connection: dict[str, Any]) -> None:
    if edge["source"] != source:
        edge["source"] = source
    if edge["target"] != connection["target"]:
        edge["target"] = connection["target"]
    for key in ("label", "sourceHandle"):
        if (key in edge, edge.get(key)) != (key in connection, connection.get(key)):
            _set_or_delete(edge, key, key in connection, connection.get(key))
    for key in ("trigger", "element"):
        data = edge.get("data") if isinstance(edge.get("data"), dict) else None
        stored = (data is not None and key in data, data.get(key) if data is not None else None)
        if stored == (key in connection, connection.get(key)):
            continue
        if data is None:
            data = edge["data"] = {}
        _set_or_delete(data, key, key in connection, connection.get(key))


def _new_edge(edge_id: str, source: str, connection: dict[str, Any]) -> dict[str, Any]:
    edge: dict[str, Any] = {"id": edge_id, "source": source, "target": connection["target"]}
    for key in ("sourceHandle", "label"):
        if key in connection:
            edge[key] = copy.deepcopy(connection[key])
    data = {key: copy.deepcopy(connection[key]) for key in ("trigger", "element") if key in connection}
    if data:
        edge["data"] = data
    return edge


def _fresh_edge_id(source: str, target: str, taken: set[str]) -> str:
    """A readable, deterministic id for an edge created through a row tool."""
    base = f"e-{source}-{target}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def apply_node_rows(canvas: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The stored canvas with `rows` (the complete node set of the flow) applied.

    Rows whose node is on the canvas update it in place (type, position, size, data, locked);
    new rows become nodes appended in row order; nodes without a row are removed, and so are
    edges touching them. Edges are the rows' connections: a connection with the `edge_id` of a
    canvas edge updates that edge (source, target, label, sourceHandle, data.trigger/element),
    a connection without one becomes a new edge, and a canvas edge no connection names is
    removed. Keys the rows do not model stay exactly as they were, so applying the rows that
    `parse_canvas` derived from a canvas returns that canvas unchanged. `canvas` must have
    passed `parse_canvas`; rows are checked here (CanvasError). Returns a new object."""
    rows = _validate_rows(rows)
    result = copy.deepcopy(canvas)
    rows_by_id = {row["canvas_node_id"]: row for row in rows}
    old_nodes = result.get("nodes", [])
    on_canvas = {node["id"] for node in old_nodes}
    nodes = [node for node in old_nodes if node["id"] in rows_by_id]
    for node in nodes:
        _apply_row_to_node(node, rows_by_id[node["id"]])
    nodes.extend(_new_node(row) for row in rows if row["canvas_node_id"] not in on_canvas)
    if "nodes" in result or nodes:
        result["nodes"] = nodes

    named: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in rows:
        for connection in row.get("connections") or []:
            if connection.get("edge_id") is not None:
                named[connection["edge_id"]] = (row["canvas_node_id"], connection)
    old_edges = result.get("edges", [])
    edges = []
    for edge in old_edges:
        if edge["id"] not in named:
            continue
        source, connection = named[edge["id"]]
        _apply_connection_to_edge(edge, source, connection)
        edges.append(edge)
    on_canvas_edges = {edge["id"] for edge in old_edges}
    taken = set(on_canvas_edges) | set(named)
    for row in rows:
        for connection in row.get("connections") or []:
            edge_id = connection.get("edge_id")
            if edge_id is not None and edge_id in on_canvas_edges:
                continue
            edge_id = (
                edge_id if edge_id is not None else _fresh_edge_id(row["canvas_node_id"], connection["target"], taken)
            )
            edges.append(_new_edge(edge_id, row["canvas_node_id"], connection))
    edges = [edge for edge in edges if edge["source"] in rows_by_id and edge["target"] in rows_by_id]
    if "edges" in result or edges:
        result["edges"] = edges
    return result


# ---------------------------------------------------------------------------------------------
# What node types mean


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def normalise_node_data(node_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Data as we store it when a row tool writes it: a database step's operation upper-cased.
    (A canvas save keeps the editor's spelling; the checks below are case-insensitive.)"""
    if node_type == "database" and isinstance(data.get("operation"), str):
        return {**data, "operation": data["operation"].strip().upper()}
    return data


def node_semantic_errors(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """What the node types require, for every row: decision branch targets and connection
    targets name nodes of this flow, screen `page_id`/`mockup_id` are UUID strings (the database
    layer checks they exist in the project), database steps have an `entity` and a CRUD
    `operation`. Returns `[{node_id, field, message}]` in row order; empty when all is well."""
    node_ids = [row["canvas_node_id"] for row in rows]
    known = set(node_ids)
    errors: list[dict[str, str]] = []

    def error(node_id: str, field: str, message: str) -> None:
        errors.append({"node_id": node_id, "field": field, "message": f"node '{node_id}': {field} {message}"})

    for row in rows:
        node_id, data = row["canvas_node_id"], row.get("data") or {}
        for index, connection in enumerate(row.get("connections") or []):
            if connection.get("target") not in known:
                error(
                    node_id,
                    f"connections[{index}].target",
                    f"'{connection.get('target')}' is not a node of this flow; valid node ids: {_id_list(node_ids)}",
                )
        node_type = row["node_type"]
        if node_type == "decision":
            branches = data.get("branches", [])
            if not isinstance(branches, list):
                error(
                    node_id, "data.branches", f"must be an array of {{label, target_node}}; got {_type_name(branches)}"
                )
                branches = []
            for index, branch in enumerate(branches):
                field = f"data.branches[{index}]"
                if not isinstance(branch, dict):
                    error(node_id, field, f"must be an object {{label, target_node}}; got {_type_name(branch)}")
                elif (
                    "target_node" in branch and branch["target_node"] is not None and branch["target_node"] not in known
                ):
                    error(
                        node_id,
                        f"{field}.target_node",
                        f"'{branch['target_node']}' is not a node of this flow; valid node ids: {_id_list(node_ids)}",
                    )
        elif node_type == "screen":
            for key in ("page_id", "mockup_id"):
                if data.get(key) is not None and not _is_uuid(data[key]):
                    error(
                        node_id,
                        f"data.{key}",
                        f"must be a UUID string (e.g. '0b7e...-...'); got {json_shown(data[key])}",
                    )
        elif node_type == "database":
            entity = data.get("entity")
            if not isinstance(entity, str) or not entity.strip():
                error(
                    node_id,
                    "data.entity",
                    f"must name the entity this step touches (e.g. 'User'); got {json_shown(entity)}",
                )
            operation = data.get("operation")
            if not isinstance(operation, str) or operation.strip().upper() not in DATABASE_OPERATIONS:
                error(
                    node_id,
                    "data.operation",
                    f"must be one of {', '.join(DATABASE_OPERATIONS)} (any case); got {json_shown(operation)}",
                )
    return errors
