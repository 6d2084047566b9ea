"""A hand-written check of the DTCG Format Module 2025.10 rules, for the token types FlexOS
exports (colour, dimension, fontFamily, fontWeight, number, shadow).

Why by hand: the format's published JSON schema (designtokens.org/schemas/2025.10/format.json) is
not shipped in any package we can install, and it cannot see a type a token inherits from its
group: a colour token whose value is the legacy string "#DC2626" passes it (the string matches
its fontFamily branch). This check follows the format's text: type inheritance through groups,
alias resolution with matching types, the value form of each type, names, and reverse-domain
`$extensions` keys. `problems(document)` lists every violation with its JSON path; [] is valid.
"""

from __future__ import annotations

import re
from typing import Any

TYPES = (
    "color",
    "dimension",
    "fontFamily",
    "fontWeight",
    "duration",
    "cubicBezier",
    "number",
    "strokeStyle",
    "border",
    "transition",
    "shadow",
    "gradient",
    "typography",
)
CHECKED_TYPES = ("color", "dimension", "fontFamily", "fontWeight", "number", "shadow")
GROUP_KEYS = {"$type", "$description", "$extensions", "$extends", "$deprecated", "$root"}
TOKEN_KEYS = {"$value", "$type", "$description", "$extensions", "$deprecated"}
COLOR_SPACES = (
    "srgb",
    "srgb-linear",
    "hsl",
    "hwb",
    "lab",
    "lch",
    "oklab",
    "oklch",
    "display-p3",
    "a98-rgb",
    "prophoto-rgb",
    "rec2020",
    "xyz-d65",
    "xyz-d50",
)
RGB_LIKE = ("srgb", "srgb-linear", "display-p3", "a98-rgb", "prophoto-rgb", "rec2020", "xyz-d65", "xyz-d50")
FONT_WEIGHT_KEYWORDS = (
    "thin",
    "hairline",
    "extra-light",
    "ultra-light",
    "light",
    "normal",
    "regular",
    "book",
    "medium",
    "semi-bold",
    "demi-bold",
    "bold",
    "extra-bold",
    "ultra-bold",
    "black",
    "heavy",
    "extra-black",
    "ultra-black",
)
NAME = re.compile(r"^[^${}.][^{}.]*$")
REFERENCE = re.compile(r"^\{([^${}.][^{}.]*(?:\.[^${}.][^{}.]*)*)\}$")
REVERSE_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
HEX6 = re.compile(r"^#[0-9a-fA-F]{6}$")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _extensions(value: Any, where: str, found: list[str]) -> None:
    if not isinstance(value, dict) or not all(REVERSE_DOMAIN.match(k) for k in value):
        found.append(
            f"{where}: $extensions keys must be reverse-domain names such as 'dev.flexos', got "
            f"{list(value) if isinstance(value, dict) else value!r}"
        )


def _tokens(node: dict, path: tuple[str, ...], inherited: str | None, out: dict, found: list[str]) -> None:
    """Collect tokens as path -> (token, type from itself or its groups), checking group shape."""
    group_type = node.get("$type", inherited)
    for key, child in node.items():
        where = ".".join((*path, key))
        if key.startswith("$"):
            if key not in GROUP_KEYS:
                found.append(f"{where}: '{key}' is not a group property")
            elif key == "$extensions":
                _extensions(child, where, found)
            continue
        if not NAME.match(key):
            found.append(f"{where}: a name must not start with '$' or contain '{{', '}}' or '.'")
        if not isinstance(child, dict):
            found.append(f"{where}: a group member must be a token or a group (an object)")
        elif "$value" in child:
            out[(*path, key)] = (child, child.get("$type", group_type))
        else:
            _tokens(child, (*path, key), group_type, out, found)


def _color(value: Any, where: str, found: list[str]) -> None:
    if not isinstance(value, dict):
        found.append(f"{where}: a colour is an object {{colorSpace, components[, alpha, hex]}}, got {value!r}")
        return
    extra = set(value) - {"colorSpace", "components", "alpha", "hex"}
    if extra:
        found.append(f"{where}: unknown colour properties {sorted(extra)}")
    space, components = value.get("colorSpace"), value.get("components")
    if space not in COLOR_SPACES:
        found.append(f"{where}.colorSpace: {space!r} is not one of the format's colour spaces")
    if not isinstance(components, list) or len(components) != 3:
        found.append(f"{where}.components: three components expected, got {components!r}")
    elif space in RGB_LIKE:
        for i, component in enumerate(components):
            if component != "none" and not (_number(component) and 0 <= component <= 1):
                found.append(f"{where}.components[{i}]: {component!r} is outside 0..1")
    if "alpha" in value and not (_number(value["alpha"]) and 0 <= value["alpha"] <= 1):
        found.append(f"{where}.alpha: {value['alpha']!r} is outside 0..1")
    if "hex" in value and not (isinstance(value["hex"], str) and HEX6.match(value["hex"])):
        found.append(f"{where}.hex: the fallback is 6-digit hex (#rrggbb), got {value['hex']!r}")


def _dimension(value: Any, where: str, found: list[str]) -> None:
    if not isinstance(value, dict) or set(value) != {"value", "unit"}:
        found.append(f'{where}: a dimension is {{"value": <number>, "unit": "px"|"rem"}}, got {value!r}')
        return
    if not _number(value["value"]):
        found.append(f"{where}.value: {value['value']!r} is not a number")
    if value["unit"] not in ("px", "rem"):
        found.append(f"{where}.unit: {value['unit']!r} is not px or rem")


def _font_family(value: Any, where: str, found: list[str]) -> None:
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n and not REFERENCE.match(n) for n in names):
        found.append(f"{where}: a font family is a name or a non-empty list of names, got {value!r}")


def _plain_number(value: Any, where: str, found: list[str]) -> None:
    if not _number(value):
        found.append(f"{where}: a number token's value is a number, got {value!r}")


def _font_weight(value: Any, where: str, found: list[str]) -> None:
    if not ((_number(value) and 1 <= value <= 1000) or value in FONT_WEIGHT_KEYWORDS):
        found.append(f"{where}: a font weight is 1..1000 or a keyword such as 'bold', got {value!r}")


def _shadow(value: Any, where: str, found: list[str], resolve) -> None:
    layers = value if isinstance(value, list) else [value]
    if not layers:
        found.append(f"{where}: a shadow list must not be empty")
    for i, layer in enumerate(layers):
        at = f"{where}[{i}]" if isinstance(value, list) else where
        if isinstance(layer, str) and resolve(layer, "shadow", at):
            continue
        if not isinstance(layer, dict):
            found.append(f"{at}: a shadow is an object, got {layer!r}")
            continue
        missing = {"color", "offsetX", "offsetY", "blur", "spread"} - set(layer)
        extra = set(layer) - {"color", "offsetX", "offsetY", "blur", "spread", "inset"}
        if missing or extra:
            found.append(f"{at}: shadow properties missing {sorted(missing)} / unknown {sorted(extra)}")
        if "color" in layer and not (
            isinstance(layer["color"], str) and resolve(layer["color"], "color", f"{at}.color")
        ):
            _color(layer["color"], f"{at}.color", found)
        for key in ("offsetX", "offsetY", "blur", "spread"):
            if key in layer and not (isinstance(layer[key], str) and resolve(layer[key], "dimension", f"{at}.{key}")):
                _dimension(layer[key], f"{at}.{key}", found)
        if "inset" in layer and not isinstance(layer["inset"], bool):
            found.append(f"{at}.inset: must be true or false")


def problems(document: Any) -> list[str]:
    """Every way `document` departs from the 2025.10 rules checked here; [] when it follows them."""
    if not isinstance(document, dict):
        return ["the file must be a JSON object (its root is a group)"]
    found: list[str] = []
    tokens: dict[tuple[str, ...], tuple[dict, str | None]] = {}
    _tokens(document, (), None, tokens, found)

    def type_of(path: tuple[str, ...], seen: tuple = ()) -> str | None:
        token, declared = tokens[path]
        if declared or path in seen:
            return declared
        match = REFERENCE.match(token["$value"]) if isinstance(token["$value"], str) else None
        target = tuple(match.group(1).split(".")) if match else None
        return type_of(target, (*seen, path)) if target in tokens else None

    def resolve(text: str, expected: str, where: str) -> bool:
        """True when `text` is an alias; reports one that points nowhere or at another type."""
        match = REFERENCE.match(text)
        if not match:
            return False
        target = tuple(match.group(1).split("."))
        if target not in tokens:
            found.append(f"{where}: {text} names no token")
        elif type_of(target) != expected:
            found.append(f"{where}: {text} is a {type_of(target)} token where a {expected} is expected")
        return True

    checks = {
        "color": _color,
        "dimension": _dimension,
        "fontFamily": _font_family,
        "fontWeight": _font_weight,
        "number": _plain_number,
    }
    for path, (token, _) in tokens.items():
        where = ".".join(path)
        token_type = type_of(path)
        for key in set(token) - TOKEN_KEYS:
            found.append(f"{where}: '{key}' is not a token property (a token has no children)")
        if token_type is None:
            found.append(f"{where}: no $type on the token, its groups or the token it aliases")
            continue
        if token_type not in TYPES:
            found.append(f"{where}: $type {token_type!r} is not a type of the format")
            continue
        if token_type not in CHECKED_TYPES:
            found.append(f"{where}: $type {token_type} is not checked by this module; extend it before exporting one")
            continue
        if "$extensions" in token:
            _extensions(token["$extensions"], f"{where}.$extensions", found)
        for key, kind in (("$description", str), ("$deprecated", bool | str)):
            if key in token and not isinstance(token[key], kind):
                found.append(f"{where}.{key}: wrong kind of value")
        value = token["$value"]
        if isinstance(value, str) and resolve(value, token_type, where):
            continue
        if token_type == "shadow":
            _shadow(value, where, found, resolve)
        else:
            checks[token_type](value, where, found)
    return found
