"""Where the files that ship with the package live: `schema.sql`, `prompts/`, wizard definitions.

Installed from a wheel they are package data under `flexos_mcp/data/`; in a source checkout they
sit at the repository's top level. Every reader goes through `data_path` so both work.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent


def data_path(name: str) -> Path:
    """Path of a shipped file or folder (`"schema.sql"`, `"prompts"`), installed or in a checkout."""
    for candidate in (_PACKAGE_DIR / "data" / name, _CHECKOUT_ROOT / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"{name} is missing from the flexos-mcp installation (looked in {_PACKAGE_DIR / 'data'} "
        f"and {_CHECKOUT_ROOT}); reinstall the package."
    )
