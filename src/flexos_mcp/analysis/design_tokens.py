"""Design-system emergence: tokens that grow out of a project's current mockups.

`emerge_design_system` aggregates the `extracted_patterns` of every current mockup into tokens
(colours with meaningful names, spacing base and scale, typography, radii, shadows), component
patterns and confidence scores. What the user confirmed or prescribed always wins over what the
analysis finds, so re-running it after new mockups never undoes a decision.

How one mockup departs from the tokens is `token_consistency`; the exports (DTCG, CSS
variables, Tailwind theme) are `token_exports`. Both name tokens through the references kept
here (`resolve_color`, `css_var`).

Token shape (the seed's, extended):
    {"colors": {"primary": {"value": "#DC2626", "ref": "red-600", "usage_count": 47,
                            "contexts": ["background", "button"], "pages": [...], "confidence": 0.9},
                "red-600": {"value": "#DC2626", ...}},
     "spacing": {"base": {"value": "8px", "confidence": 0.9}, "scale": [8, 16, 24],
                 "steps": {"xs": "8px", "sm": "16px", "md": "24px"}},
     "typography": {"font_family": "Inter", "font_stack": ["Inter", "sans-serif"],
                    "sizes": {"base": "16px"}, "weights": {"semibold": 600}},
     "radii": {"lg": {"value": "8px", "usage_count": 12}},
     "shadows": {"md": {"value": "0 4px 6px -1px #0000001A, ...", "usage_count": 3}}}

User confirmations are keyed by token path: `{"colors.primary": {"value": "#DC2626",
"confirmed_at": "2025-05-01T10:00:00Z"}}`; a colour may instead name another token,
`{"ref": "colors.red-600"}`. Non-token leaves take the raw value: `{"spacing.scale":
{"value": [8, 16, 24]}}`, `{"typography.font_family": {"value": "Inter"}}`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flexos_mcp.analysis import tailwind_data
from flexos_mcp.analysis.contrast import AA_LARGE, contrast_ratio
from flexos_mcp.analysis.css_values import (
    delta_e,
    infer_base_unit,
    is_neutral,
    lightness,
    normalize_color,
    opaque,
    parse_length,
)

K = TypeVar("K")  # a counted key: a colour, a font family, a spacing value in px

MAX_COLOR_TOKENS = 48
MAX_SCALE_STEPS = 12
MIN_SHARE = 0.02
NEAR_PALETTE_DELTA_E = 2.0
# A colour off the palette is "close" to a token within this CIEDE2000 distance: a slip of the
# same colour (side by side, most people can barely tell them apart), so the check suggests the
# token. Adjacent Tailwind shades (red-500/red-600, slate-200/slate-300) are 4.8 or more apart:
# a different shade is a design decision, and beyond this the check suggests no token.
CLOSE_TOKEN_DELTA_E = 3.0
BASE_CLASS_SHARE = 0.5

GENERIC_FAMILIES = frozenset(
    "serif sans-serif monospace cursive fantasy system-ui ui-sans-serif ui-serif ui-monospace "
    "ui-rounded math emoji fangsong -apple-system blinkmacsystemfont".split()
)
_STEP_NAMES = ("xs", "sm", "md", "lg", "xl", "2xl", "3xl", "4xl", "5xl", "6xl", "7xl", "8xl")
_SIZE_NAMES = {round(px): name for name, px in tailwind_data.FONT_SIZE_PX.items()}
_RADIUS_NAMES = {
    round(px): ("default" if name == "DEFAULT" else name) for name, px in tailwind_data.RADIUS_PX.items() if px
}
_WEIGHT_NAMES = {weight: name for name, weight in tailwind_data.FONT_WEIGHTS.items()}
_PALETTE_NAMES: dict[str, str] = {
    **{
        hex_value.upper(): f"{family}-{shade}"
        for family, shades in tailwind_data.PALETTE.items()
        for shade, hex_value in shades.items()
    },
    **{hex_value.upper(): name for name, hex_value in tailwind_data.SINGLE_COLORS.items()},
}
_SURFACE_CONTEXTS = ("card", "modal", "nav", "header", "sidebar", "table", "footer", "form", "list")
_ACTION_CONTEXTS = ("button", "link")
PAINT_CONTEXTS = frozenset(
    {"background", "text", "border", "outline", "ring", "fill", "stroke", "gradient", "accent", "caret", "decoration"}
)
_ROLE_ORDER = ("primary", "on-primary", "background", "surface", "text", "text-muted", "border")
_TOKEN_GROUPS = ("colors", "radii", "shadows")


# -- aggregation ----------------------------------------------------------------------------


# A token lists at most this many of the pages that use it (and how many there are in all), so a
# project of 1,000 pages does not turn every design-system read into hundreds of kilobytes.
MAX_LISTED_PAGES = 20


def listed_pages(pages: Iterable[str | None]) -> dict[str, Any]:
    """`{"pages": [first MAX_LISTED_PAGES slugs, sorted], "page_count": n}`."""
    known = sorted(p for p in pages if p is not None)
    return {"pages": known[:MAX_LISTED_PAGES], "page_count": len(known)}


def _page_threshold(page_count: int) -> int:
    """A value counts as part of the system when it recurs on this many pages."""
    return max(2, math.ceil(0.1 * page_count))


def _recurring(counts: Counter[K], pages: Mapping[K, set[str | None]], page_count: int) -> list[K]:
    """Keys used on enough pages or with enough share of all uses, most used first."""
    total = sum(counts.values()) or 1
    threshold = _page_threshold(page_count)
    kept = [key for key, count in counts.items() if len(pages[key]) >= threshold or count / total >= MIN_SHARE]
    return sorted(kept, key=lambda key: (-counts[key], str(key)))


def _aggregate_colors(
    mockups: list[dict[str, Any]],
) -> tuple[Counter[str], dict[str, Counter[str]], dict[str, set[str | None]], dict[str, set[str]]]:
    """Colour uses folded to opaque hex (opacity modifiers are uses of the same colour)."""
    counts: Counter[str] = Counter()
    contexts: dict[str, Counter[str]] = defaultdict(Counter)
    pages: dict[str, set[str | None]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    for mockup in mockups:
        patterns = mockup.get("extracted_patterns") or {}
        for hex_color, use in (patterns.get("colors") or {}).items():
            if (len(hex_color) == 9 and hex_color.endswith("00")) or paints_only_shadows(use):
                continue
            key = opaque(hex_color)
            count = int(use.get("count", 1))
            counts[key] += count
            for context in use.get("contexts", []):
                contexts[key][context] += count
            pages[key].add(mockup.get("page"))
            sources[key].update(use.get("sources", []))
    return counts, contexts, pages, sources


def _palette_name(hex_color: str, taken: set[str], accents: Iterable[int]) -> str:
    """Tailwind's name when the colour is (visually) a palette entry, else `accent-N`/`neutral-N`."""
    exact = _PALETTE_NAMES.get(hex_color)
    if exact and exact not in taken:
        return exact
    nearest = min(_PALETTE_NAMES, key=lambda candidate: (delta_e(hex_color, candidate), candidate))
    name = _PALETTE_NAMES[nearest]
    if name not in taken and delta_e(hex_color, nearest) <= NEAR_PALETTE_DELTA_E:
        return name
    prefix = "neutral" if is_neutral(hex_color) else "accent"
    return next(f"{prefix}-{n}" for n in accents if f"{prefix}-{n}" not in taken)


def _pick(candidates: list[str], score: Callable[[str], float], exclude: set[str]) -> tuple[str | None, float]:
    """Best candidate by score, with its share of all candidates' scores. Ties go to a colour of
    the Tailwind palette (a deliberate choice more often than a hand-picked hex), then lexical."""
    scored = [(score(c), c) for c in candidates if c not in exclude and score(c) > 0]
    if not scored:
        return None, 0.0
    total = sum(s for s, _ in scored)
    best_score, best = max(scored, key=lambda item: (item[0], item[1] in _PALETTE_NAMES, [-ord(ch) for ch in item[1]]))
    return best, best_score / total


_STATE_CONTEXTS = ("hover", "focus", "active")
# Muted text differs from the background by at least this much OKLCh lightness: closer than
# that it is decoration (a faint watermark), not text meant to be read.
_MIN_TEXT_LIGHTNESS_GAP = 0.15


def _color_roles(
    included: list[str], contexts: dict[str, Counter[str]], counts: Counter[str]
) -> dict[str, tuple[str, float]]:
    """Semantic roles, each (hex, share of its role's uses), named for what the colour does:

    - primary: the colourful action colour (buttons, links), never a colour seen only in a hover,
      focus or active state (that is the primary's state shade);
    - background (the page), surface (cards, panels: any other neutral background), text;
    - on-primary: the text colour that reads on primary (the most contrasting neutral used as
      text in buttons or links, WCAG >= 3:1), e.g. white button text;
    - text-muted: secondary text, a neutral on the same side of the background as text but
      closer to it: never the text on buttons, which is on-primary;
    - border."""
    roles: dict[str, tuple[str, float]] = {}
    saturated = [c for c in included if not is_neutral(c)]
    neutrals = [c for c in included if is_neutral(c)]

    def state_only(c: str) -> bool:
        return max(contexts[c][state] for state in _STATE_CONTEXTS) >= counts[c]

    actions = [c for c in saturated if not state_only(c)] or saturated
    primary, share = _pick(actions, lambda c: sum(contexts[c][k] for k in _ACTION_CONTEXTS), set())
    if primary is None:
        primary, share = _pick(actions, lambda c: sum(contexts[c].values()), set())
    if primary:
        roles["primary"] = (primary, share)
    background, share = _pick(neutrals, lambda c: contexts[c]["page"] if contexts[c]["background"] else 0, set())
    if background is None:
        background, share = _pick(neutrals, lambda c: contexts[c]["background"] * (1 + lightness(c)), set())
    if background:
        roles["background"] = (background, share)
    used = {background} if background else set()
    surface, share = _pick(
        neutrals,
        lambda c: sum(contexts[c][k] for k in _SURFACE_CONTEXTS) if contexts[c]["background"] else 0,
        used,
    )
    if surface is None:  # panels without a component name: another neutral painted behind content
        surface, share = _pick(neutrals, lambda c: 0 if state_only(c) else contexts[c]["background"], used)
    if surface:
        roles["surface"] = (surface, share)
        used.add(surface)
    text, share = _pick(neutrals, lambda c: contexts[c]["page"] if contexts[c]["text"] else 0, used)
    if text is None:
        text, share = _pick(neutrals, lambda c: contexts[c]["text"], used)
    if primary:

        def reads_on_primary(c: str) -> float:
            if not contexts[c]["text"] or not any(contexts[c][k] for k in _ACTION_CONTEXTS):
                return 0.0
            ratio = contrast_ratio(c, primary)
            return ratio if ratio >= AA_LARGE else 0.0

        on_primary, on_share = _pick(neutrals, reads_on_primary, set())
        if on_primary:
            roles["on-primary"] = (on_primary, on_share)
    if text:
        roles["text"] = (text, share)
        ground = lightness(background or surface or "#FFFFFF")
        gap = lightness(text) - ground

        def muted_score(c: str) -> int:
            own = lightness(c) - ground
            same_side = own * gap > 0 and _MIN_TEXT_LIGHTNESS_GAP <= abs(own) < abs(gap)
            return contexts[c]["text"] if same_side else 0

        muted, muted_share = _pick(neutrals, muted_score, used | {text})
        if muted:
            roles["text-muted"] = (muted, muted_share)
    border, share = _pick(neutrals or included, lambda c: contexts[c]["border"], set())
    if border:
        roles["border"] = (border, share)
    return roles


def _emerge_colors(mockups: list[dict[str, Any]], confidence: dict[str, Any]) -> dict[str, Any]:
    counts, contexts, pages, _sources = _aggregate_colors(mockups)
    page_count = max(1, len(mockups))
    included = _recurring(counts, pages, page_count)[:MAX_COLOR_TOKENS]
    roles = _color_roles(included, contexts, counts)
    role_values = {hex_color for hex_color, _ in roles.values()}
    included = sorted(set(included) | role_values, key=lambda c: (-counts[c], c))
    average = sum(counts[c] for c in included) / max(1, len(included))

    def entry(hex_color: str, dominance: float) -> tuple[dict[str, Any], float]:
        score = round(0.5 * len(pages[hex_color]) / page_count + 0.5 * min(1.0, dominance), 2)
        return {
            "value": hex_color,
            "usage_count": counts[hex_color],
            "contexts": sorted(contexts[hex_color]),
            **listed_pages(pages[hex_color]),
            "confidence": score,
        }, score

    colors: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    taken = set(_ROLE_ORDER)
    for hex_color in included:
        name = _palette_name(hex_color, taken, range(1, MAX_COLOR_TOKENS + 2))
        taken.add(name)
        names[hex_color] = name
        colors[name], confidence[f"colors.{name}"] = entry(hex_color, counts[hex_color] / average)
    for role in _ROLE_ORDER:
        if role in roles:
            hex_color, share = roles[role]
            token, confidence[f"colors.{role}"] = entry(hex_color, share)
            colors[role] = {
                "value": hex_color,
                "ref": names[hex_color],
                **{k: v for k, v in token.items() if k != "value"},
            }
    ordered = [r for r in _ROLE_ORDER if r in colors] + sorted(
        (n for n in colors if n not in _ROLE_ORDER), key=lambda n: (-colors[n]["usage_count"], n)
    )
    return {name: colors[name] for name in ordered}


def _emerge_spacing(mockups: list[dict[str, Any]], confidence: dict[str, Any]) -> dict[str, Any]:
    counts: Counter[int] = Counter()
    pages: dict[int, set[str | None]] = defaultdict(set)
    page_bases: list[int] = []
    for mockup in mockups:
        analysis = (mockup.get("extracted_patterns") or {}).get("spacing_analysis") or {}
        table = analysis.get("counts") or {str(v): 1 for v in analysis.get("values", [])}
        for value, count in table.items():
            counts[int(value)] += int(count)
            pages[int(value)].add(mockup.get("page"))
        if analysis.get("base_unit"):
            page_bases.append(int(analysis["base_unit"]))
    inferred = infer_base_unit(counts)
    base = inferred["base_unit"]
    if base is None:
        return {}
    agreement = sum(1 for b in page_bases if b % base == 0) / len(page_bases) if page_bases else 0.0
    score = round(0.5 * inferred["coverage"] + 0.5 * agreement, 2)
    confidence["spacing.base"] = score
    scale = sorted(v for v in _recurring(counts, pages, max(1, len(mockups))) if v % base == 0)
    scale = scale[:MAX_SCALE_STEPS]
    confidence["spacing.scale"] = score
    return {
        "base": {"value": f"{base}px", "confidence": score},
        "scale": scale,
        "steps": {_STEP_NAMES[i]: f"{v}px" for i, v in enumerate(scale)},
    }


def _emerge_typography(mockups: list[dict[str, Any]], confidence: dict[str, Any]) -> dict[str, Any]:
    families: Counter[str] = Counter()
    stacks: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    weights: Counter[int] = Counter()
    family_pages: dict[str, set[str | None]] = defaultdict(set)
    size_pages: dict[str, set[str | None]] = defaultdict(set)
    for mockup in mockups:
        fonts = (mockup.get("extracted_patterns") or {}).get("fonts") or {}
        for family, count in (fonts.get("families") or {}).items():
            families[family] += count
            family_pages[family].add(mockup.get("page"))
        stacks.update(fonts.get("stacks") or {})
        for size, count in (fonts.get("sizes") or {}).items():
            sizes[size] += count
            size_pages[size].add(mockup.get("page"))
        weights.update({int(w): c for w, c in (fonts.get("weights") or {}).items()})
    typography: dict[str, Any] = {}
    if families:
        specific = [f for f in families if f.lower() not in GENERIC_FAMILIES]
        pool = specific or list(families)
        family = max(pool, key=lambda f: (families[f], [-ord(ch) for ch in f]))
        typography["font_family"] = family
        matching = [s for s in stacks if s.split(", ")[0] == family]
        stack = max(matching, key=lambda s: (stacks[s], s)) if matching else family
        typography["font_stack"] = stack.split(", ")
        confidence["typography.font_family"] = round(
            0.5 * families[family] / sum(families[f] for f in pool)
            + 0.5 * len(family_pages[family]) / max(1, len(mockups)),
            2,
        )
    kept_sizes = sorted(_recurring(sizes, size_pages, max(1, len(mockups))), key=lambda s: float(s[:-2]))
    if kept_sizes:
        typography["sizes"] = {_SIZE_NAMES.get(round(float(s[:-2])), f"size-{s[:-2]}"): s for s in kept_sizes}
    if weights:
        typography["weights"] = {_WEIGHT_NAMES.get(w, f"w{w}"): w for w in sorted(weights)}
    return typography


def _emerge_radii(mockups: list[dict[str, Any]], confidence: dict[str, Any]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    pages: dict[str, set[str | None]] = defaultdict(set)
    for mockup in mockups:
        for radius, count in ((mockup.get("extracted_patterns") or {}).get("radii") or {}).items():
            if parse_length(radius):
                counts[radius] += count
                pages[radius].add(mockup.get("page"))
    radii: dict[str, dict[str, Any]] = {}
    for radius in sorted(_recurring(counts, pages, max(1, len(mockups))), key=lambda r: float(r[:-2])):
        px = round(float(radius[:-2]))
        name = _RADIUS_NAMES.get(px) or f"r-{radius[:-2]}"
        radii[name] = {"value": radius, "usage_count": counts[radius], **listed_pages(pages[radius])}
        confidence[f"radii.{name}"] = round(len(pages[radius]) / max(1, len(mockups)), 2)
    return radii


def _emerge_shadows(mockups: list[dict[str, Any]], confidence: dict[str, Any]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    pages: dict[str, set[str | None]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    for mockup in mockups:
        for value, use in ((mockup.get("extracted_patterns") or {}).get("shadows") or {}).items():
            counts[value] += int(use.get("count", 1))
            pages[value].add(mockup.get("page"))
            sources[value].update(use.get("sources", []))
    shadows: dict[str, dict[str, Any]] = {}
    for index, value in enumerate(_recurring(counts, pages, max(1, len(mockups))), start=1):
        tailwind = sorted(s.removeprefix("tailwind:shadow") for s in sources[value] if s.startswith("tailwind:shadow"))
        name = (tailwind[0].lstrip("-") or "default") if tailwind else f"elevation-{index}"
        if name in shadows:
            name = f"elevation-{index}"
        shadows[name] = {"value": value, "usage_count": counts[value], **listed_pages(pages[value])}
        confidence[f"shadows.{name}"] = round(len(pages[value]) / max(1, len(mockups)), 2)
    return shadows


def _is_shared(uses: int, set_count: int) -> bool:
    """A class is a component's base when more than half its class sets carry it (all of one)."""
    return uses > BASE_CLASS_SHARE * set_count or set_count == 1


def paints_only_shadows(use: dict[str, Any]) -> bool:
    """Shadow colours belong to shadow tokens, not to the colour palette."""
    contexts = set(use.get("contexts") or ())
    return "shadow" in contexts and not contexts & PAINT_CONTEXTS


def _emerge_components(mockups: list[dict[str, Any]], colors: dict[str, Any]) -> dict[str, Any]:
    """Per component: classes most of its instances share, variants (named modifiers and the
    colour tokens of its backgrounds) and interaction states."""
    value_names: dict[str, str] = {}
    for name, token in reversed(list(colors.items())):
        value_names[token["value"]] = name
    merged: dict[str, dict[str, Any]] = {}
    for mockup in mockups:
        for name, use in ((mockup.get("extracted_patterns") or {}).get("components") or {}).items():
            item = merged.setdefault(
                name, {"count": 0, "pages": set(), "sets": Counter(), "variants": set(), "states": set()}
            )
            item["count"] += int(use.get("count", 0))
            item["pages"].add(mockup.get("page"))
            item["sets"].update(use.get("class_sets", []))
            item["variants"].update(use.get("variants", []))
            item["variants"].update(
                value_names[opaque(c)] for c in use.get("background_colors", []) if opaque(c) in value_names
            )
            item["states"].update(use.get("states", []))
    patterns: dict[str, dict[str, Any]] = {}
    for name in sorted(merged):
        item = merged[name]
        sets = [s for s, _ in sorted(item["sets"].items(), key=lambda kv: (-kv[1], kv[0]))]
        class_counts = Counter(c for s in sets for c in dict.fromkeys(s.split()))
        order = {c: i for i, c in enumerate(c for s in sets for c in s.split())}
        base = sorted(
            (c for c, n in class_counts.items() if _is_shared(n, len(sets)) and ":" not in c),
            key=lambda c: order[c],
        )
        patterns[name] = {
            "base_classes": " ".join(base),
            "variants": sorted(item["variants"]),
            "states": sorted(item["states"]),
            "usage_count": item["count"],
            **listed_pages(item["pages"]),
            "class_sets": sets[:3],
        }
    return patterns


# -- user decisions ----------------------------------------------------------------------------


def _set_path(tokens: dict[str, Any], path: str, value: object) -> None:
    keys = path.split(".")
    target = tokens
    for key in keys[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[keys[-1]] = value


def _is_token_path(path: str) -> bool:
    group = path.split(".", 1)[0]
    return (group in _TOKEN_GROUPS and path.count(".") == 1) or path == "spacing.base"


def _prescribed_paths(prescribed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Prescribed tokens (token-shaped) as path → {"value"| "ref"} decisions."""
    decisions: dict[str, dict[str, Any]] = {}

    def visit(prefix: str, node: object) -> None:
        if _is_token_path(prefix) or not isinstance(node, dict) or not node:
            spec = node if isinstance(node, dict) and ("value" in node or "ref" in node) else {"value": node}
            decisions[prefix] = spec
            return
        for key, child in node.items():
            visit(f"{prefix}.{key}" if prefix else key, child)

    visit("", prescribed or {})
    return decisions


def _apply_decisions(
    tokens: dict[str, Any], decisions: dict[str, dict[str, Any]], source: str, confidence: dict[str, Any]
) -> None:
    """Write decided tokens over emergent ones. A decided colour keeps the emergent usage data
    of the same value, so reports still show how much the mockups use it."""
    for path in sorted(decisions):
        spec = decisions[path] if isinstance(decisions[path], dict) else {"value": decisions[path]}
        confidence[path] = 1.0
        if not _is_token_path(path):
            _set_path(tokens, path, spec.get("value"))
            continue
        group = path.split(".", 1)[0]
        token: dict[str, Any] = {"source": source, "confirmed": source == "user"}
        for key in ("confirmed_at", "note"):
            if key in spec:
                token[key] = spec[key]
        if "ref" in spec:
            ref = str(spec["ref"]).removeprefix("colors.") if group == "colors" else str(spec["ref"])
            token["ref"] = ref
            token["value"] = tokens.get(group, {}).get(ref, {}).get("value")
        else:
            value = spec.get("value")
            token["value"] = (normalize_color(str(value)) or value) if group == "colors" else value
        if group == "colors":
            same = next(
                (
                    t
                    for n, t in tokens.get("colors", {}).items()
                    if t.get("value") == token["value"] and n != path.split(".")[1]
                ),
                None,
            )
            if same:
                token.update({k: same[k] for k in ("usage_count", "contexts", "pages") if k in same})
        token["confidence"] = 1.0
        _set_path(tokens, path, token)


def emerge_design_system(
    mockups: list[dict[str, Any]], user_confirmations: dict[str, Any], prescribed_tokens: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Tokens, component patterns and confidence from the project's current mockups.

    `mockups` are `{"page": slug, "extracted_patterns": {...}}`. Prescribed tokens and then
    user confirmations (`{"colors.primary": {"value": "#DC2626", "confirmed_at": ...}}`) are
    applied last and never overwritten. `generation_method` is "hybrid" when tokens were
    prescribed, else "emergent". Confidence mixes a value's share of use with how many pages
    use it; decided tokens have confidence 1.0.
    """
    confidence: dict[str, float] = {}
    tokens: dict[str, Any] = {"colors": _emerge_colors(mockups, confidence)}
    spacing = _emerge_spacing(mockups, confidence)
    if spacing:
        tokens["spacing"] = spacing
    typography = _emerge_typography(mockups, confidence)
    if typography:
        tokens["typography"] = typography
    tokens["radii"] = _emerge_radii(mockups, confidence)
    tokens["shadows"] = _emerge_shadows(mockups, confidence)
    if prescribed_tokens:
        _apply_decisions(tokens, _prescribed_paths(prescribed_tokens), "prescribed", confidence)
    _apply_decisions(tokens, user_confirmations or {}, "user", confidence)
    return {
        "tokens": tokens,
        "component_patterns": _emerge_components(mockups, tokens["colors"]),
        "confidence_scores": dict(sorted(confidence.items())),
        "generation_method": "hybrid" if prescribed_tokens else "emergent",
    }


# -- references --------------------------------------------------------------------------------


def resolve_color(tokens: dict[str, Any], name: str) -> tuple[str | None, list[str]]:
    """Follow `ref`s from a colour token to its value: (value, ["colors.primary", "colors.red-600"])."""
    colors = tokens.get("colors") or {}
    chain: list[str] = []
    current = name
    while current in colors and f"colors.{current}" not in chain:
        chain.append(f"colors.{current}")
        token = colors[current]
        if token.get("ref") and token["ref"] in colors:
            current = token["ref"]
        else:
            return token.get("value"), chain
    return (colors.get(name) or {}).get("value"), chain


def css_var(path: str) -> str:
    """`colors.primary` → `var(--color-primary)`: the names `to_css_variables` and Style
    Dictionary both write."""
    return f"var(--{_css_name(path)})"


def _css_name(path: str) -> str:
    group, _, name = path.partition(".")
    prefix = {
        "colors": "color",
        "spacing.steps": "spacing",
        "spacing": "spacing",
        "typography.sizes": "font-size",
        "typography.weights": "font-weight",
        "typography": "font-family",
        "radii": "radius",
        "shadows": "shadow",
    }
    if group in ("spacing", "typography") and "." in name:
        sub, _, name = name.partition(".")
        return f"{prefix[f'{group}.{sub}']}-{name}"
    if path in ("typography.font_family", "typography.font_stack"):
        return "font-family-base"
    return f"{prefix[group]}-{name}"
