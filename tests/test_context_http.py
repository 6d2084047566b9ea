"""Context files over Streamable HTTP: a served server never reads a path from its own disk (even
inside FLEXOS_FILE_ROOTS, which is for a local stdio server running as the user), while files sent
as base64 are stored and served back as blobs."""

from __future__ import annotations

import base64

from helpers.context_files import b64, png_bytes, stored_files
from helpers.http_helpers import http_server, mcp_client, new_token
from helpers.mcp_client import new_email


async def test_http_refuses_paths_and_stores_base64(database_url, tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "shot.png").write_bytes(png_bytes(30, 30))
    store = tmp_path / "store"
    email = new_email()
    env = {"FLEXOS_FILE_ROOTS": str(allowed), "FLEXOS_STORE_DIR": str(store)}
    with http_server(database_url, "--toolsets", "projects,context", **env) as server:
        token = new_token(database_url, email)
        async with mcp_client(server.mcp_url, token) as client:
            project = (
                await client.call_tool("create_project", {"name": "Files", "type": "web-app"})
            ).structured_content["id"]
            refused = await client.call_tool(
                "create_context_item",
                {"project_id": project, "item_type": "screenshot", "file_path": str(allowed / "shot.png")},
            )
            assert refused.is_error and "only on a local (stdio) server" in refused.content[0].text
            assert stored_files(store) == []
            shot = await client.call_tool(
                "create_context_item",
                {"project_id": project, "item_type": "screenshot", "content_base64": b64(png_bytes(30, 30))},
            )
            assert not shot.is_error, shot.content[0].text
            blob = (await client.read_resource(shot.structured_content["file_resource"])).contents[0]
            assert base64.b64decode(blob.blob) == png_bytes(30, 30) and blob.mime_type == "image/png"
