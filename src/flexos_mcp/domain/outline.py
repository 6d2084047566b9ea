"""A project's whole outline in one read: the pages tree (status, current mockup version), flows
with node counts, features with their linked pages, entities with their field names.

The four statements run in one repeatable-read snapshot, so the outline is one consistent moment
of the project even while another session edits it.

It has a budget: at most OUTLINE_BUDGET items (pages, flows, features and entities together) per
read, in that order, pages depth-first. A larger project's outline says `truncated` and gives a
`next_cursor` that continues where it stopped (a page whose parent was on an earlier read comes
as a root with its `parent_id`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from ..errors import InvalidInput
from ..untrusted import Untrusted
from .paging import decode_cursor, encode_cursor
from .projects import require_project
from .scope import Scope

OUTLINE_BUDGET = 150


class OutlinePage(BaseModel):
    id: UUID
    parent_id: UUID | None = Field(default=None, description="Set only when the parent came on an earlier read.")
    name: Untrusted
    slug: str
    path: str | None
    type: str | None
    status: str | None
    current_mockup_version: int | None = Field(description="Version number of the current mockup; null when none.")
    children: list[OutlinePage] = Field(default_factory=list)


class OutlineFlow(BaseModel):
    id: UUID
    name: Untrusted
    flow_type: str | None
    is_primary: bool
    node_count: int


class OutlineFeature(BaseModel):
    id: UUID
    name: Untrusted
    category: Untrusted | None
    status: str | None
    pages: list[str] = Field(description="Slugs of the linked pages.")


class OutlineEntity(BaseModel):
    id: UUID
    entity_name: Untrusted
    user_confirmed: bool
    confidence_score: float | None
    field_names: list[Untrusted]


class ProjectOutline(BaseModel):
    project_id: UUID
    name: Untrusted
    type: str
    pages: list[OutlinePage] = Field(description="Top-level pages; children nested under their parent.")
    flows: list[OutlineFlow]
    features: list[OutlineFeature]
    entities: list[OutlineEntity]
    counts: dict[str, int] = Field(description="How many pages, flows, features and entities the project has.")
    truncated: bool = Field(description="True when this read stopped at the budget; next_cursor goes on.")
    next_cursor: str | None = None


def _depth_first(rows: list[Any]) -> list[Any]:
    """Pages in tree order: each parent, then its children (rows come in sort order)."""
    children: dict[Any, list[Any]] = {}
    ids = {r["id"] for r in rows}
    for r in rows:
        children.setdefault(r["parent_id"] if r["parent_id"] in ids else None, []).append(r)
    ordered: list[Any] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row["id"], [])))
    return ordered


def _tree(rows: list[Any]) -> list[OutlinePage]:
    """The pages of one read as a tree; a page whose parent is not in this read is a root that
    names its parent."""
    nodes = {
        r["id"]: OutlinePage(
            id=r["id"],
            name=r["name"],
            slug=r["slug"],
            path=r["path"],
            type=r["type"],
            status=r["status"],
            current_mockup_version=r["version"],
        )
        for r in rows
    }
    roots = []
    for r in rows:
        parent = nodes.get(r["parent_id"])
        if parent is None:
            nodes[r["id"]].parent_id = r["parent_id"]
            roots.append(nodes[r["id"]])
        else:
            parent.children.append(nodes[r["id"]])
    return roots


async def project_outline(scope: Scope, project_id: UUID, cursor: str | None = None) -> ProjectOutline:
    start = _offset(cursor)
    async with scope.db.snapshot(planned=True) as conn:  # its cost follows the project's size
        project = await require_project(conn, scope.actor, project_id)
        pages = await conn.fetch(
            """SELECT p.id, p.parent_id, p.name, p.slug, p.path, p.type, p.status,
                      (SELECT m.version FROM mockups m WHERE m.id = p.current_mockup_id) AS version
                 FROM pages p
                WHERE p.project_id = $1
                ORDER BY p.sort_order, p.name, p.id""",
            project_id,
        )
        flows = await conn.fetch(
            """SELECT f.id, f.name, f.flow_type, COALESCE(f.is_primary, false) AS is_primary,
                      (SELECT count(*)::int FROM flow_nodes n WHERE n.flow_id = f.id) AS node_count
                 FROM journey_flows f
                WHERE f.project_id = $1
                ORDER BY f.is_primary DESC NULLS LAST, f.name, f.id""",
            project_id,
        )
        features = await conn.fetch(
            """SELECT f.id, f.name, f.category, f.status,
                      COALESCE((SELECT jsonb_agg(p.slug ORDER BY x.n)
                                  FROM unnest(f.affected_pages) WITH ORDINALITY AS x(page_id, n)
                                  JOIN pages p ON p.id = x.page_id AND p.project_id = f.project_id),
                               '[]'::jsonb) AS pages
                 FROM features f
                WHERE f.project_id = $1
                ORDER BY f.created_at, f.id""",
            project_id,
        )
        entities = await conn.fetch(
            """SELECT id, entity_name, COALESCE(user_confirmed, false) AS user_confirmed, confidence_score,
                      CASE WHEN jsonb_typeof(fields) = 'object'
                           THEN ARRAY(SELECT jsonb_object_keys(fields)) ELSE '{}'::text[] END AS field_names
                 FROM inferred_entities
                WHERE project_id = $1
                ORDER BY entity_name""",
            project_id,
        )
    sections = {"pages": _depth_first(list(pages)), "flows": flows, "features": features, "entities": entities}
    taken: dict[str, list[Any]] = {}
    position, left = 0, OUTLINE_BUDGET
    for name, rows in sections.items():
        begin = min(max(start - position, 0), len(rows))
        taken[name] = list(rows[begin : begin + left])
        left -= len(taken[name])
        position += len(rows)
    shown = start + OUTLINE_BUDGET
    truncated = position > shown
    return ProjectOutline(
        project_id=project["id"],
        name=project["name"],
        type=project["type"],
        pages=_tree(taken["pages"]),
        flows=[OutlineFlow(**dict(f)) for f in taken["flows"]],
        features=[OutlineFeature(**dict(f)) for f in taken["features"]],
        entities=[OutlineEntity(**dict(e)) for e in taken["entities"]],
        counts={name: len(rows) for name, rows in sections.items()},
        truncated=truncated,
        next_cursor=encode_cursor(shown, project["id"]) if truncated else None,
    )


def _offset(cursor: str | None) -> int:
    decoded = decode_cursor(cursor, timestamp=False)
    if decoded is None:
        return 0
    if not isinstance(decoded[0], int) or decoded[0] < 0:
        raise InvalidInput("cursor", "not an outline cursor; pass the next_cursor of the previous read.")
    return decoded[0]
