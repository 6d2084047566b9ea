"""MCP Apps views (`ui://` resources) through a real MCP client, and each view loaded in Chromium
inside a test host page that plays the host's side of the protocol: it answers `ui/initialize`,
sends the tool's input and result, proxies the view's `tools/call` to the real server, and
serves the view under the Content-Security-Policy the spec builds from the resource's
`_meta.ui.csp`. Nothing else is reachable: every other request is refused and recorded."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from mcp import Client
from mcp.client.extension import advertise
from playwright.async_api import Browser, Page, expect

from flexos_mcp.config import Config
from flexos_mcp.server.app import build_server
from flexos_mcp.server.apps import VIEWS

from helpers import preview_support
from helpers.mcp_client import call, connect, new_email
from helpers.preview_support import flexos_env, grow_example_project, load_demo, save_screenshot

browser = preview_support.browser  # the module's Chromium (a fixture)
APPS = advertise("io.modelcontextprotocol/ui", {"mimeTypes": ["text/html;profile=mcp-app"]})
HOST = "http://host.flexos.test/"
VIEW = "http://view.flexos.test/view.html"
UI_TOOLS = {
    "get_page": "mockup",
    "get_mockup": "mockup",
    "get_design_system": "design-system",
    "get_flow": "flow",
    "analyze_flow": "flow",
    "get_thinking_chain": "thinking",
}

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test host</title></head><body>
<iframe id="view" title="FlexOS view" sandbox="allow-scripts" src="%(view)s" style="width: 1000px; height: 700px; border: 0"></iframe>
<script id="call" type="application/json">%(call)s</script>
<script>
const frame = document.getElementById("view");
const call = JSON.parse(document.getElementById("call").textContent);
window.received = [];
function post(message) { frame.contentWindow.postMessage(Object.assign({jsonrpc: "2.0"}, message), "*"); }
window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow) return;
  const message = event.data;
  window.received.push(message.method || "response");
  if (message.method === "ui/initialize") {
    post({id: message.id, result: {protocolVersion: "2026-01-26", hostInfo: {name: "flexos-test-host", version: "1"},
          hostCapabilities: {serverTools: {}, logging: {}},
          hostContext: {theme: "light", displayMode: "inline", containerDimensions: {width: 1000, maxHeight: 4000}}}});
  } else if (message.method === "ui/notifications/initialized") {
    post({method: "ui/notifications/tool-input", params: {arguments: call.arguments}});
    post({method: "ui/notifications/tool-result", params: call.result});
  } else if (message.method === "tools/call") {
    try { post({id: message.id, result: await window.flexosCallTool(message.params.name, message.params.arguments)}); }
    catch (error) { post({id: message.id, error: {code: -32000, message: String(error)}}); }
  } else if (message.method === "ui/notifications/size-changed") {
    frame.style.height = Math.min(message.params.height, 4000) + "px";
  }
});
</script></body></html>"""


def view_policy(csp: dict[str, list[str]]) -> str:
    """The CSP a host MUST build from a view's declared domains (MCP Apps 2026-01-26)."""

    def extra(key: str) -> str:
        return " ".join(csp.get(key) or [])

    return (
        f"default-src 'none'; script-src 'self' 'unsafe-inline' {extra('resourceDomains')}; "
        f"style-src 'self' 'unsafe-inline' {extra('resourceDomains')}; connect-src 'self' {extra('connectDomains')}; "
        f"img-src 'self' data: {extra('resourceDomains')}; font-src 'self' {extra('resourceDomains')}; "
        f"media-src 'self' data: {extra('resourceDomains')}; frame-src {extra('frameDomains') or chr(39) + 'none' + chr(39)}; "
        f"object-src 'none'; base-uri {extra('baseUriDomains') or chr(39) + 'self' + chr(39)}"
    )


@asynccontextmanager
async def apps_client(database_url: str, email: str) -> AsyncIterator[Client]:
    config = Config(database_url=database_url, user_email=email, toolsets=("all",))
    async with Client(build_server(config), extensions=[APPS]) as client:
        yield client


@dataclass
class Project:
    email: str
    ids: dict[str, Any]


@pytest.fixture(scope="module")
async def project(database_url: str, tmp_path_factory) -> Project:
    email = new_email()
    load_demo(flexos_env(database_url, email, str(tmp_path_factory.mktemp("apps"))))
    async with connect(database_url, email) as client:
        return Project(email, await grow_example_project(client))


# -- the protocol, through a real MCP client ----------------------------------------------------


async def test_views_through_a_real_client(database_url: str, project: Project):
    """Listed and read with their CSP; named on their tools only for a client that negotiated
    Apps; and the tool result is the same either way."""
    design_args = {"project_id": project.ids["project"]}
    async with apps_client(database_url, project.email) as client:
        assert "io.modelcontextprotocol/ui" in (client.server_capabilities.extensions or {})
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        for uri, view in VIEWS.items():
            assert listed[uri].mime_type == "text/html;profile=mcp-app"
            assert listed[uri].title == view.title
            content = (await client.read_resource(uri)).contents[0]
            assert content.mime_type == "text/html;profile=mcp-app"
            assert content.meta["ui"]["csp"] == {"connectDomains": [], "resourceDomains": [], "frameDomains": []}
            assert content.meta["ui"]["permissions"] == {}
            html = content.text
            assert html.startswith("<!doctype html>") and f'data-view="{view.kind}"' in html
            assert "<!-- flexos:" not in html  # every part inlined
            assert 'src="http' not in html and 'href="http' not in html  # nothing from a network
        tools = {t.name: t for t in (await client.list_tools()).tools}
        bound = {name: (t.meta or {}).get("ui", {}).get("resourceUri") for name, t in tools.items()}
        assert {name: uri for name, uri in bound.items() if uri} == {
            name: f"ui://flexos/views/{kind}.html" for name, kind in UI_TOOLS.items()
        }
        assert {uri for uri in bound.values() if uri} <= set(listed)
        design_with = await client.call_tool("get_design_system", design_args)
        flow_with = await client.call_tool("analyze_flow", {"flow_id": project.ids["flow"]})
    async with connect(database_url, project.email) as plain:
        assert all("ui" not in (t.meta or {}) for t in (await plain.list_tools()).tools)
        design_without = await plain.call_tool("get_design_system", design_args)
        flow_without = await plain.call_tool("analyze_flow", {"flow_id": project.ids["flow"]})
    assert design_with.structured_content == design_without.structured_content
    assert [c.model_dump() for c in design_with.content] == [c.model_dump() for c in design_without.content]
    assert flow_with.structured_content == flow_without.structured_content


# -- each view in Chromium, inside the test host ------------------------------------------------


@dataclass
class Hosted:
    page: Page
    errors: list[str]
    refused: list[str]
    tool_calls: list[str]


@asynccontextmanager
async def hosted(browser: Browser, client: Client, tool: str, arguments: dict[str, Any]) -> AsyncIterator[Hosted]:
    """The tool's view in the test host, showing the result of a real call of the tool."""
    view_uri = next(t.meta["ui"]["resourceUri"] for t in (await client.list_tools()).tools if t.name == tool)
    content = (await client.read_resource(view_uri)).contents[0]
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    call_json = json.dumps(
        {"arguments": arguments, "result": result.model_dump(by_alias=True, mode="json", exclude_none=True)}
    )
    host_page = HOST_PAGE % {"view": VIEW, "call": call_json.replace("</", "<\\/")}
    context = await browser.new_context(viewport={"width": 1040, "height": 900})
    page = await context.new_page()
    found = Hosted(page, [], [], [])

    async def serve(route: Any) -> None:
        url = route.request.url
        if url == HOST:
            await route.fulfill(body=host_page, content_type="text/html")
        elif url == VIEW:
            await route.fulfill(
                body=content.text,
                content_type="text/html",
                headers={"Content-Security-Policy": view_policy(content.meta["ui"]["csp"])},
            )
        else:
            found.refused.append(url)
            await route.abort()

    async def call_tool(name: str, args: dict[str, Any]) -> dict[str, Any]:
        found.tool_calls.append(name)
        answer = await client.call_tool(name, args)
        return answer.model_dump(by_alias=True, mode="json", exclude_none=True)

    await context.route("**/*", serve)
    await page.expose_function("flexosCallTool", call_tool)
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.errors.append(str(e)))
    try:
        await page.goto(HOST)
        yield found
    finally:
        await context.close()


def view(found: Hosted) -> Any:
    return found.page.frame_locator("#view")


async def test_the_mockup_view_draws_the_mockup_in_a_nested_sandbox(
    database_url: str, project: Project, browser: Browser
):
    async with apps_client(database_url, project.email) as client:
        page = await call(client, "get_page", page_id=project.ids["login"], include_current_mockup=True)
        async with hosted(browser, client, "get_mockup", {"mockup_id": page["current_mockup"]["id"]}) as found:
            inner = view(found).locator("iframe")
            await expect(inner).to_have_attribute("sandbox", "allow-scripts")
            await expect(view(found).get_by_role("heading", name="Mockup · version 2")).to_be_visible()
            await expect(
                view(found).frame_locator("iframe").get_by_role("heading", name="Good to see you again")
            ).to_be_visible()
            await view(found).get_by_role("button", name="mobile 390×844").click()
            await expect(inner).to_have_css("width", "390px")
            save_screenshot(await found.page.screenshot(full_page=True), "apps-mockup")
            assert found.errors == [] and found.refused == []


async def test_the_page_view_fetches_the_current_mockup_through_the_host(
    database_url: str, project: Project, browser: Browser
):
    async with (
        apps_client(database_url, project.email) as client,
        hosted(browser, client, "get_page", {"page_id": project.ids["login"]}) as found,
    ):
        await expect(view(found).get_by_role("heading", name="Log in · version 2")).to_be_visible()
        await expect(
            view(found).frame_locator("iframe").get_by_role("heading", name="Good to see you again")
        ).to_be_visible()
        assert found.tool_calls == ["get_mockup"]
        assert found.errors == [] and found.refused == []


async def test_the_design_system_view(database_url: str, project: Project, browser: Browser):
    async with (
        apps_client(database_url, project.email) as client,
        hosted(browser, client, "get_design_system", {"project_id": project.ids["project"]}) as found,
    ):
        primary = view(found).locator(".swatch", has_text=re.compile(r"^\s*primary\b(?!-)"))  # not on-primary
        await expect(primary).to_contain_text("#DC2626")
        await expect(primary).to_contain_text("used 44× on 8 pages")
        assert await primary.locator(".chip").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(220, 38, 38)"
        await expect(view(found).get_by_role("heading", name="Type scale")).to_be_visible()
        await expect(view(found).locator(".bar")).to_have_count(5)
        save_screenshot(await found.page.screenshot(full_page=True), "apps-design-system")
        assert found.errors == [] and found.refused == []


@pytest.mark.parametrize("tool", ["analyze_flow", "get_flow"])
async def test_the_flow_view_highlights_faults(database_url: str, project: Project, browser: Browser, tool: str):
    async with (
        apps_client(database_url, project.email) as client,
        hosted(browser, client, tool, {"flow_id": project.ids["flow"]}) as found,
    ):
        await expect(view(found).get_by_role("heading", name="Sign up")).to_be_visible()
        unreachable = view(found).locator("svg.diagram g.node.unreachable")
        await expect(unreachable).to_have_count(1)
        await expect(unreachable).to_contain_text("Forgotten help page")
        await expect(view(found).locator("svg.diagram g.node.dead-end")).to_contain_text("Save draft profile")
        await expect(view(found).get_by_role("heading", name=re.compile(r"^Unreachable"))).to_contain_text("1")
        # Each result is drawn whole with the other tool's answer, fetched through the host.
        assert found.tool_calls == ["get_flow" if tool == "analyze_flow" else "analyze_flow"]
        if tool == "analyze_flow":
            save_screenshot(await found.page.screenshot(full_page=True), "apps-flow")
        assert found.errors == [] and found.refused == []


async def test_the_thinking_chain_view(database_url: str, project: Project, browser: Browser):
    async with (
        apps_client(database_url, project.email) as client,
        hosted(browser, client, "get_thinking_chain", {"run_id": project.ids["run"]}) as found,
    ):
        graph = view(found).locator("svg.diagram g.node")
        await expect(graph).to_have_count(5)
        await expect(view(found).locator("svg.diagram g.node.open-question")).to_contain_text("shareable")
        await expect(view(found).locator("svg.diagram g.node.rejected")).to_contain_text("card grid")
        await expect(view(found).locator("svg.diagram g.node.needs-review")).to_have_count(2)
        await expect(view(found).locator("ul.tree li.thought.rejected li.thought.needs-review").first).to_contain_text(
            "card grid for collections"
        )
        save_screenshot(await found.page.screenshot(full_page=True), "apps-thinking")
        assert found.errors == [] and found.refused == []


async def test_a_hostile_mockup_in_the_view_reaches_nothing(database_url: str, project: Project, browser: Browser):
    async with apps_client(database_url, project.email) as client:
        page = await call(client, "get_page", page_id=project.ids["hostile_page"], include_current_mockup=True)
        async with hosted(
            browser, client, "get_page", {"page_id": project.ids["hostile_page"], "include_current_mockup": True}
        ) as found:
            results = view(found).frame_locator("iframe").locator("#results li")
            await expect(results).to_have_count(5)
            texts = [await li.text_content() for li in await results.all()]
            assert all("blocked" in t for t in texts), texts
            assert found.refused == []  # not even a request left the page
            assert found.tool_calls == []  # the mockup could not make the view call tools
            await expect(view(found).get_by_role("heading", level=1)).to_contain_text("Hostile")
            assert page["name"] in await view(found).get_by_role("heading", level=1).text_content()
