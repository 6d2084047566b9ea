"""The preview's pages: each reads through the domain layer as the acting user and hands plain
values to its template. Anything a person or a model wrote reaches a template as text (Jinja
escapes it); values that go into a style attribute are re-spelled from their parsed form first
(a colour as hex, a length as px), so a token value cannot smuggle CSS in."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import compute
from ..analysis.contrast import contrast_verdict
from ..analysis.css_values import normalize_color, parse_length, shadow_layers
from ..analysis.diagram import Arrow, Box, Diagram, draw, wrap
from ..analysis.viewports import VIEWPORTS
from ..domain import design_systems, entities, flow_reports, flows, mockups, outline, pages, projects, thinking, wizard
from ..domain.mockups import Mockup
from ..errors import FlexError, InvalidInput, NotFound
from ..rendering.mockup_frame import FRAME_HEADERS, mockup_document
from .requests import acting_scope, render

# Diagrams with more boxes than this are laid out in the compute pool, off the event loop.
INLINE_LAYOUT_LIMIT = 150
COMPARE_MODES = ("side", "overlay", "difference")
MAX_VERSIONS = 100


async def _diagram(
    boxes: list[Box], arrows: list[Arrow], positions: dict[str, dict[str, float]] | None = None
) -> Diagram:
    if len(boxes) <= INLINE_LAYOUT_LIMIT:
        return draw(boxes, arrows, positions)
    return await compute.run_cpu(
        draw,
        boxes,
        arrows,
        positions,
        timeout=30,
        hint="The diagram has too many boxes to lay out; view a smaller part of it.",
    )


def _query_int(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise InvalidInput(name, f"must be a whole number from {low} to {high}; got {raw!r}.")
    return value


def _query_choice(request: Request, name: str, choices: tuple[str, ...] | list[str], default: str) -> str:
    value = request.query_params.get(name) or default
    if value not in choices:
        raise InvalidInput(name, f"must be one of {', '.join(choices)}; got {value!r}.")
    return value


async def _project(scope: Any, project_id: UUID) -> Any:
    return await projects.get_project(scope, project_id)


# -- projects ---------------------------------------------------------------------------------


async def projects_page(request: Request) -> Response:
    try:
        scope = await acting_scope(request)
    except NotFound:
        return render(request, "projects.html", projects=[], email=request.app.state.config.user_email)
    listed = await projects.list_projects(scope, status=None, limit=100)
    return render(request, "projects.html", projects=listed.items, email=scope.actor.email)


async def project_page(request: Request) -> Response:
    scope = await acting_scope(request)
    project_id = request.path_params["project_id"]
    project = await _project(scope, project_id)
    whole = await outline.project_outline(scope, project_id)
    runs = await wizard.list_wizard_runs(scope, project_id, limit=50)
    return render(request, "project.html", project=project, outline=whole, runs=runs.items)


# -- pages and mockups ------------------------------------------------------------------------


async def _page_in_project(scope: Any, project_id: UUID, page_id: UUID) -> Any:
    page = await pages.get_page(scope, page_id)
    if page.project_id != project_id:
        raise NotFound("page", page_id)
    return page


def _viewport(request: Request, page: Any) -> Any:
    default = page.primary_device if page.primary_device in VIEWPORTS else "desktop"
    return VIEWPORTS[_query_choice(request, "viewport", list(VIEWPORTS), default)]


def _pick(versions: list[Mockup], number: int | None, field: str, fallback: Mockup | None) -> Mockup | None:
    if number is None:
        return fallback
    for version in versions:
        if version.version == number:
            return version
    have = ", ".join(str(v.version) for v in sorted(versions, key=lambda v: v.version)) or "none yet"
    raise InvalidInput(field, f"the page has no version {number}; its versions are {have}.")


async def _page_and_versions(request: Request) -> tuple[Any, Any, list[Mockup]]:
    """The project and page of the URL, and the page's versions, newest first."""
    scope = await acting_scope(request)
    project_id, page_id = request.path_params["project_id"], request.path_params["page_id"]
    project = await _project(scope, project_id)
    page = await _page_in_project(scope, project_id, page_id)
    return project, page, (await mockups.list_mockups(scope, page_id, limit=MAX_VERSIONS)).items


async def page_page(request: Request) -> Response:
    project, page, versions = await _page_and_versions(request)
    current = next((v for v in versions if v.is_current), versions[0] if versions else None)
    shown = _pick(versions, _query_int(request, "version", 1, 1_000_000), "version", current)
    return render(
        request,
        "page.html",
        project=project,
        page=page,
        versions=versions,
        shown=shown,
        viewport=_viewport(request, page),
        viewports=VIEWPORTS.values(),
    )


async def compare_page(request: Request) -> Response:
    project, page, versions = await _page_and_versions(request)
    if len(versions) < 2:
        raise FlexError("This page has only one mockup version, so there is nothing to compare yet.")
    current = next((v for v in versions if v.is_current), versions[0])
    earlier = next((v for v in versions if v.version < current.version), None)
    before = _pick(versions, _query_int(request, "a", 1, 1_000_000), "a", earlier or versions[-1])
    after = _pick(versions, _query_int(request, "b", 1, 1_000_000), "b", current if earlier else versions[0])
    mode = _query_choice(request, "mode", COMPARE_MODES, "side")
    opacity = _query_int(request, "opacity", 0, 100)
    return render(
        request,
        "compare.html",
        project=project,
        page=page,
        versions=versions,
        before=before,
        after=after,
        mode=mode,
        modes=COMPARE_MODES,
        opacity=50 if opacity is None else opacity,
        viewport=_viewport(request, page),
        viewports=VIEWPORTS.values(),
    )


async def mockup_frame(request: Request) -> Response:
    """The mockup itself, for a sandboxed frame (frame.py says what it can and cannot do)."""
    scope = await acting_scope(request)
    mockup = await mockups.get_mockup(scope, mockup_id=request.path_params["mockup_id"])
    if mockup.project_id != request.path_params["project_id"]:
        raise NotFound("mockup", mockup.id)
    document = mockup_document(mockup.html_content or "", mockup.css_content, mockup.javascript_content)
    return HTMLResponse(document, headers=FRAME_HEADERS)


# -- design system ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Swatch:
    name: str
    value: str
    hex: str | None
    ref: str | None
    usage_count: int
    page_count: int
    contexts: list[str]
    on_background: Any  # ContrastVerdict of the colour as text on the background token
    with_text: Any  # ContrastVerdict of the text token on the colour


@dataclass(frozen=True)
class Sample:
    name: str
    value: str
    px: float | None
    css: str | None  # the value re-spelled from its parsed form, safe in a style attribute


def _value(token: Any) -> str:
    return str(token.get("value") if isinstance(token, dict) else token)


def _lengths(group: Any) -> list[Sample]:
    samples = []
    for name, token in (group or {}).items():
        value = _value(token)
        px = parse_length(value)
        samples.append(Sample(name, value, px, f"{px:g}px" if px is not None and 0 <= px <= 10_000 else None))
    return sorted(samples, key=lambda s: (s.px is None, s.px or 0, s.name))


def _shadow_css(value: str) -> str | None:
    layers = shadow_layers(value)
    if not layers:
        return None
    return ", ".join(
        " ".join(
            filter(
                None,
                (
                    "inset" if layer.get("inset") else None,
                    layer.get("offsetX"),
                    layer.get("offsetY"),
                    layer.get("blur"),
                    layer.get("spread"),
                    layer.get("color"),
                ),
            )
        )
        for layer in layers
    )


def design_view(tokens: dict[str, Any]) -> dict[str, Any]:
    """What the design-system page shows, from the stored tokens."""
    colors = tokens.get("colors") or {}
    background = normalize_color(_value(colors["background"])) if "background" in colors else None
    text = normalize_color(_value(colors["text"])) if "text" in colors else None
    background, text = background or "#FFFFFF", text or "#000000"
    swatches = []
    for name, token in colors.items():
        token = token if isinstance(token, dict) else {"value": token}
        value = _value(token)
        hex_value = normalize_color(value)
        swatches.append(
            Swatch(
                name=name,
                value=value,
                hex=hex_value,
                ref=token.get("ref"),
                usage_count=int(token.get("usage_count") or 0),
                page_count=int(token.get("page_count") or 0),
                contexts=[str(c) for c in token.get("contexts") or []],
                on_background=contrast_verdict(hex_value, background) if hex_value else None,
                with_text=contrast_verdict(text, hex_value[:7]) if hex_value else None,
            )
        )
    swatches.sort(key=lambda s: (-s.usage_count, s.name))
    typography = tokens.get("typography") or {}
    family = typography.get("font_family")
    safe_family = "".join(ch for ch in str(family) if ch.isalnum() or ch in " ,'-") if family else None
    weights = sorted(
        (
            (str(k), int(v))
            for k, v in (typography.get("weights") or {}).items()
            if str(v).isdigit() and 100 <= int(v) <= 1000
        ),
        key=lambda w: w[1],
    )
    shadows = [
        Sample(name, _value(token), None, _shadow_css(_value(token)))
        for name, token in (tokens.get("shadows") or {}).items()
    ]
    spacing = tokens.get("spacing") or {}
    return {
        "swatches": swatches,
        "background": background,
        "text": text,
        "font_family": family,
        "font_css": safe_family,
        "sizes": _lengths(typography.get("sizes")),
        "weights": weights,
        "spacing_base": _value(spacing["base"]) if spacing.get("base") else None,
        "spacing": _lengths(spacing.get("steps")),
        "radii": _lengths(tokens.get("radii")),
        "shadows": shadows,
    }


async def design_system_page(request: Request) -> Response:
    scope = await acting_scope(request)
    project_id = request.path_params["project_id"]
    project = await _project(scope, project_id)
    try:
        system = await design_systems.get_design_system(scope, project_id)
    except NotFound:  # no such project: a 404 like any other
        raise
    except FlexError:  # the project has no design system yet: the page says how to grow one
        return render(request, "design_system.html", project=project, system=None, view=None)
    return render(request, "design_system.html", project=project, system=system, view=design_view(system.tokens))


# -- flows ------------------------------------------------------------------------------------


async def flow_page(request: Request) -> Response:
    scope = await acting_scope(request)
    project_id, flow_id = request.path_params["project_id"], request.path_params["flow_id"]
    project = await _project(scope, project_id)
    flow = await flows.get_flow(scope, flow_id)
    if flow.project_id != project_id:
        raise NotFound("flow", flow_id)
    analysis = await flow_reports.analyze_flow(scope, flow_id, max_paths=20)
    problems: dict[str, list[str]] = {node_id: [] for node_id in analysis.unreachable + analysis.dead_ends}
    for node_id in analysis.unreachable:
        problems[node_id].append("unreachable")
    for node_id in analysis.dead_ends:
        problems[node_id].append("dead-end")
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    positions: dict[str, dict[str, float]] = {}
    for node in flow.nodes or []:
        found = problems.get(node.canvas_node_id, [])
        classes = (
            tuple(found) + (("entry",) if node.canvas_node_id in analysis.entries else ()) + (f"type-{node.node_type}",)
        )
        heading = node.node_type + (" · " + ", ".join(p.replace("-", " ") for p in found) if found else "")
        boxes.append(
            Box(
                node.canvas_node_id,
                (heading, *wrap(node.label, 22, 3)),
                classes,
                title=f"{node.label} ({node.node_type})",
                width=node.size.get("width") or 180,
                height=node.size.get("height") or 80,
            )
        )
        positions[node.canvas_node_id] = node.position
        arrows.extend(
            Arrow(node.canvas_node_id, c.target_canvas_node_id, c.label if isinstance(c.label, str) else None)
            for c in node.connections
            if c.target_canvas_node_id
        )
    picture = await _diagram(boxes, arrows, positions)
    return render(request, "flow.html", project=project, flow=flow, analysis=analysis, diagram=picture)


# -- wizard runs and the thinking chain -------------------------------------------------------


def _thought_classes(thought: Any) -> tuple[str, ...]:
    classes = []
    if thought.status == "rejected":
        classes.append("rejected")
    if thought.needs_review:
        classes.append("needs-review")
    if thought.thought_type == "question" and thought.needs_answer:
        classes.append("open-question")
    return tuple(classes)


@dataclass
class TreeItem:
    number: int
    thought: Any
    classes: tuple[str, ...]
    feedback: str | None
    children: list[TreeItem]


def creation_order(thoughts: list[Any]) -> list[Any]:
    """Thoughts in creation order, each after the thoughts it depends on: thoughts logged in one
    batch share their timestamp, and their stored order says nothing about which came first."""
    index = {t.id: i for i, t in enumerate(thoughts)}
    waiting = {t.id: len({d for d in t.depends_on if d in index}) for t in thoughts}
    dependents: dict[Any, list[Any]] = {t.id: [] for t in thoughts}
    for t in thoughts:
        for d in {d for d in t.depends_on if d in index}:
            dependents[d].append(t)
    ready = [(t.created_at, index[t.id], t) for t in thoughts if waiting[t.id] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, _, thought = heapq.heappop(ready)
        ordered.append(thought)
        for later in dependents[thought.id]:
            waiting[later.id] -= 1
            if waiting[later.id] == 0:
                heapq.heappush(ready, (later.created_at, index[later.id], later))
    return ordered


def thought_tree(thoughts: list[Any]) -> list[TreeItem]:
    """Each thought under the first thought it depends on, as the text tree of
    get_thinking_chain draws it; `thoughts` in creation_order."""
    items = {t.id: TreeItem(i + 1, t, _thought_classes(t), t.user_feedback, []) for i, t in enumerate(thoughts)}
    roots: list[TreeItem] = []
    for t in thoughts:
        parent = next((items[d] for d in t.depends_on if d in items), None)
        (parent.children if parent else roots).append(items[t.id])
    return roots


def _moment(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime) else None


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


@dataclass(frozen=True)
class Phase:
    name: str
    entered: datetime | None
    left: datetime | None
    took: str | None
    answers: list[str]


def run_phases(run: Any, now: datetime) -> list[Phase]:
    """The run's phases with when each was entered and left and how long it took; the phase the
    run is in now last (still running while the run is open)."""
    phases = []
    for entry in run.phase_history:
        entered, left = _moment(entry.get("entered_at")), _moment(entry.get("left_at"))
        took = _duration((left - entered).total_seconds()) if entered and left else None
        phases.append(Phase(str(entry.get("phase")), entered, left, took, sorted(entry.get("answers") or {})))
    if run.current_phase and not run.completed_at:
        entered = run.phase_entered_at or run.started_at
        phases.append(
            Phase(run.current_phase, entered, None, _duration((now - entered).total_seconds()) + " so far", [])
        )
    return phases


async def run_page(request: Request) -> Response:
    scope = await acting_scope(request)
    project_id, run_id = request.path_params["project_id"], request.path_params["run_id"]
    project = await _project(scope, project_id)
    run = await wizard.get_wizard_run(scope, run_id, project_id=project_id)
    chain = await thinking.thinking_chain(scope, run_id=run_id)
    thoughts = creation_order(chain.thoughts)
    number = {t.id: i + 1 for i, t in enumerate(thoughts)}
    boxes = [
        Box(
            str(t.id),
            (f"#{number[t.id]} {t.thought_type} {t.confidence:.2f}", *wrap(t.reasoning, 24, 3)),
            _thought_classes(t),
            title=f"#{number[t.id]} {t.thought_type}: {t.reasoning}",
            width=210,
            height=84,
        )
        for t in thoughts
    ]
    picture = await _diagram(boxes, [Arrow(str(a), str(b)) for a, b in chain.edges])
    return render(
        request,
        "run.html",
        project=project,
        run=run,
        brief=run.brief,
        phases=run_phases(run, datetime.now(UTC)),
        chain=chain,
        number=number,
        diagram=picture,
        tree=thought_tree(thoughts),
        open_questions=[t for t in thoughts if t.thought_type == "question" and t.needs_answer],
        rejected=[t for t in thoughts if t.status == "rejected"],
        needs_review=[t for t in thoughts if t.needs_review],
    )


# -- the inferred data model ------------------------------------------------------------------


# A relationship read from the side that owns the other: (from owner, cardinality).
_LINKS = {
    "has_many": (True, "1 : n"),
    "has_one": (True, "1 : 1"),
    "belongs_to": (False, "1 : n"),
    "many_to_many": (True, "n : m"),
}


def entity_links(model: list[Any]) -> list[Arrow]:
    """One arrow per related pair, from the owning entity to the owned one: an entity's
    `belongs_to` and the other's `has_many` are the same link, drawn once."""
    names = {e.entity_name for e in model}
    links: dict[tuple[str, str], str] = {}
    for entity in model:
        for rel in entity.relationships:
            if not isinstance(rel, dict) or rel.get("target_entity") not in names or rel.get("type") not in _LINKS:
                continue
            forward, label = _LINKS[rel["type"]]
            pair = (entity.entity_name, rel["target_entity"]) if forward else (rel["target_entity"], entity.entity_name)
            if rel["type"] == "many_to_many":
                pair = tuple(sorted(pair))
            if pair[0] != pair[1]:
                links.setdefault(pair, label)
    return [Arrow(source, target, label) for (source, target), label in links.items()]


async def data_model_page(request: Request) -> Response:
    scope = await acting_scope(request)
    project_id = request.path_params["project_id"]
    project = await _project(scope, project_id)
    model = await entities.project_entities(scope, project_id)
    boxes = []
    for entity in model:
        fields = [
            f"{name}: {spec.get('type', '?') if isinstance(spec, dict) else '?'}"
            for name, spec in entity.fields.items()
        ]
        shown = fields[:8] + ([f"… {len(fields) - 8} more"] if len(fields) > 8 else [])
        boxes.append(
            Box(
                entity.entity_name,
                (entity.entity_name, *shown),
                ("confirmed",) if entity.user_confirmed else ("inferred",),
                title=f"{entity.entity_name}: {len(fields)} fields",
                width=220,
                height=28 + 16 * len(shown),
            )
        )
    picture = await _diagram(boxes, entity_links(model))
    return render(request, "data_model.html", project=project, entities=model, diagram=picture)
