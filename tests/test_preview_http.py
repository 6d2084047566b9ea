"""The preview app's HTTP rules, in process (no browser): every route refuses every writing
method, a user reaches only their own projects (loopback user or bearer tokens), foreign Host
names are refused on loopback, text people wrote is escaped, bad query values are explained,
and the mockup frame carries its sandbox policy."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx2
import pytest
from starlette.routing import Mount

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import tokens
from flexos_mcp.preview.app import ROUTES, PreviewOptions, create_app

from helpers.databases import fresh_database
from helpers.mcp_client import call, connect, new_email
from helpers.preview_support import flexos_env

WRITING_METHODS = ("POST", "PUT", "DELETE", "PATCH")
NAME = '<script>alert("page")</script> Sign <b>up</b>'


@asynccontextmanager
async def preview(
    database_url: str, email: str, *, require_tokens: bool = False, base_url: str = "http://127.0.0.1:8766"
) -> AsyncIterator[httpx2.AsyncClient]:
    app = create_app(Config(database_url=database_url, user_email=email), PreviewOptions(require_tokens=require_tokens))
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=base_url) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client


async def _project(client: Any) -> dict[str, Any]:
    project = await call(client, "create_project", name="Preview test", type="web-app")
    pid = project["id"]
    page = await call(
        client,
        "create_page",
        project_id=pid,
        name=NAME,
        path="/signup",
        purpose="Let <i>visitors</i> sign up",
        html_content="<h1>One</h1>",
        css_content="h1 { color: red }",
    )
    await call(
        client,
        "create_mockup_version",
        page_id=page["id"],
        html_content="<h1>Two</h1>",
        change_description='"Bigger" <heading>',
    )
    flow = await call(client, "create_flow", project_id=pid, name="Journey <1>")
    await call(client, "add_flow_step", flow_id=flow["id"], node_type="screen", label="Start <here>")
    run = await call(client, "start_wizard", project_id=pid, wizard_type="page-creator", brief="Brief with <tags>")
    await call(
        client, "log_thought", run_id=run["id"], thought_type="question", reasoning="Is <this> right?", confidence=0.5
    )
    await call(client, "analyze_design_system", project_id=pid)
    return {
        "project_id": pid,
        "page_id": page["id"],
        "mockup_id": page["current_mockup"]["id"],
        "flow_id": flow["id"],
        "run_id": run["id"],
    }


@pytest.fixture(scope="module")
async def owner(database_url: str) -> dict[str, Any]:
    email = new_email()
    async with connect(database_url, email) as client:
        return {"email": email, **await _project(client)}


@pytest.fixture(scope="module")
async def stranger(database_url: str) -> dict[str, Any]:
    email = new_email()
    async with connect(database_url, email) as client:
        return {"email": email, **await _project(client)}


def every_path(ids: dict[str, Any]) -> list[str]:
    """A concrete URL for every route of the app, filled with these ids."""
    paths = []
    for route in ROUTES:
        if isinstance(route, Mount):
            paths.append(route.path + "/preview.css")
            continue
        params = {name: ids[name] for name in route.param_convertors}
        paths.append(route.url_path_for(route.name, **params))
    return paths


def test_every_route_is_swept():
    assert (
        len(
            every_path(
                {
                    k: "00000000-0000-0000-0000-000000000000"
                    for k in ("project_id", "page_id", "mockup_id", "flow_id", "run_id")
                }
            )
        )
        == len(ROUTES)
        == 10
    )


async def test_no_route_answers_a_writing_method(database_url: str, owner: dict[str, Any], subtests):
    async with preview(database_url, owner["email"]) as client:
        for path in every_path(owner):
            assert (await client.get(path)).status_code == 200, path
            for method in WRITING_METHODS:
                with subtests.test(method=method):
                    response = await client.request(method, path, content=b"name=x")
                    assert response.status_code == 405, (method, path)
                    assert response.headers["allow"] == "GET, HEAD"
        assert (await client.request("POST", "/no/such/route")).status_code == 405
        assert (await client.head(every_path(owner)[1])).status_code == 200


async def test_the_pool_is_read_only(database_url: str, owner: dict[str, Any]):
    async with preview(database_url, owner["email"]) as client:
        db: Database = client.app.state.db
        assert db.read_only
        assert await db.fetchval("SHOW default_transaction_read_only") == "on"


async def test_another_users_records_answer_like_missing_ones(
    database_url: str, owner: dict[str, Any], stranger: dict[str, Any]
):
    missing = {k: "00000000-0000-4000-8000-000000000000" for k in stranger if k.endswith("_id")}
    async with preview(database_url, owner["email"]) as client:
        for theirs, nothing in zip(every_path(stranger)[1:-1], every_path(missing)[1:-1], strict=True):
            foreign, absent = await client.get(theirs), await client.get(nothing)
            assert foreign.status_code == absent.status_code == 404, theirs
            assert foreign.text.replace(theirs, "") == absent.text.replace(nothing, "")
        mine = await client.get("/")
        assert "Preview test" in mine.text and mine.text.count('class="card"') == 1
        # My project id with their page id is not a way in either.
        mixed = f"/projects/{owner['project_id']}/pages/{stranger['page_id']}"
        assert (await client.get(mixed)).status_code == 404


async def test_text_people_wrote_is_escaped(database_url: str, owner: dict[str, Any]):
    async with preview(database_url, owner["email"]) as client:
        project = (await client.get(f"/projects/{owner['project_id']}")).text
        page = (await client.get(f"/projects/{owner['project_id']}/pages/{owner['page_id']}")).text
        flow = (await client.get(f"/projects/{owner['project_id']}/flows/{owner['flow_id']}")).text
        run = (await client.get(f"/projects/{owner['project_id']}/runs/{owner['run_id']}")).text
    for html in (project, page):
        assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;page&#34;)&lt;/script&gt;" in html
    assert "<b>up</b>" not in page and "<i>visitors</i>" not in page and "&lt;heading&gt;" in page
    assert "Journey &lt;1&gt;" in flow and "Start &lt;here&gt;" in flow
    assert "Brief with &lt;tags&gt;" in run and "Is &lt;this&gt; right?" in run
    assert "user-content" not in run  # the wrapper for models is not shown to people


async def test_pages_carry_a_strict_policy_and_the_frame_its_sandbox(
    database_url: str, owner: dict[str, Any], subtests
):
    async with preview(database_url, owner["email"]) as client:
        page = await client.get(f"/projects/{owner['project_id']}/pages/{owner['page_id']}")
        frame = await client.get(f"/projects/{owner['project_id']}/mockups/{owner['mockup_id']}/frame")
    policy = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy
        and "frame-ancestors 'none'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert page.headers["cache-control"] == "no-store" and "set-cookie" not in page.headers
    assert re.search(r'<iframe class="mockup [^"]*" sandbox="allow-scripts"', page.text)
    frame_policy = frame.headers["content-security-policy"]
    assert frame_policy.startswith("sandbox allow-scripts;")
    for directive in ("default-src 'none'", "connect-src 'none'", "form-action 'none'", "frame-ancestors 'self'"):
        with subtests.test(directive=directive):
            assert directive in frame_policy
    assert frame.text == "<h1>One</h1>\n<style>h1 { color: red }</style>"  # as written, no <user-content> wrapper


async def test_bad_query_values_are_explained(database_url: str, owner: dict[str, Any], subtests):
    base = f"/projects/{owner['project_id']}/pages/{owner['page_id']}"
    async with preview(database_url, owner["email"]) as client:
        for query, words in (
            ("?version=7", "no version 7; its versions are 1, 2"),
            ("?version=abc", "version"),
            ("?viewport=watch", "mobile, tablet, desktop"),
            ("/compare?mode=blink", "side, overlay"),
            ("/compare?opacity=500", "from 0 to 100"),
        ):
            with subtests.test(query=query, words=words):
                response = await client.get(base + query)
                assert response.status_code == 400, query
                assert words in response.text.replace("&#39;", "'"), (query, response.text[-600:])
        assert "version 1" in (await client.get(base + "?version=1")).text.lower()


async def test_loopback_preview_refuses_foreign_host_names(database_url: str, owner: dict[str, Any]):
    async with preview(database_url, owner["email"], base_url="http://attacker.example:8766") as client:
        assert (await client.get("/")).status_code == 421
    async with preview(database_url, owner["email"], base_url="http://localhost:8766") as client:
        assert (await client.get("/")).status_code == 200


async def test_an_unknown_user_sees_how_to_start(database_url: str, owner: dict[str, Any]):
    async with preview(database_url, new_email()) as client:
        home = await client.get("/")
        assert home.status_code == 200 and "flexos-mcp demo" in home.text
        assert (await client.get(f"/projects/{owner['project_id']}")).status_code == 404


async def test_with_tokens_each_request_reads_as_its_token_user(
    database_url: str, owner: dict[str, Any], stranger: dict[str, Any], subtests
):
    pool = await create_pool(database_url, max_size=1)
    try:
        secret, _ = await tokens.create_token(Database(pool), owner["email"], "preview")
        revoked, record = await tokens.create_token(Database(pool), owner["email"], "old")
        await tokens.revoke_token(Database(pool), record.id)
    finally:
        await pool.close()
    basic = base64.b64encode(f"anyone:{secret}".encode()).decode()
    async with preview(
        database_url, "nobody@example.test", require_tokens=True, base_url="http://preview.example.com"
    ) as client:
        refused = await client.get("/")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
        for header in (f"Bearer {revoked}", "Bearer flexos_nonsense", "Basic !!!", f"Bearer {secret}x"):
            with subtests.test(header=header):
                assert (await client.get("/", headers={"Authorization": header})).status_code == 401, header
        for header in (f"Bearer {secret}", f"Basic {basic}"):
            home = await client.get("/", headers={"Authorization": header})
            assert home.status_code == 200 and owner["email"] in home.text
        theirs = await client.get(f"/projects/{stranger['project_id']}", headers={"Authorization": f"Bearer {secret}"})
        assert theirs.status_code == 404
        assert (await client.post("/", headers={"Authorization": f"Bearer {secret}"})).status_code == 405


async def test_the_preview_never_migrates_an_old_database(pg_admin_url: str, tmp_path):
    """It writes nothing, not even at start: on a database without the current schema it stops
    with the command to run, and the database is left as it was."""
    async with fresh_database(pg_admin_url, None) as url:
        env = flexos_env(url, new_email(), str(tmp_path))
        started = subprocess.run(
            [sys.executable, "-m", "flexos_mcp", "preview", "--port", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 1
        assert "has no FlexOS schema yet" in started.stderr and "flexos-mcp migrate" in started.stderr
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        finally:
            await conn.close()
