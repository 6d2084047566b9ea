"""Bearer-token authentication for Streamable HTTP. Each request runs as the token's user; the
server keeps no session state, so several copies can serve behind a load balancer.

A token check only reads. When each token was last used is remembered in memory and written by
`TokenUsage` at most once a minute per token, in the background: a read request writes nothing,
and a read-only server (over a read-only replica, say) needs no writable database.

The MCP endpoint's verifier keeps the tokens it verified (`TokenCache`): a round trip to the
database per request was a third of the server's time per call (bench/profiles/README.md). The
cache is trusted only while one connection of its own LISTENs to the database's announcements of
token and user changes (migration 0080: a revocation, deletion or change by anyone, the CLI, a
tool or plain SQL, is announced when it commits, and the server drops what it cached about it
as soon as the announcement arrives), only while the database is not known to be down, and for
at most `CACHE_MAX_AGE_S` per entry. When that connection is lost (the database stopped or
restarted), the cache is emptied and every request is checked in the database again, so a
stopped database still gets its 503 at the gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from mcp.server.auth.provider import AccessToken

from ..config import Config
from ..db.availability import database_availability, is_unavailable
from ..db.gateway import Database
from ..db.pool import connect, create_pool, ping
from ..domain.scope import Actor
from ..domain.tokens import TokenHolder, holder_of, record_token_use, token_digest
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


# The channel migration 0080 announces token and user changes on.
TOKEN_CHANNEL = "flexos_api_tokens"
# The longest a verified token is trusted without asking the database again (a backstop: changes
# are announced at once).
CACHE_MAX_AGE_S = 30.0
CACHE_MAX_ENTRIES = 10_000
LISTEN_RETRY_S = 1.0  # how soon a lost listening connection is opened again
LISTENER_NAME = "flexos-mcp token listener"  # its application_name, as pg_stat_activity shows it


class TokenCache:
    """Verified tokens by digest, trusted while the announcements of their changes are heard
    (see the module docstring). `generation` moves on every announcement and every change of
    the listening connection: an answer read from the database before it moved is not kept."""

    def __init__(self, database_url: str, config: Config):
        self._url = database_url
        self._config = config
        self._entries: dict[str, tuple[AccessToken, UUID, float]] = {}
        self.generation = 0
        self.listening = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="flexos-token-listener")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def get(self, digest: str) -> tuple[AccessToken, UUID] | None:
        """The access (and token id) of a token verified lately, if it can still be trusted."""
        if not self._entries:
            return None
        if not self.listening or database_availability.is_down:
            self.forget_all()
            return None
        entry = self._entries.get(digest)
        if entry is None:
            return None
        access, token_id, verified_at = entry
        if time.monotonic() - verified_at > CACHE_MAX_AGE_S or (
            access.expires_at is not None and access.expires_at <= time.time()
        ):
            del self._entries[digest]
            return None
        return access, token_id

    def put(self, digest: str, access: AccessToken, token_id: UUID, generation: int) -> None:
        """Keep what the database answered, if nothing was announced since the question was asked."""
        if not self.listening or generation != self.generation or database_availability.is_down:
            return
        if len(self._entries) >= CACHE_MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (access, token_id, time.monotonic())

    def forget_all(self) -> None:
        self.generation += 1
        self._entries.clear()

    def _announced(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.generation += 1
        kind, _, ident = payload.partition(":")
        if kind == "token":
            stale = [d for d, (_, token_id, _) in self._entries.items() if str(token_id) == ident]
        elif kind == "user":
            stale = [d for d, (access, _, _) in self._entries.items() if access.client_id == ident]
        else:
            self._entries.clear()
            return
        for digest in stale:
            del self._entries[digest]

    async def _listen(self) -> None:
        """Hold a connection that LISTENs; when it is lost, stop trusting the cache and open it
        again (quietly: an outage is reported by the requests, once)."""
        while True:
            try:
                await self._listen_once()
            except asyncpg.PostgresError as exc:
                if not is_unavailable(exc):  # LISTEN refused (a hot standby): check every request in the database
                    log.info("verified tokens are not cached: cannot LISTEN for token changes (%s)", exc)
                    return
                log.debug("token listener: %r", exc)
            except (DatabaseUnavailable, OSError, asyncpg.InterfaceError) as exc:
                log.debug("token listener: %r", exc)
            await asyncio.sleep(LISTEN_RETRY_S)

    async def _listen_once(self) -> None:
        """Listen until the connection is lost."""
        conn = await connect(
            self._url,
            application_name=LISTENER_NAME,
            read_only=self._config.read_only,
            timeout_s=self._config.db_timeout_s,
        )
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(TOKEN_CHANNEL, self._announced)
            self.forget_all()
            self.listening = True
            await lost.wait()
        finally:
            self.listening = False
            self.forget_all()
            conn.terminate()


class FlexOSTokenVerifier:
    """Looks tokens up in `api_tokens`, on a small pool of its own: token checks happen before a
    request reaches the MCP layer and its lifespan. The pool's statements are bounded by
    FLEXOS_DB_TIMEOUT_S, so a hung database fails a token check quickly instead of hanging it.
    A read-only server's pool is read-only and records no token use."""

    def __init__(self, database_url: str, config: Config, *, cache: bool = False):
        self._url = database_url
        self._config = config
        self._cache = TokenCache(database_url, config) if cache else None
        self._probing: asyncio.Future[None] | None = None
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
        if self._cache is not None:
            self._cache.start()

    async def verify_token(self, token: str) -> AccessToken | None:
        digest = token_digest(token)
        cached = self._cache.get(digest) if self._cache is not None else None
        if cached is not None:
            access, token_id = cached
        else:
            generation = self._cache.generation if self._cache is not None else 0
            holder = await holder_of(await self.database(), token)
            if holder is None:
                return None
            access, token_id = _access(token, holder), holder.token_id
            if self._cache is not None:
                self._cache.put(digest, access, token_id, generation)
        if self.usage is not None:
            self.usage.seen(token_id)
        return access

    async def probe(self) -> None:
        """Ask the database for an answer within FLEXOS_DB_TIMEOUT_S; raise if none comes. Callers
        at the same moment share one question."""
        if self._probing is None:
            self._probing = asyncio.ensure_future(self._probe())
            self._probing.add_done_callback(self._forget_probe)
        await asyncio.shield(self._probing)

    async def _probe(self) -> None:
        await ping(await self.database())

    def _forget_probe(self, done: asyncio.Future[None]) -> None:
        self._probing = None
        if not done.cancelled():
            done.exception()  # retrieved: each waiter gets it through the shield

    async def close(self) -> None:
        """Write the last token uses and close the pool."""
        if self._cache is not None:
            await self._cache.close()
        if self._usage_task is not None:
            self._usage_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._usage_task
        if self._db is not None:
            if self.usage is not None:
                await self.usage.flush(everything=True)
            await self._db.pool.close()
            self._db = None


def _access(token: str, holder: TokenHolder) -> AccessToken:
    actor = holder.actor
    return AccessToken(
        token=token,
        client_id=str(actor.id),
        scopes=[],
        subject=actor.email,
        expires_at=int(holder.expires_at.timestamp()) if holder.expires_at else None,
        claims={"role": actor.role, "token_id": str(holder.token_id), "read_only": holder.read_only},
    )


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
