"""Mockups: numbered HTML/CSS/JS versions of a page.

Numbering is the database's (migration 0010): an INSERT that leaves `version` out gets the page's
next number from its counter (`pages.last_mockup_version`), so concurrent saves on one page get
1, 2, 3 ... with no duplicate, and a deleted version's number is never given out again. Deleting
the current version makes the version it was built on current (its `parent_mockup_id`), for any
writer. A save moves the page's `current_mockup_id` to the new version (unless told not to) and a
`draft` page becomes `designed`. Every save runs the deterministic extraction
(analysis/extraction/) and stores what the mockup uses in `extracted_patterns`,
`responsive_rules` and `interactions`.

Size limits (bytes of UTF-8): HTML 1 MiB, CSS 512 KiB, JavaScript 512 KiB. Text with NUL bytes,
unpaired surrogates or mostly control characters is refused as binary data. A refused save
stores nothing.

Mockup content is untrusted: it goes back to a model inside a <user-content> block.
"""

from __future__ import annotations

import asyncio
import difflib
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import asyncpg
from pydantic import BaseModel, Field

from ..analysis.extraction import extract_mockup
from ..analysis.extraction.results import diff_patterns
from ..compute import WorkTooBig, run_cpu_if
from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import set_clause
from ..errors import InvalidInput, NotFound
from ..untrusted import Untrusted, UntrustedJson
from .pages import (
    PAGE_COLUMNS,
    Page,
    free_slug,
    page_not_found,
    page_of_row,
    parent_not_found,
    path_taken,
    require_page,
    slug_taken,
)
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, encode_cursor
from .projects import project_not_found
from .scope import Scope, owned_by
from .text import slugify

log = logging.getLogger(__name__)

CHANGED_BY = ("user", "ai", "wizard")
ChangedBy = Literal["user", "ai", "wizard"]

HTML_LIMIT = 1024 * 1024
CSS_LIMIT = 512 * 1024
JS_LIMIT = 512 * 1024
# Extracting or diffing a large page takes tens of milliseconds: off the event loop above this size
# (extraction in the compute pool, a diff in a thread).
_OFF_LOOP_CHARS = 64 * 1024
# Each part of a diff is cut at this many characters (the result says so).
DIFF_LIMIT = 200_000

ChangeDescription = Annotated[
    str,
    Field(max_length=5000, description="What changed in this version and why, e.g. 'Bigger call-to-action button'."),
]

register_constraint_messages(
    {
        "valid_changed_by": ("changed_by", f"must be one of {', '.join(CHANGED_BY)}."),
        "valid_mockup_version": ("version", "versions start at 1 and are numbered by the server."),
        "mockups_parent_fkey": ("parent_version", "the parent must be a version of the same page."),
        "mockups_page_project_fkey": ("page_id", "the mockup must belong to a page of the same project."),
    }
)


class Mockup(BaseModel):
    id: UUID
    page_id: UUID
    project_id: UUID
    version: int
    is_current: bool
    # Content travels inside <user-content> blocks (data, not instructions); null unless asked for.
    html_content: Untrusted | None = None
    css_content: Untrusted | None = None
    javascript_content: Untrusted | None = None
    html_bytes: int
    css_bytes: int
    javascript_bytes: int
    extracted_patterns: dict[str, Any] | None = None
    responsive_rules: dict[str, Any] | None = None
    interactions: list[Any] | None = None
    change_description: Untrusted | None
    changed_by: str | None
    parent_mockup_id: UUID | None
    parent_version: int | None
    user_feedback: UntrustedJson
    ai_notes: UntrustedJson
    created_at: datetime


class MockupList(Paged[Mockup]):
    pass


class PageWithMockup(Page):
    current_mockup: Mockup | None = None


class DeletedMockup(BaseModel):
    id: UUID
    page_id: UUID
    version: int
    current_mockup_id: UUID | None
    current_version: int | None


class LineCounts(BaseModel):
    added: int
    removed: int


class MockupRef(BaseModel):
    id: UUID
    page_id: UUID
    version: int


class MockupDiff(BaseModel):
    from_mockup: MockupRef
    to_mockup: MockupRef
    # Unified diffs inside <user-content> blocks; null when that part is identical.
    html_diff: Untrusted | None
    css_diff: Untrusted | None
    javascript_diff: Untrusted | None
    lines: dict[str, LineCounts]
    pattern_changes: dict[str, Any]
    truncated: bool = Field(description=f"A diff was cut at {DIFF_LIMIT:,} characters.")


# -- content checks and extraction -------------------------------------------------------------


@dataclass(frozen=True)
class PreparedContent:
    html: str
    css: str | None
    javascript: str | None
    extraction: Mapping[str, Any]


def _size_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def _check_text(field: str, text: str, limit: int) -> None:
    if "\x00" in text:
        raise InvalidInput(
            field,
            "contains NUL bytes: it looks like binary data, not source text. Send the "
            "source as plain UTF-8 text. Nothing was saved.",
        )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInput(
            field,
            "is not valid text (it has unpaired surrogate code points, typical of binary data "
            "decoded as text). Send the source as plain UTF-8 text. Nothing was saved.",
        ) from None
    if size > limit:
        raise InvalidInput(
            field,
            f"is {size:,} bytes; the limit is {limit:,} bytes ({_size_text(limit)}). Move "
            f"inline images or data URIs out, or split the page into components. Nothing was saved.",
        )
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    if controls >= 8 and controls * 100 > len(text):
        raise InvalidInput(
            field,
            f"has {controls:,} control or replacement characters: it looks like binary data, "
            f"not source text. Nothing was saved.",
        )


def _extract(html: str, css: str | None) -> Mapping[str, Any]:  # a MockupExtraction, or the failure marker
    try:
        return extract_mockup(html, css)
    except Exception:  # extraction must never block saving a mockup
        log.exception("mockup extraction failed; the version is saved without extracted patterns")
        return _extraction_failed()


def _extraction_failed() -> dict[str, Any]:
    return {"extracted_patterns": {"extraction_failed": True}, "responsive_rules": {}, "interactions": []}


async def prepare_content(html: str, css: str | None, javascript: str | None) -> PreparedContent:
    """Check sizes and text, then run the extraction (before any transaction is opened)."""
    if not html.strip():
        raise InvalidInput("html_content", "is empty; a mockup needs its HTML. Nothing was saved.")
    _check_text("html_content", html, HTML_LIMIT)
    if css is not None:
        _check_text("css_content", css, CSS_LIMIT)
    if javascript is not None:
        _check_text("javascript_content", javascript, JS_LIMIT)
    css = css or None
    javascript = javascript or None
    try:  # a big page in the compute pool: seconds of pure Python that must not stall other calls
        extraction = await run_cpu_if(len(html) + len(css or "") > _OFF_LOOP_CHARS, _extract, html, css, timeout=30)
    except WorkTooBig:  # extraction must never block saving a mockup
        log.warning("mockup extraction ran past its limits; the version is saved without extracted patterns")
        extraction = _extraction_failed()
    return PreparedContent(html, css, javascript, extraction)


# -- reading -----------------------------------------------------------------------------------

# A mockup's columns as (expression, name): `m` is the mockup, `par` its parent, `pg` its page.
_BASE_COLUMNS = (
    ("m.id", "id"),
    ("m.page_id", "page_id"),
    ("m.project_id", "project_id"),
    ("m.version", "version"),
    ("m.change_description", "change_description"),
    ("m.changed_by", "changed_by"),
    ("m.parent_mockup_id", "parent_mockup_id"),
    ("par.version", "parent_version"),
    ("m.user_feedback", "user_feedback"),
    ("m.ai_notes", "ai_notes"),
    ("m.created_at", "created_at"),
    ("octet_length(m.html_content)", "html_bytes"),
    ("coalesce(octet_length(m.css_content), 0)", "css_bytes"),
    ("coalesce(octet_length(m.javascript_content), 0)", "javascript_bytes"),
    ("coalesce(pg.current_mockup_id = m.id, false)", "is_current"),
)
_CONTENT_COLUMNS = (
    ("m.html_content", "html_content"),
    ("m.css_content", "css_content"),
    ("m.javascript_content", "javascript_content"),
)
_ANALYSIS_COLUMNS = (
    ("m.extracted_patterns", "extracted_patterns"),
    ("m.responsive_rules", "responsive_rules"),
    ("m.interactions", "interactions"),
)
_FROM = """FROM mockups m JOIN pages pg ON pg.id = m.page_id JOIN projects pr ON pr.id = m.project_id
    LEFT JOIN mockups par ON par.id = m.parent_mockup_id"""
# Where a mockup's columns sit beside its page's (`pg.*`) in one row, they carry this prefix.
_BESIDE_PAGE = "m_"


def _columns(content: bool, analysis: bool, prefix: str = "") -> str:
    chosen = _BASE_COLUMNS + (_CONTENT_COLUMNS if content else ()) + (_ANALYSIS_COLUMNS if analysis else ())
    return ", ".join(f"{expression} AS {prefix}{name}" for expression, name in chosen)


def _select(content: bool, analysis: bool) -> str:
    return f"SELECT {_columns(content, analysis)} {_FROM}"


def mockup_of_row(row: Any, prefix: str = "") -> Mockup:
    """The mockup in a row; `prefix` for one read beside its page (see `_BESIDE_PAGE`)."""
    names = set(row.keys())  # an asyncpg Record iterates its values, not its column names
    keys = {k.removeprefix(prefix) for k in names if k.startswith(prefix)}
    data: dict[str, Any] = {k: row[prefix + k] for k in Mockup.model_fields if k in keys}
    data["user_feedback"] = data["user_feedback"] or {}
    data["ai_notes"] = data["ai_notes"] or {}
    if "extracted_patterns" in keys:
        data["extracted_patterns"] = data["extracted_patterns"] or {}
        data["responsive_rules"] = data["responsive_rules"] or {}
        data["interactions"] = data["interactions"] or []
    return Mockup(**data)


_MOCKUP_HINT = "Call list_mockups with the page id to see its versions."


async def _fetch_mockup(
    conn: ReadConnection,
    scope: Scope,
    mockup_id: UUID,
    *,
    field: str = "mockup_id",
    content: bool = True,
    analysis: bool = True,
    project_id: UUID | None = None,
) -> Any:
    row = await conn.fetchrow(
        f"""{_select(content, analysis)} WHERE m.id = $1 AND {owned_by(2, "pr.user_id")}
                                  AND ($3::uuid IS NULL OR m.project_id = $3)""",
        mockup_id,
        scope.actor.owner_id,
        project_id,
    )
    if row is None:
        raise NotFound("mockup", mockup_id, field=field, hint=_MOCKUP_HINT)
    return row


async def _mockup_id_of_version(
    conn: ReadConnection, scope: Scope, page_id: UUID, version: int, *, field: str = "version"
) -> UUID:
    """The id of a page's version; NotFound for an unknown page, InvalidInput for an unknown version."""
    await require_page(conn, scope.actor, page_id)
    found: UUID | None = await conn.fetchval(
        "SELECT id FROM mockups WHERE page_id = $1 AND version = $2", page_id, version
    )
    if found is None:
        raise InvalidInput(field, f"the page has no version {version}; {await _versions_of(conn, page_id)}")
    return found


async def _versions_of(conn: ReadConnection, page_id: UUID) -> str:
    """The page's version numbers, as a sentence for an error."""
    return _versions_text(
        await conn.fetchval("SELECT array_agg(version ORDER BY version) FROM mockups WHERE page_id = $1", page_id)
    )


def _versions_text(versions: list[int] | None) -> str:
    if not versions:
        return "it has no mockups yet (create one with create_mockup_version)."
    if versions == list(range(versions[0], versions[-1] + 1)):
        return (
            f"its versions are {versions[0]}..{versions[-1]}."
            if len(versions) > 1
            else f"its only version is {versions[0]}."
        )
    return f"its versions are {', '.join(map(str, versions[-20:]))}."


def _resolve_target(mockup_id: UUID | None, page_id: UUID | None, version: int | None) -> None:
    if mockup_id is None and (page_id is None or version is None):
        raise InvalidInput("mockup_id", "pass mockup_id, or page_id together with version.")
    if mockup_id is not None and (page_id is not None or version is not None):
        raise InvalidInput("mockup_id", "pass either mockup_id or page_id with version, not both.")


async def get_mockup(
    scope: Scope,
    *,
    mockup_id: UUID | None = None,
    page_id: UUID | None = None,
    version: int | None = None,
    include_content: bool = True,
    include_analysis: bool = False,
    project_id: UUID | None = None,
) -> Mockup:
    """One version, by id or by page and version number; with `project_id` (a resource URI's
    project), only if it is that project's."""
    _resolve_target(mockup_id, page_id, version)
    if mockup_id is None:
        assert page_id is not None and version is not None  # _resolve_target checked
        async with scope.db.snapshot() as conn:
            found = await _mockup_id_of_version(conn, scope, page_id, version)
            return mockup_of_row(
                await _fetch_mockup(
                    conn, scope, found, content=include_content, analysis=include_analysis, project_id=project_id
                )
            )
    return mockup_of_row(
        await _fetch_mockup(
            scope.db, scope, mockup_id, content=include_content, analysis=include_analysis, project_id=project_id
        )
    )


async def current_mockup(conn: ReadConnection, scope: Scope, page_row: Any, *, content: bool = True) -> Mockup | None:
    if page_row["current_mockup_id"] is None:
        return None
    return mockup_of_row(
        await _fetch_mockup(conn, scope, page_row["current_mockup_id"], content=content, analysis=content)
    )


async def read_page_with_mockup(
    scope: Scope, page_id: UUID, include_current_mockup: bool, *, project_id: UUID | None = None
) -> PageWithMockup:
    """The page by id (with `project_id`, only if it is that project's), and its current mockup
    with content and analysis when asked: one round trip for both, the owner check included."""
    row = await scope.db.fetchrow(
        f"""SELECT pg.*, {_columns(True, True, _BESIDE_PAGE)}
            FROM pages pg JOIN projects pr ON pr.id = pg.project_id
            LEFT JOIN mockups m ON $4 AND m.id = pg.current_mockup_id AND m.page_id = pg.id
            LEFT JOIN mockups par ON par.id = m.parent_mockup_id
            WHERE pg.id = $1 AND {owned_by(2, "pr.user_id")} AND ($3::uuid IS NULL OR pg.project_id = $3)""",
        page_id,
        scope.actor.owner_id,
        project_id,
        include_current_mockup,
    )
    if row is None:
        raise page_not_found(page_id)
    detail = page_of_row(row, PageWithMockup)
    if row[_BESIDE_PAGE + "id"] is not None:
        detail.current_mockup = mockup_of_row(row, _BESIDE_PAGE)
    return detail


async def get_page_with_mockup(scope: Scope, page: Page, include_current_mockup: bool) -> PageWithMockup:
    """A page already read, with its current mockup when asked (a page found by path or slug)."""
    detail = PageWithMockup(**page.model_dump())
    if include_current_mockup and page.current_mockup_id is not None:
        row = await scope.db.fetchrow(
            f"{_select(True, True)} WHERE m.id = $1 AND m.page_id = $2", page.current_mockup_id, page.id
        )
        detail.current_mockup = mockup_of_row(row) if row else None
    return detail


async def list_mockups(
    scope: Scope,
    page_id: UUID,
    *,
    changed_by: str | None = None,
    include_content: bool = False,
    include_analysis: bool = False,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> MockupList:
    await require_page(scope.db, scope.actor, page_id)
    after = decode_cursor(cursor, timestamp=False)
    if after is not None and not isinstance(after[0], int):
        raise InvalidInput(
            "cursor",
            "not a cursor this server issued; pass the next_cursor of the previous page, or omit it to start over.",
        )
    rows = await scope.db.fetch(
        f"""{_select(include_content, include_analysis)}
            WHERE m.page_id = $1 AND ($2::text IS NULL OR m.changed_by = $2)
              AND ($3::int IS NULL OR m.version < $3)
            ORDER BY m.version DESC LIMIT $4""",
        page_id,
        changed_by,
        after[0] if after else None,
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["version"], rows[-1]["id"]) if more and rows else None
    return MockupList(items=[mockup_of_row(r) for r in rows], next_cursor=next_cursor)


# -- writing -----------------------------------------------------------------------------------


# The columns a new mockup version is given (its id first; the rest follow from its page).
_MOCKUP_COLUMNS = (
    "id",
    "html_content",
    "css_content",
    "javascript_content",
    "responsive_rules",
    "extracted_patterns",
    "interactions",
    "change_description",
    "changed_by",
)


# create_mockup_version in one statement (one implicit transaction): the page's ownership and
# row lock (FOR UPDATE serialises the writers of its versions), the parent version, the page's
# new current mockup and status (before the insert: the numbering trigger then updates the same
# row, which a later part of the statement could not), and the mockup, numbered by the database.
# The page points at the new id before the row exists; the foreign key is checked at the end. No
# page, or no such parent version: nothing is written, and `owned` and `m_id` say which.
# A statement's snapshot is taken before it waits for the page's lock: if a concurrent save moved
# the page on meanwhile, its new current version (the default parent) is not visible here, and
# the statement writes nothing (`stale`); the call then runs it again behind the lock.
# $1 page, $2 owner, $3 parent_version, $4 make_current, $5... the mockup's columns (its id first),
# then user_feedback and ai_notes.
_NEW_VERSION_WRITES = f"""WITH page AS (
  SELECT pg.id, pg.project_id, pg.current_mockup_id, pg.status
    FROM pages pg JOIN projects pr ON pr.id = pg.project_id
   WHERE pg.id = $1 AND {owned_by(2, "pr.user_id")}
     FOR UPDATE OF pg
), par AS (
  SELECT m.id, m.version FROM page JOIN mockups m ON m.id = page.current_mockup_id WHERE $3::int IS NULL
  UNION ALL
  SELECT m.id, m.version FROM page JOIN mockups m ON m.page_id = page.id AND m.version = $3::int
), stale AS (
  SELECT $3::int IS NULL AND page.current_mockup_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM par) AS stale FROM page
), go AS (
  SELECT page.* FROM page
   WHERE CASE WHEN $3::int IS NULL THEN NOT (SELECT stale FROM stale) ELSE EXISTS (SELECT 1 FROM par) END
), moved AS (
  UPDATE pages
     SET current_mockup_id = CASE WHEN $4 THEN $5::uuid ELSE pages.current_mockup_id END,
         status = CASE WHEN pages.status IS NULL OR pages.status = 'draft' THEN 'designed' ELSE pages.status END
    FROM go
   WHERE pages.id = go.id AND ($4 OR go.status IS NULL OR go.status = 'draft')
  RETURNING pages.current_mockup_id
), m AS (
  INSERT INTO mockups (page_id, project_id, parent_mockup_id, {", ".join(_MOCKUP_COLUMNS)}, user_feedback, ai_notes)
  SELECT go.id, go.project_id, (SELECT id FROM par),
         {", ".join(f"${5 + i}" for i in range(len(_MOCKUP_COLUMNS)))},
         ${5 + len(_MOCKUP_COLUMNS)}, ${6 + len(_MOCKUP_COLUMNS)}
    FROM go LEFT JOIN moved ON TRUE
  RETURNING *
)"""


@functools.lru_cache(maxsize=2)
def _new_version_sql(return_content: bool) -> str:
    return f"""{_NEW_VERSION_WRITES}
SELECT EXISTS (SELECT 1 FROM page) AS owned, coalesce((SELECT stale FROM stale), FALSE) AS stale,
       {_columns(return_content, return_content, _BESIDE_PAGE)}
  FROM (SELECT coalesce((SELECT current_mockup_id FROM moved), (SELECT current_mockup_id FROM page))
          AS current_mockup_id) pg
  LEFT JOIN m ON TRUE LEFT JOIN par ON TRUE"""


def _mockup_values(
    mockup_id: UUID, content: PreparedContent, change_description: str | None, changed_by: str | None
) -> list[Any]:
    """The values of `_MOCKUP_COLUMNS` for a new version."""
    return [
        mockup_id,
        content.html,
        content.css,
        content.javascript,
        content.extraction["responsive_rules"],
        content.extraction["extracted_patterns"],
        content.extraction["interactions"],
        change_description,
        changed_by,
    ]


async def create_mockup_version(
    scope: Scope,
    page_id: UUID,
    content: PreparedContent,
    *,
    change_description: str | None,
    changed_by: str | None,
    parent_version: int | None,
    make_current: bool,
    user_feedback: dict[str, Any] | None,
    ai_notes: dict[str, Any] | None,
    return_content: bool = False,
) -> Mockup:
    """Save a version (built on `parent_version`, by default the current one) in one statement;
    the answer carries its content and analysis only with `return_content` (the caller just wrote
    the content: echoing it back costs a model its size again)."""
    sql = _new_version_sql(return_content)
    args = [
        page_id,
        scope.actor.owner_id,
        parent_version,
        make_current,
        *_mockup_values(uuid4(), content, change_description, changed_by),
        user_feedback or {},
        ai_notes or {},
    ]
    row = (await scope.db.write(sql, *args))[0]
    if row["stale"]:  # behind the lock, this transaction's statement sees the latest version
        async with scope.db.transaction() as conn:
            await conn.execute(
                f"""SELECT 1 FROM pages pg JOIN projects pr ON pr.id = pg.project_id
                     WHERE pg.id = $1 AND {owned_by(2, "pr.user_id")} FOR UPDATE OF pg""",
                page_id,
                scope.actor.owner_id,
            )
            row = (await conn.fetch(sql, *args))[0]
    if not row["owned"]:
        raise page_not_found(page_id)
    if row[_BESIDE_PAGE + "id"] is None:  # the parent version named is not the page's
        raise InvalidInput(
            "parent_version",
            f"the page has no version {parent_version}; {await _versions_of(scope.db, page_id)} "
            f"Leave parent_version out to build on the current version.",
        )
    return mockup_of_row(row, _BESIDE_PAGE)


async def set_current_mockup(
    scope: Scope, *, mockup_id: UUID | None = None, page_id: UUID | None = None, version: int | None = None
) -> PageWithMockup:
    _resolve_target(mockup_id, page_id, version)
    async with scope.db.transaction() as conn:
        if mockup_id is None:
            assert page_id is not None and version is not None  # _resolve_target checked
            await require_page(conn, scope.actor, page_id, lock="UPDATE")
            mockup_id = await _mockup_id_of_version(conn, scope, page_id, version)
        else:
            row = await _fetch_mockup(conn, scope, mockup_id, content=False, analysis=False)
            page_id = row["page_id"]
            await require_page(conn, scope.actor, page_id, lock="UPDATE")
        page = await conn.fetchrow(
            "UPDATE pages SET current_mockup_id = $2 WHERE id = $1 RETURNING *", page_id, mockup_id
        )
        detail = PageWithMockup(**page_of_row(page).model_dump())
        detail.current_mockup = mockup_of_row(await _fetch_mockup(conn, scope, mockup_id, content=False))
        return detail


async def update_mockup(scope: Scope, mockup_id: UUID, changes: dict[str, Any]) -> Mockup:
    async with scope.db.transaction() as conn:
        await _fetch_mockup(conn, scope, mockup_id, content=False, analysis=False)
        if changes:
            assignments, values = set_clause(changes, 2)
            await conn.execute(f"UPDATE mockups SET {assignments} WHERE id = $1", mockup_id, *values)
        return mockup_of_row(await _fetch_mockup(conn, scope, mockup_id, content=False))


async def delete_mockup(scope: Scope, mockup_id: UUID) -> DeletedMockup:
    """Delete one version. If it was current, the database makes the version it was built on
    current (migration 0010), and the answer says which."""
    async with scope.db.transaction() as conn:
        row = await _fetch_mockup(conn, scope, mockup_id, content=False, analysis=False)
        page = await require_page(conn, scope.actor, row["page_id"], lock="UPDATE")
        await conn.execute("DELETE FROM mockups WHERE id = $1", mockup_id)
        current = await conn.fetchrow(
            """SELECT pg.current_mockup_id, m.version FROM pages pg LEFT JOIN mockups m ON m.id = pg.current_mockup_id
               WHERE pg.id = $1""",
            page["id"],
        )
    return DeletedMockup(
        id=mockup_id,
        page_id=row["page_id"],
        version=row["version"],
        current_mockup_id=current["current_mockup_id"],
        current_version=current["version"],
    )


# -- diff --------------------------------------------------------------------------------------


def _unified(
    old: str | None, new: str | None, name: str, old_version: int, new_version: int
) -> tuple[str | None, LineCounts, bool]:
    old_lines = (old or "").splitlines(keepends=True)
    new_lines = (new or "").splitlines(keepends=True)
    if old_lines == new_lines:
        return None, LineCounts(added=0, removed=0), False
    lines = list(
        difflib.unified_diff(
            old_lines, new_lines, fromfile=f"v{old_version}/{name}", tofile=f"v{new_version}/{name}", n=3
        )
    )
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    truncated = len(text) > DIFF_LIMIT
    if truncated:
        text = text[:DIFF_LIMIT] + "\n... (diff cut here)\n"
    return text, LineCounts(added=added, removed=removed), truncated


def _diff(old: Any, new: Any) -> MockupDiff:
    parts: dict[str, str | None] = {}
    counts: dict[str, LineCounts] = {}
    truncated = False
    for key, column, name in (
        ("html", "html_content", "index.html"),
        ("css", "css_content", "styles.css"),
        ("javascript", "javascript_content", "script.js"),
    ):
        text, lines, cut = _unified(old[column], new[column], name, old["version"], new["version"])
        parts[key] = text
        counts[key] = lines
        truncated = truncated or cut
    return MockupDiff(
        from_mockup=MockupRef(id=old["id"], page_id=old["page_id"], version=old["version"]),
        to_mockup=MockupRef(id=new["id"], page_id=new["page_id"], version=new["version"]),
        html_diff=parts["html"],
        css_diff=parts["css"],
        javascript_diff=parts["javascript"],
        lines=counts,
        pattern_changes=diff_patterns(old["extracted_patterns"] or {}, new["extracted_patterns"] or {}),
        truncated=truncated,
    )


async def resolve_pair(
    conn: ReadConnection,
    scope: Scope,
    *,
    from_mockup_id: UUID | None = None,
    to_mockup_id: UUID | None = None,
    page_id: UUID | None = None,
    from_version: int | None = None,
    to_version: int | None = None,
) -> tuple[UUID, UUID]:
    """The two mockups a comparison names: both ids, or a page with versions (by default its
    current version and the one that version built on). Checks the arguments and the page's
    ownership; the mockups' own ownership is checked when they are read."""
    by_id = from_mockup_id is not None or to_mockup_id is not None
    if by_id and (page_id is not None or from_version is not None or to_version is not None):
        raise InvalidInput(
            "page_id", "pass either from_mockup_id and to_mockup_id, or page_id with versions, not both."
        )
    if by_id and (from_mockup_id is None or to_mockup_id is None):
        raise InvalidInput(
            "to_mockup_id" if to_mockup_id is None else "from_mockup_id",
            "pass both from_mockup_id and to_mockup_id (or page_id with versions).",
        )
    if by_id:
        assert from_mockup_id is not None and to_mockup_id is not None  # checked just above
        return from_mockup_id, to_mockup_id
    if page_id is None:
        raise InvalidInput(
            "page_id",
            "pass page_id (with from_version/to_version, or neither to compare the current "
            "version with its parent), or from_mockup_id and to_mockup_id.",
        )
    page = await require_page(conn, scope.actor, page_id)
    if to_version is None:
        if page["current_mockup_id"] is None:
            raise InvalidInput("to_version", "the page has no current mockup; pass to_version.")
        to_mockup_id = page["current_mockup_id"]
    else:
        to_mockup_id = await _mockup_id_of_version(conn, scope, page_id, to_version, field="to_version")
    if from_version is None:
        target = await conn.fetchrow("SELECT version, parent_mockup_id FROM mockups WHERE id = $1", to_mockup_id)
        assert target is not None  # to_mockup_id was found on this page above
        from_mockup_id = target["parent_mockup_id"] or await conn.fetchval(
            "SELECT id FROM mockups WHERE page_id = $1 AND version < $2 ORDER BY version DESC LIMIT 1",
            page_id,
            target["version"],
        )
        if from_mockup_id is None:
            raise InvalidInput(
                "from_version",
                f"version {target['version']} is the page's first; there is "
                f"nothing earlier to compare it with. Pass from_version.",
            )
    else:
        from_mockup_id = await _mockup_id_of_version(conn, scope, page_id, from_version, field="from_version")
    return from_mockup_id, to_mockup_id


async def diff_mockups(
    scope: Scope,
    *,
    from_mockup_id: UUID | None = None,
    to_mockup_id: UUID | None = None,
    page_id: UUID | None = None,
    from_version: int | None = None,
    to_version: int | None = None,
) -> MockupDiff:
    async with scope.db.snapshot() as conn:
        from_mockup_id, to_mockup_id = await resolve_pair(
            conn,
            scope,
            from_mockup_id=from_mockup_id,
            to_mockup_id=to_mockup_id,
            page_id=page_id,
            from_version=from_version,
            to_version=to_version,
        )
        old = await _fetch_mockup(conn, scope, from_mockup_id, field="from_mockup_id")
        new = await _fetch_mockup(conn, scope, to_mockup_id, field="to_mockup_id")
    size = sum(len(old[c] or "") + len(new[c] or "") for c in ("html_content", "css_content", "javascript_content"))
    if size > _OFF_LOOP_CHARS:
        return await asyncio.to_thread(_diff, old, new)
    return _diff(old, new)


# create_page in one statement (and so one implicit transaction): the project's ownership, the
# page's rules the answer explains (slug and path free, the parent a page of the project) and the
# writes - the page, its mockup version 1, the page's current mockup - together. The page row is
# inserted already pointing at its first mockup (the foreign key is deferred to the end of the
# statement), so no UPDATE of a row inserted in the same statement is needed; the database's
# numbering trigger gives the mockup its version. When a rule does not hold nothing is inserted,
# and the `checks` columns say which one failed. The project is share-locked: a concurrent delete
# waits, or this statement sees the project gone; and a call serialised behind the project's
# exclusive lock (below) waits until no statement of this kind is in flight.
_NEW_PAGE_CHECKS = f"""project AS (
  SELECT id FROM projects WHERE id = $1 AND {owned_by(2)} FOR SHARE
), checks AS (
  SELECT EXISTS (SELECT 1 FROM project) AS owned,
         EXISTS (SELECT 1 FROM pages WHERE project_id = $1 AND slug = $3) AS slug_taken,
         (SELECT name FROM pages WHERE project_id = $1 AND path = $4 LIMIT 1) AS path_taken_by,
         ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM pages WHERE id = $5 AND project_id = $1)) AS parent_ok
)"""
# $1 project, $2 owner, $3 slug, $4 path, $5 parent, then the page's other columns, then the mockup's.
_PAGE_FIXED = ("slug", "path", "parent_id")


@functools.lru_cache(maxsize=256)
def _new_page_sql(columns: tuple[str, ...], with_mockup: bool, return_content: bool) -> str:
    """The statement for a page with these other `columns` (those after $5)."""
    page_columns = ", ".join(("project_id", *_PAGE_FIXED, *columns))
    page_values = ", ".join(("project.id", "$3", "$4", "$5", *(f"${6 + i}" for i in range(len(columns)))))
    sql = f"""WITH {_NEW_PAGE_CHECKS}, page AS (
  INSERT INTO pages ({page_columns})
  SELECT {page_values} FROM project, checks
   WHERE NOT checks.slug_taken AND checks.path_taken_by IS NULL AND checks.parent_ok
  RETURNING {PAGE_COLUMNS}
)"""
    if not with_mockup:
        return sql + " SELECT checks.*, pg.* FROM checks LEFT JOIN page pg ON TRUE"
    first = 6 + len(columns)
    mockup_values = ", ".join(f"${first + i}" for i in range(len(_MOCKUP_COLUMNS)))
    return (
        sql
        + f""", mockup AS (
  INSERT INTO mockups (page_id, project_id, {", ".join(_MOCKUP_COLUMNS)}, user_feedback, ai_notes)
  SELECT page.id, page.project_id, {mockup_values}, '{{}}', '{{}}' FROM page
  RETURNING *
) SELECT checks.*, pg.*, {_columns(return_content, return_content, _BESIDE_PAGE)}
    FROM checks LEFT JOIN page pg ON TRUE LEFT JOIN mockup m ON TRUE
    LEFT JOIN mockups par ON par.id = m.parent_mockup_id"""
    )


# A concurrent call may take the slug or path between this call's check and its insert: the
# unique key refuses it, and the call runs again serialised behind the project's row lock, as
# every create_page did before (its statement, run after the lock, sees the other page).
_RACED = ("pages_project_slug_key", "pages_project_id_path_key")


async def create_page(
    scope: Scope,
    project_id: UUID,
    values: dict[str, Any],
    first_mockup: dict[str, Any] | None = None,
    *,
    return_content: bool = False,
) -> PageWithMockup:
    """The seed's "Creating a New Page" in one statement: the page, optionally its mockup version
    1, and `current_mockup_id` pointing at it (the page is then `designed`), all or nothing.
    `first_mockup` carries `content` (a PreparedContent) plus `change_description`/`changed_by`;
    the answer includes the mockup's content and analysis only with `return_content`.

    Refusals are explained in the order the rules were checked in before: the project, the slug
    (a derived one that is taken becomes the next free one), the parent, the path. Pages created
    at the same moment with the same name get distinct slugs, as before."""
    values = dict(values)
    slug_given = bool(values.get("slug"))
    if not slug_given:
        values["slug"] = slugify(values["name"], fallback="page")
    mockup_args: list[Any] = []
    if first_mockup is not None:
        content: PreparedContent = first_mockup["content"]
        mockup_id = uuid4()
        values["current_mockup_id"] = mockup_id
        if values.get("status") in (None, "draft"):
            values["status"] = "designed"
        mockup_args = _mockup_values(
            mockup_id,
            content,
            first_mockup.get("change_description") or "First version",
            first_mockup.get("changed_by"),
        )
    columns = tuple(c for c in values if c not in _PAGE_FIXED)
    sql = _new_page_sql(columns, first_mockup is not None, return_content)

    def args() -> list[Any]:
        fixed = [project_id, scope.actor.owner_id, values["slug"], values.get("path"), values.get("parent_id")]
        return [*fixed, *(values[c] for c in columns), *mockup_args]

    row = None
    for _ in range(2):  # a derived slug that is taken: once more with the next free one
        try:
            row = (await scope.db.write(sql, *args()))[0]
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name not in _RACED:
                raise
            row = None  # a concurrent call took the slug or path after this one's check
            break
        if row["id"] is not None or not row["slug_taken"] or slug_given:
            break
        values["slug"] = await free_slug(scope.db, project_id, values["name"])
        row = None
    if row is None:  # serialised, as every create_page was before: lock, a free slug, the statement
        async with scope.db.transaction() as conn:
            await conn.execute(
                f"SELECT 1 FROM projects WHERE id = $1 AND {owned_by(2)} FOR NO KEY UPDATE",
                project_id,
                scope.actor.owner_id,
            )
            if not slug_given:
                values["slug"] = await free_slug(conn, project_id, values["name"])
            row = (await conn.fetch(sql, *args()))[0]
    if row["id"] is not None:
        detail = page_of_row(row, PageWithMockup)
        if first_mockup is not None:
            detail.current_mockup = mockup_of_row(row, _BESIDE_PAGE)
        return detail
    if not row["owned"]:
        raise project_not_found(project_id)
    if row["slug_taken"] and slug_given:
        raise slug_taken(values["slug"])
    if not row["parent_ok"]:
        raise parent_not_found(values["parent_id"])
    if row["path_taken_by"] is not None:
        raise path_taken(values["path"], row["path_taken_by"])
    raise slug_taken(values["slug"])  # derived, and taken again meanwhile by a writer outside the tools
