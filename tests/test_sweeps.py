"""Sweeps generated from `tools/list` and the resource templates, so every tool and resource is
covered the day it is added:

- bad input: every argument of every tool gets wrong types, unknown enum values, over-long
  strings, malformed UUIDs, another project's ids in id lists, and each required argument is left
  out or given as null. Every call must be a tool error that names the argument, quotes values
  as JSON (never Python's None/True), with no traceback or database text, and no row of any
  table may change.
- isolation: user B calls every tool and reads every resource with each of user A's ids in every
  id-bearing argument. Each must answer exactly as for a random UUID, and A's data must not change.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from helpers.mcp_client import connect, new_email
from helpers.records import dump_project, row_counts, seed_project
from helpers.schema_values import bad_values, kind_of, resolve, valid_arguments

# Values are quoted back as JSON (null, true, "text"), never as Python (None, True, 'text').
PYTHON_VALUES = re.compile(r"\b(None|True|False)\b|got '")
FORBIDDEN = (
    "Traceback",
    "SQLSTATE",
    "asyncpg",
    "psycopg",
    "violates",
    "errors.pydantic.dev",
    "duplicate key",
    "Internal error",
    "validation error for",
)


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_every_tool_refuses_bad_input_clearly_and_changes_nothing(database_url, db):
    email = new_email()
    ids = await seed_project(db, email)
    other_project = await seed_project(db, email, name="Other")
    counts_before = await row_counts(db)
    failures: list[str] = []
    calls = 0
    async with connect(database_url, email, toolsets=("all",)) as client:
        tools = (await client.list_tools()).tools

        async def expect_refusal(tool: Any, args: dict[str, Any], field: str, label: str) -> None:
            nonlocal calls
            calls += 1
            result = await client.call_tool(tool.name, args)
            text = _text(result)
            where = f"{tool.name}({field}: {label})"
            if not result.is_error:
                failures.append(f"{where} was accepted")
            elif field not in text:
                failures.append(f"{where} does not name the field: {text[:200]}")
            elif any(word in text for word in FORBIDDEN):
                failures.append(f"{where} leaks internals: {text[:200]}")
            elif PYTHON_VALUES.search(text):
                failures.append(f"{where} quotes a Python value, not JSON: {text[:200]}")

        for tool in tools:
            schema = tool.input_schema
            base = valid_arguments(tool, ids)
            for name, prop in schema.get("properties", {}).items():
                for label, value in bad_values(name, prop, schema):
                    await expect_refusal(tool, {**base, name: value}, name, label)
                kind = kind_of(name, prop, schema)
                if kind in other_project and kind != "project" and resolve(prop, schema).get("type") == "array":
                    await expect_refusal(
                        tool, {**base, name: [str(other_project[kind])]}, name, "another project's id in a list"
                    )
            for name in schema.get("required", []):
                await expect_refusal(tool, {k: v for k, v in base.items() if k != name}, name, "missing")
                await expect_refusal(tool, {**base, name: None}, name, "null for a required argument")
    assert calls > 50
    assert not failures, f"{len(failures)} of {calls} bad calls were mishandled:\n" + "\n".join(failures)
    assert await row_counts(db) == counts_before


def _normalised(text: str, *ids: Any) -> str:
    for ident in ids:
        text = text.replace(str(ident), "<ID>")
    return re.sub(r"incident [0-9a-f]{8}", "incident <N>", text)


async def test_another_users_ids_answer_like_missing_ids_everywhere(database_url, db):
    owner, intruder = new_email(), new_email()
    a = await seed_project(db, owner)
    b = await seed_project(db, intruder)
    before = await dump_project(db, a["project"])
    foreign_ids = {kind: ident for kind, ident in a.items() if kind != "user"}
    leaks: list[str] = []
    checked = 0
    async with connect(database_url, intruder, toolsets=("all",)) as client:
        for tool in (await client.list_tools()).tools:
            schema = tool.input_schema
            base = valid_arguments(tool, b)
            for name, prop in schema.get("properties", {}).items():
                if not kind_of(name, prop, schema):
                    continue
                as_list = resolve(prop, schema).get("type") == "array"
                missing = uuid.uuid4()
                reference = await client.call_tool(
                    tool.name, {**base, name: [str(missing)] if as_list else str(missing)}
                )
                expected = _normalised(_text(reference), missing)
                for kind, foreign in foreign_ids.items():
                    checked += 1
                    result = await client.call_tool(
                        tool.name, {**base, name: [str(foreign)] if as_list else str(foreign)}
                    )
                    got = _normalised(_text(result), foreign)
                    if not result.is_error or got != expected:
                        leaks.append(f"{tool.name}({name}=A's {kind}): {got[:160]!r} vs missing: {expected[:160]!r}")

        for template in (await client.list_resource_templates()).resource_templates:
            params = re.findall(r"\{(\w+)\}", template.uri_template)
            for param in params:

                def uri_with(value: Any) -> str:
                    uri = template.uri_template
                    for p in params:
                        uri = uri.replace(
                            "{" + p + "}", str(value if p == param else b.get(p.removesuffix("_id"), b["project"]))
                        )
                    return uri

                missing = uuid.uuid4()
                expected = await _read_error(client, uri_with(missing), missing)
                if not (expected or "").startswith(f"{INVALID_PARAMS} "):  # a missing record: invalid params
                    leaks.append(f"{template.uri_template}({param} missing): {expected!r} is not a {INVALID_PARAMS}")
                for kind, foreign in foreign_ids.items():
                    checked += 1
                    got = await _read_error(client, uri_with(foreign), foreign)
                    if got is None or got != expected:
                        leaks.append(f"{template.uri_template}({param}=A's {kind}): {got!r} vs {expected!r}")

        for res in (await client.list_resources()).resources:
            body = (await client.read_resource(res.uri)).contents[0]
            text = getattr(body, "text", "")
            for kind, foreign in foreign_ids.items():
                if str(foreign) in text:
                    leaks.append(f"{res.uri} shows A's {kind}")
    assert checked > 20
    assert not leaks, f"{len(leaks)} of {checked} checks leaked or differed:\n" + "\n".join(leaks)
    assert await dump_project(db, a["project"]) == before


async def _read_error(client: Any, uri: str, ident: Any) -> str | None:
    """The JSON-RPC code and normalised text of the error reading `uri`, or None if it succeeded."""
    try:
        await client.read_resource(uri)
    except MCPError as exc:
        return f"{exc.error.code} {_normalised(str(exc), ident)}"
    return None
