"""A tiny web server for the fetch tests, run inside a network namespace of the test's own
(helpers/netns_hosts.py): pages, an image, redirects, a large body and a slow answer. Standard library
only; it stops by itself after `--lifetime` seconds."""

from __future__ import annotations

import argparse
import http.server
import io
import threading
import time
from urllib.parse import parse_qs, urlsplit

PAGE = b"""<!doctype html><html><head><title>Kanban inspiration</title>
<style>body{background:#0F172A;color:#F8FAFC}</style></head><body>
<nav><a href="https://boards.example/pricing">Pricing</a></nav><h1>Boards that flow</h1>
<div class="card">Backlog</div><div class="card">Doing</div><div class="card">Done</div>
<script>alert('not text')</script></body></html>"""


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1280, 800), (220, 38, 38)).save(out, "PNG")
    return out.getvalue()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/page.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif url.path == "/shot.png":
            self._send(200, png(), "image/png")
        elif url.path == "/to":
            self._send(302, b"", "text/plain", Location=query["target"][0])
        elif url.path == "/hop":  # a redirect to another page of this host
            self._send(301, b"", "text/plain", Location="/page.html")
        elif url.path == "/big":
            self._send(200, b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p>", "text/html")
        elif url.path == "/slow":
            time.sleep(5)
            self._send(200, b"late", "text/plain")
        elif url.path == "/program.png":
            self._send(200, b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "image/png")
        else:
            self._send(404, b"not here", "text/plain")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--lifetime", type=float, default=600)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer((args.bind, args.port), Handler)
    threading.Timer(args.lifetime, server.shutdown).start()
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
