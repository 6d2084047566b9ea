"""Wizard definitions: the phases each wizard type runs through, kept as data.

A wizard run (`wizard_runs` row) stores only its type, version and `current_phase`; what a phase
asks, produces and may be followed by lives in one JSON file per wizard type under
`flexos_mcp/wizards/`, shipped inside the package. The tools (`start_wizard`, `advance_wizard`,
`record_answer`, `complete_wizard`) and the LLM driver read the rules from here, so changing a
wizard is a reviewed data change rather than code scattered over handlers.

A definition is validated as a whole when it is loaded: phase names are unique, the initial phase
exists, every `next` names a phase, every phase can be reached from the initial phase and can
itself reach a terminal phase (a run can never get stuck), and ask keys are unique across the
wizard (answers are stored flat, by key, in `wizard_runs.answers`). A broken file raises a
`ValueError` that names the file and the phase.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

KEBAB_CASE = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SNAKE_CASE = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"

OutputKind = Literal["page", "mockup", "feature", "entity", "flow", "design_system", "decision"]
"""What a phase may create or change; the tools record these in `wizard_runs.outputs`."""

_Text = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _reject_duplicates(values: tuple[str, ...], what: str) -> tuple[str, ...]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"{what} lists {', '.join(repeated)} more than once")
    return values


class WizardAsk(_Frozen):
    """A question the phase needs answered; the answer is stored under `key` in the run."""

    key: Annotated[str, Field(pattern=SNAKE_CASE)]
    question: _Text
    required: bool


class WizardPhase(_Frozen):
    """One step of a wizard: its goal, what it asks and produces, and where it may go next."""

    name: Annotated[str, Field(pattern=KEBAB_CASE)]
    title: _Text
    goal: _Text
    asks: tuple[WizardAsk, ...]
    produces: tuple[OutputKind, ...]
    suggested_tools: tuple[Annotated[str, Field(pattern=SNAKE_CASE)], ...]
    next: tuple[str, ...]
    terminal: bool

    @field_validator("produces", "suggested_tools", "next")
    @classmethod
    def _no_duplicates(cls, values: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        assert info.field_name is not None  # a field validator always runs for a named field
        return _reject_duplicates(values, info.field_name)


class WizardDefinition(_Frozen):
    """A whole wizard type; constructing one checks that its phases form a usable graph."""

    type: Annotated[str, Field(pattern=KEBAB_CASE)]
    version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+$")]
    title: _Text
    description: _Text
    initial_phase: str
    phases: Annotated[tuple[WizardPhase, ...], Field(min_length=1)]

    def phase(self, name: str) -> WizardPhase:
        """The phase called `name`; a `ValueError` lists the valid names otherwise."""
        for phase in self.phases:
            if phase.name == name:
                return phase
        raise ValueError(f"wizard '{self.type}' has no phase '{name}'; its phases are: {self._phase_list()}")

    def _phase_list(self) -> str:
        return ", ".join(phase.name for phase in self.phases)

    @model_validator(mode="after")
    def _check_phase_graph(self) -> WizardDefinition:
        names = [phase.name for phase in self.phases]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"phase '{name}' is defined more than once")
            seen.add(name)
        if self.initial_phase not in seen:
            raise ValueError(f"initial_phase '{self.initial_phase}' is not a phase; phases are: {self._phase_list()}")
        ask_owner: dict[str, str] = {}
        for phase in self.phases:
            for target in phase.next:
                if target == phase.name:
                    raise ValueError(f"phase '{phase.name}': next names the phase itself")
                if target not in seen:
                    raise ValueError(
                        f"phase '{phase.name}': next names unknown phase '{target}'; phases are: {self._phase_list()}"
                    )
            if not phase.terminal and not phase.next:
                raise ValueError(
                    f"phase '{phase.name}' is not terminal and has no next phase, "
                    "so a run entering it could never leave or complete"
                )
            for ask in phase.asks:
                if ask.key in ask_owner:
                    raise ValueError(
                        f"phase '{phase.name}': ask key '{ask.key}' is already used by phase "
                        f"'{ask_owner[ask.key]}' (answers are stored by key, so keys must be unique)"
                    )
                ask_owner[ask.key] = phase.name
        edges = {phase.name: phase.next for phase in self.phases}
        reachable = _reachable(edges, [self.initial_phase])
        for phase in self.phases:
            if phase.name not in reachable:
                raise ValueError(f"phase '{phase.name}' cannot be reached from initial phase '{self.initial_phase}'")
        terminals = [phase.name for phase in self.phases if phase.terminal]
        if not terminals:
            raise ValueError("no phase is terminal, so a run could never complete")
        reversed_edges: dict[str, list[str]] = {name: [] for name in names}
        for source, targets in edges.items():
            for target in targets:
                reversed_edges[target].append(source)
        can_finish = _reachable(reversed_edges, terminals)
        for phase in self.phases:
            if phase.name not in can_finish:
                raise ValueError(
                    f"phase '{phase.name}': no terminal phase can be reached from it, "
                    "so a run entering it could never complete"
                )
        return self


def _reachable(edges: Mapping[str, Iterable[str]], starts: Iterable[str]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _error_location(definition: object, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into words a person can find in the file."""
    if len(loc) >= 2 and loc[0] == "phases" and isinstance(loc[1], int):
        phases = definition.get("phases") if isinstance(definition, dict) else None
        phase = phases[loc[1]] if isinstance(phases, list) and loc[1] < len(phases) else None
        name = phase.get("name") if isinstance(phase, dict) else None
        where = f"phase '{name}'" if isinstance(name, str) else f"phase #{loc[1] + 1}"
        rest = ".".join(str(part) for part in loc[2:])
        return f"{where}: {rest}" if rest else where
    return ".".join(str(part) for part in loc)


def _parse_definition(text: str, source: str, expected_type: str) -> WizardDefinition:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    try:
        definition = WizardDefinition.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            where = _error_location(raw, item["loc"])
            problems.append(f"{where}: {message}" if where else message)
        raise ValueError(f"{source}: " + "; ".join(problems)) from None
    if definition.type != expected_type:
        raise ValueError(
            f"{source}: type '{definition.type}' does not match the file name (expected '{expected_type}')"
        )
    return definition


def _read_definitions(directory: Traversable) -> dict[str, WizardDefinition]:
    entries = sorted(
        (entry for entry in directory.iterdir() if entry.is_file() and entry.name.endswith(".json")),
        key=lambda entry: entry.name,
    )
    if not entries:
        raise ValueError(f"{directory}: no wizard definitions (*.json) found")
    definitions = {}
    for entry in entries:
        wizard_type = entry.name.removesuffix(".json")
        definitions[wizard_type] = _parse_definition(entry.read_text(encoding="utf-8"), str(entry), wizard_type)
    return definitions


@lru_cache(maxsize=1)
def _packaged_definitions() -> dict[str, WizardDefinition]:
    return _read_definitions(files("flexos_mcp") / "wizards")


def load_wizard_definitions(directory: Path | None = None) -> dict[str, WizardDefinition]:
    """Every wizard definition by type, validated. The packaged set is read once and cached;
    `directory` reads another folder (uncached), which is how broken files are tested."""
    if directory is None:
        return dict(_packaged_definitions())
    return _read_definitions(Path(directory))


def get_wizard_definition(wizard_type: str) -> WizardDefinition:
    """The packaged definition of `wizard_type`; a `ValueError` lists the known types otherwise."""
    definitions = load_wizard_definitions()
    if wizard_type not in definitions:
        raise ValueError(f"unknown wizard type '{wizard_type}'; known types are: {', '.join(sorted(definitions))}")
    return definitions[wizard_type]


def allowed_next(definition: WizardDefinition, phase: str) -> list[str]:
    """The phases a run in `phase` may advance to, in the order the definition lists them."""
    return list(definition.phase(phase).next)


def can_complete(definition: WizardDefinition, phase: str) -> bool:
    """Whether a run in `phase` may be completed (only terminal phases allow it)."""
    return definition.phase(phase).terminal


def check_transition(definition: WizardDefinition, current: str, target: str) -> None:
    """Raise a `ValueError` a model can act on when `current` may not advance to `target`."""
    options = allowed_next(definition, current)
    definition.phase(target)
    if target not in options:
        allowed = ", ".join(options) if options else "none (it is terminal: complete the run instead)"
        raise ValueError(
            f"wizard '{definition.type}' cannot go from phase '{current}' to '{target}'; allowed next phases: {allowed}"
        )


def missing_required_answers(definition: WizardDefinition, phase: str, answers: Mapping[str, object]) -> list[str]:
    """Keys of the phase's required asks that have no non-empty answer yet, in definition order.

    `advance_wizard` uses this to refuse leaving a phase before its required questions are answered.
    """
    missing = []
    for ask in definition.phase(phase).asks:
        if ask.required and _is_blank(answers.get(ask.key)):
            missing.append(ask.key)
    return missing


def _is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def suggested_tool_names(definitions: Mapping[str, WizardDefinition]) -> list[str]:
    """Every tool name any phase suggests, sorted: the MCP layer can check each one exists."""
    return sorted({tool for d in definitions.values() for phase in d.phases for tool in phase.suggested_tools})
