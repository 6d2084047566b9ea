"""What a running server holds (the database, the configuration, the acting user) and how a tool
or resource reaches it from the request it is serving."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken

from ..config import Config
from ..db.gateway import Database
from ..domain.scope import Actor, Scope
from ..errors import FlexError
from ..rendering.browser import Renderer
from .http_auth import actor_from_access_token


@dataclass
class AppState:
    config: Config
    db: Database
    database_url: str
    actor: Actor | None  # the configured user of a stdio server; None over HTTP (per-request tokens)
    renderer: Renderer  # the server's browser, started on the first render


# Set for each resource read: static resources get no Context from the SDK, yet need the caller.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("flexos_current_request", default=None)


def app_of(ctx: Any) -> AppState:
    """From a tool's Context, or from the SDK's per-request context that handlers receive."""
    request = getattr(ctx, "request_context", ctx)
    state: AppState = request.lifespan_context
    return state


def access_token_of(ctx: Any) -> AccessToken | None:
    """The bearer token this HTTP request carried, if any (None over stdio)."""
    token = get_access_token()
    if token is None:
        request = getattr(getattr(ctx, "request_context", ctx), "request", None)
        token = getattr(getattr(request, "user", None), "access_token", None)
    return token


def _token_actor(ctx: Any) -> Actor | None:
    """The user of the bearer token this HTTP request carried, if any."""
    token = access_token_of(ctx)
    return actor_from_access_token(token) if token is not None else None


def scope_of(ctx: Any) -> Scope:
    """The database and acting user for this call: the token's user over HTTP, the configured
    user over stdio."""
    app = app_of(ctx)
    actor = app.actor or _token_actor(ctx)  # a stdio server's user, else (HTTP) the token's
    if actor is None:
        raise FlexError(
            "This request carries no valid bearer token; send `Authorization: Bearer <token>` "
            "(create one with `flexos-mcp token create --email you@example.com`)."
        )
    return Scope(db=app.db, actor=actor)


def current_renderer() -> Renderer:
    """The renderer of the server whose resource read is in progress."""
    ctx = current_request.get()
    if ctx is None:
        raise RuntimeError("current_renderer() outside a request")
    return app_of(ctx).renderer


def current_scope() -> Scope:
    """The scope of the resource read in progress."""
    ctx = current_request.get()
    if ctx is None:
        raise RuntimeError("current_scope() outside a request")
    return scope_of(ctx)
