"""The DTCG 2025.10 export builds with Style Dictionary 5 into the CSS variables we write."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flexos_mcp.analysis.css_values import normalize_color
from flexos_mcp.analysis.design_tokens import emerge_design_system
from flexos_mcp.analysis.token_exports import css_declarations, to_dtcg

from helpers.token_fixtures import TOKENS, example_mockups

SD_DIR = Path(__file__).resolve().parents[2] / "js" / "style-dictionary"


def _node(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run one of js/style-dictionary's scripts with Node."""
    assert (SD_DIR / "node_modules" / "style-dictionary").is_dir(), (
        f"Style Dictionary is not installed: run `npm ci` in {SD_DIR} (CI does this before pytest)."
    )
    node = shutil.which("node")
    assert node, "Node.js is required for the Style Dictionary check (Node 20 or newer)."
    return subprocess.run([node, str(SD_DIR / script), *args], cwd=SD_DIR, capture_output=True, text=True, timeout=60)


def _write(tmp_path: Path, document: dict, name: str = "tokens.json") -> str:
    source = tmp_path / name
    source.write_text(json.dumps(document, indent=2))
    return str(source)


def _build(tmp_path: Path) -> str:
    completed = _node("build.mjs", _write(tmp_path, to_dtcg(TOKENS)), str(tmp_path / "out"))
    assert completed.returncode == 0, f"Style Dictionary failed:\n{completed.stdout}\n{completed.stderr}"
    return (tmp_path / "out" / "variables.css").read_text()


@pytest.fixture(scope="module")
def built_css(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _build(tmp_path_factory.mktemp("style-dictionary"))


@pytest.mark.parametrize(
    "line",
    [
        "--color-primary: #dc2626;",
        "--color-red-600: #dc2626;",
        "--color-surface: #1e293b;",
        "--spacing-base: 8px;",
        "--spacing-md: 24px;",
        "--font-family-base: Inter, 'Helvetica Neue', sans-serif;",
        "--font-size-2xl: 24px;",
        "--font-weight-semibold: 600;",
        "--radius-full: 9999px;",
        "--color-overlay: rgba(15, 23, 42, 0.502);",
        "--shadow-inner: inset 0px 2px 4px 0px rgb(0% 0% 0% / 0.051);",
    ],
)
def test_style_dictionary_builds_the_dtcg_export(built_css: str, line: str):
    assert line in built_css, f"{line!r} missing from Style Dictionary output:\n{built_css}"


_CSS_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}\b|rgba?\([^)]*\)")


def _same_colours(value: str) -> str:
    """Every colour in a CSS value as canonical hex: Style Dictionary writes a shadow's colour
    object as `rgb(0% 0% 0% / 0.102)`, we write `#0000001A`; both are the same colour."""
    return _CSS_COLOR.sub(lambda m: normalize_color(m.group(0)) or m.group(0), value)


def test_our_css_variables_equal_style_dictionary_output(tmp_path):
    css = _build(tmp_path)
    built = {
        line.strip().rstrip(";").split(": ", 1)[0]: line.strip().rstrip(";").split(": ", 1)[1]
        for line in css.splitlines()
        if line.strip().startswith("--")
    }
    ours = dict(css_declarations(TOKENS))
    assert {k: v for k, v in built.items() if not k.startswith("--shadow")} == {
        k: v for k, v in ours.items() if not k.startswith("--shadow")
    }
    assert {k: _same_colours(v) for k, v in built.items()} == {k: _same_colours(v) for k, v in ours.items()}


def test_terrazzo_validates_the_export(tmp_path):
    """Terrazzo's parser (by an editor of the DTCG format), strict: no error and no warning, for the
    known token set and for the example project's own design system."""
    example = emerge_design_system(example_mockups(), {}, None)["tokens"]
    for name, tokens in (("known.json", TOKENS), ("example.json", example)):
        completed = _node("validate.mjs", _write(tmp_path, to_dtcg(tokens), name))
        assert completed.returncode == 0, f"{name}:\n{completed.stdout}\n{completed.stderr}"
        assert completed.stdout.startswith("valid: ")


def test_terrazzo_refuses_the_legacy_string_forms(tmp_path):
    """The check can fail: the pre-2025.10 forms we used to write are refused."""
    for path, legacy in ((("color", "surface"), "#1E293B"), (("spacing", "md"), "24px")):
        document = to_dtcg(TOKENS)
        document[path[0]][path[1]]["$value"] = legacy
        completed = _node("validate.mjs", _write(tmp_path, document))
        assert completed.returncode == 1, f"{legacy} was accepted:\n{completed.stdout}"
