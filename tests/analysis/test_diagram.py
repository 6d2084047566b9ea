"""Diagram geometry for the preview's server-drawn SVG (analysis/diagram.py)."""

from flexos_mcp.analysis.diagram import Arrow, Box, draw, wrap


def test_wrap_cuts_text_into_lines_and_marks_what_was_left_out():
    assert wrap("the quick brown fox jumps over the lazy dog", 12, 3) == ("the quick", "brown fox", "jumps over…")
    assert wrap("short", 12, 3) == ("short",)
    assert wrap("", 12, 3) == ("",)
    assert wrap("Supercalifragilisticexpialidocious", 10, 2) == ("Supercali…",)


def test_given_positions_are_kept_and_arrows_go_right_side_to_left_side():
    boxes = [Box("a", ("A",)), Box("b", ("B",), width=100, height=40)]
    picture = draw(boxes, [Arrow("a", "b", "next")], {"a": {"x": 0, "y": 0}, "b": {"x": 300, "y": 100}})
    placed = {p.box.id: p for p in picture.boxes}
    assert (placed["a"].x, placed["a"].y, placed["b"].x, placed["b"].y) == (0, 0, 300, 100)
    (arrow,) = picture.arrows
    assert arrow.path.startswith("M 180 40 C") and arrow.path.endswith("300 120")
    assert arrow.label == "next"
    assert picture.view_box == "-24 -24 448 228"  # padding around everything, room below for loops
    assert placed["a"].text_lines == [(10, 20, "A")]


def test_without_positions_boxes_are_laid_out_left_to_right():
    boxes = [Box(name, (name,)) for name in "abc"]
    picture = draw(boxes, [Arrow("a", "b"), Arrow("b", "c")])
    xs = {p.box.id: p.x for p in picture.boxes}
    assert xs["a"] < xs["b"] < xs["c"]


def test_a_loop_bends_below_and_unknown_or_self_arrows_are_left_out():
    boxes = [Box("a", ("A",)), Box("b", ("B",))]
    picture = draw(
        boxes,
        [Arrow("a", "b"), Arrow("b", "a"), Arrow("a", "a"), Arrow("a", "ghost")],
        {"a": {"x": 0, "y": 0}, "b": {"x": 300, "y": 0}},
    )
    assert len(picture.arrows) == 2
    back = picture.arrows[1]
    assert back.path.startswith("M 480 40 C 540 120, -60 120, 0 40")


def test_an_empty_diagram():
    picture = draw([], [])
    assert picture.boxes == [] and picture.arrows == [] and picture.view_box == "0 0 1 1"
