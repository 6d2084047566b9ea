"""Argument types shared by many tools, so the same thing is described the same way everywhere.

One rule for `null` (applied to every tool by `server/arguments.py`): an optional argument given
as `null` means "left out". The only exception is a `Clearable` argument of an update tool,
whose schema admits null and says so: there `null` clears the stored value.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional, TypeVar
from uuid import UUID

from pydantic import AfterValidator, Field, WithJsonSchema, WrapValidator

from ..domain.paging import DEFAULT_LIMIT, MAX_LIMIT

MAX_JSON_BYTES = 100_000
T = TypeVar("T")


def _bounded_json(value: Any) -> Any:
    size = len(json.dumps(value))
    if size > MAX_JSON_BYTES:
        raise ValueError(f"is {size:,} bytes as JSON; the limit is {MAX_JSON_BYTES:,}")
    return value


# Free-form JSON, for the fields whose shape is the caller's own (settings, metadata, notes...);
# tests/test_tool_surface.py keeps the list of arguments allowed to use them, each with its reason.
JsonObject = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
JsonArray = Annotated[list[Any], AfterValidator(_bounded_json)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
TextList = Annotated[list[ShortText], Field(max_length=100), AfterValidator(_bounded_json)]

PROJECT_REFERENCE = "project_id"  # the argument that takes a project's id or slug (server/arguments.py)
ProjectId = Annotated[
    UUID,
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255}),
    Field(description="The project's id or slug (from list_projects or create_project)."),
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"Most items to return (1-{MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Field(max_length=500, description="next_cursor from the previous page; leave out for the first page."),
]
DEFAULT_PAGE = DEFAULT_LIMIT


class _Cleared:
    """The value a Clearable argument has when the caller passed null: store NULL."""

    def __repr__(self) -> str:
        return "CLEARED"


CLEARED: Any = _Cleared()


def _null_clears(value: Any, handler: Any) -> Any:
    """null clears; so does an empty string (empty text is no text, and stored as NULL)."""
    return CLEARED if value is None or value == "" else handler(value)


class _ClearableSchema:
    """Marks the argument's JSON schema so the schema builder keeps `null` in it and says what
    null does (server/schema_slim.py); the marker itself is not published."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema[CLEARABLE_MARK] = True
        return schema


CLEARABLE_MARK = "x-flexos-clearable"
# `field: Clearable[X] = None`: left out -> None (unchanged); null -> CLEARED (set to NULL).
Clearable = Annotated[Optional[T], WrapValidator(_null_clears), _ClearableSchema()]  # noqa: UP045 (TypeVar alias)


def changes_from(values: dict[str, Any]) -> dict[str, Any]:
    """The fields a call was given: None (left out) is dropped; CLEARED (null passed for a
    Clearable field) becomes None, i.e. "store NULL"."""
    return {k: (None if v is CLEARED else v) for k, v in values.items() if v is not None}


def changes_from_arguments(
    arguments: dict[str, Any], *, leave_out: tuple[str, ...] = (), **converted: Any
) -> dict[str, Any]:
    """The values or changes a create or update tool was given, from its own arguments: pass
    `locals()` as the tool's first statement, name the arguments that are not fields of the
    record (its id, the context is always left out) in `leave_out`, and give any field whose
    stored form differs as a keyword (`name=name.strip()`). Then the rule of changes_from."""
    fields = {name: value for name, value in arguments.items() if name != "ctx" and name not in leave_out}
    return changes_from(fields | converted)
