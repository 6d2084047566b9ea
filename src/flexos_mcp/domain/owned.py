"""Looking up records through their project's owner, and checking ids that point inside a project.

Every record table has a NOT NULL `project_id`, so "may the actor see this row?" is one join to
`projects` with the tenancy predicate. A row of another user's project and a missing row give the
same NotFound, apart from the id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from uuid import UUID

import asyncpg

from ..db.connection import ReadConnection
from ..errors import InvalidInput, NotFound
from .scope import Actor, checked_in_project, owned_by

# The row lock a writing call takes on the record it checks, held until its transaction ends:
# "NO KEY UPDATE" against a concurrent delete, "UPDATE" to serialise writers of the row itself.
RowLock = Literal["UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE"]


async def fetch_owned(
    conn: ReadConnection,
    actor: Actor,
    table: str,
    kind: str,
    record_id: UUID,
    *,
    field: str,
    hint: str,
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> asyncpg.Record:
    """The row of `table` with this id if it belongs to one of the actor's projects (and to
    `project_id` when given); NotFound otherwise. With `lock`, the row is locked that way until
    the transaction ends.

    Every `require_<kind>` helper has this one shape: `(conn, actor, record_id, *, field=...,
    lock=None, project_id=None)`."""
    row = await conn.fetchrow(
        f"""SELECT t.* FROM {table} t JOIN projects pr ON pr.id = t.project_id
            WHERE t.id = $1 AND {owned_by(2, "pr.user_id")}
              AND ($3::uuid IS NULL OR t.project_id = $3)"""
        + (f" FOR {lock} OF t" if lock else ""),
        record_id,
        actor.owner_id,
        project_id,
    )
    if row is None:
        raise NotFound(kind, record_id, field=field, hint=hint)
    return row


async def require_ids_in_project(
    conn: ReadConnection,
    table: str,
    project_id: UUID,
    ids: Iterable[UUID],
    *,
    field: str,
    kind: str,
    hint: str,
    lock: bool = False,
) -> list[UUID]:
    """The ids, de-duplicated in their given order, after checking each names a row of `table` in
    this project. The first one that does not is reported by field and id; an id of another
    project (or another user's) reads exactly like a random one. With `lock` (a writing call
    that stores the ids), the rows are locked FOR KEY SHARE until commit: a concurrent delete
    waits, so its clean-up trigger sees the stored ids (or this call sees the row gone)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    rows = await conn.fetch(
        f"SELECT id FROM {table} WHERE id = ANY($2::uuid[]) AND {checked_in_project(1)}"
        + (" ORDER BY id FOR KEY SHARE" if lock else ""),
        project_id,
        wanted,
    )
    found = {r["id"] for r in rows}
    for ident in wanted:
        if ident not in found:
            raise InvalidInput(field, f"no {kind} with id {ident} in this project. {hint} Nothing was changed.")
    return wanted
