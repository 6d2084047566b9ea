"""Pure parts of the preview and the MCP Apps wiring: the mockup document, the design-system view
model (token values re-spelled before they reach a style attribute), thought ordering, and the
registry's `ui=` declaration."""

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

import pytest

from flexos_mcp.preview.views import creation_order, design_view, entity_links, thought_tree
from flexos_mcp.rendering.mockup_frame import FRAME_POLICY, MOCKUP_POLICY, mockup_document
from flexos_mcp.server.apps import MOCKUP_VIEW, VIEWS, tool_meta, view_html
from flexos_mcp.server.registry import tool


def test_the_mockup_document_keeps_its_parts_inside_their_elements():
    assert mockup_document("<p>Hi</p>", None, None) == "<p>Hi</p>"
    document = mockup_document("<p>Hi</p>", "a{}</STYLE><script>x()</script>", "y()</Script><b>")
    assert document == "<p>Hi</p>\n<style>a{}<\\/style><script>x()</script></style>\n<script>y()<\\/script><b></script>"
    assert FRAME_POLICY.startswith("sandbox allow-scripts; ") and MOCKUP_POLICY in FRAME_POLICY
    assert "connect-src 'none'" in MOCKUP_POLICY and "sandbox" not in MOCKUP_POLICY  # a <meta> cannot carry sandbox


def test_design_view_respells_values_and_grades_contrast():
    tokens = {
        "colors": {
            "background": {"value": "#FFFFFF", "usage_count": 3},
            "text": {"value": "#0F172A", "usage_count": 9},
            "primary": {"value": "rgb(220 38 38)", "usage_count": 44, "page_count": 8, "ref": "red-600"},
            "evil": {"value": "red; background-image: url(https://x.invalid/)"},
        },
        "typography": {
            "font_family": 'Inter"; color: red',
            "sizes": {"lg": "18px", "base": "16px", "odd": "calc(1px)"},
            "weights": {"bold": 700, "evil": "700; color: red"},
        },
        "spacing": {"base": {"value": "8px"}, "steps": {"sm": "16px", "xs": "8px"}},
        "radii": {"lg": {"value": "0.5rem"}},
        "shadows": {"sm": {"value": "0 1px 2px 0 #0000000D"}, "evil": {"value": "0 0 0 red, url(x)"}},
    }
    view = design_view(tokens)
    swatches = {s.name: s for s in view["swatches"]}
    assert [s.name for s in view["swatches"]][:2] == ["primary", "text"]  # most used first
    assert swatches["primary"].hex == "#DC2626" and swatches["primary"].ref == "red-600"
    assert swatches["primary"].on_background.ratio == 4.83 and swatches["primary"].on_background.summary == "AA"
    assert swatches["text"].on_background.summary == "AAA"
    assert swatches["evil"].hex is None and swatches["evil"].on_background is None  # shown as text, no chip
    assert view["font_css"] == "Inter color red"
    assert [(s.name, s.css) for s in view["sizes"]] == [("base", "16px"), ("lg", "18px"), ("odd", None)]
    assert view["weights"] == [("bold", 700)]
    assert [(s.name, s.css) for s in view["spacing"]] == [("xs", "8px"), ("sm", "16px")]
    assert [(s.name, s.css) for s in view["radii"]] == [("lg", "8px")]
    shadows = {s.name: s.css for s in view["shadows"]}
    assert shadows["sm"] == "0px 1px 2px 0px #0000000D" and shadows["evil"] is None


def _thought(created: datetime, depends_on=(), **fields):
    return SimpleNamespace(
        id=uuid4(),
        created_at=created,
        depends_on=list(depends_on),
        status="active",
        needs_review=False,
        thought_type="observation",
        needs_answer=False,
        user_feedback=None,
        **fields,
    )


def test_thoughts_of_one_batch_come_after_what_they_depend_on():
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    root = _thought(moment)
    child = _thought(moment, [root.id])
    grandchild = _thought(moment, [child.id])
    later = _thought(datetime(2026, 1, 2, tzinfo=UTC))
    ordered = creation_order([grandchild, later, child, root])
    assert ordered == [root, child, grandchild, later]
    tree = thought_tree(ordered)
    assert [item.number for item in tree] == [1, 4]
    assert tree[0].children[0].thought is child and tree[0].children[0].children[0].number == 3


def test_a_tool_names_only_a_known_ui_view():
    assert tool_meta(MOCKUP_VIEW) == {"ui": {"resourceUri": MOCKUP_VIEW}}
    assert tool_meta(None) is None
    with pytest.raises(ValueError, match="not a view"):
        tool_meta("ui://flexos/views/nothing.html")
    with pytest.raises(ValueError, match="ui:// URI"):
        tool("pages", title="x", read_only=True, destructive=False, idempotent=True, ui="https://example.com/view.html")


def test_every_view_is_one_self_contained_document():
    for uri, view in VIEWS.items():
        html = view_html(uri)
        assert (
            html.count("<script>\n") == 1 and html.count("<style>\n") == 1
        )  # the shared script and stylesheet, inlined
        assert f"<title>FlexOS · {view.title}</title>" in html
        assert '"mockupPolicy"' in html and "</script" not in html.split('id="view-data">')[1].split("</script>")[0]


def test_entity_links_draw_each_related_pair_once_from_owner_to_owned():
    model = [
        SimpleNamespace(
            entity_name="Comment",
            relationships=[
                {"type": "belongs_to", "target_entity": "Lesson"},
                {"type": "belongs_to", "target_entity": "Ghost"},
            ],
        ),
        SimpleNamespace(
            entity_name="Lesson", relationships=[{"type": "has_many", "target_entity": "Comment"}, "not a relationship"]
        ),
        SimpleNamespace(
            entity_name="User",
            relationships=[
                {"type": "many_to_many", "target_entity": "Lesson"},
                {"type": "has_one", "target_entity": "User"},
            ],
        ),
    ]
    assert [(a.source, a.target, a.label) for a in entity_links(model)] == [
        ("Lesson", "Comment", "1 : n"),
        ("Lesson", "User", "n : m"),
    ]
