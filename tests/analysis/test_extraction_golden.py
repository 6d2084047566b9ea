"""Golden outputs of `extract_mockup`: every example page, the benchmark's large Tailwind page
(which crosses the interaction cap), all example pages run together, and a page of interaction
edge cases (handlers, htmx, toggles, buttons in and out of forms, odd links).

These pin the whole JSON, so a speed change that alters any result fails here. Each page is
extracted twice so that results read from warm caches must equal the first, cold-ish run.
Regenerate only for an intended output change:

    PYTHONPATH=src python tests/analysis/test_extraction_golden.py
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from flexos_mcp.analysis.extraction import extract_mockup

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


def _bench_module():
    """The benchmark script, loaded by path: its large page is the one the speed target is on."""
    spec = importlib.util.spec_from_file_location("_extraction_bench", ROOT / "bench" / "extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INTERACTION_EDGE_CASES = """<!doctype html><html><body class="p-4">
<div onclick="openModal('x')" class="card">Open</div>
<div on="x" data-foo="1" class="lesson-card">plain</div>
<span @click="toggle()" class="badge">at-click</span>
<li v-on:click.prevent="select(item)">vue</li>
<p x-on:keydown.enter="go">alpine</p>
<section hx-post="/save" hx-trigger="change"><h1>Title</h1></section>
<form hx-get="/search" id="search-form"><input type="search" name="q"><input type="image" src="i.png">
<input type="RESET"><button>Go</button><button type="button" aria-controls="menu">Menu</button></form>
<button type="submit" data-loading-text="Saving">Outside form</button>
<button data-bs-toggle="modal" data-bs-target="#dlg" class="btn btn-primary">Modal</button>
<a data-toggle="collapse" href="#more">More</a>
<a href="javascript:void(0)">js</a><a href="#">top</a><a href="#faq" aria-busy="true">FAQ</a>
<a href="mailto:a@b.c">mail</a><a href="tel:123">call</a>
<a href="https://example.com" target="_blank" data-transition="fade">ext</a>
<a href="//cdn.example.com/x">proto</a><a href="/lessons" id="1st">num id</a>
<a href="/x" id="weird id" data-testid="t">weird</a><a href="/y" data-testid="link &quot;y&quot;">y</a>
<a class="nav-link text-red-600" href="/z">  Z   with
 spaces and a very long label that goes past sixty characters for sure, yes  </a>
<div role="button" tabindex="0" onkeyup="">empty handler</div>
<svg fill="#f00" stroke="blue" onload="init()"><path d="M0"/></svg>
<font color="#0f0">old</font><table bgcolor="#00f"><tr><td>t</td></tr></table>
<dialog aria-modal="true" open><button type="reset" disabled>Reset</button></dialog>
<template><button onclick="hidden()">t</button></template>
<script>document.write('<a href=/s>s</a>')</script>
<noscript><a href="/ns">ns</a></noscript>
</body></html>"""


def golden_inputs() -> dict[str, tuple[str, str | None]]:
    """Name → (html, css) for every page the golden files cover."""
    bench = _bench_module()
    pages = bench.example_pages()
    inputs = {slug: (html, css) for slug, html, css in pages}
    inputs["large-tailwind"] = (bench.large_tailwind_page(), None)
    inputs["interaction-edge-cases"] = (INTERACTION_EDGE_CASES, None)
    inputs["all-examples"] = (
        "".join(html for _, html, _ in pages),
        "\n".join(css for _, _, css in pages if css),
    )
    return inputs


INPUTS = golden_inputs()


def _as_text(result: dict) -> str:
    """The result as JSON text in its own key order, so that ranking order is pinned too."""
    return json.dumps(result, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_extraction_matches_golden(name: str):
    html, css = INPUTS[name]
    expected = (GOLDEN / f"{name}.json").read_text()
    assert _as_text(extract_mockup(html, css)) == expected
    assert _as_text(extract_mockup(html, css)) == expected


def test_every_golden_file_has_an_input():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(INPUTS)


def write_goldens() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, (html, css) in INPUTS.items():
        (GOLDEN / f"{name}.json").write_text(_as_text(extract_mockup(html, css)))


if __name__ == "__main__":
    write_goldens()
    print(f"wrote {len(INPUTS)} golden files to {GOLDEN}", file=sys.stderr)
