"""The HTTP server as an operator runs it for a team (`--host 0.0.0.0 --public-url ...`): Host and
Origin checks, GET /mcp, the 401's metadata, expiring and read-only tokens, token use recorded
without a write per request, the per-token bound, health and readiness."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx2
import pytest

from flexos_mcp.db.gateway import Database
from flexos_mcp.domain import tokens

from helpers.http_helpers import MCP_HEADERS, cli, http_server, mcp_client, new_token, rpc
from helpers.mcp_client import new_email

PUBLIC = "https://flexos.example.com"
EXTRA_HOST = "flexos.internal:8443"


@pytest.fixture(scope="module")
def server(database_url):
    with http_server(
        database_url,
        "--host",
        "0.0.0.0",
        "--public-url",
        PUBLIC,
        FLEXOS_ALLOWED_HOSTS=EXTRA_HOST,
        FLEXOS_MAX_REQUESTS_PER_TOKEN="2",
    ) as running:
        yield running


async def _token_for(database_url: str, email: str | None = None, **terms) -> tuple[str, tokens.ApiToken]:
    """A token made in-process (the CLI's own path is tested where its options matter)."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        return await tokens.create_token(Database(pool), email or new_email(), "test", **terms)
    finally:
        await pool.close()


@pytest.fixture
async def token(database_url):
    return (await _token_for(database_url))[0]


async def _post(server, token: str | None, body: dict, **headers: str) -> httpx2.Response:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(timeout=30) as http:
        return await http.post(server.mcp_url, json=body, headers={**MCP_HEADERS, **auth, **headers})


async def test_foreign_host_and_origin_are_refused_on_a_wildcard_bind(server, token, subtests):
    listing = rpc("tools/list")
    assert (await _post(server, token, listing)).status_code == 200  # Host 127.0.0.1:PORT, the bind's own
    refused = await _post(server, token, listing, Host="evil.example")
    assert refused.status_code == 421 and "FLEXOS_ALLOWED_HOSTS" in refused.json()["error"]["message"]
    refused = await _post(server, token, listing, Origin="http://evil.example")
    assert refused.status_code == 403 and "Origin" in refused.json()["error"]["message"]
    # A refused request never reaches the token check: no token needed to be refused.
    assert (await _post(server, None, listing, Host="evil.example:443")).status_code == 421
    # The names the server is reached by: the public URL (with or without its default port), the
    # configured extra host, and the public origin.
    for host in ("flexos.example.com", "flexos.example.com:443", EXTRA_HOST):
        with subtests.test(host=host):
            assert (await _post(server, token, listing, Host=host)).status_code == 200, host
    assert (await _post(server, token, listing, Host="flexos.example.com", Origin=PUBLIC)).status_code == 200
    assert (await _post(server, token, listing, Origin="https://flexos.example.com.evil.example")).status_code == 403


async def test_get_on_the_stateless_endpoint_is_405_at_once(server, token):
    async with httpx2.AsyncClient(timeout=10) as http:
        started = time.monotonic()
        response = await http.get(
            server.mcp_url, headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        )
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        assert time.monotonic() - started < 5
        assert "POST" in response.json()["error"]["message"]


async def test_the_401_points_at_metadata_under_the_public_url(server):
    response = await _post(server, None, rpc("tools/list"))
    assert response.status_code == 401
    metadata_url = f"{PUBLIC}/.well-known/oauth-protected-resource/mcp"
    assert f'resource_metadata="{metadata_url}"' in response.headers["www-authenticate"]
    assert "token create" in response.json()["error_description"]
    bad = await _post(server, "flexos_nope", rpc("tools/list"))
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]

    async with httpx2.AsyncClient(timeout=10) as http:
        metadata = (await http.get(server.base_url + "/.well-known/oauth-protected-resource/mcp")).json()
        assert metadata["resource"] == f"{PUBLIC}/mcp" and metadata["bearer_methods_supported"] == ["header"]
        # Tokens come from the operator, not from OAuth: no authorization server is advertised, so
        # none can be a 404.
        assert "authorization_servers" not in metadata
        assert (await http.get(server.base_url + "/.well-known/oauth-authorization-server")).status_code == 404


async def test_expired_and_revoked_tokens_are_refused(server, database_url):
    expired, _ = await _token_for(database_url, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await _post(server, expired, rpc("tools/list"))).status_code == 401
    live, _record = await _token_for(database_url, expires_at=datetime.now(UTC) + timedelta(days=1))
    assert (await _post(server, live, rpc("tools/list"))).status_code == 200


async def test_a_read_only_token_reads_and_is_refused_writes(server, database_url):
    owner = new_email()
    writer, _ = await _token_for(database_url, owner)
    reader = new_token(database_url, owner, "--read-only", "--expires", "30d")
    async with mcp_client(server.mcp_url, writer) as client:
        project = (await client.call_tool("create_project", {"name": "Shared", "type": "web-app"})).structured_content
    async with mcp_client(server.mcp_url, reader) as client:
        got = await client.call_tool("get_project", {"project_id": project["id"]})
        assert not got.is_error and got.structured_content["name"] == "<user-content>Shared</user-content>"
        refused = await client.call_tool("update_project", {"project_id": project["id"], "name": "Renamed"})
        assert refused.is_error
        message = refused.content[0].text
        assert message.startswith("This token is read-only (created with --read-only): update_project changes data")
        assert "nothing was changed" in message
    async with mcp_client(server.mcp_url, writer) as client:
        assert (await client.call_tool("get_project", {"project_id": project["id"]})).structured_content[
            "name"
        ] == "<user-content>Shared</user-content>"

    listed = cli(database_url, "token", "list", "--email", owner).stdout.splitlines()
    assert listed[0].split() == ["ID", "NAME", "STATE", "ACCESS", "EXPIRES", "LAST", "USED"]
    read_only_row = next(line for line in listed if "read-only" in line)
    in_30_days = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    assert "active" in read_only_row and in_30_days in read_only_row


async def test_token_use_is_recorded_without_a_write_per_request(server, database_url, db):
    token, record = await _token_for(database_url)
    assert (await _post(server, token, rpc("tools/list"))).status_code == 200
    # The first use is written promptly, in the background...
    deadline = time.monotonic() + 10
    while (await db.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1", record.id)) is None:
        assert time.monotonic() < deadline, "the first use of a token was not recorded"
        await asyncio.sleep(0.2)
    version = await db.fetchval("SELECT xmin::text FROM api_tokens WHERE id = $1", record.id)
    # ...and then at most once a minute: twenty more requests (reads and a tool call) change nothing.
    for _ in range(10):
        assert (await _post(server, token, rpc("tools/list"))).status_code == 200
        assert (
            await _post(server, token, rpc("tools/call", {"name": "list_projects", "arguments": {}}))
        ).status_code == 200
    await asyncio.sleep(2)
    assert await db.fetchval("SELECT xmin::text FROM api_tokens WHERE id = $1", record.id) == version


async def test_requests_in_flight_are_bounded_per_token(server, database_url, token):
    release = asyncio.Event()

    async def slow_body():
        yield b'{"jsonrpc": "2.0", "id": 1, '
        await release.wait()
        yield b'"method": "tools/list"}'

    async with httpx2.AsyncClient(timeout=30) as http:
        headers = {**MCP_HEADERS, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        held = [asyncio.create_task(http.post(server.mcp_url, content=slow_body(), headers=headers)) for _ in range(2)]
        await asyncio.sleep(1.0)  # both are in flight, waiting for the rest of their bodies
        over = await http.post(server.mcp_url, json=rpc("tools/list"), headers=headers)
        assert over.status_code == 429 and over.headers["retry-after"] == "1"
        assert "FLEXOS_MAX_REQUESTS_PER_TOKEN" in over.json()["error"]["message"]
        other, _ = await _token_for(database_url)  # another token is not held back
        assert (await _post(server, other, rpc("tools/list"))).status_code == 200
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await http.post(server.mcp_url, json=rpc("tools/list"), headers=headers)).status_code == 200


async def test_health_and_readiness(server, db):
    async with httpx2.AsyncClient(timeout=10) as http:
        health = await http.get(server.base_url + "/healthz", headers={"Host": "10.1.2.3:8000"})
        assert health.status_code == 200 and health.json()["status"] == "ok"
        ready = await http.get(server.base_url + "/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        newest = ready.json()["schema_version"]
        row = await db.fetchrow("DELETE FROM flexos_schema_migrations WHERE version = $1 RETURNING *", newest)
        try:
            behind = await http.get(server.base_url + "/readyz")
            assert behind.status_code == 503 and "flexos-mcp migrate" in behind.json()["reason"]
        finally:
            await db.execute("INSERT INTO flexos_schema_migrations SELECT ($1::flexos_schema_migrations).*", row)
        assert (await http.get(server.base_url + "/readyz")).status_code == 200


async def test_the_http_server_does_not_start_on_an_unmigrated_database(pg_admin_url):
    from helpers.databases import fresh_database

    async with fresh_database(pg_admin_url, None) as empty:
        started = cli(empty, "serve", "--transport", "http", "--port", "1")
        assert started.returncode == 1
        assert "has no FlexOS schema yet" in started.stderr and "Run `flexos-mcp migrate`" in started.stderr
        conn = await asyncpg.connect(empty)
        try:  # it wrote nothing
            assert await conn.fetchval("SELECT to_regclass('flexos_schema_migrations')") is None
        finally:
            await conn.close()


async def test_a_read_only_server_runs_on_a_database_that_refuses_every_write(pg_admin_url, template_database):
    """What a read replica looks like: `--read-only` serves reads and tokens, and never writes
    (no migration, no token use recorded)."""
    from urllib.parse import urlsplit

    from helpers.databases import fresh_database

    async with fresh_database(pg_admin_url, template_database) as url:
        token, record = await _token_for(url)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f'ALTER DATABASE "{urlsplit(url).path[1:]}" SET default_transaction_read_only = on')
        finally:
            await conn.close()
        with http_server(url, "--read-only") as replica:
            async with mcp_client(replica.mcp_url, token) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                assert "get_project" in names and "create_project" not in names
                assert (await client.call_tool("get_me", {})).structured_content["email"] == record.email
                assert (await client.call_tool("list_projects", {})).structured_content["items"] == []
            await asyncio.sleep(1.5)  # past the moment a token use would be written
            assert "read-only transaction" not in replica.log() and "Traceback" not in replica.log()
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1", record.id) is None
        finally:
            await conn.close()


async def test_an_oversized_body_is_refused_with_413(server, token):
    big = rpc("tools/call", {"name": "get_me", "arguments": {"padding": "x" * (5 * 1024 * 1024)}})
    assert (await _post(server, token, big)).status_code == 413
