"""The renderer's sandbox, attacked: mockups that try every way out to a real loopback server (TCP
and UDP) must reach it zero times, must not read local files, and a mockup that never stops must
fail on time without stopping the renderer. A control run without the sandbox proves the server
would have seen the same mockup."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from flexos_mcp.rendering.browser import Frame, Renderer, RenderFailed, RenderLimits
from flexos_mcp.rendering.offline import compose_document

pytestmark = pytest.mark.usefixtures("chromium")

FRAME = Frame(width=400, height=300)


class Listener:
    """Counts every TCP connection and UDP datagram that reaches a loopback port."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp_port = self.udp.getsockname()[1]
        self.connections = 0
        self.datagrams = 0
        self.requests: list[bytes] = []
        self._stop = False
        for target in (self._accept, self._receive):
            threading.Thread(target=target, daemon=True).start()

    def _accept(self) -> None:
        self.tcp.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.settimeout(1)
            try:
                self.requests.append(conn.recv(200))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
            except OSError:
                pass
            finally:
                conn.close()

    def _receive(self) -> None:
        self.udp.settimeout(0.2)
        while not self._stop:
            try:
                self.udp.recvfrom(2048)
                self.datagrams += 1
            except (TimeoutError, OSError):
                continue

    def close(self) -> None:
        self._stop = True
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def escape_attempts(port: int, udp_port: int) -> dict[str, str]:
    """One mockup per way out, each aimed at the listener."""
    url = f"http://127.0.0.1:{port}"
    return {
        "fetch and XHR": f"""<script>fetch('{url}/fetch').catch(()=>{{}});
            const x = new XMLHttpRequest(); x.open('GET', '{url}/xhr'); x.send();</script>""",
        "images": f"""<img src="{url}/img.png"><img srcset="{url}/set.png 2x">
            <script>new Image().src = '{url}/new-image.png';</script>""",
        "stylesheets and fonts": f"""<link rel="stylesheet" href="{url}/style.css"><style>
            @import url('{url}/import.css'); @font-face {{ font-family: X; src: url('{url}/font.woff2'); }}
            body {{ background: url('{url}/background.png'); font-family: X; }}</style><p>text</p>""",
        "frames and media": f"""<iframe src="{url}/frame"></iframe><object data="{url}/object"></object>
            <embed src="{url}/embed"><video src="{url}/video.mp4" autoplay></video><audio src="{url}/a.mp3" autoplay></audio>""",
        "web socket": f"""<script>try {{ new WebSocket('ws://127.0.0.1:{port}/ws'); }} catch (e) {{}}</script>""",
        "event source and beacon": f"""<script>new EventSource('{url}/events');
            navigator.sendBeacon('{url}/beacon', 'data');</script>""",
        "navigation": f"""<form id="f" action="{url}/form" method="post"><input name="a" value="b"></form>
            <script>document.getElementById('f').submit(); setTimeout(() => location.href = '{url}/go', 10);</script>""",
        "meta refresh": f"""<meta http-equiv="refresh" content="0;url={url}/refresh"><p>refresh</p>""",
        "hints": f"""<link rel="prefetch" href="{url}/prefetch"><link rel="preload" as="image" href="{url}/preload.png">
            <link rel="preconnect" href="{url}"><link rel="dns-prefetch" href="//example.com"><p>hints</p>""",
        "popups": f"""<script>window.open('{url}/popup');</script><a id="a" href="{url}/link" target="_blank">x</a>
            <script>document.getElementById('a').click();</script>""",
        "workers": f"""<script>
            const w = new Worker(URL.createObjectURL(new Blob(["fetch('{url}/worker')"], {{type: 'text/javascript'}})));
            navigator.serviceWorker && navigator.serviceWorker.register('/sw.js').catch(()=>{{}});</script>""",
        "by host name": f"""<img src="http://localhost:{port}/by-name.png"><script>fetch('http://localhost:{port}/f')</script>""",
        "webrtc": f"""<script>
            const pc = new RTCPeerConnection({{iceServers: [{{urls: 'stun:127.0.0.1:{udp_port}'}},
                {{urls: 'turn:127.0.0.1:{port}?transport=tcp', username: 'u', credential: 'c'}}]}});
            pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o));</script>""",
    }


FILE_READS = """<pre id="out">nothing</pre><iframe src="file:///etc/passwd"></iframe><img src="file:///etc/passwd">
<script>
  const out = document.getElementById('out');
  fetch('file:///etc/passwd').then(r => r.text()).then(t => out.textContent = t).catch(e => out.textContent += ' fetch refused');
  const x = new XMLHttpRequest();
  try { x.open('GET', 'file:///etc/passwd', false); x.send(); out.textContent += x.responseText; } catch (e) { out.textContent += ' xhr refused'; }
</script>"""


async def test_no_request_of_any_kind_leaves_the_sandbox(listener: Listener):
    renderer = Renderer(RenderLimits(load_timeout_s=5))
    try:
        for name, mockup in escape_attempts(listener.port, listener.udp_port).items():
            try:
                shot = await renderer.screenshot(compose_document(mockup, None, None), FRAME)
            except RenderFailed as exc:
                pytest.fail(f"{name}: the mockup should render, got {exc}")
            assert shot.png.startswith(b"\x89PNG"), name
        await asyncio.sleep(1.0)  # anything sent late would have arrived by now
    finally:
        await renderer.close()
    assert (listener.connections, listener.datagrams) == (0, 0), listener.requests


async def test_control_without_the_sandbox_the_same_mockups_reach_the_listener(listener: Listener, chromium: str):
    """The listener and the mockups do detect an escape: a plain headless Chromium given the same
    page without our routes and flags is reached."""
    from playwright.async_api import async_playwright

    mockup = escape_attempts(listener.port, listener.udp_port)["images"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = await browser.new_page()
        await page.set_content(mockup)
        await browser.close()
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert listener.connections > 0


async def test_a_mockup_cannot_read_local_files():
    renderer = Renderer(RenderLimits(load_timeout_s=5))
    try:
        seen = await renderer.evaluate(
            compose_document(FILE_READS, None, None),
            FRAME,
            "() => new Promise(r => setTimeout(() => r(document.body.innerText), 500))",
        )
    finally:
        await renderer.close()
    assert "root:" not in seen and "refused" in seen


async def test_endless_scripts_time_out_and_the_renderer_goes_on():
    renderer = Renderer(RenderLimits(load_timeout_s=2, capture_timeout_s=2))
    good = compose_document("<h1>Still here</h1>", None, None)
    try:
        started = time.monotonic()
        with pytest.raises(RenderFailed, match="did not finish loading within 2 s"):
            await renderer.screenshot("<script>while(true){}</script><p>never</p>", FRAME)
        with pytest.raises(RenderFailed, match=r"(within|longer than) 2 s.*nothing was rendered"):  # busy after load
            await renderer.screenshot(
                "<p>x</p><script>onload = () => setTimeout(() => { while(true){} }, 0)</script>", FRAME
            )
        assert time.monotonic() - started < 30
        assert (await renderer.screenshot(good, FRAME)).png.startswith(b"\x89PNG")
        assert renderer.launches == 1  # the same browser served on
    finally:
        await renderer.close()


async def test_endless_animations_render_in_bounded_time():
    animated = """<style>@keyframes spin { to { transform: rotate(360deg) } }
        .s { width: 80px; height: 80px; background: #DC2626; animation: spin 1ms linear 10000; }</style>
        <div class="s"></div><canvas id="c" width="100" height="100"></canvas>
        <script>let n = 0; const g = document.getElementById('c').getContext('2d');
        (function frame() { g.fillRect(n % 100, 0, 1, 1); if (++n < 10000) requestAnimationFrame(frame); })();</script>"""
    renderer = Renderer(RenderLimits(load_timeout_s=5))
    try:
        started = time.monotonic()
        shot = await renderer.screenshot(compose_document(animated, None, None), FRAME)
        assert shot.png.startswith(b"\x89PNG") and time.monotonic() - started < 20
    finally:
        await renderer.close()


@pytest.mark.parametrize(
    "flag",
    [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ],
)
def test_chromium_flags_keep_the_browser_itself_offline(flag: str):
    from flexos_mcp.rendering.browser import CHROMIUM_ARGS

    assert flag in CHROMIUM_ARGS
    assert "--no-sandbox" not in CHROMIUM_ARGS  # added only when running as root


LEAVES_TRACES = """<script>
  localStorage.setItem('secret', 'from-a'); sessionStorage.setItem('secret', 'from-a');
  document.cookie = 'secret=from-a; max-age=3600'; window.name = 'from-a'; window.secretGlobal = 'from-a';
  indexedDB.open('secrets').onupgradeneeded = e => e.target.result.createObjectStore('s');
  if (self.caches) caches.open('secrets').then(c => c.put('/x', new Response('from-a'))).catch(() => {});
  setInterval(() => localStorage.setItem('late', 'from-a'), 5);
</script><p>A</p>"""
READS_TRACES = """async () => {
  const dbs = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
  const cached = self.caches ? await caches.keys().catch(() => []) : [];
  return [localStorage.getItem('secret'), localStorage.getItem('late'), sessionStorage.getItem('secret'),
          document.cookie, window.name, window.secretGlobal || '', dbs.join(), cached.join()].join('|');
}"""


async def test_one_mockup_never_sees_what_another_left_behind():
    renderer = Renderer(RenderLimits(load_timeout_s=5, concurrency=1))  # one tab: B reuses A's
    try:
        await renderer.screenshot(LEAVES_TRACES, FRAME)
        await asyncio.sleep(0.2)
        seen = await renderer.evaluate("<p>B</p>", FRAME, READS_TRACES)
        assert renderer._tabs == 1
    finally:
        await renderer.close()
    assert seen == "|" * 7


async def test_control_without_the_wipe_the_traces_would_be_seen():
    renderer = Renderer(RenderLimits(load_timeout_s=5, concurrency=1))

    async def keep_as_is(tab):  # back to idle without leaving the page or wiping anything
        renderer._idle.append(tab)

    renderer._clean = keep_as_is
    try:
        await renderer.screenshot(LEAVES_TRACES, FRAME)
        seen = await renderer.evaluate("<p>B</p>", FRAME, READS_TRACES)
    finally:
        await renderer.close()
    assert "from-a" in seen


async def test_a_browser_that_went_away_is_started_again():
    renderer = Renderer(RenderLimits(load_timeout_s=5))
    try:
        await renderer.screenshot("<p>one</p>", FRAME)
        await renderer._browser.close()  # as if it crashed or was killed
        assert not renderer.running
        assert (await renderer.screenshot("<p>two</p>", FRAME)).png.startswith(b"\x89PNG")
        assert renderer.launches == 2
    finally:
        await renderer.close()
