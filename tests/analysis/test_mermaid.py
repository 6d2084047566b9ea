import json
import random
from pathlib import Path

import pytest

from flexos_mcp.analysis.mermaid import escape_label, flow_to_mermaid, graph_to_mermaid

from helpers.flow_graphs import complete_graph, edges_of, node, random_flow
from helpers.flows_node_checks import mermaid_parse_results

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "lesson-library" / "flows"

NASTY_LABELS = [
    'say "hi"',
    "[box]",
    "{diamond}",
    "(round)",
    "a | b",
    "pipe|",
    "<b>bold</b>",
    "x --> y",
    "end",
    "END",
    "graph",
    "flowchart LR",
    "",
    "   ",
    "line1\nline2",
    "cr\r\nlf",
    "tab\there",
    "#quot;",
    "#35;",
    "&amp; &",
    "émoji 😀 漢字 עברית",
    "`code`",
    "%% comment",
    "%%{init: {}}%%",
    "click n1 call alert()",
    "style n1 fill:red",
    "a;b",
    "back\\slash",
    "nul\x00char",
    "\u2028sep\u2029",
    "zero\u200bwidth",
    "'single'",
    "->",
    "-.-",
    "==>",
    "classDef x fill:red",
    "subgraph",
    ":::cls",
    "o--o",
    "\ud800 lone surrogate",
]


def test_flow_to_mermaid_is_exact_for_a_small_flow():
    nodes = [
        node("landing", label="Landing"),
        node(
            "q",
            "decision",
            question='Email "taken"?',
            branches=[{"label": "Yes", "target_node": "login"}, {"label": "No", "target_node": "save"}],
        ),
        node("login"),
        node("save", "database", entity="User", operation="create"),
        node("send", "action", label="Send mail"),
        node("hint", "annotation", text="Check <spam>"),
    ]
    edges = edges_of(("landing", "q"), ("q", "login"), ("q", "save"), ("save", "send"), ("hint", "q"))
    edges[0]["label"] = "Start | go"
    assert flow_to_mermaid(nodes, edges) == (
        "flowchart LR\n"
        '  n1["Landing"]\n'
        '  n2{"Email #quot;taken#quot;?"}\n'
        '  n3["login"]\n'
        '  n4[("CREATE User")]\n'
        '  n5(["Send mail"])\n'
        '  n6>"Check #60;spam#62;"]\n'
        '  n1 -->|"Start #124; go"| n2\n'
        '  n2 -->|"Yes"| n3\n'
        '  n2 -->|"No"| n4\n'
        "  n4 --> n5\n"
        "  n6 -.- n2\n"
    )


def test_a_screen_without_a_label_is_named_after_its_page():
    page_id = "0b7c5f8e-1d2a-4c3b-9e8f-7a6b5c4d3e2f"
    nodes = [
        node("n-1", page_id=page_id.upper()),
        node("n-2", page_id=page_id, label="Own label"),
        node("n-3", page_id="5e0c2c1d-0000-4000-8000-000000000000", page_path="/gone"),
        node("n-4"),
    ]
    text = flow_to_mermaid(nodes, edges_of(("n-1", "n-2")), page_names={page_id: "Lesson library"})
    assert text.splitlines()[1:5] == ['  n1["Lesson library"]', '  n2["Own label"]', '  n3["/gone"]', '  n4["n-4"]']


def test_escape_label():
    assert escape_label('a "b" #c <d> |e| `f`') == "a #quot;b#quot; #35;c #60;d#62; #124;e#124; #96;f#96;"
    assert escape_label("one\r\ntwo\nthree") == "one<br/>two<br/>three"
    assert escape_label("") == " "
    assert escape_label(None) == " "
    assert escape_label("tab\tx\x00") == "tab x "


def test_graph_to_mermaid_shapes_styles_and_status_classes():
    text = graph_to_mermaid(
        [
            {"id": "step-1", "label": "Read brief", "shape": "round", "class": "confirmed"},
            {"id": "step-2", "label": "Guess colours", "shape": "hexagon", "class": "in-progress"},
            {"id": "step-3", "label": "Done", "class": "mine"},
        ],
        [
            {"source": "step-1", "target": "step-2", "label": "leads to", "style": "thick"},
            {"source": "step-2", "target": "step-3", "style": "dotted"},
        ],
        class_defs={"mine": "fill:#fff,stroke:#000"},
    )
    assert text == (
        "flowchart TD\n"
        '  n1("Read brief")\n'
        '  n2{{"Guess colours"}}\n'
        '  n3["Done"]\n'
        '  n1 ==>|"leads to"| n2\n'
        "  n2 -.-> n3\n"
        "  classDef confirmed fill:#dcfce7,stroke:#16a34a\n"
        "  class n1 confirmed\n"
        "  classDef in_progress fill:#dbeafe,stroke:#2563eb\n"
        "  class n2 in_progress\n"
        "  classDef mine fill:#fff,stroke:#000\n"
        "  class n3 mine\n"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: graph_to_mermaid([], [], direction="XX"),
            "direction 'XX' is not a Mermaid flowchart direction; valid: LR, RL, TB, TD, BT",
        ),
        (
            lambda: graph_to_mermaid([{"id": "a", "shape": "blob"}], []),
            "nodes[0].shape 'blob' of node 'a' is not known; valid: box, round, stadium, subroutine, cylinder, circle, diamond, hexagon, note",
        ),
        (
            lambda: graph_to_mermaid([{"id": "a"}], [{"source": "a", "target": "b"}]),
            "edges[0].target 'b' is not a node of this graph",
        ),
        (
            lambda: graph_to_mermaid([{"id": "a"}, {"id": "a"}], []),
            "nodes[1].id 'a' appears twice; node ids must be unique",
        ),
        (
            lambda: graph_to_mermaid([], [], class_defs={"x": "fill:red;} click"}),
            "class style for 'x' must look like 'fill:#cfc,stroke:#393' (property:value pairs, no ; or braces); got 'fill:red;} click'",
        ),
    ],
)
def test_graph_to_mermaid_errors(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == message


def random_labels(count, seed):
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0, 128)] + list("éß漢字😀\u200b\u2028\ufeff\u00a0")
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def test_every_diagram_of_our_flows_parses_with_mermaid():
    diagrams = []
    for path in sorted(EXAMPLES.glob("*.json")):
        canvas = json.loads(path.read_text())["canvas"]
        diagrams.append(flow_to_mermaid(canvas["nodes"], canvas["edges"]))
    for seed in range(3):
        diagrams.append(flow_to_mermaid(*random_flow(seed, 40), direction="TD"))
    diagrams.append(flow_to_mermaid(*complete_graph("abcd"), direction="BT"))
    labels = NASTY_LABELS + random_labels(200, seed=11)
    nasty_nodes = [
        node(f"v{i}", ["screen", "decision", "database", "action", "annotation"][i % 5], label=label)
        for i, label in enumerate(labels)
    ]
    nasty_edges = [
        {"id": f"e{i}", "source": f"v{i}", "target": f"v{(i + 1) % len(labels)}", "label": label}
        for i, label in enumerate(labels)
    ]
    diagrams.append(flow_to_mermaid(nasty_nodes, nasty_edges))
    diagrams += [
        flow_to_mermaid(
            [node("a", label=label), node("b", "decision", label=label)],
            [{"id": "e", "source": "a", "target": "b", "label": label}],
        )
        for label in NASTY_LABELS
    ]
    diagrams.append(
        graph_to_mermaid(
            [
                {"id": label, "label": label, "shape": shape, "class": label}
                for label, shape in zip(
                    NASTY_LABELS[:9],
                    ["box", "round", "stadium", "subroutine", "cylinder", "circle", "diamond", "hexagon", "note"],
                    strict=True,
                )
            ],
            [
                {"source": NASTY_LABELS[0], "target": NASTY_LABELS[i], "style": style, "label": NASTY_LABELS[i]}
                for i, style in enumerate(["arrow", "dotted", "thick", "line", "dotted_line"], start=1)
            ],
        )
    )
    results = mermaid_parse_results(diagrams)
    failures = [
        (diagram, result["error"]) for diagram, result in zip(diagrams, results, strict=True) if not result["ok"]
    ]
    assert failures == []
    assert {result["diagramType"] for result in results} == {"flowchart-v2"}


def test_mermaid_check_rejects_a_broken_diagram():
    # The check itself must be able to fail: an unescaped quote inside a label is invalid.
    assert mermaid_parse_results(['flowchart LR\n  n1["a " b"]'])[0]["ok"] is False


def test_class_names_are_plain_and_never_keywords():
    from flexos_mcp.analysis.mermaid import class_name

    assert [class_name(n) for n in ["in-progress", "end", "Style", "9lives", "ok"]] == [
        "in_progress",
        "end_",
        "Style_",
        "c_9lives",
        "ok",
    ]
