"""Mockup extraction speed against the floor of parsing the same HTML, and emergence speed.

Prints mockups/second for full `extract_mockup` beside a bare selectolax parse + walk of every
element's class attribute (the cheapest useful pass over a page), and the ratio between them;
the target is extraction at >= 0.5x the parse rate. The three take turns round by round and the
rates are of the median round, so a load that comes and goes hits them alike. Also the share of
extraction spent on colour pairs (text on background, analysis/color_pairs.py): extraction with
them against the same extraction with them left out, in the same rounds. Then times
`emerge_design_system` over 1,000 extraction results. Ratios, not absolute times, are what to
compare across machines.

    PYTHONPATH=src python bench/extraction.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

import flexos_mcp.analysis.extraction as extraction
from flexos_mcp.analysis import tailwind
from flexos_mcp.analysis.design_tokens import emerge_design_system
from flexos_mcp.analysis.extraction import extract_mockup, markup, stylesheets

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lesson-library"


def example_pages() -> list[tuple[str, str, str | None]]:
    project = json.loads((EXAMPLE / "project.json").read_text())
    return [
        (
            page["slug"],
            (EXAMPLE / page["html"]).read_text(),
            (EXAMPLE / page["css"]).read_text() if page["css"] else None,
        )
        for page in project["pages"]
    ]


def large_tailwind_page(target_bytes: int = 200_000, seed: int = 7) -> str:
    """A dashboard-like page of cards, badges, buttons and forms with realistic class variety."""
    rng = random.Random(seed)
    colors = ["red", "slate", "blue", "emerald", "amber", "gray"]
    shades = ["50", "100", "200", "500", "600", "700", "900"]
    parts = [
        "<!doctype html><html><head><style>body{font-family:Inter,sans-serif}</style></head>"
        '<body class="bg-slate-50 text-slate-900"><main class="mx-auto max-w-7xl px-4 md:px-8">'
    ]
    index = 0
    while sum(map(len, parts)) < target_bytes:
        color, shade = rng.choice(colors), rng.choice(shades)
        index += 1
        parts.append(
            f'<article class="rounded-xl border border-slate-200 bg-white p-{rng.choice([4, 6, 8])} shadow-sm '
            f'hover:shadow-md md:p-{rng.choice([6, 8])}">'
            f'<span class="rounded-full bg-{color}-{shade} px-2 py-1 text-xs font-medium text-{color}-700">Tag {index}</span>'
            f'<h2 class="mt-4 text-lg font-semibold"><a href="/lessons/{index}" class="hover:text-red-600">Lesson {index}</a></h2>'
            f'<p class="mt-2 text-sm text-slate-600" style="margin-bottom: {rng.choice([8, 16])}px">Grade {index % 12 + 1}</p>'
            f'<form action="/lessons/{index}/rate" method="post" class="mt-4 flex gap-2">'
            f'<input name="rating" type="number" min="1" max="5" class="w-16 rounded-lg border border-slate-200 px-2 py-1">'
            f'<button type="submit" class="rounded-lg bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700 '
            f'focus:ring-2 focus:ring-red-600/50">Rate</button></form></article>'
        )
    parts.append("</main></body></html>")
    return "".join(parts)


def bare_parse(html: str) -> int:
    """The floor: parse, then read every element's class attribute once."""
    seen = 0
    for node in LexborHTMLParser(html).root.traverse(include_text=False):
        seen += len(node.attributes.get("class") or "")
    return seen


def rate(function, pages: list[tuple[str, str | None]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for html, css in pages:
            function(html, css)
    return rounds * len(pages) / (time.perf_counter() - start)


def without_color_pairs(html: str, css: str | None) -> dict:
    """extract_mockup with the colour pairs left out (the bench's own patch, undone at once)."""
    walk = extraction.text_on_background
    extraction.text_on_background = lambda *args: []
    try:
        return extract_mockup(html, css)
    finally:
        extraction.text_on_background = walk


def clear_caches() -> None:
    for cached in (
        tailwind.parse_class,
        stylesheets._inline_declarations,
        markup.class_component,
        stylesheets._parse_selectors,
        markup._semantic_classes,
        markup.element_profile,
        stylesheets._parse_stylesheet,
    ):
        cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    examples = [(html, css) for _, html, css in example_pages()]
    big = large_tailwind_page()
    print(
        f"example pages: {len(examples)} ({sum(len(h) for h, _ in examples) // 1024} KB), "
        f"large Tailwind page: {len(big) // 1024} KB"
    )
    for label, pages, repeat in (("example pages", examples, 20), ("large page", [(big, None)], 1)):
        clear_caches()
        cold = rate(extract_mockup, pages, 1)
        rates: dict[str, list[float]] = {"parse": [], "extract": [], "without pairs": []}
        for _ in range(args.rounds * 3):
            rates["parse"].append(rate(lambda html, css: bare_parse(html), pages, repeat))
            rates["extract"].append(rate(extract_mockup, pages, repeat))
            rates["without pairs"].append(rate(without_color_pairs, pages, repeat))
        parse_rate, warm, plain = (statistics.median(rates[k]) for k in ("parse", "extract", "without pairs"))
        print(
            f"{label:>14}: parse+walk {parse_rate:8.1f}/s | extract (cold caches) {cold:8.1f}/s | "
            f"extract {warm:8.1f}/s | ratio {warm / parse_rate:.2f}x (target >= 0.5x) | "
            f"colour pairs {1 - warm / plain:.0%} of extraction"
        )

    results = [
        {"page": f"{slug}-{i}", "extracted_patterns": extract_mockup(html, css)["extracted_patterns"]}
        for i in range(125)
        for slug, html, css in example_pages()[:8]
    ]
    start = time.perf_counter()
    system = emerge_design_system(results, {}, None)
    elapsed = time.perf_counter() - start
    print(
        f"emerge_design_system over {len(results)} extraction results: {elapsed * 1000:.0f} ms "
        f"({len(system['tokens']['colors'])} colour tokens)"
    )


if __name__ == "__main__":
    main()
