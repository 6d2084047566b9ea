"""One warm headless Chromium per server process, rendering untrusted mockups offline.

The browser is launched on the first render (a server that never renders never starts one) and
closed with the server. Renders run in tabs — a browser context with one page, routed so that the
mockup reaches nothing but itself (rendering/offline.py), with WebSockets closed, service workers
and downloads off and popups shut as they open. A tab is reused, because a new one costs a new
renderer process (several times the render itself). A render writes the mockup into an empty
document of the mockup origin (`set_content`: a navigation per render would cost about as much as
the render itself); between two renders the tab navigates to a new empty document — a new window,
so the mockup's scripts, timers and globals end with it — and everything the mockup could have
stored is wiped: cookies, local storage, IndexedDB, caches (DevTools' Storage.clearDataForOrigin),
session storage and window.name (cleared as each document starts). So one mockup never sees what
another left. A tab is thrown away after a failure and after MAX_TAB_USES renders. Every step has
a time limit; a mockup that never finishes loading (`while(true){}`) costs its tab, not the
browser, and the next render goes on. At most `concurrency` renders run at once; the rest wait
their turn.

The Chromium process itself is started without the network it would use on its own (background
networking, component updates, sync, QUIC) and with a dead proxy and a host resolver that
resolves nothing, so even a request that slipped past the route could not leave the machine.
`--no-sandbox` is passed only when running as root, where Chromium's sandbox cannot start.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import os
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ..errors import FlexError
from . import offline
from .cache import ByteBoundedCache, render_key
from .chromium import INSTALL_HINT, find_chromium

log = logging.getLogger(__name__)

MIB = 1024 * 1024

CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Defence in depth behind the per-context route: nothing resolves, and anything that would
    # go out goes to a closed port instead; WebRTC may not send UDP around the proxy.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    # A mockup left for about:blank must not live on in the back-forward cache.
    "--disable-features=BackForwardCache",
)
MAX_TAB_USES = 100
# Runs first in every document of a tab: what survives a same-origin navigation goes.
_FRESH_DOCUMENT = "window.name = ''; try { sessionStorage.clear(); } catch (e) {}"

# Once the page has loaded: web fonts settled and every image settled (a refused image turns from
# its CSS box into its alt text when its error is processed, which can come after the load event),
# then two frames so that scripts that style the page on load (Tailwind's Play CDN does) have
# painted; animations stopped so a render is repeatable. For a screenshot the text caret is hidden
# too (a focused field would blink into some renders).
_READY = """async (forScreenshot) => {
  if (document.readyState !== 'complete') await new Promise(r => addEventListener('load', r, {once: true}));
  await document.fonts.ready;
  await Promise.all([...document.images].filter(image => !image.complete && image.loading !== 'lazy').map(image =>
    new Promise(r => { image.addEventListener('load', r, {once: true}); image.addEventListener('error', r, {once: true}); })));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (const animation of document.getAnimations()) {
    try { animation.finish(); } catch (endless) { animation.cancel(); }
  }
  if (forScreenshot) {
    const noCaret = document.createElement('style');
    noCaret.textContent = '*:not(#flexos-a):not(#flexos-b):not(#flexos-c) { caret-color: transparent !important; }';
    document.documentElement.append(noCaret);
  }
  return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0));
}"""


class BrowserUnavailable(FlexError):
    """No Chromium can be started; the message says how to install or configure one."""


class RenderFailed(FlexError):
    """The mockup could not be rendered within the limits (it never finished loading, ...)."""


@dataclass(frozen=True)
class RenderLimits:
    load_timeout_s: float = 10.0  # navigation, fonts and first frames
    capture_timeout_s: float = 15.0  # measuring and screenshotting (a full page takes longest)
    max_image_height: int = 8000  # image pixels: Claude's API refuses taller images
    concurrency: int = 2  # renders at once; each is a renderer process of its own
    cache_bytes: int = 64 * MIB


@dataclass(frozen=True)
class Frame:
    """What part of the page to capture, and how: CSS pixels, device scale 1 or 2. A full-page
    capture starts at `top` and runs to the end of the page or the height bound; a viewport
    capture is one screen starting at `top`."""

    width: int
    height: int
    scale: int = 1
    full_page: bool = True
    top: int = 0


@dataclass(frozen=True)
class Shot:
    png: bytes
    image_width: int  # pixels of the PNG
    image_height: int
    page_height: int  # CSS pixels of the whole page
    top: int  # CSS pixels: the capture's first row ...
    bottom: int  # ... and the row after its last
    cut: bool  # the page goes on below `bottom` (the height bound stopped a full-page capture)
    cached: bool = False
    render_ms: float = 0.0


@dataclass(eq=False)
class _Tab:
    context: Any
    scale: int
    generation: int  # the browser launch it belongs to
    page: Any = None
    devtools: Any = None
    document: bytes = b""  # what the route serves as the mockup right now
    size: tuple[int, int] = (0, 0)
    uses: int = 0


class Renderer:
    """Renders mockup documents to PNG and runs scripts (accessibility checks) in them."""

    def __init__(self, limits: RenderLimits | None = None, *, chromium: str | None = None):
        self.limits = limits or RenderLimits()
        self._chromium_setting = chromium
        self.cache: ByteBoundedCache[Shot] = ByteBoundedCache(self.limits.cache_bytes)
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._launching = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._idle: list[_Tab] = []
        self._cleaning: set[asyncio.Future[None]] = set()
        self._tabs = 0  # open tabs of the current browser: busy, cleaning or idle
        self.launches = 0
        self.executable: str | None = None

    # -- the browser ----------------------------------------------------------------------------

    def _find_executable(self) -> str:
        env = dict(os.environ)
        if self._chromium_setting:
            env["FLEXOS_CHROMIUM"] = self._chromium_setting
        try:
            path = find_chromium(env)
        except FileNotFoundError as exc:
            raise BrowserUnavailable(str(exc)) from None
        if path is None:
            raise BrowserUnavailable(INSTALL_HINT)
        return path

    async def _browser_ready(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        async with self._launching:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self._stop_browser()
            path = self._find_executable()
            from playwright.async_api import Error as PlaywrightError
            from playwright.async_api import async_playwright

            args = list(CHROMIUM_ARGS)
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                args.append("--no-sandbox")  # Chromium's sandbox cannot start as root
            self._playwright = await async_playwright().start()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=path,
                    args=args,
                    timeout=30_000,
                    handle_sigint=False,
                    handle_sigterm=False,
                    handle_sighup=False,
                )
            except PlaywrightError as exc:
                await self._stop_browser()
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BrowserUnavailable(
                    f"The browser at {path} could not start ({first_line}). Install Chromium "
                    f"(Debian/Ubuntu: `sudo apt-get install chromium`) or point FLEXOS_CHROMIUM "
                    f"at a working Chromium or Chrome, then restart the server."
                ) from None
            self.executable = path
            self.launches += 1
            log.info("renderer: launched %s", path)
            return self._browser

    async def _stop_browser(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        self._idle.clear()  # their contexts close with the browser
        self._tabs = 0
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 10)
        if playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(playwright.stop(), 10)

    async def close(self) -> None:
        """Stop the browser (at server exit). A later render would start a new one."""
        if self._cleaning:
            await asyncio.wait(set(self._cleaning), timeout=10)
        async with self._launching:
            await self._stop_browser()
        self.cache.clear()

    @property
    def running(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    # -- one sandboxed page ---------------------------------------------------------------------

    async def _open_tab(self, browser: Any, scale: int) -> _Tab:
        context = await browser.new_context(
            viewport={"width": 800, "height": 600},
            device_scale_factor=scale,
            service_workers="block",
            accept_downloads=False,
            reduced_motion="reduce",
        )
        tab = _Tab(context=context, scale=scale, generation=self.launches)
        try:
            await context.add_init_script(_FRESH_DOCUMENT)
            await context.route(re.compile(r".*"), lambda route: _answer(route, tab.document))
            await context.route_web_socket(re.compile(r".*"), _refuse_web_socket)
            tab.page = await context.new_page()
            context.on("page", _close_popup)  # every later page is a popup the mockup opened
            tab.devtools = await context.new_cdp_session(tab.page)
            await self._empty_document(tab)
        except BaseException:
            await self._discard(tab)
            raise
        return tab

    async def _take_tab(self, scale: int) -> _Tab:
        """An idle tab of this scale, or a new one while there are fewer than `concurrency`
        tabs, or the next tab to come back from cleaning."""
        browser = await self._browser_ready()
        while True:
            for tab in list(self._idle):
                self._idle.remove(tab)
                if tab.scale == scale and tab.generation == self.launches:
                    return tab
                await self._discard(tab)  # another scale, or a browser that is gone
            if self._tabs < self.limits.concurrency or not self._cleaning:
                self._tabs += 1
                try:
                    return await self._open_tab(browser, scale)
                except BaseException:
                    self._tabs -= 1
                    raise
            await asyncio.wait(set(self._cleaning), return_when=asyncio.FIRST_COMPLETED)

    @staticmethod
    async def _empty_document(tab: _Tab) -> None:
        """Navigate the tab to a new, empty document of the mockup origin, which the next render
        writes its mockup into. A new document is a new window: nothing of the last mockup runs on."""
        tab.document = b""
        await asyncio.wait_for(tab.page.goto(offline.MOCKUP_URL, wait_until="load"), 5)

    async def _clean(self, tab: _Tab) -> None:
        """Leave the mockup (its scripts stop) and wipe what it stored; then the tab is idle.
        Runs after the render has answered, so the caller does not wait for it."""
        try:
            await self._empty_document(tab)
            await asyncio.wait_for(
                tab.devtools.send(
                    "Storage.clearDataForOrigin", {"origin": offline.MOCKUP_ORIGIN, "storageTypes": "all"}
                ),
                5,
            )
            await asyncio.wait_for(tab.context.clear_cookies(), 5)
        except Exception:
            log.info("renderer: a tab could not be cleaned; it is closed instead", exc_info=True)
            await self._discard(tab)
            return
        tab.uses += 1
        if tab.uses >= MAX_TAB_USES or tab.generation != self.launches:
            await self._discard(tab)
        else:
            self._idle.append(tab)

    async def _discard(self, tab: _Tab) -> None:
        self._tabs = max(0, self._tabs - 1) if tab.generation == self.launches else self._tabs
        try:
            await asyncio.wait_for(tab.context.close(), 10)
        except Exception:  # a context that will not close: start from a fresh browser next time
            log.warning("renderer: a browser context did not close; restarting the browser", exc_info=True)
            async with self._launching:
                await self._stop_browser()

    @contextlib.asynccontextmanager
    async def _page(
        self, document: str, frame: Frame, *, for_screenshot: bool = False
    ) -> AsyncIterator[tuple[_Tab, int]]:
        """A tab with `document` loaded and settled at the frame's size, and the page's height.
        The tab is cleaned and kept after a render that went well, closed after one that did
        not."""
        from playwright.async_api import Error as PlaywrightError

        async with self._slots:
            tab = await self._take_tab(frame.scale)
            tab.document = document.encode("utf-8")  # what a reload of the mockup gets
            done = False
            try:
                if tab.size != (frame.width, frame.height):
                    await tab.page.set_viewport_size({"width": frame.width, "height": frame.height})
                    tab.size = (frame.width, frame.height)
                height = await self._load(tab.page, document, for_screenshot)
                yield tab, height
                done = True
            except PlaywrightError as exc:  # the page or the browser broke down under this mockup
                log.info("renderer: %s", exc)
                first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                raise RenderFailed(
                    f"The browser could not render this mockup ({first_line}); nothing was rendered. "
                    f"Try once more; if it fails again, the mockup is likely too large or heavy "
                    f"for the browser."
                ) from None
            finally:
                if done:
                    cleaning = asyncio.ensure_future(self._clean(tab))
                    self._cleaning.add(cleaning)
                    cleaning.add_done_callback(self._cleaning.discard)
                else:
                    await self._discard(tab)

    async def _load(self, page: Any, document: str, for_screenshot: bool) -> int:
        """Write the mockup into the tab's empty document, wait until the page is loaded, its
        fonts ready and two frames painted, stop its CSS animations (finished, or cancelled when
        endless) and return its height. The page is asked itself rather than trusting lifecycle
        events: a mockup that starts a navigation while loading (a form submitted on load) stays
        where it is (see _answer), and the browser's lifecycle events then never arrive."""
        from playwright.async_api import Error as PlaywrightError

        timeout = self.limits.load_timeout_s
        stuck = (
            f"The mockup did not finish loading within {timeout:g} s (a script that never ends, such as "
            f"`while(true){{}}`, or endless work on load); nothing was rendered. Fix the mockup's scripts and "
            f"save a new version."
        )
        try:
            await page.set_content(document, wait_until="commit", timeout=timeout * 1000)
        except PlaywrightError as exc:
            if "Timeout" in str(exc):
                raise RenderFailed(stuck) from None
            raise
        return int(await self._bounded(page.evaluate(_READY, for_screenshot), timeout, stuck))

    async def _bounded(self, awaitable: Any, timeout: float, message: str) -> Any:
        from playwright.async_api import Error as PlaywrightError

        try:
            return await asyncio.wait_for(awaitable, timeout)
        except TimeoutError:
            raise RenderFailed(message) from None
        except PlaywrightError as exc:
            if "context was destroyed" in str(exc) or "navigat" in str(exc).lower():
                raise RenderFailed(
                    "The mockup reloaded or replaced itself while it was rendered (a script that "
                    "changes location or reloads the page); nothing was rendered. Remove that "
                    "script and save a new version."
                ) from None
            raise

    # -- what callers use -----------------------------------------------------------------------

    async def screenshot(self, document: str, frame: Frame) -> Shot:
        """A PNG of the document in this frame, from the cache when the same document was already
        rendered in the same frame."""
        key = render_key("png", document, dataclasses.astuple(frame))
        cached = self.cache.get(key)
        if cached is not None:
            return dataclasses.replace(cached, cached=True)
        started = time.perf_counter()
        async with self._page(document, frame, for_screenshot=True) as (tab, page_height):
            limit = self.limits.capture_timeout_s
            shot: Shot = await self._bounded(
                self._capture(tab, frame, page_height), limit, _busy("Taking the screenshot", limit)
            )
        shot = dataclasses.replace(shot, render_ms=round((time.perf_counter() - started) * 1000, 1))
        self.cache.put(key, shot, len(shot.png) + 512)
        return shot

    async def _capture(self, tab: _Tab, frame: Frame, page_height: int) -> Shot:
        """One DevTools call for the PNG: the page is already settled (fonts, frames, animations,
        caret), so Playwright's own screenshot steps (each a round trip to the page) are not
        needed. The clip is in page coordinates; a page taller than the viewport is laid out
        beyond it for the capture, as Playwright's full-page screenshot does. The PNG is encoded
        for speed (measured on the example pages: a quarter less time, half as many bytes more,
        ~70 KB a page)."""
        page_height = max(page_height, frame.height)
        top = min(frame.top, max(0, page_height - 1))
        wanted = (page_height - top) if frame.full_page else frame.height
        bound = self.limits.max_image_height // frame.scale
        height = max(1, min(wanted, bound))
        answer = await tab.devtools.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": top, "width": frame.width, "height": height, "scale": frame.scale},
                "captureBeyondViewport": page_height > frame.height,
                "optimizeForSpeed": True,
            },
        )
        png = base64.b64decode(answer["data"])
        return Shot(
            png=png,
            image_width=frame.width * frame.scale,
            image_height=height * frame.scale,
            page_height=page_height,
            top=top,
            bottom=top + height,
            cut=frame.full_page and top + height < page_height,
        )

    async def evaluate(
        self,
        document: str,
        frame: Frame,
        script: str,
        argument: Any = None,
        *,
        prelude: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Load the document, optionally run `prelude` (e.g. a library to inject), then return
        `script(argument)`'s result (a JavaScript function expression, awaited)."""
        limit = timeout or self.limits.capture_timeout_s
        async with self._page(document, frame) as (tab, _):
            page = tab.page
            if prelude:
                await self._bounded(page.evaluate(prelude), limit, _busy("Preparing the page", limit))
            return await self._bounded(page.evaluate(script, argument), limit, _busy("Checking the page", limit))


def _busy(what: str, timeout: float) -> str:
    return (
        f"{what} took longer than {timeout:g} s and was stopped; nothing was rendered. A mockup whose scripts "
        f"keep the page busy cannot be captured: fix them and save a new version."
    )


async def _answer(route: Any, document: bytes) -> None:
    request = route.request
    response = offline.answer(request.url, document)
    with contextlib.suppress(Exception):  # the page may be gone already
        if response is None and request.is_navigation_request():
            await route.fulfill(status=204)  # "No Content": the frame stays on the mockup, nothing is sent
        elif response is None:
            await route.abort("blockedbyclient")
        else:
            await route.fulfill(status=200, body=response.body, content_type=response.content_type)


async def _refuse_web_socket(socket: Any) -> None:
    with contextlib.suppress(Exception):
        await socket.close()


async def _close_popup(page: Any) -> None:
    with contextlib.suppress(Exception):
        await page.close(run_before_unload=False)
