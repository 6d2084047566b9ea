"""The preview as a person uses it: `flexos-mcp demo` loads the example project, real MCP tool
calls add what each view must show, `flexos-mcp preview` runs as a real process, and headless
Chromium drives every view — with JavaScript and without, through axe-core, and against a
mockup that tries to break out of its frame. Screenshots land in tests/artifacts/ (and with
FLEXOS_UPDATE_SCREENSHOTS=1 in docs/images/ for the README)."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from helpers import preview_support
from helpers.mcp_client import call, connect, new_email
from helpers.preview_support import (
    HOSTILE_NAME,
    flexos_env,
    grow_example_project,
    load_demo,
    require_browser,
    save_screenshot,
)

browser = preview_support.browser  # the module's Chromium (a fixture)

DESKTOP = {"width": 1400, "height": 1000}


@dataclass
class Site:
    url: str
    email: str
    ids: dict[str, Any]
    process: subprocess.Popen

    def at(self, path: str) -> str:
        return self.url.rstrip("/") + path

    def project(self, suffix: str = "") -> str:
        return self.at(f"/projects/{self.ids['project']}{suffix}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
async def site(database_url: str, tmp_path_factory) -> AsyncIterator[Site]:
    require_browser()
    email = new_email()
    env = flexos_env(database_url, email, str(tmp_path_factory.mktemp("preview")))
    load_demo(env)
    async with connect(database_url, email) as client:
        ids = await grow_example_project(client)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flexos_mcp", "preview", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"flexos-mcp preview did not start: {process.stderr.read()}")
            await asyncio.sleep(0.2)
    try:
        yield Site(url, email, ids, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=DESKTOP)
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


async def no_serious_violations(page: Page) -> None:
    results = await Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"axe-core on {page.url}: {serious}"


async def test_projects_list_and_the_page_tree(site: Site, page: Page):
    await page.goto(site.url)
    await expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-projects")
    await page.get_by_role("link", name="Lesson Library").click()
    await expect(page.get_by_role("heading", name="Lesson Library", level=1)).to_be_visible()
    login = page.locator(".page-tree li", has=page.get_by_role("link", name="Log in", exact=True))
    await expect(login).to_contain_text("version 2")
    await expect(login.locator(".badge")).to_have_text("designed")
    # A page name full of markup is shown as text: no element, no script ran.
    await expect(page.get_by_text(HOSTILE_NAME)).to_be_visible()
    assert await page.locator(".page-tree b").count() == 0
    assert await page.title() == "Lesson Library · FlexOS preview"
    await expect(page.get_by_role("link", name="Sign up", exact=True).first).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-project")


async def test_a_page_shows_its_mockup_live_and_switches_versions(site: Site, page: Page):
    await page.goto(site.project(f"/pages/{site.ids['login']}"))
    frame_element = page.locator("iframe.mockup")
    assert await frame_element.get_attribute("sandbox") == "allow-scripts"
    mockup = page.frame_locator("iframe.mockup")
    await expect(mockup.get_by_role("heading", name="Good to see you again")).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-page")
    await page.get_by_label("Version", exact=True).select_option("1")  # the script submits the form
    await expect(page).to_have_url(re.compile(r"version=1"))
    await expect(page.frame_locator("iframe.mockup").get_by_role("heading", name="Welcome back")).to_be_visible()
    await page.get_by_role("link", name=re.compile(r"^mobile 390×844")).click()
    await expect(page.locator("iframe.mockup")).to_have_attribute("width", "390")
    await expect(page).to_have_url(re.compile(r"version=1"))  # the viewport keeps the version


async def test_comparison_side_by_side_overlay_and_difference(site: Site, page: Page):
    compare = site.project(f"/pages/{site.ids['login']}/compare")
    await page.goto(compare)
    frames = page.locator("iframe.mockup")
    await expect(frames).to_have_count(2)
    await expect(page.frame_locator("iframe.mockup").nth(0).get_by_role("heading", name="Welcome back")).to_be_visible()
    await expect(
        page.frame_locator("iframe.mockup").nth(1).get_by_role("heading", name="Good to see you again")
    ).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-compare")

    await page.goto(compare + "?mode=overlay&opacity=50")
    layer = page.locator("[data-overlay-layer]")
    assert await layer.evaluate("e => getComputedStyle(e).opacity") == "0.5"
    await page.get_by_label(re.compile("Opacity")).fill("20")  # live, without a reload
    assert await layer.evaluate("e => getComputedStyle(e).opacity") == "0.2"
    await expect(page.locator("#opacity-value")).to_have_text("20%")
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-compare-overlay")

    await page.goto(compare + "?mode=difference")
    assert await page.locator("[data-overlay-layer]").evaluate("e => getComputedStyle(e).mixBlendMode") == "difference"


async def test_design_system_swatches_scales_and_contrast(site: Site, page: Page):
    await page.goto(site.project("/design-system"))
    primary = page.locator(".swatch", has=page.get_by_role("heading", name="primary", exact=True))
    await expect(primary).to_contain_text("#DC2626")
    await expect(primary).to_contain_text(re.compile(r"used \d+× on 8 pages"))
    await expect(primary.locator(".verdict").first).to_have_text(re.compile(r"^\d+\.\d\d:1 (AAA|AA|AA-large|fail)$"))
    assert await primary.locator(".chip").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(220, 38, 38)"
    assert await page.locator(".swatch").count() >= 10
    await expect(page.get_by_role("heading", name="Type scale")).to_be_visible()
    assert await page.locator("table.scale tbody tr").count() >= 5
    assert await page.locator(".bars .bar").count() >= 4
    radius = page.locator(".example", has_text="radius lg")
    assert await radius.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "8px"
    shadow = page.locator(".example", has_text="shadow md")
    assert (await shadow.evaluate("e => getComputedStyle(e).boxShadow")) != "none"
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-design-system")


async def test_a_flow_diagram_highlights_unreachable_nodes_and_dead_ends(site: Site, page: Page):
    await page.goto(site.project(f"/flows/{site.ids['flow']}"))
    await expect(page.get_by_role("heading", name="Sign up", level=1)).to_be_visible()
    unreachable = page.locator("svg.diagram g.node.unreachable")
    await expect(unreachable).to_have_count(1)
    await expect(unreachable).to_contain_text("Forgotten help page")
    dead_end = page.locator("svg.diagram g.node.dead-end")
    await expect(dead_end).to_have_count(1)
    await expect(dead_end).to_contain_text("Save draft profile")
    assert await page.locator("svg.diagram g.node").count() == 9
    assert await page.locator("svg.diagram path.edge").count() >= 6
    await expect(page.get_by_role("heading", name="Unreachable nodes")).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-flow")


async def test_a_wizard_run_with_its_thinking_chain(site: Site, page: Page):
    await page.goto(site.project(f"/runs/{site.ids['run']}"))
    phases = page.locator("table.phases tbody tr")
    await expect(phases).to_have_count(2)
    await expect(phases.nth(0)).to_contain_text("understand-intent")
    await expect(phases.nth(1)).to_contain_text("current phase")
    graph = page.locator("svg.diagram g.node")
    await expect(graph).to_have_count(5)
    await expect(page.locator("svg.diagram g.node.open-question")).to_have_count(1)
    await expect(page.locator("svg.diagram g.node.rejected")).to_have_count(1)
    await expect(page.locator("svg.diagram g.node.needs-review")).to_have_count(2)
    tree = page.locator(".tree")
    await expect(tree.locator("li.thought.open-question > .body")).to_contain_text("shareable")
    await expect(tree.locator("li.thought.rejected > .body")).to_contain_text("card grid fits")
    # Nested: the decision sits under the assumption it rests on.
    await expect(tree.locator("li.thought.rejected li.thought.needs-review").first).to_contain_text(
        "card grid for collections"
    )
    await expect(tree.locator(".feedback")).to_contain_text("<b>use a list</b>")  # the person's words, as text
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-run")


async def test_the_inferred_data_model_as_an_entity_diagram(site: Site, page: Page):
    await page.goto(site.project("/data-model"))
    await expect(page.get_by_role("heading", name="Data model", level=1)).to_be_visible()
    entities = page.locator("svg.diagram g.node")
    assert await entities.count() >= 2
    await expect(page.locator("svg.diagram g.node", has_text="Lesson").first).to_be_visible()
    await no_serious_violations(page)
    save_screenshot(await page.screenshot(full_page=True), "preview-data-model")


async def test_a_hostile_mockup_cannot_reach_the_preview(site: Site, page: Page):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    hostile_page = site.project(f"/pages/{site.ids['hostile_page']}")
    await page.goto(hostile_page)
    results = page.frame_locator("iframe.mockup").locator("#results li")
    await expect(results).to_have_count(5)
    outcomes = {await li.get_attribute("data-attempt"): await li.text_content() for li in await results.all()}
    assert all("blocked" in text for text in outcomes.values()), outcomes
    assert set(outcomes) == {"parent.document", "document.cookie", "localStorage", "top.location", "fetch"}
    assert not [u for u in requests if "/api/" in u or "example.invalid" in u], requests
    assert page.url == hostile_page
    assert await page.title() != "pwned"
    # The preview goes on working: its own page is intact and the next view loads.
    await expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_NAME)
    await page.get_by_role("link", name="Design system").click()
    await expect(page.get_by_role("heading", name="Design system", level=1)).to_be_visible()


async def test_every_view_reads_without_javascript(site: Site, browser: Browser):
    context = await browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = await context.new_page()
    try:
        checks = {
            site.url: "Lesson Library",
            site.project(): "Journey flows",
            site.project(f"/pages/{site.ids['login']}"): "Version 2",
            site.project(f"/pages/{site.ids['login']}/compare?mode=overlay"): "Compare versions",
            site.project("/design-system"): "Type scale",
            site.project(f"/flows/{site.ids['flow']}"): "Unreachable nodes",
            site.project(f"/runs/{site.ids['run']}"): "Thinking chain: tree",
            site.project("/data-model"): "Data model",
        }
        for url, text in checks.items():
            await page.goto(url)
            await expect(page.locator("main")).to_contain_text(text)
        await page.goto(site.project(f"/flows/{site.ids['flow']}"))
        await expect(page.locator("svg.diagram g.node.unreachable")).to_have_count(1)
        # Switching versions is a plain form: the Show button does it without a script.
        await page.goto(site.project(f"/pages/{site.ids['login']}"))
        await page.get_by_label("Version", exact=True).select_option("1")
        await page.get_by_role("button", name="Show").click()
        await expect(page.locator("main h2").first).to_have_text("Version 1")
    finally:
        await context.close()


async def test_reload_shows_new_data(site: Site, page: Page, database_url: str):
    await page.goto(site.project())
    await expect(page.get_by_role("link", name="Pricing")).to_have_count(0)
    async with connect(database_url, site.email) as client:
        await call(client, "create_page", project_id=site.ids["project"], name="Pricing", path="/pricing")
    await page.reload()
    await expect(page.get_by_role("link", name="Pricing")).to_be_visible()
