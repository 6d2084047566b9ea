"""Checks of the design system as a whole: token contrast (which text/background token pairs the
current mockups use together, and whether they are readable by WCAG 2.2).

The pairs are read from each current mockup's `extracted_patterns.color_pairs`, recorded when the
mockup was saved. Mockups saved before that existed, or written by other software, lack them;
their pairs are worked out from their HTML and CSS here, in the compute pool.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis.extraction import extract_mockup
from ..analysis.token_contrast import token_contrast
from ..compute import run_cpu
from ..errors import FlexError
from .projects import require_project
from .scope import Scope


class ColorRef(BaseModel):
    value: str = Field(description="The colour, #RRGGBB (#RRGGBBAA when translucent).")
    token: str | None = Field(
        description="The token with exactly this value (a role such as text or primary first); null: off the palette."
    )


class ContrastPair(BaseModel):
    text: ColorRef
    background: ColorRef
    ratio: float = Field(description="WCAG 2.2 contrast ratio, 1 to 21.")
    aa: bool = Field(description="Meets AA for normal text (4.5:1).")
    aa_large: bool = Field(description="Meets AA for large text, 24px or 18.66px bold (3:1).")
    aaa: bool = Field(description="Meets AAA for normal text (7:1).")
    aaa_large: bool = Field(description="Meets AAA for large text (4.5:1).")
    non_text: bool = Field(description="Meets 3:1 for icons and UI components (WCAG 1.4.11).")
    verdict: str = Field(description="AAA, AA, AA-large (only for large text) or fail.")
    uses: int = Field(description="Elements with text in this pair, over the current mockups.")
    pages: list[str] = Field(description="Slugs of the pages using it (at most 10).")
    page_count: int


class DesignSystemCheck(BaseModel):
    project_id: UUID
    mockups_checked: int
    pairs: int = Field(description="Distinct text/background pairs found.")
    failing_aa: int = Field(description="Pairs below 4.5:1 (not readable as normal text by WCAG AA).")
    failing_aa_large: int = Field(description="Pairs below 3:1 (not readable even as large text).")
    off_palette: int = Field(description="Pairs with a colour that no token has.")
    token_contrast: list[ContrastPair] = Field(description="Every pair, failing first, then the most used.")


def _pairs_of(pages: list[tuple[str, str, str | None]]) -> list[dict[str, Any]]:
    """Colour pairs of mockups that have none stored (runs in a compute worker)."""
    return [
        {"page": slug, "color_pairs": extract_mockup(html, css)["extracted_patterns"]["color_pairs"]}
        for slug, html, css in pages
    ]


async def check_design_system(scope: Scope, project_id: UUID) -> DesignSystemCheck:
    async with scope.db.snapshot() as conn:
        await require_project(conn, scope.actor, project_id)
        tokens = await conn.fetchval("SELECT tokens FROM design_systems WHERE project_id = $1", project_id)
        if tokens is None:
            raise FlexError(
                f"Project {project_id} has no design system yet. Call analyze_design_system to grow one "
                f"from its mockups, then check it."
            )
        rows = await conn.fetch(
            """SELECT pg.slug, m.extracted_patterns -> 'color_pairs' AS color_pairs,
                      CASE WHEN m.extracted_patterns ? 'color_pairs' THEN NULL ELSE m.html_content END AS html,
                      CASE WHEN m.extracted_patterns ? 'color_pairs' THEN NULL ELSE m.css_content END AS css
               FROM pages pg JOIN mockups m ON m.id = pg.current_mockup_id
               WHERE pg.project_id = $1 ORDER BY pg.slug""",
            project_id,
        )
    stored = [{"page": r["slug"], "color_pairs": r["color_pairs"]} for r in rows if r["html"] is None]
    missing = [(r["slug"], r["html"], r["css"]) for r in rows if r["html"] is not None]
    if missing:
        stored += await run_cpu(
            _pairs_of, missing, timeout=60, hint="The project's mockups are too large to analyse at once."
        )
    entries = token_contrast(tokens or {}, stored)
    return DesignSystemCheck(
        project_id=project_id,
        mockups_checked=len(rows),
        pairs=len(entries),
        failing_aa=sum(1 for e in entries if not e["aa"]),
        failing_aa_large=sum(1 for e in entries if not e["aa_large"]),
        off_palette=sum(1 for e in entries if e["text"]["token"] is None or e["background"]["token"] is None),
        token_contrast=[ContrastPair(**e) for e in entries],
    )
