"""Mockup extraction on hand-written HTML/CSS: every expected value below is computed by hand."""

from flexos_mcp.analysis.extraction import extract_mockup
from flexos_mcp.analysis.extraction.results import diff_patterns

TRICKY_CSS = """
/* a comment mentioning #123456 must not count */
:root { --brand: #DC2626; --gap: 8px; --alias: var(--brand); }
.btn-primary { background: var(--brand) !important; padding: 8px 16px; border: 1px solid #ccc;
               font: 600 16px/1.5 Inter, sans-serif; border-radius: 8px; }
.hero { background: url(x.png) #fff; margin: var(--gap) var(--missing, 24px); }
.ghost { color: currentColor; border-color: transparent; outline-color: var(--nope, #fff); }
.tint { background-color: #0f08; color: hsl(0 72% 51%); border-top-color: rgb(0 0 0 / 50%); }
.short { color: #abc; background: #abcd; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.5); }
.ref { color: var(--alias); }
@media (max-width: 640px) { .grid { grid-template-columns: 1fr; } }
@media (min-width: 1025px) { .grid { grid-template-columns: repeat(3, 1fr); } }
"""

TRICKY_HTML = """<html><body>
<section class="hero"><h1>Lessons</h1></section>
<div class="grid"><div class="lesson-card">x</div></div>
<button class="btn-primary" type="button">Go</button>
<p class="ghost tint short ref">text
<div <span>broken markup
"""


def _extract(html: str, css: str | None = None) -> dict:
    return extract_mockup(html, css)


def test_colours_from_css_are_normalised_and_counted():
    patterns = _extract(TRICKY_HTML, TRICKY_CSS)["extracted_patterns"]
    colors = patterns["colors"]
    assert set(colors) == {
        "#DC2626",  # var(--brand) in .btn-primary and var(--alias) → var(--brand) in .ref
        "#CCCCCC",  # border shorthand
        "#FFFFFF",  # background shorthand with url(), and the var() fallback
        "#00000000",  # transparent
        "#00FF0088",  # 4-digit hex
        "#DC2828",  # hsl(0 72% 51%)
        "#00000080",  # rgb(0 0 0 / 50%)
        "#AABBCC",  # 3-digit hex
        "#AABBCCDD",  # 4-digit hex
    }
    assert "#123456" not in colors  # comment
    assert colors["#DC2626"]["count"] == 2
    assert colors["#DC2626"]["contexts"] == ["background", "button", "text"]
    assert colors["#FFFFFF"]["contexts"] == ["background", "hero", "outline"]
    assert colors["#CCCCCC"]["sources"] == ["css:border"]
    # Most used first; ties (2 uses each: border-top and shadow black, brand red) by hex.
    assert patterns["colors_used"][:2] == ["#00000080", "#DC2626"]
    assert patterns["css_variables"] == {"--alias": "#DC2626", "--brand": "#DC2626", "--gap": "8px"}


def test_fonts_spacing_radii_shadows_from_shorthands():
    patterns = _extract(TRICKY_HTML, TRICKY_CSS)["extracted_patterns"]
    assert patterns["fonts"] == {
        "families": {"Inter": 1},
        "stacks": {"Inter, sans-serif": 1},
        "sizes": {"16px": 1},
        "weights": {"600": 1},
    }
    spacing = patterns["spacing_analysis"]
    assert spacing["counts"] == {"8": 2, "16": 1, "24": 1}  # padding 8px 16px; margin var(--gap) 24px
    assert spacing["base_unit"] == 8 and spacing["consistent"] is True
    assert spacing["scale"] == [8, 16, 24]
    assert patterns["radii"] == {"8px": 1}
    assert patterns["shadows"] == {"0 1px 2px #00000080": {"count": 1, "sources": ["css:box-shadow"]}}
    assert "#00000080" in patterns["colors"] and "shadow" in patterns["colors"]["#00000080"]["contexts"]


def test_media_queries_become_named_breakpoints_with_layouts():
    rules = _extract(TRICKY_HTML, TRICKY_CSS)["responsive_rules"]
    assert rules["breakpoints"] == {
        "mobile": {"max": 640, "layout": "single-column"},
        "tablet": {"min": 641, "max": 1024},
        "desktop": {"min": 1025, "layout": "three-column"},
    }
    assert rules["media_queries"] == [{"max": 640, "rules": 1}, {"min": 1025, "rules": 1}]


def test_components_from_tags_and_semantic_classes():
    components = _extract(TRICKY_HTML, TRICKY_CSS)["extracted_patterns"]["components"]
    assert sorted(components) == ["button", "card", "hero"]
    assert components["button"]["variants"] == ["primary"]
    assert components["card"]["class_sets"] == ["lesson-card"]


TAILWIND_HTML = """<!doctype html><html><body class="bg-slate-50 text-slate-900 font-sans">
<nav class="flex gap-4 px-4 py-2 md:px-8">
  <a href="/signup" class="bg-red-600 hover:bg-red-700 px-4 py-2 rounded-lg text-white">Sign up</a>
  <a href="https://example.org" target="_blank" class="text-red-600/50 underline">Docs</a>
</nav>
<div class="grid grid-cols-1 md:grid-cols-2 lg:grid-cols-3 gap-6">
  <div class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:bg-slate-900">Card</div>
  <span class="rounded-full bg-[#DC2626] px-2 py-1 text-xs focus:ring-red-600">New</span>
  <img class="rounded-full h-8 w-8" src="a.png" alt="">
  <p class="p-[13px] text-[13px] text-current">x</p>
</div>
</body></html>"""


def test_tailwind_classes_resolve_through_the_palette():
    patterns = _extract(TAILWIND_HTML)["extracted_patterns"]
    colors = patterns["colors"]
    assert colors["#DC2626"]["count"] == 3  # bg-red-600, bg-[#DC2626], focus:ring-red-600
    assert colors["#DC2626"]["sources"] == [
        "tailwind:bg-[#DC2626]",
        "tailwind:bg-red-600",
        "tailwind:ring-red-600",
    ]
    assert colors["#DC262680"]["sources"] == ["tailwind:text-red-600/50"]  # opacity modifier
    assert colors["#B91C1C"]["contexts"] == ["background", "button", "hover"]
    assert colors["#0F172A"]["contexts"] == ["background", "card", "dark", "page", "text"]
    assert colors["#F8FAFC"]["contexts"] == ["background", "page"]
    assert colors["#DC2626"]["contexts"] == ["background", "badge", "button", "focus", "ring"]
    assert patterns["fonts"]["families"] == {"ui-sans-serif": 1}
    assert patterns["fonts"]["sizes"] == {"12px": 1, "13px": 1}
    assert patterns["radii"] == {"8px": 1, "12px": 1, "9999px": 2}
    assert patterns["spacing_analysis"]["counts"] == {
        "4": 1,
        "8": 3,
        "13": 1,
        "16": 3,
        "24": 2,
        "32": 1,
    }
    assert list(patterns["shadows"]) == ["0 1px 2px 0 #0000000D"]
    assert patterns["states"] == {"dark": 1, "focus": 1, "hover": 1}


def test_tailwind_components_and_responsive_prefixes():
    result = _extract(TAILWIND_HTML)
    components = result["extracted_patterns"]["components"]
    assert sorted(components) == ["avatar", "badge", "button", "card", "nav"]
    assert components["button"]["class_sets"] == ["bg-red-600 hover:bg-red-700 px-4 py-2 rounded-lg text-white"]
    assert components["button"]["states"] == ["hover"]
    assert components["card"]["background_colors"] == ["#FFFFFF"]
    rules = result["responsive_rules"]
    assert rules["tailwind_prefixes"] == {"md": 2, "lg": 1}
    assert rules["color_schemes"] == ["dark"]
    assert rules["breakpoints"] == {
        "mobile": {"max": 767, "layout": "single-column"},
        "tablet": {"min": 768, "max": 1023, "layout": "two-column"},
        "desktop": {"min": 1024, "layout": "three-column"},
    }


def test_interactions_forms_buttons_links_handlers():
    html = """<form id="signup" action="/signup" method="post">
      <input name="email" type="email" required>
      <button type="submit" class="btn-primary" data-loading-text="Saving">Create account</button>
      <button type="reset">Clear</button>
    </form>
    <button onclick="openModal('share')">Share</button>
    <button data-bs-toggle="modal" data-bs-target="#confirm">Delete</button>
    <a href="/login">Log in</a> <a href="#faq">FAQ</a> <a href="https://x.org" target="_blank">X</a>
    <select name="subject" onchange="filterLessons(this.value)"></select>
    <div hx-post="/like" hx-trigger="click">Like</div>"""
    assert _extract(html)["interactions"] == [
        {"trigger": "submit", "selector": "#signup", "action": "submit_form", "target": "/signup"},
        {
            "trigger": "click",
            "selector": "button.btn-primary",
            "action": "submit_form",
            "transition": "loading_state",
            "label": "Create account",
        },
        {"trigger": "click", "selector": 'button[type="reset"]', "action": "reset_form", "label": "Clear"},
        {"trigger": "click", "selector": "button", "action": "openModal", "label": "Share"},
        {"trigger": "click", "selector": "button", "action": "toggle_modal", "target": "#confirm", "label": "Delete"},
        {
            "trigger": "click",
            "selector": 'a[href="/login"]',
            "action": "navigate",
            "target": "/login",
            "label": "Log in",
        },
        {"trigger": "click", "selector": 'a[href="#faq"]', "action": "scroll", "target": "#faq", "label": "FAQ"},
        {
            "trigger": "click",
            "selector": 'a[href="https://x.org"]',
            "action": "navigate_external",
            "transition": "new_tab",
            "target": "https://x.org",
            "label": "X",
        },
        {"trigger": "change", "selector": 'select[name="subject"]', "action": "filterLessons"},
        {"trigger": "click", "selector": "div", "action": "request", "target": "/like"},
    ]


def test_empty_and_garbage_input():
    empty = _extract("")
    assert empty["extracted_patterns"]["colors_used"] == []
    assert empty["extracted_patterns"]["spacing_analysis"]["base_unit"] is None
    assert empty["responsive_rules"] == {} and empty["interactions"] == []
    garbage = _extract("<<<div style='color: ; margin: {{'>", "}}} .a { color: #ggg; } @media {")
    assert garbage["extracted_patterns"]["colors_used"] == []


def test_large_page_extracts_every_repeated_element():
    card = '<div class="rounded-lg border border-slate-200 bg-white p-4 shadow" style="margin: 8px">x</div>'
    result = _extract("<body>" + card * 5000 + "</body>")
    patterns = result["extracted_patterns"]
    assert patterns["colors"]["#FFFFFF"]["count"] == 5000
    assert patterns["components"]["card"]["count"] == 5000
    assert patterns["spacing_analysis"]["counts"] == {"8": 5000, "16": 5000}


def test_diff_patterns_lists_added_and_removed():
    old = _extract('<button class="bg-red-600 p-2">a</button>')["extracted_patterns"]
    new = _extract('<div class="card bg-blue-600 p-2 rounded-lg">a</div><button class="bg-blue-600 p-2">b</button>')[
        "extracted_patterns"
    ]
    diff = diff_patterns(old, new)
    assert diff["colors"] == {"added": ["#2563EB"], "removed": ["#DC2626"]}
    assert diff["components"]["added"] == ["card"] and diff["components"]["removed"] == []
    assert diff["radii"] == {"added": ["8px"], "removed": []}
    assert diff["changed"] is True
    assert diff_patterns(old, old)["changed"] is False
