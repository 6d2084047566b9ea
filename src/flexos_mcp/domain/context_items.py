"""The context soup: screenshots, URLs, notes and files a user submitted as inspiration or
constraints, and where each one was used.

Everything in an item was written by a person or a web page, so the text travels back to a model
inside a <user-content> block (flexos_mcp/untrusted.py), never as instructions.

Files and screenshots arrive as bytes (base64, a path under a folder the user allowed, or a page
fetched at the user's request). Before anything is stored, the bytes are sniffed (the name is only
a hint; programs and unknown binaries are refused), held to the size limit, and analysed without a
model (analysis/context_content.py) — images are decoded in full, which is also the proof that they
are images. Only then, in the item's transaction, the bytes go into the content-addressed file
store (store/) and the item's `content_url` becomes the store's URI. A refused call stores nothing.
`content_url` otherwise takes only http(s) URLs, or a store URI of a file the user already has.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis.context_content import NotAnImage, analyse_bytes, analyse_item_text, image_for_model
from ..compute import run_cpu
from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import insert_statement, set_clause
from ..errors import FlexError, InvalidInput, quoted
from ..store import FILE_URL_PREFIX, FileStore, StoredFileMissing, digest_of_url, file_url, sha256_hex
from ..store.fetch import FetchLimits, fetch_url
from ..store.sniff import RefusedFile, Sniffed, sniff
from ..store.user_paths import read_allowed_file
from ..untrusted import Untrusted, UntrustedJson, UntrustedList
from .owned import RowLock, fetch_owned
from .paging import DEFAULT_LIMIT, Paged, decode_cursor, page_of
from .projects import require_project
from .scope import Actor, Scope, owned_by

ContextItemType = Literal["screenshot", "url", "text", "file", "mockup"]
CONTEXT_ITEM_TYPES = ("screenshot", "url", "text", "file", "mockup")
CONTEXT_HINT = "Call list_context_items to see the project's context items."
# referenced_in keeps the most recent uses; times_referenced counts them all.
MAX_REFERENCES_KEPT = 100
# Text longer than this is analysed in a compute worker, not on the event loop.
INLINE_ANALYSIS_CHARS = 20_000
ANALYSIS_TIMEOUT_S = 30
# Images shown to a model are scaled to at most this many pixels on their long side.
MODEL_IMAGE_SIDE = 1568
WEB_SCHEMES = ("http", "https")

register_constraint_messages(
    {
        "valid_context_item_type": ("item_type", f"must be one of {', '.join(CONTEXT_ITEM_TYPES)}."),
    }
)


def file_resource_uri(project_id: UUID, item_id: UUID) -> str:
    """The MCP resource that serves an item's stored bytes."""
    return f"flexos://projects/{project_id}/context-items/{item_id}/file"


class ContextItem(BaseModel):
    id: UUID
    project_id: UUID
    item_type: str
    content_url: Untrusted | None
    content_text: Untrusted | None = Field(
        description="User content, inside a <user-content> block; null in lists unless include_content."
    )
    content_length: int = Field(description="Characters of content_text as submitted.")
    content_metadata: UntrustedJson
    ai_analysis: UntrustedJson
    categories: list[Untrusted]
    tags: list[Untrusted]
    relevance_scores: dict[str, Any]
    times_referenced: int
    last_referenced_at: datetime | None
    referenced_in: UntrustedList = Field(description="The most recent uses: [{used_in, note, at}].")
    submitted_at: datetime | None
    submitted_context: Untrusted | None = Field(
        description="What the user said when submitting, inside a <user-content> block."
    )
    created_at: datetime
    file_resource: str | None = Field(
        None, description="When the item holds a stored file: the MCP resource with its bytes."
    )


class ContextItemList(Paged[ContextItem]):
    pass


class DeletedContextItem(BaseModel):
    id: UUID
    item_type: str
    deleted: bool = True


def context_item_of(row: Any, *, include_content: bool = True) -> ContextItem:
    text = row["content_text"]
    stored = digest_of_url(row["content_url"]) is not None
    return ContextItem(
        id=row["id"],
        project_id=row["project_id"],
        item_type=row["item_type"],
        content_url=row["content_url"],
        content_text=text if include_content else None,
        content_length=len(text or ""),
        content_metadata=row["content_metadata"] or {},
        ai_analysis=row["ai_analysis"] or {},
        categories=row["categories"] or [],
        tags=row["tags"] or [],
        relevance_scores=row["relevance_scores"] or {},
        times_referenced=row["times_referenced"] or 0,
        last_referenced_at=row["last_referenced_at"],
        referenced_in=row["referenced_in"] or [],
        submitted_at=row["submitted_at"],
        submitted_context=row["submitted_context"],
        created_at=row["created_at"],
        file_resource=file_resource_uri(row["project_id"], row["id"]) if stored else None,
    )


# --- files: where bytes come from, and what may be stored ------------------------------------------


@dataclass(frozen=True)
class FilePolicy:
    """What this server allows for files: the store, the size limit, the folders paths may name
    (none over HTTP), and whether pages may be fetched."""

    store: FileStore
    max_bytes: int
    roots: tuple[Path, ...] = ()
    paths_allowed: bool = False
    fetch: FetchLimits | None = None  # None: fetch_context_url is off


@dataclass(frozen=True)
class Upload:
    """A file the caller sent: base64 bytes or a path, and the name it goes by."""

    content_base64: str | None = None
    file_path: str | None = None
    file_name: str | None = None

    @property
    def given(self) -> bool:
        return self.content_base64 is not None or self.file_path is not None


@dataclass
class Accepted:
    """Bytes that passed every check, with their analysis, ready to store."""

    data: bytes
    sniffed: Sniffed
    name: str | None
    analysis: dict[str, Any]
    extra_metadata: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def digest(self) -> str:
        return sha256_hex(self.data)

    def file_metadata(self) -> dict[str, Any]:
        return {
            "sha256": self.digest,
            "bytes": len(self.data),
            "mime": self.sniffed.mime,
            "name": self.name,
            "name_matches_content": self.sniffed.name_matches,
            "extension": self.sniffed.extension,
        }


def _mb(size: int) -> str:
    return f"{size / 1048576:,.1f} MB"


def _decode_base64(text: str, max_bytes: int) -> bytes:
    if len(text) > (max_bytes + 2) // 3 * 4 + 16:
        raise InvalidInput(
            "content_base64",
            f"the file is larger than {_mb(max_bytes)}, the limit (setting "
            f"FLEXOS_MAX_FILE_MB). Send a smaller file. Nothing was saved.",
        )
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "content_base64",
            "is not valid base64 (standard alphabet A-Z a-z 0-9 + /, with = "
            "padding). Encode the file's bytes again. Nothing was saved.",
        ) from None
    if not data:
        raise InvalidInput("content_base64", "is empty; send the file's bytes. Nothing was saved.")
    if len(data) > max_bytes:
        raise InvalidInput(
            "content_base64",
            f"the file is {_mb(len(data))}; the limit is {_mb(max_bytes)} "
            f"(setting FLEXOS_MAX_FILE_MB). Nothing was saved.",
        )
    return data


def _read_upload(upload: Upload, policy: FilePolicy) -> tuple[bytes, str | None, str]:
    """(bytes, file name, the argument they came from)."""
    if upload.content_base64 is not None and upload.file_path is not None:
        raise InvalidInput("file_path", "give content_base64 or file_path, not both. Nothing was saved.")
    if upload.content_base64 is not None:
        return _decode_base64(upload.content_base64, policy.max_bytes), upload.file_name, "content_base64"
    assert upload.file_path is not None
    if not policy.paths_allowed:
        raise InvalidInput(
            "file_path",
            "files are read by path only on a local (stdio) server, from folders the "
            "user allowed; over HTTP, send the bytes as content_base64. Nothing was saved.",
        )
    data, name = read_allowed_file(upload.file_path, policy.roots, policy.max_bytes)
    return data, upload.file_name or name, "file_path"


# What each item type may hold as a file.
def _check_type_fits(item_type: str, sniffed: Sniffed, argument: str) -> None:
    what = f"the bytes are {sniffed.mime}"
    if item_type == "screenshot" and not sniffed.is_raster_image:
        raise InvalidInput(
            argument,
            f"a screenshot must be a PNG, JPEG, GIF or WebP image, but {what}. Send the "
            f"image itself, or use item_type file. Nothing was saved.",
        )
    if item_type == "mockup" and sniffed.mime != "text/html":
        raise InvalidInput(argument, f"a mockup item holds an HTML page, but {what}. Nothing was saved.")
    if item_type == "text" and not sniffed.is_text:
        raise InvalidInput(
            argument,
            f"a text item holds text (plain, Markdown, HTML, CSS, JSON), but {what}; "
            f"use item_type file or screenshot. Nothing was saved.",
        )
    if item_type == "url":
        raise InvalidInput(
            argument,
            "a url item is a web address (content_url); to keep a copy of a page, call "
            "fetch_context_url, or add the file with item_type file. Nothing was saved.",
        )


async def _analysed(data: bytes, sniffed: Sniffed, argument: str) -> dict[str, Any]:
    try:
        return await run_cpu(analyse_bytes, data, sniffed.mime, timeout=ANALYSIS_TIMEOUT_S, hint="Send a smaller file.")
    except NotAnImage as exc:
        raise InvalidInput(
            argument, f"{exc}; a file that claims to be an image must decode as one. Nothing was saved."
        ) from None


async def accept_upload(item_type: str, upload: Upload, policy: FilePolicy) -> Accepted:
    """Read, sniff, check and analyse an uploaded file; nothing is stored yet."""
    data, name, argument = _read_upload(upload, policy)
    try:
        sniffed = sniff(data, name)
    except RefusedFile as exc:
        raise InvalidInput(argument, f"{exc}. Nothing was saved.") from None
    _check_type_fits(item_type, sniffed, argument)
    return Accepted(data=data, sniffed=sniffed, name=name, analysis=await _analysed(data, sniffed, argument))


async def analyse_text_value(text: str) -> dict[str, Any]:
    if len(text) > INLINE_ANALYSIS_CHARS:
        return await run_cpu(analyse_item_text, text, timeout=ANALYSIS_TIMEOUT_S, hint="Send less text.")
    return analyse_item_text(text)


# --- URLs ------------------------------------------------------------------------------------------


def check_content_url(url: str) -> str:
    """A web URL (http/https) or a store URI; anything else is refused with the reason."""
    if any(ord(c) < 32 or c.isspace() for c in url):
        raise ValueError("contains spaces or control characters; give one URL, e.g. https://example.com/page")
    if url.startswith(FILE_URL_PREFIX):
        if digest_of_url(url) is None:
            raise ValueError(f"a FlexOS file URI is {FILE_URL_PREFIX}<64 lowercase hex digits>")
        return url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES:
        if not parts.hostname:
            raise ValueError(f"{quoted(url)} names no host; give e.g. https://example.com/page")
        return url
    reason = {
        "file": "file: URLs name files on a machine; FlexOS never reads them. Send the file's bytes as "
        "content_base64 (or, on a local server, file_path under a folder the user allowed)",
        "javascript": "javascript: URLs are code, not content",
        "data": "data: URLs carry content inline; send the bytes as content_base64 instead",
    }.get(scheme, f"{scheme + ':' if scheme else 'a URL without a scheme'} is not a web address")
    raise ValueError(f"{reason}. content_url takes only http:// and https:// URLs (or a FlexOS file URI)")


async def _require_known_store_uri(conn: ReadConnection, scope: Scope, url: str | None) -> None:
    """A store URI given by a caller must name a file one of their own items already holds. That
    item is locked (FOR KEY SHARE) until the new reference commits: deleted meanwhile, it could
    leave the file unreferenced for a moment, and a prune of the store (stored_files.py) could
    remove it, since no put freshened the file."""
    digest = digest_of_url(url)
    if digest is None:
        return
    known = await conn.fetchval(
        f"""SELECT 1 FROM user_context_items i JOIN projects p ON p.id = i.project_id
             WHERE i.content_url = $1 AND {owned_by(2, "p.user_id")} LIMIT 1 FOR KEY SHARE OF i""",
        url,
        scope.actor.owner_id,
    )
    if not known:
        assert url is not None  # digest_of_url found a digest in it
        raise InvalidInput(
            "content_url",
            f"{quoted(url)} names no file you have stored; add the file with "
            f"content_base64 instead. Nothing was saved.",
        )


# --- items -----------------------------------------------------------------------------------------


def _check_content(values: dict[str, Any], *, check_url: bool = True) -> None:
    if not values.get("content_url") and not values.get("content_text"):
        raise InvalidInput(
            "content_text",
            "give content_text (the text or extracted content), content_url "
            "(where the screenshot or page lives) or the file itself (content_base64); an item "
            "needs at least one. Nothing was saved.",
        )
    if values.get("item_type") == "url" and not values.get("content_url"):
        raise InvalidInput("content_url", "an item of type url needs content_url. Nothing was saved.")
    if check_url and values.get("content_url"):
        try:
            check_content_url(values["content_url"])
        except ValueError as exc:
            raise InvalidInput("content_url", f"{exc}. Nothing was saved.") from None


def _merged(
    values: dict[str, Any], analysis: dict[str, Any] | None, file_info: dict[str, Any] | None
) -> dict[str, Any]:
    """The automatic analysis fills what the caller left out: an `ai_analysis`, `content_text` or
    `content_metadata` the caller passed is stored as passed. The facts about stored bytes
    (`content_metadata.file`) are always added: the file resource and export rely on them."""
    merged = dict(values)
    if analysis:
        if not values.get("ai_analysis"):
            merged["ai_analysis"] = analysis["ai_analysis"]
        if not values.get("content_text") and analysis.get("content_text"):
            merged["content_text"] = analysis["content_text"]
        if not values.get("content_metadata"):
            merged["content_metadata"] = dict(analysis.get("metadata", {}))
    if file_info:
        merged["content_metadata"] = {**merged.get("content_metadata", {}), "file": file_info}
    return merged


async def _insert(
    scope: Scope, project_id: UUID, values: dict[str, Any], policy: FilePolicy | None, accepted: Accepted | None
) -> ContextItem:
    async with scope.db.transaction() as conn:
        await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
        await _require_known_store_uri(conn, scope, values.get("content_url") if accepted is None else None)
        if accepted is not None and policy is not None:
            digest = await asyncio.to_thread(policy.store.put, accepted.data)
            values = values | {"content_url": file_url(digest)}
        sql, args = insert_statement("user_context_items", values | {"project_id": project_id})
        return context_item_of(await conn.fetchrow(sql, *args))


async def create_context_item(
    scope: Scope,
    project_id: UUID,
    values: dict[str, Any],
    upload: Upload | None = None,
    policy: FilePolicy | None = None,
) -> ContextItem:
    """Add an item; with an upload, its bytes are checked, analysed and stored (see module doc)."""
    values = dict(values)
    accepted = None
    if upload is not None and upload.given:
        if values.get("content_url"):
            raise InvalidInput(
                "content_url",
                "leave content_url out when you send the file: the item's "
                "content_url becomes the stored file's URI. Nothing was saved.",
            )
        if policy is None:
            raise FlexError("This server stores no files. Nothing was saved.")
        await require_project(scope.db, scope.actor, project_id)  # before any work on the bytes
        accepted = await accept_upload(values.get("item_type", "file"), upload, policy)
        values = _merged(values, accepted.analysis, accepted.file_metadata())
        values["content_url"] = FILE_URL_PREFIX + accepted.digest  # for the checks; set again once stored
    elif upload is not None and upload.file_name is not None:
        raise InvalidInput(
            "file_name",
            "names a file sent with content_base64 or file_path; send the file too, "
            "or leave file_name out. Nothing was saved.",
        )
    else:
        _check_content(values)
        if values.get("content_text"):
            await require_project(scope.db, scope.actor, project_id)
            values = _merged(values, await analyse_text_value(values["content_text"]), None)
    _check_content(values)
    return await _insert(scope, project_id, values, policy, accepted)


async def fetch_context_item(
    scope: Scope, project_id: UUID, url: str, values: dict[str, Any], policy: FilePolicy
) -> ContextItem:
    """Fetch a web page the user asked for (public addresses only; store/fetch.py) and add it as a
    url item with its text and analysis; an image becomes a screenshot item holding the bytes."""
    if policy.fetch is None:
        raise FlexError(
            "fetch_context_url is off on this server: FlexOS fetches nothing from the web unless "
            "the user allows it. To enable it, set FLEXOS_ALLOW_FETCH=true in the server's environment "
            '(e.g. the "env" of the MCP host\'s config) and restart the server. Meanwhile, save the '
            'link with create_context_item(item_type="url", content_url=...). Nothing was saved.'
        )
    await require_project(scope.db, scope.actor, project_id)
    limits = FetchLimits(
        max_bytes=min(policy.max_bytes, policy.fetch.max_bytes),
        timeout_s=policy.fetch.timeout_s,
        max_redirects=policy.fetch.max_redirects,
    )
    fetched = await fetch_url(url, limits)
    name = unquote(urlsplit(fetched.url).path.rsplit("/", 1)[-1]) or None
    try:
        sniffed = sniff(fetched.data, name)
    except RefusedFile as exc:
        raise InvalidInput("url", f"{quoted(fetched.url)}: {exc}. Nothing was saved.") from None
    source = {
        "url": url,
        "final_url": fetched.url,
        "status": fetched.status,
        "content_type": fetched.content_type,
        "bytes": len(fetched.data),
        "redirects": fetched.redirects,
        "fetched_at": datetime.now(UTC).isoformat(),
    }
    analysis = await _analysed(fetched.data, sniffed, "url")
    if sniffed.is_raster_image:
        accepted = Accepted(data=fetched.data, sniffed=sniffed, name=name, analysis=analysis)
        merged = _merged(values | {"item_type": "screenshot"}, analysis, accepted.file_metadata())
        merged["content_metadata"]["fetched"] = source
        return await _insert(scope, project_id, merged, policy, accepted)
    if not sniffed.is_text:
        raise InvalidInput(
            "url",
            f"{quoted(fetched.url)} is {sniffed.mime}, which FlexOS keeps only as a file: "
            f'download it and add it with create_context_item(item_type="file", '
            f"content_base64=...). Nothing was saved.",
        )
    merged = _merged(values | {"item_type": "url", "content_url": url}, analysis, None)
    merged["content_metadata"]["fetched"] = source
    _check_content(merged)
    return await _insert(scope, project_id, merged, policy, None)


async def require_context_item(
    conn: ReadConnection,
    actor: Actor,
    item_id: UUID,
    *,
    field: str = "context_item_id",
    lock: RowLock | None = None,
    project_id: UUID | None = None,
) -> Any:
    return await fetch_owned(
        conn,
        actor,
        "user_context_items",
        "context item",
        item_id,
        field=field,
        hint=CONTEXT_HINT,
        lock=lock,
        project_id=project_id,
    )


async def get_context_item(scope: Scope, item_id: UUID, project_id: UUID | None = None) -> ContextItem:
    return context_item_of(await require_context_item(scope.db, scope.actor, item_id, project_id=project_id))


async def list_context_items(
    scope: Scope,
    project_id: UUID,
    *,
    item_type: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    include_content: bool = False,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> ContextItemList:
    """Newest first."""
    after = decode_cursor(cursor)
    await require_project(scope.db, scope.actor, project_id)
    rows = await scope.db.fetch(
        """SELECT * FROM user_context_items
           WHERE project_id = $1
             AND ($2::text IS NULL OR item_type = $2)
             AND ($3::text IS NULL OR categories @> ARRAY[$3::text])
             AND ($4::text IS NULL OR tags @> ARRAY[$4::text])
             AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::uuid))
           ORDER BY created_at DESC, id DESC
           LIMIT $7""",
        project_id,
        item_type,
        category,
        tag,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items, next_cursor = page_of(
        rows, limit, "created_at", lambda r: context_item_of(r, include_content=include_content)
    )
    return ContextItemList(items=items, next_cursor=next_cursor)


# content_metadata keys the text analysis writes (analysis/context_content.py).
TEXT_ANALYSIS_KEYS = ("title", "headings", "links", "word_count", "design")


def _reanalysed(row: Any, changes: dict[str, Any], fresh: dict[str, Any] | None) -> dict[str, Any]:
    """New text keeps an automatic analysis current; an analysis the caller wrote, or one of a
    stored file (it describes the file), is left as it is."""
    automatic = isinstance(row["ai_analysis"], dict) and row["ai_analysis"].get("source") == "automatic"
    if fresh is None or not automatic or digest_of_url(changes.get("content_url", row["content_url"])):
        return changes
    changes = changes | {"ai_analysis": fresh["ai_analysis"]}
    if "content_metadata" not in changes:
        kept = {k: v for k, v in (row["content_metadata"] or {}).items() if k not in TEXT_ANALYSIS_KEYS}
        changes["content_metadata"] = kept | fresh["metadata"]
    return changes


async def update_context_item(scope: Scope, item_id: UUID, changes: dict[str, Any]) -> ContextItem:
    fresh = None
    if changes.get("content_text") and "ai_analysis" not in changes:  # analysed before the transaction
        await require_context_item(scope.db, scope.actor, item_id)
        fresh = await analyse_text_value(changes["content_text"])
    async with scope.db.transaction() as conn:
        row = await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        if not changes:
            return context_item_of(row)
        changes = _reanalysed(row, changes, fresh)
        _check_content(dict(row) | changes, check_url="content_url" in changes)
        await _require_known_store_uri(conn, scope, changes.get("content_url"))
        assignments, values = set_clause(changes, 2)
        return context_item_of(
            await conn.fetchrow(
                f"UPDATE user_context_items SET {assignments} WHERE id = $1 RETURNING *", item_id, *values
            )
        )


async def reference_context_item(scope: Scope, item_id: UUID, used_in: str, note: str | None) -> ContextItem:
    """Record one use of the item: count it, stamp the time, and remember where (most recent
    MAX_REFERENCES_KEPT uses). One statement, so concurrent references never lose a count."""
    async with scope.db.transaction() as conn:
        await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        row = await conn.fetchrow(
            """UPDATE user_context_items
                  SET times_referenced = COALESCE(times_referenced, 0) + 1,
                      last_referenced_at = NOW(),
                      referenced_in = (
                        SELECT COALESCE(jsonb_agg(entry ORDER BY n), '[]'::jsonb)
                          FROM (SELECT entry, n
                                  FROM jsonb_array_elements(
                                         CASE WHEN jsonb_typeof(referenced_in) = 'array' THEN referenced_in
                                              ELSE '[]'::jsonb END
                                         || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                                              'used_in', $2::text, 'note', $3::text, 'at', NOW()))))
                                       WITH ORDINALITY AS x(entry, n)
                                 ORDER BY n DESC LIMIT $4) AS recent)
                WHERE id = $1 RETURNING *""",
            item_id,
            used_in,
            note,
            MAX_REFERENCES_KEPT,
        )
        return context_item_of(row)


async def delete_context_item(scope: Scope, item_id: UUID) -> DeletedContextItem:
    async with scope.db.transaction() as conn:
        row = await require_context_item(conn, scope.actor, item_id, lock="NO KEY UPDATE")
        await conn.execute("DELETE FROM user_context_items WHERE id = $1", item_id)
    return DeletedContextItem(id=row["id"], item_type=row["item_type"])


# --- stored files read back --------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    mime: str
    name: str | None


async def item_file(scope: Scope, item_id: UUID, store: FileStore, project_id: UUID | None = None) -> StoredFile:
    """The bytes an item holds (ownership-checked like every read); NotFound-like errors otherwise."""
    row = await require_context_item(scope.db, scope.actor, item_id, project_id=project_id)
    digest = digest_of_url(row["content_url"])
    if digest is None:
        raise InvalidInput(
            "context_item_id",
            f"the context item {item_id} holds no stored file (it is "
            f"{row['item_type']} content given as text or a web URL); read it "
            f"with get_context_item.",
        )
    data = await asyncio.to_thread(store.read, digest)
    info = (row["content_metadata"] or {}).get("file") or {}
    mime = info.get("mime") if isinstance(info.get("mime"), str) else None
    return StoredFile(data=data, mime=mime or sniff(data).mime, name=info.get("name"))


async def item_image_for_model(scope: Scope, item_id: UUID, store: FileStore) -> tuple[bytes, str] | None:
    """The item's image scaled for a model (PNG or JPEG, at most MODEL_IMAGE_SIDE px on its long
    side), or None when the item holds no image."""
    row = await require_context_item(scope.db, scope.actor, item_id)
    digest = digest_of_url(row["content_url"])
    if digest is None:
        return None
    try:
        data = await asyncio.to_thread(store.read, digest)
    except StoredFileMissing:
        return None
    if not sniff(data).is_raster_image:
        return None
    return await run_cpu(image_for_model, data, MODEL_IMAGE_SIDE, timeout=ANALYSIS_TIMEOUT_S)
