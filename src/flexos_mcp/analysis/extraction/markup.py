"""The HTML side of extraction: one pass over every element, counting distinct elements (tag,
classes, a few attributes) whose contribution (Tailwind utilities, presentation attributes,
components) is resolved once per distinct element, and the interactions (handlers, links, forms,
htmx) recorded on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode

from flexos_mcp.analysis import tailwind_data
from flexos_mcp.analysis.css_values import (
    color_of_token,
    normalize_value_text,
    px_key,
    significant,
)
from flexos_mcp.analysis.tailwind import Utility, parse_class

from .records import MAX_INTERACTIONS, MAX_LABEL, ElementKey, Extraction

_PRESENTATION_ATTRIBUTES = {"fill": "fill", "stroke": "stroke", "bgcolor": "background", "color": "text"}

TAG_COMPONENTS = {
    "button": "button",
    "nav": "nav",
    "form": "form",
    "select": "input",
    "textarea": "input",
    "table": "table",
    "dialog": "modal",
    "ul": "list",
    "ol": "list",
    "header": "header",
    "footer": "footer",
    "aside": "sidebar",
}
_ROLE_COMPONENTS = {
    "button": "button",
    "navigation": "nav",
    "dialog": "modal",
    "alertdialog": "modal",
    "list": "list",
    "banner": "header",
    "contentinfo": "footer",
    "tablist": "tabs",
    "alert": "alert",
    "search": "search",
    "progressbar": "progress",
    "menu": "menu",
}
_CLASS_COMPONENTS = {
    "btn": "button",
    "button": "button",
    "card": "card",
    "tile": "card",
    "nav": "nav",
    "navbar": "nav",
    "navigation": "nav",
    "menu": "menu",
    "modal": "modal",
    "dialog": "modal",
    "badge": "badge",
    "chip": "badge",
    "pill": "badge",
    "tag": "badge",
    "avatar": "avatar",
    "hero": "hero",
    "jumbotron": "hero",
    "header": "header",
    "footer": "footer",
    "table": "table",
    "list": "list",
    "form": "form",
    "input": "input",
    "select": "input",
    "textarea": "input",
    "checkbox": "input",
    "alert": "alert",
    "toast": "alert",
    "tabs": "tabs",
    "breadcrumb": "breadcrumb",
    "breadcrumbs": "breadcrumb",
    "pagination": "pagination",
    "sidebar": "sidebar",
    "dropdown": "dropdown",
    "rating": "rating",
    "stars": "rating",
    "tooltip": "tooltip",
    "spinner": "spinner",
    "progress": "progress",
    "search": "search",
}
_MODIFIER_WORDS = frozenset(
    "primary secondary tertiary ghost outline link danger success warning info light dark "
    "sm md lg xl small large block icon active disabled featured compact solid subtle".split()
)
_INPUT_BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
_HANDLER_PREFIXES = ("on", "@", "v-on:", "x-on:")
_HTMX_VERBS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")
PAGE_TAGS = frozenset({"html", "body", "main"})


@lru_cache(maxsize=8192)
def class_component(class_name: str) -> tuple[str | None, str | None]:
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
    tag: str, attrs: dict[str, Any], semantic: list[str], summary: _ClassSummary, has_h1: bool
) -> tuple[list[str], list[str]]:
    """(component names, variants) for one element, from tag, role, classes and styling."""
    names: set[str] = set()
    variants: set[str] = set()
    if tag in TAG_COMPONENTS:
        names.add(TAG_COMPONENTS[tag])
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
        name, variant = class_component(class_name)
        if name:
            names.add(name)
            if variant:
                variants.add(variant)
    styled_box = summary.background is not None and summary.padding and summary.rounded is not None
    if tag == "a" and styled_box:
        names.add("button")
    elif (
        tag in ("div", "article", "li", "section", "a")
        and summary.rounded is not None
        and (summary.shadow or summary.border)
        and summary.padding
        and not names
    ):
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


def _selector_for(tag: str, attrs: dict[str, Any], semantic: tuple[str, ...]) -> str:
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


def _label(node: LexborNode) -> str | None:
    text = " ".join((node.text(deep=True, separator=" ", strip=True) or "").split())
    return text[:MAX_LABEL] or None


def _inside_form(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "form":
            return True
        parent = parent.parent
    return False


def _handlers(attrs: dict[str, Any]) -> list[tuple[str, str]]:
    """Event-handler attributes with code: `onclick`, `@click`, `v-on:click`, `x-on:click`."""
    return [
        (name, value)
        for name, value in attrs.items()
        if name.startswith(_HANDLER_PREFIXES) and value and (not name.startswith("on") or len(name) > 2)
    ]


def _interaction_attempts(
    node: LexborNode, tag: str, attrs: dict[str, Any], scripted: bool
) -> list[tuple[str, str, str | None, str | None]]:
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
    tag: str, attrs: dict[str, Any], handlers: list[tuple[str, str]], toggle: str | None
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


def _link_attempt(attrs: dict[str, Any]) -> tuple[str, str, str | None, str | None] | None:
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


def _element_transition(attrs: dict[str, Any]) -> str | None:
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


def _record_interactions(
    found: Extraction, node: LexborNode, tag: str, attrs: dict[str, Any], class_attr: str, scripted: bool
) -> None:
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
        item: dict[str, str | None] = {"trigger": trigger, "selector": selector, "action": action}
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


@dataclass(frozen=True, slots=True)
class _Contribution:
    """What one element adds to the page totals, resolved once per distinct element so that
    applying it `count` times is a handful of additions, not a pass over its classes.

    `counted` pairs an `Extraction` counter's field name with the keys to add to it (repeats
    count twice); `colors` keep the order in which the element's classes and attributes name
    them, since the first sources of a colour are the ones kept."""

    counted: tuple[tuple[str, tuple[object, ...]], ...]  # (Extraction field, the keys it counts)
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
def element_profile(key: ElementKey) -> _Profile:
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
    if tag in PAGE_TAGS:
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


def _contribution(
    tag: str, utilities: list[Utility], contexts: tuple[str, ...], extra: dict[str, Any]
) -> _Contribution:
    """Resolve an element's tag, classes, Tailwind utilities (values, and variants as states
    and breakpoints) and presentation attributes into what they add to the page totals."""
    counted: dict[str, list[object]] = {"tag_counts": [tag]}
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
            colors.append((value, (utility.context, *contexts, *states), source))  # type: ignore[arg-type]  # Utility.value is object; a colour's is its hex
        elif kind == "spacing":
            if value:
                counted.setdefault("spacing", []).append(round(value))  # type: ignore[call-overload]  # a spacing value is px, a number
        elif kind == "font_size":
            counted.setdefault("sizes", []).append(px_key(value))  # type: ignore[arg-type]  # a font size is px, a number
        elif kind == "font_family":
            stack = tailwind_data.FONT_FAMILIES.get(utility.name or "", (str(value),))
            counted.setdefault("families", []).append(value)
            counted.setdefault("stacks", []).append(", ".join(stack))
        elif kind == "font_weight":
            counted.setdefault("weights", []).append(value)
        elif kind == "radius":
            counted.setdefault("radii", []).append(px_key(value))  # type: ignore[arg-type]  # a radius is px, a number
        elif kind == "shadow" and utility.name != "none":
            shadows.append((_shadow_text(value), source))
        elif kind == "grid_cols":
            low = float(max((tailwind_data.SCREENS_PX[s] for s in screens), default=0))
            layouts.append((low, None, value))  # type: ignore[arg-type]  # grid_cols' value is the column count
    colors.extend(_attribute_colors(tag, extra, contexts))
    return _Contribution(
        counted=tuple((name, tuple(keys)) for name, keys in counted.items() if keys),
        colors=tuple(colors),
        shadows=tuple(shadows),
        layouts=tuple(layouts),
        dark=dark,
    )


def _attribute_colors(
    tag: str, extra: dict[str, Any], contexts: tuple[str, ...]
) -> list[tuple[str, tuple[str, ...], str]]:
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

    elements: dict[ElementKey, int]
    inline: dict[tuple[str, ElementKey], int]
    sheets: list[str]


def scan_page(found: Extraction, tree: LexborHTMLParser) -> _PageScan:
    """One pass over every element, doing as little per node as possible: elements are only
    counted here, keyed by what defines them (tag, classes, a few attributes), and their
    profiles are applied once per distinct key afterwards. Interactions need the node itself
    and are recorded here until their cap; after it, the interaction checks are skipped."""
    elements: dict[ElementKey, int] = {}
    inline: dict[tuple[str, ElementKey], int] = {}
    sheets: list[str] = []
    interactions_open = True
    root = tree.root
    assert root is not None  # the parser always builds the <html> element
    for node in root.traverse(include_text=False):
        tag: str = node.tag  # type: ignore[assignment]  # without text nodes, every node is an element, with a tag
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
            key: ElementKey = (tag, class_attr, ())
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


def _profile_attributes(node: LexborNode, handling: int, attrs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
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


def apply_elements(found: Extraction, elements: dict[ElementKey, int]) -> None:
    """Add each distinct element's contribution and components, `count` times over."""
    found.elements = elements
    for key, count in elements.items():
        profile = element_profile(key)
        _apply_contribution(found, profile.contribution, count)
        for name in profile.components:
            found.component(name, profile.class_set, profile.states, profile.background, count, profile.variants)


def _apply_contribution(found: Extraction, contribution: _Contribution, count: int) -> None:
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
        summary.background = utility.value  # type: ignore[assignment]  # a colour's value is its hex
    elif kind == "radius":
        summary.rounded = utility.value  # type: ignore[assignment]  # a radius is px
    elif kind == "shadow":
        summary.shadow = utility.name != "none"
    elif kind == "spacing" and utility.name and utility.name.startswith("p"):
        summary.padding = True
    elif kind == "font_size":
        summary.font_size = utility.value  # type: ignore[assignment]  # a font size is px
    elif utility.utility.startswith("border") and kind in ("other", "color"):
        summary.border = True
