"""The toolsets, as data. `--toolsets` picks among these names; `default` and `all` are keywords."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Toolset:
    name: str
    description: str
    default: bool


TOOLSETS: dict[str, Toolset] = {
    t.name: t
    for t in (
        Toolset("projects", "Projects and your own profile: create, open, list, update, archive, delete.", True),
        Toolset("design", "The design system: tokens that emerge from mockups, consistency checks, exports.", False),
        Toolset("pages", "Pages (screens) and their versioned HTML/CSS mockups.", True),
        Toolset(
            "visual", "See mockups: render them to PNG, compare versions pixel by pixel, check accessibility.", False
        ),
        Toolset(
            "versions", "Mockup history: roll a page back to a version, compare, annotate, delete versions.", False
        ),
        Toolset("features", "Features users described, linked to pages and journeys.", False),
        Toolset("flows", "User-journey flows: VueFlow canvases, nodes, analysis, Mermaid.", False),
        Toolset("entities", "The data model inferred from screens: entities, fields, relationships.", False),
        Toolset("wizard", "Wizard runs: phases, answers, decisions, outputs; LLM-driven runs.", False),
        Toolset("thinking", "The AI thinking chain: thoughts, dependencies, revisions, audits.", False),
        Toolset("context", "The context soup: screenshots, URLs, notes a user submitted.", False),
        Toolset(
            "portability",
            "Take a whole project out as one file (export_project) and bring it back or copy it (import_project).",
            False,
        ),
        Toolset("analytics", "Questions about a project: summaries, search, co-occurrence, CRUD matrix.", False),
    )
}

KEYWORD_DEFAULT = "default"
KEYWORD_ALL = "all"


class UnknownToolset(ValueError):
    pass


def resolve_toolsets(names: tuple[str, ...] | list[str]) -> list[str]:
    """Expand keywords and check every name; an unknown name stops the server with the valid ones."""
    chosen: list[str] = []
    for name in names:
        if name == KEYWORD_ALL:
            expanded = list(TOOLSETS)
        elif name == KEYWORD_DEFAULT:
            expanded = [t.name for t in TOOLSETS.values() if t.default]
        elif name in TOOLSETS:
            expanded = [name]
        else:
            valid = ", ".join([*TOOLSETS, KEYWORD_DEFAULT, KEYWORD_ALL])
            raise UnknownToolset(f"unknown toolset {name!r}; valid toolsets: {valid}.")
        chosen.extend(n for n in expanded if n not in chosen)
    return chosen
