"""Mermaid flowcharts from journey flows (and any small graph, e.g. the thinking chain).

Mermaid is how a flow reaches a person in a chat: hosts render it inline. Labels are user text,
so they are always quoted and escaped; node ids are generated (`n1`, `n2`, ...), never taken
from the input, so no input string can produce an invalid diagram or inject Mermaid syntax
(directives, click handlers, comments).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flexos_mcp.analysis.vueflow import node_label_of, node_type_of

DIRECTIONS = ("LR", "RL", "TB", "TD", "BT")

SHAPES = {
    "box": ('["', '"]'),
    "round": ('("', '")'),
    "stadium": ('(["', '"])'),
    "subroutine": ('[["', '"]]'),
    "cylinder": ('[("', '")]'),
    "circle": ('(("', '"))'),
    "diamond": ('{"', '"}'),
    "hexagon": ('{{"', '"}}'),
    "note": ('>"', '"]'),
}
"""Generic shape name -> Mermaid opening and closing brackets around a quoted label."""

EDGE_STYLES = {"arrow": "-->", "dotted": "-.->", "thick": "==>", "line": "---", "dotted_line": "-.-"}

FLOW_NODE_SHAPES = {
    "screen": "box",
    "decision": "diamond",
    "database": "cylinder",
    "action": "stadium",
    "annotation": "note",
}

STATUS_CLASS_DEFS = {
    "active": "fill:#dbeafe,stroke:#2563eb",
    "confirmed": "fill:#dcfce7,stroke:#16a34a",
    "revised": "fill:#fef9c3,stroke:#ca8a04",
    "rejected": "fill:#fee2e2,stroke:#dc2626,stroke-dasharray:4 2",
    "planned": "fill:#f1f5f9,stroke:#64748b",
    "in_progress": "fill:#dbeafe,stroke:#2563eb",
    "completed": "fill:#dcfce7,stroke:#16a34a",
    "abandoned": "fill:#f1f5f9,stroke:#94a3b8,stroke-dasharray:4 2",
}
"""Default styles for status classes (seed statuses; `in-progress` is spelled `in_progress`
because class names are sanitised to `[A-Za-z0-9_]`)."""

_ESCAPES = {
    "#": "#35;",  # first, so user text such as "#quot;" stays literal
    '"': "#quot;",
    "<": "#60;",
    ">": "#62;",
    "|": "#124;",
    "`": "#96;",
    "%": "#37;",  # Mermaid lifts `%%{init: ...}%%` directives out of any text, quoted or not
}
_STYLE_RE = re.compile(r"[A-Za-z-]+:[A-Za-z0-9#.% -]+(?:,[A-Za-z-]+:[A-Za-z0-9#.% -]+)*")


def escape_label(text: Any) -> str:
    """Text made safe inside a quoted Mermaid label: entity codes for characters Mermaid gives
    meaning to, `<br/>` for line breaks, spaces for other control characters, and a single
    space for an empty label (Mermaid rejects `[""]`)."""
    text = "" if text is None else str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in "\n\u2028\u2029\x85":
            out.append("<br/>")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(char)
    escaped = "".join(out)
    return escaped if escaped.strip() else " "


_RESERVED_WORDS = {
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "style",
    "classdef",
    "class",
    "click",
    "linkstyle",
    "direction",
    "default",
    "call",
    "href",
    "interpolate",
}


def class_name(name: str) -> str:
    """A status or class as a Mermaid class name (`in-progress` -> `in_progress`); Mermaid
    keywords (`end`, `style`...) get a trailing underscore."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", str(name))
    cleaned = cleaned if cleaned and cleaned[0].isalpha() else f"c_{cleaned}"
    return f"{cleaned}_" if cleaned.lower() in _RESERVED_WORDS else cleaned


def graph_to_mermaid(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    direction: str = "TD",
    class_defs: dict[str, str] | None = None,
) -> str:
    """A Mermaid flowchart of any small graph.

    nodes: `[{id, label, shape, class?}]` with shape one of SHAPES (default box) and class a
    status such as `confirmed`; edges: `[{source, target, label?, style?}]` with style one of
    EDGE_STYLES (default arrow). Node ids are replaced by `n1`, `n2`, ... in input order.
    `class_defs` adds or overrides STATUS_CLASS_DEFS (`{"done": "fill:#cfc,stroke:#393"}`);
    a classDef line is emitted only for classes in use."""
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction {direction!r} is not a Mermaid flowchart direction; valid: {', '.join(DIRECTIONS)}"
        )
    styles = {class_name(k): v for k, v in {**STATUS_CLASS_DEFS, **(class_defs or {})}.items()}
    for name, style in styles.items():
        if not _STYLE_RE.fullmatch(style):
            raise ValueError(
                f"class style for {name!r} must look like 'fill:#cfc,stroke:#393' (property:value pairs, no ; or braces); got {style!r}"
            )
    short: dict[str, str] = {}
    lines = [f"flowchart {direction}"]
    classes: dict[str, list[str]] = {}
    for i, node in enumerate(nodes, start=1):
        node_id = str(node["id"])
        if node_id in short:
            raise ValueError(f"nodes[{i - 1}].id {node_id!r} appears twice; node ids must be unique")
        short[node_id] = f"n{i}"
        shape = node.get("shape") or "box"
        if shape not in SHAPES:
            raise ValueError(
                f"nodes[{i - 1}].shape {shape!r} of node {node_id!r} is not known; valid: {', '.join(SHAPES)}"
            )
        opening, closing = SHAPES[shape]
        lines.append(f"  n{i}{opening}{escape_label(node.get('label'))}{closing}")
        if node.get("class"):
            classes.setdefault(class_name(node["class"]), []).append(f"n{i}")
    for e, edge in enumerate(edges):
        ends = []
        for end in ("source", "target"):
            if str(edge.get(end)) not in short:
                raise ValueError(f"edges[{e}].{end} {edge.get(end)!r} is not a node of this graph")
            ends.append(short[str(edge[end])])
        style = edge.get("style") or "arrow"
        if style not in EDGE_STYLES:
            raise ValueError(f"edges[{e}].style {style!r} is not known; valid: {', '.join(EDGE_STYLES)}")
        label = edge.get("label")
        text = f'|"{escape_label(label)}"| ' if label is not None and str(label).strip() else " "
        lines.append(f"  {ends[0]} {EDGE_STYLES[style]}{text}{ends[1]}")
    for name in sorted(classes):
        if name in styles:
            lines.append(f"  classDef {name} {styles[name]}")
        lines.append(f"  class {','.join(classes[name])} {name}")
    return "\n".join(lines) + "\n"


def _edge_label(edge: dict[str, Any], branch_labels: dict[tuple[str | None, str | None], str]) -> Any:
    """An edge's own label, else the label of the decision branch it carries out."""
    label = edge.get("label")
    if isinstance(label, str) and label.strip():
        return label
    data: dict[str, Any] = edge["data"] if isinstance(edge.get("data"), dict) else {}
    if isinstance(data.get("label"), str) and data["label"].strip():
        return data["label"]
    return branch_labels.get((edge.get("source"), edge.get("target")))


def flow_to_mermaid(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    direction: str = "LR",
    page_names: dict[str, str] | None = None,
) -> str:
    """A journey flow (VueFlow nodes and edges) as a Mermaid flowchart: screens as boxes (named
    after their page, from `page_names`, when they have no label of their own), decisions as
    diamonds, database steps as cylinders, actions as stadiums, annotations as notes linked by
    dotted lines; edges labelled by their label or decision branch."""
    kinds = {node["id"]: node_type_of(node) for node in nodes}
    branch_labels: dict[tuple[str | None, str | None], str] = {}
    for node in nodes:
        data: dict[str, Any] = node["data"] if isinstance(node.get("data"), dict) else {}
        if kinds[node["id"]] == "decision" and isinstance(data.get("branches"), list):
            for branch in data["branches"]:
                if isinstance(branch, dict) and isinstance(branch.get("label"), str):
                    branch_labels.setdefault((node["id"], branch.get("target_node")), branch["label"])
    generic_nodes = [
        {"id": node["id"], "label": node_label_of(node, page_names), "shape": FLOW_NODE_SHAPES[kinds[node["id"]]]}
        for node in nodes
    ]
    generic_edges = []
    for edge in edges:
        if edge.get("source") not in kinds or edge.get("target") not in kinds:
            continue
        note = "annotation" in (kinds[edge["source"]], kinds[edge["target"]])
        generic_edges.append(
            {
                "source": edge["source"],
                "target": edge["target"],
                "label": _edge_label(edge, branch_labels),
                "style": "dotted_line" if note else "arrow",
            }
        )
    return graph_to_mermaid(generic_nodes, generic_edges, direction=direction)
