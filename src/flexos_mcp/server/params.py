"""Argument types shared by many tools, so the same thing is described the same way everywhere."""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field

from ..domain.paging import DEFAULT_LIMIT, MAX_LIMIT

MAX_JSON_BYTES = 100_000


def _bounded_json(value: Any) -> Any:
    size = len(json.dumps(value))
    if size > MAX_JSON_BYTES:
        raise ValueError(f"is {size:,} bytes as JSON; the limit is {MAX_JSON_BYTES:,}")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
JsonArray = Annotated[list[Any], AfterValidator(_bounded_json)]

ProjectId = Annotated[UUID, Field(description="The project's id (from list_projects or create_project).")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Most items to return (1-{MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Field(max_length=500, description="next_cursor from the previous page; leave out for the first page."),
]
DEFAULT_PAGE = DEFAULT_LIMIT


def changes_from(values: dict[str, Any], *, clearable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a partial update was given (None = leave as is). For `clearable` text fields an
    empty string means "clear it" and is stored as NULL."""
    changes = {k: v for k, v in values.items() if v is not None}
    for key in clearable:
        if changes.get(key) == "":
            changes[key] = None
    return changes
