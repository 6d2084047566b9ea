"""The design system: one per project, grown from the project's current mockups.

`tokens`, `component_patterns`, `confidence_scores` and `generation_method` are the result of
analysis (analysis/design_tokens.py) and are recomputed by `analyze_design_system` and after
every decision. What people decide lives apart and always wins:
  - `prescribed_tokens` (migration 0002): token-shaped values a user imposes (brand colours...);
  - `user_confirmations`: per token path (`colors.primary`, `spacing.base`, ...) a confirmed
    value or a reference to another colour token, with when it was confirmed.
Re-analysis never writes either of them, so a confirmed token survives any number of re-runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from ..analysis.css_values import normalize_color, parse_length, shadow_layers
from ..analysis.design_tokens import _prescribed_paths, emerge_design_system
from ..analysis.shown import json_shown
from ..analysis.token_consistency import check_consistency
from ..analysis.token_exports import tailwind_config_js, to_css_variables, to_dtcg, to_tailwind_theme
from ..compute import run_cpu_if
from ..db.connection import ReadConnection
from ..db.error_map import register_constraint_messages
from ..db.sql import insert_statement, set_clause
from ..errors import Conflict, FlexError, InvalidInput
from ..untrusted import Untrusted, UntrustedJson, json_with_untrusted
from .mockups import MockupRef, _fetch_mockup
from .pages import require_page
from .projects import require_project
from .scope import Scope

GENERATION_METHODS = ("prescribed", "emergent", "hybrid")
TokenFormat = Literal["dtcg", "css", "tailwind", "tailwind_config"]

register_constraint_messages(
    {
        "valid_generation_method": ("generation_method", f"must be one of {', '.join(GENERATION_METHODS)}."),
    }
)

# Token paths a person can decide. Token paths hold a token object; the others a raw value.
TOKEN_PATH = re.compile(
    r"^(?:(?:colors|radii|shadows)\.[a-z0-9][a-z0-9_-]*|spacing\.(?:base|scale|steps\.[a-z0-9][a-z0-9_-]*)"
    r"|typography\.(?:font_family|font_stack|sizes\.[a-z0-9][a-z0-9_-]*|weights\.[a-z0-9][a-z0-9_-]*))$"
)
TOKEN_PATH_HELP = (
    "colors.<name>, radii.<name>, shadows.<name>, spacing.base, spacing.scale, spacing.steps.<name>, "
    "typography.font_family, typography.font_stack, typography.sizes.<name>, typography.weights.<name> "
    "(names: lowercase letters, digits, '-' or '_'), e.g. colors.primary"
)

# Above this many mockups, emergence runs in the compute pool (below, a few milliseconds inline).
INLINE_MOCKUPS = 50


if TYPE_CHECKING:  # built at runtime (the untrusted wrapping); to a type checker, a JSON object
    TokenTree = dict[str, Any]
else:
    TokenTree = json_with_untrusted("note")  # a confirmed token keeps the person's note


class DesignSystem(BaseModel):
    id: UUID
    project_id: UUID
    generation_method: str | None = Field(description="emergent, prescribed or hybrid.")
    tokens: TokenTree
    component_patterns: dict[str, Any]
    confidence_scores: dict[str, Any]
    user_confirmations: UntrustedJson = Field(description="Token path -> {value | ref, confirmed_at, note}.")
    prescribed_tokens: dict[str, Any]
    detail: bool = Field(
        description="False: each token's and component's lists of pages, contexts and class sets are "
        "left out; get_design_system with detail=true has them."
    )
    created_at: datetime
    updated_at: datetime


class DesignSystemAnalysis(BaseModel):
    design_system: DesignSystem
    created: bool
    mockups_analyzed: int
    pages: list[str] = Field(description="Slugs of the pages analysed.")


class ColorUse(BaseModel):
    color: str = Field(description="Hex colour (#RRGGBB, or #RRGGBBAA with transparency).")
    usage_count: int = Field(description="How many mockup versions use it.")
    used_in_pages: list[Untrusted] = Field(description="Names of the pages using it, alphabetical.")


class ColorUsage(BaseModel):
    items: list[ColorUse]
    total_colors: int = Field(description="Distinct colours found, before `limit`.")
    all_versions: bool = Field(description="False: only each page's current mockup counted; true: every version.")


class ConsistencyIssue(BaseModel):
    kind: str = Field(description="color, spacing, font_family, font_size or radius.")
    value: str
    count: int
    message: str
    verdict: str | None = Field(
        None,
        description=(
            "For colours: near_token (within ΔE2000 3 of a token: a slip, use the suggestion) or new_color "
            "(no token is close: add one, or use the alternative)."
        ),
    )
    contexts: list[str] = []
    sources: list[str] = []
    suggestion: dict[str, Any] | None = Field(
        None,
        description=(
            "The token to use instead: token path, value, alias chain, CSS variable, Tailwind class, distance. "
            "None for a new_color, which no token is close to."
        ),
    )
    alternative: dict[str, Any] | None = Field(
        None,
        description=(
            "For a new_color: the nearest token that plays the same part (text, background, border...), if you "
            "would rather not add a token."
        ),
    )


class ConsistencyReport(BaseModel):
    mockup: MockupRef
    page_name: Untrusted
    consistent: bool
    issue_counts: dict[str, int] = Field(description="Issues per kind.")
    issues: list[ConsistencyIssue]


class TokenExport(BaseModel):
    project_id: UUID
    format: str
    filename: str = Field(description="A conventional file name for the content.")
    media_type: str
    content: str = Field(description="The file's text, ready to write to disk.")


# What a token or component pattern carries beyond its value: where it was seen. Left out of the
# compact answer (a model rarely needs them, and they are most of the bytes: 16 KB -> ~6 KB on the
# example project).
DETAIL_KEYS = frozenset({"pages", "contexts", "class_sets"})


def _without_detail(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _without_detail(v) for k, v in tree.items() if k not in DETAIL_KEYS}
    return tree


def _design_system(row: Any, *, detail: bool = False) -> DesignSystem:
    data = {k: row[k] for k in DesignSystem.model_fields if k != "detail"}
    for key in ("tokens", "component_patterns", "confidence_scores", "user_confirmations", "prescribed_tokens"):
        data[key] = data[key] or {}
    if not detail:
        data["tokens"] = _without_detail(data["tokens"])
        data["component_patterns"] = _without_detail(data["component_patterns"])
    return DesignSystem(**data, detail=detail)


def _no_design_system(project_id: UUID) -> FlexError:
    return FlexError(
        f"Project {project_id} has no design system yet. Call analyze_design_system to grow one from its "
        f"mockups, or create_design_system to prescribe tokens."
    )


async def _row(conn: ReadConnection, scope: Scope, project_id: UUID, *, lock: bool = False) -> Any:
    await require_project(conn, scope.actor, project_id)
    row = await conn.fetchrow(
        "SELECT * FROM design_systems WHERE project_id = $1" + (" FOR UPDATE" if lock else ""), project_id
    )
    if row is None:
        raise _no_design_system(project_id)
    return row


async def current_mockup_patterns(conn: ReadConnection, project_id: UUID) -> list[dict[str, Any]]:
    """`{"page": slug, "extracted_patterns": {...}}` for each page's current mockup."""
    rows = await conn.fetch(
        """SELECT pg.slug, m.extracted_patterns FROM pages pg JOIN mockups m ON m.id = pg.current_mockup_id
           WHERE pg.project_id = $1 ORDER BY coalesce(pg.sort_order, 0), pg.created_at, pg.id""",
        project_id,
    )
    return [{"page": r["slug"], "extracted_patterns": r["extracted_patterns"] or {}} for r in rows]


# Any change to a page's current mockup (or which one is current, or the pages' order) changes this.
_MOCKUPS_VERSION = """SELECT md5(string_agg(pg.id::text || ':' || pg.xmin::text || ':' || m.xmin::text, ',' ORDER BY pg.id))
                        FROM pages pg JOIN mockups m ON m.id = pg.current_mockup_id WHERE pg.project_id = $1"""
_EMERGE_ATTEMPTS = 3


async def _emergence(mockups: list[dict[str, Any]], decisions: dict[str, Any]) -> dict[str, Any]:
    return await run_cpu_if(
        len(mockups) > INLINE_MOCKUPS,
        emerge_design_system,
        mockups,
        decisions.get("user_confirmations") or {},
        decisions.get("prescribed_tokens") or None,
        timeout=60,
        hint="The project has too many mockups to aggregate at once; delete pages you no longer need.",
    )


async def _decide_and_emerge(
    scope: Scope,
    project_id: UUID,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    create: Literal["never", "must", "if-missing"] = "never",
) -> tuple[Any, list[dict[str, Any]], bool]:
    """Write the decisions `change(row)` returns (columns; it may raise) and the design system that
    emerges from the current mockups with them, in one transaction that computes nothing: the
    mockups are read first, emergence runs (in the worker pool on big projects), and the write
    checks that neither the design system nor the mockups moved meanwhile (else it starts again).
    `create`: whether the design system may ("if-missing") or must ("must") be created here.
    Returns (the stored row, the mockups, whether it was created)."""
    for _ in range(_EMERGE_ATTEMPTS):
        async with scope.db.snapshot() as conn:
            await require_project(conn, scope.actor, project_id)
            row = await conn.fetchrow(
                "SELECT *, xmin::text AS row_version FROM design_systems WHERE project_id = $1", project_id
            )
            if row is None and create == "never":
                raise _no_design_system(project_id)
            if row is not None and create == "must":
                raise Conflict(
                    "Invalid project_id: this project already has a design system (one per project). Change it "
                    "with update_design_system or confirm_design_token, or re-run analyze_design_system."
                )
            mockups = await current_mockup_patterns(conn, project_id)
            seen = await conn.fetchval(_MOCKUPS_VERSION, project_id)
        current = dict(row) if row is not None else {"user_confirmations": {}, "prescribed_tokens": {}}
        changes = change(current)
        decisions = current | changes
        result = await _emergence(mockups, decisions)
        method = result["generation_method"]
        if not mockups and (decisions.get("prescribed_tokens") or decisions.get("user_confirmations")):
            method = "prescribed"
        values = changes | {
            "tokens": result["tokens"],
            "component_patterns": result["component_patterns"],
            "confidence_scores": result["confidence_scores"],
            "generation_method": method,
        }
        async with scope.db.transaction() as conn:
            await require_project(conn, scope.actor, project_id, lock="NO KEY UPDATE")
            now = await conn.fetchval(
                "SELECT xmin::text FROM design_systems WHERE project_id = $1 FOR UPDATE", project_id
            )
            if (
                now != (row["row_version"] if row is not None else None)
                or await conn.fetchval(_MOCKUPS_VERSION, project_id) != seen
            ):
                continue
            if row is None:
                sql, args = insert_statement("design_systems", {"project_id": project_id} | values)
                return await conn.fetchrow(sql, *args), mockups, True
            assignments, args = set_clause(values, 2)
            return (
                await conn.fetchrow(
                    f"UPDATE design_systems SET {assignments} WHERE id = $1 RETURNING *", row["id"], *args
                ),
                mockups,
                False,
            )
    raise Conflict(
        "The design system or the project's mockups kept changing while it was recomputed; nothing was "
        "changed. Try again when the edits have settled."
    )


async def get_design_system(scope: Scope, project_id: UUID, *, detail: bool = True) -> DesignSystem:
    return _design_system(await _row(scope.db, scope, project_id), detail=detail)


async def analyze_design_system(scope: Scope, project_id: UUID) -> DesignSystemAnalysis:
    updated, mockups, created = await _decide_and_emerge(scope, project_id, lambda row: {}, create="if-missing")
    return DesignSystemAnalysis(
        design_system=_design_system(updated),
        created=created,
        mockups_analyzed=len(mockups),
        pages=[m["page"] for m in mockups],
    )


def _check_decisions(confirmations: dict[str, Any]) -> None:
    for path, spec in confirmations.items():
        if not TOKEN_PATH.match(path):
            raise InvalidInput(
                "user_confirmations", f"key {json_shown(path)} is not a token path; valid paths: {TOKEN_PATH_HELP}."
            )
        if not isinstance(spec, dict) or not ("value" in spec or "ref" in spec):
            raise InvalidInput(
                "user_confirmations",
                f"{json_shown(path)} must map to an object with 'value' (or 'ref' for a "
                f'colour naming another colour token), e.g. {{"value": "#DC2626"}}.',
            )
        if "value" in spec:
            _check_value(path, spec["value"], field="user_confirmations")


def _check_prescribed(prescribed: dict[str, Any]) -> None:
    """Prescribed tokens are token-shaped ({"colors": {"primary": {"value": "#DC2626"}}}): every
    leaf must sit at a token path and hold what a token there may hold (or, for a colour, a `ref`).
    Anything else would be written into the effective tokens as it is."""
    for path, spec in _prescribed_paths(prescribed).items():
        token = path.removesuffix(".value")
        if not TOKEN_PATH.match(token):
            raise InvalidInput(
                "prescribed_tokens",
                f"{json_shown(path or {})} is not a token path; give each token at its path, "
                f'e.g. {{"colors": {{"primary": {{"value": "#DC2626"}}}}}}; '
                f"valid paths: {TOKEN_PATH_HELP}. Nothing was saved.",
            )
        field = f"prescribed_tokens.{token}"
        if "ref" in spec:
            if not token.startswith("colors.") or not isinstance(spec["ref"], str):
                raise InvalidInput(
                    field,
                    "only colour tokens can refer to another token (ref: 'colors.<name>'); give "
                    "a value instead. Nothing was saved.",
                )
        else:
            _check_value(token, spec.get("value"), field=field)


async def create_design_system(
    scope: Scope,
    project_id: UUID,
    *,
    prescribed_tokens: dict[str, Any] | None,
    user_confirmations: dict[str, Any] | None,
) -> DesignSystem:
    if user_confirmations:
        _check_decisions(user_confirmations)
    if prescribed_tokens:
        _check_prescribed(prescribed_tokens)
    decisions = {"prescribed_tokens": prescribed_tokens or {}, "user_confirmations": user_confirmations or {}}
    updated, _, _ = await _decide_and_emerge(scope, project_id, lambda row: decisions, create="must")
    return _design_system(updated)


async def update_design_system(scope: Scope, project_id: UUID, changes: dict[str, Any]) -> DesignSystem:
    if changes.get("user_confirmations"):
        _check_decisions(changes["user_confirmations"])
    if changes.get("prescribed_tokens"):
        _check_prescribed(changes["prescribed_tokens"])
    updated, _, _ = await _decide_and_emerge(scope, project_id, lambda row: dict(changes))
    return _design_system(updated)


def _check_value(path: str, value: Any, *, field: str = "value") -> Any:
    """The value in the form the tokens store, or InvalidInput saying what a value at `path` looks like."""
    group = path.split(".", 1)[0]
    if group == "colors":
        color = normalize_color(value) if isinstance(value, str) else None
        if not color:
            raise InvalidInput(
                field,
                f"{json_shown(value)} is not a CSS colour; give a colour such as '#DC2626', "
                f"'rgb(220 38 38)' or 'red', or use ref to name another colour token.",
            )
        return color
    if path == "spacing.scale":
        if not isinstance(value, list) or not value or not all(isinstance(v, int | float) and v > 0 for v in value):
            raise InvalidInput(
                field, "spacing.scale must be a list of positive pixel numbers, e.g. [4, 8, 16, 24, 32]."
            )
        return sorted(value)
    if path == "typography.font_stack":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise InvalidInput(
                field, "typography.font_stack must be a list of font family names, e.g. ['Inter', 'sans-serif']."
            )
        return value
    if path == "typography.font_family":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(field, "typography.font_family must be a font family name, e.g. 'Inter'.")
        return value.strip()
    if path.startswith("typography.weights."):
        if not isinstance(value, int) or not 1 <= value <= 1000:
            raise InvalidInput(field, f"{path} must be a font weight between 1 and 1000, e.g. 600.")
        return value
    if group == "shadows":
        if not isinstance(value, str) or not shadow_layers(value):
            raise InvalidInput(
                field, f"{json_shown(value)} is not a CSS box-shadow; e.g. '0 1px 3px 0 rgb(0 0 0 / 0.1)'."
            )
        return value
    # spacing.base, spacing.steps.*, typography.sizes.*, radii.*: a length
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return f"{value:g}px"
    if isinstance(value, str) and parse_length(value) is not None:
        return value.strip()
    raise InvalidInput(
        field, f"{json_shown(value)} is not a length; give pixels as a number (8) or a CSS length ('8px', '0.5rem')."
    )


async def confirm_design_token(
    scope: Scope, project_id: UUID, path: str, *, value: Any = None, ref: str | None = None, note: str | None = None
) -> DesignSystem:
    if not TOKEN_PATH.match(path):
        raise InvalidInput("path", f"{json_shown(path)} is not a token path; valid paths: {TOKEN_PATH_HELP}.")
    if value is not None and ref is not None:
        raise InvalidInput("ref", "pass either value or ref, not both.")
    if ref is not None and not path.startswith("colors."):
        raise InvalidInput("ref", "only colour tokens can refer to another token; give a value instead.")

    def confirm(row: dict[str, Any]) -> dict[str, Any]:
        tokens = row.get("tokens") or {}
        spec: dict[str, Any]
        if ref is not None:
            name = ref.removeprefix("colors.")
            if name not in (tokens.get("colors") or {}) or f"colors.{name}" == path:
                known = ", ".join(sorted(tokens.get("colors") or {})) or "(none yet)"
                raise InvalidInput(
                    "ref",
                    f"{json_shown(ref)} is not another colour token of this design system; colour tokens: {known}.",
                )
            spec = {"ref": f"colors.{name}"}
        elif value is not None:
            spec = {"value": _check_value(path, value)}
        else:
            current = _token_at(tokens, path)
            if current is None:
                raise InvalidInput(
                    "value", f"the design system has no token at {path} to confirm; give the value to set."
                )
            spec = {"value": current}
        spec["confirmed_at"] = datetime.now(UTC).isoformat()
        if note:
            spec["note"] = note
        return {"user_confirmations": dict(row.get("user_confirmations") or {}) | {path: spec}}

    updated, _, _ = await _decide_and_emerge(scope, project_id, confirm)
    return _design_system(updated)


async def unconfirm_design_token(scope: Scope, project_id: UUID, path: str) -> DesignSystem:
    def unconfirm(row: dict[str, Any]) -> dict[str, Any]:
        confirmations = dict(row.get("user_confirmations") or {})
        if path not in confirmations:
            listed = ", ".join(sorted(confirmations)) or "none"
            raise InvalidInput("path", f"{json_shown(path)} is not confirmed; confirmed paths: {listed}.")
        del confirmations[path]
        return {"user_confirmations": confirmations}

    updated, _, _ = await _decide_and_emerge(scope, project_id, unconfirm)
    return _design_system(updated)


def _token_at(tokens: dict[str, Any], path: str) -> Any:
    node: Any = tokens
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    if isinstance(node, dict) and "value" in node:
        return node["value"]
    return node


async def delete_design_system(scope: Scope, project_id: UUID) -> DesignSystem:
    async with scope.db.transaction() as conn:
        row = await _row(conn, scope, project_id, lock=True)
        await conn.execute("DELETE FROM design_systems WHERE id = $1", row["id"])
    return _design_system(row)


async def color_usage(scope: Scope, project_id: UUID, *, all_versions: bool = False, limit: int = 50) -> ColorUsage:
    """The seed's "Detecting Design Patterns" query, restricted to current versions by default."""
    await require_project(scope.db, scope.actor, project_id)
    rows = await scope.db.fetch(
        """SELECT color, count(*) AS usage_count, array_agg(DISTINCT p.name) AS used_in_pages,
                  count(*) OVER () AS total_colors
           FROM mockups m
           CROSS JOIN LATERAL jsonb_array_elements_text(
             CASE WHEN jsonb_typeof(m.extracted_patterns->'colors_used') = 'array'
                  THEN m.extracted_patterns->'colors_used' ELSE '[]'::jsonb END) AS color
           JOIN pages p ON p.id = m.page_id
           WHERE m.project_id = $1 AND ($2 OR p.current_mockup_id = m.id)
           GROUP BY color
           ORDER BY usage_count DESC, color
           LIMIT $3""",
        project_id,
        all_versions,
        limit,
    )
    return ColorUsage(
        items=[
            ColorUse(color=r["color"], usage_count=r["usage_count"], used_in_pages=list(r["used_in_pages"]))
            for r in rows
        ],
        total_colors=rows[0]["total_colors"] if rows else 0,
        all_versions=all_versions,
    )


async def check_mockup_consistency(
    scope: Scope, *, mockup_id: UUID | None = None, page_id: UUID | None = None
) -> ConsistencyReport:
    if (mockup_id is None) == (page_id is None):
        raise InvalidInput("mockup_id", "pass mockup_id, or page_id to check the page's current version (one of them).")
    async with scope.db.snapshot() as conn:
        if mockup_id is None:
            assert page_id is not None  # checked above: exactly one of the two is given
            page = await require_page(conn, scope.actor, page_id)
            if page["current_mockup_id"] is None:
                raise InvalidInput("page_id", "the page has no mockup yet; create one with create_mockup_version.")
            mockup_id = page["current_mockup_id"]
        row = await _fetch_mockup(conn, scope, mockup_id, content=False)
        page_name = await conn.fetchval("SELECT name FROM pages WHERE id = $1", row["page_id"])
        design = await conn.fetchrow("SELECT tokens FROM design_systems WHERE project_id = $1", row["project_id"])
    if design is None:
        raise _no_design_system(row["project_id"])
    issues = [
        ConsistencyIssue(**issue)
        for issue in check_consistency(row["extracted_patterns"] or {}, design["tokens"] or {})
    ]
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.kind] = counts.get(issue.kind, 0) + 1
    return ConsistencyReport(
        mockup=MockupRef(id=row["id"], page_id=row["page_id"], version=row["version"]),
        page_name=page_name,
        consistent=not issues,
        issue_counts=counts,
        issues=issues,
    )


EXPORTS: dict[str, tuple[str, str]] = {
    "dtcg": ("tokens.json", "application/json"),
    "css": ("tokens.css", "text/css"),
    "tailwind": ("tailwind.theme.json", "application/json"),
    "tailwind_config": ("tailwind.config.js", "text/javascript"),
}


def render_tokens(tokens: dict[str, Any], format: str) -> str:
    if format == "dtcg":
        return json.dumps(to_dtcg(tokens), indent=2) + "\n"
    if format == "css":
        return to_css_variables(tokens)
    if format == "tailwind":
        return json.dumps(to_tailwind_theme(tokens), indent=2) + "\n"
    if format == "tailwind_config":
        return tailwind_config_js(tokens)
    raise InvalidInput("format", f"must be one of {', '.join(EXPORTS)}.")


async def export_design_tokens(scope: Scope, project_id: UUID, format: str) -> TokenExport:
    if format not in EXPORTS:
        raise InvalidInput("format", f"must be one of {', '.join(EXPORTS)}.")
    design = await get_design_system(scope, project_id)
    filename, media_type = EXPORTS[format]
    return TokenExport(
        project_id=project_id,
        format=format,
        filename=filename,
        media_type=media_type,
        content=render_tokens(design.tokens, format),
    )
