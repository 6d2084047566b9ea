"""The features toolset through a real MCP client: CRUD, page links, filters, full-text filter,
validation of ids and data_operations, tenancy."""

from __future__ import annotations

import uuid

from helpers.mcp_client import call, connect, error_of, new_email
from helpers.project_fixtures import add_page, make_project
from helpers.records import dump_project, seed_project


async def project_with_pages(db, email):
    project = await make_project(db, email)
    pages = {slug: await add_page(db, project, slug, slug.title()) for slug in ("home", "lessons", "detail")}
    flow = await db.fetchval(
        "INSERT INTO journey_flows (project_id, name, canvas_state) VALUES ($1, 'Share', '{}') RETURNING id", project
    )
    return project, pages, flow


async def test_create_get_update_delete(database_url, db):
    email = new_email()
    project, pages, flow = await project_with_pages(db, email)
    async with connect(database_url, email=email) as client:
        created = await call(
            client,
            "create_feature",
            project_id=str(project),
            name="Share lesson plans",
            user_description="Teachers can share lesson plans",
            category="content",
            affected_pages=[str(pages["lessons"]), str(pages["detail"]), str(pages["lessons"])],
            required_journeys=[str(flow)],
            data_operations={"creates": ["Lesson", " Lesson "], "reads": ["User"]},
            ui_requirements=["share button"],
            business_rules=["only verified teachers"],
            technical_requirements={"needs": ["rich_text"]},
        )
        assert created["status"] == "planned"
        assert created["affected_pages"] == [str(pages["lessons"]), str(pages["detail"])]
        assert created["data_operations"] == {"creates": ["Lesson"], "reads": ["User"]}
        assert await call(client, "get_feature", feature_id=created["id"]) == created
        updated = await call(client, "update_feature", feature_id=created["id"], status="in-progress", category="")
        assert updated["status"] == "in-progress" and updated["category"] is None
        assert updated["affected_pages"] == created["affected_pages"] and updated["updated_at"] > created["updated_at"]
        deleted = await call(client, "delete_feature", feature_id=created["id"])
        assert deleted == {"id": created["id"], "name": "Share lesson plans", "deleted": True}
        message = await error_of(client, "get_feature", feature_id=created["id"])
        assert "No feature with id" in message


async def test_link_unlink_and_list_filters(database_url, db):
    email = new_email()
    project, pages, _ = await project_with_pages(db, email)
    p = str(project)
    async with connect(database_url, email=email) as client:
        share = await call(
            client,
            "create_feature",
            project_id=p,
            name="Share lesson plans",
            category="content",
            user_description="Teachers publish what worked in class",
        )
        login = await call(
            client,
            "create_feature",
            project_id=p,
            name="Log in",
            category="auth",
            status="completed",
            user_description="Returning teachers sign in",
        )
        linked = await call(
            client,
            "link_feature_to_pages",
            feature_id=share["id"],
            page_ids=[str(pages["lessons"]), str(pages["home"])],
        )
        again = await call(client, "link_feature_to_pages", feature_id=share["id"], page_ids=[str(pages["lessons"])])
        assert linked["affected_pages"] == again["affected_pages"] == [str(pages["lessons"]), str(pages["home"])]
        await call(client, "link_feature_to_pages", feature_id=login["id"], page_ids=[str(pages["home"])])

        def names(listing):
            return [f["name"] for f in listing["items"]]

        assert names(await call(client, "list_features", project_id=p)) == ["Share lesson plans", "Log in"]
        assert names(await call(client, "list_features", project_id=p, category="auth")) == ["Log in"]
        assert names(await call(client, "list_features", project_id=p, status="planned")) == ["Share lesson plans"]
        assert names(await call(client, "list_features", project_id=p, page_id=str(pages["home"]))) == [
            "Share lesson plans",
            "Log in",
        ]
        assert names(await call(client, "list_features", project_id=p, page_id=str(pages["detail"]))) == []
        # full text: stemming ('published' ~ 'publish'), description as well as name
        assert names(await call(client, "list_features", project_id=p, text="published")) == ["Share lesson plans"]
        assert names(await call(client, "list_features", project_id=p, text="teachers -sign")) == ["Share lesson plans"]
        first = await call(client, "list_features", project_id=p, limit=1)
        second = await call(client, "list_features", project_id=p, limit=1, cursor=first["next_cursor"])
        assert names(first) + names(second) == ["Share lesson plans", "Log in"] and second["next_cursor"] is None

        unlinked = await call(
            client, "link_feature_to_pages", feature_id=share["id"], page_ids=[str(pages["lessons"])], unlink=True
        )
        assert unlinked["affected_pages"] == [str(pages["home"])]
        message = await error_of(
            client, "link_feature_to_pages", feature_id=share["id"], page_ids=[str(pages["lessons"])], unlink=True
        )
        assert "page_ids" in message and str(pages["lessons"]) in message and "not linked" in message
    # deleting a page removes it from affected_pages (schema trigger)
    await db.execute("DELETE FROM pages WHERE id = $1", pages["home"])
    assert (
        await db.fetchval("SELECT affected_pages FROM features WHERE name = 'Log in' AND project_id = $1", project)
        == []
    )


async def test_bad_input_names_the_field_and_changes_nothing(database_url, db, subtests):
    email = new_email()
    project, pages, _flow = await project_with_pages(db, email)
    _other_project, other_pages, other_flow = await project_with_pages(db, email)  # same user, other project
    stranger = await seed_project(db, new_email())
    before = await dump_project(db, project)
    async with connect(database_url, email=email) as client:
        p = str(project)
        feature = await call(client, "create_feature", project_id=p, name="Share")
        before = await dump_project(db, project)
        for bad_page in (other_pages["home"], stranger["page"], uuid.uuid4()):
            for tool, args in (
                (
                    "create_feature",
                    {"project_id": p, "name": "X", "affected_pages": [str(pages["home"]), str(bad_page)]},
                ),
                ("update_feature", {"feature_id": feature["id"], "affected_pages": [str(bad_page)]}),
                ("link_feature_to_pages", {"feature_id": feature["id"], "page_ids": [str(bad_page)]}),
            ):
                with subtests.test(bad_page=bad_page, tool=tool):
                    message = await error_of(client, tool, **args)
                    field = "page_ids" if tool == "link_feature_to_pages" else "affected_pages"
                    assert (
                        message.replace(str(bad_page), "ID") == f"Invalid {field}: no page with id ID in this project. "
                        "Call list_pages to see the project's pages. Nothing was changed."
                    )
        for bad_flow in (other_flow, stranger["flow"], uuid.uuid4()):
            with subtests.test(bad_flow=bad_flow):
                message = await error_of(
                    client, "create_feature", project_id=p, name="X", required_journeys=[str(bad_flow)]
                )
                assert "required_journeys" in message and str(bad_flow) in message and "journey flow" in message
        message = await error_of(
            client, "create_feature", project_id=p, name="X", data_operations={"modifies": ["Lesson"]}
        )
        assert (
            "data_operations" in message and '"modifies"' in message and "creates, reads, updates, deletes" in message
        )
        message = await error_of(
            client, "create_feature", project_id=p, name="X", data_operations={"creates": "Lesson"}
        )
        assert "`data_operations.creates`" in message and "list" in message
        message = await error_of(client, "update_feature", feature_id=feature["id"], data_operations={"reads": [""]})
        assert "data_operations" in message
        message = await error_of(client, "create_feature", project_id=p, name="X", status="done")
        assert "`status`" in message and "'planned', 'in-progress' or 'completed'" in message
        message = await error_of(client, "update_feature", feature_id=feature["id"], status="shipped")
        assert "`status`" in message and "in-progress" in message
        assert await dump_project(db, project) == before


async def test_another_users_feature_answers_like_a_missing_one(database_url, db, subtests):
    owner = await seed_project(db, new_email())
    before = await dump_project(db, owner["project"])
    async with connect(database_url) as intruder:
        mine = await make_project_via_tools(intruder)
        for tool, extra in (
            ("get_feature", {}),
            ("update_feature", {"name": "Taken"}),
            ("delete_feature", {}),
            ("link_feature_to_pages", {"page_ids": [str(owner["page"])]}),
            ("link_feature_to_pages", {"page_ids": [str(owner["page"])], "unlink": True}),
        ):
            with subtests.test(tool=tool, extra=extra):
                missing_id = uuid.uuid4()
                foreign = await error_of(intruder, tool, feature_id=str(owner["feature"]), **extra)
                missing = await error_of(intruder, tool, feature_id=str(missing_id), **extra)
                assert foreign.replace(str(owner["feature"]), "ID") == missing.replace(str(missing_id), "ID")
        for tool in ("list_features", "create_feature"):
            extra = {"name": "X"} if tool == "create_feature" else {}
            missing_id = uuid.uuid4()
            foreign = await error_of(intruder, tool, project_id=str(owner["project"]), **extra)
            missing = await error_of(intruder, tool, project_id=str(missing_id), **extra)
            assert foreign.replace(str(owner["project"]), "ID") == missing.replace(str(missing_id), "ID")
        # filtering by someone else's page answers like a random id
        missing_id = uuid.uuid4()
        foreign = await error_of(intruder, "list_features", project_id=mine, page_id=str(owner["page"]))
        missing = await error_of(intruder, "list_features", project_id=mine, page_id=str(missing_id))
        assert foreign.replace(str(owner["page"]), "ID") == missing.replace(str(missing_id), "ID")
        assert "Invalid page_id: no page with id ID in this project" in missing.replace(str(missing_id), "ID")
    assert await dump_project(db, owner["project"]) == before


async def make_project_via_tools(client) -> str:
    return (await call(client, "create_project", name="Mine", type="web-app"))["id"]


async def test_resources(database_url, db):
    email = new_email()
    project, _pages, _ = await project_with_pages(db, email)
    async with connect(database_url, email=email) as client:
        feature = await call(client, "create_feature", project_id=str(project), name="Rate lessons")
        listing = await client.read_resource(f"flexos://projects/{project}/features")
        assert "Rate lessons" in listing.contents[0].text
        one = await client.read_resource(f"flexos://projects/{project}/features/{feature['id']}")
        assert feature["id"] in one.contents[0].text
        other = await make_project(db, email, "Other")
        try:
            await client.read_resource(f"flexos://projects/{other}/features/{feature['id']}")
            raise AssertionError("a feature read through another project's URI")
        except Exception as exc:  # the SDK raises the resource error
            assert "No feature with id" in str(exc)
