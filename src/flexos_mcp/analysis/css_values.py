"""Reading CSS values: colours, lengths, font shorthands, shadows and media queries.

Shared by mockup extraction and token emergence so both agree on what a value *is*: one colour
spelling (`#RRGGBB`, `#RRGGBBAA` below full opacity), one length unit (px at a 16px root), one
rule for the spacing base unit. Everything works on tinycss2 tokens, never on regular expressions
over raw CSS, so comments, `!important` and odd whitespace cannot confuse it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import tinycss2
from tinycss2 import ast

if TYPE_CHECKING:
    from coloraide import Color


def new_color(*args: Any) -> Color:
    """A coloraide Color. coloraide is imported on first use: its import builds colour-temperature
    tables, a tenth of a second or more of every server start (bench/tool_calls.py section 4)
    before anything has a colour to read."""
    from coloraide import Color

    return Color(*args)


ROOT_FONT_PX = 16.0

# Keywords that look like colours to a parser but carry no colour of their own.
_NOT_A_COLOR = frozenset({"currentcolor", "inherit", "initial", "unset", "revert", "revert-layer", "none", "auto"})
_COLOR_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color"})
_LENGTH_TO_PX = {"px": 1.0, "rem": ROOT_FONT_PX, "em": ROOT_FONT_PX, "pt": 4 / 3, "pc": 16.0}

# Preference order when several bases fit: designers name 8 and 4 before the rest.
_BASE_UNIT_CANDIDATES = (8, 4, 10, 12, 6, 5, 3, 2)
_BASE_UNIT_COVERAGE = 0.8
_CONSISTENT_COVERAGE = 0.9


@lru_cache(maxsize=4096)
def normalize_color(text: str) -> str | None:
    """Canonical uppercase hex for any CSS colour, or None when `text` is not a concrete colour.

    `currentColor` and the CSS-wide keywords are not colours; `transparent` is `#00000000`.
    Colours outside sRGB (oklch, lab) are gamut-mapped, as a browser would show them.
    """
    cleaned = text.strip()
    if not cleaned or cleaned.lower() in _NOT_A_COLOR:
        return None
    try:
        color = new_color(cleaned)
    except ValueError:
        return None
    return color.convert("srgb").fit("srgb").to_string(hex=True, upper=True)


def opaque(hex_color: str) -> str:
    """The `#RRGGBB` part of a canonical hex colour (drops an alpha byte)."""
    return hex_color[:7]


def with_opacity(hex_color: str, opacity: float) -> str:
    """Apply a Tailwind-style opacity modifier (`/50` → 0.5) to a canonical hex colour."""
    color = new_color(hex_color)
    color.set("alpha", color.alpha() * max(0.0, min(1.0, opacity)))
    return color.to_string(hex=True, upper=True)


def is_neutral(hex_color: str) -> bool:
    """True for greys, near-white and near-black: surfaces, text and borders, not brand hues.
    Every shade of Tailwind's grey families (slate, gray, zinc, neutral, stone) is below 0.042
    (slate-500 and slate-950: 0.041); colourful families reach 0.05 by their 200 shade."""
    return chroma(hex_color) < 0.045


@lru_cache(maxsize=4096)
def chroma(hex_color: str) -> float:
    """OKLCh chroma: how colourful a colour looks, independent of its lightness."""
    value = new_color(opaque(hex_color)).convert("oklch")["chroma"]
    return 0.0 if value != value else float(value)  # NaN for pure greys


@lru_cache(maxsize=4096)
def lightness(hex_color: str) -> float:
    """OKLCh lightness in 0..1."""
    return float(new_color(opaque(hex_color)).convert("oklch")["lightness"])


@lru_cache(maxsize=65536)
def delta_e(a: str, b: str) -> float:
    """Perceptual distance (CIEDE2000) between two hex colours; < 2 is hard to tell apart."""
    return float(new_color(opaque(a)).delta_e(opaque(b), method="2000"))


def length_px(token: ast.Node) -> float | None:
    """px value of a length token (`16px`, `1.5rem`, unitless `0`), else None."""
    if token.type == "dimension":
        factor = _LENGTH_TO_PX.get(token.lower_unit)
        return None if factor is None else float(token.value) * factor
    if token.type == "number" and token.value == 0:
        return 0.0
    return None


def parse_length(text: str) -> float | None:
    """px value of a length written as text (`"8px"`, `"0.5rem"`), else None."""
    tokens = [t for t in tinycss2.parse_component_value_list(text) if t.type != "whitespace"]
    return length_px(tokens[0]) if len(tokens) == 1 else None


def px_key(value: float) -> str:
    """`16.0` → `"16px"`, `13.5` → `"13.5px"`: stable text keys for JSON objects."""
    rounded = round(value, 2)
    return f"{int(rounded)}px" if rounded == int(rounded) else f"{rounded:g}px"


def significant(tokens: Iterable[ast.Node]) -> list[ast.Node]:
    """Tokens without whitespace and comments."""
    return [t for t in tokens if t.type not in ("whitespace", "comment")]


def split_commas(tokens: Iterable[ast.Node]) -> list[list[ast.Node]]:
    """Split a value at top-level commas (`Inter, sans-serif`; shadow layers)."""
    parts: list[list[ast.Node]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def color_of_token(token: ast.Node) -> str | None:
    """Canonical hex if this single token is a colour (`#abc`, `rgb(...)`, `red`), else None."""
    if token.type == "hash":
        return normalize_color("#" + token.value) if len(token.value) in (3, 4, 6, 8) else None
    if token.type == "function" and token.lower_name in _COLOR_FUNCTIONS:
        return normalize_color(token.serialize())
    if token.type == "ident":
        return normalize_color(token.value)
    return None


def family_name(tokens: list[ast.Node]) -> str | None:
    """One font family from its tokens: a quoted string or space-joined identifiers."""
    parts = significant(tokens)
    if len(parts) == 1 and parts[0].type == "string":
        return parts[0].value.strip() or None
    if parts and all(t.type == "ident" for t in parts):
        return " ".join(t.value for t in parts)
    return None


def font_stack(tokens: Iterable[ast.Node]) -> list[str]:
    """`Inter, "Helvetica Neue", sans-serif` → `["Inter", "Helvetica Neue", "sans-serif"]`."""
    return [name for part in split_commas(tokens) if (name := family_name(part))]


_WEIGHT_KEYWORDS = {"normal": 400, "bold": 700}
_FONT_STYLE_KEYWORDS = frozenset(
    {"italic", "oblique", "normal", "small-caps", "bolder", "lighter", "condensed", "expanded"}
)


def parse_font_shorthand(tokens: Iterable[ast.Node]) -> tuple[float | None, int | None, list[str]]:
    """`font: italic 600 16px/1.5 Inter, sans-serif` → (16.0, 600, ["Inter", "sans-serif"]).

    The size is the first length; the weight a number or keyword before it; the family list
    everything after the size and its optional `/line-height`.
    """
    parts = significant(tokens)
    weight: int | None = None
    for index, token in enumerate(parts):
        if token.type in ("dimension", "percentage"):
            size = length_px(token)
            rest = parts[index + 1 :]
            if rest and rest[0].type == "literal" and rest[0].value == "/":
                rest = rest[2:]
            return (size, weight, font_stack(rest))
        if token.type == "number" and token.is_integer and 1 <= token.int_value <= 1000:
            weight = token.int_value
        elif token.type == "ident" and token.lower_value in _WEIGHT_KEYWORDS:
            weight = weight or _WEIGHT_KEYWORDS[token.lower_value]
        elif not (token.type == "ident" and token.lower_value in _FONT_STYLE_KEYWORDS):
            break
    return (None, weight, [])


def font_weight(tokens: Iterable[ast.Node]) -> int | None:
    """Numeric weight of a `font-weight` value (`600`, `bold`), else None."""
    parts = significant(tokens)
    if len(parts) != 1:
        return None
    token = parts[0]
    if token.type == "number" and token.is_integer:
        return int(token.int_value)  # tinycss2 is untyped; an integer NumberToken's int_value is an int
    return _WEIGHT_KEYWORDS.get(token.lower_value) if token.type == "ident" else None


def normalize_value_text(tokens: Iterable[ast.Node]) -> str:
    """One spelling for a value (shadows): colours as hex, single spaces, no comments."""
    words: list[str] = []
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            continue
        if token.type == "literal" and token.value == ",":
            if words:
                words[-1] += ","
            continue
        color = color_of_token(token)
        words.append(color if color else token.serialize().lower())
    return " ".join(words)


def shadow_layers(text: str) -> list[dict[str, Any]]:
    """Parse a box-shadow into DTCG shadow objects (`offsetX`, `offsetY`, `blur`, `spread`,
    `color`, `inset`). Returns [] for `none` or anything it cannot read exactly."""
    layers: list[dict[str, Any]] = []
    for part in split_commas(tinycss2.parse_component_value_list(text)):
        tokens = significant(part)
        lengths: list[str] = []
        color: str | None = None
        inset = False
        for token in tokens:
            px = length_px(token)
            if px is not None:
                lengths.append(px_key(px))
            elif token.type == "ident" and token.lower_value == "inset":
                inset = True
            elif (found := color_of_token(token)) is not None and color is None:
                color = found
            else:
                return []
        if not 2 <= len(lengths) <= 4:
            return []
        lengths += ["0px"] * (4 - len(lengths))
        layer: dict[str, str | bool] = {
            "color": color or "#000000",
            "offsetX": lengths[0],
            "offsetY": lengths[1],
            "blur": lengths[2],
            "spread": lengths[3],
        }
        if inset:
            layer["inset"] = True
        layers.append(layer)
    return layers


def media_bounds(prelude: Iterable[ast.Node]) -> list[tuple[str, float]]:
    """`(min-width: 641px) and (max-width: 64em)` → [("min", 641.0), ("max", 1024.0)].

    Only width features matter for layout breakpoints; `screen`, `print` and other features
    are ignored. Range syntax (`width >= 640px`) is read too.
    """
    bounds: list[tuple[str, float]] = []
    for token in prelude:
        if token.type != "() block":
            continue
        inner = significant(token.content)
        if len(inner) == 3 and inner[0].type == "ident" and inner[1].type == "literal" and inner[1].value == ":":
            feature, value = inner[0].lower_value, length_px(inner[2])
            if value is not None and feature in ("min-width", "max-width"):
                bounds.append((feature[:3], value))
        elif len(inner) >= 3 and inner[0].type == "ident" and inner[0].lower_value == "width":
            operator = "".join(t.value for t in inner[1:-1] if t.type == "literal")
            value = length_px(inner[-1])
            if value is not None and operator in (">=", ">", "<=", "<"):
                bounds.append(("min" if operator.startswith(">") else "max", value))
        else:
            bounds.extend(media_bounds(token.content))
    return bounds


def infer_base_unit(counts: Mapping[int, int]) -> dict[str, Any]:
    """The spacing base unit behind a set of px values (value → occurrences).

    The base is the first of 8, 4, 10, 12, 6, 5, 3, 2 whose multiples cover at least 80% of
    the uses; `consistent` means at least 90% do. Zero is not spacing and is ignored.
    """
    used = {value: count for value, count in counts.items() if value > 0 and count > 0}
    total = sum(used.values())
    if not total:
        return {"base_unit": None, "consistent": False, "coverage": 0.0, "values": [], "scale": []}

    def coverage(base: int) -> float:
        return sum(c for v, c in used.items() if v % base == 0) / total

    base = next((b for b in _BASE_UNIT_CANDIDATES if coverage(b) >= _BASE_UNIT_COVERAGE), None)
    if base is None:
        base = max(_BASE_UNIT_CANDIDATES, key=lambda b: (coverage(b), b))
    share = coverage(base)
    return {
        "base_unit": base,
        "consistent": share >= _CONSISTENT_COVERAGE,
        "coverage": round(share, 3),
        "values": sorted(used),
        "scale": sorted(v for v in used if v % base == 0),
    }


# -- custom properties -------------------------------------------------------------------------

_VAR_DEPTH = 8


def resolve_vars(tokens: list[ast.Node], variables: Mapping[str, list[ast.Node]], depth: int = 0) -> list[ast.Node]:
    """Replace `var(--x)` / `var(--x, fallback)` by the definition's tokens, recursively."""
    if depth > _VAR_DEPTH:
        return []
    resolved: list[ast.Node] = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            arguments = significant(token.arguments)
            name = arguments[0].value if arguments and arguments[0].type == "ident" else ""
            if name in variables:
                resolved.extend(resolve_vars(variables[name], variables, depth + 1))
            else:
                comma = next(
                    (i for i, t in enumerate(token.arguments) if t.type == "literal" and t.value == ","),
                    None,
                )
                if comma is not None:
                    resolved.extend(resolve_vars(token.arguments[comma + 1 :], variables, depth + 1))
        elif token.type == "function" and any(t.type == "function" and t.lower_name == "var" for t in token.arguments):
            copy = ast.FunctionBlock(
                token.source_line,
                token.source_column,
                token.name,
                resolve_vars(token.arguments, variables, depth + 1),
            )
            resolved.append(copy)
        else:
            resolved.append(token)
    return resolved


def has_var(tokens: list[ast.Node]) -> bool:
    return any(t.type == "function" and (t.lower_name == "var" or has_var(t.arguments)) for t in tokens)


def colors_in(tokens: list[ast.Node]) -> list[str]:
    """Every colour in a value, including inside gradients; never inside `url()`."""
    found: list[str] = []
    for token in tokens:
        color = color_of_token(token)
        if color is not None:
            found.append(color)
        elif token.type == "function" and token.lower_name != "url":
            found.extend(colors_in(token.arguments))
    return found
