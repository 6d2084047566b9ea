"""Small helpers every resource uses: URI parameters in, JSON out."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from ..errors import NotFound


def to_json(value: Any) -> str:
    """Resource bodies: pydantic models and plain data alike, as indented JSON."""
    if hasattr(value, "model_dump_json"):
        return value.model_dump_json(indent=2)
    return json.dumps(value, indent=2, default=str)


def uuid_from_uri(value: str, kind: str) -> UUID:
    """A UUID taken from a resource URI; anything else is 'not found', like a missing record."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(kind, value, hint=f"FlexOS URIs name records by id (a project also by its slug); list your {kind}s to find one.") from None
