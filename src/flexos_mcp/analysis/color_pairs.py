"""Which text colour sits on which background in a mockup, read from its markup and styles.

For every element with text of its own, the colour of that text and the colour painted behind
it, as a browser would cascade them: text colour inherits down the tree, the background is the
nearest one painted by the element or an ancestor (a translucent one blended over what is
beneath), and the page starts as black on white. What an element declares comes from, weakest
first: stylesheet rules by specificity and order, then Tailwind utilities (`text-slate-600`,
`bg-white`), then its `style` attribute. Only rules that always apply are read — not those inside
@media, hover states or pseudo-elements — so this is the page as it first shows. A background
image or gradient hides the colour behind the text; text over one is left out rather than
guessed. The rendered check (axe-core's colour-contrast rule) sees the real pixels; this is the
cheap, browserless view that the design system's token contrast is built from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TypedDict

import tinycss2
from selectolax.lexbor import LexborHTMLParser
from tinycss2 import ast

from flexos_mcp.analysis.contrast import composite
from flexos_mcp.analysis.css_values import colors_in, has_var, resolve_vars, significant
from flexos_mcp.analysis.tailwind import parse_class

MAX_PAIRS = 24
MAX_SELECTORS = 300
DEFAULT_TEXT, DEFAULT_BACKGROUND = "#000000", "#FFFFFF"
UNKNOWN = "unknown"  # a background image or gradient: the colour behind the text is not known

_SKIPPED = frozenset({"head", "script", "style", "template", "noscript", "svg", "title", "meta", "link"})
_TAILWIND = (0, 1, 0)  # a utility class is one class selector, and comes after the page's own stylesheets
_BACKGROUND_PROPERTIES = ("background", "background-color")
_NOTHING: tuple[None, None] = (None, None)


class ColorPair(TypedDict):
    text: str  # #RRGGBB, or #RRGGBBAA for translucent text
    background: str  # #RRGGBB: what the text is painted over
    count: int  # elements with their own text in this pair


Paint = tuple[str | None, str | None]  # (text colour, background) an element declares; None = not declared


def _paint_of(declarations: Iterable[ast.Declaration], variables: Mapping[str, list[ast.Node]]) -> Paint:
    text = background = None
    for decl in declarations:
        name = decl.lower_name
        if name != "color" and name not in _BACKGROUND_PROPERTIES:
            continue
        values = significant(resolve_vars(decl.value, variables) if has_var(decl.value) else decl.value)
        found = colors_in(values)
        if name == "color":
            text = found[0] if found else text
        elif any(
            t.type == "url"
            or (
                t.type == "function"
                and ("gradient" in t.lower_name or "image" in t.lower_name or t.lower_name == "url")
            )
            for t in values
        ):
            background = UNKNOWN
        elif found:
            background = found[-1]
    return text, background


@lru_cache(maxsize=4096)
def _inline_declarations(style: str) -> tuple[ast.Declaration, ...]:
    nodes = tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True)
    return tuple(n for n in nodes if n.type == "declaration")


@lru_cache(maxsize=8192)
def _class_paint(class_attr: str) -> Paint:
    """What an element's Tailwind utilities paint, without variants (hover:, md:, dark: ...)."""
    text: str | None = None
    background: str | None = None
    for name in class_attr.split():
        if name.startswith("bg-gradient-") or name.startswith("bg-[url"):
            background = UNKNOWN
            continue
        utility = parse_class(name)
        if utility is None or utility.variants or utility.kind != "color":
            continue
        colour = utility.value
        assert isinstance(colour, str)  # a colour utility's value is its hex
        if utility.context == "text":
            text = colour
        elif utility.context == "background":
            background = colour
    return text, background


def _specificity(selector: str) -> tuple[int, int, int]:
    ids = classes = types = 0
    previous = None
    for token in tinycss2.parse_component_value_list(selector):
        if token.type == "hash":
            ids += 1
        elif token.type == "[] block" or (
            token.type == "ident" and previous is not None and previous.type == "literal" and previous.value in ".:"
        ):
            classes += 1
        elif token.type == "ident":
            types += 1
        previous = token
    return ids, classes, types


def _plain_selectors(prelude: str) -> list[str]:
    """The selectors of a rule that apply to the page as it first shows (no states, no
    pseudo-elements); `:root` is the html element."""
    selectors = []
    for part in prelude.split(","):
        selector = part.strip().replace(":root", "html")
        if selector and ":" not in selector:
            selectors.append(selector)
    return selectors


def _rule_matches(
    tree: LexborHTMLParser,
    rules: Iterable[tuple[str, Sequence[ast.Declaration]]],
    variables: Mapping[str, list[ast.Node]],
) -> dict[int, list[tuple[tuple[int, int, int], int, Paint]]]:
    """Element (by identity) -> the paints of the rules that select it, with their weight."""
    matches: dict[int, list[tuple[tuple[int, int, int], int, Paint]]] = {}
    tried = 0
    for order, (prelude, declarations) in enumerate(rules):
        paint = _paint_of(declarations, variables)
        if paint == (None, None):
            continue
        for selector in _plain_selectors(prelude):
            tried += 1
            if tried > MAX_SELECTORS:
                return matches
            try:
                nodes = tree.css(selector)
            except Exception:  # a selector the engine does not support: leave the rule out
                continue
            weight = _specificity(selector)
            for node in nodes:
                matches.setdefault(node.mem_id, []).append((weight, order, paint))
    return matches


def _declared(candidates: list[tuple[tuple[int, int, int], int, Paint]], index: int) -> str | None:
    best = None
    for weight, order, paint in candidates:
        if paint[index] is not None and (best is None or (weight, order) >= best[0]):
            best = ((weight, order), paint[index])
    return best[1] if best else None


def text_on_background(
    tree: LexborHTMLParser,
    rules: Iterable[tuple[str, Sequence[ast.Declaration]]],
    variables: Mapping[str, list[ast.Node]],
) -> list[ColorPair]:
    """The (text, background) pairs of a parsed page, most used first (at most MAX_PAIRS).
    `rules` are the page's always-applying style rules in document order, as (prelude,
    declarations); `variables` its custom properties (for `var()`).

    One depth-first walk that carries each element's colours down to its children, and reads
    its text children on the way (an element counts once, if one of them is not blank): no
    look-up of a node's parent and no text extraction per element, which made this walk cost
    more than the rest of a mockup's extraction on large Tailwind pages."""
    matches = _rule_matches(tree, rules, variables)
    counts: Counter[tuple[str, str]] = Counter()
    root = tree.root
    stack = [(root, (DEFAULT_TEXT, DEFAULT_BACKGROUND))] if root is not None and root.tag not in _SKIPPED else []
    while stack:
        node, outer = stack.pop()
        attributes = node.attributes
        class_attr = attributes.get("class")
        ruled = matches.get(node.mem_id) if matches else None
        if ruled is None:  # the common case: classes only
            text, background = _class_paint(class_attr) if class_attr else _NOTHING
        else:
            candidates = [*ruled, (_TAILWIND, MAX_SELECTORS, _class_paint(class_attr))] if class_attr else ruled
            text, background = _declared(candidates, 0), _declared(candidates, 1)
        style = attributes.get("style")
        if style:
            inline_text, inline_background = _paint_of(_inline_declarations(style), variables)
            text, background = inline_text or text, inline_background or background
        if text is None and background is None:
            effective = outer
        else:
            effective = (text or outer[0], outer[1] if background is None else _behind(background, outer[1]))
        counted = effective[1] == UNKNOWN  # text over an image or gradient is left out
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                if not counted and (content := child.text_content) and not content.isspace():
                    counts[effective] += 1
                    counted = True
            elif tag is not None and tag not in _SKIPPED and tag[0] not in "-!_":
                stack.append((child, effective))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PAIRS]
    return [ColorPair(text=text, background=background, count=count) for (text, background), count in ranked]


def _behind(declared: str, outer: str) -> str:
    """The background an element's text is painted over, given the one it declares."""
    if declared == UNKNOWN or len(declared) == 7:
        return declared
    if outer == UNKNOWN:
        return UNKNOWN
    if declared.endswith("00"):  # fully transparent: what is beneath shows
        return outer
    return composite(declared, outer)[:7]
