"""Accessibility checks of a rendered mockup with axe-core, the engine browsers' own audit tools
use. axe-core (MPL-2.0) comes bundled in the `axe-playwright-python` package; it runs inside the
sandboxed page after the mockup has loaded, so it judges what a person would see: computed
colours over real backgrounds, rendered sizes, the accessibility tree.

The rules checked are axe's WCAG 2.0/2.1/2.2 level A and AA rules plus its best practices
(heading order, landmarks, one main heading...). Each violated rule comes back with its WCAG
criteria and level, axe's help text and link, and the elements that fail it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT

from .browser import Frame, Renderer

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BEST_PRACTICE = "best-practice"
MAX_ELEMENTS_PER_RULE = 5
_HTML_CHARS = 240
_IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
_CRITERION = re.compile(r"^wcag(\d)(\d)(\d+)$")  # wcag143 -> 1.4.3
_LEVEL = re.compile(r"^wcag2\d*(a{1,3})$")  # wcag2aa, wcag21a, wcag22aa -> A, AA

_RUN = "(options) => axe.run(document, options)"


@dataclass(frozen=True)
class FailingElement:
    selector: str
    html: str
    fix: str


@dataclass(frozen=True)
class RuleViolation:
    rule: str
    impact: str | None
    level: str  # "A", "AA", "AAA" or "best-practice"
    criteria: tuple[str, ...]  # WCAG success criteria, e.g. ("1.4.3",)
    help: str
    help_url: str
    element_count: int
    elements: tuple[FailingElement, ...]


@dataclass(frozen=True)
class AxeReport:
    violations: tuple[RuleViolation, ...]
    needs_review: tuple[str, ...]  # rules axe could not decide (e.g. text over an image)
    engine: str


def _level(tags: list[str]) -> str:
    levels = [found.group(1).upper() for tag in tags if (found := _LEVEL.match(tag))]
    if levels:
        return min(levels, key=len)
    return BEST_PRACTICE if BEST_PRACTICE in tags else "other"


def _criteria(tags: list[str]) -> tuple[str, ...]:
    return tuple(f"{m.group(1)}.{m.group(2)}.{m.group(3)}" for tag in tags if (m := _CRITERION.match(tag)))


def _element(node: dict[str, Any]) -> FailingElement:
    target = node.get("target") or []
    selector = " ".join(str(part) for part in target) if isinstance(target, list) else str(target)
    html = " ".join(str(node.get("html") or "").split())
    if len(html) > _HTML_CHARS:
        html = html[: _HTML_CHARS - 1] + "…"
    return FailingElement(
        selector=selector[:_HTML_CHARS], html=html, fix=str(node.get("failureSummary") or "").strip()[:600]
    )


def _dicts(value: object) -> list[dict[str, Any]]:
    """The dict items of a list (the results come back from a page the mockup's scripts share)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def summarize(results: dict[str, Any]) -> AxeReport:
    """axe's raw results grouped by rule, most severe first, at most MAX_ELEMENTS_PER_RULE
    elements each (with the total count)."""
    violations = []
    for item in _dicts(results.get("violations")):
        nodes = _dicts(item.get("nodes"))
        tags = list(item.get("tags") or [])
        violations.append(
            RuleViolation(
                rule=str(item.get("id")),
                impact=item.get("impact"),
                level=_level(tags),
                criteria=_criteria(tags),
                help=str(item.get("help") or ""),
                help_url=str(item.get("helpUrl") or ""),
                element_count=len(nodes),
                elements=tuple(_element(n) for n in nodes[:MAX_ELEMENTS_PER_RULE]),
            )
        )
    violations.sort(key=lambda v: (_IMPACT_ORDER.get(v.impact or "", 9), v.rule))
    needs_review = tuple(sorted(str(i.get("id")) for i in _dicts(results.get("incomplete"))))
    engine = next((str(e.get("version")) for e in _dicts([results.get("testEngine")])), "?")
    return AxeReport(violations=tuple(violations), needs_review=needs_review, engine=f"axe-core {engine}")


async def check_accessibility(
    renderer: Renderer, document: str, frame: Frame, *, best_practices: bool = True
) -> AxeReport:
    """Run axe-core in the rendered document."""
    tags = [*WCAG_TAGS, BEST_PRACTICE] if best_practices else list(WCAG_TAGS)
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations", "incomplete"]}
    results = await renderer.evaluate(document, frame, _RUN, options, prelude=AXE_SCRIPT)
    return summarize(results if isinstance(results, dict) else {})
