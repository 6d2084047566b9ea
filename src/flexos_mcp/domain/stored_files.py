"""Garbage collection of the file store: stored files that no row references are removed
(`flexos-mcp files prune`, like `git gc` / `docker image prune`).

The store is shared by every user (the same bytes are stored once), so a file goes only when no
row of anyone names it. **What counts as a reference**: the store URI
`flexos://files/sha256/<digest>` anywhere in any row of any table of the schema, read as
`row_to_json(row)::text`. That covers
- `user_context_items.content_url`, the reference proper (the item's file resource, its image
  for a model, and `create_context_item` / `update_context_item` naming a file the user holds);
- the URI inside any other column — `content_text`, `content_metadata`, `ai_analysis`, mockup
  HTML and CSS, notes, thinking steps — because a project's export carries every file its rows
  name (bundle/archive.py scans the same JSON with the same pattern), and an import refuses a
  bundle that names a file it does not carry; so a file a mockup still names is kept;
- tables added later, with no list to keep up to date.
A digest written without the URI (`content_metadata.file.sha256`) is a description of a file,
not a reference: nothing reads the store through it, and once `content_url` no longer names the
file, nothing can name it again (a caller may only name a file they still hold).

Why this is safe against the server running meanwhile:
- the candidates are listed first, then the referenced set is read in **one statement** (one
  snapshot), so a reference committed before the listing is always seen;
- a reference not yet committed belongs to a transaction that put the file, and `put` of bytes
  already stored freshens the file's mtime (store/local.py): only files older than the grace
  period (`--older-than`, 24 hours by default) are candidates, and a file freshened after it was
  listed is put back instead of removed (`LocalFileStore.remove_unchanged`). A call that names a
  file the user already holds, without sending the bytes, locks the holding row (FOR KEY SHARE),
  so that row cannot be deleted before the new reference commits (changing that row's
  `content_url` meanwhile is not blocked: a window of one transaction, which also needs the file
  to be past the grace period and a prune at that instant);
- removal is per file and atomic (rename out of place, then unlink); a prune that stops halfway
  leaves a consistent store.

A store whose files the database references not at all is most likely being pruned against the
wrong database (DATABASE_URL unset, so a fresh embedded one): that prune removes nothing and says
so, unless `force` (every context item really was deleted).

Temporary files that an interrupted write or prune left in the store's tmp/ folder, older than
the grace period, are removed too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta

from ..db.gateway import Database
from ..errors import FlexError
from ..store import FILE_URL_PREFIX
from ..store.local import LocalFileStore, StoredEntry
from .bundle.catalog import all_tables

STORED_FILE_PATTERN = FILE_URL_PREFIX + "([0-9a-f]{64})"  # the same as bundle/archive.py's


@dataclass
class PruneReport:
    """What a prune found and did (or, with dry_run, would do)."""

    dry_run: bool
    older_than: timedelta
    stored: int = 0  # files in the store when listed
    stored_bytes: int = 0
    removed: list[StoredEntry] = field(default_factory=list)  # unreferenced and old: removed (or would be)
    referenced: int = 0  # kept: a row names them
    recent: int = 0  # kept: unreferenced but inside the grace period
    changed: int = 0  # not removed: put again (or removed by another prune) while this one ran
    temporaries: int = 0  # leftovers of interrupted writes removed (or would be)
    temporary_bytes: int = 0

    @property
    def freed_bytes(self) -> int:
        return sum(e.size for e in self.removed) + self.temporary_bytes


class StoreNotReferenced(FlexError):
    def __init__(self, files: int, root: object):
        super().__init__(
            f"The database references none of the {files:,} files stored in {root}, so this looks like "
            f"the wrong database for this store (is DATABASE_URL the one the server uses?). Nothing was "
            f"removed. Check with --dry-run; if every context item really was deleted, run again with --force."
        )


def referenced_query(tables: list[str]) -> str:
    """One statement: every digest a store URI names in any row of `tables`."""
    quoted = ('"' + name.replace('"', '""') + '"' for name in sorted(tables))
    rows = " UNION ALL ".join(f"SELECT row_to_json(t)::text AS j FROM {name} t" for name in quoted)
    return (
        f"SELECT DISTINCT m[1] AS digest FROM ({rows}) r "
        f"CROSS JOIN LATERAL regexp_matches(r.j, '{STORED_FILE_PATTERN}', 'g') m "
        f"WHERE strpos(r.j, '{FILE_URL_PREFIX}') > 0"  # a fast substring search first; few rows name files
    )


async def referenced_digests(db: Database, tables: list[str] | None = None) -> set[str]:
    """Digests of the stored files some row references (see the module docstring). It reads
    every row once, so it runs without the statement timeout (a batch job, not a tool call)."""
    async with db.transaction() as conn:
        names = tables if tables is not None else sorted(await all_tables(conn))
        await conn.execute("SET LOCAL statement_timeout = 0")
        return {r["digest"] for r in await conn.fetch(referenced_query(names))}


async def prune_stored_files(
    db: Database, store: LocalFileStore, *, older_than: timedelta, dry_run: bool = False, force: bool = False
) -> PruneReport:
    """Remove (with dry_run: only list) the stored files no row references that are older than
    `older_than`, and the stale temporaries. Safe while servers use the store and the database.
    Refuses (StoreNotReferenced) when the database references none of the stored files, unless
    `force`."""
    report = PruneReport(dry_run=dry_run, older_than=older_than)
    async with db.connection() as conn:
        tables = sorted(await all_tables(conn))  # the catalog, before the listing: the listing must come first
    cutoff_ns = time.time_ns() - int(older_than.total_seconds() * 1e9)
    listed = await asyncio.to_thread(lambda: list(store.entries()))
    temporaries = await asyncio.to_thread(lambda: [t for t in store.temporaries() if t.since_ns < cutoff_ns])
    referenced = await referenced_digests(db, tables)  # after the listing, in one statement
    report.stored, report.stored_bytes = len(listed), sum(e.size for e in listed)
    if listed and not dry_run and not force and not referenced.intersection(e.digest for e in listed):
        raise StoreNotReferenced(len(listed), store.root)
    for entry in listed:
        if entry.digest in referenced:
            report.referenced += 1
        elif entry.mtime_ns >= cutoff_ns:
            report.recent += 1
        elif dry_run or await asyncio.to_thread(store.remove_unchanged, entry):
            report.removed.append(entry)
        else:
            report.changed += 1
    for temporary in temporaries:
        if dry_run or await asyncio.to_thread(store.remove_temporary, temporary):
            report.temporaries += 1
            report.temporary_bytes += temporary.size
    return report
