"""Consistency of one mockup with the design tokens: each departure (a colour off the palette,
spacing off the scale, a font family outside the stack, a font size or radius not in the tokens)
with which token to use instead, by name, resolved value, alias chain, CSS variable and Tailwind
class. One function per kind of check; `check_consistency` runs them all.
"""

from __future__ import annotations

from typing import Any

from flexos_mcp.analysis.css_values import (
    delta_e,
    opaque,
    parse_length,
    px_key,
)
from flexos_mcp.analysis.design_tokens import (
    CLOSE_TOKEN_DELTA_E,
    GENERIC_FAMILIES,
    PAINT_CONTEXTS,
    css_var,
    paints_only_shadows,
    resolve_color,
)

_KIND_ORDER = {"color": 0, "spacing": 1, "font_family": 2, "font_size": 3, "radius": 4}


_TAILWIND_COLOR_PREFIX = {
    "text": "text",
    "border": "border",
    "outline": "outline",
    "ring": "ring",
    "fill": "fill",
    "stroke": "stroke",
}


def _tailwind_color_class(name: str, contexts: list[str]) -> str:
    for context in contexts:
        if context in _TAILWIND_COLOR_PREFIX:
            return f"{_TAILWIND_COLOR_PREFIX[context]}-{name}"
        if context == "background":
            break
    return f"bg-{name}"


# -- consistency -------------------------------------------------------------------------------


def _lengths(named: dict[str, Any]) -> dict[str, float]:
    """The px value of each named length that parses (a step written as `"oops"` is no step)."""
    return {name: px for name, text in named.items() if (px := parse_length(text)) is not None}


def _nearest(value: float, options: dict[str, float]) -> tuple[str, float]:
    """The option closest to `value` (callers pass a non-empty `options`)."""
    name = min(options, key=lambda n: (abs(options[n] - value), options[n], n))
    return name, options[name]


def _color_suggestion(name: str, resolved: dict[str, Any], contexts: list[str], distance: float) -> dict[str, Any]:
    value, chain = resolved[name]
    return {
        "token": f"colors.{name}",
        "value": value,
        "alias_chain": chain,
        "css_var": css_var(f"colors.{name}"),
        "tailwind_class": _tailwind_color_class(name, contexts),
        "distance": round(distance, 2),
    }


def _color_issue(
    hex_color: str, use: dict[str, Any], colors: dict[str, Any], resolved: dict[str, Any]
) -> dict[str, Any]:
    """One off-palette colour. Within CLOSE_TOKEN_DELTA_E of a token: that token is the
    suggestion (role names first at equal distance). Beyond it: no suggestion; the message says
    to add a token or use the nearest token that plays the same part (text, background,
    border...), which is the `alternative`."""
    contexts = list(use.get("contexts", []))
    candidates = sorted((delta_e(hex_color, v), "ref" not in colors[n], n) for n, (v, _) in resolved.items() if v)
    distance, _, name = candidates[0]
    issue = {
        "kind": "color",
        "value": hex_color,
        "count": int(use.get("count", 1)),
        "contexts": contexts,
        "sources": list(use.get("sources", [])),
    }
    if distance <= CLOSE_TOKEN_DELTA_E:
        suggestion = _color_suggestion(name, resolved, contexts, distance)
        return {
            **issue,
            "verdict": "near_token",
            "suggestion": suggestion,
            "alternative": None,
            "message": f"{hex_color} is not in the palette but is close to colors.{name} ({suggestion['value']}): "
            f"ΔE2000 {distance:.2f}, within {CLOSE_TOKEN_DELTA_E:g}. Use colors.{name}.",
        }
    paints = set(contexts) & PAINT_CONTEXTS
    same_part = [c for c in candidates if paints & set(colors[c[2]].get("contexts") or ())]
    distance, _, name = (same_part or candidates)[0]
    alternative = _color_suggestion(name, resolved, contexts, distance)
    return {
        **issue,
        "verdict": "new_color",
        "suggestion": None,
        "alternative": alternative,
        "message": f"{hex_color} is not in the palette and no token is close (none within ΔE2000 "
        f"{CLOSE_TOKEN_DELTA_E:g}); add one (confirm_design_token with path colors.<name> and value "
        f"{hex_color}) or use colors.{name} ({alternative['value']}, ΔE2000 {distance:.2f}).",
    }


def check_consistency(extracted_patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Departures of one mockup from the design tokens, each with what to do about it, sorted by
    kind, then most used first. Each kind of check is one function of CHECKS."""
    patterns = extracted_patterns or {}
    issues = [issue for check in CHECKS for issue in check(patterns, tokens)]
    return sorted(issues, key=lambda i: (_KIND_ORDER[i["kind"]], -i["count"], str(i["value"])))


def color_issues(patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Colours not in the palette (opacity variants of a token are fine): a token within ΔE2000
    CLOSE_TOKEN_DELTA_E (3) is suggested; beyond it none is, and the issue says to add a token
    or use the nearest one of the same part."""
    colors = tokens.get("colors") or {}
    resolved = {name: resolve_color(tokens, name) for name in colors}
    palette = {value for value, _ in resolved.values() if value}
    issues = []
    for hex_color, use in (patterns.get("colors") or {}).items():
        if (
            (len(hex_color) == 9 and hex_color.endswith("00"))
            or paints_only_shadows(use)
            or opaque(hex_color) in palette
            or not palette
        ):
            continue
        issues.append(_color_issue(hex_color, use, colors, resolved))
    return issues


def spacing_issues(patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Spacing values off the scale, with the nearest step."""
    spacing = tokens.get("spacing") or {}
    steps = _lengths(spacing.get("steps") or {})
    issues = []
    spacing_counts = (patterns.get("spacing_analysis") or {}).get("counts") or {}
    for value_text, count in spacing_counts.items():
        value = float(value_text)
        if value in steps.values() or not steps:
            continue
        name, step = _nearest(value, steps)
        issues.append(
            _scale_issue(
                "spacing",
                px_key(value),
                count,
                f"spacing.steps.{name}",
                step,
                [f"p-{name}", f"m-{name}", f"gap-{name}"],
            )
        )
    return issues


def font_family_issues(patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Font families outside the stack (generic families are fine), once the design system
    has a font family."""
    typography = tokens.get("typography") or {}
    if not typography.get("font_family"):
        return []
    known_families = (
        {f.lower() for f in typography.get("font_stack", [])}
        | {str(typography.get("font_family", "")).lower()}
        | GENERIC_FAMILIES
    )
    issues = []
    for family, count in ((patterns.get("fonts") or {}).get("families") or {}).items():
        if family.lower() not in known_families:
            issues.append(
                {
                    "kind": "font_family",
                    "value": family,
                    "count": count,
                    "message": f"Font family {family!r} is not in the design system; use {typography['font_family']!r}.",
                    "suggestion": {
                        "token": "typography.font_family",
                        "value": typography["font_family"],
                        "alias_chain": ["typography.font_family"],
                        "css_var": css_var("typography.font_family"),
                        "tailwind_class": "font-sans",
                        "distance": None,
                    },
                }
            )
    return issues


def font_size_issues(patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Font sizes not in the tokens, with the nearest size."""
    sizes = _lengths((tokens.get("typography") or {}).get("sizes") or {})
    issues = []
    for size_text, count in ((patterns.get("fonts") or {}).get("sizes") or {}).items():
        value = parse_length(size_text)
        if value is None or value in sizes.values() or not sizes:
            continue
        name, step = _nearest(value, sizes)
        issues.append(_scale_issue("font_size", size_text, count, f"typography.sizes.{name}", step, [f"text-{name}"]))
    return issues


def radius_issues(patterns: dict[str, Any], tokens: dict[str, Any]) -> list[dict[str, Any]]:
    """Radii not in the tokens, with the nearest radius."""
    radii = _lengths({n: t["value"] for n, t in (tokens.get("radii") or {}).items() if t.get("value")})
    issues = []
    for radius_text, count in (patterns.get("radii") or {}).items():
        value = parse_length(radius_text)
        if not value or value in radii.values() or not radii:
            continue
        name, step = _nearest(value, radii)
        suffix = "" if name == "default" else f"-{name}"
        issues.append(_scale_issue("radius", radius_text, count, f"radii.{name}", step, [f"rounded{suffix}"]))
    return issues


CHECKS = (color_issues, spacing_issues, font_family_issues, font_size_issues, radius_issues)


def _scale_issue(kind: str, value: str, count: int, path: str, step: float, classes: list[str]) -> dict[str, Any]:
    step_text = px_key(step)
    px = parse_length(value)
    assert px is not None  # every caller parsed `value` before asking
    return {
        "kind": kind,
        "value": value,
        "count": int(count),
        "message": f"{value} is off the {kind.replace('_', ' ')} scale; nearest step {path} ({step_text}).",
        "suggestion": {
            "token": path,
            "value": step_text,
            "alias_chain": [path],
            "css_var": css_var(path),
            "tailwind_class": classes[0],
            "tailwind_classes": classes,
            "distance": round(abs(px - step), 2),
        },
    }
