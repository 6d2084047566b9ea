"""Token contrast: for each text/background pair of colours that the mockups actually use together,
which design tokens they are, their WCAG 2.2 contrast ratio and the AA/AAA verdicts.

The pairs come from each mockup's `color_pairs` (analysis/color_pairs.py); a colour is named by
the token that has exactly its value — a role (primary, text, background...) before a palette
name — and a colour no token has is reported as off the palette (token None).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flexos_mcp.analysis.contrast import contrast_verdict
from flexos_mcp.analysis.design_tokens import resolve_color

ROLES = ("primary", "background", "surface", "text", "text-muted", "border")
MAX_LISTED_PAGES = 10
_VERDICT_ORDER = {"fail": 0, "AA-large": 1, "AA": 2, "AAA": 3}


def token_names(tokens: dict[str, Any]) -> dict[str, str]:
    """Colour value (#RRGGBB or #RRGGBBAA, upper case) -> the token to call it by."""
    colors = tokens.get("colors") or {}
    ordered = [name for name in ROLES if name in colors] + [name for name in colors if name not in ROLES]
    names: dict[str, str] = {}
    for name in ordered:
        value, _ = resolve_color(tokens, name)
        if isinstance(value, str) and value.upper() not in names:
            names[value.upper()] = name
    return names


def token_contrast(tokens: dict[str, Any], mockups: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (text, background) pair used in `mockups` (`{"page": slug, "color_pairs":
    [...]}`), failing pairs first, then the most used."""
    names = token_names(tokens)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for mockup in mockups:
        found = mockup.get("color_pairs")
        for pair in found if isinstance(found, list) else []:
            if not isinstance(pair, dict):
                continue
            text, background = str(pair.get("text", "")).upper(), str(pair.get("background", "")).upper()
            try:
                verdict = contrast_verdict(text, background)
            except ValueError:  # not colours (data written by other software): nothing to judge
                continue
            entry = pairs.setdefault(
                (text, background),
                {
                    "text": {"value": text, "token": names.get(text)},
                    "background": {"value": background, "token": names.get(background)},
                    **verdict.as_dict(),
                    "uses": 0,
                    "pages": set(),
                },
            )
            entry["uses"] += int(pair.get("count") or 1)
            entry["pages"].add(mockup.get("page"))
    result = sorted(pairs.values(), key=lambda e: (_VERDICT_ORDER[e["verdict"]], -e["uses"], e["ratio"]))
    for entry in result:
        pages = sorted(p for p in entry["pages"] if p)
        entry["pages"] = pages[:MAX_LISTED_PAGES]
        entry["page_count"] = len(pages)
    return result
