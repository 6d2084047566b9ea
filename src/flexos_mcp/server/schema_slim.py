"""Leaner tool schemas: every byte of `tools/list` costs a model context on every turn.

- pydantic gives every property and model a `title` that repeats its name ("project_id" ->
  "Project Id"); a model learns nothing from it. Titles are removed.
- An optional argument (`X | None = None`) becomes `{"anyOf": [X, {"type": "null"}], "default":
  null}`. In an input schema, leaving the argument out already means "not given", so it is
  published as plain `X` (the server still accepts an explicit null).

Everything that constrains a value stays."""

from __future__ import annotations

from typing import Any

# Keywords whose value maps names to schemas (the names themselves are not keywords).
_NAME_MAPS = ("properties", "$defs", "definitions", "patternProperties")


def strip_titles(schema: Any) -> None:
    """Remove `title` keywords from a JSON schema, in place, at every depth."""
    if isinstance(schema, list):
        for item in schema:
            strip_titles(item)
        return
    if not isinstance(schema, dict):
        return
    schema.pop("title", None)
    for key, value in schema.items():
        if key in _NAME_MAPS and isinstance(value, dict):
            for sub in value.values():
                strip_titles(sub)
        elif isinstance(value, dict | list):
            strip_titles(value)


def collapse_optional_arguments(input_schema: dict[str, Any]) -> None:
    """Publish each optional top-level argument `X | None = None` as plain `X`, in place."""
    for name, prop in input_schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if not options or prop.get("default", ...) is not None:
            continue
        non_null = [o for o in options if o.get("type") != "null"]
        if len(non_null) != 1 or len(non_null) == len(options):
            continue
        collapsed = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        input_schema["properties"][name] = {**non_null[0], **collapsed}
