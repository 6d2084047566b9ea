"""The thinking-chain graph helpers: cycle checks, the leads_to mirror, and both renderings."""

import pytest

from flexos_mcp.analysis.thought_graph import (
    mirror_leads_to,
    render_thought_tree,
    thoughts_to_mermaid,
    would_create_cycle,
)

# A diamond: #1 -> #2 and #3, both -> #4, then #4 -> #5 (arrows point at the dependent thought).
DIAMOND = [
    {
        "id": "a",
        "thought_type": "observation",
        "reasoning": 'Mockup shows a "grade" dropdown <b>first</b> #1',
        "confidence": 0.9,
        "status": "confirmed",
        "depends_on": [],
        "needs_answer": False,
        "is_assumption": False,
    },
    {
        "id": "b",
        "thought_type": "assumption",
        "reasoning": "Teachers filter by grade first",
        "confidence": 0.6,
        "status": "active",
        "depends_on": ["a"],
        "needs_answer": False,
        "is_assumption": True,
    },
    {
        "id": "c",
        "thought_type": "inference",
        "reasoning": "Grade is a property of a lesson, so lessons need a grade field\nthat the list can be filtered on quickly",
        "confidence": 0.7,
        "status": "active",
        "depends_on": ["a"],
        "needs_answer": False,
        "is_assumption": False,
    },
    {
        "id": "d",
        "thought_type": "decision",
        "reasoning": "Put the grade filter above the list",
        "confidence": 0.8,
        "status": "revised",
        "depends_on": ["b", "c"],
        "needs_answer": False,
        "is_assumption": True,
    },
    {
        "id": "e",
        "thought_type": "question",
        "reasoning": "Do teachers teach several grades?",
        "confidence": 0.5,
        "status": "active",
        "depends_on": ["d", "outside-the-run"],
        "needs_answer": True,
        "is_assumption": False,
    },
]


def test_no_cycle_for_a_new_leaf():
    edges = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}
    assert would_create_cycle(edges, "e", ["d", "a"]) is None


def test_cycle_path_is_the_shortest_and_starts_and_ends_at_the_new_thought():
    edges = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}
    assert would_create_cycle(edges, "a", ["d"]) == ["a", "d", "b", "a"]
    assert would_create_cycle(edges, "a", ["c", "d"]) == ["a", "c", "a"]


def test_self_dependency_is_a_cycle():
    assert would_create_cycle({}, "x", ["x"]) == ["x", "x"]


def test_update_replaces_existing_edges_of_the_thought():
    # b used to depend on a; re-pointing b at c is fine even though c depends on a.
    edges = {"a": [], "b": ["a"], "c": ["a"]}
    assert would_create_cycle(edges, "b", ["c"]) is None
    edges = {"a": ["b"], "b": ["z"]}
    assert would_create_cycle(edges, "b", ["a"]) == ["b", "a", "b"]


def test_unknown_dependencies_are_leaves():
    assert would_create_cycle({"a": ["ghost"]}, "b", ["a", "ghost"]) is None


def test_mirror_leads_to_is_exact():
    depends_on = {"b": ["a"], "c": ["a"], "d": ["b", "c", "b"], "a": []}
    assert mirror_leads_to(depends_on) == {"b": ["d"], "c": ["d"], "d": [], "a": ["b", "c"]}
    assert list(mirror_leads_to({"y": ["x"], "z": ["w", "x"]})) == ["y", "z", "x", "w"]


def test_tree_shows_a_diamond_once_and_refers_back():
    assert render_thought_tree(DIAMOND) == "\n".join(
        [
            '#1 [observation 0.90] Mockup shows a "grade" dropdown <b>first</b> #1  (status: confirmed)',
            "  #2 [assumption 0.60] Teachers filter by grade first  (status: active)",
            "    #4 [decision 0.80] Put the grade filter above the list",
            "        (status: revised, rests on an assumption)",
            "      ? #5 [question 0.50] Do teachers teach several grades?  (status: active, needs answer)",
            "  #3 [inference 0.70] Grade is a property of a lesson, so lessons need a grade field that the list",
            "      can be filtered on quickly  (status: active)",
            "    ↑ see #4",
        ]
    )


def test_tree_wraps_and_keeps_the_status_whole():
    assert render_thought_tree(DIAMOND[:3], width=60) == "\n".join(
        [
            '#1 [observation 0.90] Mockup shows a "grade" dropdown',
            "    <b>first</b> #1  (status: confirmed)",
            "  #2 [assumption 0.60] Teachers filter by grade first",
            "      (status: active)",
            "  #3 [inference 0.70] Grade is a property of a lesson, so",
            "      lessons need a grade field that the list can be",
            "      filtered on quickly  (status: active)",
        ]
    )


def test_tree_survives_a_cycle_and_missing_confidence():
    thoughts = [
        {"id": 1, "thought_type": "inference", "reasoning": "A", "depends_on": [2]},
        {"id": 2, "thought_type": "question", "reasoning": "B", "status": "confirmed", "depends_on": [1]},
    ]
    assert render_thought_tree(thoughts) == "\n".join(
        [
            "#1 [inference] A  (status: active)",
            "  #2 [question] B  (status: confirmed)",
            "    ↑ see #1",
        ]
    )


def test_tree_of_nothing_is_empty():
    assert render_thought_tree([]) == ""


def test_duplicate_or_incomplete_thoughts_are_rejected():
    with pytest.raises(ValueError, match=r"thought #2: id 'a' appears twice"):
        render_thought_tree([DIAMOND[0], DIAMOND[0]])
    with pytest.raises(ValueError, match=r"thought #1 has no 'reasoning'"):
        thoughts_to_mermaid([{"id": "a", "thought_type": "observation"}])


def test_mermaid_shape():
    assert thoughts_to_mermaid(DIAMOND) == "\n".join(
        [
            "flowchart TD",
            '    t1["observation: Mockup shows a #quot;grade#quot; dropdown #lt;b#gt;first#lt;/b#gt; #35;1"]',
            '    t2[/"assumption: Teachers filter by grade first"/]',
            '    t3("inference: Grade is a property of a lesson, so lessons need a grade…")',
            '    t4{{"decision: Put the grade filter above the list"}}',
            '    t5{"question?: Do teachers teach several grades?"}',
            "    t1 --> t2",
            "    t1 --> t3",
            "    t2 --> t4",
            "    t3 --> t4",
            "    t4 --> t5",
            "    classDef active fill:#eff6ff,stroke:#1d4ed8,color:#1e3a8a",
            "    classDef confirmed fill:#ecfdf5,stroke:#047857,color:#064e3b",
            "    classDef revised fill:#fffbeb,stroke:#b45309,color:#78350f,stroke-dasharray: 4 3",
            "    classDef rejected fill:#fef2f2,stroke:#b91c1c,color:#7f1d1d,stroke-dasharray: 2 2",
            "    class t2,t3,t5 active",
            "    class t1 confirmed",
            "    class t4 revised",
        ]
    )


def test_mermaid_labels_never_break_out_of_their_quotes():
    hostile = 'x"] --> evil["pwned`\n%% comment'
    output = thoughts_to_mermaid([{"id": "u", "thought_type": "observation", "reasoning": hostile}])
    node_line = output.splitlines()[1]
    assert node_line == '    t1["observation: x#quot;] --#gt; evil[#quot;pwned#96; %% comment"]'
    assert node_line.count('"') == 2
