"""API tokens for the Streamable HTTP transport: a bearer token names its user. Only a SHA-256
of each token is stored, so a database dump does not give access."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from ..db.gateway import Database
from ..errors import NotFound
from .scope import Actor
from .users import ensure_user

TOKEN_PREFIX = "flexos_"


class ApiToken(BaseModel):
    id: UUID
    name: str
    email: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, email: str, name: str) -> tuple[str, ApiToken]:
    """A new token for the user with this email (created if new). The token is shown once."""
    actor = await ensure_user(db, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await db.fetchrow(
        """INSERT INTO api_tokens (user_id, name, token_sha256) VALUES ($1, $2, $3)
           RETURNING id, name, created_at, last_used_at, revoked_at""",
        actor.id, name, _digest(token),
    )
    return token, ApiToken(email=actor.email, **dict(row))


async def list_tokens(db: Database, email: str) -> list[ApiToken]:
    rows = await db.fetch(
        """SELECT t.id, t.name, u.email, t.created_at, t.last_used_at, t.revoked_at
           FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1 ORDER BY t.created_at""",
        email,
    )
    return [ApiToken(**dict(r)) for r in rows]


async def revoke_token(db: Database, token_id: UUID) -> ApiToken:
    row = await db.fetchrow(
        """UPDATE api_tokens t SET revoked_at = COALESCE(t.revoked_at, NOW()) FROM users u
           WHERE t.id = $1 AND u.id = t.user_id
           RETURNING t.id, t.name, u.email, t.created_at, t.last_used_at, t.revoked_at""",
        token_id,
    )
    if row is None:
        raise NotFound("token", token_id, hint="Run `flexos-mcp token list --email ...` to see tokens.")
    return ApiToken(**dict(row))


async def actor_for_token(db: Database, token: str) -> Actor | None:
    """The user a live token belongs to, marking it used; None for unknown or revoked tokens."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await db.fetchrow(
        """UPDATE api_tokens t SET last_used_at = NOW() FROM users u
           WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.id = t.user_id
           RETURNING u.id, u.email, u.role""",
        _digest(token),
    )
    return Actor(id=row["id"], email=row["email"], role=row["role"] or "user") if row else None
