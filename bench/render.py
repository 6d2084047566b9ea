"""Render speed and the warm browser's memory, against floors measured in the same run.

Prints renders per second of:
  - `render_mockup` through an in-memory MCP client on the Lesson Library example (demo data in a
    scratch database): uncached (each call renders: the document differs by a comment) and cached;
  - a bare Playwright script with a warm browser and one page: `set_content` of the same documents,
    then a full-page screenshot — no sandbox, no isolation, no database (target: render_mockup
    uncached at >= 0.8x its rate);
  - `chromium --headless --screenshot` per file, a fresh browser process each time.
The floors get the same documents with Tailwind's Play CDN script inlined (render_mockup serves it
from its vendored copy), so every browser does the same work. render_mockup and the bare script
take turns, page by page (interleaved rounds), so a load that comes and goes on the machine hits
both alike; the ratio is of medians. Then the memory of the server's warm browser (proportional
set size of its Playwright driver and every Chromium process under it, summed).

    python bench/render.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from mcp import Client
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.demo import load_example
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.rendering.chromium import find_chromium
from flexos_mcp.rendering.offline import compose_document, tailwind_script
from flexos_mcp.server.app import build_server

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lesson-library"
TAILWIND_TAG = '<script src="https://cdn.tailwindcss.com"></script>'
EMAIL = "bench-render@example.test"


def example_sources() -> dict[str, tuple[str, str | None]]:
    """slug -> (html, css) of the example pages."""
    project = json.loads((EXAMPLE / "project.json").read_text())
    return {
        p["slug"]: ((EXAMPLE / p["html"]).read_text(), (EXAMPLE / p["css"]).read_text() if p["css"] else None)
        for p in project["pages"]
    }


def example_documents() -> list[str]:
    return [compose_document(html, css, None) for html, css in example_sources().values()]


def self_contained(document: str) -> str:
    """The document with Tailwind's script inlined, for browsers that have no route to serve it."""
    return document.replace(TAILWIND_TAG, "<script>" + tailwind_script().decode() + "</script>")


def report(label: str, seconds: list[float]) -> float:
    rate = len(seconds) / sum(seconds)
    print(f"  {label:<58} {rate:7.2f} renders/s   median {statistics.median(seconds) * 1000:7.1f} ms")
    return rate


class ThroughMcp:
    """render_mockup through an in-memory MCP client, on the example project in a scratch database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.uncached: list[float] = []
        self.cached: list[float] = []

    async def start(self, stack: AsyncExitStack) -> float:
        """Load the example, start the server and render once (the browser launches); the
        launch time."""
        pool = await create_pool(self.url)
        scope = Scope(Database(pool), await ensure_user(Database(pool), EMAIL))
        project = await load_example(scope)
        await pool.close()
        server = build_server(Config(database_url=self.url, user_email=EMAIL, toolsets=("all",)))
        self.client = await stack.enter_async_context(Client(server))
        pages = (
            await self.client.call_tool("list_pages", {"project_id": str(project.id), "limit": 100})
        ).structured_content
        slugs = {p["slug"]: p["id"] for p in pages["items"]}
        self.pages = [(slugs[slug], html, css) for slug, (html, css) in example_sources().items()]
        before = _children(os.getpid())
        started = time.perf_counter()
        first = await self.client.call_tool("render_mockup", {"page_id": self.pages[0][0], "viewport": "desktop"})
        assert not first.is_error, first.content
        launch = time.perf_counter() - started
        self.driver = _children(os.getpid()) - before  # the server's Playwright driver
        return launch

    async def render(self, index: int, round_: int) -> None:
        """A new version (so the render is a real one), rendered, then rendered again (cached)."""
        page_id, html, css = self.pages[index]
        saved = await self.client.call_tool(
            "create_mockup_version",
            {"page_id": page_id, "html_content": html + f"<!-- round {round_} -->", "css_content": css},
        )
        assert not saved.is_error, saved.content
        started = time.perf_counter()
        result = await self.client.call_tool("render_mockup", {"page_id": page_id, "viewport": "desktop"})
        self.uncached.append(time.perf_counter() - started)
        assert not result.is_error and not result.structured_content["cached"], result.content
        started = time.perf_counter()
        again = await self.client.call_tool("render_mockup", {"page_id": page_id, "viewport": "desktop"})
        self.cached.append(time.perf_counter() - started)
        assert again.structured_content["cached"]


class BarePlaywright:
    """The floor: a warm browser and one page, set_content + full-page screenshot."""

    def __init__(self, chromium: str, documents: list[str]) -> None:
        self.chromium = chromium
        self.documents = documents
        self.seconds: list[float] = []

    async def start(self, stack: AsyncExitStack) -> None:
        from playwright.async_api import async_playwright

        playwright = await stack.enter_async_context(async_playwright())
        browser = await playwright.chromium.launch(executable_path=self.chromium, args=_root_args())
        stack.push_async_callback(browser.close)
        self.page = await browser.new_page(viewport={"width": 1440, "height": 900})
        await self.page.set_content(self.documents[0])
        await self.page.screenshot(full_page=True)

    async def render(self, index: int, round_: int) -> None:
        started = time.perf_counter()
        await self.page.set_content(self.documents[index] + f"<!-- round {round_} -->")
        await self.page.screenshot(full_page=True)
        self.seconds.append(time.perf_counter() - started)


async def interleaved(url: str, chromium: str, documents: list[str], rounds: int) -> dict:
    """render_mockup and the bare script in turns, page by page, round by round."""
    ours, bare = ThroughMcp(url), BarePlaywright(chromium, documents)
    async with AsyncExitStack() as stack:
        launch = await ours.start(stack)
        await bare.start(stack)
        for round_ in range(rounds):
            for index in range(len(documents)):
                await ours.render(index, round_)
                await bare.render(index, round_)
        memory = browser_memory(ours.driver)
    return {
        "launch": launch,
        "memory": memory,
        "ours": report("render_mockup, uncached (warm browser)", ours.uncached),
        "cached": report("render_mockup, cached", ours.cached),
        "bare": report("bare Playwright: set_content + full-page screenshot (floor)", bare.seconds),
        "median ratio": statistics.median(bare.seconds) / statistics.median(ours.uncached),
    }


def chromium_cli(chromium: str, documents: list[str]) -> float:
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for index, document in enumerate(documents):
            page = Path(folder) / f"page{index}.html"
            page.write_text(document)
            started = time.perf_counter()
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    *_root_args(),
                    "--disable-gpu",
                    "--hide-scrollbars",
                    f"--screenshot={folder}/shot{index}.png",
                    "--window-size=1440,900",
                    page.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            seconds.append(time.perf_counter() - started)
    return report("chromium --headless --screenshot, a fresh process per file", seconds)


def _root_args() -> list[str]:
    return ["--no-sandbox"] if os.geteuid() == 0 else []


def _process_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return children


def _children(pid: int) -> set[int]:
    return set(_process_tree().get(pid, []))


def _descendants(roots: set[int]) -> list[int]:
    children = _process_tree()
    found, stack = list(roots), list(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def browser_memory(driver: set[int]) -> list[tuple[str, int, int]]:
    """(name, processes, proportional set size in KiB) of the server's Playwright driver and the
    browser processes under it."""
    totals: dict[str, list[int]] = {}
    for pid in _descendants(driver):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        pss = next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
        label = "chromium" if name.startswith(("chrom", "chrome")) else f"{name} (Playwright driver)"
        entry = totals.setdefault(label, [0, 0])
        entry[0] += 1
        entry[1] += pss
    return [(name, count, kib) for name, (count, kib) in totals.items()]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    chromium = find_chromium()
    if not chromium:
        raise SystemExit("No Chromium on this machine: install one (apt-get install chromium) to run this bench.")
    documents = example_documents()
    inlined = [self_contained(d) for d in documents]
    print(f"{len(documents)} example pages at desktop (1440x900, full page), {rounds} rounds; browser {chromium}")
    async with scratch_database("flexos_bench_render") as url:
        found = await interleaved(url, chromium, inlined, rounds)
    ours, memory = found["ours"], found["memory"]
    cli = chromium_cli(chromium, inlined) if shutil.which(chromium) or os.path.exists(chromium) else float("nan")
    print(f"  first render_mockup of the server (browser launch included): {found['launch']:.2f} s")
    print(
        f"  ratio render_mockup uncached / bare Playwright: {ours / found['bare']:.2f}x by rate, "
        f"{found['median ratio']:.2f}x by median (target >= 0.8x)"
    )
    print(f"  ratio render_mockup uncached / chromium --screenshot per file: {ours / cli:.1f}x")
    print(f"  ratio cached / uncached: {found['cached'] / ours:.0f}x")
    print("warm browser memory (proportional set size, after the run):")
    for name, count, kib in memory:
        print(f"  {name:<26} {count:3d} process(es) {kib / 1024:8.1f} MiB")
    print(f"  total {sum(kib for *_, kib in memory) / 1024:.1f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
