"""Runs the Node checks in js/flows (real Mermaid parser, real VueFlow store) for the flow tests.
A missing node_modules is a test failure with the command that fixes it, never a skip."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[2] / "js" / "flows"


def run_node_check(script: str, stdin_text: str, *args: str) -> subprocess.CompletedProcess:
    if (
        not (JS_DIR / "node_modules" / "mermaid").is_dir()
        or not (JS_DIR / "node_modules" / "@vue-flow" / "core").is_dir()
    ):
        pytest.fail(f"{JS_DIR}/node_modules is missing: run `npm ci --prefix {JS_DIR}` (Node 20+) before these tests")
    return subprocess.run(
        ["node", str(JS_DIR / script), *args], input=stdin_text, capture_output=True, text=True, timeout=60, cwd=JS_DIR
    )


def mermaid_parse_results(diagrams: list[str]) -> list[dict[str, Any]]:
    """One Node start for all diagrams: [{ok, diagramType?, error?}] in order."""
    done = run_node_check("check_mermaid.mjs", json.dumps(diagrams), "--batch")
    assert done.stdout.strip(), f"check_mermaid.mjs printed nothing; stderr:\n{done.stderr}"
    return json.loads(done.stdout)


def vueflow_round_trip(canvas: dict[str, Any]) -> dict[str, Any]:
    """`toObject()` of a headless VueFlow 1.48 store after `fromObject(canvas)`."""
    done = run_node_check("check_vueflow.mjs", json.dumps(canvas))
    assert done.returncode == 0, f"check_vueflow.mjs failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)
