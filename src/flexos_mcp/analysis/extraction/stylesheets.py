"""The CSS side of extraction: stylesheets (parsed once per distinct text, flattened out of nesting
and at-rules), their rules applied by selector weight with the components their selectors name,
inline styles, and custom properties known before any value is resolved."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import tinycss2
from tinycss2 import ast

from flexos_mcp.analysis.css_values import (
    colors_in as _colors_in,
)
from flexos_mcp.analysis.css_values import (
    font_stack,
    font_weight,
    length_px,
    media_bounds,
    normalize_value_text,
    parse_font_shorthand,
    px_key,
    significant,
    split_commas,
)
from flexos_mcp.analysis.css_values import (
    has_var as _has_var,
)
from flexos_mcp.analysis.css_values import (
    resolve_vars as _resolve_vars,
)

from .markup import PAGE_TAGS, TAG_COMPONENTS, class_component, element_profile
from .records import ElementKey, Extraction

_SELECTOR_TAG_COMPONENTS = {**TAG_COMPONENTS, "a": "link", "input": "input"}
# Colour-bearing property (or prefix) → what the colour paints.
_COLOR_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("color", "text"),
    ("background", "background"),
    ("border", "border"),
    ("outline", "outline"),
    ("box-shadow", "shadow"),
    ("text-shadow", "shadow"),
    ("fill", "fill"),
    ("stroke", "stroke"),
    ("caret-color", "caret"),
    ("accent-color", "accent"),
    ("text-decoration", "decoration"),
    ("column-rule", "border"),
    ("stop-color", "gradient"),
    ("scrollbar-color", "other"),
)
_SPACING_PROPERTIES = ("margin", "padding", "gap", "row-gap", "column-gap", "grid-gap")
_RADIUS_PROPERTY_PREFIX = "border-"
_RADIUS_PROPERTY_SUFFIX = "radius"
_SKIPPED_AT_RULES = frozenset({"font-face", "import", "charset", "namespace", "page", "keyframes"})
_RULE_STATES = frozenset(
    {"hover", "focus", "active", "disabled", "focus-visible", "focus-within", "checked", "visited"}
)


@dataclass(slots=True)
class _Rule:
    """A style rule flattened out of nesting and at-rules."""

    prelude: str
    declarations: tuple[ast.Declaration, ...]
    bounds: tuple[tuple[str, float], ...]
    conditional: bool = False  # inside an at-rule or nested in another rule: not always in force


@dataclass(slots=True)
class _Selector:
    """The subject (last compound) of one selector: enough to weigh and classify a rule."""

    tag: str | None
    classes: tuple[str, ...]
    states: tuple[str, ...]


@lru_cache(maxsize=8192)
def _inline_declarations(style: str) -> tuple[ast.Declaration, ...]:
    """Parsed `style=""` text; pages repeat the same inline styles many times."""
    nodes = tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True)
    return tuple(n for n in nodes if n.type == "declaration")


@dataclass(frozen=True, slots=True)
class _Stylesheet:
    """A parsed stylesheet: its style rules flattened out of nesting and at-rules, the custom
    properties it defines (first definition of each name, in order) and whether it has a
    dark colour-scheme media query."""

    rules: tuple[_Rule, ...]
    variables: tuple[tuple[str, tuple[ast.Node, ...]], ...]
    dark: bool


@lru_cache(maxsize=128)
def _parse_stylesheet(text: str) -> _Stylesheet:
    """Parsed once per distinct stylesheet text: tokenising CSS is most of the cost of a small
    page, and a project's pages share their stylesheets and the mockups of a page repeat them.
    The result is shared between calls, so it is only ever read."""
    rules: list[_Rule] = []
    schemes: set[str] = set()
    nodes = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    _flatten_rules(nodes, (), rules, schemes)
    variables: dict[str, tuple[ast.Node, ...]] = {}
    for rule in rules:
        for decl in rule.declarations:
            if decl.name.startswith("--") and decl.name not in variables:
                variables[decl.name] = tuple(decl.value)
    return _Stylesheet(tuple(rules), tuple(variables.items()), "dark" in schemes)


def _flatten_rules(
    nodes: list[ast.Node],
    bounds: tuple[tuple[str, float], ...],
    out: list[_Rule],
    schemes: set[str],
    conditional: bool = False,
) -> None:
    """Style rules out of a stylesheet, with the width bounds of their enclosing @media;
    `schemes` collects the colour schemes that media queries ask for."""
    for node in nodes:
        if node.type == "qualified-rule":
            contents = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            prelude = tinycss2.serialize(node.prelude).strip()
            out.append(_Rule(prelude, tuple(n for n in contents if n.type == "declaration"), bounds, conditional))
            nested = [n for n in contents if n.type in ("qualified-rule", "at-rule")]
            if nested:
                _flatten_rules(nested, bounds, out, schemes, True)
        elif node.type == "at-rule" and node.content is not None:
            keyword = node.lower_at_keyword
            if keyword in _SKIPPED_AT_RULES:
                continue
            inner_bounds = bounds
            if keyword == "media":
                own = tuple(media_bounds(node.prelude))
                inner_bounds = bounds + own
                prelude_text = tinycss2.serialize(node.prelude).lower()
                if "prefers-color-scheme" in prelude_text and "dark" in prelude_text:
                    schemes.add("dark")
            children = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            _flatten_rules(children, inner_bounds, out, schemes, True)


@lru_cache(maxsize=4096)
def _parse_selectors(prelude: str) -> tuple[_Selector, ...]:
    """Subjects of a selector list: `.nav a:hover, .btn-primary` → (a, hover), (.btn-primary)."""
    subjects: list[_Selector] = []
    for part in _split_top_level_commas(tinycss2.parse_component_value_list(prelude)):
        tag: str | None = None
        classes: list[str] = []
        states: list[str] = []
        previous: ast.Node | None = None
        for token in part:
            if token.type == "whitespace" or (token.type == "literal" and token.value in ">+~"):
                tag, classes, states = None, [], []
            elif token.type == "ident":
                if previous is not None and previous.type == "literal" and previous.value == ".":
                    classes.append(token.value)
                elif previous is not None and previous.type == "literal" and previous.value == ":":
                    states.append(token.lower_value)
                elif previous is None or previous.type in ("whitespace", "literal"):
                    tag = token.lower_value
            previous = token
        subjects.append(_Selector(tag, tuple(classes), tuple(states)))
    return tuple(subjects)


def _split_top_level_commas(tokens: list[ast.Node]) -> list[list[ast.Node]]:
    """Non-empty comma-separated parts, comments left out."""
    return [[t for t in p if t.type != "comment"] for p in split_commas(tokens) if significant(p)]


def _color_context(prop: str) -> str | None:
    for prefix, context in _COLOR_PROPERTIES:
        if prop == prefix or prop.startswith(prefix + "-"):
            if prefix == "border" and prop.endswith("radius"):
                return None
            return context
    return None


def _grid_columns(tokens: list[ast.Node]) -> int | None:
    """Track count of `grid-template-columns`: `repeat(3, 1fr)` → 3, `1fr 2fr` → 2."""
    parts = significant(tokens)
    if len(parts) == 1 and parts[0].type == "function" and parts[0].lower_name == "repeat":
        first = significant(parts[0].arguments)
        if first and first[0].type == "number" and first[0].is_integer:
            return int(first[0].int_value)  # tinycss2 is untyped; an integer NumberToken's int_value is an int
        return None
    tracks = [
        t
        for t in parts
        if t.type in ("dimension", "percentage", "function")
        or (t.type == "ident" and t.lower_value in ("auto", "min-content", "max-content"))
    ]
    return len(tracks) or None


def _apply_declaration(
    found: Extraction,
    decl: ast.Declaration,
    contexts: tuple[str, ...],
    origin: str,
    count: int,
    bounds: tuple[tuple[str, float], ...] = (),
) -> None:
    """Record what one declaration uses, `count` times (the elements its rule matches)."""
    prop = decl.lower_name
    if prop.startswith("--"):
        return
    tokens = decl.value
    if _has_var(tokens):
        tokens = _resolve_vars(tokens, found.variables)
    source = f"{origin}:{prop}"

    context = _color_context(prop)
    if context is not None:
        for color in _colors_in(tokens):
            found.color(color, (context, *contexts), source, count)
    if prop in _SPACING_PROPERTIES or prop.startswith(("margin-", "padding-")):
        for token in tokens:
            px = length_px(token)
            if px:
                found.spacing[round(abs(px))] += count
    elif prop == "font-family":
        _record_stack(found, font_stack(tokens), count)
    elif prop == "font":
        size, weight, stack = parse_font_shorthand(tokens)
        if size:
            found.sizes[px_key(size)] += count
        if weight:
            found.weights[weight] += count
        _record_stack(found, stack, count)
    elif prop == "font-size":
        parts = significant(tokens)
        size = length_px(parts[0]) if len(parts) == 1 else None
        if size:
            found.sizes[px_key(size)] += count
    elif prop == "font-weight":
        weight = font_weight(tokens)
        if weight:
            found.weights[weight] += count
    elif prop.startswith(_RADIUS_PROPERTY_PREFIX) and prop.endswith(_RADIUS_PROPERTY_SUFFIX):
        for token in tokens:
            px = length_px(token)
            if px is not None:
                found.radii[px_key(px)] += count
    elif prop == "box-shadow":
        value = normalize_value_text(tokens)
        if value and value != "none":
            found.shadow(value, source, count)
    elif prop == "grid-template-columns":
        columns = _grid_columns(tokens)
        if columns:
            found.layouts.append((*_bounds_range(bounds), columns))


def _bounds_range(bounds: tuple[tuple[str, float], ...]) -> tuple[float, float | None]:
    low, high = 0.0, None
    for kind, value in bounds:
        if kind == "min":
            low = max(low, value)
        else:
            high = value if high is None else min(high, value)
    return low, high


def _record_stack(found: Extraction, stack: list[str], count: int) -> None:
    if stack:
        found.families[stack[0]] += count
        found.stacks[", ".join(stack)] += count


def _class_count(found: Extraction, class_name: str) -> int:
    """Elements carrying a class. Counted from the distinct elements on first need: only
    stylesheet rules with class selectors ask, and Tailwind pages have few of those."""
    if found.class_counts is None:
        found.class_counts = Counter()
        for key, count in found.elements.items():
            for name in element_profile(key).class_names:
                found.class_counts[name] += count
    return found.class_counts[class_name]


def _rule_weight(found: Extraction, subject: _Selector) -> int:
    """How many elements a rule's subject plausibly matches (at least one)."""
    if subject.classes:
        return max(1, min(_class_count(found, c) for c in subject.classes))
    if subject.tag and subject.tag not in ("html", ":root", "*"):
        return max(1, found.tag_counts[subject.tag])
    return 1


def _selector_components(subject: _Selector) -> tuple[str, ...]:
    names = {_SELECTOR_TAG_COMPONENTS[subject.tag]} if subject.tag in _SELECTOR_TAG_COMPONENTS else set()
    if subject.tag in PAGE_TAGS or "root" in subject.states:
        names.add("page")
    for class_name in subject.classes:
        name, _ = class_component(class_name)
        if name:
            names.add(name)
    return tuple(sorted(names))


def _apply_rules(found: Extraction, rules: tuple[_Rule, ...]) -> None:
    for rule in rules:
        if rule.bounds:
            found.media[_bounds_range(rule.bounds)] += 1
        for subject in _parse_selectors(rule.prelude):
            states = tuple(s for s in subject.states if s in _RULE_STATES)
            contexts = _selector_components(subject) + states
            found.states.update(states)
            weight = _rule_weight(found, subject)
            for decl in rule.declarations:
                _apply_declaration(found, decl, contexts, "css", weight, rule.bounds)


def always_applying(sheets: list[str]) -> list[tuple[str, tuple[ast.Declaration, ...]]]:
    """The style rules in force whatever the viewport or state: (prelude, declarations)."""
    return [
        (rule.prelude, rule.declarations)
        for sheet in sheets
        for rule in _parse_stylesheet(sheet).rules
        if not rule.conditional
    ]


def apply_styles(found: Extraction, sheets: list[str], inline: dict[tuple[str, ElementKey], int]) -> None:
    """Stylesheet rules, then inline styles; custom properties from all of them are known
    before any value is resolved (first definition wins: stylesheets in order, then inline)."""
    stylesheets = [_parse_stylesheet(sheet) for sheet in sheets]
    inline_declarations = [
        (_inline_declarations(style), element_profile(key).contexts, count) for (style, key), count in inline.items()
    ]
    for stylesheet in stylesheets:
        if stylesheet.dark:
            found.color_schemes.add("dark")
        for name, value in stylesheet.variables:
            if name not in found.variables:
                found.variables[name] = list(value)
    for declarations, _, _ in inline_declarations:
        for decl in declarations:
            if decl.name.startswith("--") and decl.name not in found.variables:
                found.variables[decl.name] = list(decl.value)
    for stylesheet in stylesheets:
        _apply_rules(found, stylesheet.rules)
    for declarations, contexts, count in inline_declarations:
        for decl in declarations:
            _apply_declaration(found, decl, contexts, "style", count)
