"""Context items with real files through a real MCP client: one item of each seed type stored,
analysed, served back as a blob resource and as image content, and found by search_project;
and every way to smuggle something in — traversal, absolute paths, symlinks, oversized files, a
lying extension, non-image bytes as a screenshot, bad URL schemes — refused clearly, storing nothing."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid

import pytest
from mcp.shared.exceptions import MCPError

from helpers.context_files import ELF_BYTES, LANDING_HTML, b64, png_bytes, stored_files
from helpers.mcp_client import call, connect, error_of, new_email
from helpers.project_fixtures import make_project
from helpers.records import dump_project

CONTEXT = ("projects", "context", "analytics")
STORE_URI = "flexos://files/sha256/"


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


async def test_one_item_of_each_type_is_stored_analysed_served_and_searchable(database_url, db, store_dir):
    email = new_email()
    project = str(await make_project(db, email))
    shot_bytes = png_bytes()
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=store_dir) as client:
        shot = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="screenshot",
            content_base64=b64(shot_bytes),
            file_name="pinterest-mobile.png",
            submitted_context="their mobile home screen",
        )
        digest = hashlib.sha256(shot_bytes).hexdigest()
        assert shot["content_url"] == STORE_URI + digest
        assert shot["file_resource"] == f"flexos://projects/{project}/context-items/{shot['id']}/file"
        assert shot["content_metadata"]["file"] == {
            "sha256": digest,
            "bytes": len(shot_bytes),
            "mime": "image/png",
            "name": "pinterest-mobile.png",
            "name_matches_content": True,
            "extension": ".png",
        }
        image = shot["content_metadata"]["image"]
        assert (image["width"], image["height"], image["format"]) == (390, 844, "PNG")
        analysis = shot["ai_analysis"]
        assert analysis["color_palette"][:2] == ["#1E40AF", "#F3F4F6"] and analysis["layout_type"] == "mobile-screen"
        assert set(analysis) >= {"detected_elements", "color_palette", "layout_type", "relevant_to"}
        assert (store_dir / "sha256" / digest[:2] / digest).read_bytes() == shot_bytes

        page = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="file",
            content_base64=b64(LANDING_HTML.encode()),
            file_name="landing.html",
        )
        assert page["content_metadata"]["file"]["mime"] == "text/html"
        assert page["content_metadata"]["title"] == "Pinboard landing"
        assert [h["text"] for h in page["content_metadata"]["headings"]] == [
            "Collect what inspires you",
            "Boards for every idea",
        ]
        assert {"text": "Explore", "href": "https://pinboard.example/explore"} in page["content_metadata"]["links"]
        assert "Collect what inspires you" in page["content_text"] and "document.title" not in page["content_text"]
        assert {"card", "button", "nav"} <= set(page["ai_analysis"]["detected_elements"])
        assert "#1E40AF" in page["ai_analysis"]["color_palette"]  # bg-blue-800, as mockups see it
        assert page["ai_analysis"]["layout_type"] == "card-grid"

        note = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="text",
            content_text="# Onboarding ideas\nKeep signup to one step, like [Linear](https://linear.app).",
        )
        assert note["content_metadata"]["headings"] == [{"level": 1, "text": "Onboarding ideas"}]
        assert note["content_metadata"]["links"][0] == {"text": "Linear", "href": "https://linear.app"}
        assert note["content_url"] is None and note["file_resource"] is None

        link = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="url",
            content_url="https://dribbble.com/shots/123-kanban",
            content_text="Kanban board with swimlanes",
        )
        assert link["content_url"] == "https://dribbble.com/shots/123-kanban"

        mockup = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="mockup",
            content_text='<div class="sidebar"><nav>Menu</nav></div><table><tr><td>Lessons</td></tr></table>',
        )
        assert mockup["ai_analysis"]["layout_type"] in ("dashboard", "data-table")
        assert "table" in mockup["ai_analysis"]["detected_elements"]

        # a caller's own analysis is stored as given; the facts about the stored bytes are kept
        mine = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="screenshot",
            content_base64=b64(png_bytes(1440, 900)),
            ai_analysis={"layout_type": "dashboard"},
            content_metadata={"source": "dribbble"},
        )
        assert mine["ai_analysis"] == {"layout_type": "dashboard"}
        assert (
            mine["content_metadata"]["source"] == "dribbble" and mine["content_metadata"]["file"]["mime"] == "image/png"
        )
        assert "image" not in mine["content_metadata"]

        # the bytes as a blob resource, with their sniffed type
        blob = (await client.read_resource(shot["file_resource"])).contents[0]
        assert base64.b64decode(blob.blob) == shot_bytes and blob.mime_type == "image/png"
        html_blob = (await client.read_resource(page["file_resource"])).contents[0]
        assert base64.b64decode(html_blob.blob) == LANDING_HTML.encode() and html_blob.mime_type == "text/html"
        with pytest.raises(MCPError, match="holds no stored file"):
            await client.read_resource(f"flexos://projects/{project}/context-items/{note['id']}/file")

        # the screenshot as image content a model can look at
        seen = await client.call_tool("get_context_item", {"context_item_id": shot["id"], "include_image": True})
        assert not seen.is_error and [c.type for c in seen.content] == ["text", "image"]
        assert base64.b64decode(seen.content[1].data) == shot_bytes and seen.content[1].mime_type == "image/png"
        plain = await client.call_tool("get_context_item", {"context_item_id": shot["id"]})
        assert [c.type for c in plain.content] == ["text"]
        big = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="screenshot",
            content_base64=b64(png_bytes(3000, 2000)),
        )
        scaled = await client.call_tool("get_context_item", {"context_item_id": big["id"], "include_image": True})
        import io

        from PIL import Image

        assert Image.open(io.BytesIO(base64.b64decode(scaled.content[1].data))).size == (1568, 1045)

        # the same bytes are stored once
        again = await call(
            client, "create_context_item", project_id=project, item_type="screenshot", content_base64=b64(shot_bytes)
        )
        assert again["content_url"] == shot["content_url"]
        assert len([p for p in stored_files(store_dir) if p.parts[0] == "sha256"]) == 4
        assert not [p for p in stored_files(store_dir) if p.parts[0] == "tmp"]

        # every item joins the project search
        async def found(query):
            return {
                hit["id"] for hit in (await call(client, "search_project", project_id=project, query=query))["hits"]
            }

        assert page["id"] in await found("inspires")
        assert note["id"] in await found("onboarding")
        assert link["id"] in await found("swimlanes")
        assert mockup["id"] in await found("lessons")
        assert shot["id"] in await found("mobile home screen")
        assert shot["id"] in await found("pinterest-mobile.png")


async def test_a_png_named_pdf_is_a_png_and_a_program_named_png_is_refused(database_url, db, store_dir):
    email = new_email()
    project = str(await make_project(db, email))
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=store_dir) as client:
        liar = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="file",
            content_base64=b64(png_bytes(64, 64)),
            file_name="report.pdf",
        )
        meta = liar["content_metadata"]["file"]
        assert (meta["mime"], meta["extension"], meta["name_matches_content"]) == ("image/png", ".png", False)
        assert liar["content_metadata"]["image"]["width"] == 64
        before = stored_files(store_dir)
        rows = await dump_project(db, project)
        for item_type in ("screenshot", "file"):
            message = await error_of(
                client,
                "create_context_item",
                project_id=project,
                item_type=item_type,
                content_base64=b64(ELF_BYTES),
                file_name="cute-cat.png",
            )
            assert "content_base64" in message and "Linux program" in message and "never stores programs" in message
        assert stored_files(store_dir) == before and await dump_project(db, project) == rows


async def test_bad_files_and_urls_are_refused_clearly_and_store_nothing(database_url, db, store_dir, tmp_path):
    email = new_email()
    project = str(await make_project(db, email))
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.png").write_bytes(png_bytes(32, 32))
    outside = tmp_path / "secret.txt"
    outside.write_text("the user's secret")
    (allowed / "escape.txt").symlink_to(outside)
    (allowed / "linked-dir").symlink_to(tmp_path)
    rows = await dump_project(db, project)
    settings = dict(toolsets=CONTEXT, store_dir=store_dir, file_roots=(allowed,), max_file_mb=1)
    async with connect(database_url, email=email, **settings) as client:
        p = project
        cases = [
            # traversal, absolute paths and links out of the allowed folder
            ({"item_type": "file", "file_path": "../../etc/passwd"}, ["file_path", "outside the folders"]),
            ({"item_type": "file", "file_path": "/etc/passwd"}, ["file_path", "outside the folders"]),
            ({"item_type": "file", "file_path": str(allowed / ".." / "secret.txt")}, ["file_path", "outside"]),
            ({"item_type": "file", "file_path": "escape.txt"}, ["file_path", "symbolic link"]),
            (
                {"item_type": "file", "file_path": str(allowed / "linked-dir" / "secret.txt")},
                ["file_path", "symbolic link"],
            ),
            ({"item_type": "file", "file_path": "missing.png"}, ["file_path", "does not exist"]),
            ({"item_type": "file", "file_path": "."}, ["file_path", "outside"]),
            ({"item_type": "file", "file_path": "ok\x00.png"}, ["file_path"]),
            # size, bytes that lie, bytes that are no image
            (
                {"item_type": "file", "content_base64": b64(b"a" * (1024 * 1024 + 1))},
                ["content_base64", "limit is 1.0 MB"],
            ),
            (
                {"item_type": "screenshot", "content_base64": b64(b"<html><body>not a picture</body></html>")},
                ["content_base64", "must be a PNG, JPEG, GIF or WebP image", "text/html"],
            ),
            (
                {"item_type": "screenshot", "content_base64": b64(png_bytes()[:300])},
                ["content_base64", "do not decode as an image"],
            ),
            ({"item_type": "file", "content_base64": b64(os.urandom(2048))}, ["content_base64", "unknown binary"]),
            ({"item_type": "file", "content_base64": "this is not base64!"}, ["content_base64", "not valid base64"]),
            ({"item_type": "file", "content_base64": b64(b"x"), "file_path": "ok.png"}, ["not both"]),
            ({"item_type": "url", "content_base64": b64(b"hello")}, ["content_base64", "fetch_context_url"]),
            ({"item_type": "file", "file_name": "a.png", "content_text": "x"}, ["file_name", "send the file too"]),
            ({"item_type": "file", "content_base64": b64(b"x"), "content_url": "https://a.example/x"}, ["content_url"]),
            # URL schemes
            ({"item_type": "url", "content_url": "file:///etc/passwd"}, ["content_url", "file: URLs", "http"]),
            ({"item_type": "url", "content_url": "javascript:alert(1)"}, ["content_url", "javascript: URLs are code"]),
            (
                {"item_type": "screenshot", "content_url": "data:image/png;base64,iVBORw0KGgo="},
                ["content_url", "data: URLs"],
            ),
            (
                {"item_type": "url", "content_url": "ftp://files.example/a"},
                ["content_url", "ftp: is not a web address"],
            ),
            ({"item_type": "url", "content_url": "https://"}, ["content_url", "names no host"]),
            (
                {"item_type": "url", "content_url": "flexos://files/sha256/" + "0" * 64},
                ["content_url", "names no file you have stored"],
            ),
            (
                {"item_type": "url", "content_url": "flexos://files/sha256/../../etc/passwd"},
                ["content_url", "64 lowercase hex"],
            ),
        ]
        for args, expected in cases:
            message = await error_of(client, "create_context_item", project_id=p, **args)
            for text in expected:
                assert text in message, (args, message)
            assert "Traceback" not in message and "Internal error" not in message, message
        item = await call(client, "create_context_item", project_id=p, item_type="text", content_text="notes")
        for url, expected in (("file:///etc/passwd", "file: URLs"), ("javascript:alert(1)", "javascript:")):
            message = await error_of(client, "update_context_item", context_item_id=item["id"], content_url=url)
            assert "content_url" in message and expected in message
        await call(client, "delete_context_item", context_item_id=item["id"])
        # a file under the allowed folder is read (local servers only)
        ok = await call(client, "create_context_item", project_id=p, item_type="screenshot", file_path="ok.png")
        assert ok["content_metadata"]["file"]["name"] == "ok.png"
        await call(client, "delete_context_item", context_item_id=ok["id"])
    assert await dump_project(db, project) == rows
    assert {p.name for p in stored_files(store_dir)} == {hashlib.sha256(png_bytes(32, 32)).hexdigest()}


async def test_paths_are_refused_without_allowed_folders(database_url, db, store_dir):
    email = new_email()
    project = str(await make_project(db, email))
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=store_dir) as client:
        message = await error_of(
            client, "create_context_item", project_id=project, item_type="file", file_path="/etc/hostname"
        )
        assert "FLEXOS_FILE_ROOTS" in message and "content_base64" in message
    assert stored_files(store_dir) == []


async def test_files_of_another_user_answer_like_missing_ones(database_url, db, store_dir):
    owner, intruder = new_email(), new_email()
    project = str(await make_project(db, owner))
    async with connect(database_url, email=owner, toolsets=CONTEXT, store_dir=store_dir) as client:
        shot = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="screenshot",
            content_base64=b64(png_bytes(40, 40)),
        )
    mine = str(await make_project(db, intruder, name="Mine"))
    async with connect(database_url, email=intruder, toolsets=CONTEXT, store_dir=store_dir) as client:
        missing = str(uuid.uuid4())

        async def read_error(project_id, item_id):
            with pytest.raises(MCPError) as caught:
                await client.read_resource(f"flexos://projects/{project_id}/context-items/{item_id}/file")
            return str(caught.value)

        assert (await read_error(project, shot["id"])).replace(shot["id"], "ID").replace(project, "P") == (
            await read_error(missing, missing)
        ).replace(missing, "ID", 1).replace(missing, "P")
        foreign = await error_of(client, "get_context_item", context_item_id=shot["id"], include_image=True)
        assert "No context item" in foreign
        # knowing the digest does not let another user claim the file
        message = await error_of(
            client, "create_context_item", project_id=mine, item_type="screenshot", content_url=shot["content_url"]
        )
        assert "names no file you have stored" in message


async def test_new_text_keeps_an_automatic_analysis_current(database_url, db, store_dir):
    email = new_email()
    project = str(await make_project(db, email))
    async with connect(database_url, email=email, toolsets=CONTEXT, store_dir=store_dir) as client:
        note = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="text",
            content_text="# Old idea\nplain",
            tags=["x"],
        )
        assert note["ai_analysis"]["source"] == "automatic"
        updated = await call(
            client,
            "update_context_item",
            context_item_id=note["id"],
            content_text="# Sharing\nLike [Figma](https://figma.com).",
        )
        assert updated["content_metadata"]["headings"] == [{"level": 1, "text": "Sharing"}]
        assert updated["content_metadata"]["links"] == [{"text": "Figma", "href": "https://figma.com"}]
        assert updated["ai_analysis"]["relevant_to"] == ["content", "links"]
        # an analysis the caller wrote is theirs: new text does not replace it
        mine = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="text",
            content_text="# A",
            ai_analysis={"layout_type": "dashboard"},
        )
        kept = await call(
            client, "update_context_item", context_item_id=mine["id"], content_text="# B [x](https://b.example)"
        )
        assert (
            kept["ai_analysis"] == {"layout_type": "dashboard"}
            and kept["content_metadata"]["headings"][0]["text"] == "A"
        )
        # neither is the analysis of a stored file
        shot = await call(
            client,
            "create_context_item",
            project_id=project,
            item_type="screenshot",
            content_base64=b64(png_bytes(50, 50)),
        )
        described = await call(client, "update_context_item", context_item_id=shot["id"], content_text="# Caption")
        assert (
            described["ai_analysis"] == shot["ai_analysis"]
            and described["content_metadata"] == shot["content_metadata"]
        )
