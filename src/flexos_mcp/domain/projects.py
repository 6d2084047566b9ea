"""Projects: the unit of ownership. Every other record belongs to exactly one project, and
`require_project` is the gate every other domain passes through."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from ..db.connection import ReadConnection
from ..db.sql import insert_statement, set_clause
from ..errors import Conflict, NotFound
from ..untrusted import Untrusted, UntrustedJson
from .owned import RowLock
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .scope import Actor, Scope, owned_by
from .text import next_free_slug, slugify

ProjectType = Literal["web-app", "mobile-app", "pwa", "api", "fullstack"]
ProjectStatus = Literal["active", "archived", "template"]
TargetFeeling = Literal["professional", "playful", "minimal", "bold"]

ProjectName = Annotated[str, Field(min_length=1, max_length=255, description="Project name, e.g. 'Lesson Library'.")]
ProjectSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="URL-safe name, e.g. 'lesson-library'; derived from the name if left out.",
    ),
]
HexColor = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="Card colour as #RRGGBB, e.g. #DC2626.")]
Icon = Annotated[str, Field(min_length=1, max_length=50, description="Icon name or emoji for the project card.")]
ReferenceApps = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]],
    Field(max_length=20, description="Apps this one should feel like, e.g. ['Pinterest', 'Notion']."),
]
LongText = Annotated[str, Field(max_length=20000)]


class Project(BaseModel):
    id: UUID
    name: Untrusted
    slug: str
    description: Untrusted | None
    type: str
    status: str
    vision_statement: Untrusted | None
    target_feeling: str | None
    reference_apps: list[Untrusted]
    icon: Untrusted | None
    color: str | None
    settings: UntrustedJson
    metadata: UntrustedJson
    created_at: datetime
    updated_at: datetime
    last_opened_at: datetime


class ProjectList(Paged[Project]):
    pass


class ProjectSummary(BaseModel):
    """A project in a list: get_project has the rest."""

    id: UUID
    name: Untrusted
    slug: str
    type: str
    status: str
    description: Untrusted | None
    last_opened_at: datetime


class ProjectSummaryList(Paged[ProjectSummary]):
    pass


class DeletedProject(BaseModel):
    id: UUID
    name: Untrusted
    deleted: dict[str, int] = Field(description="How many records of each kind were deleted with the project.")


def _project(row: Any) -> Project:
    data = {k: row[k] for k in Project.model_fields}
    data["reference_apps"] = data["reference_apps"] or []
    data["settings"] = data["settings"] or {}
    data["metadata"] = data["metadata"] or {}
    return Project(**data)


async def require_project(
    conn: ReadConnection, actor: Actor, project_id: UUID, *, field: str = "project_id", lock: RowLock | None = None
) -> asyncpg.Record:
    """The project row if the actor may see it; NotFound otherwise (missing and foreign alike).
    Writers lock it "NO KEY UPDATE" against a concurrent delete until the transaction ends."""
    row = await conn.fetchrow(
        f"SELECT * FROM projects WHERE id = $1 AND {owned_by(2)}" + (f" FOR {lock}" if lock else ""),
        project_id,
        actor.owner_id,
    )
    if row is None:
        raise project_not_found(project_id, field)
    return row


def project_not_found(project_id: UUID, field: str = "project_id") -> NotFound:
    """What a project id that is missing, or another user's, answers (the same for both)."""
    return NotFound("project", project_id, field=field, hint="Call list_projects to see your projects.")


async def project_id_for_slug(scope: Scope, slug: str) -> UUID | None:
    """The id of the caller's project with this slug (their own first, for an admin), or None."""
    found: UUID | None = await scope.db.fetchval(
        f"""SELECT id FROM projects WHERE slug = $1 AND {owned_by(2)}
            ORDER BY (user_id = $3) DESC, last_opened_at DESC LIMIT 1""",
        slug,
        scope.actor.owner_id,
        scope.actor.id,
    )
    return found


async def find_project(scope: Scope, reference: str) -> Project | None:
    """One of the caller's projects named by id or slug (their own first, for an admin), or None:
    the CLI's --project and a prompt's `project` argument."""
    reference = reference.strip()
    try:
        as_id: UUID | None = UUID(reference)
    except ValueError:
        as_id = None
    row = await scope.db.fetchrow(
        f"""SELECT * FROM projects WHERE {owned_by(1)} AND (id = $2 OR slug = $3)
            ORDER BY (user_id = $4) DESC, last_opened_at DESC LIMIT 1""",
        scope.actor.owner_id,
        as_id,
        reference,
        scope.actor.id,
    )
    return None if row is None else _project(row)


async def create_project(scope: Scope, values: dict[str, Any]) -> Project:
    values = dict(values)
    if values.get("color"):
        values["color"] = values["color"].upper()
    async with scope.db.transaction() as conn:
        if values.get("slug"):
            taken = await conn.fetchval(
                "SELECT 1 FROM projects WHERE user_id = $1 AND slug = $2", scope.actor.id, values["slug"]
            )
            if taken:
                raise Conflict(
                    f"Invalid slug: you already have a project with slug '{values['slug']}'. "
                    f"Choose another slug, or leave it out to derive one from the name."
                )
        else:
            base = slugify(values["name"], fallback="project")
            rows = await conn.fetch(
                "SELECT slug FROM projects WHERE user_id = $1 AND (slug = $2 OR slug LIKE $2 || '-%')",
                scope.actor.id,
                base,
            )
            values["slug"] = next_free_slug(base, {r["slug"] for r in rows})
        values["user_id"] = scope.actor.id
        sql, args = insert_statement("projects", values)
        return _project(await conn.fetchrow(sql, *args))


async def get_project(scope: Scope, project_id: UUID) -> Project:
    return _project(await require_project(scope.db, scope.actor, project_id))


async def find_example_project(scope: Scope, example: str) -> Project | None:
    """The actor's own project loaded from the example named `example` (the newest, if several)."""
    row = await scope.db.fetchrow(
        """SELECT * FROM projects WHERE user_id = $1 AND metadata ->> 'example' = $2
            ORDER BY created_at DESC LIMIT 1""",
        scope.actor.id,
        example,
    )
    return None if row is None else _project(row)


async def open_project(scope: Scope, project_id: UUID) -> Project:
    """Mark the project as the one most recently opened, in one statement."""
    rows = await scope.db.write(
        f"UPDATE projects SET last_opened_at = NOW() WHERE id = $1 AND {owned_by(2)} RETURNING *",
        project_id,
        scope.actor.owner_id,
    )
    if not rows:
        raise project_not_found(project_id)
    return _project(rows[0])


async def list_projects(
    scope: Scope, *, status: str | None, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> ProjectList:
    after = decode_cursor(cursor)
    rows = await scope.db.fetch(
        f"""SELECT * FROM projects
            WHERE {owned_by(1)}
              AND ($2::text IS NULL OR status = $2)
              AND ($3::timestamptz IS NULL OR (last_opened_at, id) < ($3, $4::uuid))
            ORDER BY last_opened_at DESC, id DESC
            LIMIT $5""",
        scope.actor.owner_id,
        status,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items, next_cursor = page_of(rows, limit, "last_opened_at", _project)
    return ProjectList(items=items, next_cursor=next_cursor)


async def update_project(scope: Scope, project_id: UUID, changes: dict[str, Any]) -> Project:
    """One statement: the tenancy predicate is in the UPDATE itself, so another user's project
    and a missing one both change nothing and answer NotFound, and no BEGIN, lock or COMMIT round
    trips are needed. A slug taken by another of the owner's projects is refused by the unique
    key, and answered as before."""
    changes = dict(changes)
    if changes.get("color"):
        changes["color"] = changes["color"].upper()
    if not changes:
        return _project(await require_project(scope.db, scope.actor, project_id))
    assignments, values = set_clause(changes, 3)
    try:
        rows = await scope.db.write(
            f"UPDATE projects SET {assignments} WHERE id = $1 AND {owned_by(2)} RETURNING *",
            project_id,
            scope.actor.owner_id,
            *values,
        )
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != "projects_user_slug_key":
            raise
        raise Conflict(
            f"Invalid slug: you already have a project with slug '{changes['slug']}'; choose another."
        ) from None
    if not rows:
        raise project_not_found(project_id)
    return _project(rows[0])


# Every table whose rows go with a project, for the deletion report.
PROJECT_TABLES = (
    "design_systems",
    "pages",
    "mockups",
    "features",
    "journey_flows",
    "flow_nodes",
    "inferred_entities",
    "wizard_runs",
    "ai_thinking_chain",
    "user_context_items",
)


async def delete_project(scope: Scope, project_id: UUID) -> DeletedProject:
    async with scope.db.transaction() as conn:
        row = await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        counts_sql = ", ".join(
            f"(SELECT count(*) FROM {table} WHERE project_id = $1) AS {table}" for table in PROJECT_TABLES
        )
        counts = await conn.fetchrow(f"SELECT {counts_sql}", project_id)
        await conn.execute("DELETE FROM projects WHERE id = $1", project_id)
    return DeletedProject(id=row["id"], name=row["name"], deleted={t: counts[t] for t in PROJECT_TABLES if counts[t]})
