"""Pages: the screens of a project, in a tree (`parent_id`) that stays inside the project and never
forms a cycle. A page's look lives in its versioned mockups (domain/mockups.py);
`current_mockup_id` names the version that counts.

Rules kept here: slugs are derived from the name and unique per project (they name pages in
URIs); paths follow `^/[a-z0-9/-]*$` and are unique per project; a parent is a page of the same
project (the composite key) that is not below the page (the `pages_no_cycle` trigger).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar, overload
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import set_clause
from ..errors import Conflict, InvalidInput, NotFound
from ..untrusted import Untrusted, UntrustedList
from .owned import RowLock, fetch_owned
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, encode_cursor
from .projects import project_not_found, require_project
from .scope import Actor, Scope, owned_by
from .text import next_free_slug, slugify

PAGE_TYPES = ("page", "layout", "component", "modal")
PAGE_STATUSES = ("draft", "designed", "approved", "built")
DEVICES = ("mobile", "tablet", "desktop", "responsive")

PageType = Literal["page", "layout", "component", "modal"]
PageStatus = Literal["draft", "designed", "approved", "built"]
Device = Literal["mobile", "tablet", "desktop", "responsive"]

PATH_PATTERN = r"^/[a-z0-9/-]*$"
PageName = Annotated[str, Field(min_length=1, max_length=255, description="Page name, e.g. 'Lesson detail'.")]
PageSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Unique in the project, e.g. 'lesson-detail'; derived from the name if left out.",
    ),
]
PagePath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=PATH_PATTERN,
        description="The screen's URL path, unique in the project, e.g. /lessons/new.",
    ),
]
Purpose = Annotated[str, Field(max_length=20000, description="What the page is for, in a sentence or two.")]

register_constraint_messages(
    {
        "valid_page_type": ("type", f"must be one of {', '.join(PAGE_TYPES)}."),
        "valid_page_status": ("status", f"must be one of {', '.join(PAGE_STATUSES)}."),
        "valid_primary_device": ("primary_device", f"must be one of {', '.join(DEVICES)}."),
        "pages_current_mockup_fkey": ("current_mockup_id", "must be a mockup version of the same page."),
    }
)


class Page(BaseModel):
    id: UUID
    project_id: UUID
    parent_id: UUID | None
    name: Untrusted
    slug: str
    path: str | None
    type: str
    purpose: Untrusted | None
    primary_device: str
    current_mockup_id: UUID | None
    status: str
    key_elements: UntrustedList
    related_patterns: UntrustedList
    usage_contexts: UntrustedList
    sort_order: int
    is_placeholder: bool
    wizard_generated: bool
    created_at: datetime
    updated_at: datetime


class PageList(Paged[Page]):
    pass


class PageSummary(BaseModel):
    """A page in a list: get_page has the rest (key elements, patterns, contexts, dates)."""

    id: UUID
    parent_id: UUID | None
    name: Untrusted
    slug: str
    path: str | None
    type: str
    status: str
    purpose: Untrusted | None
    current_mockup_id: UUID | None
    sort_order: int


class PageSummaryList(Paged[PageSummary]):
    pass


class DeletedPage(BaseModel):
    id: UUID
    name: Untrusted
    mockups_deleted: int = Field(description="Mockup versions deleted with the page.")
    children_detached: int = Field(description="Child pages that became top-level pages (they are kept).")


# The columns of a Page, for statements that return exactly those.
PAGE_COLUMNS = ", ".join(Page.model_fields)


P = TypeVar("P", bound=Page)


@overload
def page_of_row(row: Any) -> Page: ...
@overload
def page_of_row(row: Any, model: type[P]) -> P: ...
def page_of_row(row: Any, model: type[Page] = Page) -> Page:
    """The page in a row (as `model`, a Page with more fields that stay at their defaults)."""
    data = {k: row[k] for k in Page.model_fields}
    for key in ("key_elements", "related_patterns", "usage_contexts"):
        data[key] = data[key] if data[key] is not None else []
    data["sort_order"] = data["sort_order"] or 0
    data["is_placeholder"] = bool(data["is_placeholder"])
    data["wizard_generated"] = bool(data["wizard_generated"])
    data["type"] = data["type"] or "page"
    data["status"] = data["status"] or "draft"
    data["primary_device"] = data["primary_device"] or "responsive"
    return model(**data)


_PAGE_HINT = "Call list_pages with the project id to see its pages."


async def require_page(
    conn: ReadConnection,
    actor: Actor,
    page_id: UUID,
    *,
    field: str = "page_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> asyncpg.Record:
    """The page row if the actor may see it; NotFound otherwise (missing and foreign alike).
    Writers that number or move a page's mockup versions lock it "UPDATE", which serialises them."""
    return await fetch_owned(
        conn, actor, "pages", "page", page_id, field=field, hint=_PAGE_HINT, lock=lock, project_id=project_id
    )


def page_not_found(page_id: UUID, field: str = "page_id") -> NotFound:
    """What a page id that is missing, or in another user's project, answers (as require_page)."""
    return NotFound("page", page_id, field=field, hint=_PAGE_HINT)


async def free_slug(conn: ReadConnection, project_id: UUID, name: str) -> str:
    base = slugify(name, fallback="page")
    rows = await conn.fetch(
        "SELECT slug FROM pages WHERE project_id = $1 AND (slug = $2 OR slug LIKE $2 || '-%')", project_id, base
    )
    return next_free_slug(base, {r["slug"] for r in rows})


async def _check_parent(conn: ReadConnection, project_id: UUID, parent_id: UUID) -> None:
    """A parent must be a page of the same project; anything else (another project's page, a
    foreign or missing id) answers the same."""
    found = await conn.fetchval("SELECT 1 FROM pages WHERE id = $1 AND project_id = $2", parent_id, project_id)
    if not found:
        raise parent_not_found(parent_id)


def parent_not_found(parent_id: UUID) -> InvalidInput:
    return InvalidInput(
        "parent_id",
        f"no page with id {parent_id} in this project; a parent must be a page of the same project. {_PAGE_HINT}",
    )


def slug_taken(slug: str) -> Conflict:
    """A new page's slug that another page of the project has."""
    return Conflict(
        f"Invalid slug: this project already has a page with slug '{slug}'. "
        f"Choose another slug, or leave it out to derive one from the name."
    )


def path_taken(path: str, taken_by: str) -> Conflict:
    """A new page's path that another page of the project (`taken_by`, its name) has."""
    return Conflict(
        f"Invalid path: page '{taken_by}' of this project already has path {path}. Choose another path, or update that page."
    )


async def get_page(scope: Scope, page_id: UUID, *, project_id: UUID | None = None) -> Page:
    """The page; with `project_id` (a resource URI's project), only if it is that project's."""
    return page_of_row(await require_page(scope.db, scope.actor, page_id, project_id=project_id))


async def find_page(scope: Scope, project_id: UUID, *, path: str | None = None, slug: str | None = None) -> Page:
    """A page of the project by its path or slug."""
    await require_project(scope.db, scope.actor, project_id)
    column, value = ("path", path) if path is not None else ("slug", slug)
    row = await scope.db.fetchrow(f"SELECT * FROM pages WHERE project_id = $1 AND {column} = $2", project_id, value)
    if row is None:
        raise NotFound("page", f"{column} {value}", field=column, hint=_PAGE_HINT)
    return page_of_row(row)


def _page_cursor(row: Any) -> str:
    return encode_cursor([row["sort_order"] or 0, row["created_at"].isoformat()], row["id"])


async def list_pages(
    scope: Scope,
    project_id: UUID,
    *,
    status: str | None = None,
    type: str | None = None,
    primary_device: str | None = None,
    parent_id: UUID | None = None,
    top_level: bool = False,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> PageList:
    if parent_id is not None and not await scope.db.fetchval(
        f"""SELECT 1 FROM pages p JOIN projects pr ON pr.id = p.project_id
            WHERE p.id = $1 AND p.project_id = $2 AND {owned_by(3, "pr.user_id")}""",
        parent_id,
        project_id,
        scope.actor.owner_id,
    ):
        await require_project(scope.db, scope.actor, project_id)  # a foreign project reads as missing
        raise NotFound(
            "page", parent_id, field="parent_id", hint="The parent must be a page of this project. " + _PAGE_HINT
        )
    try:
        after = decode_cursor(cursor, timestamp=False)
        after_order, after_created = (int(after[0][0]), datetime.fromisoformat(after[0][1])) if after else (None, None)
    except (InvalidInput, TypeError, ValueError, IndexError, KeyError):
        await require_project(scope.db, scope.actor, project_id)  # a missing project is named first
        raise InvalidInput(
            "cursor",
            "not a cursor this server issued; pass the next_cursor of the previous page, or omit it to start over.",
        ) from None
    # One round trip: the project's ownership check and its pages in one statement. No row at
    # all means the project is not the caller's; one row with no page id, that it has no pages.
    rows = await scope.db.fetch(
        f"""SELECT p.* FROM projects pr
            LEFT JOIN LATERAL (
                SELECT * FROM pages
                 WHERE project_id = pr.id
                   AND ($2::text IS NULL OR status = $2)
                   AND ($3::text IS NULL OR type = $3)
                   AND ($4::text IS NULL OR primary_device = $4)
                   AND ($5::uuid IS NULL OR parent_id = $5)
                   AND (NOT $6 OR parent_id IS NULL)
                   AND ($7::int IS NULL OR (coalesce(sort_order, 0), created_at, id) > ($7, $8::timestamptz, $9::uuid))
                 ORDER BY coalesce(sort_order, 0), created_at, id
                 LIMIT $10) p ON true
            WHERE pr.id = $1 AND {owned_by(11, "pr.user_id")}
            ORDER BY coalesce(p.sort_order, 0), p.created_at, p.id""",
        project_id,
        status,
        type,
        primary_device,
        parent_id,
        top_level,
        after_order,
        after_created,
        after[1] if after else None,
        limit + 1,
        scope.actor.owner_id,
    )
    if not rows:
        raise project_not_found(project_id)
    rows = [r for r in rows if r["id"] is not None]
    more = len(rows) > limit
    rows = rows[:limit]
    return PageList(items=[page_of_row(r) for r in rows], next_cursor=_page_cursor(rows[-1]) if more and rows else None)


async def update_page(scope: Scope, page_id: UUID, changes: dict[str, Any]) -> Page:
    """Apply `changes` (`parent_id: None` makes the page top-level)."""
    async with scope.db.transaction() as conn:
        row = await require_page(conn, scope.actor, page_id, lock="UPDATE")
        if not changes:
            return page_of_row(row)
        project_id = row["project_id"]
        if changes.get("slug") and changes["slug"] != row["slug"]:
            taken = await conn.fetchval(
                "SELECT 1 FROM pages WHERE project_id = $1 AND slug = $2", project_id, changes["slug"]
            )
            if taken:
                raise Conflict(
                    f"Invalid slug: this project already has a page with slug '{changes['slug']}'; choose another."
                )
        if changes.get("path") and changes["path"] != row["path"]:
            taken = await conn.fetchval(
                "SELECT name FROM pages WHERE project_id = $1 AND path = $2", project_id, changes["path"]
            )
            if taken is not None:
                raise Conflict(
                    f"Invalid path: page '{taken}' of this project already has path {changes['path']}. "
                    f"Choose another path."
                )
        if changes.get("parent_id"):
            if changes["parent_id"] == page_id:
                raise InvalidInput("parent_id", "a page cannot be its own parent.")
            await _check_parent(conn, project_id, changes["parent_id"])
        assignments, values = set_clause(changes, 2)
        return page_of_row(
            await conn.fetchrow(f"UPDATE pages SET {assignments} WHERE id = $1 RETURNING *", page_id, *values)
        )


async def delete_page(scope: Scope, page_id: UUID) -> DeletedPage:
    async with scope.db.transaction() as conn:
        row = await require_page(conn, scope.actor, page_id, lock="UPDATE")
        counts = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM mockups WHERE page_id = $1) AS mockups,
                      (SELECT count(*) FROM pages WHERE parent_id = $1) AS children""",
            page_id,
        )
        await conn.execute("DELETE FROM pages WHERE id = $1", page_id)
    return DeletedPage(
        id=row["id"], name=row["name"], mockups_deleted=counts["mockups"], children_detached=counts["children"]
    )
