"""The rules every tool's arguments follow, through a real MCP client: one meaning for null,
values quoted back as JSON, validator messages that keep their acronyms, a project named by its
slug wherever an id is taken, and the nearest names for an unknown tool."""

from __future__ import annotations

from mcp.shared.exceptions import MCPError

from helpers.mcp_client import call, connect, error_of, new_email


async def test_null_for_an_optional_argument_means_left_out(database_url):
    async with connect(database_url) as client:
        project = await call(client, "create_project", name="Nulls", type="api", description=None, color=None)
        assert project["description"] is None and project["color"] is None
        listed = await call(client, "list_projects", limit=None, cursor=None, status=None)
        assert [p["id"] for p in listed["items"]] == [project["id"]]
        page = await call(
            client,
            "create_page",
            project_id=project["id"],
            name="Home",
            purpose=None,
            key_elements=None,
            html_content=None,
        )
        assert page["purpose"] is None and page["key_elements"] == []
        renamed = await call(client, "update_page", page_id=page["id"], name=None, status=None, sort_order=5)
        assert renamed["name"] == "Home" and renamed["status"] == "draft" and renamed["sort_order"] == 5


async def test_null_clears_only_what_the_schema_says_can_be_cleared(database_url):
    async with connect(database_url) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        clearable = {
            name
            for name, prop in tools["update_page"].input_schema["properties"].items()
            if "null" in str(prop.get("type")) or {"type": "null"} in prop.get("anyOf", [])
        }
        assert clearable == {"purpose", "parent_id"}
        for tool in tools.values():  # every argument that admits null says what null does
            for name, prop in tool.input_schema["properties"].items():
                if "null" in str(prop.get("type")) or {"type": "null"} in prop.get("anyOf", []):
                    assert "null" in prop.get("description", ""), f"{tool.name}.{name}"

        project = await call(client, "create_project", name="Clear", type="api", description="About")
        parent = await call(client, "create_page", project_id=project["id"], name="Parent")
        child = await call(
            client,
            "create_page",
            project_id=project["id"],
            name="Child",
            parent_id=parent["id"],
            purpose="Shows one lesson",
        )
        cleared = await call(client, "update_page", page_id=child["id"], purpose=None, parent_id=None)
        assert cleared["purpose"] is None and cleared["parent_id"] is None and cleared["name"] == "Child"
        kept = await call(client, "update_project", project_id=project["id"], name=None)
        assert kept["name"] == "Clear" and kept["description"] == "About"
        assert (await call(client, "update_project", project_id=project["id"], description=None))["description"] is None


async def test_errors_quote_json_values_and_keep_acronyms(database_url):
    async with connect(database_url) as client:
        message = await error_of(client, "get_page", page_id=5)
        assert "`page_id` UUID input should be a string" in message and "(got 5)" in message, message
        message = await error_of(client, "create_project", name=None, type="api")
        assert "`name`" in message and "got null" in message and "None" not in message, message
        message = await error_of(client, "create_project", name=True, type="api")
        assert "got true" in message and "True" not in message, message


async def test_a_project_slug_is_taken_wherever_a_project_id_is(database_url):
    owner, other = new_email(), new_email()
    async with connect(database_url, owner) as client:
        project = await call(client, "create_project", name="Lesson Library", type="web-app")
        assert (await call(client, "get_project", project_id="lesson-library"))["id"] == project["id"]
        page = await call(client, "create_page", project_id="lesson-library", name="Lessons", path="/lessons")
        assert page["project_id"] == project["id"]
        found = await call(client, "get_page", project_id="lesson-library", path="/lessons")
        assert found["id"] == page["id"]
        outline = await client.read_resource("flexos://projects/lesson-library/outline")
        assert project["id"] in outline.contents[0].text
        missing = await error_of(client, "get_project", project_id="no-such-project")
        assert "`project_id`" in missing and "list_projects" in missing and '"no-such-project"' in missing
    async with connect(database_url, other) as intruder:  # another user's slug reads like a missing one
        foreign = await error_of(intruder, "get_project", project_id="lesson-library")
        assert foreign == missing.replace("no-such-project", "lesson-library")
        reads = []
        for slug in ("lesson-library", "no-such-project"):
            try:
                await intruder.read_resource(f"flexos://projects/{slug}/outline")
            except MCPError as exc:
                reads.append(str(exc).replace(slug, "<slug>"))
        assert len(reads) == 2 and reads[0] == reads[1]


async def test_an_unknown_tool_suggests_the_nearest_names(database_url):
    async with connect(database_url) as client:
        message = await error_of(client, "get_projects")
        assert "Unknown tool `get_projects`" in message and "get_project" in message and "list_projects" in message
        assert "tools/list" in message


async def test_a_slug_where_only_an_id_is_taken_says_where_ids_are(database_url):
    async with connect(database_url) as client:
        message = await error_of(client, "get_page", page_id="lesson-detail")
        assert "`page_id`" in message and "looks like a slug" in message and "list_pages" in message, message
