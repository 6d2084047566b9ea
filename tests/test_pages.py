"""The pages toolset through a real MCP client: pages, versioned mockups, concurrency, rollback,
diffs, size and text limits, tenancy."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from mcp.shared.exceptions import MCPError

from flexos_mcp.domain.mockups import CSS_LIMIT, HTML_LIMIT

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project

HTML_V1 = """<main class="bg-slate-50 p-4">
  <h1 class="text-2xl font-bold text-slate-900">Lessons</h1>
  <button class="bg-red-600 text-white px-4 py-2 rounded-lg">New lesson</button>
</main>
"""
HTML_V2 = HTML_V1.replace("bg-red-600", "bg-blue-600").replace("New lesson", "Write a lesson")
CSS = "h1 { letter-spacing: -0.01em; }\n.card { border-radius: 12px; box-shadow: 0 1px 2px #0000000d; }\n"


async def new_project(client, name="Lesson Library") -> str:
    return (await call(client, "create_project", name=name, type="web-app"))["id"]


async def test_page_crud_with_every_json_column(database_url, db):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(
            client,
            "create_page",
            project_id=project,
            name="Lesson detail",
            path="/lessons/detail",
            type="page",
            purpose="Read one lesson",
            primary_device="desktop",
            key_elements=["title", "star rating"],
            related_patterns=["card grid"],
            usage_contexts=["planning"],
            sort_order=3,
            is_placeholder=True,
            wizard_generated=True,
        )
        assert page["slug"] == "lesson-detail" and page["status"] == "draft" and page["current_mockup"] is None
        stored = await db.fetchrow("SELECT * FROM pages WHERE id = $1", uuid.UUID(page["id"]))
        assert stored["key_elements"] == ["title", "star rating"]
        assert stored["usage_contexts"] == ["planning"] and stored["related_patterns"] == ["card grid"]
        got = await call(client, "get_page", page_id=page["id"])
        assert got == page
        by_path = await call(client, "get_page", project_id=project, path="/lessons/detail")
        by_slug = await call(client, "get_page", project_id=project, slug="lesson-detail")
        assert by_path["id"] == by_slug["id"] == page["id"]
        updated = await call(
            client, "update_page", page_id=page["id"], status="approved", purpose="", key_elements=[], name="Lesson"
        )
        assert (updated["status"], updated["purpose"], updated["key_elements"]) == ("approved", None, [])
        assert updated["slug"] == "lesson-detail" and updated["path"] == "/lessons/detail"  # untouched fields stay
        assert updated["primary_device"] == "desktop" and updated["updated_at"] > page["updated_at"]
        deleted = await call(client, "delete_page", page_id=page["id"])
        assert deleted == {"id": page["id"], "name": "Lesson", "mockups_deleted": 0, "children_detached": 0}
        assert "No page" in await error_of(client, "get_page", page_id=page["id"])


async def test_create_page_with_first_mockup_is_one_step(database_url, db):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(
            client,
            "create_page",
            project_id=project,
            name="Lessons",
            path="/lessons",
            html_content=HTML_V1,
            css_content=CSS,
            changed_by="ai",
            return_content=True,
        )
        mockup = page["current_mockup"]
        assert page["status"] == "designed" and page["current_mockup_id"] == mockup["id"]
        assert mockup["version"] == 1 and mockup["changed_by"] == "ai" and mockup["is_current"]
        assert mockup["html_content"] == HTML_V1 and mockup["css_content"] == CSS
        assert "#DC2626" in mockup["extracted_patterns"]["colors_used"]
        assert "button" in mockup["extracted_patterns"]["components_detected"]
        row = await db.fetchrow("SELECT * FROM mockups WHERE id = $1", uuid.UUID(mockup["id"]))
        assert row["html_content"] == HTML_V1 and row["project_id"] == uuid.UUID(project)
        assert row["extracted_patterns"] == mockup["extracted_patterns"]
        assert row["responsive_rules"] == mockup["responsive_rules"] and row["interactions"] == mockup["interactions"]
        # A bad first mockup leaves no page behind.
        before = await db.fetchval("SELECT count(*) FROM pages")
        message = await error_of(client, "create_page", project_id=project, name="Broken", html_content="<p>\x00</p>")
        assert "html_content" in message and "NUL" in message
        message = await error_of(client, "create_page", project_id=project, name="Half", css_content="p{}")
        assert "css_content" in message and "html_content" in message
        assert await db.fetchval("SELECT count(*) FROM pages") == before


async def test_slugs_paths_and_enums(database_url, subtests):
    async with connect(database_url) as client:
        project = await new_project(client)
        a = await call(client, "create_page", project_id=project, name="Sign up!", path="/signup")
        b = await call(client, "create_page", project_id=project, name="Sign Up", path="/signup-2")
        assert (a["slug"], b["slug"]) == ("sign-up", "sign-up-2")
        message = await error_of(client, "create_page", project_id=project, name="X", slug="sign-up")
        assert "slug" in message and "sign-up" in message
        message = await error_of(client, "create_page", project_id=project, name="X", path="/signup")
        assert "path" in message and "Sign up!" in message
        message = await error_of(client, "update_page", page_id=b["id"], path="/signup")
        assert "path" in message
        for bad_path in ("/Lessons", "lessons", "/a b", "/lessons?x=1"):
            with subtests.test(bad_path=bad_path):
                message = await error_of(client, "create_page", project_id=project, name="X", path=bad_path)
                assert "`path`" in message and "lowercase" in message, message
        for field, value, valid in (
            ("type", "screen", "'page', 'layout', 'component' or 'modal'"),
            ("primary_device", "watch", "'mobile', 'tablet', 'desktop' or 'responsive'"),
        ):
            message = await error_of(client, "create_page", project_id=project, name="X", **{field: value})
            assert f"`{field}`" in message and valid in message, message
        message = await error_of(client, "update_page", page_id=a["id"], status="done")
        assert "`status`" in message and "'draft', 'designed', 'approved' or 'built'" in message
        message = await error_of(
            client, "create_mockup_version", page_id=a["id"], html_content="<p>x</p>", changed_by="robot"
        )
        assert "`changed_by`" in message and "'user', 'ai' or 'wizard'" in message
        message = await error_of(client, "get_page", project_id=project)
        assert "page_id" in message and "path" in message


async def test_parents_stay_in_project_and_never_cycle(database_url, db):
    async with connect(database_url) as client:
        project = await new_project(client)
        other_project = await new_project(client, "Other")
        top = await call(client, "create_page", project_id=project, name="Dashboard", path="/dashboard")
        mid = await call(client, "create_page", project_id=project, name="Settings", parent_id=top["id"])
        leaf = await call(client, "create_page", project_id=project, name="Profile", parent_id=mid["id"])
        elsewhere = await call(client, "create_page", project_id=other_project, name="Elsewhere")
        message = await error_of(client, "update_page", page_id=top["id"], parent_id=leaf["id"])
        assert "parent_id" in message and "ancestor" in message
        message = await error_of(client, "update_page", page_id=top["id"], parent_id=top["id"])
        assert "parent_id" in message and "own parent" in message
        message = await error_of(client, "update_page", page_id=top["id"], parent_id=elsewhere["id"])
        assert "parent_id" in message and "same project" in message
        message = await error_of(client, "create_page", project_id=project, name="X", parent_id=str(uuid.uuid4()))
        assert "parent_id" in message
        children = await call(client, "list_pages", project_id=project, parent_id=top["id"])
        assert [p["id"] for p in children["items"]] == [mid["id"]]
        tops = await call(client, "list_pages", project_id=project, top_level=True)
        assert [p["id"] for p in tops["items"]] == [top["id"]]
        moved = await call(client, "update_page", page_id=leaf["id"], parent_id=None)
        assert moved["parent_id"] is None
        deleted = await call(client, "delete_page", page_id=top["id"])
        assert deleted["children_detached"] == 1
        assert await db.fetchval("SELECT parent_id FROM pages WHERE id = $1", uuid.UUID(mid["id"])) is None


async def test_list_pages_filters_and_pages_through(database_url):
    async with connect(database_url) as client:
        project = await new_project(client)
        made = []
        for i in range(7):
            page = await call(
                client,
                "create_page",
                project_id=project,
                name=f"Page {i}",
                sort_order=i % 3,
                type="modal" if i % 2 else "page",
                **({"html_content": "<p>hi</p>"} if i < 2 else {}),
            )
            made.append(page["id"])
        seen, cursor = [], None
        while True:
            result = await call(
                client, "list_pages", project_id=project, limit=3, **({"cursor": cursor} if cursor else {})
            )
            seen += [p["sort_order"] for p in result["items"]]
            cursor = result["next_cursor"]
            if not cursor:
                break
        assert seen == sorted(seen) and len(seen) == 7
        designed = await call(client, "list_pages", project_id=project, status="designed")
        assert {p["id"] for p in designed["items"]} == set(made[:2])
        modals = await call(client, "list_pages", project_id=project, type="modal")
        assert len(modals["items"]) == 3
        assert "cursor" in await error_of(client, "list_pages", project_id=project, cursor="nonsense")


async def test_list_pages_of_a_project_without_pages_is_empty_not_missing(database_url):
    """list_pages checks the project and reads its pages in one statement: a project of the
    caller's with no pages (or none matching) is an empty list, never "No project"."""
    async with connect(database_url) as client:
        project = await new_project(client)
        assert await call(client, "list_pages", project_id=project) == {"items": [], "next_cursor": None}
        page = await call(client, "create_page", project_id=project, name="Only", type="page")
        assert (await call(client, "list_pages", project_id=project, type="modal"))["items"] == []
        assert (await call(client, "list_pages", project_id=project, parent_id=page["id"]))["items"] == []
        assert [p["id"] for p in (await call(client, "list_pages", project_id=project))["items"]] == [page["id"]]
        bare = await call(client, "get_page", page_id=page["id"], include_current_mockup=True)
        assert bare["current_mockup"] is None and bare["name"] == "Only"


async def test_fifty_concurrent_versions_are_numbered_one_to_fifty(database_url, db):
    async with connect(database_url) as client, connect(database_url) as _:
        project = await new_project(client)
        page = await call(client, "create_page", project_id=project, name="Busy")

        async def save(i: int):
            return await call(
                client,
                "create_mockup_version",
                page_id=page["id"],
                html_content=f"<p>version {i}</p>",
                changed_by="ai",
                change_description=f"save {i}",
            )

        results = await asyncio.gather(*(save(i) for i in range(50)))
        assert sorted(r["version"] for r in results) == list(range(1, 51))
        # serialised by the page's lock: each save builds on the one before it, none on a stale current
        lineage = sorted((r["version"], r["parent_version"]) for r in results)
        assert lineage == [(1, None)] + [(v, v - 1) for v in range(2, 51)]
        rows = await db.fetch("SELECT version FROM mockups WHERE page_id = $1 ORDER BY version", uuid.UUID(page["id"]))
        assert [r["version"] for r in rows] == list(range(1, 51))
        stored = await db.fetchrow(
            "SELECT p.status, m.version FROM pages p JOIN mockups m ON m.id = p.current_mockup_id WHERE p.id = $1",
            uuid.UUID(page["id"]),
        )
        assert (stored["status"], stored["version"]) == ("designed", 50)


async def test_pages_created_at_once_with_one_name_get_distinct_slugs(database_url, db):
    """create_page checks and writes in one statement; calls that race for a slug or a path are
    run again behind the project's lock, so each gets the next free slug, and a path only once."""
    async with connect(database_url) as client:
        project = await new_project(client)
        made = await asyncio.gather(
            *(call(client, "create_page", project_id=project, name="Inbox", html_content="<p>x</p>") for _ in range(8))
        )
        assert sorted(p["slug"] for p in made) == sorted(["inbox"] + [f"inbox-{n}" for n in range(2, 9)])
        assert all(p["current_mockup"]["version"] == 1 for p in made)
        results = await asyncio.gather(
            *(
                client.call_tool("create_page", {"project_id": project, "name": f"P{i}", "path": "/same"})
                for i in range(4)
            )
        )
        refused = [r.content[0].text for r in results if r.is_error]
        assert len(refused) == 3 and all("already has path /same" in text for text in refused), refused
        count = await db.fetchval("SELECT count(*) FROM pages WHERE project_id = $1", uuid.UUID(project))
        assert count == 9


async def test_versions_rollback_and_lineage(database_url, db):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(
            client, "create_page", project_id=project, name="Lessons", html_content=HTML_V1, css_content=CSS
        )
        v2 = await call(
            client,
            "create_mockup_version",
            page_id=page["id"],
            html_content=HTML_V2,
            css_content=CSS,
            change_description="Blue button",
            changed_by="user",
            user_feedback={"likes": ["colour"]},
            ai_notes={"confidence": 0.7},
        )
        assert (v2["version"], v2["parent_version"], v2["is_current"]) == (2, 1, True)
        assert v2["user_feedback"] == {"likes": ["colour"]} and v2["ai_notes"] == {"confidence": 0.7}
        alt = await call(
            client,
            "create_mockup_version",
            page_id=page["id"],
            html_content="<p>alt</p>",
            make_current=False,
            parent_version=1,
        )
        assert (alt["version"], alt["parent_version"], alt["is_current"]) == (3, 1, False)
        current = await call(client, "get_page", page_id=page["id"], include_current_mockup=True)
        assert current["current_mockup"]["version"] == 2
        rolled = await call(client, "set_current_mockup", page_id=page["id"], version=1)
        assert rolled["current_mockup"]["version"] == 1 and rolled["current_mockup_id"] == page["current_mockup_id"]
        assert rolled["current_mockup"]["html_content"] is None  # no content in this answer
        again = await call(client, "set_current_mockup", mockup_id=v2["id"])
        assert again["current_mockup_id"] == v2["id"]
        listing = await call(client, "list_mockups", page_id=page["id"])
        assert [m["version"] for m in listing["items"]] == [3, 2, 1]
        assert all(m["html_content"] is None and m["extracted_patterns"] is None for m in listing["items"])
        assert listing["items"][1]["is_current"] and listing["items"][0]["html_bytes"] == len("<p>alt</p>")
        full = await call(
            client, "list_mockups", page_id=page["id"], include_content=True, include_analysis=True, limit=1
        )
        assert full["items"][0]["html_content"] == "<p>alt</p>" and full["next_cursor"]
        rest = await call(client, "list_mockups", page_id=page["id"], cursor=full["next_cursor"])
        assert [m["version"] for m in rest["items"]] == [2, 1]
        by_user = await call(client, "list_mockups", page_id=page["id"], changed_by="user")
        assert [m["version"] for m in by_user["items"]] == [2]
        by_version = await call(client, "get_mockup", page_id=page["id"], version=2)
        assert by_version["id"] == v2["id"] and by_version["html_content"] == HTML_V2
        noted = await call(client, "update_mockup", mockup_id=v2["id"], ai_notes={"confidence": 0.9})
        assert noted["ai_notes"] == {"confidence": 0.9} and noted["user_feedback"] == {"likes": ["colour"]}
        assert noted["change_description"] == "Blue button"
        message = await error_of(client, "set_current_mockup", page_id=page["id"], version=9)
        assert "version" in message and "1..3" in message
        message = await error_of(
            client, "create_mockup_version", page_id=page["id"], html_content="<p/>", parent_version=7
        )
        assert "parent_version" in message and "1..3" in message
        # Deleting the current version makes the version it was built on current (not the highest, 3).
        deleted = await call(client, "delete_mockup", mockup_id=v2["id"])
        assert deleted["current_version"] == 1
        assert await db.fetchval("SELECT count(*) FROM mockups WHERE page_id = $1", uuid.UUID(page["id"])) == 2
        after = await call(client, "create_mockup_version", page_id=page["id"], html_content="<p>v4</p>")
        assert (after["version"], after["parent_version"]) == (4, 1)  # 2 is never given out again
        single = await call(client, "create_page", project_id=project, name="Single", html_content="<p>only</p>")
        gone = await call(client, "delete_mockup", mockup_id=single["current_mockup_id"])
        assert gone["current_mockup_id"] is None and gone["current_version"] is None
        assert (await call(client, "get_page", page_id=single["id"]))["status"] == "draft"


async def test_diff_mockups(database_url):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(
            client, "create_page", project_id=project, name="Lessons", html_content=HTML_V1, css_content=CSS
        )
        v2 = await call(client, "create_mockup_version", page_id=page["id"], html_content=HTML_V2, css_content=CSS)
        diff = await call(client, "diff_mockups", page_id=page["id"])
        assert (diff["from_mockup"]["version"], diff["to_mockup"]["version"]) == (1, 2)
        html_diff = diff["html_diff"]
        assert '-  <button class="bg-red-600' in html_diff and '+  <button class="bg-blue-600' in html_diff
        assert html_diff.startswith("--- v1/index.html\n+++ v2/index.html\n")
        assert diff["css_diff"] is None and diff["javascript_diff"] is None
        assert diff["lines"]["html"] == {"added": 1, "removed": 1}
        assert "#DC2626" in diff["pattern_changes"]["colors"]["removed"]
        assert "#2563EB" in diff["pattern_changes"]["colors"]["added"]
        by_id = await call(client, "diff_mockups", from_mockup_id=v2["id"], to_mockup_id=page["current_mockup_id"])
        assert "#DC2626" in by_id["pattern_changes"]["colors"]["added"]
        explicit = await call(client, "diff_mockups", page_id=page["id"], from_version=2, to_version=1)
        assert explicit["lines"]["html"] == {"added": 1, "removed": 1}
        assert "from_version" in await error_of(client, "diff_mockups", page_id=page["id"], to_version=1)
        assert "page_id" in await error_of(client, "diff_mockups")


async def test_size_limits_and_binary_junk_store_nothing(database_url, db):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(client, "create_page", project_id=project, name="Limits")
        before = await dump_project(db, uuid.UUID(project))
        cases = [
            ({"html_content": "x" * (HTML_LIMIT + 1)}, "html_content", "1,048,576 bytes"),
            ({"html_content": "é" * (HTML_LIMIT // 2 + 1)}, "html_content", "1 MiB"),  # 2 bytes each
            ({"html_content": "<p/>", "css_content": "a" * (CSS_LIMIT + 1)}, "css_content", "512 KiB"),
            ({"html_content": "<p/>", "javascript_content": "b" * (CSS_LIMIT + 1)}, "javascript_content", "512 KiB"),
            ({"html_content": "<p>\x00\x01</p>"}, "html_content", "NUL"),
            ({"html_content": "<p>" + "\x01\x02\x03\x04" * 10 + "</p>"}, "html_content", "binary"),
            ({"html_content": "<p>\ud800</p>"}, "html_content", "not valid text"),
            ({"html_content": "   "}, "html_content", "empty"),
        ]
        for args, field, hint in cases:
            message = await error_of(client, "create_mockup_version", page_id=page["id"], **args)
            assert f"Invalid {field}" in message and hint in message, message
            assert "Nothing was saved" in message
        # Exactly at the limit is fine.
        at_limit = await call(
            client, "create_mockup_version", page_id=page["id"], html_content="<p>" + "x" * (HTML_LIMIT - 7) + "</p>"
        )
        assert at_limit["html_bytes"] == HTML_LIMIT
        await call(client, "delete_mockup", mockup_id=at_limit["id"])
        after = await dump_project(db, uuid.UUID(project))
        assert after["pages"][0]["last_mockup_version"] == 1  # the successful save used number 1 for good
        for rows in (before, after):
            for row in rows["pages"]:
                (
                    row.pop("updated_at"),
                    row.pop("status"),
                    row.pop("last_mockup_version"),
                )  # the successful save moved these
        assert after == before


async def test_resources(database_url):
    async with connect(database_url) as client:
        project = await new_project(client)
        page = await call(client, "create_page", project_id=project, name="Home", path="/", html_content=HTML_V1)
        listing = await client.read_resource(f"flexos://projects/{project}/pages")
        assert page["id"] in listing.contents[0].text and "<main" not in listing.contents[0].text
        one = await client.read_resource(f"flexos://projects/{project}/pages/{page['id']}")
        assert "<user-content" in one.contents[0].text and "bg-red-600" in one.contents[0].text
        versions = await client.read_resource(f"flexos://projects/{project}/pages/{page['id']}/mockups")
        assert page["current_mockup_id"] in versions.contents[0].text
        mockup = await client.read_resource(f"flexos://projects/{project}/mockups/{page['current_mockup_id']}")
        assert "colors_used" in mockup.contents[0].text
        other = await new_project(client, "Other")
        with pytest.raises(MCPError, match="No page"):
            await client.read_resource(f"flexos://projects/{other}/pages/{page['id']}")
        with pytest.raises(MCPError, match="No mockup"):
            await client.read_resource(f"flexos://projects/{other}/mockups/{page['current_mockup_id']}")


async def test_another_users_pages_and_mockups_answer_like_missing_ones(database_url, db):
    owner = new_email()
    ids = await seed_project(db, owner)
    before = await dump_project(db, ids["project"])
    page, mockup = str(ids["page"]), str(ids["mockup"])
    async with connect(database_url) as intruder:
        mine = await new_project(intruder, "Mine")
        calls = [
            ("get_page", {"page_id": "{page}"}),
            ("get_page", {"page_id": "{page}", "include_current_mockup": True}),
            ("update_page", {"page_id": "{page}", "name": "Taken"}),
            ("delete_page", {"page_id": "{page}"}),
            ("list_mockups", {"page_id": "{page}"}),
            ("create_mockup_version", {"page_id": "{page}", "html_content": "<p>mine now</p>"}),
            ("get_mockup", {"mockup_id": "{mockup}"}),
            ("update_mockup", {"mockup_id": "{mockup}", "ai_notes": {"x": 1}}),
            ("delete_mockup", {"mockup_id": "{mockup}"}),
            ("set_current_mockup", {"mockup_id": "{mockup}"}),
            ("set_current_mockup", {"page_id": "{page}", "version": 1}),
            ("diff_mockups", {"page_id": "{page}"}),
            ("list_pages", {"project_id": "{project}"}),
            ("list_pages", {"project_id": "{project}", "cursor": "nonsense"}),
            ("list_pages", {"project_id": "{project}", "parent_id": str(uuid.uuid4())}),
            ("create_page", {"project_id": "{project}", "name": "Sneaky"}),
        ]
        for tool, template in calls:

            def fill(target: str, template=template):
                return {k: (target if v in ("{page}", "{mockup}", "{project}") else v) for k, v in template.items()}

            real = {"{page}": page, "{mockup}": mockup, "{project}": str(ids["project"])}[
                next(v for v in template.values() if v in ("{page}", "{mockup}", "{project}"))
            ]
            random_id = str(uuid.uuid4())
            foreign = await error_of(intruder, tool, **fill(real))
            missing = await error_of(intruder, tool, **fill(random_id))
            assert foreign.replace(real, "ID") == missing.replace(random_id, "ID"), (tool, foreign, missing)
        # Their page as my parent, their mockups in a diff: not found either.
        message = await error_of(intruder, "create_page", project_id=mine, name="X", parent_id=page)
        assert "parent_id" in message
        message = await error_of(intruder, "diff_mockups", from_mockup_id=mockup, to_mockup_id=mockup)
        assert "No mockup" in message
        message = await error_of(intruder, "get_page", project_id=str(ids["project"]), path="/")
        assert "No project" in message
    assert await dump_project(db, ids["project"]) == before
