"""The layering, as a test (no database needed).

Data flows one way: the MCP wiring and the tools call the domain, the domain calls the database
gateway and pure analysis, and nothing below reaches up. The allowed imports between layers are
written once, in LAYERS; every module of the package is checked against it, imports inside
functions included. SQL text lives only where the database is spoken to (domain/, db/ and the
wizard's recording store). Import circles between modules are not allowed either.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "flexos_mcp"

# Modules every layer may use: errors, settings, the compute pool, packaged data and the
# wizard/prompt definitions (data loaders, no I/O beyond reading package files).
BASE = {"errors", "config", "compute", "package_data", "wizard_definitions", "prompt_files", "untrusted"}

# layer -> the layers it may import (itself always allowed). A layer is a top-level module or
# package of flexos_mcp; `cli*` modules and `__main__` are the entry points and may import all.
LAYERS: dict[str, set[str]] = {
    "analysis": set(),  # pure functions, no I/O
    "errors": set(),
    "untrusted": set(),  # the <user-content> boundary: one rule for all
    "package_data": set(),
    "wizard_definitions": {"package_data"},
    "prompt_files": {"package_data", "errors", "wizard_definitions", "untrusted"},
    "compute": {"errors"},
    "config": {"compute", "errors"},
    "db": BASE,  # pool, gateway, migrations
    "store": BASE,  # stored files (bytes, no SQL)
    "domain": BASE | {"db", "store", "analysis"},  # rules + SQL
    "rendering": BASE | {"analysis"},  # the browser, no SQL
    "demo": BASE | {"domain", "analysis"},
    "wizard": BASE | {"domain", "db", "analysis"},  # the LLM driver and its store
    "server": BASE | {"domain", "db", "analysis", "rendering", "store"},  # MCP wiring only
    "tools": BASE | {"server", "domain", "analysis", "rendering", "wizard", "store"},
    "preview": BASE | {"server", "domain", "db", "analysis", "rendering", "store"},
}
ENTRY_POINTS = ("cli", "__main__")

# The registry finds the tool modules by walking the `tools` package (plugin discovery); that one
# upward reference is how tools register themselves, not a dependency of the wiring on a tool.
ALLOWED_EXCEPTIONS = {("server.registry", "tools")}

SQL_LAYERS = {"domain", "db"}
SQL_MODULES = {"wizard.store"}
# Statements sent to our database. DDL that a tool *produces* as its output (the inferred data
# model exported as CREATE TABLE) is text for the user, not a query, and may live anywhere.
SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|WITH\s+RECURSIVE\b)")

# Violations that existed when this test was written (issue 15) were removed by moving the code
# where it belongs. A new one fails the test; if one must stay for a while, list it here with why,
# and the test fails again when it is fixed but still listed, so these lists only shrink.
KNOWN_IMPORT_VIOLATIONS: set[tuple[str, str]] = set()
KNOWN_SQL_VIOLATIONS: set[str] = set()
KNOWN_CYCLES: set[frozenset[str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # importing module, dotted below flexos_mcp ("tools.projects")
    target: str  # imported module or package, dotted below flexos_mcp ("db.migrate")
    line: int


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    top = module.split(".")[0]
    return "cli" if top.startswith("cli") else top


def imports_of(source: str, module: str, is_package: bool) -> Iterator[Import]:
    """Every import of our own package in `source`, at any depth (functions included)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                stem = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "flexos_mcp":
                stem = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                # `from ..domain import pages` imports the module domain.pages; `from .x import y`
                # of a function imports module x. Both resolve to the longest real module path.
                yield Import(module, ".".join([*stem, alias.name]) if stem else alias.name, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "flexos_mcp":
                    yield Import(module, ".".join(alias.name.split(".")[1:]), node.lineno)


def known_modules(root: Path = PACKAGE) -> set[str]:
    return {module_name(p, root) for p in root.rglob("*.py")}


def resolve(target: str, modules: set[str]) -> str:
    """The longest prefix of `target` that is a module of ours (drops imported names)."""
    parts = target.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)  # "" is the package itself (`from .. import __version__`)


def forbidden_imports(root: Path = PACKAGE) -> set[tuple[str, str]]:
    modules = known_modules(root)
    found: set[tuple[str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        source_layer = layer_of(module)
        if source_layer in ENTRY_POINTS or not module:  # entry points, and the package's own __init__
            continue
        allowed = LAYERS.get(source_layer)
        if allowed is None:
            found.add((module, f"<layer {source_layer!r} is not in LAYERS: add it>"))
            continue
        for imp in imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            target = resolve(imp.target, modules)
            target_layer = layer_of(target)
            if target_layer in (source_layer, "") or target_layer in allowed:
                continue
            if (module, target) in ALLOWED_EXCEPTIONS or (module, target_layer) in ALLOWED_EXCEPTIONS:
                continue
            found.add((module, target))
    return found


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def sql_outside_its_layers(root: Path = PACKAGE) -> set[str]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        if layer_of(module) in SQL_LAYERS or module in SQL_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and SQL.search(node.value)
            ):
                found.add(module)
                break
    return found


def import_cycles(root: Path = PACKAGE) -> set[frozenset[str]]:
    """Strongly connected groups of modules (Tarjan), each a circle of imports."""
    modules = known_modules(root)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in root.rglob("*.py"):
        module = module_name(path, root)
        for imp in imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            target = resolve(imp.target, modules)
            if target != module and target in graph and target not in module.split(".")[:1]:
                graph[module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            # a package's __init__ importing its own modules is not a circle of the code
            real = {m for m in group if not any(o != m and o.startswith(m + ".") for o in group)}
            if len(real) > 1:
                cycles.add(frozenset(real))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_every_import_respects_the_layers():
    found = forbidden_imports()
    new = found - KNOWN_IMPORT_VIOLATIONS
    fixed = KNOWN_IMPORT_VIOLATIONS - found
    assert not new, "imports that cross the layers (see LAYERS in this file):\n" + "\n".join(
        f"  {m} imports {t}" for m, t in sorted(new)
    )
    assert not fixed, f"fixed, so remove from KNOWN_IMPORT_VIOLATIONS: {sorted(fixed)}"


def test_sql_lives_only_in_the_domain_and_the_database_layer():
    found = sql_outside_its_layers()
    new = found - KNOWN_SQL_VIOLATIONS
    fixed = KNOWN_SQL_VIOLATIONS - found
    assert not new, f"SQL text outside domain/ and db/: {sorted(new)}; move the query into the domain"
    assert not fixed, f"fixed, so remove from KNOWN_SQL_VIOLATIONS: {sorted(fixed)}"


def test_no_import_circles():
    found = import_cycles()
    new = found - KNOWN_CYCLES
    fixed = KNOWN_CYCLES - found
    assert not new, "import circles: " + "; ".join(" <-> ".join(sorted(c)) for c in new)
    assert not fixed, f"fixed, so remove from KNOWN_CYCLES: {[sorted(c) for c in fixed]}"


# --- the checks themselves can fail ----------------------------------------------------------------


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    root = tmp_path / "flexos_mcp"
    for folder in ("analysis", "domain", "server", "db"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "errors.py").write_text("class FlexError(Exception): ...\n")
    (root / "db" / "gateway.py").write_text("QUERY = 'SELECT id FROM projects'\n")
    (root / "domain" / "pages.py").write_text(
        "from ..db import gateway\nfrom ..errors import FlexError\ndef f():\n    from . import mockups\n"
    )
    (root / "domain" / "mockups.py").write_text("from .pages import f\n")
    (root / "analysis" / "pure.py").write_text(
        '"""Docs may say SELECT * FROM x."""\n'
        "def g():\n    from ..domain import pages  # reaching up, inside a function\n"
    )
    (root / "server" / "prompts.py").write_text("Q = '''SELECT name FROM pages WHERE id = $1'''\n")
    return root


def test_a_planted_forbidden_import_is_caught(planted: Path):
    assert forbidden_imports(planted) == {("analysis.pure", "domain.pages")}


def test_planted_stray_sql_is_caught_but_not_in_docstrings(planted: Path):
    assert sql_outside_its_layers(planted) == {"server.prompts"}


def test_a_planted_circle_is_caught(planted: Path):
    assert import_cycles(planted) == {frozenset({"domain.pages", "domain.mockups"})}


def test_the_readme_names_every_top_level_module_and_package():
    """README's "How it is built" is the newcomer's map: a module or package added at the top level
    of the package must be named there (a wizard definition file or __init__ need not)."""
    readme = (PACKAGE.parent.parent / "README.md").read_text()
    section = readme[readme.index("## How it is built") : readme.index("### Notes for the MCP SDK")]
    names = sorted(
        p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and p.name != "__pycache__")
    )
    unnamed = [name for name in names if name.removesuffix(".py") not in section]
    assert not unnamed, f"name these in README's 'How it is built': {unnamed}"
