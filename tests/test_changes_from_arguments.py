"""How a create or update tool turns its own arguments into the fields it stores: one helper
(server/params.py), so no tool restates its fields. Pure: no database, no server."""

from __future__ import annotations

from typing import Any

import pytest

from flexos_mcp.server.params import CLEARED, changes_from_arguments


async def update_thing(
    ctx: Any, thing_id: str, name: str | None = None, note: Any = None, count: int | None = None
) -> dict[str, Any]:
    """Shaped like an update tool: the context, the record's id, then optional fields."""
    return changes_from_arguments(locals(), leave_out=("thing_id",), name=name.strip() if name else None)


@pytest.mark.parametrize(
    "given, stored",
    [
        ({}, {}),  # nothing given: no change
        ({"name": "  Renamed "}, {"name": "Renamed"}),  # a converted field in its stored form
        ({"note": CLEARED}, {"note": None}),  # null for a clearable field: store NULL
        ({"count": 0}, {"count": 0}),  # falsy values are values
        ({"name": "A", "count": 2}, {"name": "A", "count": 2}),
    ],
)
async def test_only_the_given_fields_become_changes(given: dict[str, Any], stored: dict[str, Any]):
    assert await update_thing(object(), "id-1", **given) == stored


async def test_the_context_and_the_left_out_arguments_are_never_fields():
    changes = await update_thing("a context", "id-1", name="X")
    assert "ctx" not in changes and "thing_id" not in changes
