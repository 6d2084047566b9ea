"""The example project's pages rendered at every viewport, against golden PNGs kept in the
repository, compared with a pixel tolerance (antialiasing differs a little between machines);
a deliberately changed mockup shows where it changed. Also: the example pages pass the
accessibility check.

    FLEXOS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py   # accept new renders
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flexos_mcp.analysis.pixel_diff import compare_pngs
from flexos_mcp.analysis.viewports import VIEWPORTS
from flexos_mcp.rendering.accessibility import check_accessibility
from flexos_mcp.rendering.browser import Frame, Renderer
from flexos_mcp.rendering.offline import compose_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "lesson-library"
GOLDEN = ROOT / "tests" / "golden" / "renders"
UPDATE = os.environ.get("FLEXOS_UPDATE_GOLDEN") == "1"
# At most this share of pixels may differ (beyond the per-pixel threshold) from the golden render.
TOLERANCE = 0.005

pytestmark = pytest.mark.usefixtures("chromium")


def example_documents() -> dict[str, str]:
    project = json.loads((EXAMPLE / "project.json").read_text())
    return {
        page["slug"]: compose_document(
            (EXAMPLE / page["html"]).read_text(), (EXAMPLE / page["css"]).read_text() if page["css"] else None, None
        )
        for page in project["pages"]
    }


@pytest.fixture(scope="module")
async def renderer():
    found = Renderer()
    yield found
    await found.close()


async def test_example_pages_match_their_golden_renders(renderer):
    GOLDEN.mkdir(parents=True, exist_ok=True)
    differences = []
    for slug, document in example_documents().items():
        for name, viewport in VIEWPORTS.items():
            shot = await renderer.screenshot(document, Frame(viewport.width, viewport.height))
            path = GOLDEN / f"{slug}-{name}.png"
            if UPDATE or not path.exists():
                path.write_bytes(shot.png)
                if not UPDATE:
                    differences.append(f"{path.name}: no golden render yet (written; review and commit it)")
                continue
            diff = compare_pngs(path.read_bytes(), shot.png)
            if diff.size_changed or diff.changed_share > TOLERANCE:
                differences.append(
                    f"{path.name}: {diff.changed_share:.2%} of pixels differ, size changed: "
                    f"{diff.size_changed}, regions: {diff.regions[:3]}"
                )
    assert not differences, "\n".join(differences)


async def test_a_changed_mockup_shows_the_region_that_changed(renderer):
    home = example_documents()["home"]
    changed = home.replace(
        'rounded-lg bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700">Sign up free',
        'rounded-lg bg-blue-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-700">Sign up free',
    )
    assert changed != home
    desktop = VIEWPORTS["desktop"]
    shot = await renderer.screenshot(changed, Frame(desktop.width, desktop.height))
    diff = compare_pngs((GOLDEN / "home-desktop.png").read_bytes(), shot.png)
    assert not diff.size_changed and diff.regions_total == 1
    (region,) = diff.regions
    # the header's sign-up button, top right, and nothing else
    assert region.x > 1000 and region.y < 30 and region.y + region.height < 70 and region.width < 200
    assert 0 < diff.changed_share < 0.01


async def test_the_example_pages_pass_the_accessibility_check(renderer):
    found = {}
    for slug, document in example_documents().items():
        for name in ("mobile", "desktop"):
            viewport = VIEWPORTS[name]
            report = await check_accessibility(renderer, document, Frame(viewport.width, viewport.height))
            if report.violations:
                found[f"{slug}@{name}"] = [(v.rule, [e.html for e in v.elements]) for v in report.violations]
    assert not found, found
