"""Toolset `design`: the project's design system — tokens that emerge from the current mockups,
decisions that survive re-analysis, colour usage, consistency checks and token exports."""

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import Context
from pydantic import Field

from ..domain import design_checks, design_systems
from ..domain.design_checks import DesignSystemCheck
from ..domain.design_systems import (
    TOKEN_PATH_HELP,
    ColorUsage,
    ConsistencyReport,
    DesignSystem,
    DesignSystemAnalysis,
    TokenExport,
    TokenFormat,
)
from ..server.apps import DESIGN_SYSTEM_VIEW
from ..server.params import JsonObject, ProjectId, changes_from_arguments
from ..server.registry import resource, tool
from ..server.resource_helpers import to_json, uuid_from_uri
from ..server.state import current_scope, scope_of

PrescribedTokens = Annotated[
    JsonObject,
    Field(
        description='Tokens you impose, in the tokens\' shape, e.g. {"colors": {"primary": {"value": "#DC2626"}}, '
        '"spacing": {"base": {"value": "8px"}}}. They override what emerges from mockups.'
    ),
]
Confirmations = Annotated[
    JsonObject,
    Field(
        description='Decisions by token path, e.g. {"colors.primary": {"value": "#DC2626"}, "colors.accent": '
        '{"ref": "colors.red-600"}}. They override everything and survive re-analysis.'
    ),
]
TokenPath = Annotated[str, Field(min_length=3, max_length=120, description=f"The token's path: {TOKEN_PATH_HELP}.")]
TokenValue = str | int | float | list[str | int | float]


@tool("design", title="Create design system", read_only=False, destructive=False, idempotent=False)
async def create_design_system(
    ctx: Context,
    project_id: ProjectId,
    prescribed_tokens: PrescribedTokens | None = None,
    user_confirmations: Confirmations | None = None,
) -> DesignSystem:
    """Create the project's design system (one per project), optionally with tokens you prescribe
    (brand colours, a spacing scale), and derive tokens from the current mockups at once. Most
    projects just call analyze_design_system, which creates it when missing."""
    return await design_systems.create_design_system(
        scope_of(ctx), project_id, prescribed_tokens=prescribed_tokens, user_confirmations=user_confirmations
    )


@tool("design", title="Get design system", read_only=True, destructive=False, idempotent=True, ui=DESIGN_SYSTEM_VIEW)
async def get_design_system(
    ctx: Context,
    project_id: ProjectId,
    detail: Annotated[
        bool,
        Field(
            description="Also list, per token and component, the pages, contexts and class "
            "sets it was seen in (several times larger)."
        ),
    ] = False,
) -> DesignSystem:
    """Read the project's design system: effective tokens (colours with roles such as primary and
    text, spacing base and scale, typography, radii, shadows), component patterns, confidence per
    token, and the decisions (prescribed tokens, confirmations) behind them. Compact unless
    detail=true."""
    return await design_systems.get_design_system(scope_of(ctx), project_id, detail=detail)


@tool("design", title="Update design system", read_only=False, destructive=False, idempotent=True)
async def update_design_system(
    ctx: Context,
    project_id: ProjectId,
    prescribed_tokens: Annotated[
        PrescribedTokens | None, Field(description="Replaces the prescribed tokens ({} clears them).")
    ] = None,
    user_confirmations: Annotated[
        Confirmations | None,
        Field(description="Replaces all confirmations ({} clears them); to change one token use confirm_design_token."),
    ] = None,
) -> DesignSystem:
    """Replace the prescribed tokens and/or the confirmations (only the fields you pass change),
    then recompute the effective tokens from the current mockups. Tokens themselves are derived:
    set one with confirm_design_token."""
    changes = changes_from_arguments(locals(), leave_out=("project_id",))
    return await design_systems.update_design_system(scope_of(ctx), project_id, changes)


@tool("design", title="Delete design system", read_only=False, destructive=True, idempotent=True)
async def delete_design_system(ctx: Context, project_id: ProjectId) -> DesignSystem:
    """Delete the project's design system with its confirmations and prescribed tokens (mockups
    are untouched). Returns what was deleted. Ask the user first; analyze_design_system grows a
    new one but cannot bring decisions back."""
    return await design_systems.delete_design_system(scope_of(ctx), project_id)


@tool("design", title="Analyze design system", read_only=False, destructive=False, idempotent=True)
async def analyze_design_system(ctx: Context, project_id: ProjectId) -> DesignSystemAnalysis:
    """Derive the design system from every page's CURRENT mockup: palette with roles (primary,
    background, surface, text, border), spacing base and scale, typography, radii, shadows,
    recurring components, with a confidence per token. Creates the design system when missing.
    Prescribed and confirmed tokens always win and are never overwritten. Run it after saving
    mockups."""
    return await design_systems.analyze_design_system(scope_of(ctx), project_id)


@tool("design", title="Confirm design token", read_only=False, destructive=False, idempotent=True)
async def confirm_design_token(
    ctx: Context,
    project_id: ProjectId,
    path: TokenPath,
    value: Annotated[
        TokenValue | None,
        Field(
            description="The value to set: a colour ('#DC2626'), a length ('8px' or 8), a weight (600), a font name, or a list for spacing.scale/font_stack. Leave out (with ref) to confirm the token's current value."
        ),
    ] = None,
    ref: Annotated[
        str | None,
        Field(max_length=120, description="For a colour: another colour token it stands for, e.g. 'colors.red-600'."),
    ] = None,
    note: Annotated[
        str | None, Field(max_length=1000, description="Why, e.g. 'brand red from the style guide'.")
    ] = None,
) -> DesignSystem:
    """Set or confirm one design token as the user's decision: with a value it sets it; with
    neither value nor ref it confirms what analysis found. Confirmed tokens have confidence 1.0
    and survive every re-analysis. Returns the recomputed design system."""
    return await design_systems.confirm_design_token(scope_of(ctx), project_id, path, value=value, ref=ref, note=note)


@tool("design", title="Withdraw token confirmation", read_only=False, destructive=False, idempotent=True)
async def unconfirm_design_token(ctx: Context, project_id: ProjectId, path: TokenPath) -> DesignSystem:
    """Withdraw a confirmation: the token goes back to what the mockups say (or a prescribed
    value). Returns the recomputed design system."""
    return await design_systems.unconfirm_design_token(scope_of(ctx), project_id, path)


@tool("design", title="Colour usage", read_only=True, destructive=False, idempotent=True)
async def color_usage(
    ctx: Context,
    project_id: ProjectId,
    all_versions: Annotated[
        bool, Field(description="Count every mockup version instead of only each page's current one.")
    ] = False,
    limit: Annotated[int, Field(ge=1, le=500, description="Most colours to return (1-500), most used first.")] = 50,
) -> ColorUsage:
    """Which colours the project's mockups use, how many mockups use each and on which pages —
    most used first. Counts only current versions unless all_versions=true. Use it to spot a
    palette, or colours used once that should be a token."""
    return await design_systems.color_usage(scope_of(ctx), project_id, all_versions=all_versions, limit=limit)


@tool("design", title="Check mockup consistency", read_only=True, destructive=False, idempotent=True)
async def check_mockup_consistency(
    ctx: Context,
    mockup_id: Annotated[
        UUID | None, Field(description="The mockup version to check. Or leave out and pass page_id.")
    ] = None,
    page_id: Annotated[UUID | None, Field(description="Check this page's current version.")] = None,
) -> ConsistencyReport:
    """List where a mockup departs from the design system: colours off the palette, spacing off
    the scale, unknown font families, font sizes and radii not in the tokens — each with the
    token, CSS variable and Tailwind class to use instead. A colour gets a suggestion only when a
    token is within ΔE2000 3 (a slip); a colour no token is that close to is a new_color: add a
    token for it, or use the `alternative` (the nearest token of the same part)."""
    return await design_systems.check_mockup_consistency(scope_of(ctx), mockup_id=mockup_id, page_id=page_id)


@tool("design", title="Export design tokens", read_only=True, destructive=False, idempotent=True)
async def export_design_tokens(
    ctx: Context,
    project_id: ProjectId,
    format: Annotated[
        TokenFormat,
        Field(
            description="dtcg (W3C Design Tokens 2025.10 JSON, builds with Style Dictionary), css (:root custom properties), tailwind (theme.extend JSON reading the CSS variables) or tailwind_config (tailwind.config.js)."
        ),
    ],
) -> TokenExport:
    """Export the project's design tokens as a file's text: DTCG JSON, CSS custom properties,
    a Tailwind theme, or a tailwind.config.js. Returns a file name, media type and the content."""
    return await design_systems.export_design_tokens(scope_of(ctx), project_id, format)


@tool("design", title="Check design system", read_only=True, destructive=False, idempotent=True)
async def check_design_system(ctx: Context, project_id: ProjectId) -> DesignSystemCheck:
    """Check the design system's colours for readability: every text/background pair of colours
    that the current mockups use together, named by its tokens (e.g. text-muted on surface),
    with its WCAG 2.2 contrast ratio and AA/AAA verdicts — failing pairs first. Use it before
    confirming colour tokens; check_accessibility checks one rendered mockup in full."""
    return await design_checks.check_design_system(scope_of(ctx), project_id)


# -- resources ---------------------------------------------------------------------------------


async def _export(project_id: str, format: str) -> str:
    result = await design_systems.export_design_tokens(current_scope(), uuid_from_uri(project_id, "project"), format)
    return result.content


@resource("flexos://projects/{project_id}/design-system", toolset="design", title="Design system")
async def design_system_resource(project_id: str) -> str:
    """The project's design system (tokens, component patterns, confidence, decisions) as JSON."""
    return to_json(await design_systems.get_design_system(current_scope(), uuid_from_uri(project_id, "project")))


@resource("flexos://projects/{project_id}/design-system/tokens.json", toolset="design", title="Design tokens (DTCG)")
async def tokens_dtcg_resource(project_id: str) -> str:
    """The design tokens as a W3C Design Tokens (DTCG) document."""
    return await _export(project_id, "dtcg")


@resource(
    "flexos://projects/{project_id}/design-system/tokens.css",
    toolset="design",
    title="Design tokens (CSS)",
    mime_type="text/css",
)
async def tokens_css_resource(project_id: str) -> str:
    """The design tokens as CSS custom properties on :root."""
    return await _export(project_id, "css")


@resource(
    "flexos://projects/{project_id}/design-system/tailwind.json",
    toolset="design",
    title="Design tokens (Tailwind theme)",
)
async def tokens_tailwind_resource(project_id: str) -> str:
    """The design tokens as a Tailwind theme.extend object (values read the CSS variables)."""
    return await _export(project_id, "tailwind")
