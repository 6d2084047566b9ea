"""API tokens for the Streamable HTTP transport: a bearer token names its user. Only a SHA-256
of each token is stored, so a database dump does not give access.

Checking a token only reads (a read request writes nothing, and a server over a read-only
replica works); when a token was last used is written separately, in batches, by
`record_token_use`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from ..db.gateway import Database
from ..errors import NotFound
from .scope import Actor
from .users import ensure_user

TOKEN_PREFIX = "flexos_"

_COLUMNS = "t.id, t.name, u.email, t.created_at, t.last_used_at, t.expires_at, t.read_only, t.revoked_at"


class ApiToken(BaseModel):
    id: UUID
    name: str
    email: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    read_only: bool
    revoked_at: datetime | None


@dataclass(frozen=True)
class TokenHolder:
    """Who a live token acts as, and what it may do."""

    token_id: UUID
    actor: Actor
    read_only: bool
    expires_at: datetime | None


def token_digest(token: str) -> str:
    """What is stored of a token (and what a server keys its verified tokens by)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    db: Database, email: str, name: str, *, expires_at: datetime | None = None, read_only: bool = False
) -> tuple[str, ApiToken]:
    """A new token for the user with this email (created if new). The token is shown once."""
    actor = await ensure_user(db, email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            f"""WITH t AS (INSERT INTO api_tokens (user_id, name, token_sha256, expires_at, read_only)
                           VALUES ($1, $2, $3, $4, $5) RETURNING *)
                SELECT {_COLUMNS} FROM t JOIN users u ON u.id = t.user_id""",
            actor.id,
            name,
            token_digest(token),
            expires_at,
            read_only,
        )
    return token, ApiToken(**dict(row))


async def list_tokens(db: Database, email: str) -> list[ApiToken]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1 ORDER BY t.created_at",
        email,
    )
    return [ApiToken(**dict(r)) for r in rows]


async def revoke_token(db: Database, token_id: UUID) -> ApiToken:
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            f"""WITH t AS (UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, NOW()) WHERE id = $1 RETURNING *)
                SELECT {_COLUMNS} FROM t JOIN users u ON u.id = t.user_id""",
            token_id,
        )
    if row is None:
        raise NotFound("token", token_id, hint="Run `flexos-mcp token list --email ...` to see tokens.")
    return ApiToken(**dict(row))


async def holder_of(db: Database, token: str) -> TokenHolder | None:
    """Who a live token acts as; None for an unknown, revoked or expired token. Reads only."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = await db.fetchrow(
        """SELECT t.id AS token_id, t.read_only, t.expires_at, u.id, u.email, u.role
           FROM api_tokens t JOIN users u ON u.id = t.user_id
           WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > NOW())""",
        token_digest(token),
    )
    if row is None:
        return None
    return TokenHolder(
        token_id=row["token_id"],
        actor=Actor(id=row["id"], email=row["email"], role=row["role"] or "user"),
        read_only=row["read_only"],
        expires_at=row["expires_at"],
    )


async def record_token_use(db: Database, last_used: dict[UUID, datetime]) -> None:
    """Write when each token was last used, for many tokens in one statement. A time never moves
    backwards (two server copies may report the same token)."""
    if not last_used:
        return
    async with db.transaction() as conn:
        await conn.execute(
            """UPDATE api_tokens t SET last_used_at = GREATEST(t.last_used_at, u.at)
               FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id""",
            list(last_used),
            list(last_used.values()),
        )
