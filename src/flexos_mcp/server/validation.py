"""Argument errors in words a model can act on: the field, what was wrong, what is valid.

The SDK would pass pydantic's raw text (error codes, documentation URLs); these messages name
each field, quote a short piece of the bad value, add the field's own description where the
rule is a format, and say how to continue.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from ..analysis.shown import json_shown

# What each format pattern used by the tools means, in words (schemas keep descriptions short).
PATTERN_HELP: dict[str, str] = {
    r"^/[a-z0-9/-]*$": "a path starting with '/' with only lowercase letters, digits, '-' and '/', e.g. /lessons/new",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "lowercase letters and digits separated by single hyphens, e.g. lesson-library",
    r"^#[0-9A-Fa-f]{6}$": "a hex colour #RRGGBB, e.g. #DC2626",
    r"^[a-z0-9][a-z0-9_.-]*$": "lowercase letters, digits, '_', '.' and '-', starting with a letter or digit",
    r"^https?://\S+$": "an http:// or https:// URL",
    r"^[\w.:-]+$": "letters, digits, '_', '.', ':' and '-', e.g. n1 or vueflow__node-2",
}


def _lower_first(message: str) -> str:
    """Lower-case the first letter to continue a sentence, but never an acronym's ("UUID input...")."""
    if len(message) > 1 and message[1].isupper():
        return message
    return message[:1].lower() + message[1:]


def _field_description(schema: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    """The description of the argument an error is about (looking inside `X | None` unions)."""
    prop = schema.get("properties", {}).get(str(loc[0]), {}) if loc else {}
    candidates = [prop, *prop.get("anyOf", [])]
    return next((c["description"] for c in candidates if c.get("description")), None)


_SLUG_HINT = (
    "; that looks like a slug or a name, not an id: the matching list_* tool (list_projects, list_pages, "
    "...) shows each record's id"
)


def _looks_like_a_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and not any(c in value for c in '{}[]"')


def describe_validation_error(tool_name: str, exc: ValidationError, input_schema: dict[str, Any]) -> str:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "arguments"
        kind = err["type"]
        if kind == "missing":
            problems.append(f"`{field}` is required")
            continue
        message = err["msg"]
        if kind.startswith("value_error"):
            message = message.removeprefix("Value error, ")
        if kind == "string_pattern_mismatch":
            pattern = (err.get("ctx") or {}).get("pattern", "")
            help_text = PATTERN_HELP.get(pattern) or _field_description(input_schema, loc)
            message = "has the wrong format" + (f"; expected {help_text}" if help_text else "")
        hint = _SLUG_HINT if kind == "uuid_parsing" and _looks_like_a_name(err.get("input")) else ""
        problems.append(f"`{field}` {_lower_first(message)} (got {json_shown(err.get('input'))}{hint})")
    listed = "; ".join(problems)
    return f"Invalid arguments for {tool_name}: {listed}. Nothing was changed; correct the arguments and call {tool_name} again."


def unknown_arguments_message(tool_name: str, unknown: list[str], known: list[str]) -> str:
    return (
        f"Unknown argument{'s' if len(unknown) > 1 else ''} {', '.join(f'`{u}`' for u in unknown)} for "
        f"{tool_name}. Valid arguments: {', '.join(known) or '(none)'}. Nothing was changed."
    )


def unknown_tool_message(name: str, available: list[str]) -> str:
    """Unknown tool, with the nearest names a model probably meant (`get_projects` -> get_project,
    list_projects): close spellings first, then tools about the same thing."""
    close = difflib.get_close_matches(name, available, n=3, cutoff=0.6)
    noun = name.split("_", 1)[-1].rstrip("s")
    related = [t for t in available if t not in close and noun and t.split("_", 1)[-1].rstrip("s") == noun]
    suggestions = (close + related)[:3]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    return f"Unknown tool `{name}`.{hint} tools/list shows every tool this server offers."
