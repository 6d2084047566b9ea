"""The mockups a render, a comparison or an accessibility check is about, with their raw content.

Reading tools return mockup content wrapped for a model (<user-content>); a browser needs it as
written. These look-ups return it raw, after the same ownership checks as every other read: a
mockup of another user's project answers like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ..db.connection import ReadConnection
from ..errors import InvalidInput, NotFound
from .mockups import MockupRef, _mockup_id_of_version, resolve_pair
from .pages import require_page
from .scope import Scope, owned_by

_HINT = "Call list_mockups with the page id to see its versions."


@dataclass(frozen=True)
class MockupSource:
    id: UUID
    page_id: UUID
    project_id: UUID
    version: int
    page_name: str
    primary_device: str
    html: str
    css: str | None
    javascript: str | None

    @property
    def ref(self) -> MockupRef:
        return MockupRef(id=self.id, page_id=self.page_id, version=self.version)

    @property
    def label(self) -> str:
        return f"'{self.page_name}' v{self.version}"


_COLUMNS = """m.id, m.page_id, m.project_id, m.version, m.html_content, m.css_content, m.javascript_content,
               pg.name AS page_name, coalesce(pg.primary_device, 'responsive') AS primary_device"""


def _source_of(row: Any) -> MockupSource:
    return MockupSource(
        id=row["id"],
        page_id=row["page_id"],
        project_id=row["project_id"],
        version=row["version"],
        page_name=row["page_name"],
        primary_device=row["primary_device"],
        html=row["html_content"],
        css=row["css_content"],
        javascript=row["javascript_content"],
    )


async def _source(conn: ReadConnection, scope: Scope, mockup_id: UUID, *, field: str) -> MockupSource:
    row = await conn.fetchrow(
        f"""SELECT {_COLUMNS}
            FROM mockups m JOIN pages pg ON pg.id = m.page_id JOIN projects pr ON pr.id = m.project_id
            WHERE m.id = $1 AND {owned_by(2, "pr.user_id")}""",
        mockup_id,
        scope.actor.owner_id,
    )
    if row is None:
        raise NotFound("mockup", mockup_id, field=field, hint=_HINT)
    return _source_of(row)


async def _current_source(scope: Scope, page_id: UUID) -> MockupSource | None:
    """A page's current mockup in one statement (what every render of a page asks for), or None
    when the page is missing, foreign or has no mockup: the general path then says which."""
    row = await scope.db.fetchrow(
        f"""SELECT {_COLUMNS}
            FROM pages pg JOIN mockups m ON m.id = pg.current_mockup_id JOIN projects pr ON pr.id = pg.project_id
            WHERE pg.id = $1 AND {owned_by(2, "pr.user_id")}""",
        page_id,
        scope.actor.owner_id,
    )
    return None if row is None else _source_of(row)


async def mockup_source(
    scope: Scope,
    *,
    mockup_id: UUID | None = None,
    page_id: UUID | None = None,
    version: int | None = None,
    project_id: UUID | None = None,
) -> MockupSource:
    """One mockup: by id, or a page's version, or (page alone) the page's current version. With
    `project_id`, the mockup must belong to that project (resources name both)."""
    if mockup_id is not None and (page_id is not None or version is not None):
        raise InvalidInput("mockup_id", "pass either mockup_id, or page_id (with an optional version), not both.")
    if mockup_id is None and page_id is None:
        raise InvalidInput("page_id", "pass page_id (its current mockup, or version for another one) or mockup_id.")
    source = (
        await _current_source(scope, page_id) if page_id is not None and mockup_id is None and version is None else None
    )
    if source is None:
        async with scope.db.snapshot() as conn:
            if mockup_id is None:
                assert page_id is not None  # checked above: one of mockup_id and page_id is given
                if version is not None:
                    mockup_id = await _mockup_id_of_version(conn, scope, page_id, version)
                else:
                    page = await require_page(conn, scope.actor, page_id)
                    if page["current_mockup_id"] is None:
                        raise InvalidInput(
                            "page_id", "the page has no mockup yet; save one with create_mockup_version first."
                        )
                    mockup_id = page["current_mockup_id"]
            source = await _source(conn, scope, mockup_id, field="mockup_id")
    if project_id is not None and source.project_id != project_id:
        raise NotFound("mockup", source.id, field="mockup_id", hint=_HINT)
    return source


async def mockup_pair(scope: Scope, **names: Any) -> tuple[MockupSource, MockupSource]:
    """The two mockups a comparison names (see mockups.resolve_pair), older first."""
    async with scope.db.snapshot() as conn:
        first, second = await resolve_pair(conn, scope, **names)
        return (
            await _source(conn, scope, first, field="from_mockup_id"),
            await _source(conn, scope, second, field="to_mockup_id"),
        )
