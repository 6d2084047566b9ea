"""Argument errors in words a model can act on: the field, what was wrong, what is valid.

The SDK would pass pydantic's raw text (error codes, documentation URLs); these messages name
each field, quote a short piece of the bad value, add the field's own description where the
rule is a format, and say how to continue.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

_MAX_SHOWN = 60

# What each format pattern used by the tools means, in words (schemas keep descriptions short).
PATTERN_HELP: dict[str, str] = {
    r"^/[a-z0-9/-]*$": "a path starting with '/' with only lowercase letters, digits, '-' and '/', e.g. /lessons/new",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "lowercase letters and digits separated by single hyphens, e.g. lesson-library",
    r"^#[0-9A-Fa-f]{6}$": "a hex colour #RRGGBB, e.g. #DC2626",
    r"^[a-z0-9][a-z0-9_.-]*$": "lowercase letters, digits, '_', '.' and '-', starting with a letter or digit",
    r"^https?://\S+$": "an http:// or https:// URL",
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _field_description(schema: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    """The description of the argument an error is about (looking inside `X | None` unions)."""
    prop = schema.get("properties", {}).get(str(loc[0]), {}) if loc else {}
    candidates = [prop, *prop.get("anyOf", [])]
    return next((c["description"] for c in candidates if c.get("description")), None)


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
        problems.append(f"`{field}` {message[0].lower() + message[1:]} (got {_shown(err.get('input'))})")
    listed = "; ".join(problems)
    return f"Invalid arguments for {tool_name}: {listed}. Nothing was changed; correct the arguments and call {tool_name} again."


def unknown_arguments_message(tool_name: str, unknown: list[str], known: list[str]) -> str:
    return (f"Unknown argument{'s' if len(unknown) > 1 else ''} {', '.join(f'`{u}`' for u in unknown)} for "
            f"{tool_name}. Valid arguments: {', '.join(known) or '(none)'}. Nothing was changed.")
