"""Example projects that ship with the package (`examples/<name>/project.json` plus page files),
loaded through the same domain functions the tools use: the project, each page with its first
mockup (extracted on save), then the design system analysed from them.

`project.json`: the project's fields (name, type, description, vision_statement, target_feeling,
reference_apps, color, icon) and `pages`: [{name, slug, path, type, purpose, primary_device,
html, css}] with `html`/`css` paths relative to the example folder (`css` may be null).

Journey flows in `examples/<name>/flows/*.json` are imported last; their screens name pages by
path, so they link to the pages just made.
"""

from __future__ import annotations

import json
from pathlib import Path

from .domain import design_systems, flows, mockups, projects
from .domain.projects import Project
from .domain.scope import Scope
from .errors import FlexError
from .package_data import data_path

_PROJECT_FIELDS = (
    "name",
    "type",
    "description",
    "vision_statement",
    "target_feeling",
    "reference_apps",
    "color",
    "icon",
)
_PAGE_FIELDS = ("name", "slug", "path", "type", "purpose", "primary_device")


def examples_dir() -> Path:
    return data_path("examples")


def example_names() -> list[str]:
    return sorted(p.name for p in examples_dir().iterdir() if (p / "project.json").is_file())


def example_dir(name: str) -> Path:
    folder = examples_dir() / name
    if not (folder / "project.json").is_file():
        raise FlexError(f"No example named {name!r}; available examples: {', '.join(example_names()) or 'none'}.")
    return folder


async def load_example(scope: Scope, name: str = "lesson-library") -> Project:
    """Create the example project for the acting user (slug derived, so loading twice gives
    `lesson-library-2`). All or nothing: if any step fails, the half-made project is deleted."""
    folder = example_dir(name)
    spec = json.loads((folder / "project.json").read_text(encoding="utf-8"))
    values = {k: spec[k] for k in _PROJECT_FIELDS if spec.get(k) is not None}
    values["metadata"] = {"example": name}
    project = await projects.create_project(scope, values)
    try:
        for order, page in enumerate(spec.get("pages", [])):
            html = (folder / page["html"]).read_text(encoding="utf-8")
            css = (folder / page["css"]).read_text(encoding="utf-8") if page.get("css") else None
            content = await mockups.prepare_content(html, css, None)
            page_values = {k: page[k] for k in _PAGE_FIELDS if page.get(k) is not None}
            page_values["sort_order"] = order
            await mockups.create_page(
                scope,
                project.id,
                page_values,
                {
                    "content": content,
                    "changed_by": "user",
                    "change_description": f"First version, from the {name} example",
                },
            )
        await design_systems.analyze_design_system(scope, project.id)
        if (folder / "flows").is_dir():
            await flows.import_example_flows(scope, project.id, folder / "flows")
    except BaseException:
        await projects.delete_project(scope, project.id)
        raise
    return await projects.get_project(scope, project.id)
