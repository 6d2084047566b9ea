"""Users: the acting user of a stdio server, and a user's own profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from ..db.gateway import Database
from ..db.sql import set_clause
from ..untrusted import Untrusted, UntrustedJson
from .scope import Actor, Scope

Username = Annotated[
    str,
    Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Unique handle, e.g. 'ada_l'."),
]
FullName = Annotated[str, Field(min_length=1, max_length=255, description="The person's full name.")]
AvatarUrl = Annotated[
    str, Field(max_length=2000, pattern=r"^https?://\S+$", description="http(s) URL of an avatar image.")
]


class User(BaseModel):
    id: UUID
    email: str
    username: str | None
    full_name: Untrusted | None
    avatar_url: str | None
    role: str
    settings: UntrustedJson
    created_at: datetime
    updated_at: datetime


def _user(row: Any) -> User:
    return User(**{k: row[k] for k in User.model_fields})


async def ensure_user(db: Database, email: str) -> Actor:
    """The user with this email, created on first start (stdio servers act as one configured
    user). An existing user is only read, so a start writes nothing once the user exists."""
    found = await find_user(db, email)
    if found is not None:
        return found
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            """INSERT INTO users (email) VALUES ($1)
               ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
               RETURNING id, email, role""",
            email,
        )
    return Actor(id=row["id"], email=row["email"], role=row["role"] or "user")


async def find_user(db: Database, email: str) -> Actor | None:
    """The user with this email, or None: a lookup that never writes (for read-only readers such
    as the preview, which must not create the user it acts as)."""
    row = await db.fetchrow("SELECT id, email, role FROM users WHERE email = $1", email)
    return Actor(id=row["id"], email=row["email"], role=row["role"] or "user") if row else None


async def get_me(scope: Scope) -> User:
    return _user(await scope.db.fetchrow("SELECT * FROM users WHERE id = $1", scope.actor.id))


async def update_me(scope: Scope, changes: dict[str, Any]) -> User:
    if not changes:
        return await get_me(scope)
    assignments, values = set_clause(changes, 2)
    async with scope.db.transaction() as conn:
        row = await conn.fetchrow(f"UPDATE users SET {assignments} WHERE id = $1 RETURNING *", scope.actor.id, *values)
    return _user(row)
