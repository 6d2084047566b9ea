"""What a running server holds (the database, the configuration, the acting user) and how a tool
or resource reaches it from the request it is serving."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..db.gateway import Database
from ..domain.scope import Actor, Scope


@dataclass
class AppState:
    config: Config
    db: Database
    actor: Actor
    database_url: str


# Set for each resource read: static resources get no Context from the SDK, yet need the caller.
current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("flexos_current_request", default=None)


def app_of(ctx: Any) -> AppState:
    return ctx.request_context.lifespan_context


def scope_of(ctx: Any) -> Scope:
    """The database and acting user for this call."""
    app = app_of(ctx)
    return Scope(db=app.db, actor=app.actor)


def current_scope() -> Scope:
    """The scope of the resource read in progress."""
    ctx = current_request.get()
    if ctx is None:
        raise RuntimeError("current_scope() outside a request")
    return scope_of(ctx)
