"""Toolset `visual`: see what a mockup looks like — render it to PNG, compare two versions pixel
by pixel, check it for accessibility faults. Mockups render in a sandboxed headless Chromium that
reaches nothing but the mockup (rendering/)."""

import base64
from typing import Annotated, Literal
from uuid import UUID

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ImageContent, TextContent
from pydantic import BaseModel, Field

from ..analysis.pixel_diff import compare_pngs
from ..analysis.viewports import MAX_HEIGHT, MAX_WIDTH, MIN_HEIGHT, MIN_WIDTH, VIEWPORTS
from ..compute import run_cpu
from ..domain.mockup_sources import MockupSource, mockup_pair, mockup_source
from ..domain.mockups import MockupRef
from ..errors import InvalidInput
from ..rendering.accessibility import check_accessibility as run_axe
from ..rendering.browser import Frame, Renderer, Shot
from ..rendering.offline import compose_document
from ..server.registry import resource, tool
from ..server.resource_helpers import uuid_from_uri
from ..server.state import app_of, current_renderer, current_scope, scope_of
from ..untrusted import Untrusted, user_content
from .versions import ComparedPage, FromMockupId, FromVersion, ToMockupId, ToVersion

ViewportName = Literal["mobile", "tablet", "desktop"]
_DEVICE_VIEWPORT = {"mobile": "mobile", "tablet": "tablet", "desktop": "desktop"}  # responsive -> desktop
MAX_TOP = 1_000_000

PageArg = Annotated[
    UUID | None, Field(description="The page: its current mockup, or `version` of it. Or pass mockup_id instead.")
]
VersionArg = Annotated[
    int | None, Field(ge=1, description="A version number of the page (with page_id); default: the current one.")
]
MockupArg = Annotated[UUID | None, Field(description="A mockup version's id, instead of page_id.")]
ViewportArg = Annotated[
    ViewportName | None,
    Field(
        description="mobile (390x844), tablet (834x1112) or desktop (1440x900); default: the page's primary device (desktop for responsive pages)."
    ),
]
WidthArg = Annotated[
    int | None,
    Field(
        ge=MIN_WIDTH,
        le=MAX_WIDTH,
        description=f"A viewport width in CSS px ({MIN_WIDTH}-{MAX_WIDTH}) instead of the preset's.",
    ),
]
HeightArg = Annotated[
    int | None,
    Field(
        ge=MIN_HEIGHT,
        le=MAX_HEIGHT,
        description=f"A viewport height in CSS px ({MIN_HEIGHT}-{MAX_HEIGHT}) instead of the preset's.",
    ),
]
FullPageArg = Annotated[
    bool,
    Field(
        description="True: the whole page, top to bottom (up to 8,000 image px; the result says when it was cut). False: one screen."
    ),
]


class ViewportUsed(BaseModel):
    name: str = Field(description="mobile, tablet, desktop, or custom for an explicit size.")
    width: int
    height: int
    scale: int = Field(description="Device pixels per CSS pixel.")


class ImageInfo(BaseModel):
    width: int = Field(description="Pixels of the PNG.")
    height: int
    bytes: int


class RenderInfo(BaseModel):
    mockup: MockupRef
    page_name: Untrusted
    viewport: ViewportUsed
    full_page: bool
    image: ImageInfo
    page_height: int = Field(description="CSS px of the whole rendered page.")
    top: int = Field(description="CSS px: the first row captured.")
    bottom: int = Field(description="CSS px: the row after the last one captured.")
    cut: bool = Field(description="The page goes on below `bottom`; call again with top=bottom to see more.")
    cached: bool = Field(
        description="Served from the render cache (the same content was rendered the same way before)."
    )
    resource_uri: str | None = Field(
        None, description="The same render as a resource, when it is a preset viewport, full page at scale 1."
    )


class ChangedRegion(BaseModel):
    x: int = Field(description="CSS px from the left.")
    y: int = Field(description="CSS px from the top.")
    width: int
    height: int
    changed_pixels: int
    where: str = Field(description="Where on the page, in words: e.g. 'top right'.")


class MockupComparison(BaseModel):
    from_mockup: MockupRef
    to_mockup: MockupRef
    viewport: ViewportUsed
    identical: bool = Field(description="No pixel changed beyond antialiasing noise.")
    changed_percent: float = Field(description="Share of the compared pixels that changed, in percent.")
    changed_pixels: int
    compared_width: int = Field(description="CSS px: the larger render's width ...")
    compared_height: int = Field(description="... and height.")
    size_changed: bool = Field(description="The two renders differ in size (the page got longer or shorter).")
    from_page_height: int
    to_page_height: int
    regions: list[ChangedRegion] = Field(description="Bounding boxes of the changed areas, largest first (at most 20).")
    regions_total: int
    cut: bool = Field(description="A page was longer than the capture bound; only its top part was compared.")


class FailingElement(BaseModel):
    selector: Untrusted = Field(description="CSS selector of the element (taken from the mockup).")
    html: Untrusted = Field(description="The element's opening HTML, shortened.")
    fix: Untrusted = Field(
        description="axe's explanation of what fails and how to fix it (axe runs inside the "
        "mockup's page, so its words are the page's)."
    )


class AccessibilityViolation(BaseModel):
    rule: str = Field(description="axe-core rule id, e.g. color-contrast, image-alt, label, heading-order.")
    impact: str | None = Field(description="critical, serious, moderate or minor.")
    level: str = Field(description="WCAG level A or AA, or best-practice.")
    wcag: list[str] = Field(description="WCAG success criteria, e.g. ['1.4.3'].")
    help: Untrusted = Field(description="The rule's summary, as axe reported it from inside the page.")
    help_url: str
    element_count: int
    elements: list[FailingElement] = Field(description="The first failing elements (at most 5).")


class AccessibilityReport(BaseModel):
    mockup: MockupRef
    page_name: Untrusted
    viewport: ViewportUsed
    passed: bool = Field(description="No rule was violated.")
    violation_count: int = Field(description="Rules violated.")
    element_count: int = Field(description="Failing elements over all rules.")
    by_impact: dict[str, int]
    violations: list[AccessibilityViolation]
    needs_review: list[str] = Field(
        description="Rules axe could not decide automatically (e.g. contrast over an image): check by eye."
    )
    engine: str


# -- shared steps ------------------------------------------------------------------------------


def _frame(
    source: MockupSource,
    viewport: str | None,
    width: int | None,
    height: int | None,
    *,
    full_page: bool = True,
    scale: int = 1,
    top: int = 0,
) -> tuple[Frame, ViewportUsed]:
    name = viewport or _DEVICE_VIEWPORT.get(source.primary_device, "desktop")
    preset = VIEWPORTS[name]
    custom = (width is not None and width != preset.width) or (height is not None and height != preset.height)
    frame = Frame(
        width=width or preset.width, height=height or preset.height, scale=scale, full_page=full_page, top=top
    )
    return frame, ViewportUsed(name="custom" if custom else name, width=frame.width, height=frame.height, scale=scale)


def _document(source: MockupSource) -> str:
    return compose_document(source.html, source.css, source.javascript)


def _renderer(ctx: Context) -> Renderer:
    return app_of(ctx).renderer


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size} bytes"


def _where(x: int, y: int, width: int, height: int, page_width: int, page_height: int) -> str:
    """A region's place on the page in words, by the third its centre falls in."""
    column = ("left", "center", "right")[min(2, int((x + width / 2) * 3 / max(1, page_width)))]
    row = ("top", "middle", "bottom")[min(2, int((y + height / 2) * 3 / max(1, page_height)))]
    if width >= page_width * 0.9:
        column = "full width"
    return f"{row} {column}"


# -- tools -------------------------------------------------------------------------------------


@tool("visual", title="Render mockup", read_only=True, destructive=False, idempotent=True)
async def render_mockup(
    ctx: Context,
    page_id: PageArg = None,
    version: VersionArg = None,
    mockup_id: MockupArg = None,
    viewport: ViewportArg = None,
    width: WidthArg = None,
    height: HeightArg = None,
    full_page: FullPageArg = True,
    scale: Annotated[Literal[1, 2], Field(description="Device scale: 1, or 2 for a sharp (retina) image.")] = 1,
    top: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_TOP,
            description="CSS px from the top of the page where the capture starts: pass the previous result's `bottom` to see below a cut.",
        ),
    ] = 0,
) -> Annotated[CallToolResult, RenderInfo]:
    """See a mockup: render it in a sandboxed headless browser and get a PNG image, plus its size
    and whether the page was cut. By page (its current mockup, or a version) or by mockup id; at
    a mobile, tablet or desktop viewport or an explicit size. Use it after saving a version to
    check what you built looks right. The mockup's own scripts run, but it loads nothing from
    the network (Tailwind's CDN script is served locally) and web fonts fall back to system
    fonts. Very tall pages: full_page=false shows one screen in detail; `top` scrolls."""
    source = await mockup_source(scope_of(ctx), mockup_id=mockup_id, page_id=page_id, version=version)
    frame, used = _frame(source, viewport, width, height, full_page=full_page, scale=scale, top=top)
    shot = await _renderer(ctx).screenshot(_document(source), frame)
    info = _render_info(source, frame, used, shot)
    what = "the full page" if full_page and not shot.cut and shot.top == 0 else f"CSS px {shot.top:,}-{shot.bottom:,}"
    text = (
        f"Rendered {user_content(source.label)} at {used.name} ({used.width}x{used.height}, scale {used.scale}): {what}, "
        f"{shot.image_width}x{shot.image_height} px PNG ({_kb(len(shot.png))})."
    )
    if shot.cut:
        text += (
            f" The page is {shot.page_height:,} px tall and was cut at {shot.bottom:,}; call render_mockup again "
            f"with top={shot.bottom} to see the rest."
        )
    return CallToolResult(
        content=[
            ImageContent(type="image", data=_base64(shot.png), mime_type="image/png"),
            TextContent(type="text", text=text),
        ],
        structured_content=info.model_dump(mode="json"),
    )


def _render_info(source: MockupSource, frame: Frame, used: ViewportUsed, shot: Shot) -> RenderInfo:
    preset = used.name in VIEWPORTS and frame.full_page and frame.scale == 1 and frame.top == 0
    uri = f"flexos://projects/{source.project_id}/mockups/{source.id}/render/{used.name}.png" if preset else None
    return RenderInfo(
        mockup=source.ref,
        page_name=source.page_name,
        viewport=used,
        full_page=frame.full_page,
        image=ImageInfo(width=shot.image_width, height=shot.image_height, bytes=len(shot.png)),
        page_height=shot.page_height,
        top=shot.top,
        bottom=shot.bottom,
        cut=shot.cut,
        cached=shot.cached,
        resource_uri=uri,
    )


@tool("visual", title="Compare mockups visually", read_only=True, destructive=False, idempotent=True)
async def compare_mockups(
    ctx: Context,
    page_id: ComparedPage = None,
    from_version: FromVersion = None,
    to_version: ToVersion = None,
    from_mockup_id: FromMockupId = None,
    to_mockup_id: ToMockupId = None,
    viewport: ViewportArg = None,
    width: WidthArg = None,
    height: HeightArg = None,
    full_page: FullPageArg = True,
) -> Annotated[CallToolResult, MockupComparison]:
    """See what changed between two mockups: both are rendered at the same viewport and compared
    pixel by pixel. Returns one image — before, after, and the difference (changed pixels in
    magenta, each changed region outlined) — plus the share of pixels that changed and the
    bounding box of each changed region, so you can say e.g. "only the header changed". For
    what changed in the code, use diff_mockups (toolset versions)."""
    before, after = await mockup_pair(
        scope_of(ctx),
        from_mockup_id=from_mockup_id,
        to_mockup_id=to_mockup_id,
        page_id=page_id,
        from_version=from_version,
        to_version=to_version,
    )
    frame, used = _frame(after, viewport, width, height, full_page=full_page)
    renderer = _renderer(ctx)
    first = await renderer.screenshot(_document(before), frame)
    second = await renderer.screenshot(_document(after), frame)
    labels = (f"before: {before.label}"[:60], f"after: {after.label}"[:60], "difference")
    diff = await run_cpu(
        compare_pngs,
        first.png,
        second.png,
        scale=1,
        labels=labels,
        timeout=60,
        hint="Compare at a smaller viewport, or with full_page=false.",
    )
    regions = [
        ChangedRegion(
            x=r.x,
            y=r.y,
            width=r.width,
            height=r.height,
            changed_pixels=r.changed_pixels,
            where=_where(r.x, r.y, r.width, r.height, diff.width, diff.height),
        )
        for r in diff.regions
    ]
    comparison = MockupComparison(
        from_mockup=before.ref,
        to_mockup=after.ref,
        viewport=used,
        identical=diff.changed_pixels == 0,
        changed_percent=round(100 * diff.changed_share, 3),
        changed_pixels=diff.changed_pixels,
        compared_width=diff.width,
        compared_height=diff.height,
        size_changed=diff.size_changed,
        from_page_height=first.page_height,
        to_page_height=second.page_height,
        regions=regions,
        regions_total=diff.regions_total,
        cut=first.cut or second.cut,
    )
    return CallToolResult(
        content=[
            ImageContent(type="image", data=_base64(diff.image or b""), mime_type="image/png"),
            TextContent(type="text", text=_comparison_text(before, after, used, comparison)),
        ],
        structured_content=comparison.model_dump(mode="json"),
    )


def _comparison_text(before: MockupSource, after: MockupSource, used: ViewportUsed, c: MockupComparison) -> str:
    head = f"{user_content(before.label)} -> {user_content(after.label)} at {used.name} ({used.width}x{used.height})"
    if c.identical:
        return f"{head}: no visible change."
    places = "; ".join(f"{r.where} ({r.width}x{r.height} at {r.x},{r.y})" for r in c.regions[:5])
    more = f" and {c.regions_total - 5} more" if c.regions_total > 5 else ""
    size = (
        f" The page height changed from {c.from_page_height:,} to {c.to_page_height:,} px."
        if c.from_page_height != c.to_page_height
        else ""
    )
    return (
        f"{head}: {c.changed_percent:g}% of pixels changed, in {c.regions_total} region(s): {places}{more}."
        f"{size} Image: before | after | difference."
    )


@tool("visual", title="Check accessibility", read_only=True, destructive=False, idempotent=True)
async def check_accessibility(
    ctx: Context,
    page_id: PageArg = None,
    version: VersionArg = None,
    mockup_id: MockupArg = None,
    viewport: ViewportArg = None,
    width: WidthArg = None,
    best_practices: Annotated[
        bool,
        Field(description="Also check axe's best practices (heading order, landmarks, one h1...), not only WCAG A/AA."),
    ] = True,
) -> AccessibilityReport:
    """Check a rendered mockup for accessibility faults with axe-core (WCAG 2.0-2.2 A and AA, and
    best practices): low-contrast text, images without alt text, inputs without labels, skipped
    heading levels, small touch targets, missing landmarks... Returns the violations grouped by
    rule — impact, WCAG criteria and level, how to fix — with the failing elements (selector and
    HTML). Check mobile and desktop: some faults appear at one size only."""
    source = await mockup_source(scope_of(ctx), mockup_id=mockup_id, page_id=page_id, version=version)
    frame, used = _frame(source, viewport, width, None, full_page=False)
    report = await run_axe(_renderer(ctx), _document(source), frame, best_practices=best_practices)
    violations = [
        AccessibilityViolation(
            rule=v.rule,
            impact=v.impact,
            level=v.level,
            wcag=list(v.criteria),
            help=v.help,
            help_url=v.help_url,
            element_count=v.element_count,
            elements=[FailingElement(selector=e.selector, html=e.html, fix=e.fix) for e in v.elements],
        )
        for v in report.violations
    ]
    by_impact: dict[str, int] = {}
    for v in report.violations:
        by_impact[v.impact or "unknown"] = by_impact.get(v.impact or "unknown", 0) + 1
    return AccessibilityReport(
        mockup=source.ref,
        page_name=source.page_name,
        viewport=used,
        passed=not violations,
        violation_count=len(violations),
        element_count=sum(v.element_count for v in report.violations),
        by_impact=by_impact,
        violations=violations,
        needs_review=list(report.needs_review),
        engine=report.engine,
    )


# -- resources ---------------------------------------------------------------------------------


@resource(
    "flexos://projects/{project_id}/mockups/{mockup_id}/render/{viewport}.png",
    toolset="visual",
    title="Rendered mockup (PNG)",
    mime_type="image/png",
)
async def mockup_render_resource(project_id: str, mockup_id: str, viewport: str) -> bytes:
    """A mockup version rendered as a PNG: the full page at a preset viewport (mobile, tablet or
    desktop), device scale 1."""
    if viewport not in VIEWPORTS:
        raise InvalidInput(
            "viewport", f"{viewport!r} is not a viewport; use mobile, tablet or desktop (e.g. .../render/mobile.png)."
        )
    source = await mockup_source(
        current_scope(), mockup_id=uuid_from_uri(mockup_id, "mockup"), project_id=uuid_from_uri(project_id, "project")
    )
    frame, _ = _frame(source, viewport, None, None)
    return (await current_renderer().screenshot(_document(source), frame)).png
