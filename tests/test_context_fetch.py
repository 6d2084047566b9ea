"""fetch_context_url through a real MCP client against real servers: off unless allowed; never to
loopback, private, link-local or otherwise non-public addresses — checked after DNS and on every
redirect hop, before any connection — with size and time limits; refused calls store nothing.

The positive fetches and the redirects need a server at a public address: a test host in a network
namespace (helpers/netns_hosts.py; root). A loopback server that counts its requests proves the refused
fetches never connected."""

from __future__ import annotations

import base64
import http.server
import threading
from collections.abc import Iterator

import pytest

from helpers.context_files import stored_files
from helpers.mcp_client import call, connect, error_of, new_email
from helpers.netns_hosts import WebHost, public_web_host
from helpers.project_fixtures import make_project
from helpers.records import dump_project

CONTEXT = ("projects", "context", "analytics")


class _Counting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"internal secret")


@pytest.fixture
def loopback_server() -> Iterator[tuple[int, type[_Counting]]]:
    handler = type("Counting", (_Counting,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def web_host() -> Iterator[WebHost]:
    with public_web_host() as host:
        yield host


async def test_fetching_is_off_unless_allowed(database_url, db, tmp_path):
    email = new_email()
    project = str(await make_project(db, email))
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=tmp_path) as client:
        message = await error_of(client, "fetch_context_url", project_id=project, url="https://example.com/")
        assert "FLEXOS_ALLOW_FETCH=true" in message and "restart" in message and "Nothing was saved" in message


async def test_non_public_addresses_are_refused_before_connecting(database_url, db, tmp_path, loopback_server):
    port, handler = loopback_server
    email = new_email()
    project = str(await make_project(db, email))
    rows = await dump_project(db, project)
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=tmp_path, allow_fetch=True) as client:
        cases = [
            (f"http://127.0.0.1:{port}/", "loopback"),
            (f"http://localhost:{port}/", "loopback"),
            (f"http://[::1]:{port}/", "loopback"),
            (f"http://[::ffff:127.0.0.1]:{port}/", "loopback"),
            (f"http://0.0.0.0:{port}/", "unspecified"),
            ("http://10.0.0.1/", "private-network"),
            ("http://10.255.3.4:8080/admin", "private-network"),
            ("http://192.168.1.1/", "private-network"),
            ("http://169.254.169.254/latest/meta-data/", "link-local"),
            ("http://100.64.0.1/", "not a public internet address"),
            ("http://user:pw@example.com/", "user name or password"),
        ]
        for url, reason in cases:
            message = await error_of(client, "fetch_context_url", project_id=project, url=url)
            assert "Invalid url:" in message, message
            assert reason in message and "Nothing was fetched or saved" in message, (url, message)
        message = await error_of(client, "fetch_context_url", project_id=project, url="file:///etc/passwd")
        assert "url" in message and "http" in message
    assert handler.hits == 0
    assert await dump_project(db, project) == rows and stored_files(tmp_path) == []


async def test_a_public_page_is_fetched_analysed_and_searchable(database_url, db, tmp_path, web_host):
    email = new_email()
    project = str(await make_project(db, email))
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=tmp_path, allow_fetch=True) as client:
        page = await call(
            client,
            "fetch_context_url",
            project_id=project,
            url=web_host.url("/hop"),
            tags=["kanban"],
            submitted_context="a board layout I like",
        )
        assert page["item_type"] == "url" and page["content_url"] == web_host.url("/hop")
        fetched = page["content_metadata"]["fetched"]
        assert fetched["final_url"] == web_host.url("/page.html") and fetched["redirects"] == [
            web_host.url("/page.html")
        ]
        assert fetched["status"] == 200 and fetched["content_type"].startswith("text/html")
        assert page["content_metadata"]["title"] == "Kanban inspiration"
        assert "Boards that flow" in page["content_text"] and "alert" not in page["content_text"]
        assert page["ai_analysis"]["layout_type"] == "card-grid" and "#0F172A" in page["ai_analysis"]["color_palette"]
        assert page["tags"] == ["kanban"] and page["file_resource"] is None
        hits = await call(client, "search_project", project_id=project, query="boards flow")
        assert page["id"] in {h["id"] for h in hits["hits"]}

        shot = await call(client, "fetch_context_url", project_id=project, url=web_host.url("/shot.png"))
        assert shot["item_type"] == "screenshot" and shot["content_url"].startswith("flexos://files/sha256/")
        assert shot["content_metadata"]["image"]["width"] == 1280
        assert shot["content_metadata"]["fetched"]["url"] == web_host.url("/shot.png")
        assert shot["ai_analysis"]["color_palette"] == ["#DC2626"]
        blob = (await client.read_resource(shot["file_resource"])).contents[0]
        assert base64.b64decode(blob.blob).startswith(b"\x89PNG") and blob.mime_type == "image/png"


async def test_redirects_to_inner_addresses_and_limits_are_refused(
    database_url, db, tmp_path, web_host, loopback_server
):
    port, handler = loopback_server
    email = new_email()
    project = str(await make_project(db, email))
    rows = await dump_project(db, project)
    settings = dict(toolsets=CONTEXT, store_dir=tmp_path, allow_fetch=True, max_file_mb=1, fetch_timeout_s=1.5)
    async with connect(database_url, email=email, **settings) as client:
        for target, reason in (
            (f"http://127.0.0.1:{port}/", "loopback"),
            ("http://10.0.0.1/", "private-network"),
            ("http://169.254.169.254/latest/meta-data/", "link-local"),
            (f"http://localhost:{port}/", "loopback"),
            ("file:///etc/passwd", "scheme"),
        ):
            message = await error_of(
                client, "fetch_context_url", project_id=project, url=web_host.url(f"/to?target={target}")
            )
            assert reason in message and "Nothing was fetched or saved" in message, (target, message)
        big = await error_of(client, "fetch_context_url", project_id=project, url=web_host.url("/big"))
        assert "larger than the limit of 1 MB" in big and "FLEXOS_MAX_FILE_MB" in big
        slow = await error_of(client, "fetch_context_url", project_id=project, url=web_host.url("/slow"))
        assert "did not answer within 1.5 s" in slow
        missing = await error_of(client, "fetch_context_url", project_id=project, url=web_host.url("/nowhere"))
        assert "answered HTTP 404" in missing
        program = await error_of(client, "fetch_context_url", project_id=project, url=web_host.url("/program.png"))
        assert "never stores programs" in program
    assert handler.hits == 0
    assert await dump_project(db, project) == rows and stored_files(tmp_path) == []
