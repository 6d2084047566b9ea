"""Every kind of record through the real MCP client: create, get, list, update, delete, with each
free-form JSONB column stored as JSON (not a JSON-encoded string) and read back unchanged."""

from __future__ import annotations

import uuid

import pytest

from helpers.mcp_client import call, connect, new_email

NESTED = {"a": {"b": [1, 2.5, True, None, "é ✓"]}, "empty": {}, "list": []}
NESTED_2 = {"changed": ["x"], "n": 0}


# kind: (table, create tool, id argument, get, list, update, delete, create args, update args, JSONB columns)
KINDS = {
    "feature": (
        "features",
        "create_feature",
        "feature_id",
        "get_feature",
        "list_features",
        "update_feature",
        "delete_feature",
        {
            "name": "Share lessons",
            "ui_requirements": ["share button", "form"],
            "business_rules": ["only verified teachers", "limit 10 per day"],
            "technical_requirements": NESTED,
            "visual_specifications": NESTED,
            "data_operations": {"creates": ["Lesson"], "reads": [], "updates": [], "deletes": []},
        },
        {"technical_requirements": NESTED_2, "visual_specifications": NESTED_2, "ui_requirements": ["é ✓"]},
        ("ui_requirements", "business_rules", "technical_requirements", "visual_specifications", "data_operations"),
    ),
    "flow": (
        "journey_flows",
        "create_flow",
        "flow_id",
        "get_flow",
        "list_flows",
        "update_flow",
        "delete_flow",
        {"name": "Sign up", "filters_applied": NESTED, "display_settings": NESTED},
        {"filters_applied": NESTED_2, "display_settings": NESTED_2},
        ("filters_applied", "display_settings"),
    ),
    "entity": (
        "inferred_entities",
        "create_entity",
        "entity_id",
        "get_entity",
        "list_entities",
        "update_entity",
        "delete_entity",
        {"entity_name": "Lesson", "validation_rules": NESTED, "business_rules": ["é ✓", "only teachers"]},
        {"validation_rules": NESTED_2, "business_rules": ["one author"]},
        ("validation_rules", "business_rules"),
    ),
    "context_item": (
        "user_context_items",
        "create_context_item",
        "context_item_id",
        "get_context_item",
        "list_context_items",
        "update_context_item",
        "delete_context_item",
        {
            "item_type": "text",
            "content_text": "Teachers love boards",
            "content_metadata": NESTED,
            "ai_analysis": NESTED,
            "relevance_scores": {"sharing": 0.9, "é ✓": 1},
        },
        {"content_metadata": NESTED_2, "ai_analysis": NESTED_2, "relevance_scores": {"sharing": 0.1}},
        ("content_metadata", "ai_analysis", "relevance_scores"),
    ),
    "page": (
        "pages",
        "create_page",
        "page_id",
        "get_page",
        "list_pages",
        "update_page",
        "delete_page",
        {
            "name": "Home",
            "path": "/",
            "key_elements": ["hero", "é ✓"],
            "related_patterns": ["card grid"],
            "usage_contexts": ["morning planning"],
        },
        {"key_elements": ["search"], "usage_contexts": []},
        ("key_elements", "related_patterns", "usage_contexts"),
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_crud_and_jsonb_round_trip(database_url, db, kind):
    table, create, id_arg, get, list_tool, update, delete, create_args, update_args, columns = KINDS[kind]
    async with connect(database_url, new_email()) as client:
        project = await call(client, "create_project", name=f"JSONB {kind}", type="web-app")
        created = await call(client, create, project_id=project["id"], **create_args)
        record_id = uuid.UUID(created["id"])

        stored = await db.fetchrow(f"SELECT * FROM {table} WHERE id = $1", record_id)
        for column in columns:
            assert stored[column] == create_args[column], (kind, column, stored[column])
            assert not isinstance(stored[column], str), f"{table}.{column} stored as a JSON string"
        got = await call(client, get, **{id_arg: str(record_id)})
        for column in columns:
            assert got[column] == create_args[column], (kind, column)

        listed = await call(client, list_tool, project_id=project["id"])
        assert str(record_id) in [item["id"] for item in listed["items"]]

        updated = await call(client, update, **{id_arg: str(record_id)}, **update_args)
        stored = await db.fetchrow(f"SELECT * FROM {table} WHERE id = $1", record_id)
        for column in columns:
            expected = update_args.get(column, create_args[column])
            assert stored[column] == expected and updated[column] == expected, (kind, column)

        await call(client, delete, **{id_arg: str(record_id)})
        assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", record_id) == 0
        gone = await client.call_tool(get, {id_arg: str(record_id)})
        assert gone.is_error and "No " in gone.content[0].text
