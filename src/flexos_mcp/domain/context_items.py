"""The context soup: screenshots, URLs, notes and files a user submitted as inspiration or
constraints, and where each one was used.

Everything in an item was written by a person or a web page, so the text travels back to a model
inside a <user-content> block (flexos_mcp/untrusted.py), never as instructions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import insert_statement, set_clause
from ..errors import InvalidInput
from .owned import RowLock, fetch_owned
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .projects import require_project
from .scope import Actor, Scope
from ..untrusted import Untrusted, UntrustedJson, UntrustedList

ContextItemType = Literal["screenshot", "url", "text", "file", "mockup"]
CONTEXT_ITEM_TYPES = ("screenshot", "url", "text", "file", "mockup")
CONTEXT_HINT = "Call list_context_items to see the project's context items."
# referenced_in keeps the most recent uses; times_referenced counts them all.
MAX_REFERENCES_KEPT = 100

register_constraint_messages({
    "valid_context_item_type": ("item_type", f"must be one of {', '.join(CONTEXT_ITEM_TYPES)}."),
})


class ContextItem(BaseModel):
    id: UUID
    project_id: UUID
    item_type: str
    content_url: Untrusted | None
    content_text: Untrusted | None = Field(description="User content, inside a <user-content> block; null in lists unless include_content.")
    content_length: int = Field(description="Characters of content_text as submitted.")
    content_metadata: UntrustedJson
    ai_analysis: UntrustedJson
    categories: list[Untrusted]
    tags: list[Untrusted]
    relevance_scores: dict[str, Any]
    times_referenced: int
    last_referenced_at: datetime | None
    referenced_in: UntrustedList = Field(description="The most recent uses: [{used_in, note, at}].")
    submitted_at: datetime | None
    submitted_context: Untrusted | None = Field(description="What the user said when submitting, inside a <user-content> block.")
    created_at: datetime


class ContextItemList(Paged[ContextItem]):
    pass


class DeletedContextItem(BaseModel):
    id: UUID
    item_type: str
    deleted: bool = True


def context_item_of(row: Any, *, include_content: bool = True) -> ContextItem:
    text = row["content_text"]
    return ContextItem(
        id=row["id"], project_id=row["project_id"], item_type=row["item_type"], content_url=row["content_url"],
        content_text=text if include_content else None, content_length=len(text or ""),
        content_metadata=row["content_metadata"] or {}, ai_analysis=row["ai_analysis"] or {},
        categories=row["categories"] or [], tags=row["tags"] or [], relevance_scores=row["relevance_scores"] or {},
        times_referenced=row["times_referenced"] or 0, last_referenced_at=row["last_referenced_at"],
        referenced_in=row["referenced_in"] or [], submitted_at=row["submitted_at"],
        submitted_context=row["submitted_context"], created_at=row["created_at"])


def _check_content(values: dict[str, Any]) -> None:
    if not values.get("content_url") and not values.get("content_text"):
        raise InvalidInput("content_text", "give content_text (the text or extracted content) or content_url "
                           "(where the file, screenshot or page lives); an item needs at least one. Nothing was saved.")
    if values.get("item_type") == "url" and not values.get("content_url"):
        raise InvalidInput("content_url", "an item of type url needs content_url. Nothing was saved.")


async def create_context_item(scope: Scope, project_id: UUID, values: dict[str, Any]) -> ContextItem:
    _check_content(values)
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        sql, args = insert_statement("user_context_items", values | {"project_id": project_id})
        return context_item_of(await conn.fetchrow(sql, *args))


async def require_context_item(conn: ReadConnection, actor: Actor, item_id: UUID, *, field: str = "context_item_id",
                               lock: RowLock | None = None, project_id: UUID | None = None) -> Any:
    return await fetch_owned(conn, actor, "user_context_items", "context item", item_id,
                             field=field, hint=CONTEXT_HINT, lock=lock, project_id=project_id)


async def get_context_item(scope: Scope, item_id: UUID, project_id: UUID | None = None) -> ContextItem:
    return context_item_of(await require_context_item(scope.db, scope.actor, item_id, project_id=project_id))


async def list_context_items(scope: Scope, project_id: UUID, *, item_type: str | None = None,
                             category: str | None = None, tag: str | None = None, include_content: bool = False,
                             limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> ContextItemList:
    """Newest first."""
    after = decode_cursor(cursor)
    await require_project(scope.db, scope.actor, project_id)
    rows = await scope.db.fetch(
        """SELECT * FROM user_context_items
           WHERE project_id = $1
             AND ($2::text IS NULL OR item_type = $2)
             AND ($3::text IS NULL OR categories @> ARRAY[$3::text])
             AND ($4::text IS NULL OR tags @> ARRAY[$4::text])
             AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::uuid))
           ORDER BY created_at DESC, id DESC
           LIMIT $7""",
        project_id, item_type, category, tag, after[0] if after else None, after[1] if after else None, limit + 1)
    items, next_cursor = page_of(rows, limit, "created_at",
                                 lambda r: context_item_of(r, include_content=include_content))
    return ContextItemList(items=items, next_cursor=next_cursor)


async def update_context_item(scope: Scope, item_id: UUID, changes: dict[str, Any]) -> ContextItem:
    async with scope.db.transaction() as conn:
        row = await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        if not changes:
            return context_item_of(row)
        _check_content(dict(row) | changes)
        assignments, values = set_clause(changes, 2)
        return context_item_of(await conn.fetchrow(
            f"UPDATE user_context_items SET {assignments} WHERE id = $1 RETURNING *", item_id, *values))


async def reference_context_item(scope: Scope, item_id: UUID, used_in: str, note: str | None) -> ContextItem:
    """Record one use of the item: count it, stamp the time, and remember where (most recent
    MAX_REFERENCES_KEPT uses). One statement, so concurrent references never lose a count."""
    async with scope.db.transaction() as conn:
        await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        row = await conn.fetchrow(
            """UPDATE user_context_items
                  SET times_referenced = COALESCE(times_referenced, 0) + 1,
                      last_referenced_at = NOW(),
                      referenced_in = (
                        SELECT COALESCE(jsonb_agg(entry ORDER BY n), '[]'::jsonb)
                          FROM (SELECT entry, n
                                  FROM jsonb_array_elements(
                                         CASE WHEN jsonb_typeof(referenced_in) = 'array' THEN referenced_in
                                              ELSE '[]'::jsonb END
                                         || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                                              'used_in', $2::text, 'note', $3::text, 'at', NOW()))))
                                       WITH ORDINALITY AS x(entry, n)
                                 ORDER BY n DESC LIMIT $4) AS recent)
                WHERE id = $1 RETURNING *""",
            item_id, used_in, note, MAX_REFERENCES_KEPT)
        return context_item_of(row)


async def delete_context_item(scope: Scope, item_id: UUID) -> DeletedContextItem:
    async with scope.db.transaction() as conn:
        row = await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        await conn.execute("DELETE FROM user_context_items WHERE id = $1", item_id)
    return DeletedContextItem(id=row["id"], item_type=row["item_type"])
