"""Export a whole project into a bundle and import one back (archive.py has the file format).

Export reads every table of the project (catalog.py) in one repeatable-read snapshot, streaming
rows through a server-side cursor into the zip (deflate and checksums in a thread), so memory
stays flat whatever the project's size.

Import is one transaction, after the whole bundle was checked against its manifest:
- rows go in table by table in foreign-key order, in batches, through json_populate_recordset;
- `project_id` of every row, and every column pointing at users, is the importing user's new
  project and the importing user: nothing in a bundle decides ownership;
- with `as_new`, every id of every row gets a new UUID, and every occurrence of an old id
  anywhere in a row (UUID arrays, canvas JSON, node data...) is rewritten, so the copy lives
  beside the original; without it, ids are kept and a bundle whose project already exists is
  refused with that advice;
- columns that triggers maintain or that point at rows of their own table go in as placeholders
  and are put back at the end (catalog.py), under `flexos.restoring` (migration 0050):
  `updated_at` is restored as exported, and mockup versions go in with their numbers while the
  page counters are set once at the end and checked against them;
- before commit, every single-column foreign key and every UUID array of the new rows must name
  rows of the new project: a crafted bundle cannot link into someone else's records.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncGenerator, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field

from ...errors import Conflict, FlexError
from ...store import digest_of_url, file_url
from ...untrusted import Untrusted
from ..projects import project_id_for_slug, require_project
from ..scope import Scope, owned_by
from ..text import next_free_slug
from .archive import (
    FILES_DIR,
    FORMAT,
    FORMAT_VERSION,
    STORED_FILE_URL,
    TABLES_DIR,
    BundleReader,
    BundleRefused,
    BundleWriter,
    file_member,
    table_member,
)
from .catalog import PROJECTS, Table, project_tables
from .files import BundleFiles

BATCH_BYTES = 1 << 20  # rows per database round trip and per hand-over to the zip thread
# A UUID is found from its first hyphen (a literal the regex engine scans for quickly; a pattern
# that starts with a hex class tries every letter a-f of the HTML, ~7x slower), then the 8 hex
# digits before it are checked by hand.
_UUID_TAIL = re.compile(rb"-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9a-fA-F])")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_ROW_ID = re.compile(rb'^\{"id":"([0-9a-f-]{36})"')


class BundleSummary(BaseModel):
    """What an export wrote or an import created."""

    project_id: UUID = Field(description="The project's id (for an import: the new project).")
    name: Untrusted
    slug: str
    rows: dict[str, int] = Field(description="Rows of each table in the bundle.")
    files: int = Field(description="Stored files in the bundle.")
    missing_files: list[str] = Field(
        default_factory=list,
        description="Stored files the rows name that the export could not carry: not in the store, or "
        "held by no context item of yours (export).",
    )
    bytes: int | None = Field(default=None, description="Size of the bundle file.")
    as_new: bool | None = Field(default=None, description="Import: whether every id was replaced.")
    format_version: int = FORMAT_VERSION


async def resolve_project_ref(scope: Scope, ref: str) -> UUID:
    """A project of the acting user by id or slug."""
    try:
        return UUID(ref.strip())
    except ValueError:
        found = await project_id_for_slug(scope, ref.strip().lower())
    if found is None:
        raise FlexError(
            f"No project with slug or id {ref!r} was found in your projects. "
            f"Run `flexos-mcp` with the same FLEXOS_USER_EMAIL as your MCP host, or pass the id."
        )
    return found


# --- export -------------------------------------------------------------------------------------


async def export_project(
    scope: Scope, project_id: UUID, out: IO[bytes], *, files: BundleFiles | None = None
) -> BundleSummary:
    """Write the project as a bundle into `out` (a binary file object)."""
    writer = BundleWriter(out)
    try:
        async with scope.db.snapshot() as conn:
            project = await require_project(conn, scope.actor, project_id)
            tables = await project_tables(conn)
            schema_version = await conn.fetchval("SELECT max(version) FROM flexos_schema_migrations")
            listed: list[dict[str, Any]] = []
            for table in tables:
                rows = await _export_table(conn, table, project_id, writer)
                listed.append({"name": table.name, "columns": list(table.columns), "rows": rows})
            held = await _files_held(conn, scope, writer.stored_files)
        await asyncio.to_thread(writer.end)
        written, missing = [], []
        for digest in sorted(writer.stored_files):
            data = await asyncio.to_thread(files.read, digest) if files and digest in held else None
            if data is None:
                missing.append(digest)
                continue
            await asyncio.to_thread(writer.add, file_member(digest), data)
            written.append(digest)
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": schema_version,
            "exported_at": datetime.now(UTC).isoformat(),
            "project": {"id": str(project["id"]), "name": project["name"], "slug": project["slug"]},
            "tables": listed,
            "files": written,
        }
        await asyncio.to_thread(writer.finish, header)
    except BaseException:
        writer.abandon()
        raise
    return BundleSummary(
        project_id=project["id"],
        name=project["name"],
        slug=project["slug"],
        rows={t["name"]: t["rows"] for t in listed},
        files=len(written),
        missing_files=missing,
    )


async def _export_table(conn: Any, table: Table, project_id: UUID, writer: BundleWriter) -> int:
    columns = ", ".join(f'"{c}"' for c in table.columns)
    sql = (
        f'SELECT row_to_json(r)::text FROM (SELECT {columns} FROM "{table.name}" '
        f"WHERE {table.project_column} = $1 ORDER BY {table.row_order}) r"
    )
    await asyncio.to_thread(writer.begin, table_member(table.name))
    rows, batch, size = 0, [], 0
    async for record in conn.cursor(sql, project_id, prefetch=200):
        batch.append(record[0])
        size += len(record[0])
        if size >= BATCH_BYTES:
            await asyncio.to_thread(writer.write_lines, batch)
            rows, batch, size = rows + len(batch), [], 0
    if batch:
        await asyncio.to_thread(writer.write_lines, batch)
        rows += len(batch)
    return rows


# --- import -------------------------------------------------------------------------------------


async def import_project(
    scope: Scope, source: str | IO[bytes], *, as_new: bool = False, files: BundleFiles | None = None
) -> BundleSummary:
    """Create a project of the acting user from a bundle (a path or a binary file object)."""
    reader = await asyncio.to_thread(BundleReader, source)
    try:
        header = reader.header
        stored = sorted(name for name in reader.members if name.startswith(FILES_DIR))
        if stored and files is None:
            raise FlexError(
                f"The bundle holds {len(stored)} stored file(s), but this server has no file store "
                f"to put them in. Nothing was imported."
            )
        mapping = await asyncio.to_thread(_check_all, reader, header, as_new)
        old_project = await asyncio.to_thread(_project_row, reader)
        try:
            return await _import_rows(scope, reader, header, old_project, mapping, stored, files)
        except asyncpg.UniqueViolationError as exc:
            if (exc.constraint_name or "").endswith("_pkey"):
                raise Conflict(
                    "Records with this bundle's ids already exist in this database (the project was "
                    "imported before, or is the one it was exported from). Import it with --as-new "
                    "(import_project as_new=true) to make a copy with new ids. Nothing was imported."
                ) from exc
            raise
        except (
            asyncpg.ForeignKeyViolationError,
            asyncpg.DataError,
            asyncpg.CheckViolationError,
            asyncpg.NotNullViolationError,
        ) as exc:
            raise BundleRefused(
                f"its rows do not fit the database ({_constraint(exc)}); it was edited, or made from a damaged project."
            ) from exc
    finally:
        reader.close()


def _constraint(exc: asyncpg.PostgresError) -> str:
    name = getattr(exc, "constraint_name", None) or getattr(exc, "column_name", None)
    table = getattr(exc, "table_name", None)
    return f"{table or 'a table'}: {name}" if name else (table or "a value of the wrong type")


def _check_all(reader: BundleReader, header: dict[str, Any], as_new: bool) -> dict[bytes, bytes] | None:
    """The first pass: every member against the manifest; with `as_new`, the new id of every row."""
    mapping: dict[bytes, bytes] | None = {} if as_new else None
    for name in reader.members:
        if mapping is not None and name.startswith(TABLES_DIR):
            for line in reader.lines(name):
                mapping[_row_id(line, name)] = str(uuid.uuid4()).encode()
        else:
            for _ in reader.chunks(name):
                pass
    return mapping


def _row_id(line: bytes, member: str) -> bytes:
    match = _ROW_ID.match(line)
    if match:
        return match.group(1)
    try:
        ident = json.loads(line).get("id")
        return str(UUID(ident)).encode()
    except (ValueError, TypeError, AttributeError) as exc:
        raise BundleRefused(f"a row of {member} has no id.") from exc


def _project_row(reader: BundleReader) -> dict[str, Any]:
    rows = list(reader.lines(table_member(PROJECTS)))
    if len(rows) != 1:
        raise BundleRefused(f"it holds {len(rows)} project rows; a bundle holds exactly one project.")
    try:
        row: dict[str, Any] = json.loads(rows[0])
        UUID(row["id"])
    except (ValueError, TypeError, KeyError) as exc:
        raise BundleRefused("its project row is not valid.") from exc
    return row


def remap_ids(line: bytes, mapping: dict[bytes, bytes] | None) -> bytes:
    """The line with every UUID that is a row id of the bundle (any letter case) replaced by its
    new id; other UUIDs and everything else unchanged."""
    if mapping is None:
        return line
    pieces: list[bytes] = []
    done = 0
    for match in _UUID_TAIL.finditer(line):
        start = match.start() - 8
        if (
            start < done
            or not all(c in _HEX for c in line[start : match.start()])
            or (start and line[start - 1] in _HEX)
        ):
            continue
        new = mapping.get(line[start : match.end()].lower())
        if new is not None:
            pieces += (line[done:start], new)
            done = match.end()
    return b"".join([*pieces, line[done:]]) if pieces else line


def _plan(header: dict[str, Any], tables: list[Table]) -> list[tuple[Table, list[str], int]]:
    """The bundle's tables in this database's insert order, with the columns to insert."""
    known = {t.name: t for t in tables}
    given = {t["name"]: t for t in header["tables"]}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise BundleRefused(
            f"it holds tables this database does not have ({', '.join(unknown)}): it was written "
            f"by a newer flexos-mcp. Upgrade flexos-mcp and run `flexos-mcp migrate`, then import again."
        )
    if PROJECTS not in given:
        raise BundleRefused("it holds no project row.")
    plan = []
    for table in tables:
        if table.name not in given:
            continue
        columns = given[table.name]["columns"]
        extra = sorted(set(columns) - set(table.columns))
        if extra or "id" not in columns or len(set(columns)) != len(columns):
            raise BundleRefused(
                f"its table {table.name} has columns this database does not have "
                f"({', '.join(extra) or 'duplicates'}): it was written by a newer flexos-mcp. Upgrade "
                f"flexos-mcp and run `flexos-mcp migrate`, then import again."
            )
        plan.append((table, columns, given[table.name]["rows"]))
    return plan


class _Statement:
    """The INSERT of one table: which bundle columns are replaced by the import's own values.
    Deferred columns go in as their placeholder; their exported values (where they differ) go
    into a temporary table in the same statement, and `restore_sql` puts them back at the end."""

    def __init__(self, table: Table, columns: list[str]):
        self.params: list[str] = []
        exprs = []
        for column in columns:
            if column == table.project_column:
                exprs.append(self._param("project", "uuid"))
            elif column in table.user_columns:
                exprs.append(self._param("user", "uuid"))
            elif table.name == PROJECTS and column == "slug":
                exprs.append(self._param("slug", "text"))
            elif column in table.deferred:
                exprs.append(table.deferred[column])
            else:
                exprs.append(f'r."{column}"')
        names = ", ".join(f'"{c}"' for c in columns)
        rows = f'json_populate_recordset(NULL::"{table.name}", $1::text::json) r'
        insert = f'INSERT INTO "{table.name}" ({names}) SELECT {", ".join(exprs)} FROM '
        deferred = [c for c in columns if c in table.deferred]
        self.create_sql = self.restore_sql = None
        if not deferred:
            self.sql = insert + rows
            return
        holding = f"pg_temp.flexos_restore_{table.name}"
        kept = ", ".join(f'"{c}"' for c in deferred)
        self.create_sql = (
            f"CREATE TEMP TABLE flexos_restore_{table.name} (id uuid, "
            + ", ".join(f'"{c}" {table.types[c]}' for c in deferred)
            + ") ON COMMIT DROP"
        )
        differs = " OR ".join(f'r."{c}" IS DISTINCT FROM {table.deferred[c]}' for c in deferred)
        self.sql = (
            f"WITH r AS MATERIALIZED (SELECT * FROM {rows}), inserted AS ({insert} r) "
            f"INSERT INTO {holding} (id, {kept}) SELECT r.id, {', '.join(f'r.{c}' for c in kept.split(', '))} "
            f"FROM r WHERE {differs}"
        )
        self.restore_sql = (
            f'UPDATE "{table.name}" t SET '
            + ", ".join(f'"{c}" = x."{c}"' for c in deferred)
            + f" FROM {holding} x WHERE t.id = x.id AND t.{table.project_column} = $1"
        )

    def _param(self, name: str, sql_type: str) -> str:
        if name not in self.params:
            self.params.append(name)
        return f"${self.params.index(name) + 2}::{sql_type}"


def _batches(
    reader: BundleReader, table: Table, mapping: dict[bytes, bytes] | None, named_files: set[str]
) -> Iterator[tuple[str, int]]:
    """Rows of one table as JSON-array batches of about BATCH_BYTES, ids remapped; the stored
    files the rows name are added to `named_files`."""
    lines: list[bytes] = []
    size = 0
    for line in reader.lines(table_member(table.name)):
        line = remap_ids(line, mapping)
        if b"flexos://files/" in line:
            named_files.update(m.group(1).decode() for m in STORED_FILE_URL.finditer(line))
        lines.append(line)
        size += len(line)
        if size >= BATCH_BYTES:
            yield (b"[" + b",".join(lines) + b"]").decode("utf-8", "replace"), len(lines)
            lines, size = [], 0
    if lines:
        yield (b"[" + b",".join(lines) + b"]").decode("utf-8", "replace"), len(lines)


async def _prefetched(batches: Iterator[tuple[str, int]]) -> AsyncGenerator[tuple[str, int], None]:
    """The batches, each read (in a thread) while the database inserts the one before it. The
    thread is always finished before this ends, so the bundle is never closed under it."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while (batch := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            yield batch
    finally:
        if not pending.done():
            with contextlib.suppress(BaseException):
                await asyncio.shield(pending)


async def _import_rows(
    scope: Scope,
    reader: BundleReader,
    header: dict[str, Any],
    old_project: dict[str, Any],
    mapping: dict[bytes, bytes] | None,
    stored: list[str],
    files: BundleFiles | None,
) -> BundleSummary:
    actor = scope.actor
    old_id = old_project["id"].lower().encode()
    project_id = UUID((mapping[old_id] if mapping is not None else old_id).decode())
    async with scope.db.transaction() as conn:
        await conn.execute("SET LOCAL flexos.restoring = 'on'")  # migration 0050
        plan = _plan(header, await project_tables(conn))
        if mapping is None and await conn.fetchval("SELECT 1 FROM projects WHERE id = $1", project_id):
            raise Conflict(
                f"A project with this bundle's id ({project_id}) already exists in this database. Import "
                f"with --as-new (import_project as_new=true) to make a copy beside it with new ids. "
                f"Nothing was imported."
            )
        base = str(old_project.get("slug") or "project")
        taken = {
            r["slug"]
            for r in await conn.fetch(
                "SELECT slug FROM projects WHERE user_id = $1 AND (slug = $2 OR slug LIKE $2 || '-%')", actor.id, base
            )
        }
        slug = next_free_slug(base, taken)
        values = {"project": project_id, "user": actor.id, "slug": slug}
        counts: dict[str, int] = {}
        named: set[str] = set()  # stored files the rows name
        restores: list[str] = []
        for table, columns, expected in plan:
            statement = _Statement(table, columns)
            args = [values[p] for p in statement.params]
            if statement.create_sql:
                assert statement.restore_sql is not None  # set together with create_sql
                await conn.execute(statement.create_sql)
                restores.append(statement.restore_sql)
            count = 0
            async with contextlib.aclosing(_prefetched(_batches(reader, table, mapping, named))) as batches:
                async for rows_json, n in batches:
                    await conn.execute(statement.sql, rows_json, *args)
                    count += n
            if count != expected:
                raise BundleRefused(f"its table {table.name} holds {count} rows where its header says {expected}.")
            counts[table.name] = count
        for restore in restores:  # every row is in: put the deferred columns back
            await conn.execute(restore, project_id)
        await _require_references_inside(conn, [t for t, _, _ in plan], project_id)
        await _require_version_counters(conn, project_id)
        carried = {name.removeprefix(FILES_DIR): name for name in stored}
        for digest, name in carried.items():  # every file passes the store's gate before any is stored
            files.check(digest, await asyncio.to_thread(reader.read_small, name))  # type: ignore[union-attr]  # import_project refuses stored files without a store
        await _require_files_carried_or_held(conn, scope, project_id, named - set(carried))
        for name in stored:  # a refusal after this point leaves only unreferenced, content-addressed files
            await asyncio.to_thread(files.put, await asyncio.to_thread(reader.read_small, name))  # type: ignore[union-attr]  # as above
        project = await conn.fetchrow("SELECT id, name, slug FROM projects WHERE id = $1", project_id)
    return BundleSummary(
        project_id=project["id"],
        name=project["name"],
        slug=project["slug"],
        rows=counts,
        files=len(stored),
        as_new=mapping is not None,
    )


async def _files_held(
    conn: Any, scope: Scope, digests: set[str], *, outside: UUID | None = None, lock: bool = False
) -> set[str]:
    """The digests among `digests` that a context item in one of the user's projects holds
    (`outside` that project, when given). A row may name any stored file (a URI typed into a
    mockup), but naming a digest is not a way to reach someone else's file: an export carries only
    the files its user holds, and an import takes a file it does not carry only if its user holds
    it already (the same rule create_context_item applies to a content_url). With `lock`, the
    holding items are locked (FOR KEY SHARE) until the transaction commits, so a prune of the
    store cannot find the file unreferenced meanwhile."""
    if not digests:
        return set()
    rows = await conn.fetch(
        f"""SELECT i.content_url FROM user_context_items i JOIN projects p ON p.id = i.project_id
             WHERE i.content_url = ANY($1::text[]) AND {owned_by(2, "p.user_id")}
               AND ($3::uuid IS NULL OR i.project_id <> $3)"""
        + (" FOR KEY SHARE OF i" if lock else ""),
        [file_url(d) for d in sorted(digests)],
        scope.actor.owner_id,
        outside,
    )
    return {digest for r in rows if (digest := digest_of_url(r["content_url"])) is not None}


async def _require_files_carried_or_held(conn: Any, scope: Scope, project_id: UUID, missing: set[str]) -> None:
    """A stored file the rows name must come with the bundle, or be one the importing user's own
    items (in other projects) already hold, locked until the import commits: see `_files_held`."""
    unheld = sorted(missing - await _files_held(conn, scope, missing, outside=project_id, lock=True))
    if unheld:
        raise BundleRefused(
            f"its rows name the stored file {file_url(unheld[0])}, which it does not carry and you do not "
            f"have; export the project again from a server whose store has the file."
        )


async def _require_version_counters(conn: Any, project_id: UUID) -> None:
    """Under `flexos.restoring` the database left the counters to the importer: no page may have
    issued fewer version numbers than its mockups carry (a next save would reuse one)."""
    behind = await conn.fetchval(
        """SELECT p.slug FROM pages p JOIN mockups m ON m.page_id = p.id
            WHERE p.project_id = $1 AND m.version > p.last_mockup_version LIMIT 1""",
        project_id,
    )
    if behind is not None:
        raise BundleRefused(f"page {behind!r} has mockup versions above its version counter; it was edited.")


async def _require_references_inside(conn: Any, tables: list[Table], project_id: UUID) -> None:
    """Every single-column foreign key and every UUID-array element of the new rows names a row
    of the new project. The composite keys already hold; these are the links they do not cover
    (e.g. wizard_run_steps.thought_id, features.affected_pages, ai_thinking_chain.depends_on)."""
    ids = " UNION ALL ".join(f'SELECT id FROM "{t.name}" WHERE {t.project_column} = $1' for t in tables)
    for table in tables:
        for column, parent in table.references:
            bad = await conn.fetchval(
                f'SELECT c."{column}" FROM "{table.name}" c JOIN "{parent}" p ON p.id = c."{column}" '
                f"WHERE c.{table.project_column} = $1 AND p.project_id <> $1 LIMIT 1",
                project_id,
            )
            if bad is not None:
                raise BundleRefused(f"{table.name}.{column} names a record outside the bundle; it was edited.")
        for column in table.uuid_arrays:
            bad = await conn.fetchval(
                f'SELECT x FROM "{table.name}" c CROSS JOIN LATERAL unnest(c."{column}") x '
                f"WHERE c.{table.project_column} = $1 AND x NOT IN ({ids}) LIMIT 1",
                project_id,
            )
            if bad is not None:
                raise BundleRefused(f"{table.name}.{column} names a record outside the bundle; it was edited.")
