"""Reading Tailwind utility classes: `md:hover:bg-red-600/50` → what it sets, under which variants.

A mockup written with Tailwind carries its design in class names, so extraction reads them the
way Tailwind's compiler would: variants are prefixes split at top-level colons, arbitrary values
sit in brackets (`p-[13px]`, `bg-[#DC2626]`, underscores for spaces), opacity modifiers follow a
slash. Results are cached per class string: real pages repeat the same few hundred classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from flexos_mcp.analysis import tailwind_data
from flexos_mcp.analysis.css_values import (
    normalize_color,
    parse_length,
    with_opacity,
)

# Colour utility prefix → what the colour paints. Longest prefixes first so `ring-offset-`
# wins over `ring-` and `border-t-` over `border-`.
_COLOR_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "bg": "background",
            "text": "text",
            "border": "border",
            "border-x": "border",
            "border-y": "border",
            "border-t": "border",
            "border-r": "border",
            "border-b": "border",
            "border-l": "border",
            "border-s": "border",
            "border-e": "border",
            "divide": "border",
            "outline": "outline",
            "ring": "ring",
            "ring-offset": "ring",
            "shadow": "shadow",
            "fill": "fill",
            "stroke": "stroke",
            "from": "gradient",
            "via": "gradient",
            "to": "gradient",
            "placeholder": "placeholder",
            "caret": "caret",
            "accent": "accent",
            "decoration": "decoration",
        }.items(),
        key=lambda item: -len(item[0]),
    )
)
_SPACING_PREFIXES: tuple[str, ...] = tuple(
    sorted(
        "p px py pt pr pb pl ps pe m mx my mt mr mb ml ms me gap gap-x gap-y space-x space-y".split(),
        key=len,
        reverse=True,
    )
)
_RADIUS_SIDES = frozenset("t r b l s e tl tr br bl ss se es ee".split())
_COLOR_KEYWORDS = frozenset({"current", "inherit"})

# Utilities this module does not read values from, but which mark a class as Tailwind rather
# than a semantic name (`lesson-card`): used to pick readable selectors and component hints.
_OTHER_UTILITY_PREFIXES: tuple[str, ...] = (
    "flex",
    "grid",
    "inline",
    "block",
    "hidden",
    "contents",
    "table",
    "items-",
    "justify-",
    "content-",
    "self-",
    "place-",
    "w-",
    "h-",
    "min-w-",
    "min-h-",
    "max-w-",
    "max-h-",
    "size-",
    "text-",
    "font-",
    "leading-",
    "tracking-",
    "border",
    "rounded",
    "shadow",
    "bg-",
    "opacity-",
    "z-",
    "top-",
    "left-",
    "right-",
    "bottom-",
    "inset-",
    "start-",
    "end-",
    "overflow-",
    "relative",
    "absolute",
    "fixed",
    "sticky",
    "static",
    "col-",
    "row-",
    "order-",
    "basis-",
    "grow",
    "shrink",
    "transition",
    "duration-",
    "delay-",
    "ease-",
    "cursor-",
    "select-",
    "pointer-events-",
    "sr-only",
    "not-sr-only",
    "truncate",
    "uppercase",
    "lowercase",
    "capitalize",
    "normal-case",
    "italic",
    "underline",
    "no-underline",
    "line-through",
    "line-clamp-",
    "object-",
    "aspect-",
    "container",
    "space-",
    "divide-",
    "ring",
    "outline",
    "list-",
    "whitespace-",
    "break-",
    "align-",
    "antialiased",
    "subpixel-antialiased",
    "appearance-",
    "resize",
    "backdrop-",
    "blur",
    "filter",
    "transform",
    "scale-",
    "rotate-",
    "translate-",
    "skew-",
    "origin-",
    "animate-",
    "group",
    "peer",
    "prose",
    "placeholder-",
    "decoration-",
    "from-",
    "via-",
    "to-",
    "fill-",
    "stroke-",
    "gap-",
    "visible",
    "invisible",
    "isolate",
    "float-",
    "clear-",
    "box-",
    "indent-",
    "tabular-nums",
    "snap-",
    "scroll-",
    "touch-",
    "will-change-",
    "columns-",
    "auto-cols-",
    "auto-rows-",
    "mix-blend-",
    "drop-shadow",
    "caret-",
    "accent-",
    "sm:",
    "md:",
    "lg:",
    "xl:",
    "2xl:",
)


@dataclass(frozen=True, slots=True)
class Utility:
    """What one Tailwind class sets.

    kind: "color" | "color_keyword" | "spacing" | "font_size" | "font_family" | "font_weight"
    | "radius" | "shadow" | "grid_cols" | "other". `value` is a hex colour, px float, family
    name, weight, CSS shadow or column count by kind; `palette` names the palette entry
    (`red-600`) when the colour came from Tailwind's palette.
    """

    variants: tuple[str, ...]
    kind: str
    utility: str
    value: object = None
    context: str | None = None
    palette: str | None = None
    name: str | None = None


def split_variants(class_name: str) -> tuple[tuple[str, ...], str]:
    """`md:hover:bg-[url(a:b)]` → (("md", "hover"), "bg-[url(a:b)]"): colons inside brackets
    belong to the arbitrary value."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(class_name):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0:
            parts.append(class_name[start:index])
            start = index + 1
    return tuple(parts), class_name[start:]


def _split_opacity(value: str) -> tuple[str, float | None]:
    """`red-600/50` → ("red-600", 0.5); `[#fff]/[.35]` → ("[#fff]", 0.35)."""
    depth = 0
    for index in range(len(value) - 1, -1, -1):
        char = value[index]
        if char == "]":
            depth += 1
        elif char == "[":
            depth -= 1
        elif char == "/" and depth == 0:
            base, modifier = value[:index], value[index + 1 :]
            bracketed = modifier.startswith("[") and modifier.endswith("]")
            text = modifier[1:-1] if bracketed else modifier
            percent = text.endswith("%")
            try:
                amount = float(text.rstrip("%"))
            except ValueError:
                return value, None
            return base, amount / 100 if percent or not bracketed else amount
    return value, None


def _arbitrary(value: str) -> str | None:
    """Inner text of `[...]` with underscores as spaces, without a `color:`-style type hint."""
    if not (value.startswith("[") and value.endswith("]")):
        return None
    inner = value[1:-1].replace("_", " ")
    hint, sep, rest = inner.partition(":")
    if sep and hint in ("color", "length", "size", "family-name", "number", "url", "image"):
        return rest
    return inner


def palette_color(name: str) -> str | None:
    """`red-600` → `#DC2626`, `white` → `#FFFFFF`, `transparent` → `#00000000`."""
    if name in tailwind_data.SINGLE_COLORS:
        return tailwind_data.SINGLE_COLORS[name].upper()
    if name == "transparent":
        return "#00000000"
    family, _, shade = name.rpartition("-")
    found = tailwind_data.PALETTE.get(family, {}).get(shade)
    return found.upper() if found else None


def _color(value: str) -> tuple[str, str | None] | None:
    """(hex, palette name) for a colour utility's value, or None."""
    base, opacity = _split_opacity(value)
    hex_color = palette_color(base)
    palette = base if hex_color else None
    if hex_color is None:
        inner = _arbitrary(base)
        hex_color = normalize_color(inner) if inner is not None else None
    if hex_color is None:
        return None
    if opacity is not None:
        hex_color = with_opacity(hex_color, opacity)
    return hex_color, palette


def _spacing_px(value: str) -> float | None:
    if value in tailwind_data.SPACING_PX:
        return float(tailwind_data.SPACING_PX[value])
    inner = _arbitrary(value)
    return parse_length(inner) if inner is not None else None


def _parse_utility(variants: tuple[str, ...], utility: str) -> Utility | None:
    core = utility.lstrip("!").rstrip("!")
    negative = core.startswith("-")
    core = core.lstrip("-")

    def make(kind: str, value: object = None, **extra: object) -> Utility:
        return Utility(variants, kind, utility, value, **extra)  # type: ignore[arg-type]  # every caller passes one of Utility's kinds, as a literal

    for prefix, context in _COLOR_PREFIXES:
        if core.startswith(prefix + "-"):
            rest = core[len(prefix) + 1 :]
            if rest in _COLOR_KEYWORDS:
                return make("color_keyword", context=context)
            found = _color(rest)
            if found:
                return make("color", found[0], context=context, palette=found[1])
            break

    head, _, rest = core.partition("-")
    if head == "text" and rest:
        if rest in tailwind_data.FONT_SIZE_PX:
            return make("font_size", float(tailwind_data.FONT_SIZE_PX[rest]), name=rest)
        inner = _arbitrary(rest)
        size = parse_length(inner) if inner is not None else None
        if size is not None:
            return make("font_size", size)
    if head == "font" and rest:
        if rest in tailwind_data.FONT_FAMILIES:
            return make("font_family", tailwind_data.FONT_FAMILIES[rest][0], name=rest)
        if rest in tailwind_data.FONT_WEIGHTS:
            return make("font_weight", tailwind_data.FONT_WEIGHTS[rest], name=rest)
        inner = _arbitrary(rest)
        if inner is not None:
            if inner.isdigit():
                return make("font_weight", int(inner))
            family = inner.split(",")[0].strip().strip("'\"")
            if family:
                return make("font_family", family)
    for prefix in _SPACING_PREFIXES:
        if core.startswith(prefix + "-"):
            px = _spacing_px(core[len(prefix) + 1 :])
            if px is not None:
                return make("spacing", abs(px), name=prefix)
            return make("other")
    if head == "rounded":
        return _radius(make, rest)
    if head == "shadow":
        shadow_name = rest or "DEFAULT"
        if shadow_name in tailwind_data.SHADOWS:
            return make("shadow", tailwind_data.SHADOWS[shadow_name], name=shadow_name)
    if core.startswith("grid-cols-") and core[10:].isdigit():
        return make("grid_cols", int(core[10:]))
    if negative or core.startswith(_OTHER_UTILITY_PREFIXES):
        return make("other")
    return None


class _MakeUtility(Protocol):
    """`parse_class`'s `make`: a Utility of this class with the given kind and value."""

    def __call__(self, kind: str, value: object = None, **extra: object) -> Utility: ...


def _radius(make: _MakeUtility, rest: str) -> Utility:
    """`rounded`, `rounded-lg`, `rounded-t`, `rounded-tl-xl`, `rounded-[10px]`."""
    side, _, size = rest.partition("-")
    if side not in _RADIUS_SIDES:
        size = rest
    size = size or "DEFAULT"
    if size in tailwind_data.RADIUS_PX:
        return make("radius", float(tailwind_data.RADIUS_PX[size]), name=size)
    inner = _arbitrary(size)
    px = parse_length(inner) if inner is not None else None
    return make("radius", px) if px is not None else make("other")


@lru_cache(maxsize=32768)
def parse_class(class_name: str) -> Utility | None:
    """What a Tailwind class sets, or None when it is not a Tailwind utility (a semantic class
    such as `lesson-card` or `btn-primary`)."""
    variants, utility = split_variants(class_name)
    if not utility:
        return None
    return _parse_utility(variants, utility)
