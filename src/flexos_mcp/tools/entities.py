"""Toolset `entities`: the data model inferred from a project's screens, confirmed and corrected
by a person, and exported as SQL, JSON Schema or pydantic."""

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field, WithJsonSchema

from ..analysis.entities import FIELD_TYPES
from ..domain import entities
from ..domain.entities import (
    RELATIONSHIP_TYPES,
    DeletedEntity,
    Entity,
    EntityList,
    EntityName,
    ExportedDataModel,
    ExportFormat,
    InferenceResult,
)
from ..domain.projects import LongText
from ..server.params import (
    DEFAULT_PAGE,
    Clearable,
    Cursor,
    JsonArray,
    JsonObject,
    Limit,
    ProjectId,
    TextList,
    changes_from_arguments,
)
from ..server.registry import resource, tool
from ..server.resource_helpers import RESOURCE_PAGE, listing, to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

EntityId = Annotated[UUID, Field(description="The entity's id (from list_entities).")]
PluralName = Annotated[
    str, Field(min_length=1, max_length=100, description="Plural name, e.g. 'Lessons'; derived when left out.")
]
Description = Annotated[LongText, Field(description="What the entity is, in a sentence.")]

# The shapes below are published as JSON Schema for the model; the domain checks them with
# messages that name the exact place (fields.email.type, relationships[2].target_entity, ...).
FIELD_SPEC_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"enum": list(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "unique": {"type": "boolean"},
        "max_length": {"type": "integer"},
        "enum_values": {"type": "array", "items": {"type": "string"}},
        "multiple": {"type": "boolean"},
        "target_entity": {"type": "string"},
        "label": {"type": "string"},
        "validation": {"type": "object"},
    },
    "required": ["type"],
}
Fields = Annotated[
    JsonObject,
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": FIELD_SPEC_SCHEMA,
            "description": 'Field name -> spec object. Each spec needs "type", one of '
            + ", ".join(FIELD_TYPES)
            + "; optional keys: required, unique, max_length, enum_values, target_entity (for reference), "
            'validation, label. E.g. {"email": {"type": "email", "required": true, "unique": true}}.',
        }
    ),
]
FieldChanges = Annotated[
    JsonObject,
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {"anyOf": [FIELD_SPEC_SCHEMA, {"type": "null"}]},
            "description": "Merged by field name: a spec replaces that field and marks it user_edited (inference keeps it), "
            'null removes the field, fields you leave out stay. Each spec needs "type", one of '
            + ", ".join(FIELD_TYPES)
            + ".",
        }
    ),
]
Relationships = Annotated[
    JsonArray,
    WithJsonSchema(
        {
            "type": "array",
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["type", "target_entity"],
                "properties": {
                    "type": {"enum": list(RELATIONSHIP_TYPES)},
                    "target_entity": {"type": "string"},
                    "foreign_key": {"type": "string"},
                    "inverse": {"enum": list(RELATIONSHIP_TYPES)},
                },
            },
            "description": '[{"type": has_many|belongs_to|has_one|many_to_many, "target_entity": an entity of this '
            'project, "foreign_key": "lesson_id", "inverse": "belongs_to"}].',
        }
    ),
]
CrudLocations = Annotated[
    JsonObject,
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                op: {"type": "array", "items": {"type": "string"}} for op in ("create", "read", "update", "delete")
            },
            "description": "Where the entity is created/read/updated/deleted: only the keys create, read, update, delete, "
            'each a list of page slugs, e.g. {"create": ["signup"], "read": ["profile"]}.',
        }
    ),
]
Confidence = Annotated[float, Field(ge=0, le=1, description="How sure the model is (0-1).")]


@tool("entities", title="Create entity", read_only=False, destructive=False, idempotent=False)
async def create_entity(
    ctx: Context,
    project_id: ProjectId,
    entity_name: EntityName,
    plural_name: PluralName | None = None,
    description: Description | None = None,
    fields: Fields | None = None,
    relationships: Relationships | None = None,
    crud_locations: CrudLocations | None = None,
    validation_rules: Annotated[JsonObject | None, Field(description="Validation rules as a JSON object.")] = None,
    business_rules: Annotated[
        TextList | None, Field(description="Business rules, e.g. ['a lesson has one author'].")
    ] = None,
    confidence_score: Confidence | None = None,
    user_confirmed: Annotated[
        bool, Field(description="True when the user stated this entity; inference then never changes it.")
    ] = False,
) -> Entity:
    """Add an entity to the project's data model by hand (infer_entities finds most of them from
    the mockups). An `id` uuid primary key is added; fields you give are marked user_edited so
    inference never rewrites them. Names are unique per project regardless of case."""
    values = changes_from_arguments(locals(), leave_out=("project_id",), entity_name=entity_name.strip())
    return await entities.create_entity(scope_of(ctx), project_id, values)


@tool("entities", title="Get entity", read_only=True, destructive=False, idempotent=True)
async def get_entity(ctx: Context, entity_id: EntityId) -> Entity:
    """Read one entity with all its fields (type, required, pages it was inferred from,
    confidence), relationships and CRUD locations."""
    return await entities.get_entity(scope_of(ctx), entity_id)


@tool("entities", title="List entities", read_only=True, destructive=False, idempotent=True)
async def list_entities(
    ctx: Context,
    project_id: ProjectId,
    user_confirmed: Annotated[
        bool | None, Field(description="true: only confirmed entities; false: only unconfirmed.")
    ] = None,
    min_confidence: Annotated[
        float | None, Field(ge=0, le=1, description="Only entities at least this confident.")
    ] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> EntityList:
    """List a project's entities by name, with field names and confidence (get_entity has the
    field specs). Pages through results with `cursor`."""
    return await entities.list_entities(
        scope_of(ctx),
        project_id,
        user_confirmed=user_confirmed,
        min_confidence=min_confidence,
        limit=limit,
        cursor=cursor,
    )


@tool("entities", title="Update entity", read_only=False, destructive=False, idempotent=True)
async def update_entity(
    ctx: Context,
    entity_id: EntityId,
    entity_name: Annotated[
        EntityName | None, Field(description="New name; other entities' relationships follow it.")
    ] = None,
    plural_name: PluralName | None = None,
    description: Clearable[Description] = None,
    fields: FieldChanges | None = None,
    relationships: Annotated[
        Relationships | None, Field(description="Replaces the relationships; targets must be entities of this project.")
    ] = None,
    crud_locations: Annotated[
        CrudLocations | None,
        Field(
            description="Replaces the CRUD locations: keys create, read, update, delete; values lists of page slugs."
        ),
    ] = None,
    validation_rules: Annotated[JsonObject | None, Field(description="Replaces the validation rules.")] = None,
    business_rules: Annotated[TextList | None, Field(description="Replaces the business rules.")] = None,
    confidence_score: Confidence | None = None,
) -> Entity:
    """Correct an inferred entity; only what you pass changes. Edited fields are marked
    user_edited and survive later infer_entities runs; use confirm_entity to protect the whole
    entity. null clears the description. Returns the entity."""
    changes = changes_from_arguments(
        locals(), leave_out=("entity_id",), entity_name=entity_name.strip() if entity_name else None
    )
    return await entities.update_entity(scope_of(ctx), entity_id, changes)


@tool("entities", title="Confirm entity", read_only=False, destructive=False, idempotent=True)
async def confirm_entity(
    ctx: Context,
    entity_id: EntityId,
    confirmed: Annotated[
        bool, Field(description="true to confirm; false to hand the entity back to inference.")
    ] = True,
) -> Entity:
    """Mark an entity as confirmed by the user: infer_entities will never change it again (it is
    reported as protected). Pass confirmed=false to undo. Returns the entity."""
    return await entities.confirm_entity(scope_of(ctx), entity_id, confirmed)


@tool("entities", title="Delete entity", read_only=False, destructive=True, idempotent=True)
async def delete_entity(ctx: Context, entity_id: EntityId) -> DeletedEntity:
    """Delete an entity for good and remove the relationships other entities had to it. A later
    infer_entities may find it again if the mockups still show it. Ask the user first."""
    return await entities.delete_entity(scope_of(ctx), entity_id)


@tool("entities", title="Infer entities from mockups", read_only=False, destructive=False, idempotent=True)
async def infer_entities(ctx: Context, project_id: ProjectId) -> InferenceResult:
    """Read the current mockup of every page (forms, tables, cards, detail views, delete buttons)
    and every feature's data_operations, infer the entities with field types, relationships and
    CRUD pages, and save them. Confirmed entities and user-edited fields are never changed.
    Returns which entities were created, updated, left unchanged and protected. Run it again
    after mockups change: pages whose mockups did not change are not read again."""

    async def progress(done: float, total: float | None, message: str | None) -> None:
        await ctx.report_progress(done, total, message)

    return await entities.infer_entities(scope_of(ctx), project_id, progress=progress)


@tool("entities", title="Export data model", read_only=True, destructive=False, idempotent=True)
async def export_data_model(
    ctx: Context,
    project_id: ProjectId,
    format: Annotated[
        ExportFormat,
        Field(description="postgres (CREATE TABLE DDL), json_schema (2020-12) or pydantic (Python source)."),
    ],
) -> ExportedDataModel:
    """Export the project's entities as PostgreSQL DDL, a JSON Schema document or pydantic models,
    ready to hand to a coding agent. Names are sanitised into safe identifiers."""
    return await entities.export_data_model(scope_of(ctx), project_id, format)


@resource("flexos://projects/{project_id}/entities", toolset="entities", title="Project entities")
async def entities_resource(project_id: str) -> str:
    """A project's entities (the first 100, by name) with field names, as JSON."""
    project = uuid_from_uri(project_id, "project")
    return listing(
        await entities.list_entities(current_scope(), project, limit=RESOURCE_PAGE), "list_entities", project_id=project
    )


@resource("flexos://projects/{project_id}/entities/{entity_id}", toolset="entities", title="Entity")
async def entity_resource(project_id: str, entity_id: str) -> str:
    """One entity with its field specs, relationships and CRUD locations, as JSON."""
    return to_json(
        await entities.get_entity(
            current_scope(), uuid_from_uri(entity_id, "entity"), uuid_from_uri(project_id, "project")
        )
    )


async def _export(project_id: str, fmt: str) -> str:
    return (await entities.export_data_model(current_scope(), uuid_from_uri(project_id, "project"), fmt)).content


@resource(
    "flexos://projects/{project_id}/data-model/postgres",
    toolset="entities",
    title="Data model (PostgreSQL DDL)",
    mime_type="application/sql",
)
async def data_model_postgres_resource(project_id: str) -> str:
    """The project's inferred data model as PostgreSQL CREATE TABLE statements."""
    return await _export(project_id, "postgres")


@resource(
    "flexos://projects/{project_id}/data-model/json-schema",
    toolset="entities",
    title="Data model (JSON Schema)",
    mime_type="application/schema+json",
)
async def data_model_json_schema_resource(project_id: str) -> str:
    """The project's inferred data model as a JSON Schema (2020-12) document."""
    return await _export(project_id, "json_schema")


@resource(
    "flexos://projects/{project_id}/data-model/pydantic",
    toolset="entities",
    title="Data model (pydantic)",
    mime_type="text/x-python",
)
async def data_model_pydantic_resource(project_id: str) -> str:
    """The project's inferred data model as pydantic model source code."""
    return await _export(project_id, "pydantic")
