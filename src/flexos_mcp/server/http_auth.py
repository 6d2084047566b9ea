"""Bearer-token authentication for Streamable HTTP. Each request runs as the token's user; the
server keeps no session state, so several copies can serve behind a load balancer.

A token check only reads. When each token was last used is remembered in memory and written by
`TokenUsage` at most once a minute per token, in the background: a read request writes nothing,
and a read-only server (over a read-only replica, say) needs no writable database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from uuid import UUID

from mcp.server.auth.provider import AccessToken

from ..config import Config
from ..db.availability import database_availability, is_unavailable
from ..db.gateway import Database
from ..db.pool import create_pool
from ..domain.scope import Actor
from ..domain.tokens import holder_of, record_token_use
from ..errors import DatabaseUnavailable

log = logging.getLogger(__name__)

# How often a token's last use is written at most.
USAGE_WRITE_INTERVAL_S = 60.0


class TokenUsage:
    """Remembers when each token was last used; `run()` writes it at most once per interval per
    token (the first use of a token promptly, within about a second)."""

    def __init__(self, database: Database, interval_s: float = USAGE_WRITE_INTERVAL_S):
        self._db = database
        self._interval = interval_s
        self._pending: dict[UUID, datetime] = {}
        self._written_at: dict[UUID, float] = {}

    def seen(self, token_id: UUID) -> None:
        self._pending[token_id] = datetime.now(UTC)

    async def flush(self, *, everything: bool = False) -> None:
        """Write the pending uses that are due (all of them with `everything`, at shutdown)."""
        now = time.monotonic()
        due = {
            token_id: at
            for token_id, at in self._pending.items()
            if everything or now - self._written_at.get(token_id, -self._interval) >= self._interval
        }
        if not due:
            return
        for token_id in due:
            del self._pending[token_id]
        try:
            await record_token_use(self._db, due)
        except Exception as exc:
            # Keep them for the next round; an outage is logged once by the availability tracker.
            for token_id, at in due.items():
                self._pending.setdefault(token_id, at)
            if not is_unavailable(exc):
                log.warning("could not record when tokens were last used: %r", exc)
            return
        self._written_at.update(dict.fromkeys(due, now))

    async def run(self, tick_s: float = 1.0) -> None:
        """Flush due uses every `tick_s` until cancelled."""
        while True:
            await asyncio.sleep(tick_s)
            await self.flush()


class FlexOSTokenVerifier:
    """Looks tokens up in `api_tokens`, on a small pool of its own: token checks happen before a
    request reaches the MCP layer and its lifespan. The pool's statements are bounded by
    FLEXOS_DB_TIMEOUT_S, so a hung database fails a token check quickly instead of hanging it.
    A read-only server's pool is read-only and records no token use."""

    def __init__(self, database_url: str, config: Config):
        self._url = database_url
        self._config = config
        self._db: Database | None = None
        self._opening: asyncio.Task[None] | None = None
        self.usage: TokenUsage | None = None
        self._usage_task: asyncio.Task[None] | None = None

    async def database(self) -> Database:
        """The verifier's database, opened on first use (so the server starts while PostgreSQL
        is still coming up) and again after a failed attempt. Requests that arrive while it is
        being opened wait for that one attempt instead of queueing attempts of their own."""
        if self._db is None:
            if self._opening is None:
                self._opening = asyncio.create_task(self._open(), name="flexos-token-pool")
                self._opening.add_done_callback(self._forget_opening)
            await asyncio.shield(self._opening)
        assert self._db is not None
        return self._db

    def _forget_opening(self, _: asyncio.Task[None]) -> None:
        self._opening = None

    async def _open(self) -> None:
        timeout = self._config.db_timeout_s
        try:
            # A token lookup takes a millisecond: a check that takes `timeout` means the database is
            # not answering, and the request gets its 503 within that time.
            pool = await create_pool(
                self._url,
                max_size=2,
                read_only=self._config.read_only,
                statement_timeout_ms=int(timeout * 1000),
                connect_timeout_s=timeout,
                command_timeout_s=timeout,
            )
        except DatabaseUnavailable as exc:
            database_availability.failed(exc.__cause__ or exc)
            raise
        self._db = Database(pool, read_only=self._config.read_only, acquire_timeout=timeout)
        if not self._config.read_only:
            self.usage = TokenUsage(self._db)
            self._usage_task = asyncio.create_task(self.usage.run(), name="flexos-token-usage")

    async def verify_token(self, token: str) -> AccessToken | None:
        holder = await holder_of(await self.database(), token)
        if holder is None:
            return None
        if self.usage is not None:
            self.usage.seen(holder.token_id)
        actor = holder.actor
        expires_at = int(holder.expires_at.timestamp()) if holder.expires_at else None
        return AccessToken(
            token=token,
            client_id=str(actor.id),
            scopes=[],
            subject=actor.email,
            expires_at=expires_at,
            claims={"role": actor.role, "token_id": str(holder.token_id), "read_only": holder.read_only},
        )

    async def close(self) -> None:
        """Write the last token uses and close the pool."""
        if self._usage_task is not None:
            self._usage_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._usage_task
        if self._db is not None:
            if self.usage is not None:
                await self.usage.flush(everything=True)
            await self._db.pool.close()
            self._db = None


def actor_from_access_token(token: AccessToken) -> Actor:
    return Actor(id=UUID(token.client_id), email=token.subject or "", role=(token.claims or {}).get("role", "user"))


def is_read_only_token(token: AccessToken | None) -> bool:
    return bool(token is not None and (token.claims or {}).get("read_only"))


def read_only_token_message(tool: str) -> str:
    """Worded like a read-only server's refusal (`--read-only`), for the same situation per token."""
    return (
        f"This token is read-only (created with --read-only): {tool} changes data, so it is not available "
        f"with it; nothing was changed. Use the reading tools, or tell the person that making this change "
        f"needs a token created without --read-only (flexos-mcp token create)."
    )
