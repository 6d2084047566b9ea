"""Toolset `projects`: projects and the acting user's own profile."""

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from ..domain import outline, projects, users
from ..domain.paging import summarised
from ..domain.projects import (
    DeletedProject,
    HexColor,
    Icon,
    LongText,
    Project,
    ProjectName,
    ProjectSlug,
    ProjectStatus,
    ProjectSummaryList,
    ProjectType,
    ReferenceApps,
    TargetFeeling,
)
from ..domain.schema import schema_text
from ..domain.users import AvatarUrl, FullName, User, Username
from ..server.params import DEFAULT_PAGE, Clearable, Cursor, JsonObject, Limit, ProjectId, changes_from_arguments
from ..server.registry import resource, tool
from ..server.resource_helpers import RESOURCE_PAGE, listing, to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

Description = Annotated[LongText, Field(description="What the app is, in a few sentences.")]
Vision = Annotated[LongText, Field(description="The vision statement: what success feels like for its users.")]


@tool("projects", title="Create project", read_only=False, destructive=False, idempotent=False)
async def create_project(
    ctx: Context,
    name: ProjectName,
    type: Annotated[ProjectType, Field(description="Kind of app: web-app, mobile-app, pwa, api or fullstack.")],
    description: Description | None = None,
    slug: ProjectSlug | None = None,
    vision_statement: Vision | None = None,
    target_feeling: Annotated[TargetFeeling | None, Field(description="How the app should feel.")] = None,
    reference_apps: ReferenceApps | None = None,
    icon: Icon | None = None,
    color: HexColor | None = None,
    settings: Annotated[JsonObject | None, Field(description="Free-form project settings (JSON object).")] = None,
    metadata: Annotated[JsonObject | None, Field(description="Free-form metadata (JSON object).")] = None,
) -> Project:
    """Create a new app-design project owned by you. Returns the project with its id and a slug
    derived from the name (unique among your projects). Use the id in every other tool."""
    values = changes_from_arguments(locals(), name=name.strip())
    return await projects.create_project(scope_of(ctx), values)


@tool("projects", title="Get project", read_only=True, destructive=False, idempotent=True)
async def get_project(ctx: Context, project_id: ProjectId) -> Project:
    """Read one of your projects by id: name, type, status, vision, visual identity, settings."""
    return await projects.get_project(scope_of(ctx), project_id)


@tool("projects", title="Open project", read_only=False, destructive=False, idempotent=True)
async def open_project(ctx: Context, project_id: ProjectId) -> Project:
    """Open a project to work on it: marks it as your most recently opened project (it then leads
    list_projects) and returns it."""
    return await projects.open_project(scope_of(ctx), project_id)


@tool("projects", title="List projects", read_only=True, destructive=False, idempotent=True)
async def list_projects(
    ctx: Context,
    status: Annotated[
        ProjectStatus | None, Field(description="Only projects with this status; all when left out.")
    ] = None,
    limit: Limit = DEFAULT_PAGE,
    cursor: Cursor = None,
) -> ProjectSummaryList:
    """List your projects, most recently opened first: id, name, slug, type, status and
    description of each (get_project has the rest). Pages through results with `cursor`."""
    return summarised(
        await projects.list_projects(scope_of(ctx), status=status, limit=limit, cursor=cursor), ProjectSummaryList
    )


@tool("projects", title="Update project", read_only=False, destructive=False, idempotent=True)
async def update_project(
    ctx: Context,
    project_id: ProjectId,
    name: ProjectName | None = None,
    type: Annotated[ProjectType | None, Field(description="Kind of app.")] = None,
    description: Clearable[Description] = None,
    slug: ProjectSlug | None = None,
    status: Annotated[ProjectStatus | None, Field(description="active, archived or template.")] = None,
    vision_statement: Clearable[Vision] = None,
    target_feeling: Annotated[TargetFeeling | None, Field(description="How the app should feel.")] = None,
    reference_apps: ReferenceApps | None = None,
    icon: Icon | None = None,
    color: HexColor | None = None,
    settings: Annotated[JsonObject | None, Field(description="Replaces the settings object.")] = None,
    metadata: Annotated[JsonObject | None, Field(description="Replaces the metadata object.")] = None,
) -> Project:
    """Change some fields of a project; only the fields you pass change (null clears description or
    vision_statement). Returns the updated project."""
    changes = changes_from_arguments(locals(), leave_out=("project_id",))
    return await projects.update_project(scope_of(ctx), project_id, changes)


@tool("projects", title="Archive project", read_only=False, destructive=False, idempotent=True)
async def archive_project(ctx: Context, project_id: ProjectId) -> Project:
    """Archive a project: it keeps all its data but leaves the active list. Undo with
    update_project(status='active'). Prefer this to delete_project."""
    return await projects.update_project(scope_of(ctx), project_id, {"status": "archived"})


@tool("projects", title="Delete project", read_only=False, destructive=True, idempotent=True)
async def delete_project(ctx: Context, project_id: ProjectId) -> DeletedProject:
    """Delete a project and everything in it (pages, mockups, flows, features, entities, wizard
    runs, thoughts, context items) for good. Returns how many records of each kind went with it.
    Ask the user first; archive_project keeps the data."""
    return await projects.delete_project(scope_of(ctx), project_id)


@tool("projects", title="Who am I", read_only=True, destructive=False, idempotent=True)
async def get_me(ctx: Context) -> User:
    """Your own user record: email, username, name, role and settings. Every tool acts as you."""
    return await users.get_me(scope_of(ctx))


@tool("projects", title="Update my profile", read_only=False, destructive=False, idempotent=True)
async def update_me(
    ctx: Context,
    full_name: FullName | None = None,
    username: Username | None = None,
    avatar_url: AvatarUrl | None = None,
    settings: Annotated[JsonObject | None, Field(description="Replaces your settings object.")] = None,
) -> User:
    """Change your own profile; only the fields you pass change."""
    changes = changes_from_arguments(locals())
    return await users.update_me(scope_of(ctx), changes)


@resource("flexos://projects", toolset="projects", title="Your projects")
async def projects_resource() -> str:
    """Your projects (the first 100, most recently opened first) as JSON."""
    found = await projects.list_projects(current_scope(), status=None, limit=RESOURCE_PAGE)
    return listing(summarised(found, ProjectSummaryList), "list_projects")


@resource("flexos://projects/{project_id}", toolset="projects", title="Project")
async def project_resource(project_id: str) -> str:
    """One of your projects as JSON."""
    return to_json(await projects.get_project(current_scope(), uuid_from_uri(project_id, "project")))


@resource("flexos://schema", toolset="projects", title="Database schema", mime_type="application/sql")
async def schema_resource() -> str:
    """The PostgreSQL schema FlexOS runs on: schema.sql (the seed, every fix commented) followed by
    each later migration, in the order they apply."""
    return schema_text()


@resource("flexos://projects/{project_id}/outline", toolset="projects", title="Project outline")
async def outline_resource(project_id: str) -> str:
    """A project's whole outline in one read: the pages tree with status and current mockup
    version, flows with node counts, features with linked page slugs, entities with field names.
    At most 150 items per read: a larger project's outline says `truncated` and `continue_with`
    names the URI that goes on."""
    return await _outline(project_id, None)


@resource("flexos://projects/{project_id}/outline/{cursor}", toolset="projects", title="Project outline, continued")
async def outline_continued_resource(project_id: str, cursor: str) -> str:
    """The rest of a project's outline, from the next_cursor of the previous read."""
    return await _outline(project_id, cursor)


async def _outline(project_id: str, cursor: str | None) -> str:
    project = uuid_from_uri(project_id, "project")
    found = await outline.project_outline(current_scope(), project, cursor)
    body = to_json(found, lean=True)
    if found.next_cursor:
        body = body[:-1] + f',"continue_with":"flexos://projects/{project}/outline/{found.next_cursor}"}}'
    return body
