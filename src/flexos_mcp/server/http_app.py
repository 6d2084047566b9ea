"""The HTTP face of the server: Streamable HTTP at /mcp behind a gate, plus /healthz, /readyz and
the protected-resource metadata that a 401 points to.

In front of the MCP endpoint, in this order (each refusal is cheap and touches nothing behind it):

1. Host and Origin (DNS rebinding): only the names this server is reached by — from
   `--public-url`, the bind address, FLEXOS_ALLOWED_HOSTS / FLEXOS_ALLOWED_ORIGINS — whatever the
   bind address. 421 / 403 with what to configure.
2. POST only: the server is stateless, so there is no server-to-client stream to GET. 405.
3. The bearer token (401 with `WWW-Authenticate`), verified in the database or taken from the
   cache of verified tokens (server/http_auth.py). When the database cannot answer the token
   check, 503 with `Retry-After` and a JSON-RPC error body saying so (an MCP client shows it).
4. At most FLEXOS_MAX_REQUESTS_PER_TOKEN requests of one token in flight; more get 429.

A request admitted from the cache may be the first to find the database stopped or hung, so
behind the gate a request that finds the database unavailable gets the same 503 as one the gate
found it for: when its answer is the outage's message, or when it has no answer within
FLEXOS_DB_TIMEOUT_S and the database does not answer a probe within that time either (a hung
database: the request is cancelled; the bound is twice the timeout, as for the token check).

The SDK's own DNS-rebinding check gets the same lists and stays on behind ours. Requests for
/mcp go straight to the gate; everything else through a Starlette app (health, readiness, the
metadata, 404s).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
from mcp.server import MCPServer
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..config import Config
from ..db.availability import RETRY_AFTER_S, is_unavailable, unavailable_message
from ..db.migrate import schema_status
from ..errors import DatabaseUnavailable
from .http_auth import FlexOSTokenVerifier

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_WILDCARD_BINDS = ("0.0.0.0", "::", "")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_JSONRPC_INTERNAL_ERROR = -32603


@dataclass(frozen=True)
class HttpOptions:
    """Where the server listens and the URL clients reach it by (a proxy's, behind one)."""

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # empty: http://<host>:<port>, or http://localhost:<port> for a wildcard bind

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in _WILDCARD_BINDS else self.host
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"http://{host}:{self.port}"

    @property
    def resource_url(self) -> str:
        return self.base_url + MCP_PATH

    @property
    def metadata_path(self) -> str:
        """RFC 9728 §3.1: the well-known prefix goes before the resource's path."""
        return "/.well-known/oauth-protected-resource" + urlsplit(self.resource_url).path

    @property
    def metadata_url(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}{self.metadata_path}"


def check_public_url(url: str) -> str:
    """The URL as given, or ValueError saying what a valid one looks like."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"--public-url {url!r} must be an http(s) URL without query, e.g. https://flexos.example.com")
    return url.rstrip("/")


@dataclass(frozen=True)
class HostPolicy:
    """The Host and Origin values this server answers to. `name:*` matches any port."""

    hosts: tuple[str, ...]
    origins: tuple[str, ...]

    @classmethod
    def derive(cls, options: HttpOptions, config: Config) -> HostPolicy:
        public = urlsplit(options.base_url)
        scheme, port, default_port = public.scheme, public.port, _DEFAULT_PORTS[public.scheme]
        name = f"[{public.hostname}]" if ":" in (public.hostname or "") else (public.hostname or "")
        if port is None or port == default_port:  # browsers and proxies may send it with or without the port
            hosts, origins = [name, f"{name}:{default_port}"], [f"{scheme}://{name}"]
        else:
            hosts, origins = [f"{name}:{port}"], [f"{scheme}://{name}:{port}"]
        if options.host in _WILDCARD_BINDS or options.host in ("localhost", "127.0.0.1", "::1"):
            hosts += [f"{loopback}:{options.port}" for loopback in _LOOPBACK_NAMES]
            origins += [f"http://{loopback}:{options.port}" for loopback in _LOOPBACK_NAMES]
        else:
            bound = f"[{options.host}]" if ":" in options.host else options.host
            hosts.append(f"{bound}:{options.port}")
            origins.append(f"http://{bound}:{options.port}")
        hosts += [h.lower() for h in config.allowed_hosts]
        origins += [o.lower().rstrip("/") for o in config.allowed_origins]
        return cls(hosts=tuple(dict.fromkeys(hosts)), origins=tuple(dict.fromkeys(origins)))

    @property
    def sdk_settings(self) -> TransportSecuritySettings:
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True, allowed_hosts=list(self.hosts), allowed_origins=list(self.origins)
        )

    def allows_host(self, host: str) -> bool:
        """Whether a Host header (lower case) names this server."""
        return _matches(host, self.hosts)

    def refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host", "").lower()
        if not self.allows_host(host):
            log.warning("refused a request for Host %r (allowed: %s)", host[:200], ", ".join(self.hosts))
            return _jsonrpc_error(
                421,
                f"This server does not answer to Host {host[:200]!r}. Reach it by its public "
                f"URL, or let the operator add the name to FLEXOS_ALLOWED_HOSTS.",
            )
        origin = request.headers.get("origin")
        if origin is not None and not _matches(origin.lower(), self.origins):
            log.warning("refused a request from Origin %r", origin[:200])
            return _jsonrpc_error(
                403,
                f"Requests from Origin {origin[:200]!r} are not allowed. The operator can add "
                f"it to FLEXOS_ALLOWED_ORIGINS.",
            )
        return None


def _matches(value: str, allowed: tuple[str, ...]) -> bool:
    return value in allowed or any(
        a.endswith(":*") and value.startswith(a[:-1]) and value[len(a) - 1 :].isdigit() for a in allowed
    )


def _outage_reason(exc: BaseException) -> str | None:
    """What to tell an HTTP client when `exc` means the database cannot answer; None otherwise.
    (A pool that could not be opened carries the database URL in its message: not for clients.)"""
    if isinstance(exc, DatabaseUnavailable) and exc.__cause__ is not None:
        exc = exc.__cause__
    return unavailable_message(exc) if isinstance(exc, DatabaseUnavailable) or is_unavailable(exc) else None


def _jsonrpc_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A JSON-RPC error body without a request id: the SDK's client shows its message."""
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": _JSONRPC_INTERNAL_ERROR, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _unavailable(reason: str) -> Response:
    return _jsonrpc_error(503, reason, headers={"Retry-After": str(RETRY_AFTER_S)})


# What a tool or resource answers when it found the database unavailable (db/error_map.py).
_OUTAGE_MESSAGES = tuple(unavailable_message(exc) for exc in (TimeoutError(), ConnectionRefusedError()))
_OUTAGE_BYTES = tuple(m.encode() for m in _OUTAGE_MESSAGES)  # looked for in every response body


def _outage_answered(message: Message) -> str | None:
    """The outage message, when this complete response body is an error saying the database is
    unavailable (a tool error or a JSON-RPC error); None for every other body."""
    body = message.get("body", b"")
    if message.get("more_body") or not any(m in body for m in _OUTAGE_BYTES):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    texts: list[Any] = []
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        texts.append(data["error"].get("message"))
    result = data.get("result") if isinstance(data, dict) else None
    if isinstance(result, dict) and result.get("isError") and isinstance(result.get("content"), list):
        texts += [c.get("text") for c in result["content"] if isinstance(c, dict)]
    return next((m for m in _OUTAGE_MESSAGES for t in texts if isinstance(t, str) and m in t), None)


class _Exchange:
    """The way back of one request behind the gate: the response start is held until its body,
    so that an outage found by the request can still be answered with a 503 instead."""

    __slots__ = ("_held", "_send", "outage", "started")

    def __init__(self, send: Send):
        self._send = send
        self._held: Message | None = None
        self.started = False  # something went to the client
        self.outage: str | None = None  # the request found the database unavailable: this reason

    async def __call__(self, message: Message) -> None:
        if self.outage is not None:
            return
        if message["type"] == "http.response.start" and not self.started:
            self._held = message
            return
        if self._held is not None:
            start, self._held = self._held, None
            reason = _outage_answered(message)
            if reason is not None:
                self.outage = reason
                return
            self.started = True
            await self._send(start)
        self.started = True
        await self._send(message)


class McpGate:
    """Host/Origin, method, bearer token and per-token concurrency, in front of the SDK's app
    (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: HostPolicy,
        verifier: FlexOSTokenVerifier,
        options: HttpOptions,
        max_in_flight: int,
        outage_after_s: float,
    ):
        self._app = app
        self._policy = policy
        self._verifier = verifier
        self._options = options
        self._max_in_flight = max_in_flight
        self._outage_after_s = outage_after_s
        self._in_flight: Counter[str] = Counter()
        self._probes: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        refusal = self._policy.refusal(request) or self._method_refusal(request)
        if refusal is None:
            token, refusal = await self._authenticate(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        token_id = token.claims["token_id"]
        if self._in_flight[token_id] >= self._max_in_flight:
            await _jsonrpc_error(
                429,
                f"This token already has {self._max_in_flight} requests in flight "
                f"(FLEXOS_MAX_REQUESTS_PER_TOKEN); wait for one to finish, then retry.",
                headers={"Retry-After": "1"},
            )(scope, receive, send)
            return
        self._in_flight[token_id] += 1
        user = AuthenticatedUser(token)
        scope["user"], scope["auth"] = user, AuthCredentials(token.scopes)
        authenticated = auth_context_var.set(user)  # as the SDK's AuthContextMiddleware: `get_access_token()`
        try:
            await self._serve(scope, receive, send)
        finally:
            auth_context_var.reset(authenticated)
            self._in_flight[token_id] -= 1
            if not self._in_flight[token_id]:
                del self._in_flight[token_id]

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The SDK answers; a request that finds the database unavailable gets the gate's 503 (see
        the module docstring)."""
        exchange = _Exchange(send)
        with anyio.CancelScope() as request:
            watch = asyncio.get_running_loop().call_later(self._outage_after_s, self._suspect, request, exchange)
            try:
                await self._app(scope, receive, exchange)
            finally:
                watch.cancel()
        if exchange.outage is not None and not exchange.started:
            await _unavailable(exchange.outage)(scope, receive, send)

    def _suspect(self, request: anyio.CancelScope, exchange: _Exchange) -> None:
        """No answer yet after FLEXOS_DB_TIMEOUT_S: if the database does not answer a probe either,
        end the request with a 503."""
        probe = asyncio.create_task(self._probe(request, exchange), name="flexos-database-probe")
        self._probes.add(probe)
        probe.add_done_callback(self._probes.discard)

    async def _probe(self, request: anyio.CancelScope, exchange: _Exchange) -> None:
        try:
            await self._verifier.probe()
        except Exception as exc:
            reason = _outage_reason(exc)
            if reason is None:
                log.warning("could not probe the database: %r", exc)
            elif not exchange.started and exchange.outage is None:
                exchange.outage = reason
                request.cancel()

    @staticmethod
    def _method_refusal(request: Request) -> Response | None:
        if request.method == "POST":
            return None
        return _jsonrpc_error(
            405,
            "This server is stateless and has no stream to GET; send each request with POST.",
            headers={"Allow": "POST"},
        )

    async def _authenticate(self, request: Request) -> tuple[Any, Response | None]:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        token = None
        if scheme.lower() == "bearer" and credentials.strip():
            try:
                token = await self._verifier.verify_token(credentials.strip())
            except Exception as exc:
                reason = _outage_reason(exc)
                if reason is None:
                    raise
                return None, _unavailable(reason)
        if token is not None:
            return token, None
        return None, self._unauthorized(sent=bool(credentials.strip()))

    def _unauthorized(self, *, sent: bool) -> Response:
        description = "The bearer token is unknown, revoked or expired" if sent else "A bearer token is required"
        description += "; ask the server's operator for one (flexos-mcp token create)."
        challenge = f'Bearer resource_metadata="{self._options.metadata_url}"'
        if sent:
            challenge += f', error="invalid_token", error_description="{description}"'
        return JSONResponse(
            {"error": "invalid_token", "error_description": description},
            status_code=401,
            headers={"WWW-Authenticate": challenge},
        )


def build_http_app(server: MCPServer[Any], config: Config, options: HttpOptions) -> ASGIApp:
    """The ASGI app `flexos-mcp serve --transport http` runs."""
    if not config.database_url:
        raise ValueError("an HTTP server needs its database URL resolved before it is built")
    verifier = FlexOSTokenVerifier(config.database_url, config, cache=True)
    policy = HostPolicy.derive(options, config)
    sdk_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=policy.sdk_settings,
        host=options.host,
    )
    log.info("HTTP: answering to Host %s; Origin %s", ", ".join(policy.hosts), ", ".join(policy.origins))
    gate = McpGate(
        sdk_app,
        policy=policy,
        verifier=verifier,
        options=options,
        max_in_flight=config.max_requests_per_token,
        outage_after_s=config.db_timeout_s,
    )

    async def healthz(_: Request) -> Response:
        """The process is up and serving HTTP (it says nothing about the database)."""
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(_: Request) -> Response:
        """Ready for traffic: the database answers and its schema is current."""
        try:
            status = await schema_status(await verifier.database())
        except Exception as exc:
            reason = _outage_reason(exc)
            if reason is None:
                raise
            return JSONResponse(
                {"status": "unavailable", "reason": reason},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        if not status.current:
            return JSONResponse(
                {"status": "schema-outdated", "reason": status.advice()},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        return JSONResponse({"status": "ready", "schema_version": status.applied})

    async def resource_metadata(_: Request) -> Response:
        """RFC 9728 protected-resource metadata. It names no authorization server: tokens are
        issued by the operator (`flexos-mcp token create`), not through OAuth."""
        body = {"resource": options.resource_url, "bearer_methods_supported": ["header"], "resource_name": "FlexOS MCP"}
        return Response(json.dumps(body), media_type="application/json", headers={"Access-Control-Allow-Origin": "*"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with sdk_app.router.lifespan_context(sdk_app):
            try:
                yield
            finally:
                await verifier.close()

    routes = [
        Route(MCP_PATH, endpoint=gate),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route(options.metadata_path, resource_metadata, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == MCP_PATH:
            await gate(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch


def serve_http(server: MCPServer[Any], config: Config, options: HttpOptions) -> None:
    """Run the HTTP server until SIGINT/SIGTERM (uvicorn finishes requests in flight first)."""
    import uvicorn

    app = build_http_app(server, config, options)
    log.info("serving Streamable HTTP at %s (bearer tokens required)", options.resource_url)
    uvicorn.Server(
        uvicorn.Config(
            app,
            host=options.host,
            port=options.port,
            log_level=config.log_level.lower(),
            server_header=False,
            timeout_graceful_shutdown=10,
        )
    ).run()
