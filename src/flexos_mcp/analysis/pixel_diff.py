"""Where two renders of a page differ, in pixels: the share that changed, the bounding boxes of the
changed regions, and one picture with both renders side by side and the difference marked.

A pixel counts as changed when one of its channels moved by more than `threshold` (out of 255),
so antialiasing noise does not count. Changed pixels are grouped into regions on a grid of
`CELL`-pixel cells, with cells up to `GAP` cells apart joined, so a changed line of text is one
region, not one per letter (cells grow on very large renders to keep the work bounded). Renders of different heights are compared over the taller one: the
rows only one of them has are changed. Pure CPU work on PNG bytes (Pillow); the server runs it
in the compute pool.
"""

from __future__ import annotations

import io
import math
from collections import deque
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

DEFAULT_THRESHOLD = 32
CELL = 8
GAP = 2
MAX_REGIONS = 20
MAX_CELLS = 60_000
MAX_COMPOSITE_WIDTH = 2400
_LABEL_HEIGHT = 32
_PANEL_GAP = 16
_BACKDROP = (229, 231, 235)
_MARK = (236, 0, 140)


@dataclass(frozen=True)
class Region:
    """A changed area, in the renders' CSS pixels (image pixels divided by the device scale)."""

    x: int
    y: int
    width: int
    height: int
    changed_pixels: int


@dataclass(frozen=True)
class PixelDiff:
    width: int  # CSS pixels of the compared area (the larger of the two renders)
    height: int
    changed_pixels: int  # image pixels
    total_pixels: int
    regions: list[Region]
    regions_total: int  # before keeping the MAX_REGIONS largest
    size_changed: bool
    image: bytes | None = field(default=None, repr=False)  # the side-by-side PNG, when asked for

    @property
    def changed_share(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0


def _open(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def _padded(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


def _change_mask(before: Image.Image, after: Image.Image, threshold: int) -> Image.Image:
    """255 where a pixel changed, 0 elsewhere, over the union of both images' areas."""
    size = (max(before.width, after.width), max(before.height, after.height))
    red, green, blue = ImageChops.difference(_padded(before, size), _padded(after, size)).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point([0] * (threshold + 1) + [255] * (255 - threshold))
    draw = ImageDraw.Draw(mask)
    for image in (before, after):  # what only one image covers has changed
        if image.width < size[0]:
            draw.rectangle((image.width, 0, size[0] - 1, size[1] - 1), fill=255)
        if image.height < size[1]:
            draw.rectangle((0, image.height, size[0] - 1, size[1] - 1), fill=255)
    return mask


def _regions(mask: Image.Image, scale: int) -> tuple[list[Region], int]:
    """Connected groups of changed cells (joined across gaps of up to GAP cells), largest first.
    Cells grow with the image so that the grid stays under MAX_CELLS: the walk is Python."""
    width, height = mask.size
    cell = max(CELL, math.ceil(math.sqrt(width * height / MAX_CELLS)))
    cells = mask.reduce(cell)
    columns, rows = cells.size
    weights = cells.tobytes()  # a cell's mean: 0 = unchanged
    joined = cells.point([0] + [255] * 255).filter(ImageFilter.MaxFilter(2 * GAP + 1)).tobytes()
    seen = bytearray(len(joined))
    found: list[tuple[int, int, int, int, int]] = []
    for start, value in enumerate(joined):
        if not value or seen[start]:
            continue
        seen[start] = 1
        queue = deque([start])
        left, top, right, bottom, weight = columns, rows, -1, -1, 0
        while queue:
            index = queue.popleft()
            if weights[index]:
                row, column = divmod(index, columns)
                left, right = min(left, column), max(right, column)
                top, bottom = min(top, row), max(bottom, row)
                weight += weights[index]
            column = index % columns
            for near, inside in (
                (index - 1, column > 0),
                (index + 1, column < columns - 1),
                (index - columns, index >= columns),
                (index + columns, index + columns < len(joined)),
            ):
                if inside and joined[near] and not seen[near]:
                    seen[near] = 1
                    queue.append(near)
        if right >= 0:
            found.append((left, top, right, bottom, weight))
    found.sort(key=lambda r: (-(r[2] - r[0] + 1) * (r[3] - r[1] + 1), r[1], r[0]))
    regions = []
    for left, top, right, bottom, weight in found[:MAX_REGIONS]:
        x0, y0 = left * cell, top * cell
        x1, y1 = min(width, (right + 1) * cell), min(height, (bottom + 1) * cell)
        changed = round(weight / 255 * cell * cell)  # a cell's mean times its area: its changed pixels
        regions.append(
            Region(
                x=x0 // scale,
                y=y0 // scale,
                width=max(1, (x1 - x0) // scale),
                height=max(1, (y1 - y0) // scale),
                changed_pixels=changed,
            )
        )
    return regions, len(found)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType has only the small bitmap font
        return ImageFont.load_default()


def _composite(
    before: Image.Image,
    after: Image.Image,
    mask: Image.Image,
    regions: list[Region],
    scale: int,
    labels: tuple[str, str, str],
) -> bytes:
    """before | after | difference: the after-render faded to grey with changed pixels in magenta
    and each region outlined."""
    size = mask.size
    faded = Image.blend(ImageOps.grayscale(_padded(after, size)).convert("RGB"), Image.new("RGB", size, "white"), 0.6)
    overlay = Image.composite(Image.new("RGB", size, _MARK), faded, mask)
    draw = ImageDraw.Draw(overlay)
    for region in regions:
        box = (
            region.x * scale,
            region.y * scale,
            (region.x + region.width) * scale - 1,
            (region.y + region.height) * scale - 1,
        )
        draw.rectangle(box, outline=_MARK, width=max(2, 2 * scale))
    panels = [before, after, overlay]
    factor = min(1.0, (MAX_COMPOSITE_WIDTH - _PANEL_GAP * 4) / sum(p.width for p in panels))
    if factor < 1.0:
        panels = [
            p.resize((max(1, round(p.width * factor)), max(1, round(p.height * factor))), Image.Resampling.LANCZOS)
            for p in panels
        ]
    canvas = Image.new(
        "RGB",
        (sum(p.width for p in panels) + _PANEL_GAP * 4, max(p.height for p in panels) + _LABEL_HEIGHT + _PANEL_GAP),
        _BACKDROP,
    )
    draw = ImageDraw.Draw(canvas)
    font = _font(16)
    x = _PANEL_GAP
    for panel, label in zip(panels, labels, strict=True):
        draw.text((x, 8), label, fill=(17, 24, 39), font=font)
        canvas.paste(panel, (x, _LABEL_HEIGHT))
        x += panel.width + _PANEL_GAP
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def compare_pngs(
    before: bytes,
    after: bytes,
    *,
    scale: int = 1,
    threshold: int = DEFAULT_THRESHOLD,
    labels: tuple[str, str, str] | None = None,
) -> PixelDiff:
    """Compare two PNG renders taken at the same device `scale`. With `labels` (before, after,
    difference), the result carries the side-by-side picture too."""
    first, second = _open(before), _open(after)
    mask = _change_mask(first, second, threshold)
    regions, regions_total = _regions(mask, scale)
    changed = mask.histogram()[255]
    image = _composite(first, second, mask, regions, scale, labels) if labels else None
    return PixelDiff(
        width=mask.width // scale,
        height=mask.height // scale,
        changed_pixels=changed,
        total_pixels=mask.width * mask.height,
        regions=regions,
        regions_total=regions_total,
        size_changed=first.size != second.size,
        image=image,
    )
