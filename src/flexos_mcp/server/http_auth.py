"""Bearer-token authentication for Streamable HTTP. Each request runs as the token's user; the
server keeps no session state, so several copies can serve behind a load balancer."""

from __future__ import annotations

import asyncio

from mcp.server.auth.provider import AccessToken

from ..config import Config
from ..db.gateway import Database
from ..db.pool import create_pool
from ..domain.scope import Actor
from ..domain.tokens import actor_for_token


class FlexOSTokenVerifier:
    """Looks tokens up in `api_tokens` (a pool of its own: token checks happen before a request
    reaches the MCP layer, outside any tool's lifespan)."""

    def __init__(self, database_url: str, config: Config):
        self._url = database_url
        self._config = config
        self._db: Database | None = None
        self._lock = asyncio.Lock()

    async def _database(self) -> Database:
        async with self._lock:
            if self._db is None:
                # Never read-only: marking a token as used is a write, even for a read-only server.
                self._db = Database(await create_pool(self._url, max_size=2,
                                                      statement_timeout_ms=self._config.statement_timeout_ms))
        return self._db

    async def verify_token(self, token: str) -> AccessToken | None:
        actor = await actor_for_token(await self._database(), token)
        if actor is None:
            return None
        return AccessToken(token=token, client_id=str(actor.id), scopes=[], subject=actor.email,
                           claims={"role": actor.role})


def actor_from_access_token(token: AccessToken) -> Actor:
    from uuid import UUID

    return Actor(id=UUID(token.client_id), email=token.subject or "", role=(token.claims or {}).get("role", "user"))
