"""The floor of the per-call benchmarks (bench/tool_calls.py): the MCP SDK's own server, with no
FlexOS code in it.

- `echo_tool(text)` returns the string: protocol and SDK cost with no work at all;
- `echo_<name>` returns a given structured result (the record a FlexOS tool returns) under that
  tool's output schema, so the SDK converts it and the client validates it exactly as it does a
  FlexOS result. Its arguments are accepted and ignored: the same request, no work.

`build_echo_server(results)` gives the server for in-memory use; run as a subprocess it serves
stdio exactly like `flexos-mcp serve` (python bench/echo_server.py [results.json]), or, with
`--http PORT --token TOKEN`, Streamable HTTP as `flexos-mcp serve --transport http` does
(stateless, JSON responses) behind a bearer-token check that does not touch a database.
results.json maps a tool name to {"result": {...}, "output_schema": {...}} and, for a read, the
bare statement of the same rows: "bare": {"sql": "...", "args": [...]}.

With `--fetch DATABASE_URL`, each echo first runs its bare statement on an asyncpg pool of its own
(the JSON codecs FlexOS uses, nothing else): the floor of a server that must read the row for
each call, which is what the HTTP benchmark sets FlexOS beside (bench/tool_calls.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mcp.server import MCPServer


def build_echo_server(results: dict[str, dict[str, Any]] | None = None, fetch_url: str | None = None) -> MCPServer:
    server = MCPServer("echo", log_level="WARNING")  # as the bench runs flexos-mcp: no per-request logs

    @server.tool()
    async def echo_tool(text: str) -> str:
        """Echo."""
        return text

    pool = _BarePool(fetch_url) if fetch_url else None
    for name, entry in (results or {}).items():
        bare = entry.get("bare") if pool is not None else None
        _add_echo(server, name, entry["result"], entry["output_schema"], bare, pool)
    return server


class _BarePool:
    """An asyncpg pool opened on first use, with the JSON codecs of FlexOS's pool."""

    def __init__(self, url: str):
        self._url = url
        self._pool: Any = None

    async def fetch(self, sql: str, args: list[Any]) -> None:
        import asyncpg

        if self._pool is None:
            self._pool = await asyncpg.create_pool(self._url, min_size=1, max_size=10, init=json_codecs)
        await self._pool.fetch(sql, *args)


async def json_codecs(conn: Any) -> None:
    """JSON and JSONB as Python values, as FlexOS's pool decodes them (the bench's bare
    connection too)."""
    for typename in ("jsonb", "json"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


def _add_echo(
    server: MCPServer,
    name: str,
    result: dict[str, Any],
    output_schema: dict[str, Any],
    bare: dict[str, Any] | None = None,
    pool: _BarePool | None = None,
) -> None:
    async def echo() -> dict[str, Any]:
        if bare is not None and pool is not None:
            await pool.fetch(bare["sql"], bare["args"])
        return result

    server.add_tool(echo, name=f"echo_{name}", description=f"The result {name} returned.", structured_output=True)
    tool = server._tool_manager.get_tool(f"echo_{name}")
    tool.fn_metadata.output_schema = output_schema  # the schema FlexOS publishes: the same client check
    tool.__dict__.pop("output_schema", None)  # a cached_property over fn_metadata


def serve_http(server: MCPServer, port: int, token: str) -> None:
    """Streamable HTTP at /mcp, stateless with JSON responses, behind a constant-token check."""
    import uvicorn
    from starlette.responses import JSONResponse

    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True, host="127.0.0.1"
    )
    expected = f"Bearer {token}".encode()

    async def gate(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
            await JSONResponse({"error": "invalid_token"}, status_code=401)(scope, receive, send)
            return
        await app(scope, receive, send)

    uvicorn.Server(uvicorn.Config(gate, host="127.0.0.1", port=port, log_level="warning", server_header=False)).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", help="JSON file of results to echo")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve Streamable HTTP on this loopback port")
    parser.add_argument("--token", default="", help="the bearer token HTTP requests must carry")
    parser.add_argument("--fetch", metavar="DATABASE_URL", help="run each echo's bare statement on this database")
    args = parser.parse_args()
    results = json.loads(Path(args.results).read_text()) if args.results else None
    server = build_echo_server(results, args.fetch)
    if args.http:
        serve_http(server, args.http, args.token)
    else:
        server.run()


if __name__ == "__main__":
    sys.exit(main())
