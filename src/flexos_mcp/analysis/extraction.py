"""Deterministic mockup extraction: what a page's HTML and CSS actually use.

`extract_mockup` reads colours, fonts, spacing, radii, shadows, breakpoints, components and
interactions from markup (parsed by Lexbor, tolerant of broken HTML), stylesheets and inline
styles (parsed by tinycss2) and Tailwind utility classes. No model, no network: the same input
always gives the same JSON, which is stored on the mockup row and feeds design-system emergence.

The document is walked once; class strings and inline styles are parsed once per distinct text,
so time grows linearly with page size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import tinycss2
from selectolax.lexbor import LexborHTMLParser
from tinycss2 import ast

from flexos_mcp.analysis import tailwind_data
from flexos_mcp.analysis.color_pairs import text_on_background
from flexos_mcp.analysis.css_values import (
    color_of_token,
    colors_in as _colors_in,
    has_var as _has_var,
    resolve_vars as _resolve_vars,
    font_stack,
    font_weight,
    infer_base_unit,
    length_px,
    media_bounds,
    normalize_value_text,
    parse_font_shorthand,
    px_key,
    significant,
    split_commas,
)
from flexos_mcp.analysis.tailwind import Utility, parse_class

# Bounds that keep stored JSON small whatever the page.
MAX_COLORS = 64
MAX_SOURCES = 8
MAX_CLASS_SETS = 8
MAX_INTERACTIONS = 200
MAX_VARIABLES = 200
MAX_LABEL = 60

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
_PRESENTATION_ATTRIBUTES = {"fill": "fill", "stroke": "stroke", "bgcolor": "background", "color": "text"}

_TAG_COMPONENTS = {
    "button": "button", "nav": "nav", "form": "form", "select": "input", "textarea": "input",
    "table": "table", "dialog": "modal", "ul": "list", "ol": "list", "header": "header",
    "footer": "footer", "aside": "sidebar",
}
_ROLE_COMPONENTS = {
    "button": "button", "navigation": "nav", "dialog": "modal", "alertdialog": "modal",
    "list": "list", "banner": "header", "contentinfo": "footer", "tablist": "tabs",
    "alert": "alert", "search": "search", "progressbar": "progress", "menu": "menu",
}
_CLASS_COMPONENTS = {
    "btn": "button", "button": "button", "card": "card", "tile": "card", "nav": "nav",
    "navbar": "nav", "navigation": "nav", "menu": "menu", "modal": "modal", "dialog": "modal",
    "badge": "badge", "chip": "badge", "pill": "badge", "tag": "badge", "avatar": "avatar",
    "hero": "hero", "jumbotron": "hero", "header": "header", "footer": "footer",
    "table": "table", "list": "list", "form": "form", "input": "input", "select": "input",
    "textarea": "input", "checkbox": "input", "alert": "alert", "toast": "alert", "tabs": "tabs",
    "breadcrumb": "breadcrumb", "breadcrumbs": "breadcrumb", "pagination": "pagination",
    "sidebar": "sidebar", "dropdown": "dropdown", "rating": "rating", "stars": "rating",
    "tooltip": "tooltip", "spinner": "spinner", "progress": "progress", "search": "search",
}
_MODIFIER_WORDS = frozenset(
    "primary secondary tertiary ghost outline link danger success warning info light dark "
    "sm md lg xl small large block icon active disabled featured compact solid subtle".split()
)
_INPUT_BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
_SELECTOR_TAG_COMPONENTS = {**_TAG_COMPONENTS, "a": "link", "input": "input"}
_HANDLER_PREFIXES = ("on", "@", "v-on:", "x-on:")
_HTMX_VERBS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")
_PAGE_TAGS = frozenset({"html", "body", "main"})
_RULE_STATES = frozenset({"hover", "focus", "active", "disabled", "focus-visible", "focus-within", "checked", "visited"})
_LAYOUT_NAMES = {1: "single-column", 2: "two-column", 3: "three-column", 4: "four-column"}
_RANGE_NAMES = ("mobile", "tablet", "laptop", "desktop", "wide")


@dataclass(slots=True)
class _ColorUse:
    count: int = 0
    contexts: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _ComponentUse:
    count: int = 0
    class_sets: Counter = field(default_factory=Counter)
    variants: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    backgrounds: Counter = field(default_factory=Counter)


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


@dataclass(slots=True)
class _Extraction:
    colors: dict[str, _ColorUse] = field(default_factory=dict)
    spacing: Counter = field(default_factory=Counter)
    families: Counter = field(default_factory=Counter)
    stacks: Counter = field(default_factory=Counter)
    sizes: Counter = field(default_factory=Counter)
    weights: Counter = field(default_factory=Counter)
    radii: Counter = field(default_factory=Counter)
    shadows: dict[str, _ColorUse] = field(default_factory=dict)
    components: dict[str, _ComponentUse] = field(default_factory=dict)
    states: Counter = field(default_factory=Counter)
    screen_prefixes: Counter = field(default_factory=Counter)
    media: Counter = field(default_factory=Counter)
    layouts: list[tuple[float, float | None, int]] = field(default_factory=list)
    color_schemes: set[str] = field(default_factory=set)
    variables: dict[str, list[ast.Node]] = field(default_factory=dict)
    interactions: dict[tuple, dict] = field(default_factory=dict)
    tag_counts: Counter = field(default_factory=Counter)
    elements: dict = field(default_factory=dict)
    class_counts: Counter | None = None

    # -- recording -------------------------------------------------------------------------

    def class_count(self, class_name: str) -> int:
        """Elements carrying a class. Counted from the distinct elements on first need: only
        stylesheet rules with class selectors ask, and Tailwind pages have few of those."""
        if self.class_counts is None:
            self.class_counts = Counter()
            for key, count in self.elements.items():
                for name in _profile(key).class_names:
                    self.class_counts[name] += count
        return self.class_counts[class_name]

    def color(self, hex_color: str, contexts: tuple[str, ...], source: str, count: int = 1) -> None:
        use = self.colors.get(hex_color)
        if use is None:
            use = self.colors[hex_color] = _ColorUse()
        use.count += count
        use.contexts.update(contexts)
        if len(use.sources) < 4 * MAX_SOURCES:
            use.sources.add(source)

    def shadow(self, value: str, source: str, count: int = 1) -> None:
        use = self.shadows.get(value)
        if use is None:
            use = self.shadows[value] = _ColorUse()
        use.count += count
        use.sources.add(source)

    def component(
        self, name: str, class_set: str, states: tuple[str, ...], background: str | None,
        count: int, variants: tuple[str, ...],
    ) -> None:
        use = self.components.get(name)
        if use is None:
            use = self.components[name] = _ComponentUse()
        use.count += count
        if class_set:
            use.class_sets[class_set] += count
        use.states.update(states)
        use.variants.update(variants)
        if background:
            use.backgrounds[background] += count

    def interaction(self, item: dict) -> None:
        key = (item["trigger"], item["selector"], item["action"], item.get("target"))
        if key not in self.interactions and len(self.interactions) < MAX_INTERACTIONS:
            self.interactions[key] = item


# -- CSS -------------------------------------------------------------------------------------


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
    nodes: list[ast.Node], bounds: tuple[tuple[str, float], ...], out: list[_Rule], schemes: set[str],
    conditional: bool = False,
) -> None:
    """Style rules out of a stylesheet, with the width bounds of their enclosing @media;
    `schemes` collects the colour schemes that media queries ask for."""
    for node in nodes:
        if node.type == "qualified-rule":
            contents = tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            )
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
            return first[0].int_value
        return None
    tracks = [t for t in parts if t.type in ("dimension", "percentage", "function") or (t.type == "ident" and t.lower_value in ("auto", "min-content", "max-content"))]
    return len(tracks) or None


def _apply_declaration(
    found: _Extraction,
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


def _record_stack(found: _Extraction, stack: list[str], count: int) -> None:
    if stack:
        found.families[stack[0]] += count
        found.stacks[", ".join(stack)] += count


def _rule_weight(found: _Extraction, subject: _Selector) -> int:
    """How many elements a rule's subject plausibly matches (at least one)."""
    if subject.classes:
        return max(1, min(found.class_count(c) for c in subject.classes))
    if subject.tag and subject.tag not in ("html", ":root", "*"):
        return max(1, found.tag_counts[subject.tag])
    return 1


def _selector_components(subject: _Selector) -> tuple[str, ...]:
    names = {_SELECTOR_TAG_COMPONENTS[subject.tag]} if subject.tag in _SELECTOR_TAG_COMPONENTS else set()
    if subject.tag in _PAGE_TAGS or "root" in subject.states:
        names.add("page")
    for class_name in subject.classes:
        name, _ = _class_component(class_name)
        if name:
            names.add(name)
    return tuple(sorted(names))


def _apply_rules(found: _Extraction, rules: tuple[_Rule, ...]) -> None:
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


# -- HTML ------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _class_component(class_name: str) -> tuple[str | None, str | None]:
    """(component, variant) named by a semantic class: `lesson-card` → card,
    `btn-primary` → (button, primary), `card__title` → nothing (a part, not the component)."""
    block, _, modifier = class_name.lower().partition("--")
    if "__" in block:
        return None, None
    words = [w for w in block.replace("_", "-").split("-") if w]
    if not words:
        return None, None
    if words[-1] in _CLASS_COMPONENTS:
        return _CLASS_COMPONENTS[words[-1]], modifier or None
    if words[0] in _CLASS_COMPONENTS and all(w in _MODIFIER_WORDS for w in words[1:]):
        return _CLASS_COMPONENTS[words[0]], (words[1] if len(words) > 1 else None) or modifier or None
    return None, None


@dataclass(slots=True)
class _ClassSummary:
    """What an element's Tailwind classes add up to, for component heuristics."""

    background: str | None = None
    rounded: float | None = None
    shadow: bool = False
    border: bool = False
    padding: bool = False
    font_size: float | None = None
    states: list[str] = field(default_factory=list)


def _element_components(
    tag: str, attrs: dict, semantic: list[str], summary: _ClassSummary, has_h1: bool
) -> tuple[list[str], list[str]]:
    """(component names, variants) for one element, from tag, role, classes and styling."""
    names: set[str] = set()
    variants: set[str] = set()
    if tag in _TAG_COMPONENTS:
        names.add(_TAG_COMPONENTS[tag])
    elif tag == "input":
        kind = (attrs.get("type") or "text").lower()
        if kind in _INPUT_BUTTON_TYPES:
            names.add("button")
        elif kind != "hidden":
            names.add("input")
    role = (attrs.get("role") or "").lower()
    if role in _ROLE_COMPONENTS:
        names.add(_ROLE_COMPONENTS[role])
    if attrs.get("aria-modal") == "true":
        names.add("modal")
    for class_name in semantic:
        name, variant = _class_component(class_name)
        if name:
            names.add(name)
            if variant:
                variants.add(variant)
    styled_box = summary.background is not None and summary.padding and summary.rounded is not None
    if tag == "a" and styled_box:
        names.add("button")
    elif tag in ("div", "article", "li", "section", "a") and summary.rounded is not None and (
        summary.shadow or summary.border
    ) and summary.padding and not names:
        names.add("card")
    if tag == "span" and styled_box and summary.font_size is not None and summary.font_size <= 14:
        names.add("badge")
    if tag == "img" and summary.rounded == 9999:
        names.add("avatar")
    if tag == "section" and has_h1:
        names.add("hero")
    return sorted(names), sorted(variants)


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _selector_for(tag: str, attrs: dict, semantic: tuple[str, ...]) -> str:
    """A stable selector a coding agent can use to find this element again."""
    element_id = attrs.get("id")
    if element_id:
        if element_id.replace("-", "").replace("_", "").isalnum() and not element_id[0].isdigit():
            return f"#{element_id}"
        return f"[id={_css_string(element_id)}]"
    for attribute in ("data-testid", "name"):
        if attrs.get(attribute):
            return f"{tag}[{attribute}={_css_string(attrs[attribute])}]"
    if semantic:
        return tag + "".join(f".{c}" for c in semantic[:2])
    for attribute in ("action", "href", "type", "aria-label"):
        if attrs.get(attribute):
            return f"{tag}[{attribute}={_css_string(attrs[attribute])}]"
    return tag


def _handler_action(code: str) -> str:
    """`openModal('x')` → `openModal`; anything that is not a plain call → `script`."""
    callee = code.strip().split("(", 1)[0].strip().removeprefix("return ").strip()
    plain = callee.replace(".", "").replace("_", "").replace("$", "")
    return callee if callee and plain.isalnum() and not callee[0].isdigit() else "script"


def _label(node) -> str | None:
    text = " ".join((node.text(deep=True, separator=" ", strip=True) or "").split())
    return text[:MAX_LABEL] or None


def _inside_form(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "form":
            return True
        parent = parent.parent
    return False


def _handlers(attrs: dict) -> list[tuple[str, str]]:
    """Event-handler attributes with code: `onclick`, `@click`, `v-on:click`, `x-on:click`."""
    return [
        (name, value) for name, value in attrs.items()
        if name.startswith(_HANDLER_PREFIXES) and value and (not name.startswith("on") or len(name) > 2)
    ]


def _interaction_attempts(node, tag: str, attrs: dict, scripted: bool) -> list[tuple[str, str, str | None, str | None]]:
    """(trigger, action, target, transition) for everything one element does, in the order they
    are recorded: handlers, htmx requests, toggles, then what its tag does. `scripted` says the
    element has attributes beyond the plain ones, so handlers are worth looking for. Computed
    before the selector so that elements that do nothing cost no selector."""
    if scripted:
        handlers = _handlers(attrs)
        toggle = attrs.get("data-bs-toggle") or attrs.get("data-toggle")
        attempts = _scripted_attempts(tag, attrs, handlers, toggle)
    else:
        handlers, toggle, attempts = [], None, []
    if tag == "form":
        attempts.append(("submit", "submit_form", attrs.get("action"), None))
    elif tag == "a":
        link = None if handlers else _link_attempt(attrs)
        if link:
            attempts.append(link)
    elif tag == "button" or (tag == "input" and (attrs.get("type") or "").lower() in _INPUT_BUTTON_TYPES):
        kind = (attrs.get("type") or ("submit" if tag == "button" else "")).lower()
        if kind in ("submit", "image") and _inside_form(node):
            attempts.append(("click", "submit_form", None, None))
        elif kind == "reset":
            attempts.append(("click", "reset_form", None, None))
        elif not handlers and not toggle and attrs.get("aria-controls"):
            attempts.append(("click", "toggle", attrs["aria-controls"], None))
    return attempts


def _scripted_attempts(
    tag: str, attrs: dict, handlers: list[tuple[str, str]], toggle: str | None
) -> list[tuple[str, str, str | None, str | None]]:
    """What an element's event handlers, htmx request attributes and Bootstrap-style toggle do."""
    attempts: list[tuple[str, str, str | None, str | None]] = []
    for name, code in handlers:
        event = name.removeprefix("v-on:").removeprefix("x-on:").lstrip("@")
        event = event[2:] if name.startswith("on") else event
        attempts.append((event.split(".")[0], _handler_action(code), None, None))
    for verb in _HTMX_VERBS:
        if attrs.get(verb):
            trigger = attrs.get("hx-trigger") or ("submit" if tag == "form" else "click")
            attempts.append((trigger, "request", attrs[verb], None))
    if toggle:
        target = attrs.get("data-bs-target") or attrs.get("data-target") or attrs.get("href")
        attempts.append(("click", f"toggle_{toggle}", target, None))
    return attempts


def _link_attempt(attrs: dict) -> tuple[str, str, str | None, str | None] | None:
    """What following a link does: scroll to an anchor, contact, navigate in or out of the app."""
    href = (attrs.get("href") or "").strip()
    if not href or href.lower().startswith("javascript:"):
        return None
    if href.startswith("#"):
        return ("click", "scroll", href, None) if len(href) > 1 else ("click", "none", None, None)
    if href.startswith(("mailto:", "tel:")):
        return "click", "contact", href, None
    external = href.startswith(("http://", "https://", "//"))
    new_tab = "new_tab" if (attrs.get("target") or "") == "_blank" else None
    return "click", "navigate_external" if external else "navigate", href, new_tab


def _element_transition(attrs: dict) -> str | None:
    """The state change an element announces by attributes: `data-transition`, or a loading
    state when it carries a loading text or `aria-busy`."""
    return attrs.get("data-transition") or (
        "loading_state" if attrs.get("data-loading-text") or attrs.get("aria-busy") else None
    )


@lru_cache(maxsize=8192)
def _semantic_classes(class_attr: str) -> tuple[str, ...]:
    """Classes that are not Tailwind utilities, in attribute order (repeats kept): what a
    readable selector is built from. Cached per class attribute, which pages repeat."""
    return tuple(c for c in class_attr.split() if parse_class(c) is None)


def _record_interactions(found: _Extraction, node, tag: str, attrs: dict, class_attr: str, scripted: bool) -> None:
    """Forms, buttons with handlers or submit roles, links, scripted elements: each new
    (trigger, selector, action, target) once, labelled with the element's text or aria-label."""
    attempts = _interaction_attempts(node, tag, attrs, scripted)
    if not attempts:
        return
    selector = _selector_for(tag, attrs, _semantic_classes(class_attr))
    transition = _element_transition(attrs) if scripted else None
    label: str | None = None
    labelled = False
    for trigger, action, target, transition_to in attempts:
        if (trigger, selector, action, target) in found.interactions:
            continue
        item = {"trigger": trigger, "selector": selector, "action": action}
        if transition_to or transition:
            item["transition"] = transition_to or transition
        if target:
            item["target"] = target
        if not labelled:
            label = _label(node) if tag in ("a", "button") else attrs.get("aria-label")
            labelled = True
        if label:
            item["label"] = label
        found.interaction(item)


_SKIPPED_TAGS = frozenset({"script", "template", "noscript", "-comment", "-text", "!doctype", "_comment"})
# Attributes that change what an element is (component, colour); part of its profile key.
_PROFILE_ATTRIBUTES = frozenset({"role", "type", "aria-modal", "disabled", "fill", "stroke", "bgcolor", "color"})
# Attributes that never make an element interactive: skip the interaction check for them.
_PLAIN_ATTRIBUTES = frozenset(
    "class id style src alt title lang dir charset rel placeholder min max rows cols required "
    "maxlength minlength for value name type role width height loading autocomplete accept "
    "method enctype novalidate tabindex hidden content http-equiv viewbox xmlns d fill stroke "
    "aria-label aria-labelledby aria-hidden aria-describedby colspan rowspan scope selected "
    "checked disabled multiple step pattern size label datetime srcset sizes target href "
    "action".split()
)
_INTERACTIVE_TAGS = frozenset({"form", "button", "a", "input"})

_ElementKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class _Contribution:
    """What one element adds to the page totals, resolved once per distinct element so that
    applying it `count` times is a handful of additions, not a pass over its classes.

    `counted` pairs an `_Extraction` counter's field name with the keys to add to it (repeats
    count twice); `colors` keep the order in which the element's classes and attributes name
    them, since the first sources of a colour are the ones kept."""

    counted: tuple[tuple[str, tuple], ...]
    colors: tuple[tuple[str, tuple[str, ...], str], ...]
    shadows: tuple[tuple[str, str], ...]
    layouts: tuple[tuple[float, None, int], ...]
    dark: bool


@dataclass(frozen=True, slots=True)
class _Profile:
    """Everything an element contributes that depends only on its tag, classes and a few
    attributes: computed once per distinct element, applied with a count."""

    class_names: tuple[str, ...]
    components: tuple[str, ...]
    variants: tuple[str, ...]
    contexts: tuple[str, ...]
    states: tuple[str, ...]
    background: str | None
    class_set: str
    contribution: _Contribution


@lru_cache(maxsize=16384)
def _profile(key: _ElementKey) -> _Profile:
    tag, class_attr, extra_items = key
    extra = dict(extra_items)
    class_names = tuple(dict.fromkeys(class_attr.split()))
    semantic: list[str] = []
    utilities: list[Utility] = []
    summary = _ClassSummary()
    for class_name in class_names:
        utility = parse_class(class_name)
        if utility is None:
            semantic.append(class_name)
        else:
            utilities.append(utility)
            _summarise(summary, utility)
    components, variants = _element_components(tag, extra, semantic, summary, "h1" in extra)
    contexts = tuple(components) + (("link",) if tag == "a" and "button" not in components else ())
    if tag in _PAGE_TAGS:
        contexts += ("page",)
    return _Profile(
        class_names=class_names,
        components=tuple(components),
        variants=tuple(variants),
        contexts=contexts,
        states=tuple(dict.fromkeys(summary.states + (["disabled"] if "disabled" in extra else []))),
        background=summary.background,
        class_set=" ".join(class_names),
        contribution=_contribution(tag, utilities, contexts, extra),
    )


def _contribution(tag: str, utilities: list[Utility], contexts: tuple[str, ...], extra: dict) -> _Contribution:
    """Resolve an element's tag, classes, Tailwind utilities (values, and variants as states
    and breakpoints) and presentation attributes into what they add to the page totals."""
    counted: dict[str, list] = {"tag_counts": [tag]}
    colors: list[tuple[str, tuple[str, ...], str]] = []
    shadows: list[tuple[str, str]] = []
    layouts: list[tuple[float, None, int]] = []
    dark = False
    for utility in utilities:
        screens: list[str] = []
        states: list[str] = []
        if utility.variants:
            screens = [v for v in utility.variants if v in tailwind_data.SCREENS_PX]
            states = [v for v in utility.variants if v not in tailwind_data.SCREENS_PX]
            counted.setdefault("screen_prefixes", []).extend(screens)
            counted.setdefault("states", []).extend(states)
            dark = dark or "dark" in states
        kind, value = utility.kind, utility.value
        source = f"tailwind:{utility.utility}"
        if kind == "color":
            colors.append((value, (utility.context, *contexts, *states), source))  # type: ignore[arg-type]
        elif kind == "spacing":
            if value:
                counted.setdefault("spacing", []).append(round(value))  # type: ignore[arg-type]
        elif kind == "font_size":
            counted.setdefault("sizes", []).append(px_key(value))  # type: ignore[arg-type]
        elif kind == "font_family":
            stack = tailwind_data.FONT_FAMILIES.get(utility.name or "", (value,))
            counted.setdefault("families", []).append(value)
            counted.setdefault("stacks", []).append(", ".join(stack))
        elif kind == "font_weight":
            counted.setdefault("weights", []).append(value)
        elif kind == "radius":
            counted.setdefault("radii", []).append(px_key(value))  # type: ignore[arg-type]
        elif kind == "shadow" and utility.name != "none":
            shadows.append((_shadow_text(value), source))  # type: ignore[arg-type]
        elif kind == "grid_cols":
            low = float(max((tailwind_data.SCREENS_PX[s] for s in screens), default=0))
            layouts.append((low, None, value))  # type: ignore[arg-type]
    colors.extend(_attribute_colors(tag, extra, contexts))
    return _Contribution(
        counted=tuple((name, tuple(keys)) for name, keys in counted.items() if keys),
        colors=tuple(colors),
        shadows=tuple(shadows),
        layouts=tuple(layouts),
        dark=dark,
    )


def _attribute_colors(tag: str, extra: dict, contexts: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], str]]:
    """Colours set by presentation attributes (`fill`, `stroke`, `bgcolor`, `<font color>`)."""
    colors = []
    for attribute, context in _PRESENTATION_ATTRIBUTES.items():
        value = extra.get(attribute)
        if value and (attribute != "color" or tag == "font"):
            color = _normalize_attribute_color(value)
            if color:
                colors.append((color, (context, *contexts), f"attr:{attribute}"))
    return colors


# How the walk treats a tag beyond counting it.
_COUNTED, _SKIPPED, _STYLE, _SECTION, _INTERACTIVE = range(5)


def _tag_handling(tag: str) -> int:
    if tag in _SKIPPED_TAGS or tag[0] in "-!_":
        return _SKIPPED
    if tag == "style":
        return _STYLE
    if tag == "section":
        return _SECTION
    return _INTERACTIVE if tag in _INTERACTIVE_TAGS else _COUNTED


# Tag → handling, filled as tags are met: one dictionary look-up per node instead of a chain
# of tag tests. Bounded, since custom element names are unbounded.
_TAG_HANDLING: dict[str, int] = {}
_MAX_TAG_HANDLING = 2048


def _handling_of(tag: str) -> int:
    handling = _tag_handling(tag)
    if len(_TAG_HANDLING) < _MAX_TAG_HANDLING:
        _TAG_HANDLING[tag] = handling
    return handling


@dataclass(slots=True)
class _PageScan:
    """What one pass over the document collects besides interactions: distinct element keys
    and (inline style, element key) pairs with their counts, in order of first appearance,
    and the text of the page's `<style>` elements."""

    elements: dict[_ElementKey, int]
    inline: dict[tuple[str, _ElementKey], int]
    sheets: list[str]


def _scan(found: _Extraction, tree: LexborHTMLParser) -> _PageScan:
    """One pass over every element, doing as little per node as possible: elements are only
    counted here, keyed by what defines them (tag, classes, a few attributes), and their
    profiles are applied once per distinct key afterwards. Interactions need the node itself
    and are recorded here until their cap; after it, the interaction checks are skipped."""
    elements: dict[_ElementKey, int] = {}
    inline: dict[tuple[str, _ElementKey], int] = {}
    sheets: list[str] = []
    interactions_open = True
    for node in tree.root.traverse(include_text=False):
        tag = node.tag
        handling = _TAG_HANDLING.get(tag)
        if handling is None:
            handling = _handling_of(tag)
        if handling == _SKIPPED:
            continue
        if handling == _STYLE:
            sheets.append(node.text(deep=True) or "")
            continue
        attrs = node.attributes
        class_attr = attrs.get("class") or ""
        if handling == _COUNTED and len(attrs) == (1 if class_attr else 0):
            # The common case (no attributes, or only classes) takes no further look-ups.
            key = (tag, class_attr, ())
            elements[key] = elements.get(key, 0) + 1
            continue
        if handling != _SECTION and _PROFILE_ATTRIBUTES.isdisjoint(attrs):
            key = (tag, class_attr, ())
        else:
            key = (tag, class_attr, _profile_attributes(node, handling, attrs))
        elements[key] = elements.get(key, 0) + 1
        style = attrs.get("style")
        if style:
            inline_key = (style, key)
            inline[inline_key] = inline.get(inline_key, 0) + 1
        if not interactions_open:
            continue
        scripted = not _PLAIN_ATTRIBUTES.issuperset(attrs)
        if scripted or handling == _INTERACTIVE:
            _record_interactions(found, node, tag, attrs, class_attr, scripted)
            interactions_open = len(found.interactions) < MAX_INTERACTIONS
    return _PageScan(elements, inline, sheets)


def _profile_attributes(node, handling: int, attrs: dict) -> tuple[tuple[str, str], ...]:
    """The attributes that are part of an element's key, in attribute order, plus a marker
    for a `<section>` holding an `<h1>` (a hero). Most elements carry one such attribute
    (`type`, `role`), which needs no ordering pass."""
    present = _PROFILE_ATTRIBUTES.intersection(attrs)
    if len(present) == 1:
        (name,) = present
        extra: tuple[tuple[str, str], ...] = ((name, attrs[name] or ""),)
    else:
        extra = tuple([(name, value or "") for name, value in attrs.items() if name in present])
    if handling == _SECTION and node.css_first("h1") is not None:
        extra += (("h1", ""),)
    return extra


def _apply_elements(found: _Extraction, elements: dict) -> None:
    """Add each distinct element's contribution and components, `count` times over."""
    found.elements = elements
    for key, count in elements.items():
        profile = _profile(key)
        _apply_contribution(found, profile.contribution, count)
        for name in profile.components:
            found.component(name, profile.class_set, profile.states, profile.background, count, profile.variants)


def _apply_contribution(found: _Extraction, contribution: _Contribution, count: int) -> None:
    for field_name, keys in contribution.counted:
        counter = getattr(found, field_name)
        for key in keys:
            # `get` rather than `+=`: a Counter's missing-key hook is a Python call per new key.
            counter[key] = counter.get(key, 0) + count
    for color, contexts, source in contribution.colors:
        found.color(color, contexts, source, count)
    for value, source in contribution.shadows:
        found.shadow(value, source, count)
    found.layouts.extend(contribution.layouts)
    if contribution.dark:
        found.color_schemes.add("dark")


@lru_cache(maxsize=64)
def _shadow_text(value: str) -> str:
    return normalize_value_text(tinycss2.parse_component_value_list(value))


def _normalize_attribute_color(value: str) -> str | None:
    tokens = significant(tinycss2.parse_component_value_list(value))
    return color_of_token(tokens[0]) if len(tokens) == 1 else None


def _summarise(summary: _ClassSummary, utility: Utility) -> None:
    if utility.variants:
        summary.states.extend(v for v in utility.variants if v not in tailwind_data.SCREENS_PX)
        return
    kind = utility.kind
    if kind == "color" and utility.context == "background":
        summary.background = utility.value  # type: ignore[assignment]
    elif kind == "radius":
        summary.rounded = utility.value  # type: ignore[assignment]
    elif kind == "shadow":
        summary.shadow = utility.name != "none"
    elif kind == "spacing" and utility.name and utility.name.startswith("p"):
        summary.padding = True
    elif kind == "font_size":
        summary.font_size = utility.value  # type: ignore[assignment]
    elif utility.utility.startswith("border") and kind in ("other", "color"):
        summary.border = True


# -- results ---------------------------------------------------------------------------------


def _ranked(counter: Counter) -> list:
    return [key for key, _ in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _breakpoints(found: _Extraction) -> dict:
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
    result: dict[str, dict] = {}
    for index, name in enumerate(names[: len(merged) + 1]):
        low = merged[index - 1] if index else 0
        high = merged[index] - 1 if index < len(merged) else None
        entry: dict = {}
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
        (l, h, c) for l, h, c in layouts
        if l <= low + 2 and (h is None or (high is not None and h >= high - 2))
    ]
    if not applicable:
        return None
    best = max(applicable, key=lambda item: (item[0], -(item[1] if item[1] is not None else 1e9)))
    columns = Counter(c for l, h, c in applicable if (l, h) == best[:2])
    count = max(columns.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return _LAYOUT_NAMES.get(count, f"{count}-column")


def _color_table(found: _Extraction) -> dict[str, dict]:
    ranked = sorted(found.colors.items(), key=lambda kv: (-kv[1].count, kv[0]))[:MAX_COLORS]
    return {
        hex_color: {
            "count": use.count,
            "contexts": sorted(use.contexts),
            "sources": sorted(use.sources)[:MAX_SOURCES],
        }
        for hex_color, use in ranked
    }


def _component_table(found: _Extraction) -> dict[str, dict]:
    return {
        name: {
            "count": use.count,
            "class_sets": [c for c, _ in sorted(use.class_sets.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CLASS_SETS]],
            "variants": sorted(use.variants),
            "states": sorted(use.states),
            "background_colors": _ranked(use.backgrounds)[:MAX_SOURCES],
        }
        for name, use in sorted(found.components.items())
    }


def _variable_table(found: _Extraction) -> dict[str, str]:
    table: dict[str, str] = {}
    for name in sorted(found.variables)[:MAX_VARIABLES]:
        tokens = _resolve_vars(found.variables[name], found.variables)
        parts = significant(tokens)
        color = color_of_token(parts[0]) if len(parts) == 1 else None
        table[name] = color or tinycss2.serialize(tokens).strip()
    return table


def extract_mockup(html: str, css: str | None = None) -> dict:
    """Everything a mockup's HTML and CSS use, as JSON for the mockup row.

    Returns `{"extracted_patterns": {...}, "responsive_rules": {...}, "interactions": [...]}`;
    `extracted_patterns` carries the seed keys (`colors_used`, `components_detected`,
    `spacing_analysis`) and the detail behind them (`colors`, `fonts`, `radii`, `shadows`,
    `components`, `css_variables`, `states`), and `color_pairs`: which text colour sits on which
    background (analysis/color_pairs.py).
    """
    found = _Extraction()
    tree = LexborHTMLParser(html or "")
    scan = _scan(found, tree)
    _apply_elements(found, scan.elements)
    sheets = scan.sheets + [css] if css else scan.sheets
    _apply_styles(found, sheets, scan.inline)
    patterns = _patterns(found)
    patterns["color_pairs"] = text_on_background(tree, _always_applying(sheets), found.variables)
    return {
        "extracted_patterns": patterns,
        "responsive_rules": _responsive_rules(found),
        "interactions": list(found.interactions.values()),
    }


def _always_applying(sheets: list[str]) -> list[tuple[str, tuple[ast.Declaration, ...]]]:
    """The style rules in force whatever the viewport or state: (prelude, declarations)."""
    return [(rule.prelude, rule.declarations) for sheet in sheets for rule in _parse_stylesheet(sheet).rules
            if not rule.conditional]


def _apply_styles(found: _Extraction, sheets: list[str], inline: dict[tuple[str, _ElementKey], int]) -> None:
    """Stylesheet rules, then inline styles; custom properties from all of them are known
    before any value is resolved (first definition wins: stylesheets in order, then inline)."""
    stylesheets = [_parse_stylesheet(sheet) for sheet in sheets]
    inline_declarations = [
        (_inline_declarations(style), _profile(key).contexts, count) for (style, key), count in inline.items()
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


def _patterns(found: _Extraction) -> dict:
    """`extracted_patterns`: ranked and sorted tables of what the page uses."""
    spacing = infer_base_unit(found.spacing)
    spacing["counts"] = {str(v): found.spacing[v] for v in sorted(found.spacing) if v > 0}
    colors = _color_table(found)
    components = _component_table(found)
    patterns = {
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
    }
    return patterns


def _responsive_rules(found: _Extraction) -> dict:
    """`responsive_rules`: named breakpoints, media queries, Tailwind prefixes, colour schemes."""
    responsive: dict = {}
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


def _key_diff(old: dict, new: dict) -> dict:
    old_keys, new_keys = set(old), set(new)
    return {"added": sorted(new_keys - old_keys), "removed": sorted(old_keys - new_keys)}


def diff_patterns(old: dict, new: dict) -> dict:
    """What changed between two mockup versions' `extracted_patterns`: colours, fonts, sizes,
    radii, shadows and components added and removed, component counts and the spacing base."""
    def table(patterns: dict, *path: str) -> dict:
        value = patterns or {}
        for key in path:
            value = value.get(key) or {}
        return value if isinstance(value, dict) else {}

    old_colors = table(old, "colors") or dict.fromkeys((old or {}).get("colors_used", []), {})
    new_colors = table(new, "colors") or dict.fromkeys((new or {}).get("colors_used", []), {})
    old_components, new_components = table(old, "components"), table(new, "components")
    if not old_components and not new_components:
        old_components = dict.fromkeys((old or {}).get("components_detected", []), {})
        new_components = dict.fromkeys((new or {}).get("components_detected", []), {})
    count_changes = {
        name: {"old": old_components[name].get("count"), "new": new_components[name].get("count")}
        for name in sorted(set(old_components) & set(new_components))
        if old_components[name].get("count") != new_components[name].get("count")
    }
    old_base = table(old, "spacing_analysis").get("base_unit")
    new_base = table(new, "spacing_analysis").get("base_unit")
    result = {
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
    result["changed"] = any(
        part.get("added") or part.get("removed") for part in result.values() if isinstance(part, dict)
    ) or bool(count_changes) or old_base != new_base
    return result
