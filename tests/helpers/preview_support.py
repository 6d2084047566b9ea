"""What the preview and MCP Apps tests share: a browser (or a loud skip), and the example project
grown through real MCP tool calls with everything the views must show — a second mockup
version, a hostile mockup, a flow with an unreachable node and a dead end, a wizard run whose
thinking chain has an open question, a rejected thought and thoughts needing review, and an
inferred data model."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from flexos_mcp.rendering.chromium import find_chromium

from helpers.mcp_client import call

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

HOSTILE_NAME = '<script>document.title="pwned"</script><b>Hostile</b> & "quoted"'

# A mockup that tries to reach out of its frame. Each attempt writes its outcome into the
# mockup's own page, where the test reads it.
HOSTILE_HTML = """<!doctype html><html lang="en"><head><title>Hostile mockup</title></head><body>
<h1>Hostile mockup</h1><ul id="results"></ul>
<script>
function note(what, outcome) {
  var li = document.createElement("li"); li.dataset.attempt = what; li.textContent = what + ": " + outcome;
  document.getElementById("results").appendChild(li);
}
function attempt(what, fn) {
  try { var value = fn(); note(what, "ALLOWED " + String(value).slice(0, 40)); }
  catch (e) { note(what, "blocked " + e.name); }
}
attempt("parent.document", function () { return parent.document.title; });
attempt("document.cookie", function () { return "[" + document.cookie + "]"; });
attempt("localStorage", function () { return window.localStorage.length; });
attempt("top.location", function () { top.location = "https://example.invalid/stolen"; return top.location.href; });
fetch("/api/projects", {method: "POST", body: "x"}).then(
  function (r) { note("fetch", "ALLOWED " + r.status); },
  function (e) { note("fetch", "blocked " + e.name); });
</script></body></html>"""


def flexos_env(database_url: str, email: str, data_dir: str) -> dict[str, str]:
    """The environment of a `flexos-mcp` process acting as `email` on that database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLEXOS_")}
    env.update(DATABASE_URL=database_url, FLEXOS_USER_EMAIL=email, FLEXOS_DATA_DIR=data_dir, FLEXOS_LOG_LEVEL="WARNING")
    return env


def load_demo(env: dict[str, str]) -> None:
    """`flexos-mcp demo`, as a user runs it."""
    demo = subprocess.run(
        [sys.executable, "-m", "flexos_mcp", "demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert demo.returncode == 0, demo.stderr


def require_browser() -> str:
    """The Chromium to drive. Without one: a failure when FLEXOS_REQUIRE_BROWSER is set (CI),
    else a skip that says why."""
    path = find_chromium()
    if path is None:
        if os.environ.get("FLEXOS_REQUIRE_BROWSER"):
            pytest.fail(
                "FLEXOS_REQUIRE_BROWSER is set but no Chromium was found (install `chromium` or set FLEXOS_CHROMIUM)"
            )
        pytest.skip(
            "SKIPPED LOUDLY: no Chromium on this machine, so the browser tests cannot run "
            "(install `chromium`, or set FLEXOS_CHROMIUM; CI sets FLEXOS_REQUIRE_BROWSER so this fails there)"
        )
    return path


def launch_args() -> list[str]:
    return ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium's own sandbox refuses to run as root


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for a test module (import this fixture into the module)."""
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=require_browser(), args=launch_args())
        try:
            yield launched
        finally:
            await launched.close()


async def grow_example_project(client: Any) -> dict[str, Any]:
    """Add to the loaded example project what the views must show; their ids by name."""
    project = (await call(client, "list_projects"))["items"][0]
    pid = project["id"]
    pages = {p["slug"]: p for p in (await call(client, "list_pages", project_id=pid, limit=100))["items"]}
    login = pages["login"]
    first = await call(client, "get_mockup", mockup_id=login["current_mockup_id"])
    html = first["html_content"]
    css = first["css_content"] or ""
    await call(
        client,
        "create_mockup_version",
        page_id=login["id"],
        html_content=html.replace("<h1>Welcome back</h1>", "<h1>Good to see you again</h1>"),
        css_content=css + "\nbody { background: #FEF2F2; }\n",
        change_description="Warmer welcome, tinted background",
    )
    hostile = await call(
        client,
        "create_page",
        project_id=pid,
        name=HOSTILE_NAME,
        path="/hostile",
        purpose='A page whose "purpose" says <img src=x onerror=alert(1)>',
        html_content=HOSTILE_HTML,
    )
    signup = next(f for f in (await call(client, "list_flows", project_id=pid))["items"] if f["name"] == "Sign up")
    await call(
        client,
        "create_flow_node",
        flow_id=signup["id"],
        node_type="screen",
        data={"label": "Forgotten help page"},
        position={"x": 260, "y": 420},
        canvas_node_id="help",
    )
    await call(
        client,
        "add_flow_step",
        flow_id=signup["id"],
        node_type="database",
        label="Save draft profile",
        after_node="signup",
        edge_label="Later",
        data={"entity": "Profile", "operation": "CREATE"},
    )
    run = await call(
        client,
        "start_wizard",
        project_id=pid,
        wizard_type="page-creator",
        brief="A page listing a teacher's collections of lessons",
    )
    logged = await call(
        client,
        "log_thoughts",
        run_id=run["id"],
        thoughts=[
            {
                "key": "brief",
                "thought_type": "observation",
                "reasoning": "The brief asks for a page listing a teacher's collections.",
                "confidence": 0.9,
            },
            {
                "key": "grid",
                "thought_type": "assumption",
                "reasoning": "Teachers have a few dozen collections at most, so a card grid fits.",
                "confidence": 0.6,
                "depends_on": ["brief"],
            },
            {
                "key": "layout",
                "thought_type": "decision",
                "reasoning": "Use the lesson library's card grid for collections.",
                "confidence": 0.8,
                "depends_on": ["grid"],
            },
            {
                "key": "share",
                "thought_type": "question",
                "reasoning": "Should collections be shareable with other teachers?",
                "confidence": 0.5,
                "depends_on": ["brief"],
            },
            {
                "key": "count",
                "thought_type": "inference",
                "reasoning": "Each card shows its lesson count, like the library's.",
                "confidence": 0.7,
                "depends_on": ["layout"],
            },
        ],
    )
    await call(
        client,
        "reject_thought",
        thought_id=logged["keys"]["grid"],
        user_feedback="Some teachers keep hundreds of collections; <b>use a list</b>.",
    )
    await call(client, "record_answer", run_id=run["id"], key="page_purpose", answer="List a teacher's collections")
    await call(client, "record_answer", run_id=run["id"], key="primary_users", answer="Teachers planning a term")
    await call(client, "record_answer", run_id=run["id"], key="key_actions", answer="Open, rename, share")
    await call(client, "advance_wizard", run_id=run["id"], to_phase="gather-context")
    await call(client, "infer_entities", project_id=pid)
    return {
        "project": pid,
        "login": login["id"],
        "hostile_page": hostile["id"],
        "flow": signup["id"],
        "run": run["id"],
        "pages": {slug: p["id"] for slug, p in pages.items()},
        "thoughts": logged["keys"],
    }


def save_screenshot(png: bytes, name: str) -> Path:
    """A test artefact (tests/artifacts/, not committed); with FLEXOS_UPDATE_SCREENSHOTS=1 also the
    README's copy under docs/images/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(png)
    if os.environ.get("FLEXOS_UPDATE_SCREENSHOTS"):
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        (DOCS_IMAGES / f"{name}.png").write_bytes(png)
    return path
