"""Token test data: a known token set that uses every kind of token FlexOS exports (colours with
an alias and a translucent one, spacing, a font stack, sizes, a weight, radii, one- and two-layer
shadows), and the Lesson Library example's mockups as emergence reads them."""

import json
from pathlib import Path

from flexos_mcp.analysis.extraction import extract_mockup

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lesson-library"

TOKENS = {
    "colors": {
        "primary": {"value": "#DC2626", "ref": "red-600", "usage_count": 47, "contexts": ["button", "link"]},
        "surface": {"value": "#1E293B", "usage_count": 23},
        "red-600": {"value": "#DC2626", "usage_count": 47},
        "overlay": {"value": "#0F172A80"},
    },
    "spacing": {
        "base": {"value": "8px", "confidence": 0.9},
        "scale": [8, 16, 24],
        "steps": {"xs": "8px", "sm": "16px", "md": "24px"},
    },
    "typography": {
        "font_family": "Inter",
        "font_stack": ["Inter", "Helvetica Neue", "sans-serif"],
        "sizes": {"base": "16px", "2xl": "24px"},
        "weights": {"semibold": 600},
    },
    "radii": {"lg": {"value": "8px"}, "full": {"value": "9999px"}},
    "shadows": {
        "md": {"value": "0 4px 6px -1px #0000001A, 0 2px 4px -2px #0000001A"},
        "inner": {"value": "inset 0 2px 4px 0 #0000000D"},
    },
}


def example_mockups() -> list[dict]:
    """`{"page": slug, "extracted_patterns": ...}` for each page of the example project."""
    project = json.loads((EXAMPLE / "project.json").read_text())
    mockups = []
    for page in project["pages"]:
        html = (EXAMPLE / page["html"]).read_text()
        css = (EXAMPLE / page["css"]).read_text() if page["css"] else None
        mockups.append({"page": page["slug"], "extracted_patterns": extract_mockup(html, css)["extracted_patterns"]})
    return mockups
