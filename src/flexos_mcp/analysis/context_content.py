"""Analysis of context items without a model: what a person's text, page, stylesheet or
screenshot contains, in the seed's `ai_analysis` shape.

- text and Markdown: clean text, headings, links;
- HTML: clean text (no scripts or styles), title, headings, links, and the same design extraction
  mockups get (analysis/extraction/: colours, fonts, components, spacing);
- CSS and SVG: that design extraction (colours, fonts);
- raster images: dimensions, frames, light or dark, dominant colours — after a full decode with
  Pillow, which is also the check that the bytes really are an image (`NotAnImage` otherwise).

`ai_analysis` carries `detected_elements`, `color_palette`, `layout_type` and `relevant_to` (the
seed's keys) and `source: "automatic"`, so a reader knows no model wrote it. Pure functions on
bytes and text; the image work is CPU-heavy and is meant to run through compute.run_cpu.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from typing import Any

from PIL import Image, UnidentifiedImageError
from selectolax.lexbor import LexborHTMLParser

from flexos_mcp.analysis.extraction import extract_mockup

MAX_TEXT = 200_000  # characters of clean text kept (content_text's limit)
MAX_HEADINGS = 50
MAX_LINKS = 50
MAX_PALETTE = 8
MAX_LABEL = 200
MAX_IMAGE_PIXELS = 50_000_000  # larger images are refused (decompression bombs)
PALETTE_SAMPLE = 160  # px: colours are counted on a thumbnail this large

_BLOCK_TAGS = (
    "address,article,aside,blockquote,br,dd,details,dialog,div,dl,dt,fieldset,figcaption,figure,footer,"
    "form,h1,h2,h3,h4,h5,h6,header,hr,li,main,nav,ol,p,pre,section,summary,table,tbody,td,th,thead,tr,ul"
)
_INVISIBLE_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed"]
_URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{0,200})\]\((\S+?)(?:\s+\"[^\"]*\")?\)")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")


class NotAnImage(ValueError):
    """The bytes claimed to be an image but do not decode as one."""


# --- shared shapes ---------------------------------------------------------------------------------


def _analysis(elements: list[str], palette: list[str], layout: str | None, relevant: set[str]) -> dict[str, Any]:
    return {
        "detected_elements": elements,
        "color_palette": palette[:MAX_PALETTE],
        "layout_type": layout,
        "relevant_to": sorted(relevant),
        "source": "automatic",
    }


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def clean_lines(text: str) -> str:
    """Whitespace collapsed inside lines, blank lines dropped, bounded in length."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def _unique(items: list[dict[str, Any]], key: str, limit: int) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    kept = []
    for item in items:
        if item[key] not in seen:
            seen.add(item[key])
            kept.append(item)
    return kept[:limit]


def _word_count(text: str) -> int:
    return len(text.split())


# --- text and Markdown -----------------------------------------------------------------------------


def analyse_text(text: str, *, markdown: bool = True) -> dict[str, Any]:
    """Plain text or Markdown: clean text, Markdown headings, links (Markdown and bare URLs)."""
    lines = text.splitlines()
    headings = []
    for index, line in enumerate(lines):
        match = _MARKDOWN_HEADING.match(line.strip()) if markdown else None
        if match:
            headings.append({"level": len(match[1]), "text": _short(match[2])})
        elif markdown and index and _SETEXT.match(line.strip()) and lines[index - 1].strip():
            headings.append({"level": 1 if line.strip()[0] == "=" else 2, "text": _short(lines[index - 1])})
    links = [{"text": _short(m[1]), "href": m[2][:2000]} for m in _MARKDOWN_LINK.finditer(text)]
    links += [{"text": "", "href": m[0][:2000]} for m in _URL.finditer(text)]
    links = _unique(links, "href", MAX_LINKS)
    clean = clean_lines(text)
    relevant = {"content"} | ({"links"} if links else set())
    metadata = {"headings": headings[:MAX_HEADINGS], "links": links, "word_count": _word_count(clean)}
    return {"ai_analysis": _analysis([], [], None, relevant), "content_text": clean, "metadata": metadata}


# --- HTML, CSS, SVG --------------------------------------------------------------------------------


def _design(html: str, css: str | None) -> tuple[dict[str, Any], list[str], list[str]]:
    """The mockup extraction, summarised: (metadata, palette, components); the metadata's
    `component_counts` says how often each component occurs."""
    patterns = extract_mockup(html, css)["extracted_patterns"]
    colors = patterns.get("colors", {})
    palette = sorted(colors, key=lambda c: (-colors[c].get("count", 0), c))
    components = list(patterns.get("components_detected", []))
    families = patterns.get("fonts", {}).get("families", {})
    design = {
        "colors": palette[:16],
        "fonts": sorted(families, key=lambda f: (-families[f], f))[:8],
        "components": components,
        "component_counts": {name: use.get("count", 1) for name, use in patterns.get("components", {}).items()},
        "spacing_base_unit": patterns.get("spacing_analysis", {}).get("base_unit"),
    }
    return design, palette, components


def layout_of_components(components: list[str], counts: dict[str, int] | None = None) -> str | None:
    """A page's layout in one word, from the components the extraction found."""
    found = set(components)
    counts = counts or {}
    if "sidebar" in found and found & {"table", "card", "chart", "stat"}:
        return "dashboard"
    if "table" in found:
        return "data-table"
    if "card" in found and counts.get("card", 0) >= 3:
        return "card-grid"
    if "form" in found and found & {"input"} and not found & {"card", "list"}:
        return "form"
    if "list" in found:
        return "list"
    if found:
        return "page"
    return None


def analyse_html(html: str, css: str | None = None) -> dict[str, Any]:
    """An HTML page: clean text, title, headings, links, and its design (like a mockup's)."""
    design, palette, components = _design(html, css)
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = _short(title_node.text()) if title_node else None
    headings = [
        {"level": int(str(node.tag)[1]), "text": _short(node.text(deep=True, separator=" "))}
        for node in tree.css("h1,h2,h3,h4,h5,h6")
    ]
    headings = [h for h in headings if h["text"]][:MAX_HEADINGS]
    links = [
        {"text": _short(node.text(deep=True, separator=" ")), "href": (node.attributes.get("href") or "")[:2000]}
        for node in tree.css("a[href]")
    ]
    links = _unique([link for link in links if link["href"] and not link["href"].startswith("#")], "href", MAX_LINKS)
    tree.strip_tags(_INVISIBLE_TAGS)
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.body or tree.root
    clean = clean_lines(root.text(separator="") if root else "")
    layout = layout_of_components(components, design["component_counts"])
    relevant = {"design"} if palette else set()
    relevant |= ({"components", "layout"} if components else set()) | ({"content"} if clean else set())
    relevant |= {"links"} if links else set()
    metadata = {
        "title": title,
        "headings": headings,
        "links": links,
        "word_count": _word_count(clean),
        "design": design,
    }
    return {
        "ai_analysis": _analysis(components, palette, layout, relevant),
        "content_text": clean or None,
        "metadata": {k: v for k, v in metadata.items() if v is not None},
    }


def analyse_css(css: str) -> dict[str, Any]:
    """A stylesheet: the colours, fonts and spacing it uses."""
    design, palette, _ = _design("", css)
    relevant = {"design"} | ({"colors"} if palette else set())
    return {
        "ai_analysis": _analysis([], palette, None, relevant),
        "content_text": css[:MAX_TEXT],
        "metadata": {"design": design},
    }


def analyse_svg(svg: str) -> dict[str, Any]:
    """An SVG drawing: its colours (fill, stroke, styles) and any text in it."""
    design, palette, _ = _design(svg, None)
    tree = LexborHTMLParser(svg)
    tree.strip_tags(_INVISIBLE_TAGS)
    text = clean_lines(" ".join(node.text(deep=True, separator=" ") for node in tree.css("text")))
    return {
        "ai_analysis": _analysis([], palette, None, {"design", "colors"} if palette else {"design"}),
        "content_text": text or None,
        "metadata": {"design": design},
    }


# --- raster images ---------------------------------------------------------------------------------


def _decoded(data: bytes) -> Image.Image:
    """The image, fully decoded; NotAnImage when the bytes are not a whole image we accept."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotAnImage(f"the image has more than {MAX_IMAGE_PIXELS:,} pixels; send a smaller one") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotAnImage(f"the bytes do not decode as an image ({type(exc).__name__}: {str(exc)[:120]})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _rgb(image: Image.Image) -> Image.Image:
    """RGB pixels, with transparency laid over white (as a page would show it)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def dominant_colors(image: Image.Image, count: int = MAX_PALETTE) -> list[dict[str, Any]]:
    """The image's main colours, largest share first: [{"hex": "#1E40AF", "share": 0.42}, ...]."""
    sample = _rgb(image)
    sample.thumbnail((PALETTE_SAMPLE, PALETTE_SAMPLE), resample=Image.Resampling.NEAREST)  # no blended edges
    quantized = sample.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    total = sample.width * sample.height
    kept: list[tuple[tuple[int, int, int], int]] = []  # near-identical shades count as one colour
    for pixels, index in sorted(quantized.getcolors(maxcolors=256) or [], reverse=True):
        assert isinstance(index, int)  # a palette image's colours are indexes into its palette
        red, green, blue = palette[index * 3 : index * 3 + 3]
        rgb = (red, green, blue)
        near = next(
            (i for i, (other, _) in enumerate(kept) if max(abs(a - b) for a, b in zip(rgb, other, strict=True)) <= 12),
            None,
        )
        if near is None:
            kept.append((rgb, pixels))
        else:
            kept[near] = (kept[near][0], kept[near][1] + pixels)
    ranked = sorted(kept, key=lambda kv: -kv[1])
    return [
        {"hex": "#{:02X}{:02X}{:02X}".format(*rgb), "share": round(pixels / total, 3)}
        for rgb, pixels in ranked
        if pixels / total >= 0.01
    ]


def _luminance(image: Image.Image) -> float:
    small = image.convert("L")
    small.thumbnail((64, 64))
    values = list(small.getdata())
    return float(sum(values)) / (255 * max(1, len(values)))


def screen_shape(width: int, height: int) -> str:
    """What kind of screen an image's proportions suggest."""
    ratio = width / max(1, height)
    if ratio < 0.7:
        return "mobile-screen"
    if ratio < 1.2:
        return "tablet-screen" if min(width, height) >= 600 else "square"
    return "desktop-screen"


def analyse_image(data: bytes) -> dict[str, Any]:
    """A raster image (PNG, JPEG, GIF, WebP): decoded in full, then its size and colours."""
    image = _decoded(data)
    try:
        colors = dominant_colors(image)
        luminance = _luminance(_rgb(image))
        info = {
            "width": image.width,
            "height": image.height,
            "format": image.format,
            "mode": image.mode,
            "frames": getattr(image, "n_frames", 1),
            "theme": "dark" if luminance < 0.4 else "light",
            "dominant_colors": colors,
        }
    finally:
        image.close()
    palette = [c["hex"] for c in colors]
    layout = screen_shape(*image.size)
    return {
        "ai_analysis": _analysis([], palette, layout, {"design", "colors", "layout"}),
        "content_text": None,
        "metadata": {"image": info},
    }


def image_for_model(data: bytes, max_side: int) -> tuple[bytes, str]:
    """(bytes, MIME type) of the image as a model should see it: unchanged when it is a PNG, JPEG
    or GIF within `max_side`, else scaled down (PNG, or JPEG for photos without transparency)."""
    image = _decoded(data)
    try:
        if image.format in ("PNG", "JPEG", "GIF") and max(image.size) <= max_side:
            return data, Image.MIME[image.format]
        frame = image.convert("RGBA") if image.mode in ("RGBA", "LA", "PA", "P") else image.convert("RGB")
        frame.thumbnail((max_side, max_side), resample=Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if frame.mode == "RGB" and image.format == "JPEG":
            frame.save(out, "JPEG", quality=85)
            return out.getvalue(), "image/jpeg"
        frame.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    finally:
        image.close()


# --- one entry point ---------------------------------------------------------------------------------


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or bool(
        re.search(r"<(div|section|main|header|nav|body|p|h[1-6]|button|form|ul|table)\b", head)
    )


def analyse_bytes(data: bytes, mime: str) -> dict[str, Any]:
    """Analyse a file of a sniffed type: {"ai_analysis", "content_text", "metadata"}.
    Raises NotAnImage for image types that do not decode."""
    if mime.startswith("image/") and mime != "image/svg+xml":
        return analyse_image(data)
    if mime in ("application/pdf", "application/zip"):
        return {"ai_analysis": _analysis([], [], None, set()), "content_text": None, "metadata": {}}
    text = data.decode("utf-8-sig", errors="replace")
    return analyse_text_as(text, mime)


def analyse_text_as(text: str, mime: str) -> dict[str, Any]:
    """Analyse text of a known type (text/html, text/css, image/svg+xml, application/json,
    text/markdown, text/plain)."""
    if mime == "text/html":
        return analyse_html(text)
    if mime == "text/css":
        return analyse_css(text)
    if mime == "image/svg+xml":
        return analyse_svg(text)
    if mime == "application/json":
        result = analyse_text(text, markdown=False)
        result["content_text"] = text[:MAX_TEXT]
        return result
    return analyse_text(text, markdown=True)


def analyse_item_text(text: str) -> dict[str, Any]:
    """Text given directly (a note, a pasted page, a mockup's HTML): HTML when it looks like it."""
    if looks_like_html(text):
        return analyse_html(text)
    return analyse_text(text)


def as_json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
