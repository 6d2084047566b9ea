"""Reading journeys: a flow's structure (entries, exits, dead ends, cycles, paths, missing
branches), its Mermaid text, and a project's flow coverage of its pages. Reads only, each in one
snapshot; the graph work is `analysis.flow_graph` and `analysis.mermaid`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis import flow_graph, mermaid
from ..analysis.vueflow import node_label_of
from ..compute import run_cpu_if
from ..untrusted import Untrusted
from .flows import INLINE_NODES, node_label, require_flow, valid_canvas_or_empty
from .projects import require_project
from .scope import Scope

# ---------------------------------------------------------------------------------------------
# Output models


class NodeRef(BaseModel):
    id: UUID
    node_type: str
    label: Untrusted


class MissingBranch(BaseModel):
    node_id: str
    problem: str
    branch_index: int | None = None
    message: str


class FlowAnalysis(BaseModel):
    flow_id: UUID
    node_count: int
    edge_count: int
    entries: list[str]
    exits: list[str]
    unreachable: list[str]
    dead_ends: list[str]
    cycles: list[list[str]]
    cycles_truncated: bool
    missing_branches: list[MissingBranch]
    paths: list[list[str]]
    path_count: int | None = Field(description="All entry-to-exit paths; null when too many to count.")
    paths_truncated: bool
    nodes: dict[str, NodeRef] = Field(description="Canvas id -> node, for every node named above.")


class FlowMermaid(BaseModel):
    flow_id: UUID
    name: Untrusted
    mermaid: Untrusted


class PageRef(BaseModel):
    id: UUID
    name: Untrusted
    path: str | None


class FlowPageGap(BaseModel):
    flow_id: UUID
    flow_name: Untrusted
    pages: list[PageRef] = Field(description="Pages its screens show that have no mockup.")


class ScreenWithoutPage(BaseModel):
    flow_id: UUID
    flow_name: Untrusted
    node_id: UUID
    canvas_node_id: str
    label: Untrusted


class FlowCoverage(BaseModel):
    project_id: UUID
    page_count: int
    flow_count: int
    pages_in_flows: int
    pages_in_no_flow: list[PageRef]
    flows_with_unmocked_pages: list[FlowPageGap]
    screens_without_page: list[ScreenWithoutPage]
    truncated: bool = Field(description="A list was cut at 200 entries.")


# ---------------------------------------------------------------------------------------------
# Reading journeys: analysis, Mermaid, coverage


async def _flow_with_canvas(
    scope: Scope, flow_id: UUID, *, project_id: UUID | None = None
) -> tuple[Any, dict[str, Any], list[Any], dict[str, str]]:
    """The flow, its canvas, its rows and the names of the pages its screens show (page id in
    lowercase -> name, so a screen without a label of its own is named after its page), read in
    one consistent snapshot."""
    async with scope.db.snapshot() as conn:
        flow = await require_flow(conn, scope.actor, flow_id, project_id=project_id)
        rows = await conn.fetch(
            "SELECT id, canvas_node_id, node_type, data FROM flow_nodes WHERE flow_id = $1", flow_id
        )
        pages = await conn.fetch(
            """SELECT p.id::text AS id, p.name FROM pages p
                WHERE p.project_id = $2
                  AND p.id::text IN (SELECT lower(n.data->>'page_id') FROM flow_nodes n
                                      WHERE n.flow_id = $1 AND n.node_type = 'screen')""",
            flow_id,
            flow["project_id"],
        )
    return flow, valid_canvas_or_empty(flow["canvas_state"]), rows, {r["id"]: r["name"] for r in pages}


async def analyze_flow(scope: Scope, flow_id: UUID, *, max_paths: int = 20) -> FlowAnalysis:
    _flow, canvas, rows, page_names = await _flow_with_canvas(scope, flow_id)
    nodes, edges = canvas.get("nodes", []), canvas.get("edges", [])
    found = await run_cpu_if(
        len(nodes) > INLINE_NODES, flow_graph.analyze_flow, nodes, edges, max_paths=max_paths, max_cycles=50, timeout=60
    )
    mentioned: set[str] = set()
    for key in ("entries", "exits", "unreachable", "dead_ends"):
        mentioned.update(found[key])
    for group in found["cycles"] + found["paths"]:
        mentioned.update(group)
    mentioned.update(m["node_id"] for m in found["missing_branches"])
    by_canvas = {r["canvas_node_id"]: r for r in rows}
    labels = {node["id"]: node_label_of(node, page_names) for node in nodes}
    legend = {
        node_id: NodeRef(
            id=by_canvas[node_id]["id"], node_type=by_canvas[node_id]["node_type"], label=labels.get(node_id, node_id)
        )
        for node_id in mentioned
        if node_id in by_canvas
    }
    found.pop("dangling_edges", None)
    return FlowAnalysis(flow_id=flow_id, nodes=legend, **found)


async def flow_mermaid(
    scope: Scope, flow_id: UUID, *, direction: str = "LR", project_id: UUID | None = None
) -> FlowMermaid:
    flow, canvas, _, page_names = await _flow_with_canvas(scope, flow_id, project_id=project_id)
    text = await run_cpu_if(
        len(canvas.get("nodes", [])) > INLINE_NODES,
        mermaid.flow_to_mermaid,
        canvas.get("nodes", []),
        canvas.get("edges", []),
        direction=direction,
        page_names=page_names,
        timeout=60,
    )
    return FlowMermaid(flow_id=flow_id, name=flow["name"], mermaid=text)


COVERAGE_LIMIT = 200


async def project_flow_coverage(scope: Scope, project_id: UUID) -> FlowCoverage:
    limit = COVERAGE_LIMIT
    async with scope.db.snapshot() as conn:
        await require_project(conn, scope.actor, project_id)
        counts = await conn.fetchrow(
            """WITH shown AS (
                 SELECT DISTINCT lower(n.data->>'page_id')::uuid AS page_id
                   FROM flow_nodes n
                  WHERE n.project_id = $1 AND n.node_type = 'screen'
                    AND n.data->>'page_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
               SELECT (SELECT count(*) FROM pages WHERE project_id = $1) AS page_count,
                      (SELECT count(*) FROM journey_flows WHERE project_id = $1) AS flow_count,
                      (SELECT count(*) FROM pages p JOIN shown s ON s.page_id = p.id WHERE p.project_id = $1) AS pages_in_flows""",
            project_id,
        )
        unshown = await conn.fetch(
            """SELECT p.id, p.name, p.path FROM pages p
                WHERE p.project_id = $1
                  AND NOT EXISTS (SELECT 1 FROM flow_nodes n WHERE n.project_id = $1 AND n.node_type = 'screen'
                                     AND lower(n.data->>'page_id') = p.id::text)
                ORDER BY p.path NULLS LAST, p.name, p.id LIMIT $2""",
            project_id,
            limit + 1,
        )
        unmocked = await conn.fetch(
            """SELECT f.id AS flow_id, f.name AS flow_name,
                      jsonb_agg(DISTINCT jsonb_build_object('id', p.id, 'name', p.name, 'path', p.path)) AS pages
                 FROM flow_nodes n
                 JOIN journey_flows f ON f.id = n.flow_id
                 JOIN pages p ON p.project_id = n.project_id AND p.id::text = lower(n.data->>'page_id')
                WHERE n.project_id = $1 AND n.node_type = 'screen'
                  AND NOT EXISTS (SELECT 1 FROM mockups m WHERE m.page_id = p.id)
                GROUP BY f.id, f.name ORDER BY f.name, f.id LIMIT $2""",
            project_id,
            limit + 1,
        )
        pageless = await conn.fetch(
            """SELECT f.id AS flow_id, f.name AS flow_name, n.id AS node_id, n.canvas_node_id, n.data
                 FROM flow_nodes n JOIN journey_flows f ON f.id = n.flow_id
                WHERE n.project_id = $1 AND n.node_type = 'screen' AND n.data->>'page_id' IS NULL
                ORDER BY f.name, f.id, n.created_at, n.id LIMIT $2""",
            project_id,
            limit + 1,
        )
    return FlowCoverage(
        project_id=project_id,
        page_count=counts["page_count"],
        flow_count=counts["flow_count"],
        pages_in_flows=counts["pages_in_flows"],
        pages_in_no_flow=[PageRef(id=r["id"], name=r["name"], path=r["path"]) for r in unshown[:limit]],
        flows_with_unmocked_pages=[
            FlowPageGap(
                flow_id=r["flow_id"],
                flow_name=r["flow_name"],
                pages=sorted((PageRef(**p) for p in r["pages"]), key=lambda p: (p.path or "", p.name)),
            )
            for r in unmocked[:limit]
        ],
        screens_without_page=[
            ScreenWithoutPage(
                flow_id=r["flow_id"],
                flow_name=r["flow_name"],
                node_id=r["node_id"],
                canvas_node_id=r["canvas_node_id"],
                label=node_label(r["canvas_node_id"], "screen", r["data"] or {}),
            )
            for r in pageless[:limit]
        ],
        truncated=any(len(x) > limit for x in (unshown, unmocked, pageless)),
    )
