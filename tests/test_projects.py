"""The projects toolset through a real MCP client: happy paths, paging, tenancy, bad input."""

from __future__ import annotations

import uuid

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project


async def test_create_get_update_round_trip(database_url, db):
    async with connect(database_url) as client:
        created = await call(
            client,
            "create_project",
            name="Lesson Library",
            type="web-app",
            color="#dc2626",
            target_feeling="playful",
            reference_apps=["Pinterest", "Notion"],
            settings={"grid": {"columns": 12}},
            metadata={"source": "test"},
            vision_statement="Teachers share what works.",
        )
        assert created["slug"] == "lesson-library" and created["color"] == "#DC2626"
        stored = await db.fetchrow("SELECT * FROM projects WHERE id = $1", uuid.UUID(created["id"]))
        assert stored["settings"] == {"grid": {"columns": 12}} and stored["reference_apps"] == ["Pinterest", "Notion"]
        got = await call(client, "get_project", project_id=created["id"])
        assert got == created
        updated = await call(
            client, "update_project", project_id=created["id"], description="For teachers", status="template"
        )
        assert updated["description"] == "For teachers" and updated["status"] == "template"
        assert updated["name"] == "Lesson Library" and updated["settings"] == {"grid": {"columns": 12}}
        assert updated["updated_at"] > created["updated_at"]
        cleared = await call(client, "update_project", project_id=created["id"], description="")
        assert cleared["description"] is None


async def test_slugs_are_derived_and_unique_per_user(database_url):
    async with connect(database_url) as client:
        first = await call(client, "create_project", name="Café Menu!", type="pwa")
        second = await call(client, "create_project", name="Cafe menu", type="pwa")
        assert (first["slug"], second["slug"]) == ("cafe-menu", "cafe-menu-2")
        message = await error_of(client, "create_project", name="X", type="api", slug="cafe-menu")
        assert "slug" in message and "cafe-menu" in message
        async with connect(database_url) as other:  # another user may reuse the slug
            assert (await call(other, "create_project", name="Cafe Menu", type="pwa"))["slug"] == "cafe-menu"


async def test_update_project_refuses_a_slug_the_owner_already_uses_and_changes_nothing(database_url, db):
    """The unique key refuses it inside the one UPDATE; the answer is the one the check before it gave."""
    async with connect(database_url) as client:
        first = await call(client, "create_project", name="Recipes", type="pwa")
        second = await call(client, "create_project", name="Menus", type="pwa")
        message = await error_of(client, "update_project", project_id=second["id"], slug="recipes", name="Renamed")
        assert message == "Invalid slug: you already have a project with slug 'recipes'; choose another."
        stored = await db.fetchrow("SELECT name, slug FROM projects WHERE id = $1", uuid.UUID(second["id"]))
        assert (stored["name"], stored["slug"]) == ("Menus", "menus")
        same = await call(client, "update_project", project_id=first["id"], slug="recipes", name="Recipes 2")
        assert (same["slug"], same["name"]) == ("recipes", "Recipes 2")


async def test_list_pages_through_every_project_once(database_url):
    async with connect(database_url) as client:
        made = {(await call(client, "create_project", name=f"P{i}", type="api"))["id"] for i in range(7)}
        seen, cursor = [], None
        while True:
            args = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = await call(client, "list_projects", **args)
            seen += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7 and set(seen) == made


async def test_open_project_puts_it_first(database_url):
    async with connect(database_url) as client:
        a = await call(client, "create_project", name="A", type="api")
        await call(client, "create_project", name="B", type="api")
        opened = await call(client, "open_project", project_id=a["id"])
        assert opened["last_opened_at"] > a["last_opened_at"]
        assert (await call(client, "list_projects"))["items"][0]["id"] == a["id"]


async def test_archive_and_filter_by_status(database_url):
    async with connect(database_url) as client:
        a = await call(client, "create_project", name="Old", type="api")
        await call(client, "create_project", name="New", type="api")
        assert (await call(client, "archive_project", project_id=a["id"]))["status"] == "archived"
        archived = await call(client, "list_projects", status="archived")
        assert [p["id"] for p in archived["items"]] == [a["id"]]


async def test_me(database_url):
    async with connect(database_url) as client:
        me = await call(client, "get_me")
        assert me["email"].endswith("@example.test") and me["role"] == "user"
        handle = f"ada-{uuid.uuid4().hex[:6]}"
        updated = await call(client, "update_me", full_name="Ada Lovelace", username=handle)
        assert (updated["full_name"], updated["username"]) == ("Ada Lovelace", handle)


async def test_another_users_project_answers_like_a_missing_one(database_url, db, subtests):
    owner = new_email()
    ids = await seed_project(db, owner)
    before = await dump_project(db, ids["project"])
    async with connect(database_url) as intruder:
        for tool in ("get_project", "open_project", "update_project", "archive_project", "delete_project"):
            with subtests.test(tool=tool):
                extra = {"name": "Taken"} if tool == "update_project" else {}
                foreign = await error_of(intruder, tool, project_id=str(ids["project"]), **extra)
                missing_id = uuid.uuid4()
                missing = await error_of(intruder, tool, project_id=str(missing_id), **extra)
                assert foreign.replace(str(ids["project"]), "ID") == missing.replace(str(missing_id), "ID")
        assert (await call(intruder, "list_projects"))["items"] == []
        listing = await intruder.read_resource("flexos://projects")
        assert str(ids["project"]) not in listing.contents[0].text
    assert await dump_project(db, ids["project"]) == before


async def test_bad_input_is_an_actionable_error_and_changes_nothing(database_url, db):
    async with connect(database_url) as client:
        before = await db.fetchval("SELECT count(*) FROM projects")
        cases = {
            "type": ({"name": "A", "type": "desktop"}, "web-app"),
            "color": ({"name": "A", "type": "api", "color": "red"}, "#RRGGBB"),
            "target_feeling": ({"name": "A", "type": "api", "target_feeling": "grumpy"}, "professional"),
            "name": ({"type": "api"}, "required"),
            "slug": ({"name": "A", "type": "api", "slug": "Not A Slug"}, "lowercase"),
            "reference_apps": ({"name": "A", "type": "api", "reference_apps": "Notion"}, "list"),
            "nme": ({"nme": "A", "type": "api"}, "Valid arguments"),
        }
        for field, (args, hint) in cases.items():
            message = await error_of(client, "create_project", **args)
            assert f"`{field}`" in message and hint in message, message
            assert "Traceback" not in message and "pydantic" not in message
        message = await error_of(client, "get_project", project_id="not-a-uuid")
        assert "`project_id`" in message and "UUID" in message
        message = await error_of(client, "list_projects", cursor="garbage")
        assert "cursor" in message and "next_cursor" in message
        assert await db.fetchval("SELECT count(*) FROM projects") == before


async def test_resources(database_url):
    async with connect(database_url) as client:
        project = await call(client, "create_project", name="Res", type="api")
        read = await client.read_resource(f"flexos://projects/{project['id']}")
        assert '"name":"<user-content>Res</user-content>"' in read.contents[0].text
        listed = (await client.list_resources()).resources
        assert {r.uri for r in listed} >= {
            "flexos://projects",
            "flexos://schema",
            f"flexos://projects/{project['id']}/outline",
        }
        outline = await client.read_resource(f"flexos://projects/{project['id']}/outline")
        assert f'"project_id":"{project["id"]}"' in outline.contents[0].text
        schema = await client.read_resource("flexos://schema")
        assert "FIX (defect 1)" in schema.contents[0].text
        assert "migration 7: search_vectors" in schema.contents[0].text
