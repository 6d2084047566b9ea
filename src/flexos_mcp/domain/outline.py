"""A project's whole outline in one read: the pages tree (status, current mockup version), flows
with node counts, features with their linked pages, entities with their field names.

The four statements run in one repeatable-read snapshot, so the outline is one consistent moment
of the project even while another session edits it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from .projects import require_project
from .scope import Scope
from .untrusted import Untrusted


class OutlinePage(BaseModel):
    id: UUID
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


class OutlineLinkedPage(BaseModel):
    id: UUID
    name: Untrusted
    slug: str


class OutlineFeature(BaseModel):
    id: UUID
    name: Untrusted
    category: Untrusted | None
    status: str | None
    pages: list[OutlineLinkedPage]


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


def _tree(rows: list[Any]) -> list[OutlinePage]:
    nodes = {r["id"]: OutlinePage(id=r["id"], name=r["name"], slug=r["slug"], path=r["path"], type=r["type"],
                                  status=r["status"], current_mockup_version=r["version"]) for r in rows}
    roots = []
    for r in rows:  # rows come in (sort_order, name) order, so children keep that order too
        parent = nodes.get(r["parent_id"])
        (parent.children if parent is not None else roots).append(nodes[r["id"]])
    return roots


async def project_outline(scope: Scope, project_id: UUID) -> ProjectOutline:
    async with scope.db.snapshot() as conn:
        project = await require_project(conn, scope.actor, project_id)
        pages = await conn.fetch(
            """SELECT p.id, p.parent_id, p.name, p.slug, p.path, p.type, p.status,
                      (SELECT m.version FROM mockups m WHERE m.id = p.current_mockup_id) AS version
                 FROM pages p
                WHERE p.project_id = $1
                ORDER BY p.sort_order, p.name, p.id""", project_id)
        flows = await conn.fetch(
            """SELECT f.id, f.name, f.flow_type, COALESCE(f.is_primary, false) AS is_primary,
                      (SELECT count(*)::int FROM flow_nodes n WHERE n.flow_id = f.id) AS node_count
                 FROM journey_flows f
                WHERE f.project_id = $1
                ORDER BY f.is_primary DESC NULLS LAST, f.name, f.id""", project_id)
        features = await conn.fetch(
            """SELECT f.id, f.name, f.category, f.status,
                      COALESCE((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'slug', p.slug)
                                                 ORDER BY x.n)
                                  FROM unnest(f.affected_pages) WITH ORDINALITY AS x(page_id, n)
                                  JOIN pages p ON p.id = x.page_id AND p.project_id = f.project_id),
                               '[]'::jsonb) AS pages
                 FROM features f
                WHERE f.project_id = $1
                ORDER BY f.created_at, f.id""", project_id)
        entities = await conn.fetch(
            """SELECT id, entity_name, COALESCE(user_confirmed, false) AS user_confirmed, confidence_score,
                      CASE WHEN jsonb_typeof(fields) = 'object'
                           THEN ARRAY(SELECT jsonb_object_keys(fields)) ELSE '{}'::text[] END AS field_names
                 FROM inferred_entities
                WHERE project_id = $1
                ORDER BY entity_name""", project_id)
    return ProjectOutline(
        project_id=project["id"], name=project["name"], type=project["type"], pages=_tree(pages),
        flows=[OutlineFlow(**dict(f)) for f in flows],
        features=[OutlineFeature(**dict(f)) for f in features],
        entities=[OutlineEntity(**dict(e)) for e in entities])
