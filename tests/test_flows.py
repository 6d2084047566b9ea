"""The flows toolset through a real MCP client on a real database: VueFlow canvases saved and read
back unchanged, rows that match the canvas, node tools that edit the canvas, journey building,
analysis, coverage, Mermaid, reference clean-up, bad input and tenancy."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

from flexos_mcp.untrusted import unwrap

from helpers.flows_node_checks import mermaid_parse_results, vueflow_round_trip
from helpers.mcp_client import call, connect, error_of, new_email
from helpers.records import dump_project, seed_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "lesson-library" / "flows"


def vueflow_export(page_id: str | None = None) -> dict:
    """What VueFlow 1.48's toObject() gives for a small sign-in journey built in an editor: node
    types, sizes, styles, custom keys, edges with handles, labels, animation and markers."""
    login_data = {
        "device_frame": "iphone",
        "instance_context": {"entry_from": ["landing"], "exits_to": ["home"]},
        "entry": True,
    }
    if page_id:
        login_data["page_id"] = page_id
    return {
        "nodes": [
            {
                "id": "login",
                "type": "screen",
                "initialized": False,
                "position": {"x": 0, "y": 100},
                "label": "Log in",
                "data": login_data,
                "width": 220,
                "height": 120,
                "class": "flexos-screen",
                "style": {"border": "1px solid #1E293B"},
                "selectable": True,
                "myEditorMeta": {"color": "teal", "pinned": [1, 2]},
            },
            {
                "id": "ok",
                "type": "decision",
                "initialized": False,
                "position": {"x": 300, "y": 100.5},
                "label": "Credentials valid?",
                "data": {
                    "question": "Credentials valid?",
                    "branches": [
                        {"label": "Yes", "target_node": "load", "condition": "auth.ok"},
                        {"label": "No", "target_node": "login"},
                    ],
                },
                "width": 160,
                "height": 90,
                "zIndex": 2,
            },
            {
                "id": "load",
                "type": "database",
                "initialized": False,
                "position": {"x": 540, "y": 40},
                "data": {"operation": "read", "entity": "User", "fields": ["email", "name"]},
                "draggable": False,
            },
            {
                "id": "home",
                "type": "screen",
                "initialized": False,
                "position": {"x": 780, "y": 40},
                "label": "Home",
                "data": {"exit": True},
                "style": {"width": "200px", "height": "100px"},
            },
            {
                "id": "note-1",
                "type": "annotation",
                "initialized": False,
                "position": {"x": 0, "y": 300},
                "data": {"text": "Rate-limit after 5 tries"},
                "hidden": False,
            },
            {
                "id": "vf-default",
                "initialized": False,
                "position": {"x": 540, "y": 220},
                "data": {"label": "Help"},
                "type": "default",
            },
        ],
        "edges": [
            {
                "id": "e-login-ok",
                "type": "smoothstep",
                "source": "login",
                "target": "ok",
                "sourceHandle": "right",
                "targetHandle": "left",
                "label": "Sign in",
                "animated": True,
                "markerEnd": {"type": "arrowclosed", "color": "#64748b"},
                "data": {"trigger": "form_submit", "element": "form button"},
                "style": {"strokeWidth": 2},
            },
            {
                "id": "e-ok-load",
                "type": "default",
                "source": "ok",
                "target": "load",
                "sourceHandle": "yes",
                "label": "Yes",
                "markerEnd": "arrowclosed",
                "data": {},
            },
            {
                "id": "e-ok-login",
                "source": "ok",
                "target": "login",
                "sourceHandle": "no",
                "label": "No",
                "animated": False,
                "markerEnd": "arrow",
                "updatable": True,
            },
            {"id": "e-load-home", "source": "load", "target": "home", "data": {"trigger": "auto", "custom": {"x": 1}}},
            {
                "id": "e-note",
                "source": "note-1",
                "target": "login",
                "type": "straight",
                "style": {"strokeDasharray": "4 2"},
            },
            {
                "id": "e-login-help",
                "source": "login",
                "target": "vf-default",
                "label": "Forgot password?",
                "data": {"trigger": "click"},
            },
        ],
        "position": [12, -4],
        "zoom": 1.25,
        "viewport": {"x": 12, "y": -4, "zoom": 1.25},
        "myEditorState": {"grid": 20},
    }


async def new_project(client, name="Flows") -> str:
    return (await call(client, "create_project", name=name, type="web-app"))["id"]


async def new_page(db, project_id: str, path: str, *, mockup: bool = False) -> str:
    slug = path.strip("/").replace("/", "-") or "home"
    page_id = await db.fetchval(
        "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, $2, $3, $4) RETURNING id",
        uuid.UUID(project_id),
        slug.title(),
        slug,
        path,
    )
    if mockup:
        await db.execute(
            "INSERT INTO mockups (page_id, project_id, version, html_content) VALUES ($1, $2, 1, '<main/>')",
            page_id,
            uuid.UUID(project_id),
        )
    return str(page_id)


async def rows_of(db, flow_id: str) -> dict[str, dict]:
    rows = await db.fetch("SELECT * FROM flow_nodes WHERE flow_id = $1", uuid.UUID(flow_id))
    return {r["canvas_node_id"]: dict(r) for r in rows}


def assert_rows_match_canvas(rows: dict[str, dict], canvas: dict) -> None:
    """Every canvas node is one row (type, position, size, data, locked) and every edge one
    connection of its source row naming the target row's UUID."""
    assert set(rows) == {n["id"] for n in canvas["nodes"]}
    uuid_of = {canvas_id: str(r["id"]) for canvas_id, r in rows.items()}
    ours = {"screen", "decision", "annotation", "database", "action"}
    for node in canvas["nodes"]:
        row = rows[node["id"]]
        assert row["node_type"] == (node.get("type") if node.get("type") in ours else "action")
        assert row["position"] == node["position"]
        assert row["data"] == node.get("data", {})
        assert row["locked"] == (node.get("draggable") is False)
        if "width" in node:
            assert row["size"] == {"width": node["width"], "height": node["height"]}
    for node in canvas["nodes"]:
        expected = [
            (uuid_of[e["target"]], e["id"], e.get("label"), (e.get("data") or {}).get("trigger"))
            for e in canvas["edges"]
            if e["source"] == node["id"]
        ]
        got = [
            (c["target_node_id"], c["edge_id"], c.get("label"), c.get("trigger"))
            for c in rows[node["id"]]["connections"]
        ]
        assert got == expected


async def test_vueflow_export_round_trip_and_rows(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        page_id = await new_page(db, project_id, "/login")
        canvas = vueflow_export(page_id)
        flow = await call(
            client, "create_flow", project_id=project_id, name="Sign in", flow_type="user", is_primary=True
        )
        assert flow["nodes"] == [] and flow["node_count"] == 0
        saved = await call(client, "save_flow_canvas", flow_id=flow["id"], canvas=canvas)
        assert (
            saved["created"] == [n["id"] for n in canvas["nodes"]]
            and saved["deleted"] == []
            and saved["edge_count"] == 6
        )

        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        assert back == canvas
        rows = await rows_of(db, flow["id"])
        assert_rows_match_canvas(rows, canvas)
        assert rows["home"]["size"] == {"width": 200, "height": 100}  # from style, as VueFlow allows
        assert rows["load"]["locked"] is True and rows["vf-default"]["node_type"] == "action"
        assert saved["node_ids"] == {k: str(r["id"]) for k, r in rows.items()}
        stored = await db.fetchrow("SELECT viewport FROM journey_flows WHERE id = $1", uuid.UUID(flow["id"]))
        assert stored["viewport"] == {"x": 12, "y": -4, "zoom": 1.25}

        got = await call(client, "get_flow", flow_id=flow["id"])
        assert [n["canvas_node_id"] for n in got["nodes"]] == [n["id"] for n in canvas["nodes"]]
        ok = next(n for n in got["nodes"] if n["canvas_node_id"] == "ok")
        assert ok["label"] == "Credentials valid?"
        assert [(c["target_canvas_node_id"], c["label"]) for c in ok["connections"]] == [
            ("load", "Yes"),
            ("login", "No"),
        ]

        # Saving the same canvas again changes no row; an edited canvas keeps the UUIDs of kept nodes.
        again = await call(client, "save_flow_canvas", flow_id=flow["id"], canvas=canvas)
        assert (again["created"], again["updated"], again["deleted"]) == ([], [], [])
        edited = copy.deepcopy(canvas)
        edited["nodes"] = [n for n in edited["nodes"] if n["id"] != "vf-default"]
        edited["edges"] = [e for e in edited["edges"] if e["target"] != "vf-default"]
        edited["nodes"][0]["position"] = {"x": -20, "y": 100}
        edited["nodes"].append(
            {
                "id": "mfa",
                "type": "screen",
                "position": {"x": 300, "y": 300},
                "data": {"label": "2FA"},
                "extra": {"kept": True},
            }
        )
        edited["edges"].append({"id": "e-ok-mfa", "source": "ok", "target": "mfa", "label": "Needs 2FA"})
        edited["nodes"][1]["data"]["branches"].append({"label": "Needs 2FA", "target_node": "mfa"})
        result = await call(client, "save_flow_canvas", flow_id=flow["id"], canvas=edited)
        assert (result["created"], result["deleted"]) == (["mfa"], ["vf-default"])
        assert set(result["updated"]) == {"login", "ok"}
        assert all(result["node_ids"][k] == saved["node_ids"][k] for k in result["node_ids"] if k != "mfa")
        assert await call(client, "get_flow_canvas", flow_id=flow["id"]) == edited
        assert_rows_match_canvas(await rows_of(db, flow["id"]), edited)

        # VueFlow 1.48 itself loads what we return, custom keys and all.
        out = vueflow_round_trip(await call(client, "get_flow_canvas", flow_id=flow["id"]))
        assert [n["id"] for n in out["nodes"]] == [n["id"] for n in edited["nodes"]]
        assert out["nodes"][0]["myEditorMeta"] == {"color": "teal", "pinned": [1, 2]}
        assert [(e["id"], e["source"], e["target"]) for e in out["edges"]] == [
            (e["id"], e["source"], e["target"]) for e in edited["edges"]
        ]
        assert out["edges"][0]["markerEnd"] == {"type": "arrowclosed", "color": "#64748b"}


async def test_create_flow_with_canvas_lists_and_filters(database_url):
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        canvas = vueflow_export()
        main = await call(
            client,
            "create_flow",
            project_id=project_id,
            name="Main",
            flow_type="user",
            is_primary=True,
            canvas=canvas,
            display_settings={"minimap": True},
        )
        assert main["node_count"] == 6 and len(main["nodes"]) == 6 and main["display_settings"] == {"minimap": True}
        assert await call(client, "get_flow_canvas", flow_id=main["id"]) == canvas
        admin = await call(client, "create_flow", project_id=project_id, name="Moderate", flow_type="admin")
        errors = await call(client, "create_flow", project_id=project_id, name="Errors", flow_type="error")
        listed = await call(client, "list_flows", project_id=project_id)
        assert [f["id"] for f in listed["items"]] == [main["id"], admin["id"], errors["id"]]
        assert "canvas_state" not in listed["items"][0] and "nodes" not in listed["items"][0]
        assert [
            f["id"] for f in (await call(client, "list_flows", project_id=project_id, flow_type="admin"))["items"]
        ] == [admin["id"]]
        assert [
            f["id"] for f in (await call(client, "list_flows", project_id=project_id, is_primary=True))["items"]
        ] == [main["id"]]
        first = await call(client, "list_flows", project_id=project_id, limit=2)
        second = await call(client, "list_flows", project_id=project_id, limit=2, cursor=first["next_cursor"])
        assert [f["id"] for f in first["items"] + second["items"]] == [main["id"], admin["id"], errors["id"]]
        assert second["next_cursor"] is None

        screens = await call(client, "list_flow_nodes", flow_id=main["id"], node_type="screen")
        assert sorted(n["canvas_node_id"] for n in screens["items"]) == ["home", "login"]
        seen, cursor = [], None
        while True:
            page = await call(
                client, "list_flow_nodes", flow_id=main["id"], limit=4, **({"cursor": cursor} if cursor else {})
            )
            seen += [n["id"] for n in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 6

        updated = await call(
            client,
            "update_flow",
            flow_id=main["id"],
            description="How people sign in",
            viewport={"x": 1, "y": 2, "zoom": 0.5},
        )
        assert updated["name"] == "Main" and updated["description"] == "How people sign in"
        assert updated["viewport"] == {"x": 1, "y": 2, "zoom": 0.5}
        assert (await call(client, "get_flow_canvas", flow_id=main["id"]))["viewport"] == {"x": 1, "y": 2, "zoom": 0.5}
        cleared = await call(client, "update_flow", flow_id=main["id"], description="")
        assert cleared["description"] is None
        message = await error_of(client, "update_flow", flow_id=main["id"], viewport={"zoom": 0})
        assert "viewport.zoom" in message

        deleted = await call(client, "delete_flow", flow_id=main["id"])
        assert deleted == {"id": main["id"], "name": "Main", "deleted_nodes": 6}
        assert "No flow" in await error_of(client, "get_flow", flow_id=main["id"])


async def test_node_tools_edit_the_canvas(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        canvas = vueflow_export()
        flow = await call(client, "create_flow", project_id=project_id, name="Sign in", canvas=canvas)
        ids = {n["canvas_node_id"]: n["id"] for n in flow["nodes"]}

        moved = await call(
            client,
            "update_flow_node",
            node_id=ids["login"],
            position={"x": 5, "y": 6},
            data={"device_frame": "desktop", "entry": True, "label": "Sign in"},
        )
        assert moved["position"] == {"x": 5, "y": 6} and moved["label"] == "Sign in"
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        login = back["nodes"][0]
        assert login["position"] == {"x": 5, "y": 6} and login["data"]["device_frame"] == "desktop"
        assert login["label"] == "Sign in"  # the editor shows the new name
        assert (
            login["myEditorMeta"] == canvas["nodes"][0]["myEditorMeta"]
            and login["style"] == canvas["nodes"][0]["style"]
        )
        assert back["edges"] == canvas["edges"] and back["myEditorState"] == {"grid": 20}

        # Replacing connections keeps the edge (and its VueFlow keys) of a target already linked.
        linked = await call(
            client,
            "update_flow_node",
            node_id=ids["login"],
            connections=[
                {"target_node_id": "ok", "trigger": "form_submit", "label": "Sign in"},
                {"target_node_id": ids["home"], "trigger": "click", "label": "Skip"},
            ],
        )
        assert [c["target_canvas_node_id"] for c in linked["connections"]] == ["ok", "home"]
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        kept = next(e for e in back["edges"] if e["id"] == "e-login-ok")
        assert kept["markerEnd"] == {"type": "arrowclosed", "color": "#64748b"} and kept["animated"] is True
        assert not any(e["id"] == "e-login-help" for e in back["edges"])
        new_edge = next(e for e in back["edges"] if e["source"] == "login" and e["target"] == "home")
        assert new_edge["label"] == "Skip" and new_edge["data"] == {"trigger": "click"}

        created = await call(
            client,
            "create_flow_node",
            flow_id=flow["id"],
            node_type="database",
            data={"entity": "Session", "operation": "create"},
            connections=[{"target_node_id": "home", "trigger": "auto"}],
        )
        assert created["data"]["operation"] == "CREATE" and created["canvas_node_id"] == created["id"]
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        node = next(n for n in back["nodes"] if n["id"] == created["id"])
        assert node["type"] == "database" and node["data"] == {"entity": "Session", "operation": "CREATE"}
        assert any(e["source"] == created["id"] and e["target"] == "home" for e in back["edges"])

        removed = await call(client, "delete_flow_node", node_id=ids["load"])
        assert {(r["canvas_node_id"], r["field"]) for r in removed["removed_references"]} == {
            ("ok", "connections[0]"),
            ("ok", "data.branches[0]"),
        }
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        assert "load" not in {n["id"] for n in back["nodes"]}
        assert not any("load" in (e["source"], e["target"]) for e in back["edges"])
        ok = next(n for n in back["nodes"] if n["id"] == "ok")
        assert ok["data"]["branches"] == [{"label": "No", "target_node": "login"}]
        assert_rows_match_canvas(await rows_of(db, flow["id"]), back)
        assert (await call(client, "get_flow_node", node_id=ids["ok"]))["connections"][0][
            "target_canvas_node_id"
        ] == "login"
        vueflow_round_trip(back)


async def test_building_a_journey_step_by_step(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        page_id = await new_page(db, project_id, "/signup")
        flow = await call(client, "create_flow", project_id=project_id, name="Sign up")
        start = await call(
            client,
            "add_flow_step",
            flow_id=flow["id"],
            node_type="screen",
            label="Sign-up form",
            data={"page_id": page_id, "entry": True},
        )
        check = await call(
            client,
            "add_flow_step",
            flow_id=flow["id"],
            after_node=start["id"],
            node_type="decision",
            label="Email taken?",
            trigger="form_submit",
            element="form button",
        )
        save = await call(
            client,
            "add_flow_step",
            flow_id=flow["id"],
            after_node=check["canvas_node_id"],
            node_type="database",
            label="Create user",
            edge_label="No",
            data={"entity": "User", "operation": "CREATE"},
        )
        login = await call(
            client,
            "add_flow_step",
            flow_id=flow["id"],
            after_node=check["id"],
            node_type="screen",
            label="Log in",
            edge_label="Yes",
        )
        home = await call(
            client,
            "add_flow_step",
            flow_id=flow["id"],
            after_node=save["id"],
            node_type="screen",
            label="Dashboard",
            data={"exit": True},
        )
        assert check["data"]["question"] == "Email taken?"
        assert save["position"]["x"] > check["position"]["x"] > start["position"]["x"]
        assert login["position"]["x"] == save["position"]["x"] and login["position"]["y"] > save["position"]["y"]

        decision = await call(client, "get_flow_node", node_id=check["id"])
        assert decision["data"]["branches"] == [
            {"label": "No", "target_node": save["canvas_node_id"]},
            {"label": "Yes", "target_node": login["canvas_node_id"]},
        ]
        analysis = await call(client, "analyze_flow", flow_id=flow["id"])
        assert analysis["entries"] == [start["canvas_node_id"]]
        assert set(analysis["exits"]) == {home["canvas_node_id"], login["canvas_node_id"]}
        assert analysis["dead_ends"] == [] and analysis["missing_branches"] == [] and analysis["path_count"] == 2

        again = await call(
            client,
            "connect_nodes",
            source_node_id=login["id"],
            target_node_id=start["id"],
            trigger="click",
            label="Back",
        )
        assert [c["target_node_id"] for c in again["connections"]] == [start["id"]]
        same = await call(
            client,
            "connect_nodes",
            source_node_id=login["id"],
            target_node_id=start["id"],
            trigger="click",
            label="Back",
        )
        assert same["connections"] == again["connections"]
        analysis = await call(client, "analyze_flow", flow_id=flow["id"])
        assert len(analysis["cycles"]) == 1

        layout = await call(client, "auto_layout_flow", flow_id=flow["id"])
        canvas = await call(client, "get_flow_canvas", flow_id=flow["id"])
        boxes = {n["id"]: (n["position"]["x"], n["position"]["y"], 180, 80) for n in canvas["nodes"]}
        assert {k: v for k, v in layout["positions"].items()} == {k: {"x": b[0], "y": b[1]} for k, b in boxes.items()}
        for a in boxes.values():
            for b in boxes.values():
                if a is not b:
                    assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
        for edge in canvas["edges"]:
            if edge["source"] != login["canvas_node_id"]:  # the loop back is the one edge pointing left
                assert boxes[edge["target"]][0] > boxes[edge["source"]][0]
        assert (await call(client, "auto_layout_flow", flow_id=flow["id"]))["moved"] == 0  # deterministic
        assert_rows_match_canvas(await rows_of(db, flow["id"]), canvas)
        out = vueflow_round_trip(canvas)
        assert len(out["nodes"]) == 5 and len(out["edges"]) == 5

        diagram = await call(client, "export_flow_mermaid", flow_id=flow["id"])
        assert diagram["mermaid"].startswith("flowchart LR") and '{"Email taken?"}' in diagram["mermaid"]
        assert '|"Yes"|' in diagram["mermaid"]
        assert mermaid_parse_results([diagram["mermaid"]])[0]["ok"]


async def test_screens_without_a_label_are_named_after_their_page(database_url, db):
    """Mermaid and the analysis legend show the page's name for a screen node whose data has no
    label (a canvas made by hand or by the FlexOS app), not its canvas id."""
    async with connect(database_url) as client:
        project_id = await new_project(client)
        page = await call(client, "create_page", project_id=project_id, name="Lesson library", path="/lessons")
        canvas = {
            "nodes": [
                {
                    "id": "n-7f3a",
                    "type": "screen",
                    "position": {"x": 0, "y": 0},
                    "data": {"page_id": page["id"].upper()},
                },
                {
                    "id": "n-b21c",
                    "type": "screen",
                    "position": {"x": 200, "y": 0},
                    "data": {"page_id": page["id"], "label": "Lesson detail"},
                },
                {"id": "n-c9d0", "type": "screen", "position": {"x": 400, "y": 0}, "data": {"page_path": "/later"}},
            ],
            "edges": [
                {"id": "e1", "source": "n-7f3a", "target": "n-b21c"},
                {"id": "e2", "source": "n-b21c", "target": "n-c9d0"},
            ],
        }
        flow = await call(client, "create_flow", project_id=project_id, name="Browse", canvas=canvas)
        diagram = (await call(client, "export_flow_mermaid", flow_id=flow["id"]))["mermaid"]
        assert '  n1["Lesson library"]\n' in diagram and "n-7f3a" not in diagram
        assert '  n2["Lesson detail"]\n' in diagram and '  n3["/later"]\n' in diagram
        legend = (await call(client, "analyze_flow", flow_id=flow["id"]))["nodes"]
        assert legend["n-7f3a"]["label"] == "Lesson library"
        await call(client, "update_page", page_id=page["id"], name="All lessons")  # the name is read, not copied
        assert '["All lessons"]' in (await call(client, "export_flow_mermaid", flow_id=flow["id"]))["mermaid"]


async def test_analysis_of_hand_made_flows(database_url):
    canvas = {
        "nodes": [
            {"id": "start", "type": "screen", "position": {"x": 0, "y": 0}, "data": {"entry": True}},
            {
                "id": "ask",
                "type": "decision",
                "position": {"x": 200, "y": 0},
                "data": {"question": "Paid?", "branches": [{"label": "Yes", "target_node": "done"}]},
            },
            {"id": "done", "type": "screen", "position": {"x": 400, "y": 0}, "data": {}},
            {
                "id": "save",
                "type": "database",
                "position": {"x": 400, "y": 200},
                "data": {"entity": "Order", "operation": "UPDATE"},
            },
            {"id": "retry", "type": "action", "position": {"x": 200, "y": 200}, "data": {"label": "Retry"}},
            {"id": "orphan", "type": "screen", "position": {"x": 0, "y": 400}, "data": {"label": "Old promo"}},
            {"id": "why", "type": "decision", "position": {"x": 600, "y": 400}, "data": {"question": "Why?"}},
            {"id": "note", "type": "annotation", "position": {"x": 0, "y": 600}, "data": {"text": "n"}},
        ],
        "edges": [
            {"id": "a", "source": "start", "target": "ask"},
            {"id": "b", "source": "ask", "target": "done"},
            {"id": "c", "source": "ask", "target": "retry"},
            {"id": "d", "source": "retry", "target": "ask"},
            {"id": "e", "source": "retry", "target": "save"},
            {"id": "f", "source": "orphan", "target": "why"},
            {"id": "g", "source": "note", "target": "start"},
        ],
    }
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        flow = await call(client, "create_flow", project_id=project_id, name="Checkout", canvas=canvas)
        found = await call(client, "analyze_flow", flow_id=flow["id"], max_paths=1)
        assert found["entries"] == ["start"]
        assert found["unreachable"] == ["orphan", "why"]
        assert found["dead_ends"] == ["save", "why"]
        assert found["exits"] == ["done"]
        assert found["cycles"] == [["ask", "retry"]]
        assert {(m["node_id"], m["problem"]) for m in found["missing_branches"]} == {
            ("ask", "fewer_than_two_branches"),
            ("why", "fewer_than_two_branches"),
        }
        assert found["paths"] == [["start", "ask", "done"]]
        assert (found["path_count"], found["paths_truncated"]) == (1, False)
        assert found["nodes"]["save"]["node_type"] == "database" and found["nodes"]["retry"]["label"] == "Retry"
        assert found["nodes"]["start"]["id"] in {n["id"] for n in flow["nodes"]}
        assert "note" not in found["nodes"]


async def test_bad_input_is_a_clear_error_and_stores_nothing(database_url, db):
    owner = new_email()
    async with connect(database_url, email=owner, toolsets=("all",)) as client:
        project_id = await new_project(client)
        flow = await call(client, "create_flow", project_id=project_id, name="Main", canvas=vueflow_export())
        other = await call(
            client,
            "create_flow",
            project_id=project_id,
            name="Other",
            canvas={"nodes": [{"id": "x", "type": "screen", "position": {"x": 0, "y": 0}, "data": {}}], "edges": []},
        )
        ids = {n["canvas_node_id"]: n["id"] for n in flow["nodes"]}
        foreign = await seed_project(db, new_email())  # another user's page
        before = await dump_project(db, uuid.UUID(project_id))

        def with_node(node, edges=()):
            c = vueflow_export()
            c["nodes"].append(node)
            c["edges"].extend(edges)
            return c

        cases = [
            (
                "save_flow_canvas",
                {
                    "canvas": with_node(
                        {"id": "q", "position": {"x": 0, "y": 0}},
                        [{"id": "e-q", "source": "q", "target": other["nodes"][0]["canvas_node_id"]}],
                    )
                },
                ["edges[6].target", '"x"', "not a node of this canvas"],
            ),
            (
                "save_flow_canvas",
                {
                    "canvas": with_node(
                        {
                            "id": "s",
                            "type": "screen",
                            "position": {"x": 0, "y": 0},
                            "data": {"page_id": str(foreign["page"])},
                        }
                    )
                },
                ["canvas node 's' data.page_id", "not a page of this project"],
            ),
            (
                "save_flow_canvas",
                {
                    "canvas": with_node(
                        {
                            "id": "s",
                            "type": "screen",
                            "position": {"x": 0, "y": 0},
                            "data": {"mockup_id": str(foreign["mockup"])},
                        }
                    )
                },
                ["data.mockup_id", "not a mockup of this project"],
            ),
            (
                "save_flow_canvas",
                {
                    "canvas": with_node(
                        {
                            "id": "d",
                            "type": "decision",
                            "position": {"x": 0, "y": 0},
                            "data": {"branches": [{"label": "Y", "target_node": "nowhere"}]},
                        }
                    )
                },
                ["node 'd'", "data.branches[0].target_node", "'nowhere'"],
            ),
            (
                "save_flow_canvas",
                {
                    "canvas": with_node(
                        {
                            "id": "db",
                            "type": "database",
                            "position": {"x": 0, "y": 0},
                            "data": {"operation": "MERGE", "entity": "User"},
                        }
                    )
                },
                ["node 'db'", "data.operation", "CREATE"],
            ),
            (
                "save_flow_canvas",
                {"canvas": with_node({"id": "p", "position": {"x": "left", "y": 0}})},
                ["nodes[6].position.x", "finite number"],
            ),
            ("save_flow_canvas", {"canvas": ["not", "an", "object"]}, ["`canvas`", "dictionary"]),
            ("save_flow_canvas", {"canvas": "{}"}, ["canvas.nodes", "is missing"]),
            (
                "save_flow_canvas",
                {
                    "canvas": {
                        "nodes": [{"id": f"n{i}", "position": {"x": i, "y": 0}} for i in range(10_000)],
                        "edges": [],
                    }
                },
                ["10000 nodes", "at most 2000"],
            ),
            (
                "connect_nodes",
                {"source_node_id": ids["home"], "target_node_id": other["nodes"][0]["id"]},
                ["target_node_id", "not a node of flow 'Main'"],
            ),
            (
                "create_flow_node",
                {"node_type": "action", "connections": [{"target_node_id": other["nodes"][0]["id"]}]},
                ["connections[0].target_node_id", "not a node of flow 'Main'"],
            ),
            (
                "create_flow_node",
                {"node_type": "screen", "data": {"page_id": str(foreign["page"])}},
                ["data.page_id", "not a page of this project"],
            ),
            (
                "update_flow_node",
                {
                    "node_id": ids["ok"],
                    "data": {"question": "?", "branches": [{"label": "Y", "target_node": other["nodes"][0]["id"]}]},
                },
                ["data.branches[0].target_node", "not a node of flow 'Main'"],
            ),
            (
                "add_flow_step",
                {"node_type": "database", "label": "Save", "after_node": "home"},
                ["data.entity", "must name the entity"],
            ),
            (
                "add_flow_step",
                {"node_type": "screen", "label": "X", "after_node": str(uuid.uuid4())},
                ["after_node", "not a node of flow 'Main'"],
            ),
        ]
        for tool, args, expected in cases:
            if tool in ("save_flow_canvas", "create_flow_node", "add_flow_step"):
                args = {"flow_id": flow["id"], **args}
            message = await error_of(client, tool, **args)
            for text in expected:
                assert text in message, (tool, text, message)
            assert "Traceback" not in message and "asyncpg" not in message
        assert await dump_project(db, uuid.UUID(project_id)) == before

        message = await error_of(
            client,
            "create_flow",
            project_id=project_id,
            name="Bad",
            canvas={
                "nodes": [{"id": "a", "position": {"x": 0, "y": 0}}],
                "edges": [{"id": "e", "source": "a", "target": "b"}],
            },
        )
        assert "edges[0].target" in message
        assert await dump_project(db, uuid.UUID(project_id)) == before


async def test_another_users_flows_answer_like_missing_ones(database_url, db, subtests):
    ids = await seed_project(db, new_email())
    before = await dump_project(db, ids["project"])
    async with connect(database_url, toolsets=("all",)) as intruder:
        flow_cases = {
            "get_flow": {},
            "get_flow_canvas": {},
            "update_flow": {"name": "Mine"},
            "delete_flow": {},
            "save_flow_canvas": {"canvas": {"nodes": [], "edges": []}},
            "list_flow_nodes": {},
            "create_flow_node": {"node_type": "action"},
            "add_flow_step": {"node_type": "action", "label": "x"},
            "auto_layout_flow": {},
            "analyze_flow": {},
            "export_flow_mermaid": {},
        }
        for tool, extra in flow_cases.items():
            missing_id = uuid.uuid4()
            foreign = await error_of(intruder, tool, flow_id=str(ids["flow"]), **extra)
            missing = await error_of(intruder, tool, flow_id=str(missing_id), **extra)
            assert foreign.replace(str(ids["flow"]), "ID") == missing.replace(str(missing_id), "ID"), tool
        node_cases = {"get_flow_node": {}, "update_flow_node": {"locked": True}, "delete_flow_node": {}}
        for tool, extra in node_cases.items():
            missing_id = uuid.uuid4()
            foreign = await error_of(intruder, tool, node_id=str(ids["flow_node"]), **extra)
            missing = await error_of(intruder, tool, node_id=str(missing_id), **extra)
            assert foreign.replace(str(ids["flow_node"]), "ID") == missing.replace(str(missing_id), "ID"), tool
        missing_id = uuid.uuid4()
        foreign = await error_of(
            intruder, "connect_nodes", source_node_id=str(ids["flow_node"]), target_node_id=str(ids["flow_node_2"])
        )
        missing = await error_of(
            intruder, "connect_nodes", source_node_id=str(missing_id), target_node_id=str(ids["flow_node_2"])
        )
        assert foreign.replace(str(ids["flow_node"]), "ID") == missing.replace(str(missing_id), "ID")
        for tool in ("list_flows", "project_flow_coverage", "create_flow"):
            with subtests.test(tool=tool):
                extra = {"name": "X"} if tool == "create_flow" else {}
                missing_id = uuid.uuid4()
                foreign = await error_of(intruder, tool, project_id=str(ids["project"]), **extra)
                missing = await error_of(intruder, tool, project_id=str(missing_id), **extra)
                assert foreign.replace(str(ids["project"]), "ID") == missing.replace(str(missing_id), "ID"), tool
        # An own flow cannot connect to, or branch into, another user's node.
        own = await call(
            intruder,
            "create_flow",
            project_id=await new_project(intruder),
            name="Mine",
            canvas={"nodes": [{"id": "a", "position": {"x": 0, "y": 0}}], "edges": []},
        )
        message = await error_of(
            intruder, "connect_nodes", source_node_id=own["nodes"][0]["id"], target_node_id=str(ids["flow_node"])
        )
        assert "not a node of flow 'Mine'" in message
        for uri in (
            f"flexos://projects/{ids['project']}/flows",
            f"flexos://projects/{ids['project']}/flows/{ids['flow']}",
            f"flexos://projects/{ids['project']}/flows/{ids['flow']}/mermaid",
        ):
            with subtests.test(uri=uri):
                try:
                    result = await intruder.read_resource(uri)
                    text = result.contents[0].text
                except Exception as exc:  # the SDK raises for a resource error
                    text = str(exc)
                assert "Sign up" not in text and "No " in text, (uri, text)
    assert await dump_project(db, ids["project"]) == before


async def test_deleting_pages_and_mockups_clears_screen_references(database_url, db):
    from flexos_mcp.domain.flows import forget_page_references

    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        kept = await new_page(db, project_id, "/keep", mockup=True)
        doomed = await new_page(db, project_id, "/doomed", mockup=True)
        third = await new_page(db, project_id, "/third", mockup=True)
        mockup_of = {
            p: str(await db.fetchval("SELECT id FROM mockups WHERE page_id = $1", uuid.UUID(p)))
            for p in (kept, doomed, third)
        }
        canvas = {
            "nodes": [
                {
                    "id": "a",
                    "type": "screen",
                    "position": {"x": 0, "y": 0},
                    "data": {"page_id": kept, "mockup_id": mockup_of[kept], "k": 1},
                },
                {
                    "id": "b",
                    "type": "screen",
                    "position": {"x": 200, "y": 0},
                    "data": {"page_id": doomed, "mockup_id": mockup_of[doomed]},
                    "custom": True,
                },
                {
                    "id": "c",
                    "type": "screen",
                    "position": {"x": 400, "y": 0},
                    "data": {"page_id": third.upper(), "mockup_id": mockup_of[third]},
                },
            ],
            "edges": [{"id": "e1", "source": "a", "target": "b"}],
            "viewport": {"x": 0, "y": 0, "zoom": 1},
        }
        flow = await call(client, "create_flow", project_id=project_id, name="Pages", canvas=canvas)

        message = await error_of(
            client,
            "update_flow_node",
            node_id=flow["nodes"][0]["id"],
            data={"page_id": kept, "mockup_id": mockup_of[doomed]},
        )
        assert "data.mockup_id" in message and "another page" in message

        await db.execute("DELETE FROM pages WHERE id = $1", uuid.UUID(doomed))  # however a page is deleted
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        expected = copy.deepcopy(canvas)
        expected["nodes"][1]["data"] = {}
        assert back == expected
        assert_rows_match_canvas(await rows_of(db, flow["id"]), back)

        await db.execute("DELETE FROM mockups WHERE id = $1", uuid.UUID(mockup_of[kept]))
        back = await call(client, "get_flow_canvas", flow_id=flow["id"])
        assert back["nodes"][0]["data"] == {"page_id": kept, "k": 1}

        async with db.transaction():
            report = await forget_page_references(db, uuid.UUID(project_id), [uuid.UUID(third)])
        assert sorted((r.canvas_node_id, r.field) for r in report) == [("c", "data.mockup_id"), ("c", "data.page_id")]
        assert (await call(client, "get_flow_canvas", flow_id=flow["id"]))["nodes"][2]["data"] == {}
        assert_rows_match_canvas(
            await rows_of(db, flow["id"]), await call(client, "get_flow_canvas", flow_id=flow["id"])
        )
        deleted = await call(client, "delete_project", project_id=project_id)
        assert deleted["deleted"]["flow_nodes"] == 3


async def test_project_flow_coverage(database_url, db):
    async with connect(database_url, toolsets=("all",)) as client:
        project_id = await new_project(client)
        home = await new_page(db, project_id, "/", mockup=True)
        signup = await new_page(db, project_id, "/signup")
        await new_page(db, project_id, "/settings")
        await new_page(db, project_id, "/about", mockup=True)
        await call(
            client,
            "create_flow",
            project_id=project_id,
            name="Sign up",
            canvas={
                "nodes": [
                    {"id": "a", "type": "screen", "position": {"x": 0, "y": 0}, "data": {"page_id": home}},
                    {"id": "b", "type": "screen", "position": {"x": 200, "y": 0}, "data": {"page_id": signup}},
                    {"id": "c", "type": "screen", "position": {"x": 400, "y": 0}, "label": "Welcome", "data": {}},
                ],
                "edges": [],
            },
        )
        coverage = await call(client, "project_flow_coverage", project_id=project_id)
        assert (coverage["page_count"], coverage["flow_count"], coverage["pages_in_flows"]) == (4, 1, 2)
        assert [p["path"] for p in coverage["pages_in_no_flow"]] == ["/about", "/settings"]
        assert [(g["flow_name"], [p["path"] for p in g["pages"]]) for g in coverage["flows_with_unmocked_pages"]] == [
            ("Sign up", ["/signup"])
        ]
        assert [(s["canvas_node_id"], s["label"]) for s in coverage["screens_without_page"]] == [("c", "c")]
        assert coverage["truncated"] is False


async def test_example_flows_import_and_resources(database_url, db):
    from flexos_mcp.db.gateway import Database
    from flexos_mcp.db.pool import create_pool
    from flexos_mcp.domain.flows import import_example_flows
    from flexos_mcp.domain.scope import Actor, Scope

    email = new_email()
    async with connect(database_url, email=email, toolsets=("all",)) as client:
        project_id = await new_project(client, "Lesson Library")
        for path in ("/", "/signup", "/login", "/dashboard", "/lessons", "/lessons/new"):
            await new_page(db, project_id, path)
        user = await db.fetchrow("SELECT id, email FROM users WHERE email = $1", email)
        pool = await create_pool(database_url, max_size=2)
        try:
            scope = Scope(db=Database(pool), actor=Actor(id=user["id"], email=email))
            result = await import_example_flows(scope, uuid.UUID(project_id), EXAMPLES)
            assert sorted(f.name for f in result.flows) == ["Create a lesson", "Sign up"]
            assert result.unresolved_page_paths == ["/lessons/detail"]
            again = await import_example_flows(scope, uuid.UUID(project_id), EXAMPLES)
            assert again.flows == [] and len(again.skipped) == 2
        finally:
            await pool.close()
        signup = next(f for f in result.flows if f.name == "Sign up")
        canvas = await call(client, "get_flow_canvas", flow_id=str(signup.id))
        landing = next(n for n in canvas["nodes"] if n["id"] == "landing")
        page_root = await db.fetchval(
            "SELECT id FROM pages WHERE project_id = $1 AND path = '/'", uuid.UUID(project_id)
        )
        assert landing["data"]["page_id"] == str(page_root) and landing["data"]["page_path"] == "/"
        found = await call(client, "analyze_flow", flow_id=str(signup.id))
        assert found["dead_ends"] == [] and found["unreachable"] == [] and found["path_count"] >= 2

        listing = json.loads((await client.read_resource(f"flexos://projects/{project_id}/flows")).contents[0].text)
        assert len(listing["items"]) == 2
        detail = unwrap(
            json.loads(
                (await client.read_resource(f"flexos://projects/{project_id}/flows/{signup.id}")).contents[0].text
            )
        )
        assert detail["name"] == "Sign up" and len(detail["nodes"]) == len(canvas["nodes"])
        diagram = (
            (await client.read_resource(f"flexos://projects/{project_id}/flows/{signup.id}/mermaid")).contents[0].text
        )
        assert diagram.startswith("flowchart LR")
        assert all(r["ok"] for r in mermaid_parse_results([diagram]))
