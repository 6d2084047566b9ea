"""The AI thinking chain as a graph: pre-write checks and renderings for people.

`ai_thinking_chain.depends_on` links each thought to the thoughts it builds on; the seed schema
keeps no integrity over those arrays, so the server checks them itself. The database walks the
graph with recursive SQL; these pure helpers cover what happens around it: refusing a link that
would close a cycle (with the cycle spelled out, so the error is actionable), keeping `leads_to`
the exact mirror of `depends_on`, and rendering a run's reasoning as an indented text tree or a
Mermaid flowchart so a person can audit and correct it.

Thought dicts have the shape of `ai_thinking_chain` rows: `{"id", "thought_type", "reasoning",
"confidence", "status", "depends_on", "needs_answer", "needs_review", "is_assumption"}`
(`needs_review` may be left out). Pass them in creation
order: the renderings number thoughts `#1..#n` in that order and list children in it.
"""

from __future__ import annotations

import textwrap
from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ThoughtId = Hashable

OPEN_STATUS = "active"


def would_create_cycle(
    edges: Mapping[ThoughtId, Sequence[ThoughtId]],
    new_id: ThoughtId,
    new_deps: Sequence[ThoughtId],
) -> list[ThoughtId] | None:
    """The dependency cycle that giving `new_id` the dependencies `new_deps` would close, or None.

    `edges` maps each thought to its `depends_on`; an entry for `new_id` itself is replaced by
    `new_deps` (so this also checks an update). The answer is the shortest cycle, starting and
    ending at `new_id`, each element depending on the next: `[c, a, b, c]` means c would depend on
    a, a depends on b and b depends on c. Ties are broken by the order of the dependency lists.
    """
    came_from: dict[ThoughtId, ThoughtId] = {}
    queue: deque[ThoughtId] = deque()
    for dep in new_deps:
        if dep == new_id:
            return [new_id, new_id]
        if dep not in came_from:
            came_from[dep] = new_id
            queue.append(dep)
    while queue:
        node = queue.popleft()
        for dep in edges.get(node, ()):
            if dep == new_id:
                chain = [node]
                while came_from[chain[-1]] != new_id:
                    chain.append(came_from[chain[-1]])
                return [new_id, *reversed(chain), new_id]
            if dep not in came_from:
                came_from[dep] = node
                queue.append(dep)
    return None


def mirror_leads_to(depends_on: Mapping[ThoughtId, Sequence[ThoughtId]]) -> dict[ThoughtId, list[ThoughtId]]:
    """`leads_to` for every thought, as the exact mirror of `depends_on`.

    `y in result[x]` exactly when `x in depends_on[y]`. Every thought named anywhere gets a key
    (an empty list when nothing builds on it): the input's keys first, then dependencies that are
    not keys, in order of first mention. Dependents are listed in the input's order, once each.
    """
    leads_to: dict[ThoughtId, list[ThoughtId]] = {thought: [] for thought in depends_on}
    for thought, deps in depends_on.items():
        for dep in deps:
            dependents = leads_to.setdefault(dep, [])
            if thought not in dependents:
                dependents.append(thought)
    return leads_to


@dataclass(frozen=True)
class _Thought:
    id: ThoughtId
    number: int
    thought_type: str
    reasoning: str
    confidence: float | None
    status: str
    depends_on: tuple[ThoughtId, ...]
    needs_answer: bool
    needs_review: bool
    is_assumption: bool

    @property
    def is_open_question(self) -> bool:
        return self.thought_type == "question" and self.status == OPEN_STATUS


def _read_thoughts(thoughts: Sequence[Mapping[str, Any]]) -> list[_Thought]:
    """Normalise the input once: numbering, collapsed whitespace, links kept inside the set."""
    known: set[ThoughtId] = set()
    for position, thought in enumerate(thoughts, start=1):
        for field in ("id", "thought_type", "reasoning"):
            if thought.get(field) is None:
                raise ValueError(f"thought #{position} has no '{field}'")
        if thought["id"] in known:
            raise ValueError(f"thought #{position}: id {thought['id']!r} appears twice")
        known.add(thought["id"])
    result = []
    for position, thought in enumerate(thoughts, start=1):
        deps = []
        for dep in thought.get("depends_on") or ():
            if dep in known and dep not in deps:
                deps.append(dep)
        confidence = thought.get("confidence")
        result.append(
            _Thought(
                id=thought["id"],
                number=position,
                thought_type=str(thought["thought_type"]),
                reasoning=" ".join(str(thought["reasoning"]).split()),
                confidence=None if confidence is None else float(confidence),
                status=str(thought.get("status") or OPEN_STATUS),
                depends_on=tuple(deps),
                needs_answer=bool(thought.get("needs_answer")),
                needs_review=bool(thought.get("needs_review")),
                is_assumption=bool(thought.get("is_assumption")),
            )
        )
    return result


def _children(thoughts: list[_Thought]) -> dict[ThoughtId, list[_Thought]]:
    children: dict[ThoughtId, list[_Thought]] = {thought.id: [] for thought in thoughts}
    for thought in thoughts:
        for dep in thought.depends_on:
            children[dep].append(thought)
    return children


def _tree_lines(thought: _Thought, indent: str, width: int) -> list[str]:
    """The thought's wrapped lines; the status suffix is never split, so it stays readable."""
    marker = "? " if thought.is_open_question else ""
    confidence = "" if thought.confidence is None else f" {thought.confidence:.2f}"
    flags = [f"status: {thought.status}"]
    if thought.needs_answer:
        flags.append("needs answer")
    if thought.needs_review:
        flags.append("needs review")
    if thought.is_assumption and thought.thought_type != "assumption":
        flags.append("rests on an assumption")
    suffix = f"({', '.join(flags)})"
    continuation = indent + "    "
    lines = textwrap.wrap(
        f"{marker}#{thought.number} [{thought.thought_type}{confidence}] {thought.reasoning}",
        width=width,
        initial_indent=indent,
        subsequent_indent=continuation,
        break_long_words=False,
        break_on_hyphens=False,
    )
    if len(lines[-1]) + 2 + len(suffix) <= width:
        lines[-1] += "  " + suffix
    else:
        lines.append(continuation + suffix)
    return lines


def render_thought_tree(thoughts: Sequence[Mapping[str, Any]], width: int = 100) -> str:
    """An indented text tree of the reasoning, for people auditing a wizard run.

    Roots are thoughts with no dependency inside the set; under each thought come the thoughts
    that depend on it (two spaces per level). A thought with several parents is shown in full
    under the first and as `↑ see #n` under the others; thoughts caught in a dependency cycle are
    still shown once. Lines look like `#3 [assumption 0.60] Teachers filter by grade first
    (status: active)`; open questions start with `? `, and `needs answer` and `needs review` (a
    thought it rests on was rejected or revised) are flagged. Long lines
    wrap at `width` (continuation lines indented four more spaces); the status part is kept whole.
    """
    nodes = _read_thoughts(thoughts)
    children = _children(nodes)
    roots = [node for node in nodes if not node.depends_on]
    shown: set[ThoughtId] = set()
    lines: list[str] = []
    for start in [*roots, *nodes]:
        if start.id in shown:
            continue
        stack: list[tuple[_Thought, int]] = [(start, 0)]
        while stack:
            node, depth = stack.pop()
            indent = "  " * depth
            if node.id in shown:
                lines.append(f"{indent}↑ see #{node.number}")
                continue
            shown.add(node.id)
            lines.extend(_tree_lines(node, indent, max(width, len(indent) + 40)))
            stack.extend((child, depth + 1) for child in reversed(children[node.id]))
    return "\n".join(lines)


_MERMAID_SHAPES = {
    "observation": ('["', '"]'),
    "assumption": ('[/"', '"/]'),
    "inference": ('("', '")'),
    "decision": ('{{"', '"}}'),
    "question": ('{"', '"}'),
}
_MERMAID_DEFAULT_SHAPE = ('["', '"]')
_MERMAID_CLASSES = {
    "active": "fill:#eff6ff,stroke:#1d4ed8,color:#1e3a8a",
    "confirmed": "fill:#ecfdf5,stroke:#047857,color:#064e3b",
    "revised": "fill:#fffbeb,stroke:#b45309,color:#78350f,stroke-dasharray: 4 3",
    "rejected": "fill:#fef2f2,stroke:#b91c1c,color:#7f1d1d,stroke-dasharray: 2 2",
}
# Mermaid entity codes for characters that would end a quoted label or be read as markup.
_MERMAID_ESCAPES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;"}
MERMAID_LABEL_CHARS = 60


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def _mermaid_label(thought: _Thought) -> str:
    kind = f"{thought.thought_type}?" if thought.is_open_question else thought.thought_type
    text = f"{kind}: {_short(thought.reasoning, MERMAID_LABEL_CHARS)}"
    return "".join(_MERMAID_ESCAPES.get(char, char) for char in text)


def thoughts_to_mermaid(thoughts: Sequence[Mapping[str, Any]]) -> str:
    """A Mermaid flowchart (top-down) of the reasoning: one node per thought, an arrow from each
    thought to those that build on it, a node shape per thought type and a class per status.

    Node ids are `t1..tn` in input order (the same numbers as the text tree's `#n`); labels are the
    type and the start of the reasoning, on one line, with quotes and markup characters escaped
    as Mermaid entity codes, so any text a model or person wrote renders safely.
    """
    nodes = _read_thoughts(thoughts)
    node_ids = {node.id: f"t{node.number}" for node in nodes}
    lines = ["flowchart TD"]
    for node in nodes:
        opening, closing = _MERMAID_SHAPES.get(node.thought_type, _MERMAID_DEFAULT_SHAPE)
        lines.append(f"    {node_ids[node.id]}{opening}{_mermaid_label(node)}{closing}")
    for node in nodes:
        for dep in node.depends_on:
            lines.append(f"    {node_ids[dep]} --> {node_ids[node.id]}")
    for status, style in _MERMAID_CLASSES.items():
        lines.append(f"    classDef {status} {style}")
    for status in _MERMAID_CLASSES:
        members = [node_ids[node.id] for node in nodes if node.status == status]
        if members:
            lines.append(f"    class {','.join(members)} {status}")
    return "\n".join(lines)
