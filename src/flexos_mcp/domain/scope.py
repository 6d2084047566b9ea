"""Who is calling, and on which database. Every domain function takes a Scope.

Tenancy is one predicate: `owner_id` is the acting user's id, or NULL for an admin, and every
query that reaches a project says `($n::uuid IS NULL OR projects.user_id = $n)`. A record of
another user's project is therefore indistinguishable from a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ..db.gateway import Database


@dataclass(frozen=True)
class Actor:
    id: UUID
    email: str
    role: str = "user"

    @property
    def owner_id(self) -> UUID | None:
        """The user id every project query is filtered by; None (no filter) for an admin."""
        return None if self.role == "admin" else self.id


@dataclass(frozen=True)
class Scope:
    db: Database
    actor: Actor


def owned_by(param: int, column: str = "user_id") -> str:
    """The tenancy predicate on a projects row: `$param` carries `Actor.owner_id`."""
    return f"(${param}::uuid IS NULL OR {column} = ${param})"


def checked_in_project(param: int, column: str = "project_id") -> str:
    """`column` is the project `$param`, as a check on rows already found by primary key
    (`id = ANY($n)`), never as a way to find them: with `project_id = $n` the planner, taking the
    project for a small one, also read every row of it from its index (5,505 entries to check
    one thought of a 3,000-deep chain). PostgreSQL uses no index for IS NOT DISTINCT FROM, and
    a row it filters out is not locked by a FOR KEY SHARE above it."""
    return f"{column} IS NOT DISTINCT FROM ${param}"
