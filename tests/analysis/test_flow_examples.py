import json
from pathlib import Path

import pytest

from flexos_mcp.analysis.vueflow import apply_node_rows, node_semantic_errors, parse_canvas

from helpers.flows_node_checks import vueflow_round_trip

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "lesson-library" / "flows"
EXAMPLE_PAGE_PATHS = {
    "/",
    "/signup",
    "/login",
    "/dashboard",
    "/lessons",
    "/lessons/new",
    "/lessons/detail",
    "/settings/profile",
}
FLOW_FILES = ["signup.json", "create-lesson.json"]


@pytest.mark.parametrize("name", FLOW_FILES)
def test_example_flow_is_a_valid_canvas_with_known_pages(name):
    flow = json.loads((EXAMPLES / name).read_text())
    assert set(flow) == {"name", "description", "flow_type", "is_primary", "canvas"}
    assert flow["flow_type"] in {"user", "admin", "system", "error"}
    parsed = parse_canvas(flow["canvas"])
    assert node_semantic_errors(parsed["rows"]) == []
    assert apply_node_rows(flow["canvas"], parsed["rows"]) == flow["canvas"]
    screens = [row for row in parsed["rows"] if row["node_type"] == "screen"]
    assert screens and all(row["data"]["page_path"] in EXAMPLE_PAGE_PATHS for row in screens)


def test_signup_flow_shape():
    rows = {
        row["canvas_node_id"]: row
        for row in parse_canvas(json.loads((EXAMPLES / "signup.json").read_text())["canvas"])["rows"]
    }
    assert [c["target"] for c in rows["email-taken"]["connections"]] == ["login", "create-user"]
    assert rows["create-user"]["data"]["entity"] == "User" and rows["create-user"]["data"]["operation"] == "CREATE"
    assert [c["target"] for c in rows["create-user"]["connections"]] == ["dashboard"]


@pytest.mark.parametrize("name", FLOW_FILES)
def test_vueflow_loads_example_flow(name):
    canvas = json.loads((EXAMPLES / name).read_text())["canvas"]
    out = vueflow_round_trip(canvas)
    assert [(n["id"], n["position"], n["data"], n["type"]) for n in out["nodes"]] == [
        (n["id"], n["position"], n["data"], n["type"]) for n in canvas["nodes"]
    ]
    assert [(e["source"], e["target"], e.get("label")) for e in out["edges"]] == [
        (e["source"], e["target"], e.get("label", "")) for e in canvas["edges"]
    ]
