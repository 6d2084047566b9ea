"""Toolset `portability`: a whole project as one file, out and back in (domain/bundle)."""

from __future__ import annotations

import base64
import binascii
import tempfile
from typing import Annotated

from mcp.server.mcpserver import Context
from mcp_types import BlobResourceContents, CallToolResult, EmbeddedResource, TextContent
from pydantic import Field

from ..domain.bundle import BundleSummary, bundle_files
from ..domain.bundle import export_project as export_bundle
from ..domain.bundle import import_project as import_bundle
from ..errors import FlexError, InvalidInput
from ..server.params import ProjectId
from ..server.registry import tool
from ..server.state import app_of, scope_of
from ..untrusted import user_content

# A bundle travels base64-encoded inside one JSON-RPC message: beyond this, use the command line.
MAX_TOOL_BUNDLE_BYTES = 32 * 1024 * 1024
_SPOOL_BYTES = 8 * 1024 * 1024  # smaller bundles stay in memory, larger ones go to a temporary file

BundleArg = Annotated[
    str,
    Field(
        min_length=4,
        max_length=(MAX_TOOL_BUNDLE_BYTES * 4) // 3 + 4,
        pattern=r"^[A-Za-z0-9+/]+={0,2}$",
        description="The bundle file (a .flexos.zip from export_project or `flexos-mcp export`), base64-encoded.",
    ),
]
AsNewArg = Annotated[
    bool,
    Field(
        description="true: a copy with new ids beside any existing one (slug gets a free suffix); false: keep the "
        "bundle's ids, e.g. to restore into a fresh database."
    ),
]


def _too_big() -> FlexError:
    return FlexError(
        f"The bundle is larger than {MAX_TOOL_BUNDLE_BYTES // (1024 * 1024)} MB, too large to send "
        f"through a tool call. Use the command line: flexos-mcp export PROJECT -o project.flexos.zip "
        f"and flexos-mcp import project.flexos.zip."
    )


@tool("portability", title="Export project", read_only=True, destructive=False, idempotent=True)
async def export_project(ctx: Context, project_id: ProjectId) -> Annotated[CallToolResult, BundleSummary]:
    """Export a whole project as one file: every row of every table (pages, mockups, flows,
    features, entities, wizard runs, thoughts, context items, design system) and its stored
    files, in a zip with a format version and checksums. The file comes back as an embedded
    blob resource (application/zip) for the user to keep; import_project brings it back, on
    this server or another. Counts per table are in the result."""
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as out:
        summary = await export_bundle(scope_of(ctx), project_id, out, files=bundle_files(app_of(ctx).config))
        size = out.tell()
        if size > MAX_TOOL_BUNDLE_BYTES:
            raise _too_big()
        out.seek(0)
        blob = base64.b64encode(out.read()).decode("ascii")
    summary.bytes = size
    uri = f"flexos://projects/{summary.project_id}/bundle/{summary.slug}.flexos.zip"
    rows = sum(summary.rows.values())
    text = (
        f"Exported project {user_content(summary.name)} (slug {summary.slug}): {rows:,} rows in "
        f"{len(summary.rows)} tables and {summary.files} stored file(s), {size:,} bytes, as the embedded "
        f"resource {uri}."
    )
    if summary.missing_files:
        text += (
            f" {len(summary.missing_files)} stored file(s) the rows name were not in the store and are not included."
        )
    return CallToolResult(
        content=[
            EmbeddedResource(
                type="resource", resource=BlobResourceContents(uri=uri, mime_type="application/zip", blob=blob)
            ),
            TextContent(type="text", text=text),
        ],
        structured_content=summary.model_dump(mode="json"),
    )


@tool("portability", title="Import project", read_only=False, destructive=False, idempotent=False)
async def import_project(ctx: Context, bundle: BundleArg, as_new: AsNewArg = False) -> BundleSummary:
    """Create a project of yours from a bundle made by export_project (or `flexos-mcp export`):
    all its rows and stored files, in one step that imports everything or nothing. A damaged,
    truncated or edited bundle is refused. With as_new=true every id is replaced, so the same
    bundle can be imported beside the project it came from (a duplicate); with false the ids are
    kept, and a bundle whose project already exists is refused. Returns the new project's id,
    slug and counts."""
    try:
        data = base64.b64decode(bundle, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "bundle", "is not base64: pass the .flexos.zip file's bytes base64-encoded. Nothing was imported."
        ) from None
    if len(data) > MAX_TOOL_BUNDLE_BYTES:
        raise _too_big()
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as source:
        source.write(data)
        del data
        source.seek(0)
        return await import_bundle(scope_of(ctx), source, as_new=as_new, files=bundle_files(app_of(ctx).config))
