"""What every preview page needs from its request: the scope it reads in (the acting user, by the
rules of app.py) and its rendered template."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..domain.scope import Scope
from ..domain.users import find_user
from ..errors import NotFound
from ..server.http_auth import actor_from_access_token


def _credential(request: Request) -> str | None:
    """The token in `Authorization: Bearer ...`, or the password of `Authorization: Basic ...`."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


class Unauthorized(Exception):
    """The request carries no valid token where one is required (answered with 401)."""


async def acting_scope(request: Request) -> Scope:
    """The database and the user this request reads as (the rules: app.py's docstring)."""
    state = request.app.state
    if state.verifier is not None:
        token = _credential(request)
        access = await state.verifier.verify_token(token) if token else None
        if access is None:
            raise Unauthorized()
        return Scope(db=state.db, actor=actor_from_access_token(access))
    if state.actor is None:
        state.actor = await find_user(state.db, state.config.user_email)
    if state.actor is None:
        raise NotFound(
            "user",
            state.config.user_email,
            hint="That user has no projects yet: run `flexos-mcp demo`, or design something from an MCP host.",
        )
    return Scope(db=state.db, actor=state.actor)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("path_for", request.app.url_path_for)
    context.setdefault("params", lambda **changes: urlencode({**request.query_params, **changes}))
    page = request.app.state.templates.get_template(template).render(request=request, **context)
    return HTMLResponse(page, status_code=status_code)
