"""WCAG 2.2 contrast between two colours, and the verdicts a designer reads.

One definition shared by the design-system analysis, the renderer's accessibility report and the
preview's swatches, so every view gives the same ratio for the same pair. Colours are any CSS
colour string (`normalize_color` spells them); a translucent foreground is composited over the
background first, as a browser paints it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .css_values import new_color, normalize_color

# WCAG 2.2 success criteria 1.4.3 (AA) and 1.4.6 (AAA): normal text, then large text
# (>= 24px, or >= 18.66px bold). 1.4.11 asks 3:1 for user-interface components.
AA_NORMAL, AA_LARGE = 4.5, 3.0
AAA_NORMAL, AAA_LARGE = 7.0, 4.5
NON_TEXT = 3.0


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance (0 black .. 1 white) of an opaque sRGB colour."""
    red, green, blue = new_color(color).convert("srgb").fit("srgb").coords()
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def composite(foreground: str, background: str) -> str:
    """The opaque colour a translucent foreground shows over an opaque background."""
    fg = new_color(foreground).convert("srgb")
    bg = new_color(background).convert("srgb").set("alpha", 1)
    alpha = fg.alpha()
    mixed = [f * alpha + b * (1 - alpha) for f, b in zip(fg.coords(), bg.coords(), strict=True)]
    return new_color("srgb", mixed).fit("srgb").to_string(hex=True, upper=True)


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG contrast ratio (1..21) of text in `foreground` on `background`, rounded to two
    decimals as the WCAG tools print it. Raises ValueError for a string that is not a colour."""
    fg, bg = normalize_color(foreground), normalize_color(background)
    if fg is None or bg is None:
        raise ValueError(f"not a colour: {foreground if fg is None else background!r}")
    bg = bg[:7]  # a translucent page background is read as opaque: nothing is known beneath it
    lighter, darker = sorted((relative_luminance(composite(fg, bg)), relative_luminance(bg)), reverse=True)
    return round((lighter + 0.05) / (darker + 0.05), 2)


@dataclass(frozen=True)
class ContrastVerdict:
    ratio: float
    aa_normal: bool
    aa_large: bool
    aaa_normal: bool
    aaa_large: bool
    non_text: bool

    @property
    def summary(self) -> str:
        """One word for a swatch: AAA, AA, AA-large or fail."""
        if self.aaa_normal:
            return "AAA"
        if self.aa_normal:
            return "AA"
        if self.aa_large:
            return "AA-large"
        return "fail"

    def as_dict(self) -> dict[str, object]:
        return {
            "ratio": self.ratio,
            "aa": self.aa_normal,
            "aa_large": self.aa_large,
            "aaa": self.aaa_normal,
            "aaa_large": self.aaa_large,
            "non_text": self.non_text,
            "verdict": self.summary,
        }


def contrast_verdict(foreground: str, background: str) -> ContrastVerdict:
    """The ratio and every WCAG 2.2 threshold it meets."""
    ratio = contrast_ratio(foreground, background)
    return ContrastVerdict(
        ratio=ratio,
        aa_normal=ratio >= AA_NORMAL,
        aa_large=ratio >= AA_LARGE,
        aaa_normal=ratio >= AAA_NORMAL,
        aaa_large=ratio >= AAA_LARGE,
        non_text=ratio >= NON_TEXT,
    )
