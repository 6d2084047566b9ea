"""Features: functionality a user described, linked to the pages it touches and the journeys it
needs, with the data it creates, reads, updates and deletes.

`affected_pages` and `required_journeys` are UUID arrays without foreign keys (seed defect 7):
every id is checked here on write (exists, same project); triggers in schema.sql remove the ids
of deleted pages and flows. `data_operations` is checked to have only the four CRUD keys, each a
list of entity names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis.shown import json_shown
from ..db.connection import ReadConnection
from ..db.sql import insert_statement, set_clause
from ..errors import InvalidInput
from ..untrusted import Untrusted, UntrustedJson, UntrustedList
from .owned import RowLock, fetch_owned, require_ids_in_project
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .projects import require_project
from .scope import Actor, Scope

FeatureStatus = Literal["planned", "in-progress", "completed"]
FEATURE_STATUSES = ("planned", "in-progress", "completed")
DATA_OPERATION_KEYS = ("creates", "reads", "updates", "deletes")
MAX_ENTITY_NAME = 100

FeatureName = Annotated[str, Field(min_length=1, max_length=255, description="Short name, e.g. 'Share lesson plans'.")]
FeatureCategory = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="Grouping such as auth, content, social, admin, payment (free text, lowercase).",
    ),
]

FEATURE_HINT = "Call list_features to see the project's features."
PAGE_HINT = "Call list_pages to see the project's pages."
FLOW_HINT = "Call list_flows to see the project's journeys."


class Feature(BaseModel):
    id: UUID
    project_id: UUID
    name: Untrusted
    user_description: Untrusted | None
    category: Untrusted | None
    status: str
    affected_pages: list[UUID]
    required_journeys: list[UUID]
    data_operations: UntrustedJson
    ui_requirements: UntrustedList
    business_rules: UntrustedList
    technical_requirements: UntrustedJson
    detected_from_mockups: bool
    wizard_generated: bool
    visual_specifications: UntrustedJson
    created_at: datetime
    updated_at: datetime


class FeatureList(Paged[Feature]):
    pass


class DeletedFeature(BaseModel):
    id: UUID
    name: Untrusted
    deleted: bool = True


def feature_of(row: Any) -> Feature:
    data = {k: row[k] for k in Feature.model_fields}
    for key in ("affected_pages", "required_journeys", "ui_requirements", "business_rules"):
        data[key] = data[key] or []
    for key in ("data_operations", "technical_requirements", "visual_specifications"):
        data[key] = data[key] or {}
    data["status"] = data["status"] or "planned"
    data["detected_from_mockups"] = bool(data["detected_from_mockups"])
    data["wizard_generated"] = bool(data["wizard_generated"])
    return Feature(**data)


def normalise_data_operations(value: Any, field: str = "data_operations") -> dict[str, list[str]]:
    """Only the four CRUD keys, each a list of entity names (trimmed, de-duplicated in order)."""
    if not isinstance(value, dict):
        raise InvalidInput(field, 'must be a JSON object like {"creates": ["Lesson"], "reads": ["User"]}.')
    result: dict[str, list[str]] = {}
    for key, names in value.items():
        if key not in DATA_OPERATION_KEYS:
            raise InvalidInput(
                field, f"key {json_shown(key)} is not one of {', '.join(DATA_OPERATION_KEYS)}. Nothing was changed."
            )
        if not isinstance(names, list):
            raise InvalidInput(f"{field}.{key}", 'must be a list of entity names, e.g. ["Lesson", "Comment"].')
        cleaned: list[str] = []
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise InvalidInput(
                    f"{field}.{key}", f'{json_shown(name)} is not an entity name; use non-empty strings like "Lesson".'
                )
            name = name.strip()
            if len(name) > MAX_ENTITY_NAME:
                raise InvalidInput(f"{field}.{key}", f"entity names are at most {MAX_ENTITY_NAME} characters.")
            if name not in cleaned:
                cleaned.append(name)
        result[key] = cleaned
    return result


async def _checked(conn: ReadConnection, project_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "affected_pages" in values:
        values["affected_pages"] = await require_ids_in_project(
            conn,
            "pages",
            project_id,
            values["affected_pages"],
            field="affected_pages",
            kind="page",
            hint=PAGE_HINT,
            lock=True,
        )
    if "required_journeys" in values:
        values["required_journeys"] = await require_ids_in_project(
            conn,
            "journey_flows",
            project_id,
            values["required_journeys"],
            field="required_journeys",
            kind="journey flow",
            hint=FLOW_HINT,
            lock=True,
        )
    if "data_operations" in values:
        values["data_operations"] = normalise_data_operations(values["data_operations"])
    return values


async def create_feature(scope: Scope, project_id: UUID, values: dict[str, Any]) -> Feature:
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        values = await _checked(conn, project_id, values)
        values["project_id"] = project_id
        sql, args = insert_statement("features", values)
        return feature_of(await conn.fetchrow(sql, *args))


async def require_feature(
    conn: ReadConnection,
    actor: Actor,
    feature_id: UUID,
    *,
    field: str = "feature_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> Any:
    return await fetch_owned(
        conn, actor, "features", "feature", feature_id, field=field, hint=FEATURE_HINT, lock=lock, project_id=project_id
    )


async def get_feature(scope: Scope, feature_id: UUID, project_id: UUID | None = None) -> Feature:
    return feature_of(await require_feature(scope.db, scope.actor, feature_id, project_id=project_id))


async def list_features(
    scope: Scope,
    project_id: UUID,
    *,
    category: str | None = None,
    status: str | None = None,
    page_id: UUID | None = None,
    text: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> FeatureList:
    """Oldest first. `text` is a full-text match (web-search syntax) on name and description,
    through the stored `search_vector` that idx_features_search indexes."""
    after = decode_cursor(cursor)
    await require_project(scope.db, scope.actor, project_id)
    if page_id is not None:
        await require_ids_in_project(
            scope.db, "pages", project_id, [page_id], field="page_id", kind="page", hint=PAGE_HINT
        )
    rows = await scope.db.fetch(
        """SELECT * FROM features
           WHERE project_id = $1
             AND ($2::text IS NULL OR category = $2)
             AND ($3::text IS NULL OR status = $3)
             AND ($4::uuid IS NULL OR affected_pages @> ARRAY[$4::uuid])
             AND ($5::text IS NULL OR search_vector @@ websearch_to_tsquery('english', $5))
             AND ($6::timestamptz IS NULL OR (created_at, id) > ($6, $7::uuid))
           ORDER BY created_at, id
           LIMIT $8""",
        project_id,
        category,
        status,
        page_id,
        text,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items, next_cursor = page_of(rows, limit, "created_at", feature_of)
    return FeatureList(items=items, next_cursor=next_cursor)


async def update_feature(scope: Scope, feature_id: UUID, changes: dict[str, Any]) -> Feature:
    async with scope.db.transaction() as conn:
        row = await require_feature(conn, scope.actor, feature_id, lock="NO KEY UPDATE")
        if not changes:
            return feature_of(row)
        changes = await _checked(conn, row["project_id"], changes)
        assignments, values = set_clause(changes, 2)
        return feature_of(
            await conn.fetchrow(f"UPDATE features SET {assignments} WHERE id = $1 RETURNING *", feature_id, *values)
        )


async def link_pages(scope: Scope, feature_id: UUID, page_ids: list[UUID], *, unlink: bool = False) -> Feature:
    """Add pages to (or remove them from) a feature's affected_pages, keeping the order and no
    duplicates. Ids to add must be pages of the feature's project; removing an id that is not
    linked is an error too, so a typo never passes silently."""
    async with scope.db.transaction() as conn:
        row = await require_feature(conn, scope.actor, feature_id, lock="NO KEY UPDATE")
        current = list(row["affected_pages"] or [])
        if unlink:
            missing = [p for p in page_ids if p not in current]
            if missing:
                raise InvalidInput(
                    "page_ids",
                    f"page {missing[0]} is not linked to this feature; its pages are "
                    f"{', '.join(map(str, current)) or '(none)'}. Nothing was changed.",
                )
            updated = [p for p in current if p not in set(page_ids)]
        else:
            checked = await require_ids_in_project(
                conn, "pages", row["project_id"], page_ids, field="page_ids", kind="page", hint=PAGE_HINT, lock=True
            )
            updated = current + [p for p in checked if p not in current]
        if updated == current:
            return feature_of(row)
        return feature_of(
            await conn.fetchrow(
                "UPDATE features SET affected_pages = $2 WHERE id = $1 RETURNING *", feature_id, updated
            )
        )


async def delete_feature(scope: Scope, feature_id: UUID) -> DeletedFeature:
    async with scope.db.transaction() as conn:
        row = await require_feature(conn, scope.actor, feature_id, lock="NO KEY UPDATE")
        await conn.execute("DELETE FROM features WHERE id = $1", feature_id)
    return DeletedFeature(id=row["id"], name=row["name"])
