import json
from collections import deque
from pathlib import Path

import pytest

from flexos_mcp.analysis.flow_graph import analyze_flow, auto_layout, place_after
from flexos_mcp.analysis.vueflow import CanvasError, node_box_size

from helpers.flow_graphs import complete_graph, edges_of, node, random_flow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "lesson-library" / "flows"


def test_hand_made_flow_findings_are_exactly_the_known_problems():
    nodes = [
        node("start", entry=True),
        node("form"),
        node("check", "decision", branches=[{"label": "Yes", "target_node": "save"}, {"label": "No"}]),
        node("save", "database", entity="User", operation="CREATE"),
        node("done"),
        node("orphan"),
        node("loop1", "action"),
        node("loop2", "action"),
        node("note", "annotation", text="explain"),
    ]
    edges = edges_of(
        ("start", "form"),
        ("form", "check"),
        ("check", "save"),
        ("check", "form"),
        ("start", "done"),
        ("loop1", "loop2"),
        ("loop2", "loop1"),
        ("note", "form"),
        ("orphan", "done"),
    )
    assert analyze_flow(nodes, edges) == {
        "node_count": 8,
        "edge_count": 8,
        "entries": ["start"],
        "exits": ["done"],
        "unreachable": ["orphan", "loop1", "loop2"],
        "dead_ends": ["save"],
        "cycles": [["form", "check"], ["loop1", "loop2"]],
        "cycles_truncated": False,
        "missing_branches": [
            {
                "node_id": "check",
                "problem": "branch_without_target",
                "branch_index": 1,
                "message": "branch 1 ('No') of decision 'check' has no target_node",
            }
        ],
        "paths": [["start", "done"]],
        "path_count": 1,
        "paths_truncated": False,
        "dangling_edges": [],
    }


def test_decision_branch_problems():
    nodes = [
        node("a"),
        node("one-way", "decision"),  # no data.branches: its edges are its branches
        node("b"),
        node(
            "bad",
            "decision",
            branches=[
                {"label": "Yes", "target_node": "b"},
                {"label": "No", "target_node": "ghost"},
                {"label": "Maybe", "target_node": "a"},
            ],
        ),
        node("lonely", "decision", exit=True, branches=[{"label": "Only", "target_node": "b"}]),
    ]
    edges = edges_of(("a", "one-way"), ("one-way", "b"), ("b", "bad"), ("bad", "b"))
    result = analyze_flow(nodes, edges)
    assert result["missing_branches"] == [
        {
            "node_id": "one-way",
            "problem": "fewer_than_two_branches",
            "message": "decision 'one-way' leads to 1 node(s); a decision needs at least two outcomes",
        },
        {
            "node_id": "bad",
            "problem": "branch_target_not_a_node",
            "branch_index": 1,
            "message": "branch 1 ('No') of decision 'bad' targets 'ghost', which is not a (non-annotation) node of this flow",
        },
        {
            "node_id": "bad",
            "problem": "branch_without_edge",
            "branch_index": 2,
            "message": "branch 2 ('Maybe') of decision 'bad' targets 'a' but no edge goes from 'bad' to 'a'",
        },
        {
            "node_id": "lonely",
            "problem": "fewer_than_two_branches",
            "message": "decision 'lonely' has 1 branch(es) in data.branches; a decision needs at least two",
        },
        {
            "node_id": "lonely",
            "problem": "branch_without_edge",
            "branch_index": 0,
            "message": "branch 0 ('Only') of decision 'lonely' targets 'b' but no edge goes from 'lonely' to 'b'",
        },
    ]
    # A terminal decision is a dead end even when marked exit; with no marks, entries are the
    # nodes without incoming edges.
    assert result["dead_ends"] == ["lonely"]
    assert result["entries"] == ["a", "lonely"]
    assert result["exits"] == []
    assert result["cycles"] == [["b", "bad"]]
    assert result["paths"] == [] and result["path_count"] == 0 and result["paths_truncated"] is False


def test_vueflow_input_and_output_types_mark_entries_and_exits():
    nodes = [
        node("in", vf_type="input"),
        node("mid", vf_type="default"),
        node("out", vf_type="output"),
        node("stray", vf_type="default"),
    ]
    edges = edges_of(("in", "mid"), ("mid", "out"), ("stray", "mid"))
    result = analyze_flow(nodes, edges)
    assert (result["entries"], result["exits"], result["unreachable"], result["dead_ends"]) == (
        ["in"],
        ["out"],
        ["stray"],
        [],
    )


def test_terminal_action_is_a_dead_end_unless_marked_exit():
    nodes = [node("s"), node("send", "action"), node("log", "action", exit=True)]
    result = analyze_flow(nodes, edges_of(("s", "send"), ("s", "log")))
    assert result["dead_ends"] == ["send"]
    assert result["exits"] == ["log"]
    assert result["paths"] == [["s", "log"]]


def test_path_count_of_acyclic_flow_is_exact_and_listing_is_capped():
    nodes = [node(n) for n in "abcdef"]
    edges = edges_of(("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("d", "f"))
    full = analyze_flow(nodes, edges)
    assert full["paths"] == [list("abde"), list("abdf"), list("acde"), list("acdf")]
    assert (full["path_count"], full["paths_truncated"]) == (4, False)
    capped = analyze_flow(nodes, edges, max_paths=3)
    assert capped["paths"] == [list("abde"), list("abdf"), list("acde")]
    assert (capped["path_count"], capped["paths_truncated"]) == (4, True)


def test_paths_continue_through_an_exit_with_outgoing_edges():
    nodes = [node("a"), node("b", exit=True), node("c")]
    result = analyze_flow(nodes, edges_of(("a", "b"), ("b", "c")))
    assert result["exits"] == ["b", "c"]
    assert result["paths"] == [["a", "b"], ["a", "b", "c"]]
    assert result["path_count"] == 2


def test_long_chain_path_count_is_computed_without_enumeration():
    # 30 diamonds in a row: 2**30 paths, counted exactly while listing only max_paths.
    nodes, edges = [node("s0")], []
    for i in range(30):
        nodes += [node(f"u{i}"), node(f"d{i}"), node(f"s{i + 1}")]
        edges += edges_of((f"s{i}", f"u{i}"), (f"s{i}", f"d{i}"), (f"u{i}", f"s{i + 1}"), (f"d{i}", f"s{i + 1}"))
    result = analyze_flow(nodes, edges, max_paths=5)
    assert result["path_count"] == 2**30
    assert len(result["paths"]) == 5 and result["paths_truncated"] is True


def test_simple_cycles_of_complete_graphs_are_all_found_and_capped():
    nodes, edges = complete_graph("abcd")
    result = analyze_flow(nodes, edges)
    assert len(result["cycles"]) == 20  # C(4,2)*1! + C(4,3)*2! + C(4,4)*3!
    assert len({tuple(c) for c in result["cycles"]}) == 20
    assert all(c[0] == min(c) for c in result["cycles"])  # each listed from its earliest node
    assert result["cycles_truncated"] is False
    nodes5, edges5 = complete_graph("abcde")
    assert len(analyze_flow(nodes5, edges5, max_cycles=200)["cycles"]) == 84
    capped = analyze_flow(nodes5, edges5, max_cycles=5)
    assert len(capped["cycles"]) == 5 and capped["cycles_truncated"] is True


def test_cyclic_flow_paths_are_enumerated_and_count_is_null_when_cut_short():
    nodes, edges = complete_graph("abcd")
    nodes[0]["data"]["entry"] = True
    nodes[3]["data"]["exit"] = True
    result = analyze_flow(nodes, edges)
    assert result["entries"] == ["a"] and result["exits"] == ["d"]
    assert result["paths"] == [list("abcd"), list("abd"), list("acbd"), list("acd"), list("ad")]
    assert (result["path_count"], result["paths_truncated"]) == (5, False)
    capped = analyze_flow(nodes, edges, max_paths=2)
    assert (len(capped["paths"]), capped["path_count"], capped["paths_truncated"]) == (2, None, True)


def test_self_loops_and_dangling_edges():
    nodes = [node("a"), node("b")]
    edges = edges_of(("a", "b"), ("b", "b"), ("b", "zz"))
    result = analyze_flow(nodes, edges)
    assert result["cycles"] == [["b"]]
    assert result["exits"] == ["b"]  # a self-loop is not a way out
    assert result["dangling_edges"] == ["b>zz"]
    assert result["edge_count"] == 2


def test_example_flows_analyse_cleanly():
    signup = json.loads((EXAMPLES / "signup.json").read_text())["canvas"]
    result = analyze_flow(signup["nodes"], signup["edges"])
    assert result["entries"] == ["landing"]
    assert result["exits"] == ["login", "dashboard"]
    assert (result["unreachable"], result["dead_ends"], result["cycles"], result["missing_branches"]) == (
        [],
        [],
        [],
        [],
    )
    assert result["paths"] == [
        ["landing", "signup", "email-taken", "login"],
        ["landing", "signup", "email-taken", "create-user", "dashboard"],
    ]
    lesson = json.loads((EXAMPLES / "create-lesson.json").read_text())["canvas"]
    result = analyze_flow(lesson["nodes"], lesson["edges"])
    assert result["cycles"] == [["new-lesson", "valid"]]
    assert result["paths"] == [["dashboard", "lessons", "new-lesson", "valid", "create-lesson", "lesson-detail"]]
    assert (result["unreachable"], result["dead_ends"], result["missing_branches"]) == ([], [], [])


# ------------------------------------------------------------------------------------------
# Layout


def test_layout_of_a_diamond_is_exact():
    nodes = [node(n) for n in "abcd"]
    edges = edges_of(("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"))
    assert auto_layout(nodes, edges) == {
        "a": {"x": 0, "y": 60},
        "b": {"x": 260, "y": 0},
        "c": {"x": 260, "y": 120},
        "d": {"x": 520, "y": 60},
    }


def test_layout_uses_node_sizes_and_puts_notes_under_their_node():
    nodes = [dict(node("a"), width=400, height=100), node("b"), node("n", "annotation")]
    edges = edges_of(("a", "b"), ("n", "b"))
    # layer 1 is b + gap + note = 200 high, so the 100-high a is centred at y = 50
    assert auto_layout(nodes, edges) == {"a": {"x": 0, "y": 50}, "b": {"x": 480, "y": 0}, "n": {"x": 480, "y": 120}}


def reaches(adjacency, source, target):
    seen, queue = {source}, deque([source])
    while queue:
        v = queue.popleft()
        if v == target:
            return True
        for w in adjacency.get(v, ()):
            if w not in seen:
                seen.add(w)
                queue.append(w)
    return False


def assert_no_overlaps(nodes, layout):
    boxes = sorted((layout[n["id"]]["x"], layout[n["id"]]["y"], *node_box_size(n), n["id"]) for n in nodes)
    for i, (x1, y1, w1, h1, a) in enumerate(boxes):
        for x2, y2, _w2, h2, b in boxes[i + 1 :]:
            if x2 >= x1 + w1:
                break
            assert y2 >= y1 + h1 or y1 >= y2 + h2, f"{a} and {b} overlap"


@pytest.mark.parametrize("seed", range(8))
def test_layout_has_no_overlaps_is_deterministic_and_left_to_right(seed):
    nodes, edges = random_flow(seed, 60)
    layout = auto_layout(nodes, edges)
    assert layout == auto_layout(nodes, edges)
    assert list(layout) == [n["id"] for n in nodes]
    assert_no_overlaps(nodes, layout)
    notes = {n["id"] for n in nodes if n["type"] == "annotation"}
    adjacency = {}
    for e in edges:
        adjacency.setdefault(e["source"], []).append(e["target"])
    for e in edges:
        s, t = e["source"], e["target"]
        if s in notes or t in notes or s == t or reaches(adjacency, t, s):
            continue  # notes sit beside their node; edges inside a cycle may point back
        assert layout[t]["x"] > layout[s]["x"], f"edge {s}->{t} does not go right"


def test_layout_of_example_flow_has_no_overlaps():
    signup = json.loads((EXAMPLES / "signup.json").read_text())["canvas"]
    layout = auto_layout(signup["nodes"], signup["edges"])
    assert_no_overlaps(signup["nodes"], layout)
    assert (
        layout["landing"]["x"]
        < layout["signup"]["x"]
        < layout["email-taken"]["x"]
        < layout["create-user"]["x"]
        < layout["dashboard"]["x"]
    )


# ------------------------------------------------------------------------------------------
# place_after


def test_place_after_goes_right_then_down_past_occupied_spots():
    a = node("a")
    assert place_after([a], "a") == {"x": 260, "y": 0}
    first = node("b1", x=260, y=0)
    assert place_after([a, first], "a") == {"x": 260, "y": 120}
    second = node("b2", x=260, y=120)
    far_above = node("up", x=260, y=-900)
    assert place_after([a, first, second, far_above], "a") == {"x": 260, "y": 240}
    tall_neighbour = dict(node("t", x=300, y=100), height=80)
    assert place_after([a, tall_neighbour], "a", (180, 80)) == {"x": 260, "y": 220}
    assert place_after([a, node("far", x=2000, y=0)], "a") == {"x": 260, "y": 0}


def test_place_after_nothing_goes_right_of_the_canvas():
    assert place_after([], None) == {"x": 0, "y": 0}
    assert place_after([node("a", x=10, y=50), dict(node("b", x=300, y=-20), width=300)], None) == {"x": 680, "y": -20}


def test_place_after_unknown_node_names_valid_ids():
    with pytest.raises(CanvasError) as caught:
        place_after([node("a"), node("b")], "zz")
    assert caught.value.message == "after_node_id 'zz' is not a node of this flow; valid node ids: a, b"
    assert caught.value.path == "after_node_id"
