"""How the tests themselves are organised (no database needed): shared helpers are imported from
the `helpers` package (tests/helpers/), never from conftest (fixtures only) or from another test
module; and no test reaches into the package's private (underscore) names, so a refactoring that
keeps behaviour keeps the tests green."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def helper_imports_out_of_place(root: Path = TESTS) -> list[str]:
    """Imports of conftest or of a test module, and helper modules outside tests/helpers/."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root)
        if where.parts[0] != "helpers" and path.name != "conftest.py" and not path.name.startswith("test_"):
            found.append(f"{where}: a helper module outside tests/helpers/")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and not node.level
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                top, last = name.split(".")[0], name.split(".")[-1]
                if top == "conftest" or last.startswith("test_") or ((root / top).is_dir() and top != "helpers"):
                    found.append(f"{where}:{node.lineno}: imports {name}; move what it needs to tests/helpers/")
    return found


def private_names_used(root: Path = TESTS) -> list[str]:
    """`from flexos_mcp... import _name`, and `x._name` where x was imported from flexos_mcp."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "flexos_mcp":
                for alias in node.names:
                    if alias.name.startswith("_"):
                        found.append(f"{path.relative_to(root)}:{node.lineno}: {node.module}.{alias.name}")
                    ours.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                ours |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("flexos_mcp")}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in ours:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_helpers_come_from_the_helpers_package():
    assert not helper_imports_out_of_place(), "\n".join(helper_imports_out_of_place())


def test_no_test_uses_private_names_of_the_package():
    assert not private_names_used(), "\n".join(private_names_used())


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "loose_helper.py").write_text("X = 1\n")
    (tmp_path / "test_a.py").write_text(
        "from conftest import call\nimport test_b\n"
        "from flexos_mcp.db.pool import _init_connection\nfrom flexos_mcp.server import http_app\n"
        "def test_x():\n    assert http_app._matches('a', ('a',))\n"
    )
    return tmp_path


def test_the_checks_catch_planted_offences(planted: Path):
    out_of_place = helper_imports_out_of_place(planted)
    assert len(out_of_place) == 3 and "loose_helper.py" in out_of_place[0]
    assert any("imports conftest" in f for f in out_of_place) and any("imports test_b" in f for f in out_of_place)
    assert private_names_used(planted) == [
        "test_a.py:3: flexos_mcp.db.pool._init_connection",
        "test_a.py:6: http_app._matches",
    ]
