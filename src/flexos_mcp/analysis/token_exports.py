"""Design tokens exported for real tooling: a DTCG file (Format Module 2025.10: colour objects,
`{value, unit}` dimensions, `$extensions["dev.flexos"]`) that builds with Style Dictionary 5 into
the same CSS variables `to_css_variables` writes, and a Tailwind theme that uses those variables.
"""

from __future__ import annotations

import json
from typing import Any

from flexos_mcp.analysis.css_values import (
    parse_length,
    shadow_layers,
)
from flexos_mcp.analysis.design_tokens import css_var, resolve_color

# -- exports -----------------------------------------------------------------------------------


DTCG_VERSION = "2025.10"
EXTENSION_KEY = "dev.flexos"
"""Our `$extensions` key: reverse-domain form, as the DTCG format asks of vendor data."""

_DTCG_UNITS = ("px", "rem")


def _flexos_extension(token: dict[str, Any]) -> dict[str, Any]:
    data = {
        k: token[k]
        for k in ("usage_count", "contexts", "pages", "page_count", "confidence", "source", "confirmed")
        if k in token
    }
    return {"$extensions": {EXTENSION_KEY: data}} if data else {}


def dtcg_color(hex_color: str) -> dict[str, Any]:
    """`#DC2626` (or `#RRGGBBAA`) as a DTCG 2025.10 colour: sRGB components 0..1 (four decimals,
    enough to round-trip 8-bit channels), `alpha` only when not opaque, and the 6-digit `hex`
    fallback the format allows."""
    channels = [int(hex_color[i : i + 2], 16) for i in range(1, len(hex_color), 2)]
    color: dict[str, Any] = {"colorSpace": "srgb", "components": [round(c / 255, 4) for c in channels[:3]]}
    if len(channels) == 4 and channels[3] != 255:
        color["alpha"] = round(channels[3] / 255, 4)
    color["hex"] = hex_color[:7].lower()
    return color


def dtcg_dimension(text: str) -> dict[str, Any] | None:
    """`"8px"` → `{"value": 8, "unit": "px"}` (px and rem as written; other lengths in px, the
    only other unit the format has), None when `text` is not a length."""
    stripped = str(text).strip().lower()
    for unit in _DTCG_UNITS:
        number = stripped.removesuffix(unit)
        if number != stripped:
            try:
                value = float(number)
            except ValueError:
                break
            return {"value": int(value) if value.is_integer() else value, "unit": unit}
    px = parse_length(stripped)
    if px is None:
        return None
    value = round(px, 4)
    return {"value": int(value) if value.is_integer() else value, "unit": "px"}


def _dimensions(values: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Dimension tokens by name from (CSS length, extension) pairs. Stored lengths are checked
    when they are set, so every one converts; one that did not would be left out, not guessed."""
    tokens: dict[str, Any] = {}
    for name, (text, extension) in values.items():
        found = dtcg_dimension(text)
        if found:
            tokens[name] = {"$value": found, **extension}
    return tokens


def _dtcg_shadow_layer(layer: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"color": dtcg_color(layer["color"])}
    for key in ("offsetX", "offsetY", "blur", "spread"):
        out[key] = dtcg_dimension(layer[key])
    if layer.get("inset"):
        out["inset"] = True
    return out


def to_dtcg(tokens: dict[str, Any]) -> dict[str, Any]:
    """W3C Design Tokens (DTCG 2025.10) document: groups with `$type`, tokens with `$value`;
    colours as sRGB colour objects with a hex fallback, dimensions as `{"value", "unit"}`, colour
    roles as aliases (`{color.red-600}`), FlexOS usage data under `$extensions["dev.flexos"]`."""
    document: dict[str, Any] = {}
    colors = tokens.get("colors") or {}
    if colors:
        group: dict[str, Any] = {"$type": "color"}
        for name, token in colors.items():
            ref = token.get("ref")
            value = f"{{color.{ref}}}" if ref in colors else dtcg_color(token["value"])
            group[name] = {"$value": value, **_flexos_extension(token)}
        document["color"] = group
    spacing = tokens.get("spacing") or {}
    if spacing:
        lengths = (
            {"base": (spacing["base"]["value"], _flexos_extension(spacing["base"]))} if spacing.get("base") else {}
        )
        lengths.update({name: (value, {}) for name, value in (spacing.get("steps") or {}).items()})
        document["spacing"] = {"$type": "dimension", **_dimensions(lengths)}
    typography = tokens.get("typography") or {}
    font: dict[str, Any] = {}
    if typography.get("font_family"):
        stack = typography.get("font_stack") or [typography["font_family"]]
        font["family"] = {"base": {"$type": "fontFamily", "$value": list(stack)}}
    if typography.get("sizes"):
        font["size"] = {"$type": "dimension", **_dimensions({n: (v, {}) for n, v in typography["sizes"].items()})}
    if typography.get("weights"):
        font["weight"] = {"$type": "fontWeight", **{n: {"$value": w} for n, w in typography["weights"].items()}}
    if font:
        document["font"] = font
    if tokens.get("radii"):
        document["radius"] = {
            "$type": "dimension",
            **_dimensions({n: (t["value"], _flexos_extension(t)) for n, t in tokens["radii"].items()}),
        }
    shadows = {n: t for n, t in (tokens.get("shadows") or {}).items() if shadow_layers(t["value"])}
    if shadows:
        document["shadow"] = {
            "$type": "shadow",
            **{
                n: {
                    "$value": _single_or_list([_dtcg_shadow_layer(layer) for layer in shadow_layers(t["value"])]),
                    **_flexos_extension(t),
                }
                for n, t in shadows.items()
            },
        }
    return document


def _single_or_list(layers: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    return layers[0] if len(layers) == 1 else layers


def _css_color(hex_color: str) -> str:
    """Colours the way Style Dictionary's `css` transforms write `dtcg_color`'s output: hex when
    opaque, else `rgba()` with the exported alpha."""
    alpha = dtcg_color(hex_color).get("alpha", 1)
    if alpha == 1:
        return hex_color[:7].lower()
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"


def _css_font_stack(stack: list[str]) -> str:
    return ", ".join(f"'{f}'" if " " in f else f for f in stack)


def _css_shadow(value: str) -> str:
    parts = []
    for layer in shadow_layers(value):
        words = ["inset"] if layer.get("inset") else []
        words += [layer["offsetX"], layer["offsetY"], layer["blur"], layer["spread"], layer["color"]]
        parts.append(" ".join(words))
    return ", ".join(parts)


def css_declarations(tokens: dict[str, Any]) -> list[tuple[str, str]]:
    """(custom property, value) pairs, in export order."""
    pairs: list[tuple[str, str]] = []
    for name in tokens.get("colors") or {}:
        value, _ = resolve_color(tokens, name)
        if value:
            pairs.append((f"--color-{name}", _css_color(value)))
    spacing = tokens.get("spacing") or {}
    if spacing.get("base"):
        pairs.append(("--spacing-base", spacing["base"]["value"]))
    pairs += [(f"--spacing-{n}", v) for n, v in (spacing.get("steps") or {}).items()]
    typography = tokens.get("typography") or {}
    if typography.get("font_family"):
        stack = typography.get("font_stack") or [typography["font_family"]]
        pairs.append(("--font-family-base", _css_font_stack(stack)))
    pairs += [(f"--font-size-{n}", v) for n, v in (typography.get("sizes") or {}).items()]
    pairs += [(f"--font-weight-{n}", str(w)) for n, w in (typography.get("weights") or {}).items()]
    pairs += [(f"--radius-{n}", t["value"]) for n, t in (tokens.get("radii") or {}).items()]
    pairs += [
        (f"--shadow-{n}", _css_shadow(t["value"]))
        for n, t in (tokens.get("shadows") or {}).items()
        if shadow_layers(t["value"])
    ]
    return pairs


def to_css_variables(tokens: dict[str, Any]) -> str:
    """`:root { --color-primary: #dc2626; ... }` — the same names and values Style Dictionary
    builds from `to_dtcg`'s output."""
    lines = [f"  {name}: {value};" for name, value in css_declarations(tokens)]
    return ":root {\n" + "\n".join(lines) + "\n}\n"


def to_tailwind_theme(tokens: dict[str, Any]) -> dict[str, Any]:
    """A Tailwind `theme.extend` object whose values read the CSS variables, so `bg-primary`,
    `p-md`, `text-base`, `rounded-lg`, `shadow-md` follow the tokens (load `to_css_variables`
    output alongside)."""
    theme: dict[str, Any] = {}
    colors = tokens.get("colors") or {}
    if colors:
        theme["colors"] = {name: css_var(f"colors.{name}") for name in colors}
    steps = (tokens.get("spacing") or {}).get("steps") or {}
    if steps:
        theme["spacing"] = {name: css_var(f"spacing.steps.{name}") for name in steps}
    typography = tokens.get("typography") or {}
    if typography.get("font_family"):
        theme["fontFamily"] = {"sans": list(typography.get("font_stack") or [typography["font_family"]])}
    if typography.get("sizes"):
        theme["fontSize"] = {n: css_var(f"typography.sizes.{n}") for n in typography["sizes"]}
    if typography.get("weights"):
        theme["fontWeight"] = {n: css_var(f"typography.weights.{n}") for n in typography["weights"]}
    if tokens.get("radii"):
        theme["borderRadius"] = {("DEFAULT" if n == "default" else n): css_var(f"radii.{n}") for n in tokens["radii"]}
    shadows = [n for n, t in (tokens.get("shadows") or {}).items() if shadow_layers(t["value"])]
    if shadows:
        theme["boxShadow"] = {("DEFAULT" if n == "default" else n): css_var(f"shadows.{n}") for n in shadows}
    return {"extend": theme}


def tailwind_config_js(tokens: dict[str, Any]) -> str:
    """`tailwind.config.js` text carrying `to_tailwind_theme` (ES module)."""
    theme = json.dumps(to_tailwind_theme(tokens), indent=2)
    return f"/** Generated by FlexOS from the project's design tokens. */\nexport default {{\n  theme: {theme.replace(chr(10), chr(10) + '  ')},\n}};\n"
