"""Toolset `versions`: a page's mockup history beyond saving and reading versions — roll back,
compare, annotate, delete. (Saving and reading versions is in `pages`.)"""

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field

from ..domain import mockups
from ..domain.mockups import ChangeDescription, DeletedMockup, Mockup, MockupDiff, PageWithMockup
from ..server.params import Clearable, JsonObject, changes_from_arguments
from ..server.registry import tool
from ..server.state import scope_of
from .pages import MockupId

# The two mockups a comparison is about (diff_mockups here, compare_mockups in toolset visual).
ComparedPage = Annotated[
    UUID | None,
    Field(
        description="The page whose versions to compare (with from_version/to_version, or neither: the current version against the one it built on)."
    ),
]
FromVersion = Annotated[
    int | None, Field(ge=1, description="The older version (default: the version to_version built on).")
]
ToVersion = Annotated[int | None, Field(ge=1, description="The newer version (default: the current one).")]
FromMockupId = Annotated[
    UUID | None, Field(description="Instead of page and versions: the first mockup's id (any page of yours).")
]
ToMockupId = Annotated[UUID | None, Field(description="Instead of page and versions: the second mockup's id.")]


@tool("versions", title="Set current mockup", read_only=False, destructive=False, idempotent=True)
async def set_current_mockup(
    ctx: Context,
    mockup_id: Annotated[
        UUID | None, Field(description="The version to make current. Or leave out and pass page_id with version.")
    ] = None,
    page_id: Annotated[UUID | None, Field(description="The page, with version.")] = None,
    version: Annotated[int | None, Field(ge=1, description="The version number to make current, with page_id.")] = None,
) -> PageWithMockup:
    """Make an existing version the page's current mockup — e.g. roll back to an earlier one.
    Nothing is deleted; later versions stay in the history. Returns the page and that version
    (without content)."""
    return await mockups.set_current_mockup(scope_of(ctx), mockup_id=mockup_id, page_id=page_id, version=version)


@tool("versions", title="Update mockup notes", read_only=False, destructive=False, idempotent=True)
async def update_mockup(
    ctx: Context,
    mockup_id: MockupId,
    change_description: Clearable[ChangeDescription] = None,
    user_feedback: Annotated[JsonObject | None, Field(description="Replaces the version's feedback object.")] = None,
    ai_notes: Annotated[JsonObject | None, Field(description="Replaces the version's AI notes object.")] = None,
) -> Mockup:
    """Change a version's description, feedback or AI notes; only the fields you pass change.
    A version's HTML/CSS/JS never changes: save a new version instead."""
    changes = changes_from_arguments(locals(), leave_out=("mockup_id",))
    return await mockups.update_mockup(scope_of(ctx), mockup_id, changes)


@tool("versions", title="Delete mockup version", read_only=False, destructive=True, idempotent=True)
async def delete_mockup(ctx: Context, mockup_id: MockupId) -> DeletedMockup:
    """Delete one mockup version for good. If it was current, the version it was built on
    becomes current again (else the newest remaining one). Versions that built on it keep their
    content (their parent link clears); its number is never given out again. Prefer
    set_current_mockup to undo."""
    return await mockups.delete_mockup(scope_of(ctx), mockup_id)


@tool("versions", title="Compare mockup versions", read_only=True, destructive=False, idempotent=True)
async def diff_mockups(
    ctx: Context,
    page_id: ComparedPage = None,
    from_version: FromVersion = None,
    to_version: ToVersion = None,
    from_mockup_id: FromMockupId = None,
    to_mockup_id: ToMockupId = None,
) -> MockupDiff:
    """Compare two mockup versions: unified diffs of the HTML, CSS and JS (inside <user-content>
    blocks), lines added/removed, and what changed in the extracted design patterns (colours,
    fonts, sizes, radii, shadows, components, spacing)."""
    return await mockups.diff_mockups(
        scope_of(ctx),
        from_mockup_id=from_mockup_id,
        to_mockup_id=to_mockup_id,
        page_id=page_id,
        from_version=from_version,
        to_version=to_version,
    )
