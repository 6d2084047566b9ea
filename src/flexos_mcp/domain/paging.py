"""Keyset pagination with opaque cursors, shared by every list tool."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Generic, TypeVar, get_args
from uuid import UUID

from pydantic import BaseModel, Field

from ..errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Paged(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null when this is the last page."
    )


PageOf = TypeVar("PageOf", bound=Paged[Any])


def summarised(listing: Paged[Any], page_type: type[PageOf]) -> PageOf:
    """The same page of a list with each item cut down to `page_type`'s item model (a list's
    compact default: the full record is one get_* call away)."""
    item_type = get_args(page_type.model_fields["items"].annotation)[0]
    return page_type(items=[item_type(**item.model_dump()) for item in listing.items], next_cursor=listing.next_cursor)


def encode_cursor(sort_value: Any, row_id: UUID) -> str:
    value = sort_value.isoformat() if isinstance(sort_value, datetime) else sort_value
    raw = json.dumps([value, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, timestamp: bool = True) -> tuple[Any, UUID] | None:
    """The (sort value, id) a cursor stands for; None for the first page."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return (datetime.fromisoformat(value) if timestamp else value), UUID(row_id)
    except Exception as exc:
        raise InvalidInput(
            "cursor",
            "not a cursor this server issued; pass the next_cursor of the previous page, or omit it to start over.",
        ) from exc


def page_of(rows: list[Any], limit: int, sort_key: str, build: Any) -> tuple[list[Any], str | None]:
    """Split `limit + 1` fetched rows into a page and the cursor for the next one."""
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1][sort_key], rows[-1]["id"]) if more and rows else None
    return [build(r) for r in rows], cursor
