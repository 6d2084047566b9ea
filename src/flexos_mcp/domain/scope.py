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
