"""Toolset `features`: features users described, linked to pages and journeys, with their CRUD."""

from typing import Annotated, Any
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field

from ..domain import features
from ..domain.features import (
    DeletedFeature,
    Feature,
    FeatureCategory,
    FeatureList,
    FeatureName,
    FeatureStatus,
)
from ..domain.projects import LongText
from ..server.params import DEFAULT_PAGE, Clearable, Cursor, JsonObject, Limit, ProjectId, changes_from_arguments
from ..server.registry import resource, tool
from ..server.resource_helpers import RESOURCE_PAGE, listing, to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

FeatureId = Annotated[UUID, Field(description="The feature's id (from list_features or create_feature).")]
Description = Annotated[
    LongText, Field(description="What the user asked for, in their words, e.g. 'Teachers can share lesson plans'.")
]
PageIds = Annotated[
    list[UUID], Field(max_length=200, description="Ids of pages of the same project (from list_pages).")
]
FlowIds = Annotated[
    list[UUID], Field(max_length=200, description="Ids of journey flows of the same project (from list_flows).")
]
DataOperations = Annotated[
    dict[str, list[Annotated[str, Field(min_length=1, max_length=100)]]],
    Field(
        description="The data the feature touches: an object with only the keys creates, reads, updates, deletes, "
        'each a list of entity names, e.g. {"creates": ["Lesson"], "reads": ["User", "Subject"]}.'
    ),
]
Requirements = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=500)]],
    Field(max_length=100, description="Short requirement statements, e.g. ['share button', 'success message']."),
]
Rules = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=500)]],
    Field(max_length=100, description="Business rules, e.g. ['only verified teachers', 'limit 10 per day']."),
]


@tool("features", title="Create feature", read_only=False, destructive=False, idempotent=False)
async def create_feature(
    ctx: Context,
    project_id: ProjectId,
    name: FeatureName,
    user_description: Description | None = None,
    category: FeatureCategory | None = None,
    status: Annotated[FeatureStatus, Field(description="planned, in-progress or completed.")] = "planned",
    affected_pages: PageIds | None = None,
    required_journeys: FlowIds | None = None,
    data_operations: DataOperations | None = None,
    ui_requirements: Requirements | None = None,
    business_rules: Rules | None = None,
    technical_requirements: Annotated[
        JsonObject | None, Field(description='e.g. {"needs": ["image_upload", "rich_text"]}.')
    ] = None,
    visual_specifications: Annotated[JsonObject | None, Field(description="Visual notes as a JSON object.")] = None,
    detected_from_mockups: Annotated[
        bool, Field(description="True when the feature was read off mockups rather than described.")
    ] = False,
    wizard_generated: Annotated[bool, Field(description="True when a wizard created it.")] = False,
) -> Feature:
    """Record a feature a user described: what it does, the pages it touches, the journeys it
    needs, the entities it creates/reads/updates/deletes (feeds infer_entities, crud_matrix).
    Page and flow ids must be of the same project."""
    values = changes_from_arguments(locals(), leave_out=("project_id",), name=name.strip())
    return await features.create_feature(scope_of(ctx), project_id, values)


@tool("features", title="Get feature", read_only=True, destructive=False, idempotent=True)
async def get_feature(ctx: Context, feature_id: FeatureId) -> Feature:
    """Read one feature by id, with its linked page and journey ids and its data operations."""
    return await features.get_feature(scope_of(ctx), feature_id)


@tool("features", title="List features", read_only=True, destructive=False, idempotent=True)
async def list_features(
    ctx: Context,
    project_id: ProjectId,
    category: Annotated[str | None, Field(max_length=100, description="Only features of this category.")] = None,
    status: Annotated[FeatureStatus | None, Field(description="Only features with this status.")] = None,
    page_id: Annotated[UUID | None, Field(description="Only features linked to this page.")] = None,
    text: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="Full-text filter on name and description (web-search syntax: "
            'words, "quoted phrases", -excluded).',
        ),
    ] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> FeatureList:
    """List a project's features, oldest first, filtered by category, status, linked page or
    full-text match. Pages with `cursor`. Ranked search over everything: search_project."""
    return await features.list_features(
        scope_of(ctx),
        project_id,
        category=category,
        status=status,
        page_id=page_id,
        text=text,
        limit=limit,
        cursor=cursor,
    )


@tool("features", title="Update feature", read_only=False, destructive=False, idempotent=True)
async def update_feature(
    ctx: Context,
    feature_id: FeatureId,
    name: FeatureName | None = None,
    user_description: Clearable[Description] = None,
    category: Annotated[Clearable[Annotated[str, Field(max_length=100)]], Field(description="New category.")] = None,
    status: Annotated[FeatureStatus | None, Field(description="planned, in-progress or completed.")] = None,
    affected_pages: Annotated[
        PageIds | None, Field(description="Replaces the linked pages (use link_feature_to_pages to add).")
    ] = None,
    required_journeys: Annotated[FlowIds | None, Field(description="Replaces the required journey flows.")] = None,
    data_operations: Annotated[
        DataOperations | None, Field(description="Replaces them; same shape as in create_feature.")
    ] = None,
    ui_requirements: Requirements | None = None,
    business_rules: Rules | None = None,
    technical_requirements: Annotated[JsonObject | None, Field(description="Replaces it.")] = None,
    visual_specifications: Annotated[JsonObject | None, Field(description="Replaces it.")] = None,
    detected_from_mockups: Annotated[bool | None, Field(description="True when read off mockups.")] = None,
    wizard_generated: Annotated[bool | None, Field(description="True when a wizard created it.")] = None,
) -> Feature:
    """Change some fields of a feature; only those you pass change (lists and objects are
    replaced whole); null clears user_description or category."""
    changes = changes_from_arguments(locals(), leave_out=("feature_id",))
    return await features.update_feature(scope_of(ctx), feature_id, changes)


@tool("features", title="Link feature to pages", read_only=False, destructive=False, idempotent=True)
async def link_feature_to_pages(
    ctx: Context,
    feature_id: FeatureId,
    page_ids: Annotated[list[UUID], Field(min_length=1, max_length=200, description="Pages of the feature's project.")],
    unlink: Annotated[
        bool, Field(description="true: remove these pages from the feature instead (each must be linked).")
    ] = False,
) -> Feature:
    """Add pages to a feature's affected pages (kept once each, in order), or with unlink=true
    remove them (the pages themselves stay). Returns the feature."""
    return await features.link_pages(scope_of(ctx), feature_id, page_ids, unlink=unlink)


@tool("features", title="Delete feature", read_only=False, destructive=True, idempotent=True)
async def delete_feature(ctx: Context, feature_id: FeatureId) -> DeletedFeature:
    """Delete a feature for good (its pages, flows and entities stay). Ask the user first;
    update_feature(status=...) keeps the record."""
    return await features.delete_feature(scope_of(ctx), feature_id)


@resource("flexos://projects/{project_id}/features", toolset="features", title="Project features")
async def features_resource(project_id: str) -> str:
    """A project's features (the first 100, oldest first) as JSON."""
    scope = current_scope()
    project = uuid_from_uri(project_id, "project")
    return listing(
        await features.list_features(scope, project, limit=RESOURCE_PAGE), "list_features", project_id=project
    )


@resource("flexos://projects/{project_id}/features/{feature_id}", toolset="features", title="Feature")
async def feature_resource(project_id: str, feature_id: str) -> str:
    """One feature of a project as JSON."""
    found: Any = await features.get_feature(
        current_scope(), uuid_from_uri(feature_id, "feature"), uuid_from_uri(project_id, "project")
    )
    return to_json(found)
