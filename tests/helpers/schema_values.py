"""Arguments generated from a tool's JSON input schema, for sweeps over every tool: a plausible
valid value for each property, and the bad values each property must refuse."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

# Which kind of record an id-bearing argument names, by argument name.
ID_KINDS: dict[str, str] = {
    "project_id": "project",
    "page_id": "page",
    "parent_id": "page",
    "mockup_id": "mockup",
    "parent_mockup_id": "mockup",
    "base_mockup_id": "mockup",
    "other_mockup_id": "mockup",
    "from_mockup_id": "mockup",
    "to_mockup_id": "mockup",
    "flow_id": "flow",
    "node_id": "flow_node",
    "source_node_id": "flow_node",
    "target_node_id": "flow_node",
    "after_node_id": "flow_node",
    "feature_id": "feature",
    "entity_id": "entity",
    "run_id": "wizard_run",
    "wizard_run_id": "wizard_run",
    "thought_id": "thought",
    "item_id": "context_item",
    "context_item_id": "context_item",
    "design_system_id": "design_system",
    "affected_pages": "page",
    "page_ids": "page",
    "required_journeys": "flow",
    "flow_ids": "flow",
    "context_references": "context_item",
    "depends_on": "thought",
    "thought_ids": "thought",
}

# Samples for string formats given by a regular expression.
PATTERN_SAMPLES: dict[str, str] = {
    r"^#[0-9A-Fa-f]{6}$": "#DC2626",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "sample-slug",
    r"^/[a-z0-9/-]*$": "/sample",
    r"^[a-z0-9][a-z0-9_.-]*$": "sample_user",
    r"^https?://\S+$": "https://example.com/a.png",
    r"^[\w.:-]+$": "node-1",
}

# Per-tool values where a generic sample would not pass the tool's own rules. Toolsets add theirs.
TOOL_OVERRIDES: dict[str, dict[str, Any]] = {}


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and unwrap `X | None` unions to the non-null alternative."""
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(schema.get("type"), list):  # {"type": ["string", "null"]}: the non-null type
        schema = {**schema, "type": next(t for t in schema["type"] if t != "null")}
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        if len(options) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            return resolve({**options[0], **merged}, root)
    return schema


# Arguments that take an id or another reference (a project's slug), so their schema has no uuid format.
REFERENCE_ARGUMENTS = {"project_id"}


def kind_of(name: str, prop: dict[str, Any], root: dict[str, Any]) -> str | None:
    """The record kind an argument names, when it is an id or a list of ids."""
    prop = resolve(prop, root)
    if (
        prop.get("format") == "uuid"
        or name in REFERENCE_ARGUMENTS
        or (prop.get("type") == "array" and resolve(prop.get("items", {}), root).get("format") == "uuid")
    ):
        return ID_KINDS.get(name, "unknown")
    return None


def sample(name: str, prop: dict[str, Any], root: dict[str, Any], ids: dict[str, UUID]) -> Any:
    prop = resolve(prop, root)
    kind = kind_of(name, prop, root)
    if kind:
        value = str(ids.get(kind, uuid.uuid4()))
        return [value] if prop.get("type") == "array" else value
    if "const" in prop:
        return prop["const"]
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "string":
        text = PATTERN_SAMPLES.get(prop.get("pattern", ""), "sample")
        return text.ljust(prop.get("minLength", 0), "x")
    if kind == "integer":
        return max(prop.get("minimum", 1), prop.get("exclusiveMinimum", 0) + 1)
    if kind == "number":
        return max(prop.get("minimum", 0.5), 0.5) if prop.get("maximum", 1) >= 0.5 else prop["maximum"]
    if kind == "boolean":
        return False
    if kind == "array":
        return [sample(name, prop.get("items", {}), root, ids) for _ in range(prop.get("minItems", 0))]
    if kind == "object":
        if "properties" in prop:
            return {k: sample(k, v, root, ids) for k, v in prop["properties"].items() if k in prop.get("required", [])}
        return {}
    return "sample"


def valid_arguments(tool: Any, ids: dict[str, UUID]) -> dict[str, Any]:
    """Values for the required arguments (plus ids), using `ids` for id-bearing ones."""
    schema = tool.input_schema
    args = {}
    for name, prop in schema.get("properties", {}).items():
        if name in schema.get("required", []) or kind_of(name, prop, schema):
            args[name] = sample(name, prop, schema, ids)
    args.update(TOOL_OVERRIDES.get(tool.name, {}))
    return args


def bad_values(name: str, prop: dict[str, Any], root: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs the argument must refuse."""
    prop = resolve(prop, root)
    kind = prop.get("type")
    cases: list[tuple[str, Any]] = []
    if prop.get("format") == "uuid" or name in REFERENCE_ARGUMENTS:
        cases.append(("malformed uuid", "not-a-uuid"))
    if "enum" in prop:
        cases.append(("unknown enum value", "definitely-not-valid"))
    if kind == "string":
        cases.append(("wrong type", {"an": "object"}))
        if "maxLength" in prop:
            cases.append(("over-long string", "x" * (prop["maxLength"] + 1)))
    elif kind == "integer":
        cases.append(("wrong type", "abc"))
        if "maximum" in prop:
            cases.append(("too large", prop["maximum"] + 1))
    elif kind == "number":
        cases.append(("wrong type", "abc"))
    elif kind == "boolean":
        cases.append(("wrong type", "maybe"))
    elif kind == "array":
        cases.append(("wrong type", "not-a-list"))
        items = resolve(prop.get("items", {}), root)
        if items.get("format") == "uuid":
            cases.append(("malformed uuid in list", ["not-a-uuid"]))
    elif kind == "object":
        cases.append(("wrong type", "not-an-object"))
    return cases


# Arguments whose value is free-form JSON on purpose, each with the reason. Every other object in
# an input schema states its properties or the schema of its values, and every array its items.
FREE_FORM_ARGUMENTS = {
    "settings": "the user's or project's own key/value settings; FlexOS reads no key of them",
    "metadata": "the project's own free-form metadata, kept as given",
    "technical_requirements": "the seed's free-form notes on what a feature needs (e.g. {needs: [...]})",
    "visual_specifications": "the seed's free-form visual notes on a feature",
    "user_feedback": "feedback on a mockup version, in whatever structure the person or tool gave it",
    "ai_notes": "a model's notes on a mockup version, in its own structure",
    "ai_analysis": "a model's analysis of a context item (the seed suggests detected_elements, color_palette, ...)",
    "content_metadata": "facts about a context item's source (size, origin), which vary by item type",
    "prescribed_tokens": "design tokens a person prescribes, by category; analysis/design_tokens.py checks each",
    "user_confirmations": "per-token confirmations keyed by token path; design_systems checks each",
    "validation_rules": "an entity's validation rules, in the seed's free-form shape",
    "validation": "a field's validation constraints (pattern, min, max ...), kept as inferred or given",
    "canvas": "VueFlow's own toObject() format; analysis/vueflow.py checks it and names the exact bad path",
    "data": "a flow node's VueFlow data, whose keys depend on the node type; analysis/vueflow.py checks them",
    "display_settings": "the flow editor's display state, stored for the editor as given",
    "filters_applied": "the flow editor's filter state, stored for the editor as given",
}
