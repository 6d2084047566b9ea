"""The DTCG export builds with Style Dictionary 5 into exactly the CSS variables we write."""

import json
import shutil
import subprocess
from pathlib import Path

from flexos_mcp.analysis.design_tokens import css_declarations, to_dtcg

SD_DIR = Path(__file__).resolve().parents[2] / "js" / "style-dictionary"

TOKENS = {
    "colors": {
        "primary": {"value": "#DC2626", "ref": "red-600", "usage_count": 47, "contexts": ["button", "link"]},
        "surface": {"value": "#1E293B", "usage_count": 23},
        "red-600": {"value": "#DC2626", "usage_count": 47},
        "overlay": {"value": "#0F172A80"},
    },
    "spacing": {"base": {"value": "8px", "confidence": 0.9}, "scale": [8, 16, 24], "steps": {"xs": "8px", "sm": "16px", "md": "24px"}},
    "typography": {
        "font_family": "Inter",
        "font_stack": ["Inter", "Helvetica Neue", "sans-serif"],
        "sizes": {"base": "16px", "2xl": "24px"},
        "weights": {"semibold": 600},
    },
    "radii": {"lg": {"value": "8px"}, "full": {"value": "9999px"}},
    "shadows": {
        "md": {"value": "0 4px 6px -1px #0000001A, 0 2px 4px -2px #0000001A"},
        "inner": {"value": "inset 0 2px 4px 0 #0000000D"},
    },
}


def _build(tmp_path: Path) -> str:
    assert (SD_DIR / "node_modules" / "style-dictionary").is_dir(), (
        f"Style Dictionary is not installed: run `npm ci` in {SD_DIR} (CI does this before pytest)."
    )
    node = shutil.which("node")
    assert node, "Node.js is required for the Style Dictionary check (Node 20 or newer)."
    source = tmp_path / "tokens.json"
    source.write_text(json.dumps(to_dtcg(TOKENS), indent=2))
    completed = subprocess.run(
        [node, str(SD_DIR / "build.mjs"), str(source), str(tmp_path / "out")],
        cwd=SD_DIR, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, f"Style Dictionary failed:\n{completed.stdout}\n{completed.stderr}"
    return (tmp_path / "out" / "variables.css").read_text()


def test_style_dictionary_builds_the_dtcg_export(tmp_path):
    css = _build(tmp_path)
    for line in (
        "--color-primary: #dc2626;",
        "--color-red-600: #dc2626;",
        "--color-surface: #1e293b;",
        "--spacing-base: 8px;",
        "--spacing-md: 24px;",
        "--font-family-base: Inter, 'Helvetica Neue', sans-serif;",
        "--font-size-2xl: 24px;",
        "--font-weight-semibold: 600;",
        "--radius-full: 9999px;",
        "--shadow-inner: inset 0px 2px 4px 0px #0000000D;",
    ):
        assert line in css, f"{line!r} missing from Style Dictionary output:\n{css}"


def test_our_css_variables_equal_style_dictionary_output(tmp_path):
    css = _build(tmp_path)
    built = {
        line.strip().rstrip(";").split(": ", 1)[0]: line.strip().rstrip(";").split(": ", 1)[1]
        for line in css.splitlines()
        if line.strip().startswith("--")
    }
    assert built == dict(css_declarations(TOKENS))
