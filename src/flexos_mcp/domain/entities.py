"""Inferred entities: the data model read off a project's screens, which a person confirms and
corrects.

Two kinds of authority meet here. `infer_entities` re-reads the current mockups and features
and folds what it finds into the stored rows; a person's word wins over it: an entity with
`user_confirmed` is never touched by inference, and a field a person wrote (create_entity,
update_entity) carries `"user_edited": true` and is kept exactly.

Relationships name their target by entity name (JSONB, no foreign key): targets are checked on
write, follow a rename, and are removed when the target entity is deleted.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis import datamodel_export
from ..analysis.entities import CRUD_OPERATIONS, FIELD_TYPES
from ..analysis.inflection import pluralize
from ..analysis.shown import json_shown
from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import insert_statement, set_clause
from ..errors import Conflict, InvalidInput
from ..untrusted import RAW, Untrusted, UntrustedJson, UntrustedList
from . import entity_inference
from .entity_inference import Progress
from .owned import RowLock, fetch_owned
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, encode_cursor
from .projects import require_project
from .scope import Actor, Scope

RELATIONSHIP_TYPES = ("has_many", "belongs_to", "has_one", "many_to_many")
ExportFormat = Literal["postgres", "json_schema", "pydantic"]
ENTITY_HINT = "Call list_entities to see the project's entities."

EntityName = Annotated[str, Field(min_length=1, max_length=100, description="Singular entity name, e.g. 'Lesson'.")]

register_constraint_messages(
    {
        "valid_entity_confidence": ("confidence_score", "must be between 0 and 1."),
    }
)


class Entity(BaseModel):
    id: UUID
    project_id: UUID
    entity_name: Untrusted
    plural_name: Untrusted | None
    description: Untrusted | None
    fields: UntrustedJson = Field(
        description="Field name -> spec {type, required, unique, inferred_from, confidence, user_edited...}."
    )
    relationships: UntrustedList = Field(description="[{type, target_entity, foreign_key, inverse}].")
    crud_locations: dict[str, Any] = Field(description="{create|read|update|delete: [page slugs]}.")
    validation_rules: UntrustedJson
    business_rules: UntrustedList
    confidence_score: float
    user_confirmed: bool
    created_at: datetime
    updated_at: datetime


class EntitySummary(BaseModel):
    id: UUID
    entity_name: Untrusted
    plural_name: Untrusted | None
    description: Untrusted | None
    field_names: list[Untrusted]
    relationship_count: int
    confidence_score: float
    user_confirmed: bool
    updated_at: datetime


class EntityList(Paged[EntitySummary]):
    pass


class DeletedEntity(BaseModel):
    id: UUID
    entity_name: Untrusted
    relationships_removed: int = Field(
        description="How many relationships of other entities pointed at it and were removed."
    )


class InferenceResult(BaseModel):
    created: list[Untrusted] = Field(description="Entities that did not exist and were created.")
    updated: list[Untrusted] = Field(
        description="Existing, unconfirmed entities that gained fields, pages or relationships."
    )
    unchanged: list[Untrusted] = Field(description="Existing entities the inference had nothing new for.")
    protected: list[Untrusted] = Field(description="Confirmed entities left exactly as they were.")
    pages_read: int
    features_read: int


class ExportedDataModel(BaseModel):
    format: str
    entity_count: int
    content: Untrusted = Field(description="The generated DDL, JSON Schema document (JSON text) or Python source.")


def entity_of(row: Any) -> Entity:
    data = {k: row[k] for k in Entity.model_fields}
    data["fields"] = data["fields"] or {}
    for key, empty in (("relationships", []), ("crud_locations", {}), ("validation_rules", {}), ("business_rules", [])):
        data[key] = data[key] if data[key] is not None else empty
    data["confidence_score"] = data["confidence_score"] if data["confidence_score"] is not None else 0.5
    data["user_confirmed"] = bool(data["user_confirmed"])
    return Entity(**data)


def _summary(row: Any) -> EntitySummary:
    return EntitySummary(
        id=row["id"],
        entity_name=row["entity_name"],
        plural_name=row["plural_name"],
        description=row["description"],
        field_names=list(row["fields"] or {}),
        relationship_count=len(row["relationships"] or []),
        confidence_score=row["confidence_score"] if row["confidence_score"] is not None else 0.5,
        user_confirmed=bool(row["user_confirmed"]),
        updated_at=row["updated_at"],
    )


# --- validation -------------------------------------------------------------------------------------


def _field_spec(name: str, spec: Any) -> dict[str, Any]:
    where = f"fields.{name}"
    if not name.strip() or len(name) > 100:
        raise InvalidInput("fields", f"field names are 1-100 characters; got {json_shown(name[:40])}.")
    if not isinstance(spec, dict):
        raise InvalidInput(where, 'must be an object like {"type": "string", "required": true}.')
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise InvalidInput(
            f"{where}.type", f"{json_shown(kind)} is not a field type; valid types: {', '.join(FIELD_TYPES)}."
        )
    return dict(spec) | {"user_edited": True}


def _crud_locations(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise InvalidInput("crud_locations", 'must be an object like {"create": ["signup"], "read": ["profile"]}.')
    result: dict[str, list[str]] = {}
    for op, slugs in value.items():
        if op not in CRUD_OPERATIONS:
            raise InvalidInput(
                "crud_locations",
                f"key {json_shown(op)} is not one of {', '.join(CRUD_OPERATIONS)}. Nothing was changed.",
            )
        if not isinstance(slugs, list) or not all(isinstance(s, str) and s.strip() for s in slugs):
            raise InvalidInput(f"crud_locations.{op}", 'must be a list of page slugs, e.g. ["signup", "profile"].')
        result[op] = sorted({s.strip() for s in slugs})
    return result


async def _relationships(conn: ReadConnection, project_id: UUID, entity_name: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InvalidInput("relationships", 'must be a list like [{"type": "has_many", "target_entity": "Lesson"}].')
    # The targets are locked FOR KEY SHARE until commit: a concurrent delete or rename of one waits
    # (and its relationship clean-up then sees this row), or this call sees it gone.
    wanted = sorted(
        {
            rel["target_entity"].lower()
            for rel in value
            if isinstance(rel, dict) and isinstance(rel.get("target_entity"), str)
        }
    )
    names = {
        r["entity_name"].lower(): r["entity_name"]
        for r in await conn.fetch(
            """SELECT entity_name FROM inferred_entities WHERE project_id = $1 AND lower(entity_name) = ANY($2::text[])
           ORDER BY id FOR KEY SHARE""",
            project_id,
            wanted,
        )
    }
    names[entity_name.lower()] = entity_name
    result = []
    for i, rel in enumerate(value):
        where = f"relationships[{i}]"
        if not isinstance(rel, dict):
            raise InvalidInput(where, 'must be an object like {"type": "has_many", "target_entity": "Lesson"}.')
        if rel.get("type") not in RELATIONSHIP_TYPES:
            raise InvalidInput(
                f"{where}.type", f"{json_shown(rel.get('type'))} is not one of {', '.join(RELATIONSHIP_TYPES)}."
            )
        target = rel.get("target_entity")
        if not isinstance(target, str) or target.lower() not in names:
            known = ", ".join(
                sorted(
                    {entity_name}
                    | {
                        r["entity_name"]
                        for r in await conn.fetch(
                            "SELECT entity_name FROM inferred_entities WHERE project_id = $1", project_id
                        )
                    }
                )
            )
            raise InvalidInput(
                f"{where}.target_entity",
                f"unknown entity {json_shown(target)}; this project's entities are "
                f"{known}. Create the target entity first. Nothing was changed.",
            )
        result.append(dict(rel) | {"target_entity": names[target.lower()]})
    return result


async def _checked(conn: ReadConnection, project_id: UUID, name: str, values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "fields" in values:
        values["fields"] = {n: _field_spec(n, s) for n, s in values["fields"].items()}
    if "crud_locations" in values:
        values["crud_locations"] = _crud_locations(values["crud_locations"])
    if "relationships" in values:
        values["relationships"] = await _relationships(conn, project_id, name, values["relationships"])
    return values


async def _name_taken(conn: ReadConnection, project_id: UUID, name: str, except_id: UUID | None = None) -> None:
    other = await conn.fetchval(
        "SELECT entity_name FROM inferred_entities WHERE project_id = $1 AND lower(entity_name) = lower($2) "
        "AND id IS DISTINCT FROM $3",
        project_id,
        name,
        except_id,
    )
    if other:
        raise Conflict(
            f"Invalid entity_name: this project already has an entity named {json_shown(other)} (names are "
            f"compared without case); update that one, or choose another name. Nothing was saved."
        )


# --- CRUD -------------------------------------------------------------------------------------------

ID_FIELD = {"type": "uuid", "required": True, "primary": True}


async def create_entity(scope: Scope, project_id: UUID, values: dict[str, Any]) -> Entity:
    """A person's own entity: its fields are marked user_edited, so inference never rewrites them."""
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        name = values["entity_name"]
        await _name_taken(conn, project_id, name)
        values = await _checked(conn, project_id, name, values)
        values.setdefault("fields", {})
        values["fields"] = {"id": dict(ID_FIELD)} | values["fields"]
        values.setdefault("plural_name", pluralize(name))
        values["project_id"] = project_id
        sql, args = insert_statement("inferred_entities", values)
        return entity_of(await conn.fetchrow(sql, *args))


async def require_entity(
    conn: ReadConnection,
    actor: Actor,
    entity_id: UUID,
    *,
    field: str = "entity_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> Any:
    return await fetch_owned(
        conn,
        actor,
        "inferred_entities",
        "entity",
        entity_id,
        field=field,
        hint=ENTITY_HINT,
        lock=lock,
        project_id=project_id,
    )


async def get_entity(scope: Scope, entity_id: UUID, project_id: UUID | None = None) -> Entity:
    return entity_of(await require_entity(scope.db, scope.actor, entity_id, project_id=project_id))


async def list_entities(
    scope: Scope,
    project_id: UUID,
    *,
    user_confirmed: bool | None = None,
    min_confidence: float | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> EntityList:
    after = decode_cursor(cursor, timestamp=False)
    await require_project(scope.db, scope.actor, project_id)
    rows = await scope.db.fetch(
        """SELECT * FROM inferred_entities
           WHERE project_id = $1
             AND ($2::boolean IS NULL OR COALESCE(user_confirmed, false) = $2)
             AND ($3::float8 IS NULL OR confidence_score >= $3)
             AND ($4::text IS NULL OR (entity_name, id) > ($4, $5::uuid))
           ORDER BY entity_name, id
           LIMIT $6""",
        project_id,
        user_confirmed,
        min_confidence,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["entity_name"], rows[-1]["id"]) if more and rows else None
    return EntityList(items=[_summary(r) for r in rows], next_cursor=next_cursor)


async def update_entity(scope: Scope, entity_id: UUID, changes: dict[str, Any]) -> Entity:
    """Partial update. `fields` is merged by field name: a spec replaces that field (marked
    user_edited), null removes it, unnamed fields stay. A rename follows into other entities'
    relationships."""
    async with scope.db.transaction() as conn:
        row = await require_entity(conn, scope.actor, entity_id, lock="NO KEY UPDATE")
        if not changes:
            return entity_of(row)
        project_id, old_name = row["project_id"], row["entity_name"]
        name = changes.get("entity_name", old_name)
        if name != old_name:
            await _name_taken(conn, project_id, name, entity_id)
        changes = dict(changes)
        if "fields" in changes:
            given = changes.pop("fields")
            if given.get("id", "keep") is None:
                raise InvalidInput("fields.id", "the primary key field cannot be removed.")
            kept = {n: s for n, s in (row["fields"] or {}).items() if n not in given}
            edited = {n: s for n, s in given.items() if s is not None}
            changes["fields"] = kept | (await _checked(conn, project_id, name, {"fields": edited}))["fields"]
        changes = await _checked(conn, project_id, name, changes)
        assignments, values = set_clause(changes, 2)
        updated = await conn.fetchrow(
            f"UPDATE inferred_entities SET {assignments} WHERE id = $1 RETURNING *", entity_id, *values
        )
        if name != old_name:
            await conn.execute(
                """UPDATE inferred_entities e
                      SET relationships = (SELECT jsonb_agg(CASE WHEN r->>'target_entity' = $2
                                                                 THEN jsonb_set(r, '{target_entity}', to_jsonb($3::text))
                                                                 ELSE r END ORDER BY n)
                                             FROM jsonb_array_elements(e.relationships) WITH ORDINALITY AS x(r, n))
                    WHERE e.project_id = $1 AND jsonb_typeof(e.relationships) = 'array'
                      AND e.relationships @> jsonb_build_array(jsonb_build_object('target_entity', $2::text))""",
                project_id,
                old_name,
                name,
            )
            updated = await conn.fetchrow("SELECT * FROM inferred_entities WHERE id = $1", entity_id)
        return entity_of(updated)


async def confirm_entity(scope: Scope, entity_id: UUID, confirmed: bool) -> Entity:
    async with scope.db.transaction() as conn:
        await require_entity(conn, scope.actor, entity_id, lock="NO KEY UPDATE")
        return entity_of(
            await conn.fetchrow(
                "UPDATE inferred_entities SET user_confirmed = $2 WHERE id = $1 RETURNING *", entity_id, confirmed
            )
        )


async def delete_entity(scope: Scope, entity_id: UUID) -> DeletedEntity:
    async with scope.db.transaction() as conn:
        row = await require_entity(conn, scope.actor, entity_id, lock="NO KEY UPDATE")
        await conn.execute("DELETE FROM inferred_entities WHERE id = $1", entity_id)
        removed = await conn.fetchval(
            """SELECT count(*)::int FROM inferred_entities e,
                      jsonb_array_elements(CASE WHEN jsonb_typeof(e.relationships) = 'array'
                                                THEN e.relationships ELSE '[]'::jsonb END) r
                WHERE e.project_id = $1 AND r->>'target_entity' = $2""",
            row["project_id"],
            row["entity_name"],
        )
        await conn.execute(
            """UPDATE inferred_entities e
                  SET relationships = (SELECT COALESCE(jsonb_agg(r ORDER BY n), '[]'::jsonb)
                                         FROM jsonb_array_elements(e.relationships) WITH ORDINALITY AS x(r, n)
                                        WHERE r->>'target_entity' IS DISTINCT FROM $2)
                WHERE e.project_id = $1 AND jsonb_typeof(e.relationships) = 'array'
                  AND e.relationships @> jsonb_build_array(jsonb_build_object('target_entity', $2::text))""",
            row["project_id"],
            row["entity_name"],
        )
    return DeletedEntity(id=row["id"], entity_name=row["entity_name"], relationships_removed=removed)


# --- inference and export ---------------------------------------------------------------------------


async def infer_entities(scope: Scope, project_id: UUID, *, progress: Progress | None = None) -> InferenceResult:
    """Read the current mockup of every page and every feature's data_operations, infer the
    entities, and fold them into the stored ones: off the event loop, cached per page, applied in
    one short transaction that checks nothing moved (domain/entity_inference.py)."""
    return InferenceResult(**await entity_inference.infer_entities(scope, project_id, progress=progress))


async def project_entities(scope: Scope, project_id: UUID) -> list[Entity]:
    """Every entity of a project, whole, by name (a data model is read as one)."""
    await require_project(scope.db, scope.actor, project_id)
    rows = await scope.db.fetch(
        "SELECT * FROM inferred_entities WHERE project_id = $1 ORDER BY entity_name", project_id
    )
    return [entity_of(r) for r in rows]


async def export_data_model(scope: Scope, project_id: UUID, fmt: str) -> ExportedDataModel:
    entities = [e.model_dump(mode="json", context=RAW) for e in await project_entities(scope, project_id)]
    if fmt == "postgres":
        content = datamodel_export.to_postgres_ddl(entities)
    elif fmt == "json_schema":
        content = json.dumps(datamodel_export.to_json_schema(entities), indent=2)
    elif fmt == "pydantic":
        content = datamodel_export.to_pydantic_source(entities)
    else:
        raise InvalidInput("format", f"{json_shown(fmt)} is not one of postgres, json_schema, pydantic.")
    return ExportedDataModel(format=fmt, entity_count=len(entities), content=content)
