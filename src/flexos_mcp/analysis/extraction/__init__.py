"""Deterministic mockup extraction: what a page's HTML and CSS actually use.

`extract_mockup` reads colours, fonts, spacing, radii, shadows, breakpoints, components and
interactions from markup (parsed by Lexbor, tolerant of broken HTML), stylesheets and inline
styles (parsed by tinycss2) and Tailwind utility classes. No model, no network: the same input
always gives the same JSON, which is stored on the mockup row and feeds design-system emergence.

The document is walked once; class strings and inline styles are parsed once per distinct text,
so time grows linearly with page size.

The work is split by what it reads: `markup` walks the HTML, `stylesheets` reads the CSS,
`records` is what both accumulate, and `results` turns that into the stored JSON.
"""

from __future__ import annotations

from typing import cast

from selectolax.lexbor import LexborHTMLParser

from flexos_mcp.analysis.color_pairs import text_on_background

from .markup import apply_elements, scan_page
from .records import Extraction
from .results import Interaction, MockupExtraction, extracted_patterns_of, responsive_rules_of
from .stylesheets import always_applying, apply_styles


def extract_mockup(html: str, css: str | None = None) -> MockupExtraction:
    """Everything a mockup's HTML and CSS use, as JSON for the mockup row: its shape is
    `results.MockupExtraction` (`extracted_patterns`, `responsive_rules`, `interactions`)."""
    found = Extraction()
    tree = LexborHTMLParser(html or "")
    scan = scan_page(found, tree)
    apply_elements(found, scan.elements)
    sheets = [*scan.sheets, css] if css else scan.sheets
    apply_styles(found, sheets, scan.inline)
    color_pairs = text_on_background(tree, always_applying(sheets), found.variables)
    return {
        "extracted_patterns": extracted_patterns_of(found, color_pairs),
        "responsive_rules": responsive_rules_of(found),
        "interactions": cast(list[Interaction], list(found.interactions.values())),
    }
