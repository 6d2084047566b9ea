"""infer_entities over a project of any size without freezing the server.

Inference reads every page's mockup: at 1,000 pages of 18 KB that is seconds of pure Python. Run
on the event loop it made every other user wait, and inside one transaction it held locks (and
PostgreSQL's patience) the whole time. So the work is split the way the analysis allows
(analysis/entities.py: a page is read on its own, then entities are assembled over all pages):

1. Read, short: every page's content hash (computed by PostgreSQL, no HTML leaves it) beside the
   cached seeds and findings of `entity_page_findings`, the features, the stored entities.
2. Compute in the worker pool (compute.run_cpu), in batches of pages so memory stays bounded:
   seeds for pages whose content changed, then the pages whose findings are missing or were read
   with other known entities, until none is left (analysis.entities.pages_to_read). Each batch's
   results are written to the cache at once, so a run stopped by its time limit keeps its progress.
   An unchanged project reads no HTML at all.
3. Assemble and merge with the stored entities in a worker.
4. Apply in one short transaction that first checks nothing moved underneath: the pages, their
   current mockups and the stored entities (row versions) and the features are what was read. If something
   moved, the run starts again from 1 (cheap: the cache has the unchanged pages).

The event loop only moves text: seeds and findings stay JSON text between PostgreSQL and the
workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from .. import compute
from ..analysis import entities as entity_analysis
from ..analysis import entity_batches, inflection
from ..compute import WorkTooBig, run_cpu
from ..errors import Conflict
from .projects import require_project
from .scope import Scope

Progress = Callable[[float, float | None, str | None], Awaitable[None]]

BATCH_PAGES = 40  # pages per worker task: ~0.7 MB of HTML at 18 KB a page, a fraction of a second
BATCH_TIMEOUT_S = 60.0  # one batch; a page that takes this long is pathological
TIME_LIMIT_S = 120.0  # the whole run; what it read by then stays cached
ATTEMPTS = 3  # runs of read-compute-apply when pages keep moving underneath

# The reader's version: its source. Findings cached by an older reader are stale.
READER_VERSION = hashlib.sha256(
    b"".join(Path(inspect.getfile(m)).read_bytes() for m in (entity_analysis, inflection, entity_batches))
).hexdigest()[:16]

_PAGE_KEYS = """
SELECT p.id, p.slug, p.path, p.name, p.purpose,
       encode(sha256(convert_to(COALESCE(m.html_content, ''), 'UTF8')), 'hex') AS html_hash{extra}
  FROM pages p
  LEFT JOIN mockups m ON m.id = p.current_mockup_id AND m.project_id = p.project_id{join}
 WHERE p.project_id = $1{where}
 ORDER BY p.id"""

# Row versions: any change to a page or its current mockup changes one (cheaper than hashing
# every mockup again inside the applying transaction).
_VERSIONS = """SELECT p.id, p.xmin::text AS page_version, m.xmin::text AS mockup_version
  FROM pages p LEFT JOIN mockups m ON m.id = p.current_mockup_id AND m.project_id = p.project_id
 WHERE p.project_id = $1 ORDER BY p.id"""

_STATE = _PAGE_KEYS.format(
    extra=", p.xmin::text AS page_version, m.xmin::text AS mockup_version, c.content_hash, c.seeds::text AS seeds, "
    "c.findings::text AS findings",
    join="\n  LEFT JOIN entity_page_findings c ON c.project_id = p.project_id AND c.page_id = p.id",
    where="",
)
_PAGE_HTML = _PAGE_KEYS.format(
    extra=", COALESCE(m.html_content, '') AS html", join="", where=" AND p.id = ANY($2::uuid[])"
)

_FEATURES = "SELECT name, data_operations FROM features WHERE project_id = $1 ORDER BY id"
_ENTITIES = """SELECT id, xmin::text AS version, to_jsonb(e)::text AS row
                 FROM inferred_entities e WHERE project_id = $1 ORDER BY id"""

_CACHE_WRITE = """
INSERT INTO entity_page_findings AS c (project_id, page_id, content_hash, seeds, findings)
SELECT $1, r.page_id, r.content_hash, r.seeds::jsonb, r.findings::jsonb
  FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS r(page_id, content_hash, seeds, findings)
  JOIN pages p ON p.id = r.page_id AND p.project_id = $1
ON CONFLICT (project_id, page_id) DO UPDATE
   SET content_hash = EXCLUDED.content_hash, seeds = EXCLUDED.seeds, findings = EXCLUDED.findings,
       updated_at = now()"""

_UPSERT = """
INSERT INTO inferred_entities AS e (project_id, entity_name, plural_name, description, fields, relationships,
                                    crud_locations, confidence_score)
SELECT $1, r.entity_name, r.plural_name, r.description, r.fields, COALESCE(r.relationships, '[]'::jsonb),
       COALESCE(r.crud_locations, '{}'::jsonb), r.confidence_score
  FROM jsonb_to_recordset($2::text::jsonb) AS r(entity_name text, plural_name text, description text, fields jsonb,
                                                relationships jsonb, crud_locations jsonb, confidence_score float8)
ON CONFLICT (project_id, entity_name) DO UPDATE
   SET plural_name = EXCLUDED.plural_name, description = EXCLUDED.description, fields = EXCLUDED.fields,
       relationships = EXCLUDED.relationships, crud_locations = EXCLUDED.crud_locations,
       confidence_score = EXCLUDED.confidence_score
 WHERE NOT COALESCE(e.user_confirmed, false)
RETURNING e.entity_name, (xmax = 0) AS inserted
"""


def content_key(row: Any) -> str:
    """Hash of the reader's version and everything it reads of a page."""
    parts = (READER_VERSION, row["slug"], row["path"], row["name"], row["purpose"] or "", row["html_hash"])
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


@dataclass
class _Page:
    id: UUID
    slug: str
    key: str
    versions: tuple[str, str | None]  # row versions of the page and its current mockup when read
    seeds: str | None  # JSON text of page_seeds, None until read
    findings: str | None  # JSON text of read_page, None until read


@dataclass
class _State:
    pages: list[_Page]
    features: list[dict[str, Any]]
    entities: list[tuple[UUID, str]]  # (id, row version) of the stored entities
    entity_rows: list[str]  # their rows as JSON text, for the merge


class _Moved(Exception):
    """A page changed between the read and a batch: start the run again."""


class _Budget:
    """The whole run's time limit, and its progress for the caller."""

    def __init__(self, limit: float, progress: Progress | None):
        self.deadline = time.monotonic() + limit
        self.limit = limit
        self.progress = progress
        self.done = 0
        self.total = 0

    def check(self, pages: int) -> None:
        if time.monotonic() > self.deadline:
            raise WorkTooBig(
                f"Inferring entities from this project's {pages} pages needs more than the limit of {self.limit:g} s: "
                f"it stopped after {self.done} of the {self.total} page reads it had planned, and no entity was "
                f"changed. What it read is kept: call infer_entities again to go on from there (each run goes "
                f"further), or delete pages whose mockups need no data model."
            )

    async def advance(self, count: int, what: str) -> None:
        self.done += count
        if self.progress is not None:
            with contextlib.suppress(Exception):  # progress is best effort; the inference goes on
                await self.progress(self.done, self.total, f"{what}: {self.done} of {self.total} page reads")


async def _read_state(scope: Scope, project_id: UUID) -> _State:
    async with scope.db.snapshot() as conn:
        await require_project(conn, scope.actor, project_id)
        rows = await conn.fetch(_STATE, project_id)
        features = [dict(r) for r in await conn.fetch(_FEATURES, project_id)]
        entities = await conn.fetch(_ENTITIES, project_id)
    pages = []
    for row in rows:
        key = content_key(row)
        fresh = row["content_hash"] == key
        pages.append(
            _Page(
                row["id"],
                row["slug"],
                key,
                (row["page_version"], row["mockup_version"]),
                row["seeds"] if fresh else None,
                row["findings"] if fresh else None,
            )
        )
    return _State(pages, features, [(r["id"], r["version"]) for r in entities], [r["row"] for r in entities])


async def _page_inputs(scope: Scope, project_id: UUID, pages: Sequence[_Page]) -> list[dict[str, Any]]:
    """The HTML and fields of `pages`, checked against the keys they were planned with."""
    rows = {r["id"]: r for r in await scope.db.fetch(_PAGE_HTML, project_id, [p.id for p in pages])}
    inputs = []
    for page in pages:
        row = rows.get(page.id)
        if row is None or content_key(row) != page.key:
            raise _Moved()
        inputs.append(
            {
                "slug": row["slug"],
                "path": row["path"],
                "name": row["name"],
                "purpose": row["purpose"],
                "html": row["html"],
            }
        )
    return inputs


async def _write_cache(scope: Scope, project_id: UUID, pages: Sequence[_Page]) -> None:
    """One batch's rows, in a transaction of their own: a cache changes no result, and rows kept
    from a run stopped by its time limit or a conflict are the next run's head start."""
    try:
        async with scope.db.transaction() as conn:
            await conn.execute(
                _CACHE_WRITE,
                project_id,
                [p.id for p in pages],
                [p.key for p in pages],
                [p.seeds for p in pages],
                [p.findings for p in pages],
            )
    except asyncpg.ForeignKeyViolationError:  # a page was deleted meanwhile
        raise _Moved() from None


def _batches(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + BATCH_PAGES] for i in range(0, len(items), BATCH_PAGES)]


async def _in_batches(
    items: list[Any], work: Callable[[list[Any]], Awaitable[None]], budget: _Budget, pages: int
) -> None:
    """`work` over batches of `items`, as many at once as there are compute workers."""
    slots = asyncio.Semaphore(compute.pool().limits.workers)

    async def one(batch: list[Any]) -> None:
        async with slots:
            budget.check(pages)
            await work(batch)

    try:
        async with asyncio.TaskGroup() as group:
            for batch in _batches(items):
                group.create_task(one(batch))
    except BaseExceptionGroup as failed:  # the first failure; the other batches were cancelled
        raise failed.exceptions[0] from None


def _too_big_hint(pages: Sequence[_Page]) -> str:
    slugs = ", ".join(p.slug for p in pages[:5]) + (", ..." if len(pages) > 5 else "")
    return (
        f"One of the pages {slugs} has a mockup too large or too deeply nested to read; shorten it, or "
        f"delete pages whose mockups need no data model."
    )


async def _bring_up_to_date(scope: Scope, project_id: UUID, state: _State, budget: _Budget) -> None:
    """Seeds and findings for every page, current for the project as it is now (the cache's
    rows are reused; the rest is computed in the worker pool and written to the cache)."""
    pages = state.pages
    unseeded = [p for p in pages if p.seeds is None]
    budget.total += len(unseeded)

    async def seed(batch: list[_Page]) -> None:
        inputs = await _page_inputs(scope, project_id, batch)
        texts = await run_cpu(entity_batches.seed_pages, inputs, timeout=BATCH_TIMEOUT_S, hint=_too_big_hint(batch))
        for page, text in zip(batch, texts, strict=True):
            page.seeds, page.findings = text, None
        await _write_cache(scope, project_id, batch)
        await budget.advance(len(batch), "Reading pages")

    await _in_batches(unseeded, seed, budget, len(pages))
    for _ in range(len(entity_analysis.READ_STAGES) + 1):
        todo = await run_cpu(
            entity_batches.plan_reads,
            [p.seeds for p in pages],
            [p.findings for p in pages],
            state.features,
            timeout=BATCH_TIMEOUT_S,
        )
        if not todo:
            return
        budget.total += len(todo)

        async def read(batch: list[tuple[_Page, list[list[str]]]]) -> None:
            chosen = [page for page, _ in batch]
            inputs = await _page_inputs(scope, project_id, chosen)
            texts = await run_cpu(
                entity_batches.read_pages,
                inputs,
                [known for _, known in batch],
                timeout=BATCH_TIMEOUT_S,
                hint=_too_big_hint(chosen),
            )
            for page, text in zip(chosen, texts, strict=True):
                page.findings = text
            await _write_cache(scope, project_id, chosen)
            await budget.advance(len(batch), "Inferring entities")

        await _in_batches([(pages[i], known) for i, known in sorted(todo.items())], read, budget, len(pages))
    raise RuntimeError("entity inference did not settle")  # cannot happen: see pages_to_read


async def _apply(
    scope: Scope, project_id: UUID, state: _State, merged: dict[str, Any]
) -> tuple[list[str], list[str]] | None:
    """Write the merged entities in one short transaction, or None when something moved since
    `state` was read (pages, features or stored entities)."""
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        versions = [
            (r["id"], (r["page_version"], r["mockup_version"])) for r in await conn.fetch(_VERSIONS, project_id)
        ]
        if versions != [(p.id, p.versions) for p in state.pages]:
            return None
        if [dict(r) for r in await conn.fetch(_FEATURES, project_id)] != state.features:
            return None
        # Locked: an edit in flight finishes first, and is then seen here as a changed row version.
        current = await conn.fetch(
            "SELECT id, xmin::text AS version FROM inferred_entities WHERE project_id = $1 ORDER BY id FOR NO KEY UPDATE",
            project_id,
        )
        if [(r["id"], r["version"]) for r in current] != state.entities:
            return None
        created: list[str] = []
        updated: list[str] = []
        if merged["upserted"]:
            for r in await conn.fetch(_UPSERT, project_id, merged["upserts"]):
                (created if r["inserted"] else updated).append(r["entity_name"])
    return created, updated


async def infer_entities(
    scope: Scope, project_id: UUID, *, progress: Progress | None = None, time_limit: float = TIME_LIMIT_S
) -> dict[str, Any]:
    """Infer the project's entities and fold them into the stored ones (see the module's
    docstring). Returns the InferenceResult fields."""
    budget = _Budget(time_limit, progress)
    for _ in range(ATTEMPTS):
        state = await _read_state(scope, project_id)
        try:
            await _bring_up_to_date(scope, project_id, state, budget)
        except _Moved:
            continue
        merged = await run_cpu(
            entity_batches.assemble_and_merge,
            [p.findings for p in state.pages],
            state.features,
            state.entity_rows,
            timeout=BATCH_TIMEOUT_S,
            hint="The project has too many pages to assemble its entities at once.",
        )
        applied = await _apply(scope, project_id, state, merged)
        if applied is not None:
            created, updated = applied
            return {
                "created": sorted(created),
                "updated": sorted(updated),
                "unchanged": merged["unchanged"],
                "protected": merged["protected"],
                "pages_read": len(state.pages),
                "features_read": len(state.features),
            }
    raise Conflict(
        f"The project's pages, features or entities kept changing while entities were inferred "
        f"({ATTEMPTS} tries); nothing was changed. Call infer_entities again when the edits have settled."
    )
