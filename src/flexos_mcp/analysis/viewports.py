"""The viewport presets every view of a mockup shares (renderer, comparison, accessibility
checks, the preview site), so "mobile" means the same 390x844 everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ViewportName = Literal["mobile", "tablet", "desktop"]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int


VIEWPORTS: dict[str, Viewport] = {
    v.name: v
    for v in (
        Viewport("mobile", 390, 844),  # iPhone 14/15
        Viewport("tablet", 834, 1112),  # iPad Air 10.5"
        Viewport("desktop", 1440, 900),  # a common laptop
    )
}

# Bounds for explicit sizes: below a small phone is not a layout; beyond 4K is a memory hazard.
MIN_WIDTH, MAX_WIDTH = 200, 3840
MIN_HEIGHT, MAX_HEIGHT = 200, 2400
