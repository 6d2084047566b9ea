"""The preview web app: routes, the acting user, and the rules every response follows.

- **Read-only**: a read-only database pool (every transaction READ ONLY at the server), and a
  middleware that answers any method but GET and HEAD with 405 before a route is even chosen.
- **Acting user**: on loopback, the configured user (`FLEXOS_USER_EMAIL`, looked up, never
  created). With `require_tokens` (the default off loopback) every request carries one of the
  bearer tokens of `flexos-mcp token create`, as `Authorization: Bearer <token>` or as the
  password of HTTP Basic authentication (which browsers ask for and remember); a user sees only
  their own projects, another user's ids answer 404 like missing ones.
- **Loopback means loopback**: without tokens, only requests whose Host is a loopback name are
  answered, so a web page cannot reach the preview through DNS rebinding.
- **Headers**: a Content-Security-Policy that allows only the preview's own scripts and styles
  (mockups live in sandboxed frames with their own policy: frame.py), no caching, no referrer.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as AsgiScope

from .. import compute
from ..config import Config
from ..db.error_map import explain_database_error
from ..db.gateway import Database
from ..db.pool import create_pool
from ..errors import FlexError, NotFound
from ..rendering.mockup_frame import FRAME_SANDBOX
from ..server.http_auth import FlexOSTokenVerifier
from ..server.registry import explain_failure
from . import views
from .requests import Unauthorized, render

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
READ_METHODS = ("GET", "HEAD")

PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes carry token values (sanitised: views.py)
        "img-src 'self' data:",
        "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True)
class PreviewOptions:
    host: str = "127.0.0.1"
    port: int = 8766
    require_tokens: bool = False


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class ReadOnlyAndHeaders:
    """Refuses every method that could change something (405, before routing), refuses foreign
    Host names on a loopback preview, and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, *, loopback_only: bool):
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] not in READ_METHODS:
            response = PlainTextResponse(
                "The preview is read-only: only GET and HEAD are answered.\n",
                405,
                headers={"Allow": ", ".join(READ_METHODS)},
            )
            return await response(scope, receive, send)
        if self.loopback_only:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if not is_loopback(name):
                response = PlainTextResponse(f"This preview answers only on loopback addresses, not {host!r}.\n", 421)
                return await response(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers}
                for name, value in (
                    ("content-security-policy", PAGE_POLICY),
                    ("x-content-type-options", "nosniff"),
                    ("referrer-policy", "no-referrer"),
                    ("cache-control", "no-store"),
                ):
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, with_headers)


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["frame_sandbox"] = FRAME_SANDBOX
    return env


async def _not_found(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        404,
        title="Not found",
        message="There is nothing here: the record does not exist, or it is not in your projects.",
    )


async def _flex_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 400, title="Cannot show this", message=str(exc))


async def _unauthorized(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(
        "Sign in with a FlexOS token: any user name, the token (from `flexos-mcp token create`) as the password; "
        "or send `Authorization: Bearer <token>`.\n",
        401,
        headers={"WWW-Authenticate": 'Basic realm="FlexOS preview", charset="UTF-8"'},
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 503, title="Database unavailable", message=str(explain_database_error(exc)))


async def _crash(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 500, title="Internal error", message=explain_failure(exc, request.url.path))


ROUTES = [
    Route("/", views.projects_page, name="projects"),
    Route("/projects/{project_id:uuid}", views.project_page, name="project"),
    Route("/projects/{project_id:uuid}/pages/{page_id:uuid}", views.page_page, name="page"),
    Route("/projects/{project_id:uuid}/pages/{page_id:uuid}/compare", views.compare_page, name="compare"),
    Route("/projects/{project_id:uuid}/mockups/{mockup_id:uuid}/frame", views.mockup_frame, name="frame"),
    Route("/projects/{project_id:uuid}/design-system", views.design_system_page, name="design_system"),
    Route("/projects/{project_id:uuid}/flows/{flow_id:uuid}", views.flow_page, name="flow"),
    Route("/projects/{project_id:uuid}/runs/{run_id:uuid}", views.run_page, name="run"),
    Route("/projects/{project_id:uuid}/data-model", views.data_model_page, name="data_model"),
    Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
]


def create_app(config: Config, options: PreviewOptions) -> Starlette:
    """The preview for this configuration; `config.database_url` must be resolved already."""
    if not config.database_url:
        raise ValueError("the preview needs its database URL resolved before it is built")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        compute.configure(config.compute)
        assert config.database_url  # create_app refused a configuration without one
        pool = await create_pool(
            config.database_url, read_only=True, statement_timeout_ms=config.statement_timeout_ms, max_size=5
        )
        app.state.db = Database(pool, read_only=True)
        try:
            yield
        finally:
            if app.state.verifier is not None:
                await app.state.verifier.close()
            await pool.close()
            await compute.shutdown()

    app = Starlette(
        routes=ROUTES,
        lifespan=lifespan,
        middleware=[Middleware(ReadOnlyAndHeaders, loopback_only=not options.require_tokens)],
        exception_handlers={
            404: _not_found,
            NotFound: _not_found,
            Unauthorized: _unauthorized,
            FlexError: _flex_error,
            asyncpg.PostgresError: _database_error,
            asyncpg.InterfaceError: _database_error,
            OSError: _database_error,
            Exception: _crash,
        },
    )
    app.state.config = config
    app.state.templates = _templates()
    app.state.actor = None  # looked up on first use: the user may be created after the preview starts
    # The same tokens as the HTTP server, checked on a read-only pool: the preview records no token use.
    app.state.verifier = (
        FlexOSTokenVerifier(config.database_url, dataclasses.replace(config, read_only=True))
        if options.require_tokens
        else None
    )
    return app
