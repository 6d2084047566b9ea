"""Small helpers every resource uses: URI parameters in, JSON out."""

from __future__ import annotations

import contextvars
import json
from typing import Any
from uuid import UUID

from ..errors import NotFound


def to_json(value: Any, *, lean: bool = False) -> str:
    """Resource bodies: pydantic models and plain data alike, as compact JSON (a model pays for
    every byte of indentation). `lean` also leaves out nulls and defaults (empty children...)."""
    if hasattr(value, "model_dump_json"):
        dumped: str = value.model_dump_json(exclude_none=lean, exclude_defaults=lean)
        return dumped
    return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))


RESOURCE_PAGE = 100  # items per list resource; the list tool with `cursor` goes on from there


def listing(page: Any, tool: str, **arguments: Any) -> str:
    """A list resource's body: its first page, and when there is more, the call that goes on
    (a resource URI takes no cursor; the list tool does)."""
    body = json.loads(to_json(page))
    if body.get("next_cursor"):
        args = ", ".join(f"{k}={json.dumps(str(v))}" for k, v in {**arguments, "cursor": body["next_cursor"]}.items())
        body["truncated"] = True
        body["continue_with"] = f"{tool}({args})"
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def uuid_from_uri(value: str, kind: str) -> UUID:
    """A UUID taken from a resource URI; anything else is 'not found', like a missing record."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(
            kind,
            value,
            hint=f"FlexOS URIs name records by id (a project also by its slug); list your {kind}s to find one.",
        ) from None


# A resource whose type depends on the record (a stored file's sniffed MIME type) says so here;
# the server puts it on the contents it returns (FlexOSServer.read_resource).
served_mime: contextvars.ContextVar[str | None] = contextvars.ContextVar("flexos_served_mime", default=None)


def serve_as(mime: str) -> None:
    """Give the resource being read this MIME type instead of its template's."""
    served_mime.set(mime)
