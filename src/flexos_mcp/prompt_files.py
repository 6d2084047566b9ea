"""Prompt files: the system prompts of wizard runs, kept as Markdown files in `prompts/`.

Layout (shipped in the wheel as `flexos_mcp/data/prompts`, found through `data_path("prompts")`):

- `prompts/<wizard-type>.md` — the system prompt of a whole wizard run (kind `wizard`);
- `prompts/<wizard-type>/<phase>.md` — what to do in one phase (kind `phase`, named
  `<wizard-type>/<phase>`); every phase of every wizard definition has one, and a phase file
  whose wizard or phase does not exist is an error (no orphans);
- any other `prompts/<name>.md` — a general prompt (kind `general`), e.g. `design-review`.

Each file starts with a small front matter, a strict subset of YAML parsed here (no PyYAML):

    ---
    name: page-creator
    description: Create a new page with a first mockup, step by step.
    arguments:
      - name: project
        description: Project slug or id
        required: true
    ---

Top-level keys are `name`, `description` and `arguments` (a list, or `[]`); each argument has
`name`, `description` and optionally `required` and `resolved` (`true`/`false`, default `false`). Indentation is
two spaces for `- ` items and four for their keys; no tabs, no comments. A value is plain text,
or a JSON-style double-quoted string when it contains `: `, ` #` or starts with a YAML indicator.
`name` must match the file's place (`page-creator`, `page-creator/understand-intent`).

Placeholders in the body: `{argument_name}` is replaced by the argument's value; `\\{name}`
keeps a literal `{name}`; every other brace is plain text (JSON examples need no escaping).
Values are inserted in one pass, so braces inside a value are never expanded. An argument's value
is text a person or a model wrote, so it is inserted inside a `<user-content>` block (its closing
marker escaped: flexos_mcp/untrusted.py), unless the argument is `resolved: true` — a value the
caller resolved into its own text before rendering (e.g. the project, looked up among the
caller's projects).
At load time a placeholder naming no declared argument is an error, and so is a declared argument
the body never uses; at render time a missing (or blank) required argument or an undeclared one is
an error, and a missing optional argument renders as `(not provided)`.

A phase prompt may only declare arguments of its wizard's prompt (so the driver can pass the run's
arguments to every phase), and it must mention, in backticks, every tool and ask key its phase
lists in the wizard definition, and a wizard prompt must name each of its phases in backticks,
so the prose and the data cannot drift apart.
Errors are `ValueError`s that start with `path:line:`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flexos_mcp.package_data import data_path
from flexos_mcp.untrusted import user_content
from flexos_mcp.wizard_definitions import SNAKE_CASE, WizardDefinition, load_wizard_definitions

NOT_PROVIDED = "(not provided)"
_PLACEHOLDER = re.compile(r"\\\{([a-z][a-z0-9_]*)\}|\{([a-z][a-z0-9_]*)\}")
_TOP_KEYS = ("name", "description", "arguments")
_ARGUMENT_KEYS = ("name", "description", "required", "resolved")
_YAML_INDICATORS = tuple("[]{}&*!|>%@`'\",#?-:")


class PromptArgument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=SNAKE_CASE)]
    description: Annotated[str, Field(min_length=1)]
    required: bool = False
    resolved: bool = False  # the caller resolves the value into its own text: not wrapped as user content


class PromptFile(BaseModel):
    """One prompt file, parsed and checked; `render` fills its placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["wizard", "phase", "general"]  # see PromptKind
    description: str
    arguments: tuple[PromptArgument, ...]
    body: str
    path: str

    def render(self, arguments: Mapping[str, str]) -> str:
        declared = {argument.name: argument for argument in self.arguments}
        unknown = sorted(set(arguments) - set(declared))
        if unknown:
            raise ValueError(
                f"prompt '{self.name}' has no argument {', '.join(map(repr, unknown))}; "
                f"its arguments are: {_argument_list(self.arguments)}"
            )
        values: dict[str, str] = {}
        for argument in self.arguments:
            value = arguments.get(argument.name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"prompt '{self.name}': argument '{argument.name}' must be text")
            if value is None or not value.strip():
                if argument.required:
                    raise ValueError(
                        f"prompt '{self.name}' needs the argument '{argument.name}' ({argument.description})"
                    )
                value = NOT_PROVIDED
            values[argument.name] = value if argument.resolved or value == NOT_PROVIDED else user_content(value)
        return _PLACEHOLDER.sub(lambda match: "{" + match[1] + "}" if match[1] else values[match[2]], self.body)


def _argument_list(arguments: tuple[PromptArgument, ...]) -> str:
    return ", ".join(argument.name for argument in arguments) or "none"


class _FrontMatterError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _scalar(value: str, line: int) -> str:
    if value.startswith('"'):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise _FrontMatterError(line, f"bad double-quoted string {value}") from None
        if not isinstance(parsed, str):
            raise _FrontMatterError(line, f"bad double-quoted string {value}")
        return parsed
    if value.startswith(_YAML_INDICATORS) or ": " in value or " #" in value:
        raise _FrontMatterError(
            line, f"put this value in double quotes (it starts with or contains YAML syntax): {value}"
        )
    return value


def _key_value(text: str, line: int) -> tuple[str, str]:
    key, colon, value = text.partition(":")
    if not colon or not re.fullmatch(r"[a-z_]+", key):
        raise _FrontMatterError(line, f"expected 'key: value', got: {text}")
    if value and not value.startswith(" "):
        raise _FrontMatterError(line, f"put a space after '{key}:'")
    return key, value.strip()


def _parse_front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """Parse the front matter; return the fields (with line numbers) and the body's first index."""
    if not lines or lines[0] != "---":
        raise _FrontMatterError(1, "a prompt file must start with a '---' front matter line")
    try:
        closing = lines.index("---", 1)
    except ValueError:
        raise _FrontMatterError(1, "the front matter is never closed by a '---' line") from None
    fields: dict[str, tuple[int, object]] = {}
    items: list[tuple[int, dict[str, tuple[int, str]]]] | None = None
    for number, line in enumerate(lines[1:closing], start=2):
        if not line.strip():
            continue
        if "\t" in line:
            raise _FrontMatterError(number, "tabs are not allowed; indent with spaces")
        indent = len(line) - len(line.lstrip(" "))
        text = line.strip()
        if indent == 0:
            key, value = _key_value(text, number)
            if key not in _TOP_KEYS:
                raise _FrontMatterError(number, f"unknown key '{key}'; allowed: {', '.join(_TOP_KEYS)}")
            if key in fields:
                raise _FrontMatterError(number, f"'{key}' is given twice")
            items = None
            if key == "arguments":
                if value not in ("", "[]"):
                    raise _FrontMatterError(number, "'arguments' is a list: '[]' or '  - name: ...' items")
                if value == "":
                    items = []
                fields[key] = (number, [] if items is None else items)
            elif not value:
                raise _FrontMatterError(number, f"'{key}' needs a value")
            else:
                fields[key] = (number, _scalar(value, number))
        elif indent == 2 and text.startswith("- "):
            if items is None:
                raise _FrontMatterError(number, "a '- ' item can only appear under 'arguments:'")
            items.append((number, {}))
            _add_argument_key(items[-1][1], text[2:].strip(), number)
        elif indent == 4:
            if not items:
                raise _FrontMatterError(number, "an indented key must belong to a '- ' argument item")
            _add_argument_key(items[-1][1], text, number)
        else:
            raise _FrontMatterError(
                number, f"unexpected indentation ({indent} spaces): use 2 for '- ' items, 4 for their keys"
            )
    for key in ("name", "description"):
        if key not in fields:
            raise _FrontMatterError(closing + 1, f"the front matter has no '{key}'")
    if "arguments" in fields:
        arguments_line, arguments = fields["arguments"]
        if not arguments and lines[arguments_line - 1].strip() == "arguments:":
            raise _FrontMatterError(arguments_line, "'arguments:' has no items; write 'arguments: []' for none")
    return fields, closing + 1


def _add_argument_key(item: dict[str, tuple[int, str]], text: str, line: int) -> None:
    key, value = _key_value(text, line)
    if key not in _ARGUMENT_KEYS:
        raise _FrontMatterError(line, f"unknown argument key '{key}'; allowed: {', '.join(_ARGUMENT_KEYS)}")
    if key in item:
        raise _FrontMatterError(line, f"argument key '{key}' is given twice")
    if not value:
        raise _FrontMatterError(line, f"argument key '{key}' needs a value")
    item[key] = (line, _scalar(value, line))


def _arguments(items: list[tuple[int, dict[str, tuple[int, str]]]]) -> list[tuple[int, PromptArgument]]:
    arguments: list[tuple[int, PromptArgument]] = []
    for line, item in items:
        for key in ("name", "description"):
            if key not in item:
                raise _FrontMatterError(line, f"argument has no '{key}'")
        name = item["name"][1]
        if not re.fullmatch(SNAKE_CASE, name):
            raise _FrontMatterError(item["name"][0], f"argument name '{name}' must be snake_case")
        if any(existing.name == name for _, existing in arguments):
            raise _FrontMatterError(item["name"][0], f"argument '{name}' is declared twice")
        flags = {}
        for flag in ("required", "resolved"):
            flag_line, value = item.get(flag, (line, "false"))
            if value not in ("true", "false"):
                raise _FrontMatterError(flag_line, f"'{flag}' must be true or false, got: {value}")
            flags[flag] = value == "true"
        argument = PromptArgument(name=name, description=item["description"][1], **flags)
        arguments.append((line, argument))
    return arguments


PromptKind = Literal["wizard", "phase", "general"]


def parse_prompt_file(text: str, path: str, expected_name: str, kind: PromptKind) -> PromptFile:
    """Parse one prompt file's text; every error names `path` and the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    try:
        fields, body_start = _parse_front_matter(lines)
        name_line, name = fields["name"]
        if name != expected_name:
            raise _FrontMatterError(
                name_line, f"name '{name}' does not match the file's place (expected '{expected_name}')"
            )
        arguments = _arguments(fields.get("arguments", (0, []))[1])
        declared = {argument.name for _, argument in arguments}
        used: set[str] = set()
        for number, line in enumerate(lines[body_start:], start=body_start + 1):
            for match in _PLACEHOLDER.finditer(line):
                if match[2] is None:
                    continue
                if match[2] not in declared:
                    raise _FrontMatterError(
                        number,
                        f"unknown placeholder {{{match[2]}}}; declared arguments: "
                        f"{', '.join(sorted(declared)) or 'none'} (write \\{{{match[2]}}} for a literal)",
                    )
                used.add(match[2])
        for line_number, argument in arguments:
            if argument.name not in used:
                raise _FrontMatterError(line_number, f"argument '{argument.name}' is never used in the body")
        body = "\n".join(lines[body_start:]).strip()
        if not body:
            raise _FrontMatterError(body_start + 1, "the prompt body is empty")
    except _FrontMatterError as error:
        raise ValueError(f"{path}:{error.line}: {error}") from None
    return PromptFile(
        name=name,
        kind=kind,
        description=fields["description"][1],
        arguments=tuple(argument for _, argument in arguments),
        body=body,
        path=path,
    )


def _read_prompt_file(path: Path, name: str, kind: PromptKind) -> PromptFile:
    return parse_prompt_file(path.read_text(encoding="utf-8"), str(path), name, kind)


def _read_prompts(directory: Path, definitions: Mapping[str, WizardDefinition]) -> dict[str, PromptFile]:
    prompts: dict[str, PromptFile] = {}
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            definition = definitions.get(entry.name)
            if definition is None:
                raise ValueError(f"{entry}: folder names no wizard type (known: {', '.join(sorted(definitions))})")
            phases = [phase.name for phase in definition.phases]
            for phase_file in sorted(entry.iterdir()):
                if phase_file.name.startswith("."):
                    continue
                if not (phase_file.is_file() and phase_file.suffix == ".md"):
                    raise ValueError(f"{phase_file}: unexpected entry; phase prompts are <wizard>/<phase>.md files")
                if phase_file.stem not in phases:
                    raise ValueError(
                        f"{phase_file}: wizard '{entry.name}' has no phase '{phase_file.stem}'; "
                        f"its phases are: {', '.join(phases)}"
                    )
                name = f"{entry.name}/{phase_file.stem}"
                prompts[name] = _read_prompt_file(phase_file, name, "phase")
        elif entry.suffix == ".md":
            kind: PromptKind = "wizard" if entry.stem in definitions else "general"
            prompts[entry.stem] = _read_prompt_file(entry, entry.stem, kind)
        else:
            raise ValueError(f"{entry}: unexpected file; prompts are .md files")
    for wizard_type, definition in sorted(definitions.items()):
        _check_wizard_prompts(directory, wizard_type, definition, prompts)
    return prompts


def _check_wizard_prompts(
    directory: Path, wizard_type: str, definition: WizardDefinition, prompts: Mapping[str, PromptFile]
) -> None:
    """The wizard has a prompt, each phase has one, and each phase prompt matches its phase."""
    wizard_prompt = prompts.get(wizard_type)
    if wizard_prompt is None:
        raise ValueError(f"{directory / (wizard_type + '.md')}: missing prompt for wizard '{wizard_type}'")
    wizard_arguments = set(wizard_prompt.arguments)
    for phase in definition.phases:
        if f"`{phase.name}`" not in wizard_prompt.body:
            raise ValueError(
                f"{wizard_prompt.path}: never mentions phase `{phase.name}` of {wizard_type}.json "
                "(the wizard prompt must name every phase in backticks)"
            )
        prompt = prompts.get(f"{wizard_type}/{phase.name}")
        if prompt is None:
            raise ValueError(
                f"{directory / wizard_type / (phase.name + '.md')}: missing prompt for phase "
                f"'{phase.name}' of wizard '{wizard_type}'"
            )
        for argument in prompt.arguments:
            if argument not in wizard_arguments:
                raise ValueError(
                    f"{prompt.path}: argument '{argument.name}' must be declared exactly as in "
                    f"{wizard_prompt.path} (phase prompts get the run's arguments)"
                )
        for term in (*phase.suggested_tools, *(ask.key for ask in phase.asks)):
            if f"`{term}`" not in prompt.body:
                raise ValueError(
                    f"{prompt.path}: never mentions `{term}`, which phase '{phase.name}' lists in "
                    f"{wizard_type}.json (suggested_tools and ask keys must appear in backticks)"
                )


@lru_cache(maxsize=1)
def _packaged_prompts() -> dict[str, PromptFile]:
    return _read_prompts(data_path("prompts"), load_wizard_definitions())


def load_prompts(
    directory: Path | None = None, *, definitions: Mapping[str, WizardDefinition] | None = None
) -> dict[str, PromptFile]:
    """Every prompt by name, parsed and cross-checked against the wizard definitions.

    The packaged prompts are read once and cached; `directory` (and `definitions`, default the
    packaged ones) read another set, uncached, which is how broken files are tested.
    """
    if directory is None and definitions is None:
        return dict(_packaged_prompts())
    return _read_prompts(
        data_path("prompts") if directory is None else Path(directory),
        load_wizard_definitions() if definitions is None else definitions,
    )


def _get(name: str, prompts: Mapping[str, PromptFile] | None) -> PromptFile:
    prompts = load_prompts() if prompts is None else prompts
    if name not in prompts:
        raise ValueError(f"unknown prompt '{name}'; known prompts: {', '.join(sorted(prompts))}")
    return prompts[name]


def render_prompt(name: str, arguments: Mapping[str, str], *, prompts: Mapping[str, PromptFile] | None = None) -> str:
    """The body of prompt `name` with its placeholders filled from `arguments`."""
    return _get(name, prompts).render(arguments)


def render_wizard_prompt(
    wizard_type: str,
    phase: str,
    arguments: Mapping[str, str],
    *,
    prompts: Mapping[str, PromptFile] | None = None,
) -> str:
    """The system prompt for a run in `phase`: the wizard prompt, then the phase prompt.

    `arguments` are the run's (checked against the wizard prompt); the phase prompt gets the ones
    it declares. This is what the driver sends as `system` on every turn of the phase.
    """
    wizard_prompt = _get(wizard_type, prompts)
    phase_prompt = _get(f"{wizard_type}/{phase}", prompts)
    wanted = {argument.name for argument in phase_prompt.arguments}
    phase_arguments = {key: value for key, value in arguments.items() if key in wanted}
    return wizard_prompt.render(arguments) + "\n\n" + phase_prompt.render(phase_arguments)
