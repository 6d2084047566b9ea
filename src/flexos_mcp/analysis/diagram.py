"""Boxes-and-arrows diagrams as plain geometry, for pages that draw them as SVG without any
JavaScript (the preview's flows, thinking chains and data models).

Positions come from the caller (a flow's own canvas) or from `flow_graph.auto_layout` (layered,
left to right, no overlaps). Edges leave a box on its right side and enter the next on its left,
as a cubic curve; an edge that goes backwards (a loop) bends around below both boxes. Text is
cut to lines here, so the template only places it; it stays text (escaped by the template).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .flow_graph import auto_layout

DEFAULT_WIDTH, DEFAULT_HEIGHT = 180, 80
LINE_HEIGHT = 16
PADDING = 24


@dataclass(frozen=True)
class Box:
    """What to draw for one node: its text lines, CSS classes and hover title."""

    id: str
    lines: tuple[str, ...]
    classes: tuple[str, ...] = ()
    title: str = ""
    href: str | None = None
    width: float = DEFAULT_WIDTH
    height: float = DEFAULT_HEIGHT


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    label: str | None = None


@dataclass(frozen=True)
class PlacedBox:
    box: Box
    x: float
    y: float

    @property
    def text_lines(self) -> list[tuple[float, float, str]]:
        return [(self.x + 10, self.y + 20 + i * LINE_HEIGHT, line) for i, line in enumerate(self.box.lines)]


@dataclass(frozen=True)
class PlacedArrow:
    path: str
    label: str | None
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Diagram:
    view_box: str
    width: float
    height: float
    boxes: list[PlacedBox] = field(default_factory=list)
    arrows: list[PlacedArrow] = field(default_factory=list)


def wrap(text: str, per_line: int, max_lines: int) -> tuple[str, ...]:
    """`text` in at most `max_lines` lines of about `per_line` characters, the last cut with '…'."""
    lines: list[str] = []
    for word in " ".join(str(text).split()).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word[: per_line - 1] + "…" if len(word) > per_line else word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return tuple(line for line in lines if line) or ("",)


def _curve(source: PlacedBox, target: PlacedBox) -> tuple[str, float, float]:
    x1, y1 = source.x + source.box.width, source.y + source.box.height / 2
    x2, y2 = target.x, target.y + target.box.height / 2
    if x2 >= x1:
        bend = max(40.0, (x2 - x1) / 2)
        return (
            f"M {x1:g} {y1:g} C {x1 + bend:g} {y1:g}, {x2 - bend:g} {y2:g}, {x2:g} {y2:g}",
            (x1 + x2) / 2,
            (y1 + y2) / 2 - 6,
        )
    # A loop back: around below both boxes.
    below = max(source.y + source.box.height, target.y + target.box.height) + 40
    return (f"M {x1:g} {y1:g} C {x1 + 60:g} {below:g}, {x2 - 60:g} {below:g}, {x2:g} {y2:g}", (x1 + x2) / 2, below - 4)


def draw(boxes: list[Box], arrows: list[Arrow], positions: dict[str, dict[str, float]] | None = None) -> Diagram:
    """Place the boxes (at `positions`, else laid out left to right) and route the arrows between
    them; an arrow naming a box that is not drawn is left out."""
    if positions is None:
        positions = auto_layout(
            [{"id": b.id, "width": b.width, "height": b.height} for b in boxes],
            [{"source": a.source, "target": a.target} for a in arrows],
        )
    placed = {
        b.id: PlacedBox(b, float(positions.get(b.id, {}).get("x", 0)), float(positions.get(b.id, {}).get("y", 0)))
        for b in boxes
    }
    routed = []
    for arrow in arrows:
        if arrow.source in placed and arrow.target in placed and arrow.source != arrow.target:
            path, lx, ly = _curve(placed[arrow.source], placed[arrow.target])
            routed.append(PlacedArrow(path, arrow.label, lx, ly))
    if not placed:
        return Diagram(view_box="0 0 1 1", width=1, height=1)
    left = min(p.x for p in placed.values()) - PADDING
    top = min(p.y for p in placed.values()) - PADDING
    right = max(p.x + p.box.width for p in placed.values()) + PADDING
    bottom = max(p.y + p.box.height for p in placed.values()) + PADDING + (40 if routed else 0)
    width, height = right - left, bottom - top
    return Diagram(
        view_box=f"{left:g} {top:g} {width:g} {height:g}",
        width=width,
        height=height,
        boxes=list(placed.values()),
        arrows=routed,
    )
