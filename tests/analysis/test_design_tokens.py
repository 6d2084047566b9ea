"""Design-system emergence on the Lesson Library example, user decisions, consistency, exports."""

import json

import pytest

from flexos_mcp.analysis.design_tokens import emerge_design_system, resolve_color
from flexos_mcp.analysis.extraction import extract_mockup
from flexos_mcp.analysis.token_consistency import check_consistency
from flexos_mcp.analysis.token_exports import css_declarations, to_css_variables, to_dtcg, to_tailwind_theme

from helpers.token_fixtures import EXAMPLE, example_mockups


@pytest.fixture(scope="module")
def mockups() -> list[dict]:
    return example_mockups()


@pytest.fixture(scope="module")
def system(mockups) -> dict:
    return emerge_design_system(mockups, {}, None)


def test_example_project_has_the_eight_pages_the_brief_names():
    project = json.loads((EXAMPLE / "project.json").read_text())
    assert [p["path"] for p in project["pages"]] == [
        "/",
        "/signup",
        "/login",
        "/dashboard",
        "/lessons",
        "/lessons/new",
        "/lessons/detail",
        "/settings/profile",
    ]


def test_emergence_finds_the_brand_palette(system):
    colors = system["tokens"]["colors"]
    roles = {
        name: colors[name]["value"] for name in ("primary", "background", "surface", "text", "text-muted", "border")
    }
    assert roles == {
        "primary": "#DC2626",  # red-600 on every button and link
        "background": "#F8FAFC",  # slate-50 page background
        "surface": "#FFFFFF",  # cards, header, forms
        "text": "#0F172A",  # slate-900 body text
        "text-muted": "#475569",  # slate-600
        "border": "#E2E8F0",  # slate-200
    }
    assert colors["primary"]["ref"] == "red-600"
    assert colors["red-600"]["value"] == "#DC2626"
    assert len(colors["primary"]["pages"]) == 8
    assert "#D93636" not in {t["value"] for t in colors.values()}  # the one-off red is not a token
    assert system["generation_method"] == "emergent"


def test_emergence_finds_inter_and_the_8px_scale(system):
    tokens = system["tokens"]
    assert tokens["spacing"]["base"]["value"] == "8px"
    assert tokens["spacing"]["base"]["confidence"] >= 0.9
    assert tokens["spacing"]["scale"] == [8, 16, 24, 32, 64]
    assert tokens["spacing"]["steps"] == {"xs": "8px", "sm": "16px", "md": "24px", "lg": "32px", "xl": "64px"}
    assert tokens["typography"]["font_family"] == "Inter"
    assert tokens["typography"]["font_stack"] == ["Inter", "sans-serif"]
    assert tokens["typography"]["sizes"]["base"] == "16px"
    assert tokens["radii"]["lg"]["value"] == "8px"
    assert system["confidence_scores"]["typography.font_family"] == 1.0


def test_component_patterns_share_base_classes(system):
    button = system["component_patterns"]["button"]
    # Most Tailwind buttons are px-4 py-2, but the hero's are px-6 py-4: not a majority.
    assert button["base_classes"] == "rounded-lg font-semibold"
    assert button["states"] == ["hover"]
    assert {"primary", "danger", "ghost"} <= set(button["variants"])
    assert len(button["pages"]) == 8


def test_confirmed_tokens_survive_reanalysis(mockups):
    confirmations = {
        "colors.primary": {"value": "#2563eb", "confirmed_at": "2025-05-01T10:00:00+00:00"},
        "colors.brand": {"ref": "colors.red-600"},
        "spacing.base": {"value": "4px"},
        "typography.font_family": {"value": "Source Sans 3"},
    }
    first = emerge_design_system(mockups, confirmations, None)
    again = emerge_design_system(mockups + mockups[:2], confirmations, None)
    for result in (first, again):
        tokens = result["tokens"]
        assert tokens["colors"]["primary"]["value"] == "#2563EB"
        assert tokens["colors"]["primary"]["confirmed"] is True
        assert tokens["colors"]["primary"]["confirmed_at"] == "2025-05-01T10:00:00+00:00"
        assert tokens["colors"]["brand"]["value"] == "#DC2626"
        assert resolve_color(tokens, "brand") == ("#DC2626", ["colors.brand", "colors.red-600"])
        assert tokens["spacing"]["base"]["value"] == "4px"
        assert tokens["typography"]["font_family"] == "Source Sans 3"
        assert result["confidence_scores"]["colors.primary"] == 1.0


def test_prescribed_tokens_make_it_hybrid(mockups):
    result = emerge_design_system(
        mockups, {}, {"colors": {"accent": {"value": "teal"}}, "typography": {"font_family": "Inter"}}
    )
    assert result["generation_method"] == "hybrid"
    assert result["tokens"]["colors"]["accent"]["value"] == "#008080"
    assert result["tokens"]["colors"]["accent"]["source"] == "prescribed"
    assert result["tokens"]["colors"]["primary"]["value"] == "#DC2626"


def test_consistency_finds_the_off_palette_red(mockups, system):
    profile = next(m for m in mockups if m["page"] == "profile-settings")
    issues = check_consistency(profile["extracted_patterns"], system["tokens"])
    colors = [i for i in issues if i["kind"] == "color"]
    assert len(colors) == 1
    issue = colors[0]
    assert issue["value"] == "#D93636"
    assert issue["verdict"] == "near_token"
    assert issue["suggestion"] == {
        "token": "colors.primary",
        "value": "#DC2626",
        "alias_chain": ["colors.primary", "colors.red-600"],
        "css_var": "var(--color-primary)",
        "tailwind_class": "bg-primary",
        "distance": 2.92,
    }
    spacing = [i for i in issues if i["kind"] == "spacing"]
    assert [(i["value"], i["suggestion"]["token"], i["suggestion"]["value"]) for i in spacing] == [
        ("48px", "spacing.steps.lg", "32px")
    ]


def test_consistency_flags_unknown_fonts_and_off_scale_sizes(system):
    patterns = extract_mockup('<p style="font-family: Comic Sans MS; font-size: 15px; padding: 20px">x</p>')[
        "extracted_patterns"
    ]
    issues = check_consistency(patterns, system["tokens"])
    summary = [(i["kind"], i["value"], i["suggestion"]["token"]) for i in issues]
    assert summary == [
        ("spacing", "20px", "spacing.steps.sm"),  # 20 is 4 from 16 and 24: the smaller step wins
        ("font_family", "Comic Sans MS", "typography.font_family"),
        ("font_size", "15px", "typography.sizes.sm"),
    ]


def test_exports_share_names_and_values(system):
    tokens = system["tokens"]
    dtcg = to_dtcg(tokens)
    assert dtcg["color"]["$type"] == "color"
    assert dtcg["color"]["primary"]["$value"] == "{color.red-600}"
    assert dtcg["color"]["red-600"]["$value"] == {
        "colorSpace": "srgb",
        "components": [0.8627, 0.149, 0.149],
        "hex": "#dc2626",
    }
    assert (
        dtcg["color"]["primary"]["$extensions"]["dev.flexos"]["usage_count"]
        == tokens["colors"]["primary"]["usage_count"]
    )
    assert dtcg["spacing"]["base"]["$value"] == {"value": 8, "unit": "px"}
    assert dtcg["font"]["family"]["base"] == {"$type": "fontFamily", "$value": ["Inter", "sans-serif"]}
    css = to_css_variables(tokens)
    assert css.startswith(":root {\n")
    assert "  --color-primary: #dc2626;\n" in css
    assert "  --spacing-base: 8px;\n" in css
    assert "  --font-family-base: Inter, sans-serif;\n" in css
    theme = to_tailwind_theme(tokens)["extend"]
    assert theme["colors"]["primary"] == "var(--color-primary)"
    assert theme["spacing"]["md"] == "var(--spacing-md)"
    assert theme["fontFamily"]["sans"] == ["Inter", "sans-serif"]
    names = {name for name, _ in css_declarations(tokens)}
    assert "--radius-lg" in names and "--shadow-sm" in names


def test_emergence_of_nothing_is_empty():
    result = emerge_design_system([], {}, None)
    assert result["tokens"] == {"colors": {}, "radii": {}, "shadows": {}}
    assert result["component_patterns"] == {} and result["generation_method"] == "emergent"


def test_tokens_list_a_bounded_sample_of_pages_with_the_full_count(mockups):
    """1,000 pages must not make every token carry 1,000 slugs."""
    many = [{"page": f"page-{i:03d}", "extracted_patterns": m["extracted_patterns"]} for i, m in enumerate(mockups * 5)]
    primary = emerge_design_system(many, {}, None)["tokens"]["colors"]["primary"]
    assert primary["page_count"] == 40
    assert primary["pages"] == [f"page-{i:03d}" for i in range(20)]


def test_a_colour_no_token_is_close_to_gets_no_suggestion(system):
    """Beyond ΔE2000 3 the check suggests no token: it says to add one or use the nearest token
    of the same part (here text), and names the threshold."""
    patterns = extract_mockup(
        '<main><p class="text-violet-600">New</p><button class="bg-red-500 text-white">Go</button></main>'
    )["extracted_patterns"]
    issues = {i["value"]: i for i in check_consistency(patterns, system["tokens"]) if i["kind"] == "color"}
    violet, red_500 = issues["#7C3AED"], issues["#EF4444"]
    for issue in (violet, red_500):
        assert issue["verdict"] == "new_color" and issue["suggestion"] is None
        assert "no token is close (none within ΔE2000 3)" in issue["message"] and "add one" in issue["message"]
        assert f"or use {issue['alternative']['token']} " in issue["message"]
    assert red_500["alternative"]["token"] == "colors.primary"  # red-500 is a shade away from red-600: 7.64
    assert red_500["alternative"]["distance"] == 7.64 and red_500["alternative"]["tailwind_class"] == "bg-primary"
    text_tokens = {f"colors.{n}" for n, t in system["tokens"]["colors"].items() if "text" in t["contexts"]}
    assert violet["alternative"]["token"] in text_tokens and violet["alternative"]["tailwind_class"].startswith("text-")


def test_a_slip_within_the_threshold_is_a_suggestion(system):
    patterns = extract_mockup('<p style="color: #D93636">Slip</p>')["extracted_patterns"]
    (issue,) = [i for i in check_consistency(patterns, system["tokens"]) if i["kind"] == "color"]
    assert issue["verdict"] == "near_token" and issue["alternative"] is None
    assert issue["suggestion"]["token"] == "colors.primary" and issue["suggestion"]["distance"] == 2.92
    assert issue["message"] == (
        "#D93636 is not in the palette but is close to colors.primary (#DC2626): "
        "ΔE2000 2.92, within 3. Use colors.primary."
    )


ROLES = ("primary", "on-primary", "background", "surface", "text", "text-muted", "border")


def _roles(html_pages: list[str]) -> dict:
    mockups = [
        {"page": f"p{i}", "extracted_patterns": extract_mockup(html)["extracted_patterns"]}
        for i, html in enumerate(html_pages)
    ]
    colors = emerge_design_system(mockups, {}, None)["tokens"]["colors"]
    return {role: colors[role]["value"] for role in ROLES if role in colors}


def test_role_names_follow_what_each_colour_does_on_every_example_page(mockups):
    """Each page alone and the project together: white button text is on-primary (never
    text-muted), the hover shade is not primary, the off-palette red is not primary."""
    expected = {
        "primary": "#DC2626",
        "on-primary": "#FFFFFF",
        "background": "#F8FAFC",
        "surface": "#FFFFFF",
        "text": "#0F172A",
        "text-muted": "#475569",
        "border": "#E2E8F0",
    }
    for subset in [[m] for m in mockups] + [mockups]:
        colors = emerge_design_system(subset, {}, None)["tokens"]["colors"]
        assert {role: colors[role]["value"] for role in ROLES} == expected, subset[0]["page"]


def test_white_button_text_is_on_primary_when_the_surface_is_not_white():
    page = """<body class="bg-slate-100 text-slate-900"><section class="bg-slate-200 p-4">
      <h1 class="text-slate-900">Lessons</h1><p class="text-slate-500">Updated today</p>
      <button class="bg-blue-600 text-white">Save</button><button class="bg-blue-600 text-white">Share</button>
      <a class="bg-blue-600 text-white" href="#">New</a><button class="bg-blue-600 text-white">Copy</button>
    </section></body>"""
    roles = _roles([page, page])
    assert roles["on-primary"] == "#FFFFFF" and roles["text-muted"] == "#64748B"
    assert roles["primary"] == "#2563EB" and roles["text"] == "#0F172A"


def test_dark_theme_roles():
    """On a dark page: light text, muted text between it and the page, dark text on a yellow
    primary (the on-primary that reads on it)."""
    page = """<body class="bg-slate-900 text-slate-100"><div class="card bg-slate-800 p-4">
      <h1 class="text-slate-100">Stats</h1><p class="text-slate-400">Last 7 days</p><p class="text-slate-400">Views</p>
      <button class="bg-yellow-400 text-slate-900">Export</button><button class="bg-yellow-400 text-slate-900">Share</button>
    </div></body>"""
    roles = _roles([page, page])
    assert roles["background"] == "#0F172A" and roles["surface"] == "#1E293B" and roles["text"] == "#F1F5F9"
    assert roles["primary"] == "#FACC15" and roles["on-primary"] == "#0F172A" and roles["text-muted"] == "#94A3B8"
