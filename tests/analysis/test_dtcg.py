"""The DTCG export follows the Format Module 2025.10 (hand-written check in dtcg_rules.py), and the
check itself refuses what the format refuses."""

import copy

import pytest

from flexos_mcp.analysis.design_tokens import emerge_design_system
from flexos_mcp.analysis.token_exports import dtcg_color, dtcg_dimension, to_dtcg

from helpers.dtcg_rules import problems
from helpers.token_fixtures import TOKENS, example_mockups


def test_the_export_follows_the_2025_10_rules():
    assert problems(to_dtcg(TOKENS)) == []
    assert problems(to_dtcg(emerge_design_system(example_mockups(), {}, None)["tokens"])) == []


def test_colours_are_srgb_objects_with_a_hex_fallback():
    assert dtcg_color("#DC2626") == {"colorSpace": "srgb", "components": [0.8627, 0.149, 0.149], "hex": "#dc2626"}
    assert dtcg_color("#0F172A80") == {
        "colorSpace": "srgb",
        "components": [0.0588, 0.0902, 0.1647],
        "alpha": 0.502,
        "hex": "#0f172a",
    }
    assert "alpha" not in dtcg_color("#0F172AFF")
    for channel in range(256):  # four decimals are enough to get every 8-bit channel back
        assert round(dtcg_color(f"#{channel:02X}0000")["components"][0] * 255) == channel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8px", {"value": 8, "unit": "px"}),
        ("13.5px", {"value": 13.5, "unit": "px"}),
        ("0.5rem", {"value": 0.5, "unit": "rem"}),
        ("-1px", {"value": -1, "unit": "px"}),
        ("1em", {"value": 16, "unit": "px"}),
        ("12pt", {"value": 16, "unit": "px"}),
        ("auto", None),
    ],
)
def test_dimensions_are_value_and_unit(text, expected):
    assert dtcg_dimension(text) == expected


def _broken(change) -> list[str]:
    document = copy.deepcopy(to_dtcg(TOKENS))
    change(document)
    return problems(document)


@pytest.mark.parametrize(
    ("what", "change", "complaint"),
    [
        ("a legacy hex string", lambda d: d["color"]["surface"].update({"$value": "#1E293B"}), "a colour is an object"),
        ("a legacy length string", lambda d: d["spacing"]["md"].update({"$value": "24px"}), "a dimension is"),
        (
            "em, not a unit of the format",
            lambda d: d["radius"]["lg"]["$value"].update({"unit": "em"}),
            "is not px or rem",
        ),
        ("an 8-digit hex fallback", lambda d: d["color"]["surface"]["$value"].update({"hex": "#1E293BFF"}), "6-digit"),
        (
            "a component above 1",
            lambda d: d["color"]["surface"]["$value"]["components"].__setitem__(0, 30),
            "outside 0..1",
        ),
        (
            "a vendor key not in reverse-domain form",
            lambda d: d["color"]["primary"].update({"$extensions": {"flexos": {}}}),
            "reverse-domain",
        ),
        ("an alias to nothing", lambda d: d["color"]["primary"].update({"$value": "{color.nope}"}), "names no token"),
        (
            "an alias to another type",
            lambda d: d["color"]["primary"].update({"$value": "{spacing.md}"}),
            "is a dimension token where a color is expected",
        ),
        ("a token without a type", lambda d: d["color"].pop("$type"), "no $type"),
        ("a dotted name", lambda d: d["color"].update({"a.b": {"$value": "{color.surface}"}}), "a name must not"),
        ("a shadow without blur", lambda d: d["shadow"]["inner"]["$value"].pop("blur"), "missing ['blur']"),
        ("a weight out of range", lambda d: d["font"]["weight"]["semibold"].update({"$value": 1200}), "1..1000"),
    ],
)
def test_the_check_refuses_what_the_format_refuses(what, change, complaint):
    found = _broken(change)
    assert any(complaint in problem for problem in found), f"{what}: {found}"
