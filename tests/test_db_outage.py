"""Database faults, on a PostgreSQL of this module's own that it stops, restarts and freezes
(SIGSTOP): every request gets a clean "database unavailable" answer within the documented bound,
the log says so once per outage, and the server recovers without a restart."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.migrate import migrate
from flexos_mcp.domain import tokens

from helpers.controlled_postgres import ControlledPostgres
from helpers.http_helpers import MCP_HEADERS, http_server, mcp_client, rpc
from helpers.mcp_client import connect, new_email

DB_TIMEOUT_S = 2.0  # FLEXOS_DB_TIMEOUT_S for these servers, so the bounds are short
UNAVAILABLE = "The database is unavailable"
NO_ANSWER = "The database did not answer in time"


@pytest.fixture(scope="module")
def postgres():
    pg = ControlledPostgres()
    yield pg
    pg.close()


@pytest.fixture(scope="module")
async def flexos_url(postgres):
    conn = await asyncpg.connect(postgres.url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return postgres.url


@pytest.fixture(scope="module")
async def token(flexos_url):
    pool = await asyncpg.create_pool(flexos_url, min_size=1, max_size=1)
    try:
        secret, _ = await tokens.create_token(Database(pool), new_email(), "outage")
    finally:
        await pool.close()
    return secret


@pytest.fixture(scope="module")
def server(flexos_url, token):
    with http_server(flexos_url, FLEXOS_DB_TIMEOUT_S=str(DB_TIMEOUT_S)) as running:
        yield running


async def _call(http: httpx2.AsyncClient, server, token: str) -> tuple[httpx2.Response | Exception, float]:
    started = time.monotonic()
    try:
        response = await http.post(
            server.mcp_url,
            headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"},
            json=rpc("tools/call", {"name": "list_projects", "arguments": {}}),
        )
    except httpx2.HTTPError as exc:  # a dropped connection: must not happen
        return exc, time.monotonic() - started
    return response, time.monotonic() - started


async def _burst(http, server, token: str, n: int) -> list[tuple[httpx2.Response | Exception, float]]:
    """`n` calls at once."""
    return list(await asyncio.gather(*(_call(http, server, token) for _ in range(n))))


async def _until_served(http, server, token, within_s: float = 20) -> None:
    deadline = time.monotonic() + within_s
    while True:
        response, _ = await _call(http, server, token)
        if isinstance(response, httpx2.Response) and response.status_code == 200:
            return
        assert time.monotonic() < deadline, f"not served again after {within_s} s: {response}"
        await asyncio.sleep(0.3)


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc, *([exc.__context__] if exc.__context__ else [])]


def _assert_clean_unavailable(response, expected: str) -> None:
    assert isinstance(response, httpx2.Response), f"dropped connection: {response!r}"
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    error = response.json()["error"]
    assert error["message"].startswith(expected) and "Try again in a few seconds" in error["message"]


async def test_a_stopped_database_gets_a_clean_answer_on_every_request_then_recovers(server, postgres, token):
    async with httpx2.AsyncClient(timeout=30) as http:
        await _until_served(http, server, token)
        postgres.stop()
        try:
            for response, _ in await _burst(http, server, token, 40):
                _assert_clean_unavailable(response, UNAVAILABLE)
            # A real MCP client shows the message as the error of the call (here: its opening one).
            with pytest.raises(BaseException) as caught:
                async with mcp_client(server.mcp_url, token) as client:
                    await client.list_tools()
            assert any(UNAVAILABLE in str(e) for e in _leaves(caught.value) if isinstance(e, MCPError))
            ready = await http.get(server.base_url + "/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        finally:
            postgres.start()
        await _until_served(http, server, token)
        assert (await http.get(server.base_url + "/readyz")).status_code == 200
    assert server.process.poll() is None  # the same process, never restarted
    log = server.log()
    assert log.count("database unavailable:") == 1 and log.count("database available again") == 1
    assert "Traceback" not in log and " 500 " not in log


async def test_a_hung_database_fails_requests_within_the_bound(server, postgres, token):
    async with httpx2.AsyncClient(timeout=60) as http:
        await _until_served(http, server, token)
        postgres.freeze()
        try:
            results = await _burst(http, server, token, 6)
            again = await _call(http, server, token)
        finally:
            postgres.thaw()
        for response, elapsed in [*results, again]:
            _assert_clean_unavailable(response, NO_ANSWER)
            # The documented bound: FLEXOS_DB_TIMEOUT_S, at worst twice that (a fresh connection
            # that opened and then stopped answering); a little slack for a busy machine.
            assert elapsed < 2 * DB_TIMEOUT_S + 1.5, elapsed
        await _until_served(http, server, token)
    assert "Traceback" not in server.log()


async def test_tool_calls_on_the_gateway_fail_cleanly_and_recover(flexos_url, postgres, caplog):
    """The stdio path (no token check in front): a call already inside the server when the
    database stops or hangs gets a tool error, within the statement timeout plus 2 s."""
    caplog.set_level(logging.DEBUG, logger="flexos_mcp")
    async with connect(flexos_url, statement_timeout_ms=1000, db_timeout_s=DB_TIMEOUT_S) as client:
        assert not (await client.call_tool("list_projects", {})).is_error
        postgres.freeze()
        try:
            started = time.monotonic()
            hung = await client.call_tool("list_projects", {})
            elapsed = time.monotonic() - started
        finally:
            postgres.thaw()
        assert hung.is_error and hung.content[0].text.startswith(NO_ANSWER)
        assert elapsed < 1.0 + 2 + 1.5, elapsed  # statement timeout + 2 s grace, + slack
        assert not (await client.call_tool("list_projects", {})).is_error

        postgres.stop()
        try:
            for _ in range(5):
                failed = await client.call_tool("create_project", {"name": "Lost", "type": "web-app"})
                assert failed.is_error and failed.content[0].text.startswith(UNAVAILABLE)
        finally:
            postgres.start()
        deadline = time.monotonic() + 20
        while (await client.call_tool("list_projects", {})).is_error:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.3)
        assert (await client.call_tool("list_projects", {})).structured_content["items"] == []  # nothing half-made
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "flexos_mcp.db.availability" and r.levelno >= logging.WARNING
    ]
    assert sum(m.startswith("database unavailable") for m in warnings) == 2  # one per outage, not per call
    assert sum(m.startswith("database available again") for m in warnings) == 2
    assert not [r for r in caplog.records if r.exc_info and r.name.startswith("flexos_mcp")]
