"""The document a mockup is shown in inside a browser page, and the policy that keeps it from
touching anything else. One definition for the preview site (preview/) and the MCP Apps mockup
view (server/app_views/), which both show mockups live to a person.

A mockup is untrusted HTML/CSS/JavaScript. It is shown in an `<iframe sandbox="allow-scripts">`
(no `allow-same-origin`): the preview's frame document comes from its `/frame` route with
`FRAME_HEADERS`; the Apps view writes it into `srcdoc` behind a `<meta>` carrying
`MOCKUP_POLICY` (a srcdoc document would otherwise share its parent's policy, whose 'self' is the
host's sandbox origin). So the mockup's scripts run, but in an opaque origin:
  - `parent.document` and `top.location = ...` throw (a different origin, no top navigation);
  - `document.cookie` throws (an opaque origin has no cookies), and the preview sets none anyway;
  - `fetch('/api/...')`, images, fonts, frames and forms aimed at anything but `data:` are refused
    by the Content-Security-Policy (`connect-src 'none'`, `default-src 'none'`), so the mockup
    reaches neither the preview's own routes nor the network;
  - the `sandbox` CSP directive applies the same sandbox when the frame URL is opened on its own.
Styles and scripts the mockup loads from the network (a CDN) are therefore not applied: the
preview shows what the mockup holds, offline, like the renderer does.
"""

from __future__ import annotations

import re

# What a mockup may load: only what it carries inline (scripts, styles, data: images and fonts).
MOCKUP_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'unsafe-inline' 'unsafe-eval'",
        "style-src 'unsafe-inline'",
        "img-src data: blob:",
        "font-src data:",
        "media-src data: blob:",
        "connect-src 'none'",
        "frame-src 'none'",
        "worker-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    )
)

# The same, as the header of a frame document served over HTTP: sandboxed even when opened on
# its own, and shown only inside the preview's own pages.
FRAME_POLICY = f"sandbox allow-scripts; {MOCKUP_POLICY}; frame-ancestors 'self'"

FRAME_HEADERS = {
    "Content-Security-Policy": FRAME_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

# The sandbox attribute every frame showing a mockup carries (templates use it, tests check it).
FRAME_SANDBOX = "allow-scripts"


def mockup_document(html: str, css: str | None, javascript: str | None) -> str:
    """One HTML document from a mockup version's parts: its stylesheet and script appended (the
    HTML parser moves them into the body of a full document). A closing tag inside them is
    broken so it cannot end its element early."""
    parts = [html]
    if css:
        parts.append("<style>" + re.sub("</style", "<\\/style", css, flags=re.IGNORECASE) + "</style>")
    if javascript:
        parts.append("<script>" + re.sub("</script", "<\\/script", javascript, flags=re.IGNORECASE) + "</script>")
    return "\n".join(parts)
