"""What one extraction accumulates while it reads a page, and the bounds that keep the stored JSON
small whatever the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tinycss2 import ast

# Bounds that keep stored JSON small whatever the page.
MAX_COLORS = 64
MAX_SOURCES = 8
MAX_CLASS_SETS = 8
MAX_INTERACTIONS = 200
MAX_VARIABLES = 200
MAX_LABEL = 60


@dataclass(slots=True)
class ColorUse:
    count: int = 0
    contexts: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


ElementKey = tuple[str, str, tuple[tuple[str, str], ...]]  # a distinct element, as markup.scan_page counts them


@dataclass(slots=True)
class ComponentUse:
    count: int = 0
    class_sets: Counter[str] = field(default_factory=Counter)
    variants: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    backgrounds: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Extraction:
    colors: dict[str, ColorUse] = field(default_factory=dict)
    spacing: Counter[int] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    stacks: Counter[str] = field(default_factory=Counter)
    sizes: Counter[str] = field(default_factory=Counter)
    weights: Counter[int] = field(default_factory=Counter)
    radii: Counter[str] = field(default_factory=Counter)
    shadows: dict[str, ColorUse] = field(default_factory=dict)
    components: dict[str, ComponentUse] = field(default_factory=dict)
    states: Counter[str] = field(default_factory=Counter)
    screen_prefixes: Counter[str] = field(default_factory=Counter)
    media: Counter[tuple[float, float | None]] = field(default_factory=Counter)
    layouts: list[tuple[float, float | None, int]] = field(default_factory=list)
    color_schemes: set[str] = field(default_factory=set)
    variables: dict[str, list[ast.Node]] = field(default_factory=dict)
    interactions: dict[tuple[str, str, str, str | None], dict[str, Any]] = field(default_factory=dict)
    tag_counts: Counter[str] = field(default_factory=Counter)
    elements: dict[ElementKey, int] = field(default_factory=dict)
    class_counts: Counter[str] | None = None

    # -- recording -------------------------------------------------------------------------

    def color(self, hex_color: str, contexts: tuple[str, ...], source: str, count: int = 1) -> None:
        use = self.colors.get(hex_color)
        if use is None:
            use = self.colors[hex_color] = ColorUse()
        use.count += count
        use.contexts.update(contexts)
        if len(use.sources) < 4 * MAX_SOURCES:
            use.sources.add(source)

    def shadow(self, value: str, source: str, count: int = 1) -> None:
        use = self.shadows.get(value)
        if use is None:
            use = self.shadows[value] = ColorUse()
        use.count += count
        use.sources.add(source)

    def component(
        self,
        name: str,
        class_set: str,
        states: tuple[str, ...],
        background: str | None,
        count: int,
        variants: tuple[str, ...],
    ) -> None:
        use = self.components.get(name)
        if use is None:
            use = self.components[name] = ComponentUse()
        use.count += count
        if class_set:
            use.class_sets[class_set] += count
        use.states.update(states)
        use.variants.update(variants)
        if background:
            use.backgrounds[background] += count

    def interaction(self, item: dict[str, Any]) -> None:
        key = (item["trigger"], item["selector"], item["action"], item.get("target"))
        if key not in self.interactions and len(self.interactions) < MAX_INTERACTIONS:
            self.interactions[key] = item
