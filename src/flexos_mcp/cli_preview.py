"""`flexos-mcp preview`: serve the read-only preview site (preview/) until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import webbrowser

from .config import Config


def add_preview_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    preview = commands.add_parser("preview", help="open a read-only preview of your projects in a browser")
    preview.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; any other address requires tokens)",
    )
    preview.add_argument("--port", type=int, default=8766, help="port (default 8766)")
    preview.add_argument("--open", action="store_true", help="open the preview in the default browser")
    preview.add_argument(
        "--tokens", action="store_true", help="require a FlexOS bearer token per request, also on loopback"
    )


async def _serve(config: Config, args: argparse.Namespace) -> None:
    import uvicorn

    from .cli_database import open_database_url
    from .preview.app import PreviewOptions, create_app, is_loopback
    from .server.app import require_current_schema

    url = await open_database_url(config)
    await require_current_schema(url, config)  # the preview writes nothing, not even a migration
    config = dataclasses.replace(config, database_url=url)
    options = PreviewOptions(host=args.host, port=args.port, require_tokens=args.tokens or not is_loopback(args.host))
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, options),
            host=args.host,
            port=args.port,
            log_level=config.log_level.lower(),
            access_log=False,
            lifespan="on",
        )
    )
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    address = f"http://{shown_host}:{args.port}/"

    async def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.05)
        who = "the bearer token of each request" if options.require_tokens else config.user_email
        print(f"FlexOS preview at {address} (read-only, as {who}); Ctrl-C to stop.", file=sys.stderr, flush=True)
        if args.open:
            webbrowser.open(address)

    announcer = asyncio.create_task(announce())
    try:
        await server.serve()  # a port in use: uvicorn says so and exits
    finally:
        announcer.cancel()


def run_preview(config: Config, args: argparse.Namespace) -> None:
    asyncio.run(_serve(config, args))
