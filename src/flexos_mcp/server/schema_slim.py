"""Leaner tool schemas: every byte of `tools/list` costs a model context on every turn.

- pydantic gives every property and model a `title` that repeats its name ("project_id" ->
  "Project Id"); a model learns nothing from it. Titles are removed.
- An optional argument (`X | None = None`) becomes `{"anyOf": [X, {"type": "null"}], "default":
  null}`. In an input schema, leaving the argument out already means "not given", so it is
  published as plain `X` (an explicit null is accepted and means the same: server/arguments.py).
  A `Clearable` argument (server/params.py) keeps `null`, loses its `default`, and its
  description ends with what null does.
- Defaults JSON Schema already has are dropped (`additionalProperties: true`, `items: {}`), a
  nullable simple type is written `{"type": ["string", "null"]}` instead of an `anyOf`, and an
  output schema loses `default: null` (it validates nothing) and its per-field descriptions (the
  tool's description says what it returns; the shape is in the schema).

Everything that constrains a value stays: the published schemas accept exactly what they did.
"""

from __future__ import annotations

from typing import Any

from .params import CLEARABLE_MARK

NULL_CLEARS = "null clears it."

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


_NULL = {"type": "null"}
# Keywords that constrain only values of their own type, so `{"type": ["string", "null"], "maxLength": 5}`
# means what `anyOf: [{"type": "string", "maxLength": 5}, {"type": "null"}]` does (not so enum, const).
_SIMPLE_KEYS = {
    "type",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "minItems",
    "maxItems",
}


def compact(schema: Any, *, output: bool) -> Any:
    """An equivalent, shorter schema (see the module docstring)."""
    if isinstance(schema, list):
        return [compact(item, output=output) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if (key == "additionalProperties" and value is True) or (key == "items" and value == {}):
            continue
        if output and key == "default" and value is None:
            continue
        if key in _NAME_MAPS and isinstance(value, dict):
            result[key] = {
                name: _without_description(compact(sub, output=output), output) for name, sub in value.items()
            }
        else:
            result[key] = compact(value, output=output)
    options = result.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and _NULL in options:
        other = options[0] if options[1] == _NULL else options[1]
        if set(other) <= _SIMPLE_KEYS and isinstance(other.get("type"), str):
            result.pop("anyOf")
            result = {**result, **other, "type": [other["type"], "null"]}
    return result


def _without_description(schema: Any, output: bool) -> Any:
    if output and isinstance(schema, dict) and isinstance(schema.get("description"), str):
        return {k: v for k, v in schema.items() if k != "description"}
    return schema


def collapse_optional_arguments(input_schema: dict[str, Any]) -> None:
    """Publish each optional top-level argument `X | None = None` as plain `X`, in place; a
    Clearable one keeps null and says so."""
    for name, prop in input_schema.get("properties", {}).items():
        if prop.pop(CLEARABLE_MARK, False):
            _say_null_clears(prop)
            continue
        options = prop.get("anyOf")
        if not options or prop.get("default", ...) is not None:
            continue
        non_null = [o for o in options if o.get("type") != "null"]
        if len(non_null) == len(options):
            continue
        collapsed = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        input_schema["properties"][name] = (
            {**non_null[0], **collapsed} if len(non_null) == 1 else {"anyOf": non_null, **collapsed}
        )


def _say_null_clears(prop: dict[str, Any]) -> None:
    prop.pop("default", None)
    inner = next((o for o in prop.get("anyOf", []) if o.get("description")), None)
    description = prop.get("description") or (inner.pop("description") if inner else "")
    if "null" not in description:
        description = f"{description} {NULL_CLEARS}".strip()
    prop["description"] = description


def admits_null(prop: dict[str, Any] | None) -> bool:
    """Whether a published argument schema accepts null as a value of its own."""
    if not prop:
        return False
    kind = prop.get("type")
    return (
        kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or any(admits_null(option) for option in prop.get("anyOf", []))
    )
