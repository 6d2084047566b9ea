import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flexos_mcp.analysis.vueflow import (
    MAX_CANVAS_EDGES,
    MAX_CANVAS_NODES,
    CanvasError,
    apply_node_rows,
    node_semantic_errors,
    normalise_node_data,
    parse_canvas,
)

from helpers.flows_node_checks import vueflow_round_trip

PAGE_ID = "7d0c3a52-2f0e-4c8e-9d55-0b1f0f5a9e11"


def realistic_export():
    """Shaped like VueFlow 1.48 `toObject()` from an editor with custom node components."""
    return {
        "nodes": [
            {
                "id": "start",
                "type": "input",
                "initialized": False,
                "position": {"x": 0, "y": 40},
                "data": {"label": "Open app"},
                "label": "Open app",
                "sourcePosition": "right",
                "class": "entry",
            },
            {
                "id": "landing",
                "type": "screen",
                "position": {"x": 240, "y": 20},
                "width": 200,
                "height": 120,
                "data": {"page_id": PAGE_ID, "device_frame": "iphone"},
                "selectable": True,
                "zIndex": 2,
                "flexosColor": "#DC2626",
                "meta": {"owner": "ana", "tags": ["hero", 1, None]},
            },
            {
                "id": "ask",
                "type": "decision",
                "position": {"x": 520, "y": 40.5},
                "data": {
                    "question": "Logged in?",
                    "branches": [{"label": "Yes", "target_node": "home"}, {"label": "No", "target_node": "save"}],
                },
                "style": {"width": "160px", "height": "90px", "border": "1px solid red"},
                "draggable": False,
            },
            {
                "id": "save",
                "type": "database",
                "position": {"x": 760, "y": 140},
                "data": {"entity": "Session", "operation": "create"},
                "dimensions": {"width": 150, "height": 60},
            },
            {
                "id": "home",
                "type": "fancyCard",
                "position": {"x": 760, "y": -60},
                "data": {},
                "hidden": False,
                "parentNode": "group",
            },
            {"id": "group", "type": "group", "position": {"x": 700, "y": -100}, "width": 400, "height": 200},
            {"id": "note", "type": "annotation", "position": {"x": 240, "y": 200}, "data": {"text": "Hero copy TBD"}},
        ],
        "edges": [
            {
                "id": "e1",
                "type": "smoothstep",
                "source": "start",
                "target": "landing",
                "sourceHandle": "right",
                "targetHandle": "left",
                "label": "launch",
                "animated": True,
                "markerEnd": "arrowclosed",
                "data": {"trigger": "load"},
            },
            {
                "id": "e2",
                "source": "landing",
                "target": "ask",
                "label": "Continue",
                "markerEnd": {"type": "arrowclosed", "color": "#333"},
                "data": {"trigger": "click", "element": ".cta", "weight": 3},
            },
            {"id": "e3", "source": "ask", "target": "home", "sourceHandle": "yes", "label": "Yes", "updatable": True},
            {
                "id": "e4",
                "source": "ask",
                "target": "save",
                "sourceHandle": "no",
                "label": "No",
                "style": {"stroke": "red"},
            },
            {"id": "e5", "source": "note", "target": "landing", "type": "straight"},
        ],
        "position": [12, -8],
        "zoom": 1.25,
        "viewport": {"x": 12, "y": -8, "zoom": 1.25},
        "editorVersion": "flexos-canvas/3",
    }


def rows_by_id(rows):
    return {row["canvas_node_id"]: row for row in rows}


def test_parse_canvas_rows_of_realistic_export():
    parsed = parse_canvas(realistic_export())
    assert parsed["canvas"] == realistic_export()
    assert parsed["viewport"] == {"x": 12, "y": -8, "zoom": 1.25}
    rows = rows_by_id(parsed["rows"])
    assert [row["canvas_node_id"] for row in parsed["rows"]] == [
        "start",
        "landing",
        "ask",
        "save",
        "home",
        "group",
        "note",
    ]
    assert rows["start"] == {
        "canvas_node_id": "start",
        "node_type": "action",
        "position": {"x": 0, "y": 40},
        "size": {},
        "data": {"label": "Open app"},
        "locked": False,
        "connections": [
            {"target": "landing", "edge_id": "e1", "trigger": "load", "label": "launch", "sourceHandle": "right"}
        ],
    }
    assert rows["landing"]["node_type"] == "screen"
    assert rows["landing"]["size"] == {"width": 200, "height": 120}
    assert rows["landing"]["connections"] == [
        {"target": "ask", "edge_id": "e2", "trigger": "click", "element": ".cta", "label": "Continue"}
    ]
    assert rows["ask"]["size"] == {"width": 160, "height": 90}
    assert rows["ask"]["locked"] is True
    assert [c["target"] for c in rows["ask"]["connections"]] == ["home", "save"]
    assert rows["save"]["size"] == {"width": 150, "height": 60}
    assert rows["home"]["node_type"] == "action"
    assert rows["group"]["node_type"] == "action"
    assert rows["note"]["node_type"] == "annotation"
    assert rows["note"]["connections"] == [{"target": "landing", "edge_id": "e5"}]


def test_rows_from_a_canvas_apply_back_to_the_identical_canvas():
    canvas = realistic_export()
    assert apply_node_rows(canvas, parse_canvas(canvas)["rows"]) == realistic_export()


def test_viewport_falls_back_to_deprecated_position_and_zoom():
    assert parse_canvas({"nodes": [], "edges": [], "position": [5, 6], "zoom": 2})["viewport"] == {
        "x": 5,
        "y": 6,
        "zoom": 2,
    }
    assert parse_canvas({})["viewport"] == {"x": 0, "y": 0, "zoom": 1}


def test_row_edits_show_in_the_canvas_and_nothing_else_changes():
    canvas = realistic_export()
    rows = copy.deepcopy(parse_canvas(canvas)["rows"])
    by_id = rows_by_id(rows)
    by_id["landing"]["position"] = {"x": 300, "y": 20}
    by_id["landing"]["size"] = {"width": 220, "height": 120}
    by_id["ask"]["size"] = {"width": 170, "height": 90}
    by_id["save"]["data"] = {"entity": "Session", "operation": "CREATE", "fields": ["token"]}
    by_id["home"]["node_type"] = "screen"
    by_id["ask"]["locked"] = False
    by_id["landing"]["connections"][0]["label"] = "Next"
    by_id["landing"]["connections"][0]["trigger"] = "submit"
    out = apply_node_rows(canvas, rows)

    expected = realistic_export()
    expected["nodes"][1]["position"] = {"x": 300, "y": 20}
    expected["nodes"][1]["width"] = 220
    expected["nodes"][2]["style"]["width"] = "170px"
    expected["nodes"][2]["draggable"] = True
    expected["nodes"][3]["data"] = {"entity": "Session", "operation": "CREATE", "fields": ["token"]}
    expected["nodes"][4]["type"] = "screen"
    expected["edges"][1]["label"] = "Next"
    expected["edges"][1]["data"]["trigger"] = "submit"
    assert out == expected


def test_type_that_maps_to_the_same_node_type_is_kept():
    canvas = realistic_export()
    rows = parse_canvas(canvas)["rows"]
    out = apply_node_rows(canvas, rows)
    assert [n.get("type") for n in out["nodes"]] == [
        "input",
        "screen",
        "decision",
        "database",
        "fancyCard",
        "group",
        "annotation",
    ]


def test_new_rows_and_connections_become_nodes_and_edges():
    canvas = realistic_export()
    rows = copy.deepcopy(parse_canvas(canvas)["rows"])
    rows.append(
        {
            "canvas_node_id": "profile",
            "node_type": "screen",
            "position": {"x": 1000, "y": 0},
            "size": {"width": 180, "height": 80},
            "data": {"label": "Profile", "page_id": PAGE_ID},
            "connections": [],
            "locked": True,
        }
    )
    rows_by_id(rows)["home"]["connections"].append({"target": "profile", "label": "Edit", "trigger": "click"})
    out = apply_node_rows(canvas, rows)
    assert out["nodes"][:7] == realistic_export()["nodes"]
    assert out["nodes"][7] == {
        "id": "profile",
        "type": "screen",
        "position": {"x": 1000, "y": 0},
        "data": {"label": "Profile", "page_id": PAGE_ID},
        "label": "Profile",
        "width": 180,
        "height": 80,
        "draggable": False,
    }
    assert out["edges"][:5] == realistic_export()["edges"]
    assert out["edges"][5] == {
        "id": "e-home-profile",
        "source": "home",
        "target": "profile",
        "label": "Edit",
        "data": {"trigger": "click"},
    }
    # Applying the rows of the new canvas changes nothing more.
    assert apply_node_rows(out, parse_canvas(out)["rows"]) == out


def test_deleted_rows_vanish_with_their_edges_and_removed_connections_drop_edges():
    canvas = realistic_export()
    rows = [row for row in copy.deepcopy(parse_canvas(canvas)["rows"]) if row["canvas_node_id"] != "landing"]
    rows_by_id(rows)["ask"]["connections"] = [c for c in rows_by_id(rows)["ask"]["connections"] if c["edge_id"] != "e4"]
    out = apply_node_rows(canvas, rows)
    assert [n["id"] for n in out["nodes"]] == ["start", "ask", "save", "home", "group", "note"]
    assert [e["id"] for e in out["edges"]] == ["e3"]


def test_a_connection_retargeted_through_a_row_moves_the_edge():
    canvas = realistic_export()
    rows = copy.deepcopy(parse_canvas(canvas)["rows"])
    rows_by_id(rows)["ask"]["connections"][0]["target"] = "note"
    out = apply_node_rows(canvas, rows)
    assert out["edges"][2]["target"] == "note"
    assert out["edges"][2]["id"] == "e3"


def test_unknown_type_changed_through_row_is_written():
    canvas = {"nodes": [{"id": "a", "type": "default", "position": {"x": 0, "y": 0}}], "edges": []}
    rows = parse_canvas(canvas)["rows"]
    rows[0]["node_type"] = "decision"
    assert apply_node_rows(canvas, rows)["nodes"][0]["type"] == "decision"


node_ids = st.sampled_from(["a", "b", "c", "d", "n-1", "Ω"])
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=8))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)
coordinates = st.one_of(st.integers(-5000, 5000), st.floats(-5000, 5000, allow_nan=False))


@st.composite
def canvases(draw):
    ids = draw(st.lists(node_ids, unique=True, max_size=6))
    nodes = []
    for node_id in ids:
        node = {"id": node_id, "position": {"x": draw(coordinates), "y": draw(coordinates)}}
        extra = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "type": st.sampled_from(
                        [
                            "screen",
                            "decision",
                            "annotation",
                            "database",
                            "action",
                            "input",
                            "output",
                            "default",
                            "custom",
                        ]
                    ),
                    "data": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
                    "width": st.one_of(st.integers(1, 500), st.just("120px"), st.just("50%")),
                    "height": st.integers(1, 500),
                    "style": st.fixed_dictionaries({}, optional={"width": st.just("99px"), "color": st.just("red")}),
                    "dimensions": st.fixed_dictionaries({"width": st.integers(1, 300), "height": st.integers(1, 300)}),
                    "draggable": st.booleans(),
                    "label": st.text(max_size=6),
                    "custom": json_values,
                },
            )
        )
        node.update(extra)
        nodes.append(node)
    edges = []
    if ids:
        for k in range(draw(st.integers(0, 6))):
            edge = {"id": f"e{k}", "source": draw(st.sampled_from(ids)), "target": draw(st.sampled_from(ids))}
            edge.update(
                draw(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "label": st.text(max_size=5),
                            "sourceHandle": st.one_of(st.none(), st.text(max_size=3)),
                            "data": st.dictionaries(
                                st.sampled_from(["trigger", "element", "x"]), json_values, max_size=2
                            ),
                            "animated": st.booleans(),
                            "markerEnd": st.just("arrowclosed"),
                        },
                    )
                )
            )
            edges.append(edge)
    canvas = {"nodes": nodes, "edges": edges}
    canvas.update(
        draw(
            st.fixed_dictionaries(
                {}, optional={"viewport": st.just({"x": 1, "y": 2, "zoom": 0.5}), "extra": json_values}
            )
        )
    )
    return canvas


@settings(max_examples=150, deadline=None)
@given(canvases())
def test_any_valid_canvas_round_trips_through_rows(canvas):
    snapshot = copy.deepcopy(canvas)
    assert apply_node_rows(canvas, parse_canvas(canvas)["rows"]) == snapshot
    assert canvas == snapshot  # inputs are never mutated


@pytest.mark.parametrize(
    ("canvas", "path", "message"),
    [
        ([], "", "a canvas must be a JSON object (a VueFlow FlowExportObject with nodes, edges, viewport); got array"),
        ({"nodes": {}}, "nodes", "nodes must be an array of VueFlow nodes; got object"),
        (
            {"nodes": [{"id": "a"}]},
            "nodes[0].position",
            "nodes[0].position must be an object {x: number, y: number} (node 'a'); got null",
        ),
        (
            {"nodes": [{"id": "a", "position": {"x": "1", "y": 0}}]},
            "nodes[0].position.x",
            "nodes[0].position.x must be a finite number (node 'a'); got string \"1\"",
        ),
        (
            {"nodes": [{"id": "a", "position": {"x": 1}}]},
            "nodes[0].position.y",
            "nodes[0].position.y must be a finite number (node 'a'); got missing",
        ),
        (
            {"nodes": [{"id": "", "position": {"x": 1, "y": 1}}]},
            "nodes[0].id",
            'nodes[0].id must be a non-empty string; got string ""',
        ),
        (
            {"nodes": [{"id": "a", "position": {"x": 1, "y": 1}}, {"id": "a", "position": {"x": 1, "y": 1}}]},
            "nodes[1].id",
            "nodes[1].id 'a' is already the id of nodes[0]; node ids must be unique",
        ),
        (
            {"nodes": [{"id": "a", "position": {"x": 1, "y": 1}, "data": [1]}]},
            "nodes[0].data",
            "nodes[0].data of node 'a' must be an object; got array",
        ),
        (
            {"nodes": [{"id": "a", "position": {"x": 1, "y": 1}, "parentNode": "zz"}]},
            "nodes[0].parentNode",
            "nodes[0].parentNode 'zz' of node 'a' is not a node of this canvas; valid node ids: a",
        ),
        (
            {
                "nodes": [{"id": "n1", "position": {"x": 1, "y": 1}}, {"id": "n2", "position": {"x": 1, "y": 1}}],
                "edges": [{"id": "e1", "source": "n1", "target": "n2"}, {"id": "e2", "source": "n1", "target": "n9"}],
            },
            "edges[1].target",
            "edges[1].target \"n9\" of edge 'e2' is not a node of this canvas; valid node ids: n1, n2",
        ),
        (
            {"nodes": [{"id": "n1", "position": {"x": 1, "y": 1}}], "edges": [{"id": "e1", "target": "n1"}]},
            "edges[0].source",
            "edges[0].source null of edge 'e1' is not a node of this canvas; valid node ids: n1",
        ),
        (
            {
                "nodes": [{"id": "n1", "position": {"x": 1, "y": 1}}],
                "edges": [{"id": "e1", "source": "n1", "target": "n1"}, {"id": "e1", "source": "n1", "target": "n1"}],
            },
            "edges[1].id",
            "edges[1].id 'e1' is already the id of edges[0]; edge ids must be unique",
        ),
        ({"viewport": {"x": 0, "y": 0, "zoom": 0}}, "viewport.zoom", "viewport.zoom must be greater than 0; got 0"),
        ({"position": [1]}, "position", "position (deprecated) must be an array [x, y] of two numbers; got [1]"),
    ],
)
def test_invalid_canvases_name_the_field_and_what_is_valid(canvas, path, message):
    with pytest.raises(CanvasError) as caught:
        parse_canvas(canvas)
    assert caught.value.path == path
    assert caught.value.message == message


def test_valid_node_id_list_is_shortened_for_large_canvases():
    nodes = [{"id": f"n{i}", "position": {"x": 0, "y": 0}} for i in range(25)]
    with pytest.raises(CanvasError) as caught:
        parse_canvas({"nodes": nodes, "edges": [{"id": "e", "source": "n0", "target": "x"}]})
    assert caught.value.message.endswith("n17, n18, n19, ... (5 more)")


def test_ten_thousand_nodes_are_refused_with_the_limit():
    nodes = [{"id": f"n{i}", "position": {"x": 0, "y": 0}} for i in range(10_000)]
    with pytest.raises(CanvasError) as caught:
        parse_canvas({"nodes": nodes, "edges": []})
    assert MAX_CANVAS_NODES == 2000
    assert caught.value.message == (
        "the canvas has 10000 nodes; a flow holds at most 2000 (MAX_CANVAS_NODES). "
        "Split it into several flows (e.g. one per journey)."
    )
    parse_canvas({"nodes": nodes[:MAX_CANVAS_NODES], "edges": []})


def test_too_many_edges_are_refused():
    edges = [{"id": f"e{i}", "source": "a", "target": "a"} for i in range(MAX_CANVAS_EDGES + 1)]
    with pytest.raises(CanvasError) as caught:
        parse_canvas({"nodes": [{"id": "a", "position": {"x": 0, "y": 0}}], "edges": edges})
    assert caught.value.path == "edges"
    assert "at most 5000 (MAX_CANVAS_EDGES)" in caught.value.message


def test_rows_with_duplicate_edge_ids_are_refused():
    canvas = {"nodes": [{"id": "a", "position": {"x": 0, "y": 0}}], "edges": []}
    row = {
        "canvas_node_id": "a",
        "node_type": "screen",
        "position": {"x": 0, "y": 0},
        "data": {},
        "connections": [{"target": "a", "edge_id": "e"}, {"target": "a", "edge_id": "e"}],
    }
    with pytest.raises(CanvasError) as caught:
        apply_node_rows(canvas, [row])
    assert caught.value.path == "rows[0].connections[1].edge_id"


def test_node_semantic_errors_name_node_and_field():
    rows = [
        {
            "canvas_node_id": "s",
            "node_type": "screen",
            "data": {"page_id": "not-a-uuid", "mockup_id": PAGE_ID},
            "connections": [{"target": "d"}, {"target": "ghost"}],
        },
        {
            "canvas_node_id": "d",
            "node_type": "decision",
            "data": {
                "branches": [{"label": "Yes", "target_node": "s"}, {"label": "No", "target_node": "nowhere"}, "bad"]
            },
        },
        {"canvas_node_id": "db", "node_type": "database", "data": {"entity": "User", "operation": "upsert"}},
        {"canvas_node_id": "db2", "node_type": "database", "data": {"operation": "delete"}},
        {"canvas_node_id": "ok", "node_type": "database", "data": {"entity": "Lesson", "operation": "Create"}},
    ]
    assert node_semantic_errors(rows) == [
        {
            "node_id": "s",
            "field": "connections[1].target",
            "message": "node 's': connections[1].target 'ghost' is not a node of this flow; valid node ids: s, d, db, db2, ok",
        },
        {
            "node_id": "s",
            "field": "data.page_id",
            "message": "node 's': data.page_id must be a UUID string (e.g. '0b7e...-...'); got \"not-a-uuid\"",
        },
        {
            "node_id": "d",
            "field": "data.branches[1].target_node",
            "message": "node 'd': data.branches[1].target_node 'nowhere' is not a node of this flow; valid node ids: s, d, db, db2, ok",
        },
        {
            "node_id": "d",
            "field": "data.branches[2]",
            "message": "node 'd': data.branches[2] must be an object {label, target_node}; got string",
        },
        {
            "node_id": "db",
            "field": "data.operation",
            "message": "node 'db': data.operation must be one of CREATE, READ, UPDATE, DELETE (any case); got \"upsert\"",
        },
        {
            "node_id": "db2",
            "field": "data.entity",
            "message": "node 'db2': data.entity must name the entity this step touches (e.g. 'User'); got null",
        },
    ]


def test_normalise_upper_cases_database_operations_only():
    assert normalise_node_data("database", {"entity": "User", "operation": " read "}) == {
        "entity": "User",
        "operation": "READ",
    }
    assert normalise_node_data("screen", {"operation": "read"}) == {"operation": "read"}


def test_vueflow_accepts_the_canvas_after_a_row_round_trip():
    canvas = realistic_export()
    stored = apply_node_rows(canvas, parse_canvas(canvas)["rows"])
    out = vueflow_round_trip(stored)
    assert [n["id"] for n in out["nodes"]] == [n["id"] for n in canvas["nodes"]]
    assert [e["id"] for e in out["edges"]] == [e["id"] for e in canvas["edges"]]
    # What VueFlow 1.48 adds when a key is absent, and `dimensions`, which it measures itself
    # when mounted and never exports: everything else we sent comes back unchanged.
    node_defaults = {"initialized": False, "data": {}}
    edge_defaults = {"type": "default", "data": {}, "label": ""}
    for sent_items, back_items, defaults in (
        (canvas["nodes"], out["nodes"], node_defaults),
        (canvas["edges"], out["edges"], edge_defaults),
    ):
        for sent, back in zip(sent_items, back_items, strict=True):
            added = {k: v for k, v in back.items() if k not in sent}
            assert all(defaults.get(k, object()) == v for k, v in added.items()), (sent["id"], added)
            kept = {k: v for k, v in sent.items() if k != "dimensions"}
            assert {k: back.get(k, "<dropped>") for k in kept} == kept
    assert out["viewport"] == {"x": 0, "y": 0, "zoom": 1}  # headless: no pane mounted to apply ours
