"""What a rendered mockup may load: itself, and nothing else from anywhere.

The mockup is served from a made-up origin (`http://mockup.flexos.invalid/`; `.invalid` never
resolves) that the browser context routes to us, so relative URLs stay inside the route and the
page never gets the origin of anything real. Every other request is refused before it leaves the
browser — with one exception that sends nothing anywhere: Tailwind's Play CDN script, which a
large share of mockups load, is answered from a copy shipped with FlexOS (see vendor/README.md).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

MOCKUP_ORIGIN = "http://mockup.flexos.invalid"
MOCKUP_URL = f"{MOCKUP_ORIGIN}/mockup"

TAILWIND_VERSION = "3.4.10"
_VENDOR = Path(__file__).resolve().parent / "vendor"
# Where mockups load the Play CDN from: Tailwind's own host, and the npm mirrors of the same build.
_TAILWIND_HOSTS = frozenset({"cdn.tailwindcss.com"})
_TAILWIND_MIRROR = re.compile(r"^/(?:npm/)?tailwindcss-cdn@3[^/]*/tailwindcss(?P<plugins>-with-[a-z-]+)?\.js$")
_TAILWIND_MIRROR_HOSTS = frozenset({"unpkg.com", "cdn.jsdelivr.net"})


@dataclass(frozen=True)
class Response:
    body: bytes
    content_type: str


@lru_cache(maxsize=2)
def _vendored(name: str) -> bytes:
    return gzip.decompress((_VENDOR / name).read_bytes())


def tailwind_script(with_plugins: bool = False) -> bytes:
    suffix = "-plugins" if with_plugins else ""
    return _vendored(f"tailwindcss-{TAILWIND_VERSION}{suffix}.js.gz")


def _tailwind_request(url: str) -> Response | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if host in _TAILWIND_HOSTS:
        plugins = "plugins=" in parts.query
    elif host in _TAILWIND_MIRROR_HOSTS and (found := _TAILWIND_MIRROR.match(parts.path)):
        plugins = found["plugins"] is not None
    else:
        return None
    return Response(tailwind_script(plugins), "text/javascript; charset=utf-8")


def answer(url: str, document: bytes) -> Response | None:
    """The response for a request the mockup makes, or None to refuse it."""
    if url == MOCKUP_URL:
        return Response(document, "text/html; charset=utf-8")
    return _tailwind_request(url)


_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>(?![\s\S]*</body\s*>)", re.IGNORECASE)


def compose_document(html: str, css: str | None, javascript: str | None) -> str:
    """One HTML document from a mockup's three parts, as a browser would get them from a page
    that links its stylesheet and script: the CSS at the end of <head>, the JavaScript at the end
    of <body>. A `</style>` or `</script>` inside them cannot end their element early."""
    document = html
    if css:
        style = "<style>\n" + re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE) + "\n</style>"
        head_end = _HEAD_END.search(document)
        document = (
            (document[: head_end.start()] + style + document[head_end.start() :]) if head_end else style + document
        )
    if javascript:
        script = "<script>\n" + re.sub(r"</(script)", r"<\\/\1", javascript, flags=re.IGNORECASE) + "\n</script>"
        body_end = _BODY_END.search(document)
        document = (
            (document[: body_end.start()] + script + document[body_end.start() :]) if body_end else document + script
        )
    return document
