"""The design toolset through a real MCP client, on the Lesson Library example loaded by
`flexos_mcp.demo.load_example`: emergence, confirmations that survive re-analysis, colour usage,
consistency, exports, bad input, tenancy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from contextlib import asynccontextmanager

import pytest
from mcp.shared.exceptions import MCPError

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.demo import load_example
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user

from helpers import ROOT
from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project


@asynccontextmanager
async def scope_for(database_url: str, email: str):
    pool = await create_pool(database_url, max_size=3)
    try:
        db = Database(pool)
        yield Scope(db=db, actor=await ensure_user(db, email))
    finally:
        await pool.close()


async def load_lesson_library(database_url: str, email: str) -> str:
    async with scope_for(database_url, email) as scope:
        return str((await load_example(scope)).id)


async def test_example_project_grows_its_real_design_system(database_url, db, subtests):
    email = new_email()
    project = await load_lesson_library(database_url, email)
    async with connect(database_url, email=email) as client:
        listed = await call(client, "list_pages", project_id=project, limit=100)
        assert [p["slug"] for p in listed["items"]] == [
            "home",
            "signup",
            "login",
            "dashboard",
            "lessons",
            "lessons-new",
            "lesson-detail",
            "profile-settings",
        ]
        assert all(p["status"] == "designed" and p["current_mockup_id"] for p in listed["items"])
        design = await call(client, "get_design_system", project_id=project, detail=True)
        colors = {name: token["value"] for name, token in design["tokens"]["colors"].items()}
        assert (colors["primary"], colors["background"], colors["surface"], colors["text"]) == (
            "#DC2626",
            "#F8FAFC",
            "#FFFFFF",
            "#0F172A",
        )
        spacing = design["tokens"]["spacing"]
        assert spacing["base"]["value"] == "8px" and spacing["scale"] == [8, 16, 24, 32, 64]
        assert design["tokens"]["typography"]["font_family"] == "Inter"
        assert design["generation_method"] == "emergent" and {"button", "card", "form"} <= set(
            design["component_patterns"]
        )
        assert 0 < design["confidence_scores"]["colors.primary"] <= 1
        stored = await db.fetchrow("SELECT * FROM design_systems WHERE project_id = $1", uuid.UUID(project))
        for column in ("tokens", "component_patterns", "confidence_scores", "user_confirmations", "prescribed_tokens"):
            with subtests.test(column=column):
                assert stored[column] == design[column], column

        # Confirmations and prescriptions win, and survive re-analysis.
        confirmed = await call(
            client,
            "confirm_design_token",
            project_id=project,
            path="colors.primary",
            value="rgb(185 28 28)",
            note="darker brand red",
        )
        primary = confirmed["tokens"]["colors"]["primary"]
        assert (primary["value"], primary["confirmed"], primary["note"]) == ("#B91C1C", True, "darker brand red")
        assert confirmed["confidence_scores"]["colors.primary"] == 1.0
        await call(client, "confirm_design_token", project_id=project, path="spacing.base")  # confirm as found
        await call(client, "confirm_design_token", project_id=project, path="colors.accent", ref="colors.red-600")
        prescribed = await call(
            client,
            "update_design_system",
            project_id=project,
            prescribed_tokens={"colors": {"brand": {"value": "#123456"}}},
        )
        assert prescribed["generation_method"] == "hybrid"
        again = await call(client, "analyze_design_system", project_id=project)
        assert again["created"] is False and again["mockups_analyzed"] == 8
        tokens = again["design_system"]["tokens"]
        assert tokens["colors"]["primary"]["value"] == "#B91C1C"
        assert tokens["colors"]["accent"] == {**tokens["colors"]["accent"], "ref": "red-600", "value": "#DC2626"}
        assert tokens["colors"]["brand"]["value"] == "#123456"
        assert set(again["design_system"]["user_confirmations"]) == {"colors.primary", "spacing.base", "colors.accent"}
        assert again["design_system"]["user_confirmations"]["spacing.base"]["value"] == "8px"
        withdrawn = await call(client, "unconfirm_design_token", project_id=project, path="colors.primary")
        assert withdrawn["tokens"]["colors"]["primary"]["value"] == "#DC2626"

        # Exports, as tools and as resources.
        dtcg = await call(client, "export_design_tokens", project_id=project, format="dtcg")
        document = json.loads(dtcg["content"])
        assert document["color"]["$type"] == "color" and document["color"]["primary"]["$value"] == "{color.red-600}"
        assert document["color"]["red-600"]["$value"]["hex"] == "#dc2626"  # DTCG 2025.10 colour object
        assert document["spacing"]["base"]["$value"] == {"value": 8, "unit": "px"} and dtcg["filename"] == "tokens.json"
        css = await call(client, "export_design_tokens", project_id=project, format="css")
        assert css["content"].startswith(":root {") and "--color-primary: #dc2626;" in css["content"]
        assert "--spacing-base: 8px;" in css["content"] and css["media_type"] == "text/css"
        tailwind = json.loads(
            (await call(client, "export_design_tokens", project_id=project, format="tailwind"))["content"]
        )
        assert tailwind["extend"]["colors"]["primary"] == "var(--color-primary)"
        config = await call(client, "export_design_tokens", project_id=project, format="tailwind_config")
        assert config["content"].startswith("/** Generated by FlexOS") and "export default" in config["content"]
        for suffix, expected in (
            ("tokens.json", '"$type": "color"'),
            ("tokens.css", "--color-primary: #dc2626;"),
            ("tailwind.json", "var(--color-primary)"),
            ("", '"user_confirmations"'),
        ):
            with subtests.test(suffix=suffix, expected=expected):
                uri = f"flexos://projects/{project}/design-system" + (f"/{suffix}" if suffix else "")
                assert expected in (await client.read_resource(uri)).contents[0].text
        message = await error_of(client, "export_design_tokens", project_id=project, format="sass")
        assert "`format`" in message and "'dtcg', 'css', 'tailwind' or 'tailwind_config'" in message


async def test_consistency_names_the_token_to_use(database_url):
    email = new_email()
    project = await load_lesson_library(database_url, email)
    async with connect(database_url, email=email) as client:
        home = await call(client, "get_page", project_id=project, path="/")
        clean = await call(client, "check_mockup_consistency", page_id=home["id"])
        assert clean["page_name"] == "Home" and clean["mockup"]["version"] == 1
        off = await call(
            client,
            "create_mockup_version",
            page_id=home["id"],
            changed_by="ai",
            html_content='<main class="bg-slate-50"><button style="background:#DB2828; padding:13px; '
            'font-family: Comic Sans MS">Go</button><p style="color:#7C3AED">New</p></main>',
        )
        report = await call(client, "check_mockup_consistency", mockup_id=off["id"])
        assert not report["consistent"]
        color = next(i for i in report["issues"] if i["value"] == "#DB2828")
        assert color["verdict"] == "near_token" and color["alternative"] is None
        assert color["suggestion"]["value"] == "#DC2626" and color["suggestion"]["css_var"].startswith("var(--color-")
        violet = next(i for i in report["issues"] if i["value"] == "#7C3AED")
        assert violet["verdict"] == "new_color" and violet["suggestion"] is None
        assert "no token is close (none within ΔE2000 3); add one" in violet["message"]
        assert violet["alternative"]["token"] in violet["message"]
        spacing = next(i for i in report["issues"] if i["kind"] == "spacing")
        assert spacing["value"] == "13px" and spacing["suggestion"]["value"] in ("8px", "16px")
        assert report["issue_counts"]["font_family"] == 1
        assert "mockup_id" in await error_of(client, "check_mockup_consistency")


async def test_design_system_crud_and_bad_input(database_url, db):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Brand first", type="web-app"))["id"]
        message = await error_of(client, "get_design_system", project_id=project)
        assert "no design system yet" in message and "analyze_design_system" in message
        prescribed = {
            "colors": {"primary": {"value": "#0055FF"}},
            "spacing": {"base": {"value": "4px"}, "scale": [4, 8, 12]},
        }
        confirmations = {"colors.text": {"value": "#111111", "confirmed_at": "2025-05-01T10:00:00+00:00"}}
        created = await call(
            client,
            "create_design_system",
            project_id=project,
            prescribed_tokens=prescribed,
            user_confirmations=confirmations,
        )
        assert created["prescribed_tokens"] == prescribed and created["user_confirmations"] == confirmations
        assert created["generation_method"] == "prescribed"
        assert created["tokens"]["colors"]["primary"]["value"] == "#0055FF"
        assert created["tokens"]["colors"]["text"]["value"] == "#111111"
        assert created["tokens"]["spacing"]["scale"] == [4, 8, 12]
        assert await call(client, "get_design_system", project_id=project) == created
        message = await error_of(client, "create_design_system", project_id=project)
        assert "already has a design system" in message
        updated = await call(client, "update_design_system", project_id=project, user_confirmations={})
        assert updated["user_confirmations"] == {} and updated["prescribed_tokens"] == prescribed
        assert "text" not in updated["tokens"]["colors"]

        before = await dump_project(db, uuid.UUID(project))
        bad = [
            ("confirm_design_token", {"path": "color.primary", "value": "#000000"}, "Invalid path", "colors.<name>"),
            (
                "confirm_design_token",
                {"path": "colors.primary", "value": "not-a-colour"},
                "Invalid value",
                "CSS colour",
            ),
            ("confirm_design_token", {"path": "spacing.base", "value": "wide"}, "Invalid value", "length"),
            ("confirm_design_token", {"path": "spacing.scale", "value": [8, -1]}, "Invalid value", "positive"),
            (
                "confirm_design_token",
                {"path": "colors.accent", "ref": "colors.nope"},
                "Invalid ref",
                "colour tokens: primary",
            ),
            ("confirm_design_token", {"path": "radii.lg", "ref": "colors.primary"}, "Invalid ref", "only colour"),
            ("confirm_design_token", {"path": "colors.unknown"}, "Invalid value", "no token at colors.unknown"),
            ("unconfirm_design_token", {"path": "colors.primary"}, "Invalid path", "not confirmed"),
            (
                "update_design_system",
                {"user_confirmations": {"colour.x": {"value": "#fff"}}},
                "user_confirmations",
                "token path",
            ),
            ("update_design_system", {"user_confirmations": {"colors.x": "#fff"}}, "user_confirmations", "'value'"),
        ]
        for tool, args, field, hint in bad:
            message = await error_of(client, tool, project_id=project, **args)
            assert field in message and hint in message, (tool, message)
        assert await dump_project(db, uuid.UUID(project)) == before

        deleted = await call(client, "delete_design_system", project_id=project)
        assert deleted["id"] == created["id"]
        assert "no design system yet" in await error_of(client, "get_design_system", project_id=project)
        analysed = await call(client, "analyze_design_system", project_id=project)
        assert analysed["created"] is True and analysed["mockups_analyzed"] == 0


async def test_color_usage_current_versions_and_all_versions(database_url):
    async with connect(database_url) as client:
        project = (await call(client, "create_project", name="Colours", type="web-app"))["id"]
        alpha = await call(
            client, "create_page", project_id=project, name="Alpha", html_content='<p style="color:#112233">a1</p>'
        )
        await call(
            client,
            "create_mockup_version",
            page_id=alpha["id"],
            html_content='<p style="color:#445566; background:#112233">a2</p>',
        )
        await call(
            client, "create_page", project_id=project, name="Beta", html_content='<p style="color:#112233">b1</p>'
        )
        gamma = await call(
            client, "create_page", project_id=project, name="Gamma", html_content='<p style="color:#778899">g1</p>'
        )
        await call(
            client,
            "create_mockup_version",
            page_id=gamma["id"],
            html_content='<p style="color:#112233">g2</p>',
            make_current=False,
        )
        current = await call(client, "color_usage", project_id=project)
        assert current == {
            "all_versions": False,
            "total_colors": 3,
            "items": [
                {"color": "#112233", "usage_count": 2, "used_in_pages": ["Alpha", "Beta"]},
                {"color": "#445566", "usage_count": 1, "used_in_pages": ["Alpha"]},
                {"color": "#778899", "usage_count": 1, "used_in_pages": ["Gamma"]},
            ],
        }
        every = await call(client, "color_usage", project_id=project, all_versions=True)
        assert every["items"] == [
            {"color": "#112233", "usage_count": 4, "used_in_pages": ["Alpha", "Beta", "Gamma"]},
            {"color": "#445566", "usage_count": 1, "used_in_pages": ["Alpha"]},
            {"color": "#778899", "usage_count": 1, "used_in_pages": ["Gamma"]},
        ]
        top = await call(client, "color_usage", project_id=project, limit=1)
        assert [i["color"] for i in top["items"]] == ["#112233"] and top["total_colors"] == 3


async def test_another_users_design_system_answers_like_a_missing_one(database_url, db):
    ids = await seed_project(db, new_email())
    before = await dump_project(db, ids["project"])
    project, mockup = str(ids["project"]), str(ids["mockup"])
    async with connect(database_url) as intruder:
        calls = [
            ("get_design_system", {}),
            ("analyze_design_system", {}),
            ("delete_design_system", {}),
            ("create_design_system", {}),
            ("update_design_system", {"prescribed_tokens": {}}),
            ("confirm_design_token", {"path": "colors.primary", "value": "#000000"}),
            ("unconfirm_design_token", {"path": "colors.primary"}),
            ("color_usage", {}),
            ("export_design_tokens", {"format": "css"}),
        ]
        for tool, extra in calls:
            missing_id = str(uuid.uuid4())
            foreign = await error_of(intruder, tool, project_id=project, **extra)
            missing = await error_of(intruder, tool, project_id=missing_id, **extra)
            assert foreign.replace(project, "ID") == missing.replace(missing_id, "ID"), tool
        for args in ({"mockup_id": mockup}, {"page_id": str(ids["page"])}):
            random_id = str(uuid.uuid4())
            key = next(iter(args))
            foreign = await error_of(intruder, "check_mockup_consistency", **args)
            missing = await error_of(intruder, "check_mockup_consistency", **{key: random_id})
            assert foreign.replace(args[key], "ID") == missing.replace(random_id, "ID")
        with pytest.raises(MCPError, match="No project"):
            await intruder.read_resource(f"flexos://projects/{project}/design-system/tokens.css")
    assert await dump_project(db, ids["project"]) == before


async def test_demo_command_loads_the_example(database_url, db):
    email = new_email()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLEXOS_USER_EMAIL": email,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    code = "from flexos_mcp.config import Config; from flexos_mcp.cli_demo import run_demo; run_demo(Config.from_env())"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Loaded the lesson-library example as project 'Lesson Library'" in result.stdout
    assert "primary #DC2626" in result.stdout and "Spacing: base 8px" in result.stdout
    assert "Flows (2): Create a lesson, Sign up" in result.stdout
    count = await db.fetchval(
        "SELECT count(*) FROM pages p JOIN projects pr ON pr.id = p.project_id "
        "JOIN users u ON u.id = pr.user_id WHERE u.email = $1",
        email,
    )
    assert count == 8
