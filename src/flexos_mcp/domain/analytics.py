"""Questions about one project, each answered by ONE SQL statement.

Every statement starts from `$1` (the project) on an index that leads with `project_id` (or the
full-text indexes, whose expressions the WHERE clauses repeat exactly), so its cost follows the
size of this project, not the size of the database. Each returns one row: whether the project is
the actor's (`project_found`, the tenancy gate, in the same round trip), and the answer as JSON.

How an entity "appears" on a page (entity_cooccurrence, documented in the tool too): an entity
appears on a page of its project when
  (a) one of the page's `key_elements` equals the entity's name or plural name, compared without
      case and as a whole element ("Lesson" matches "lesson", not "lesson-grid" or "LessonPlan"), or
  (b) the page's slug is listed in the entity's `crud_locations` (any operation) or in the
      `inferred_from` of any of its fields (the pages inference saw it on).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis.shown import json_shown
from ..errors import InvalidInput, NotFound
from ..untrusted import Untrusted
from .scope import Scope

PROJECT_HINT = "Call list_projects to see your projects."
SEARCH_KINDS = ("page", "feature", "flow", "entity", "context_item")
LIST_CAP = 50

# The tenancy gate, as a column of each statement's single row.
_PROJECT_FOUND = "EXISTS (SELECT 1 FROM projects WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)) AS project_found"


# JSON arrays/objects that may hold anything (JSONB is free-form): never let a stray scalar fail
# a whole analytic.
def _array(expr: str) -> str:
    return f"(CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} ELSE '[]'::jsonb END)"


def _object(expr: str) -> str:
    return f"(CASE WHEN jsonb_typeof({expr}) = 'object' THEN {expr} ELSE '{{}}'::jsonb END)"


# --- entity co-occurrence -------------------------------------------------------------------------

ENTITY_COOCCURRENCE_SQL = f"""
WITH ents AS (
  SELECT id, entity_name, lower(entity_name) AS lname, lower(COALESCE(plural_name, '')) AS lplural,
         crud_locations, fields
    FROM inferred_entities
   WHERE project_id = $1
),
names AS (  -- the two spellings an entity is recognised by in key_elements, for one hash join
  SELECT entity_name, lname AS spelling FROM ents
  UNION
  SELECT entity_name, lplural FROM ents WHERE lplural <> ''
),
entity_slugs AS (
  SELECT e.entity_name, c.slug
    FROM ents e
   CROSS JOIN LATERAL jsonb_each({_object("e.crud_locations")}) AS ops(op, slugs)
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("ops.slugs")}) AS c(slug)
  UNION ALL
  SELECT e.entity_name, s.slug
    FROM ents e
   CROSS JOIN LATERAL jsonb_each({_object("e.fields")}) AS f(name, spec)
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("f.spec -> 'inferred_from'")}) AS s(slug)
),
appearances AS (  -- (entity, page) once each
  SELECT n.entity_name, p.id AS page_id
    FROM pages p
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("p.key_elements")}) AS k(element)
    JOIN names n ON n.spelling = lower(k.element)
   WHERE p.project_id = $1
  UNION
  SELECT es.entity_name, p.id
    FROM entity_slugs es JOIN pages p ON p.project_id = $1 AND p.slug = es.slug
),
any_pairs AS (
  SELECT a1.entity_name AS entity_a, a2.entity_name AS entity_b, count(*)::int AS page_count,
         jsonb_agg(jsonb_build_object('page_id', p.id, 'name', p.name, 'slug', p.slug) ORDER BY p.name, p.id) AS pages
    FROM appearances a1
    JOIN appearances a2 ON a2.page_id = a1.page_id AND a1.entity_name < a2.entity_name
    JOIN pages p ON p.id = a1.page_id AND p.project_id = $1
   WHERE $3::text IS NULL OR lower($3::text) IN (lower(a1.entity_name), lower(a2.entity_name))
   GROUP BY a1.entity_name, a2.entity_name
),
pairs AS (SELECT * FROM any_pairs WHERE page_count >= $4::int)
SELECT {_PROJECT_FOUND},
       ($3::text IS NULL OR EXISTS (SELECT 1 FROM ents WHERE lname = lower($3::text))) AS entity_found,
       (SELECT string_agg(entity_name, ', ' ORDER BY entity_name) FROM ents) AS entity_names,
       (SELECT count(*)::int FROM ents) AS entity_count,
       (SELECT count(*)::int FROM any_pairs) AS any_total,
       (SELECT count(*)::int FROM pairs) AS total,
       (SELECT COALESCE(jsonb_agg(to_jsonb(t) ORDER BY t.page_count DESC, t.entity_a, t.entity_b), '[]'::jsonb)
          FROM (SELECT * FROM pairs ORDER BY page_count DESC, entity_a, entity_b LIMIT $5::int) AS t) AS rows
"""


class PageRef(BaseModel):
    page_id: UUID | None = Field(description="Null: the slug names no page.")
    name: Untrusted | None
    slug: str


class Cooccurrence(BaseModel):
    entity_a: Untrusted
    entity_b: Untrusted
    page_count: int = Field(description="Pages on which both entities appear.")
    pages: list[PageRef]


class CooccurrenceResult(BaseModel):
    pairs: list[Cooccurrence]
    total: int = Field(description="Pairs meeting min_pages before `limit` was applied.")
    truncated: bool
    note: str | None = Field(default=None, description="Why there are no pairs, and what would give some.")


def _gate(row: Any, project_id: UUID) -> None:
    if not row["project_found"]:
        raise NotFound("project", project_id, field="project_id", hint=PROJECT_HINT)


def _entity_gate(row: Any, entity: str | None) -> None:
    if entity is not None and not row["entity_found"]:
        known = row["entity_names"] or "(none yet; run infer_entities or create_entity)"
        raise InvalidInput("entity", f"unknown entity {json_shown(entity)}; this project's entities are {known}.")


async def entity_cooccurrence(
    scope: Scope, project_id: UUID, *, min_pages: int = 1, entity: str | None = None, limit: int = 100
) -> CooccurrenceResult:
    row = await scope.db.fetchrow_planned(
        ENTITY_COOCCURRENCE_SQL, project_id, scope.actor.owner_id, entity, min_pages, limit
    )
    assert row is not None  # an aggregate query: always one row, project_found tells the rest
    _gate(row, project_id)
    _entity_gate(row, entity)
    pairs = [Cooccurrence(**r) for r in row["rows"]]
    return CooccurrenceResult(
        pairs=pairs,
        total=row["total"],
        truncated=row["total"] > len(pairs),
        note=None if pairs else _why_no_pairs(row, entity, min_pages),
    )


def _why_no_pairs(row: Any, entity: str | None, min_pages: int) -> str:
    if row["entity_count"] == 0:
        return "This project has no entities yet: run infer_entities (or create_entity), then ask again."
    if row["entity_count"] == 1:
        return f"This project has one entity ({row['entity_names']}); a pair needs two."
    if row["any_total"]:
        return f"{row['any_total']} pair(s) share fewer than min_pages={min_pages} pages; lower min_pages to see them."
    which = f"{entity!r} and any other entity" if entity else f"any two of the {row['entity_count']} entities"
    return (
        f"No page shows {which}. An entity appears on a page through the page's key_elements (its name or "
        f"plural), its crud_locations, or its fields' inferred_from; infer_entities fills the last two."
    )


# --- CRUD matrix -------------------------------------------------------------------------------------

CRUD_MATRIX_SQL = f"""
WITH ents AS (
  SELECT id, entity_name, lower(entity_name) AS lname, lower(COALESCE(plural_name, '')) AS lplural, crud_locations
    FROM inferred_entities
   WHERE project_id = $1
),
ops(op, feature_key, ord) AS (
  VALUES ('create', 'creates', 1), ('read', 'reads', 2), ('update', 'updates', 3), ('delete', 'deletes', 4)
),
feature_cells AS (
  SELECT COALESCE(e.lname, lower(n.name)) AS ekey, o.op, f.id AS feature_id, f.name, n.name AS entity_ref
    FROM features f
   CROSS JOIN ops o
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("f.data_operations -> o.feature_key")}) AS n(name)
    LEFT JOIN ents e ON lower(n.name) = e.lname OR lower(n.name) = e.lplural
   WHERE f.project_id = $1
),
page_cells AS (
  SELECT e.lname AS ekey, o.op, s.slug, p.id AS page_id, p.name
    FROM ents e
   CROSS JOIN ops o
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("e.crud_locations -> o.op")}) AS s(slug)
    LEFT JOIN pages p ON p.project_id = $1 AND p.slug = s.slug
),
entity_keys AS (
  SELECT lname AS ekey, entity_name AS name, id AS entity_id FROM ents
  UNION ALL
  SELECT ekey, min(entity_ref), NULL FROM feature_cells
   WHERE ekey NOT IN (SELECT lname FROM ents) GROUP BY ekey
),
page_agg AS (
  SELECT ekey, op, jsonb_agg(DISTINCT jsonb_build_object('page_id', page_id, 'name', name, 'slug', slug)) AS pages
    FROM page_cells GROUP BY ekey, op
),
feature_agg AS (
  SELECT ekey, op, jsonb_agg(DISTINCT jsonb_build_object('feature_id', feature_id, 'name', name)) AS features
    FROM feature_cells GROUP BY ekey, op
),
matrix AS (
  SELECT k.name AS entity, k.entity_id,
         jsonb_object_agg(o.op, jsonb_build_object('pages', COALESCE(pa.pages, '[]'::jsonb),
                                                   'features', COALESCE(fa.features, '[]'::jsonb))) AS operations
    FROM entity_keys k
   CROSS JOIN ops o
    LEFT JOIN page_agg pa ON pa.ekey = k.ekey AND pa.op = o.op
    LEFT JOIN feature_agg fa ON fa.ekey = k.ekey AND fa.op = o.op
   WHERE $3::text IS NULL OR k.ekey = lower($3::text)
   GROUP BY k.name, k.entity_id
)
SELECT {_PROJECT_FOUND},
       ($3::text IS NULL OR EXISTS (SELECT 1 FROM entity_keys WHERE ekey = lower($3::text))) AS entity_found,
       (SELECT string_agg(name, ', ' ORDER BY name) FROM entity_keys) AS entity_names,
       (SELECT COALESCE(jsonb_agg(to_jsonb(m) ORDER BY m.entity), '[]'::jsonb) FROM matrix m) AS rows
"""


class FeatureRef(BaseModel):
    feature_id: UUID
    name: Untrusted


class CrudCell(BaseModel):
    pages: list[PageRef]
    features: list[FeatureRef]


class CrudRow(BaseModel):
    entity: Untrusted
    entity_id: UUID | None = Field(description="Null: only features name it.")
    create: CrudCell
    read: CrudCell
    update: CrudCell
    delete: CrudCell


class CrudMatrix(BaseModel):
    rows: list[CrudRow]


def _sorted_cell(cell: dict[str, Any]) -> CrudCell:
    return CrudCell.model_validate(
        {
            "pages": sorted(cell["pages"], key=lambda p: (p["slug"], str(p["page_id"]))),
            "features": sorted(cell["features"], key=lambda f: (f["name"], f["feature_id"])),
        }
    )


async def crud_matrix(scope: Scope, project_id: UUID, *, entity: str | None = None) -> CrudMatrix:
    row = await scope.db.fetchrow_planned(CRUD_MATRIX_SQL, project_id, scope.actor.owner_id, entity)
    assert row is not None  # an aggregate query: always one row, project_found tells the rest
    _gate(row, project_id)
    _entity_gate(row, entity)
    return CrudMatrix(
        rows=[
            CrudRow(
                entity=r["entity"],
                entity_id=r["entity_id"],
                **{op: _sorted_cell(cell) for op, cell in r["operations"].items()},
            )
            for r in row["rows"]
        ]
    )


# --- full-text search --------------------------------------------------------------------------------

# Each branch matches the row's stored `search_vector` (migration 0007, indexed by idx_*_search),
# so the GIN index can answer `@@`, or PostgreSQL starts from the project_id index and reads the
# stored vectors without recomputing them. `document` is the same text, for headlines, which are
# computed for the returned rows only.
_SEARCH_BRANCHES = {
    "page": ("pages", "name || ' ' || COALESCE(purpose, '')", "name", "slug"),
    "feature": ("features", "name || ' ' || COALESCE(user_description, '')", "name", "status"),
    "flow": ("journey_flows", "name || ' ' || COALESCE(description, '')", "name", "flow_type"),
    "entity": ("inferred_entities", "entity_name || ' ' || COALESCE(description, '')", "entity_name", "plural_name"),
    "context_item": (
        "user_context_items",
        "COALESCE(content_text, '') || ' ' || COALESCE(submitted_context, '') || ' ' || "
        "COALESCE(content_metadata -> 'file' ->> 'name', '') || ' ' || COALESCE(content_metadata ->> 'title', '')",
        "item_type",
        "content_url",
    ),  # the words of migration 0040
}


def _search_branch(kind: str) -> str:
    table, document, title, detail = _SEARCH_BRANCHES[kind]
    return f"""
  SELECT '{kind}'::text AS kind, id, {title}::text AS title, {detail}::text AS detail, {document} AS document,
         ts_rank(search_vector, websearch_to_tsquery('english', $3::text)) AS rank
    FROM {table}
   WHERE project_id = $1
     AND search_vector @@ websearch_to_tsquery('english', $3::text)
     AND ($4::text[] IS NULL OR '{kind}' = ANY($4::text[]))"""


SEARCH_PROJECT_SQL = f"""
WITH hits AS ({" UNION ALL ".join(_search_branch(kind) for kind in SEARCH_KINDS)}
),
top AS (
  SELECT * FROM hits ORDER BY rank DESC, kind, title, id LIMIT $5::int
)
SELECT {_PROJECT_FOUND},
       (SELECT count(*)::int FROM hits) AS total,
       (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                 'kind', kind, 'id', id, 'title', title, 'detail', detail, 'rank', rank,
                 'snippet', ts_headline('english', document, websearch_to_tsquery('english', $3::text),
                                        'StartSel=**, StopSel=**, MaxWords=24, MinWords=8, MaxFragments=2'))
                 ORDER BY rank DESC, kind, title, id), '[]'::jsonb)
          FROM top) AS rows
"""


class SearchHit(BaseModel):
    kind: str
    id: UUID
    title: Untrusted | None = Field(description="Name; a context item's type.")
    detail: Untrusted | None = Field(description="Page slug, feature status, flow type, entity plural or item URL.")
    rank: float
    snippet: Untrusted = Field(description="Matches marked **like this**.")


class SearchResult(BaseModel):
    hits: list[SearchHit]
    total: int = Field(description="All matches before `limit`.")
    truncated: bool


async def search_project(
    scope: Scope, project_id: UUID, query: str, *, kinds: Sequence[str] | None = None, limit: int = 20
) -> SearchResult:
    row = await scope.db.fetchrow_planned(SEARCH_PROJECT_SQL, project_id, scope.actor.owner_id, query, kinds, limit)
    assert row is not None  # an aggregate query: always one row, project_found tells the rest
    _gate(row, project_id)
    hits = [SearchHit(**hit) for hit in row["rows"]]
    return SearchResult(hits=hits, total=row["total"], truncated=row["total"] > len(hits))


# --- project summary ---------------------------------------------------------------------------------

PROJECT_SUMMARY_SQL = f"""
WITH ents AS (
  SELECT id, entity_name, lower(entity_name) AS lname, lower(COALESCE(plural_name, '')) AS lplural,
         crud_locations, COALESCE(user_confirmed, false) AS confirmed
    FROM inferred_entities
   WHERE project_id = $1
),
created_by_features AS (
  SELECT DISTINCT lower(n.name) AS lname
    FROM features f
   CROSS JOIN LATERAL jsonb_array_elements_text({_array("f.data_operations -> 'creates'")}) AS n(name)
   WHERE f.project_id = $1
),
never_created AS (
  SELECT e.id, e.entity_name FROM ents e
   WHERE jsonb_array_length({_array("e.crud_locations -> 'create'")}) = 0
     AND NOT EXISTS (SELECT 1 FROM created_by_features c WHERE c.lname = e.lname OR c.lname = e.lplural)
),
bare_pages AS (
  SELECT p.id, p.name, p.slug FROM pages p
   WHERE p.project_id = $1 AND NOT EXISTS (SELECT 1 FROM mockups m WHERE m.page_id = p.id)
),
unlinked_features AS (
  SELECT f.id, f.name FROM features f
   WHERE f.project_id = $1 AND cardinality(COALESCE(f.affected_pages, '{{}}'::uuid[])) = 0
)
SELECT {_PROJECT_FOUND},
       (SELECT jsonb_build_object(
                 'total', count(*),
                 'draft', count(*) FILTER (WHERE status = 'draft'),
                 'designed', count(*) FILTER (WHERE status = 'designed'),
                 'approved', count(*) FILTER (WHERE status = 'approved'),
                 'built', count(*) FILTER (WHERE status = 'built'))
          FROM pages WHERE project_id = $1) AS pages,
       (SELECT count(*)::int FROM mockups WHERE project_id = $1) AS mockups,
       (SELECT jsonb_build_object(
                 'total', count(*),
                 'planned', count(*) FILTER (WHERE status = 'planned'),
                 'in-progress', count(*) FILTER (WHERE status = 'in-progress'),
                 'completed', count(*) FILTER (WHERE status = 'completed'))
          FROM features WHERE project_id = $1) AS features,
       (SELECT count(*)::int FROM journey_flows WHERE project_id = $1) AS flows,
       (SELECT count(*)::int FROM flow_nodes WHERE project_id = $1) AS flow_nodes,
       (SELECT jsonb_build_object(
                 'total', count(*),
                 'confirmed', count(*) FILTER (WHERE confirmed),
                 'inferred', count(*) FILTER (WHERE NOT confirmed))
          FROM ents) AS entities,
       (SELECT jsonb_build_object(
                 'total', count(*),
                 'in-progress', count(*) FILTER (WHERE status = 'in-progress'),
                 'paused', count(*) FILTER (WHERE status = 'paused'),
                 'completed', count(*) FILTER (WHERE status = 'completed'),
                 'abandoned', count(*) FILTER (WHERE status = 'abandoned'),
                 'failed', count(*) FILTER (WHERE status = 'failed'))
          FROM wizard_runs WHERE project_id = $1) AS wizard_runs,
       (SELECT count(*)::int FROM user_context_items WHERE project_id = $1) AS context_items,
       (SELECT count(*)::int FROM bare_pages) AS pages_without_mockups_count,
       (SELECT COALESCE(jsonb_agg(to_jsonb(b) ORDER BY b.name, b.page_id), '[]'::jsonb)
          FROM (SELECT id AS page_id, name, slug FROM bare_pages ORDER BY name, id LIMIT {LIST_CAP}) b)
         AS pages_without_mockups,
       (SELECT count(*)::int FROM unlinked_features) AS features_without_pages_count,
       (SELECT COALESCE(jsonb_agg(to_jsonb(u) ORDER BY u.name, u.feature_id), '[]'::jsonb)
          FROM (SELECT id AS feature_id, name FROM unlinked_features ORDER BY name, id LIMIT {LIST_CAP}) u)
         AS features_without_pages,
       (SELECT count(*)::int FROM never_created) AS entities_never_created_count,
       (SELECT COALESCE(jsonb_agg(to_jsonb(n) ORDER BY n.entity_name, n.entity_id), '[]'::jsonb)
          FROM (SELECT id AS entity_id, entity_name FROM never_created ORDER BY entity_name LIMIT {LIST_CAP}) n)
         AS entities_never_created
"""


class PageGap(BaseModel):
    page_id: UUID
    name: Untrusted
    slug: str


class FeatureGap(BaseModel):
    feature_id: UUID
    name: Untrusted


class EntityGap(BaseModel):
    entity_id: UUID
    entity_name: Untrusted


class ProjectSummary(BaseModel):
    pages: dict[str, int] = Field(description="total and per status.")
    mockups: int
    features: dict[str, int] = Field(description="total and per status.")
    flows: int
    flow_nodes: int
    entities: dict[str, int] = Field(description="total, confirmed, inferred (unconfirmed).")
    wizard_runs: dict[str, int] = Field(description="total and per status.")
    context_items: int
    pages_without_mockups_count: int
    pages_without_mockups: list[PageGap] = Field(description=f"First {LIST_CAP} by name.")
    features_without_pages_count: int
    features_without_pages: list[FeatureGap] = Field(description=f"First {LIST_CAP} by name.")
    entities_never_created_count: int
    entities_never_created: list[EntityGap] = Field(
        description=f"No create page or creating feature; first {LIST_CAP}."
    )


async def project_summary(scope: Scope, project_id: UUID) -> ProjectSummary:
    row = await scope.db.fetchrow_planned(PROJECT_SUMMARY_SQL, project_id, scope.actor.owner_id)
    assert row is not None  # an aggregate query: always one row, project_found tells the rest
    _gate(row, project_id)
    return ProjectSummary(**{k: row[k] for k in ProjectSummary.model_fields})
