"""Wizard definitions: the packaged three load, transitions follow the data, broken files explain."""

import copy
import json

import pytest
from pydantic import ValidationError

from flexos_mcp.wizard_definitions import (
    allowed_next,
    can_complete,
    check_transition,
    get_wizard_definition,
    load_wizard_definitions,
    missing_required_answers,
    suggested_tool_names,
)

TINY = {
    "type": "tiny",
    "version": "1.0",
    "title": "Tiny",
    "description": "A two-phase wizard.",
    "initial_phase": "start",
    "phases": [
        {
            "name": "start",
            "title": "Start",
            "goal": "Begin.",
            "asks": [{"key": "topic", "question": "What about?", "required": True}],
            "produces": [],
            "suggested_tools": ["log_thought"],
            "next": ["end"],
            "terminal": False,
        },
        {
            "name": "end",
            "title": "End",
            "goal": "Finish.",
            "asks": [],
            "produces": ["decision"],
            "suggested_tools": ["complete_wizard"],
            "next": [],
            "terminal": True,
        },
    ],
}


def test_the_three_wizards_load_with_their_phases():
    definitions = load_wizard_definitions()
    assert {name: [phase.name for phase in d.phases] for name, d in definitions.items()} == {
        "design-system": ["collect-mockups", "analyze-tokens", "review-tokens", "confirm", "export"],
        "feature-builder": ["describe", "identify-pages", "define-data", "map-journey", "specify-rules", "finalize"],
        "page-creator": [
            "understand-intent",
            "gather-context",
            "define-structure",
            "design-mockup",
            "review-consistency",
            "finalize",
        ],
    }
    assert {d.initial_phase for d in definitions.values()} == {"collect-mockups", "describe", "understand-intent"}
    assert {d.version for d in definitions.values()} == {"1.0"}
    assert {name: d.type for name, d in definitions.items()} == {name: name for name in definitions}


def test_only_terminal_phases_may_complete():
    terminal = {
        name: [phase.name for phase in d.phases if can_complete(d, phase.name)]
        for name, d in load_wizard_definitions().items()
    }
    assert terminal == {"design-system": ["export"], "feature-builder": ["finalize"], "page-creator": ["finalize"]}


def test_page_creator_transitions_include_the_review_loop():
    page_creator = get_wizard_definition("page-creator")
    assert allowed_next(page_creator, "understand-intent") == ["gather-context"]
    assert allowed_next(page_creator, "review-consistency") == ["design-mockup", "finalize"]
    assert allowed_next(page_creator, "finalize") == []
    check_transition(page_creator, "review-consistency", "design-mockup")
    check_transition(page_creator, "design-mockup", "review-consistency")


def test_refused_transitions_say_what_is_allowed():
    page_creator = get_wizard_definition("page-creator")
    with pytest.raises(ValueError) as error:
        check_transition(page_creator, "understand-intent", "design-mockup")
    assert str(error.value) == (
        "wizard 'page-creator' cannot go from phase 'understand-intent' to 'design-mockup'; "
        "allowed next phases: gather-context"
    )
    with pytest.raises(ValueError) as error:
        check_transition(page_creator, "finalize", "design-mockup")
    assert str(error.value).endswith("allowed next phases: none (it is terminal: complete the run instead)")
    with pytest.raises(ValueError) as error:
        allowed_next(page_creator, "brainstorm")
    assert str(error.value) == (
        "wizard 'page-creator' has no phase 'brainstorm'; its phases are: understand-intent, "
        "gather-context, define-structure, design-mockup, review-consistency, finalize"
    )
    with pytest.raises(ValueError, match=r"^wizard 'page-creator' has no phase 'nowhere'"):
        check_transition(page_creator, "understand-intent", "nowhere")


def test_unknown_wizard_type_lists_the_known_ones():
    with pytest.raises(ValueError) as error:
        get_wizard_definition("page-maker")
    assert str(error.value) == (
        "unknown wizard type 'page-maker'; known types are: design-system, feature-builder, page-creator"
    )


def test_missing_required_answers_in_definition_order():
    page_creator = get_wizard_definition("page-creator")
    answers = {"primary_users": "Teachers", "key_actions": "  ", "success_criteria": None}
    assert missing_required_answers(page_creator, "understand-intent", answers) == ["page_purpose", "key_actions"]
    answers.update(page_purpose="Plan lessons", key_actions=["filter", "open"])
    assert missing_required_answers(page_creator, "understand-intent", answers) == []
    assert missing_required_answers(page_creator, "finalize", {}) == []


def test_suggested_tools_are_the_contract_with_the_mcp_layer():
    assert suggested_tool_names(load_wizard_definitions()) == [
        "add_flow_step",
        "analyze_design_system",
        "ask_user",
        "check_accessibility",
        "check_design_system",
        "check_mockup_consistency",
        "color_usage",
        "compare_mockups",
        "complete_wizard",
        "create_feature",
        "create_mockup_version",
        "create_page",
        "get_design_system",
        "get_mockup",
        "get_page",
        "get_project",
        "infer_entities",
        "link_feature_to_pages",
        "list_context_items",
        "list_entities",
        "list_features",
        "list_mockups",
        "list_pages",
        "log_thought",
        "record_answer",
        "record_decision",
        "render_mockup",
        "save_flow_canvas",
        "search_project",
        "update_design_system",
        "update_feature",
    ]


def test_packaged_definitions_are_cached_but_callers_cannot_change_them():
    first = load_wizard_definitions()
    first.pop("page-creator")
    second = load_wizard_definitions()
    assert "page-creator" in second
    assert second["design-system"] is load_wizard_definitions()["design-system"]
    with pytest.raises(ValidationError, match="frozen"):
        second["design-system"].initial_phase = "export"


def test_definitions_dump_to_json():
    dumped = get_wizard_definition("design-system").model_dump(mode="json")
    assert dumped["phases"][2]["next"] == ["confirm", "analyze-tokens", "collect-mockups"]
    assert json.loads(json.dumps(dumped)) == dumped


def test_a_valid_definition_in_a_directory_loads(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(TINY))
    (tmp_path / "notes.txt").write_text("not a definition")
    assert list(load_wizard_definitions(tmp_path)) == ["tiny"]


def _break(change):
    broken = copy.deepcopy(TINY)
    change(broken)
    return broken


def _add_phase(phase):
    return lambda d: d["phases"].append(phase)


LOOSE_PHASE = {
    "name": "extra",
    "title": "Extra",
    "goal": "More.",
    "asks": [],
    "produces": [],
    "suggested_tools": [],
    "next": ["end"],
    "terminal": False,
}

BROKEN = [
    (
        lambda d: d["phases"][0].update(next=["ending"]),
        "phase 'start': next names unknown phase 'ending'; phases are: start, end",
    ),
    (lambda d: d["phases"][0].update(next=["start", "end"]), "phase 'start': next names the phase itself"),
    (lambda d: d["phases"][1].update(name="start"), "phase 'start' is defined more than once"),
    (lambda d: d.update(initial_phase="begin"), "initial_phase 'begin' is not a phase; phases are: start, end"),
    (_add_phase(LOOSE_PHASE), "phase 'extra' cannot be reached from initial phase 'start'"),
    (
        lambda d: d["phases"][0].update(terminal=True, next=[]) or d["phases"][1].update(terminal=False),
        "phase 'end' is not terminal and has no next phase, so a run entering it could never leave or complete",
    ),
    (
        lambda d: d["phases"][1].update(terminal=False, next=["start"]),
        "no phase is terminal, so a run could never complete",
    ),
    (
        lambda d: (
            d["phases"][0].update(terminal=True)
            or d["phases"][1].update(terminal=False, next=["extra"])
            or d["phases"].append({**LOOSE_PHASE, "next": ["end"]})
        ),
        "phase 'end': no terminal phase can be reached from it, so a run entering it could never complete",
    ),
    (
        lambda d: d["phases"][1].update(asks=[{"key": "topic", "question": "Again?", "required": False}]),
        "phase 'end': ask key 'topic' is already used by phase 'start' "
        "(answers are stored by key, so keys must be unique)",
    ),
    (
        lambda d: d["phases"][1].update(name="The_End"),
        "phase 'The_End': name: String should match pattern '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'",
    ),
    (
        lambda d: d["phases"][1].update(produces=["screenshot"]),
        "phase 'end': produces.0: Input should be 'page', 'mockup', 'feature', 'entity', 'flow', "
        "'design_system' or 'decision'",
    ),
    (
        lambda d: d["phases"][0].update(suggested_tools=["log_thought", "log_thought"]),
        "phase 'start': suggested_tools: suggested_tools lists log_thought more than once",
    ),
    (lambda d: d["phases"][0].pop("terminal"), "phase 'start': terminal: Field required"),
    (
        lambda d: d["phases"][0]["asks"][0].update(key="Topic"),
        "phase 'start': asks.0.key: String should match pattern '^[a-z][a-z0-9]*(_[a-z0-9]+)*$'",
    ),
    (lambda d: d.update(version="one"), "version: String should match pattern '^[0-9]+\\.[0-9]+$'"),
    (lambda d: d.update(surprise=True), "surprise: Extra inputs are not permitted"),
    (lambda d: d.update(type="small"), "type 'small' does not match the file name (expected 'tiny')"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_broken_definitions_name_the_file_and_the_phase(tmp_path, change, message):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(_break(change), indent=2))
    with pytest.raises(ValueError) as error:
        load_wizard_definitions(tmp_path)
    assert str(error.value) == f"{path}: {message}"


def test_invalid_json_gives_line_and_column(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text('{\n  "type": "tiny",\n  "version": 1.0,,\n}')
    with pytest.raises(ValueError) as error:
        load_wizard_definitions(tmp_path)
    assert (
        str(error.value)
        == f"{path}: invalid JSON at line 3, column 18: Expecting property name enclosed in double quotes"
    )


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(ValueError) as error:
        load_wizard_definitions(tmp_path)
    assert str(error.value) == f"{tmp_path}: no wizard definitions (*.json) found"
