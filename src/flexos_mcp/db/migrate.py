"""Migrations: `schema.sql` is version 1; later changes are numbered files in `db/migrations/`
(`0002_add_x.sql`, ...; unique, increasing). All pending migrations apply in one transaction under an advisory lock,
so two servers starting at the same moment apply each migration exactly once."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from ..package_data import data_path
from .connection import ReadConnection

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: "FlexOS" in ASCII, so it does not collide with other applications' keys.
MIGRATION_LOCK_KEY = 0x466C65784F53
_NUMBERED = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations() -> list[Migration]:
    """Every migration in order: schema.sql first, then the numbered files."""
    found = [Migration(1, "schema", data_path("schema.sql").read_text(encoding="utf-8"))]
    folder = resources.files("flexos_mcp.db") / "migrations"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        match = _NUMBERED.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != sorted(set(versions)):
        raise RuntimeError(f"migration versions must be unique and increasing; found {versions}")
    return found


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply what is pending; return the versions applied by this call (empty when up to date)."""
    migrations = load_migrations()
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
        has_table = await conn.fetchval("SELECT to_regclass('flexos_schema_migrations') IS NOT NULL")
        applied: dict[int, str] = {}
        if has_table:
            rows = await conn.fetch("SELECT version, checksum FROM flexos_schema_migrations")
            applied = {r["version"]: r["checksum"] for r in rows}
        newest_known = migrations[-1].version
        if applied and max(applied) > newest_known:
            raise RuntimeError(
                f"this database is at schema version {max(applied)}, newer than this flexos-mcp "
                f"knows ({newest_known}); upgrade flexos-mcp."
            )
        done: list[int] = []
        for migration in migrations:
            if migration.version in applied:
                if applied[migration.version] != migration.checksum:
                    log.warning(
                        "migration %s (%s) changed since it was applied to this database",
                        migration.version,
                        migration.name,
                    )
                continue
            log.info("applying migration %s (%s)", migration.version, migration.name)
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO flexos_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            done.append(migration.version)
        return done


@functools.cache
def newest_version() -> int:
    return load_migrations()[-1].version


@dataclass(frozen=True)
class SchemaStatus:
    applied: int | None  # the newest version applied; None when the database has no FlexOS schema
    needed: int  # the newest version this flexos-mcp knows

    @property
    def current(self) -> bool:
        """Up to date, or newer (a newer flexos-mcp migrated it: during a rolling upgrade the old
        copies keep serving; migrations only add)."""
        return self.applied is not None and self.applied >= self.needed

    def advice(self) -> str:
        where = "has no FlexOS schema yet" if self.applied is None else f"is at schema version {self.applied}"
        return (
            f"The database {where}; this flexos-mcp needs version {self.needed}. Run `flexos-mcp migrate` "
            f"once (same DATABASE_URL), then start the server."
        )


async def schema_status(db: ReadConnection) -> SchemaStatus:
    """Where the database's schema stands; `db` is a connection, a pool or a Database (anything
    with `fetchval`). Reads only."""
    needed = newest_version()
    if not await db.fetchval("SELECT to_regclass('flexos_schema_migrations') IS NOT NULL"):
        return SchemaStatus(applied=None, needed=needed)
    return SchemaStatus(applied=await db.fetchval("SELECT max(version) FROM flexos_schema_migrations"), needed=needed)
