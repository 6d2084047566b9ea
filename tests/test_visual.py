"""The visual toolset through a real MCP client on a real server with a real Chromium: rendering
(image content, the render cache, the PNG resource), visual comparison, accessibility checks, and
what a server without a browser answers."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from mcp.shared.exceptions import MCPError
from PIL import Image

from helpers.mcp_client import call, connect, error_of, new_email

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

PAGE_V1 = """<!doctype html><html lang="en"><head><title>Shelf</title><style>
  body { margin: 0; font-family: sans-serif; background: #F8FAFC; color: #0F172A; }
  header { height: 64px; background: #DC2626; color: #FFFFFF; padding: 16px; box-sizing: border-box; }
  main { padding: 32px; } .card { height: 400px; background: #FFFFFF; border: 1px solid #E2E8F0; }
</style></head><body><header><strong>Lesson Library</strong></header>
<main><h1>My shelf</h1><div class="card">Lessons</div></main></body></html>"""
PAGE_V2 = PAGE_V1.replace("background: #DC2626", "background: #1D4ED8")

# Otherwise well-formed (language, title, a main landmark, one h1), with exactly four faults.
FAULTY = """<!doctype html><html lang="en"><head><title>Faulty</title></head><body><main>
<h1>Lessons</h1>
<p style="color: #AAAAAA; font-size: 12px">Low-contrast text</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<input type="text">
<h4>A skipped heading level</h4>
</main></body></html>"""

pytestmark = pytest.mark.usefixtures("chromium")


async def _page(client, project: str, html: str, name: str = "Shelf", device: str = "desktop") -> dict:
    return await call(client, "create_page", project_id=project, name=name, html_content=html, primary_device=device)


def _image(result) -> Image.Image:
    images = [c for c in result.content if c.type == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    data = base64.b64decode(images[0].data)
    assert data.startswith(PNG_MAGIC)
    return Image.open(io.BytesIO(data))


async def test_render_mockup_returns_a_png_with_its_size_and_caches_it(database_url):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Visual", type="web-app"))["id"]
        page = await _page(client, project, PAGE_V1, device="mobile")
        result = await client.call_tool("render_mockup", {"page_id": page["id"]})
        assert not result.is_error, result.content
        image = _image(result)
        info = result.structured_content
        assert info["viewport"] == {"name": "mobile", "width": 390, "height": 844, "scale": 1}  # the page's device
        assert image.size == (390, info["image"]["height"]) and info["image"]["height"] >= 844
        assert info["mockup"]["version"] == 1 and info["cut"] is False and info["cached"] is False
        assert (
            info["resource_uri"] == f"flexos://projects/{project}/mockups/{page['current_mockup_id']}/render/mobile.png"
        )
        assert image.convert("RGB").getpixel((5, 5)) == (220, 38, 38)  # the red header, as the CSS says
        text = next(c.text for c in result.content if c.type == "text")
        assert "Rendered <user-content>'Shelf' v1</user-content> at mobile" in text  # the page's name is data

        again = await client.call_tool("render_mockup", {"mockup_id": page["current_mockup_id"], "viewport": "mobile"})
        assert again.structured_content["cached"] is True and _image(again).size == image.size

        sharp = await client.call_tool(
            "render_mockup", {"page_id": page["id"], "viewport": "desktop", "scale": 2, "full_page": False}
        )
        assert sharp.structured_content["viewport"] == {"name": "desktop", "width": 1440, "height": 900, "scale": 2}
        assert _image(sharp).size == (2880, 1800) and sharp.structured_content["resource_uri"] is None

        custom = await client.call_tool(
            "render_mockup", {"page_id": page["id"], "width": 1024, "height": 768, "full_page": False}
        )
        assert custom.structured_content["viewport"]["name"] == "custom" and _image(custom).size == (1024, 768)

        read = await client.read_resource(info["resource_uri"])
        blob = read.contents[0]
        assert blob.mime_type == "image/png" and base64.b64decode(blob.blob) == base64.b64decode(
            next(c.data for c in result.content if c.type == "image")
        )


async def test_a_tall_page_is_cut_and_says_where_to_continue(database_url):
    tall = '<html><body style="margin:0"><div style="height:12000px;background:linear-gradient(#fff,#000)">x</div></body></html>'
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Tall", type="web-app"))["id"]
        page = await _page(client, project, tall)
        result = await client.call_tool("render_mockup", {"page_id": page["id"], "scale": 2, "width": 320})
        info = result.structured_content
        assert info["cut"] is True and info["page_height"] == 12000 and info["bottom"] == 4000
        assert info["image"]["height"] == 8000
        assert "top=4000" in next(c.text for c in result.content if c.type == "text")
        rest = await call(client, "render_mockup", page_id=page["id"], scale=2, width=320, top=4000)
        assert (rest["top"], rest["bottom"], rest["cut"]) == (4000, 8000, True)


async def test_render_refuses_unclear_or_missing_mockups_clearly(database_url):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Refusals", type="web-app"))["id"]
        empty = await call(client, "create_page", project_id=project, name="Empty")
        page = await _page(client, project, PAGE_V1)
        assert "no mockup yet" in await error_of(client, "render_mockup", page_id=empty["id"])
        assert "not both" in await error_of(
            client, "render_mockup", page_id=page["id"], mockup_id=page["current_mockup_id"]
        )
        assert "no version 9" in await error_of(client, "render_mockup", page_id=page["id"], version=9)
        missing = str(uuid.uuid4())
        assert "No mockup with id" in await error_of(client, "render_mockup", mockup_id=missing)
        with pytest.raises(MCPError, match="not a viewport"):
            await client.read_resource(
                f"flexos://projects/{project}/mockups/{page['current_mockup_id']}/render/huge.png"
            )
        with pytest.raises(MCPError, match="No mockup"):
            await client.read_resource(
                f"flexos://projects/{uuid.uuid4()}/mockups/{page['current_mockup_id']}/render/mobile.png"
            )


async def test_compare_mockups_shows_only_the_changed_region(database_url):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Compare", type="web-app"))["id"]
        page = await _page(client, project, PAGE_V1)
        await call(
            client, "create_mockup_version", page_id=page["id"], html_content=PAGE_V2, change_description="Blue header"
        )
        result = await client.call_tool("compare_mockups", {"page_id": page["id"]})
        assert not result.is_error, result.content
        compared = result.structured_content
        assert (compared["from_mockup"]["version"], compared["to_mockup"]["version"]) == (1, 2)
        assert not compared["identical"] and not compared["size_changed"]
        assert len(compared["regions"]) == 1
        region = compared["regions"][0]
        assert region["y"] < 8 and region["y"] + region["height"] <= 72 and region["width"] >= 1400  # the header band
        assert region["where"] == "top full width"
        assert 0 < compared["changed_percent"] < 10
        image = _image(result)
        assert image.width > 1440 and "difference" in next(c.text for c in result.content if c.type == "text")

        same = await call(
            client, "compare_mockups", page_id=page["id"], from_version=1, to_version=1, viewport="mobile"
        )
        assert same["identical"] and same["regions"] == [] and same["changed_percent"] == 0


async def test_check_accessibility_reports_exactly_the_planted_faults(database_url):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="A11y", type="web-app"))["id"]
        page = await _page(client, project, FAULTY, device="mobile")
        report = await call(client, "check_accessibility", page_id=page["id"])
        assert {v["rule"] for v in report["violations"]} == {"color-contrast", "image-alt", "label", "heading-order"}
        assert not report["passed"] and report["violation_count"] == 4 and report["viewport"]["name"] == "mobile"
        contrast = next(v for v in report["violations"] if v["rule"] == "color-contrast")
        assert contrast["level"] == "AA" and contrast["wcag"] == ["1.4.3"] and contrast["element_count"] == 1
        element = contrast["elements"][0]
        assert "Low-contrast" in element["html"]  # `call` unwraps; test_untrusted checks the boundary
        assert "contrast" in element["fix"] and contrast["help_url"].startswith("https://dequeuniversity.com/")
        heading = next(v for v in report["violations"] if v["rule"] == "heading-order")
        assert heading["level"] == "best-practice"
        wcag_only = await call(client, "check_accessibility", page_id=page["id"], best_practices=False)
        assert {v["rule"] for v in wcag_only["violations"]} == {"color-contrast", "image-alt", "label"}


async def test_without_a_browser_the_tools_say_how_to_get_one(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.delenv("FLEXOS_CHROMIUM", raising=False)
    email = new_email()
    async with connect(database_url, email) as client:
        project = (await call(client, "create_project", name="No browser", type="web-app"))["id"]
        page = await _page(client, project, PAGE_V1)
        message = await error_of(client, "render_mockup", page_id=page["id"])
        assert "No Chromium browser was found" in message and "apt-get install chromium" in message
        assert "\n" not in message
        assert "No Chromium" in await error_of(client, "check_accessibility", page_id=page["id"])
        assert (await call(client, "get_page", page_id=page["id"]))["id"] == page["id"]  # the rest still works
    async with connect(database_url, email, chromium=str(tmp_path / "nowhere")) as client:
        assert "FLEXOS_CHROMIUM" in await error_of(client, "render_mockup", page_id=page["id"])


async def test_a_mockup_that_never_loads_fails_on_time_and_the_server_keeps_serving(database_url):
    async with connect(database_url, render_timeout_s=2) as client:
        project = (await call(client, "create_project", name="Endless", type="web-app"))["id"]
        endless = await _page(client, project, "<p>x</p><script>while (true) {}</script>", name="Endless")
        fine = await _page(client, project, PAGE_V1, name="Fine")
        message = await error_of(client, "render_mockup", page_id=endless["id"])
        assert "did not finish loading within 2 s" in message and "nothing was rendered" in message
        assert "did not finish loading" in await error_of(client, "check_accessibility", page_id=endless["id"])
        assert not (await client.call_tool("render_mockup", {"page_id": fine["id"]})).is_error
        assert (await call(client, "get_page", page_id=fine["id"]))["name"] == "Fine"
