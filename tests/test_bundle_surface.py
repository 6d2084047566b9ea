"""The bundle as users reach it: the portability tools through a real MCP client (the export is
an embedded blob resource, the import takes it back as base64), and the `export` / `import`
commands as real processes."""

from __future__ import annotations

import base64
import io
import os
import zipfile

from helpers.cli_process import run_flexos
from helpers.mcp_client import call, connect, error_of, new_email


async def test_export_tool_returns_the_zip_as_a_blob_and_import_tool_copies_it(database_url, db):
    email = new_email()
    async with connect(database_url, email) as client:
        project = await call(client, "create_project", name="Bundled", type="web-app")
        await call(client, "create_page", project_id=project["id"], name="Home", slug="home")
        result = await client.call_tool("export_project", {"project_id": "bundled"})
        assert not result.is_error, result.content
        embedded = result.content[0]
        assert embedded.type == "resource" and embedded.resource.mime_type == "application/zip"
        assert embedded.resource.uri.endswith("/bundle/bundled.flexos.zip")
        data = base64.b64decode(embedded.resource.blob)
        assert "manifest.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert result.structured_content["rows"]["pages"] == 1 and result.structured_content["bytes"] == len(data)

        copy = await call(client, "import_project", bundle=embedded.resource.blob, as_new=True)
        assert copy["slug"] == "bundled-2" and copy["as_new"] is True and copy["project_id"] != project["id"]
        pages = await call(client, "list_pages", project_id=copy["project_id"])
        assert [p["slug"] for p in pages["items"]] == ["home"]

        same = await error_of(client, "import_project", bundle=embedded.resource.blob)
        assert "already exists" in same and "as_new=true" in same
        broken = await error_of(client, "import_project", bundle=base64.b64encode(data[:-100]).decode(), as_new=True)
        assert "not a complete zip" in broken and "Nothing was imported" in broken
        assert "bundle" in await error_of(client, "import_project", bundle="!!not base64!!")
        assert "not base64" in await error_of(client, "import_project", bundle="abcde")
    assert (
        await db.fetchval("SELECT count(*) FROM projects p JOIN users u ON u.id = p.user_id WHERE u.email = $1", email)
        == 2
    )

    async with connect(database_url, new_email()) as stranger:
        missing = await error_of(stranger, "export_project", project_id=project["id"])
        assert "No project" in missing


async def test_export_and_import_commands_round_trip_a_project(database_url, db, tmp_path):
    email = new_email()
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "FLEXOS_USER_EMAIL": email,
        "FLEXOS_LOG_LEVEL": "WARNING",
    }
    assert run_flexos("demo", env=env).returncode == 0
    target = tmp_path / "lesson.flexos.zip"
    exported = run_flexos("export", "lesson-library", "-o", str(target), env=env)
    assert exported.returncode == 0, exported.stderr
    assert "flexos-mcp: using PostgreSQL at" in exported.stderr
    assert f"to {target}:" in exported.stdout and target.is_file()
    assert not list(tmp_path.glob(".*.partial"))

    imported = run_flexos("import", str(target), "--as-new", env=env)
    assert imported.returncode == 0, imported.stderr
    assert "imported project 'Lesson Library' (slug lesson-library-2" in imported.stdout

    refused = run_flexos("import", str(target), env=env)
    assert refused.returncode == 1 and "--as-new" in refused.stderr
    unknown = run_flexos("export", "no-such-project", env=env)
    assert unknown.returncode == 1 and "No project with slug or id 'no-such-project'" in unknown.stderr
    target.write_bytes(target.read_bytes()[:1000])
    truncated = run_flexos("import", str(target), "--as-new", env=env)
    assert truncated.returncode == 1 and "not a complete zip" in truncated.stderr
    slugs = await db.fetch(
        "SELECT p.slug FROM projects p JOIN users u ON u.id = p.user_id WHERE u.email = $1 ORDER BY slug", email
    )
    assert [r["slug"] for r in slugs] == ["lesson-library", "lesson-library-2"]
