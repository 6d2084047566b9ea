"""The JSON an extraction is stored as (its typed shape: `MockupExtraction`, whose
`extracted_patterns` is `ExtractedPatterns`), built from what it accumulated; and what changed
between two versions' patterns."""

from __future__ import annotations

from collections import Counter
from typing import Any, NotRequired, TypedDict, TypeVar, cast

import tinycss2

from flexos_mcp.analysis import tailwind_data
from flexos_mcp.analysis.color_pairs import ColorPair
from flexos_mcp.analysis.css_values import (
    color_of_token,
    infer_base_unit,
    significant,
)
from flexos_mcp.analysis.css_values import (
    resolve_vars as _resolve_vars,
)

from .records import MAX_CLASS_SETS, MAX_COLORS, MAX_SOURCES, MAX_VARIABLES, Extraction


class ColorEntry(TypedDict):
    count: int  # uses (elements, rules, declarations) of the colour
    contexts: list[str]  # what it paints: text, background, border, shadow, button, ...
    sources: list[str]  # first classes or selectors that use it (at most MAX_SOURCES)


class ComponentEntry(TypedDict):
    count: int
    class_sets: list[str]  # most used class strings of the component (at most MAX_CLASS_SETS)
    variants: list[str]  # primary, secondary, danger, ...
    states: list[str]  # hover, focus, disabled, ...
    background_colors: list[str]


class ShadowEntry(TypedDict):
    count: int
    sources: list[str]


class SpacingAnalysis(TypedDict):
    """css_values.infer_base_unit, and the uses of each px value."""

    base_unit: int | None
    consistent: bool
    coverage: float
    values: list[int]
    scale: list[int]
    counts: dict[str, int]  # "16" -> uses of 16px


class Fonts(TypedDict):
    families: dict[str, int]  # first family of a stack -> uses
    stacks: dict[str, int]
    sizes: dict[str, int]  # "16px" -> uses
    weights: dict[str, int]  # "600" -> uses


class ExtractedPatterns(TypedDict):
    """`mockups.extracted_patterns`: the seed's keys (`colors_used`, `components_detected`,
    `spacing_analysis`) and the tables behind them."""

    colors_used: list[str]  # the keys of `colors`, most used first
    components_detected: list[str]  # the keys of `components`, most used first
    spacing_analysis: SpacingAnalysis
    colors: dict[str, ColorEntry]  # "#DC2626" -> its use
    fonts: Fonts
    radii: dict[str, int]  # "8px" -> uses
    shadows: dict[str, ShadowEntry]
    components: dict[str, ComponentEntry]
    css_variables: dict[str, str]  # "--brand" -> its resolved value
    states: dict[str, int]  # "hover" -> uses
    color_pairs: list[ColorPair]  # text on background, most used first


class Breakpoint(TypedDict, total=False):
    min: int
    max: int
    layout: str  # single-column, two-column, ...


class MediaQuery(TypedDict, total=False):
    min: int
    max: int
    rules: int


class ResponsiveRules(TypedDict, total=False):
    """`mockups.responsive_rules`: only what the page has."""

    breakpoints: dict[str, Breakpoint]
    media_queries: list[MediaQuery]
    tailwind_prefixes: dict[str, int]
    color_schemes: list[str]


class Interaction(TypedDict):
    trigger: str  # click, submit, change, ...
    selector: str
    action: str
    transition: NotRequired[str]
    target: NotRequired[str]
    label: NotRequired[str]


class MockupExtraction(TypedDict):
    extracted_patterns: ExtractedPatterns
    responsive_rules: ResponsiveRules
    interactions: list[Interaction]


_LAYOUT_NAMES = {1: "single-column", 2: "two-column", 3: "three-column", 4: "four-column"}
_RANGE_NAMES = ("mobile", "tablet", "laptop", "desktop", "wide")


K = TypeVar("K")  # a counted key


def _ranked(counter: Counter[K]) -> list[K]:
    return [key for key, _ in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _breakpoints(found: Extraction) -> dict[str, Any]:
    """Name the width ranges that media queries and Tailwind prefixes cut the viewport into,
    with the grid layout most specific to each range."""
    cuts: set[int] = set()
    for low, high in found.media:
        if low:
            cuts.add(int(low))
        if high is not None:
            cuts.add(int(high) + 1)
    cuts.update(tailwind_data.SCREENS_PX[s] for s in found.screen_prefixes)
    merged: list[int] = []
    for cut in sorted(cuts):
        if not merged or cut - merged[-1] > 2:
            merged.append(cut)
    if not merged:
        return {}
    names = list(_RANGE_NAMES[: len(merged) + 1])
    if len(merged) == 1:
        names = ["mobile", "desktop"]
    elif len(merged) == 2:
        names = ["mobile", "tablet", "desktop"]
    names += [f"wide-{i}" for i in range(2, len(merged) + 3 - len(names))]
    result: dict[str, dict[str, Any]] = {}
    for index, name in enumerate(names[: len(merged) + 1]):
        low = merged[index - 1] if index else 0
        high = merged[index] - 1 if index < len(merged) else None
        entry: dict[str, Any] = {}
        if index:
            entry["min"] = low
        if high is not None:
            entry["max"] = high
        layout = _layout_for(found.layouts, low, high)
        if layout:
            entry["layout"] = layout
        result[name] = entry
    return result


def _layout_for(layouts: list[tuple[float, float | None, int]], low: int, high: int | None) -> str | None:
    """Column count of the most specific grid rules that cover the range [low, high]."""
    applicable = [
        (lo, hi, c) for lo, hi, c in layouts if lo <= low + 2 and (hi is None or (high is not None and hi >= high - 2))
    ]
    if not applicable:
        return None
    best = max(applicable, key=lambda item: (item[0], -(item[1] if item[1] is not None else 1e9)))
    columns = Counter(c for lo, hi, c in applicable if (lo, hi) == best[:2])
    count = max(columns.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return _LAYOUT_NAMES.get(count, f"{count}-column")


def _color_table(found: Extraction) -> dict[str, ColorEntry]:
    ranked = sorted(found.colors.items(), key=lambda kv: (-kv[1].count, kv[0]))[:MAX_COLORS]
    return {
        hex_color: {
            "count": use.count,
            "contexts": sorted(use.contexts),
            "sources": sorted(use.sources)[:MAX_SOURCES],
        }
        for hex_color, use in ranked
    }


def _component_table(found: Extraction) -> dict[str, ComponentEntry]:
    return {
        name: {
            "count": use.count,
            "class_sets": [
                c for c, _ in sorted(use.class_sets.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CLASS_SETS]
            ],
            "variants": sorted(use.variants),
            "states": sorted(use.states),
            "background_colors": _ranked(use.backgrounds)[:MAX_SOURCES],
        }
        for name, use in sorted(found.components.items())
    }


def _variable_table(found: Extraction) -> dict[str, str]:
    table: dict[str, str] = {}
    for name in sorted(found.variables)[:MAX_VARIABLES]:
        tokens = _resolve_vars(found.variables[name], found.variables)
        parts = significant(tokens)
        color = color_of_token(parts[0]) if len(parts) == 1 else None
        table[name] = color or tinycss2.serialize(tokens).strip()
    return table


def extracted_patterns_of(found: Extraction, color_pairs: list[ColorPair]) -> ExtractedPatterns:
    """`extracted_patterns`: ranked and sorted tables of what the page uses."""
    spacing = cast(
        SpacingAnalysis,
        {
            **infer_base_unit(found.spacing),
            "counts": {str(v): found.spacing[v] for v in sorted(found.spacing) if v > 0},
        },
    )
    colors = _color_table(found)
    components = _component_table(found)
    return {
        "colors_used": list(colors),
        "components_detected": sorted(components, key=lambda n: (-components[n]["count"], n)),
        "spacing_analysis": spacing,
        "colors": colors,
        "fonts": {
            "families": dict(sorted(found.families.items())),
            "stacks": dict(sorted(found.stacks.items())),
            "sizes": dict(sorted(found.sizes.items(), key=lambda kv: float(kv[0][:-2]))),
            "weights": {str(w): c for w, c in sorted(found.weights.items())},
        },
        "radii": dict(sorted(found.radii.items(), key=lambda kv: float(kv[0][:-2]))),
        "shadows": {
            value: {"count": use.count, "sources": sorted(use.sources)[:MAX_SOURCES]}
            for value, use in sorted(found.shadows.items())
        },
        "components": components,
        "css_variables": _variable_table(found),
        "states": dict(sorted(found.states.items())),
        "color_pairs": color_pairs,
    }


def responsive_rules_of(found: Extraction) -> ResponsiveRules:
    """`responsive_rules`: named breakpoints, media queries, Tailwind prefixes, colour schemes."""
    responsive: ResponsiveRules = {}
    breakpoints = _breakpoints(found)
    if breakpoints:
        responsive["breakpoints"] = breakpoints
    if found.media:
        responsive["media_queries"] = [
            {**({"min": int(low)} if low else {}), **({"max": int(high)} if high is not None else {}), "rules": count}
            for (low, high), count in sorted(found.media.items(), key=lambda kv: (kv[0][0], kv[0][1] or 1e9))
        ]
    if found.screen_prefixes:
        responsive["tailwind_prefixes"] = {
            s: found.screen_prefixes[s] for s in tailwind_data.SCREENS_PX if s in found.screen_prefixes
        }
    if found.color_schemes:
        responsive["color_schemes"] = sorted(found.color_schemes)
    return responsive


def _key_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_keys, new_keys = set(old), set(new)
    return {"added": sorted(new_keys - old_keys), "removed": sorted(old_keys - new_keys)}


def diff_patterns(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two mockup versions' `extracted_patterns`: colours, fonts, sizes,
    radii, shadows and components added and removed, component counts and the spacing base."""

    def table(patterns: dict[str, Any], *path: str) -> dict[str, Any]:
        value = patterns or {}
        for key in path:
            value = value.get(key) or {}
        return value if isinstance(value, dict) else {}

    old_colors, new_colors = table(old, "colors"), table(new, "colors")
    old_components, new_components = table(old, "components"), table(new, "components")
    count_changes = {
        name: {"old": old_components[name].get("count"), "new": new_components[name].get("count")}
        for name in sorted(set(old_components) & set(new_components))
        if old_components[name].get("count") != new_components[name].get("count")
    }
    old_base = table(old, "spacing_analysis").get("base_unit")
    new_base = table(new, "spacing_analysis").get("base_unit")
    result: dict[str, Any] = {
        "colors": _key_diff(old_colors, new_colors),
        "fonts": _key_diff(table(old, "fonts", "families"), table(new, "fonts", "families")),
        "font_sizes": _key_diff(table(old, "fonts", "sizes"), table(new, "fonts", "sizes")),
        "radii": _key_diff(table(old, "radii"), table(new, "radii")),
        "shadows": _key_diff(table(old, "shadows"), table(new, "shadows")),
        "components": {**_key_diff(old_components, new_components), "count_changed": count_changes},
        "spacing": {
            **_key_diff(table(old, "spacing_analysis", "counts"), table(new, "spacing_analysis", "counts")),
            "base_unit": {"old": old_base, "new": new_base},
        },
    }
    result["spacing"]["added"] = sorted(int(v) for v in result["spacing"]["added"])
    result["spacing"]["removed"] = sorted(int(v) for v in result["spacing"]["removed"])
    result["changed"] = (
        any(part.get("added") or part.get("removed") for part in result.values() if isinstance(part, dict))
        or bool(count_changes)
        or old_base != new_base
    )
    return result
