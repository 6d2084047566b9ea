"""Finding a Chromium to drive. Playwright cannot download its own browsers on every machine, so
FlexOS uses whichever is there: `FLEXOS_CHROMIUM`, then Playwright's own download, then a system
`chromium` or Google Chrome. No browser is not an error at start: the rendering tools say how to
install one when they are called."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

INSTALL_HINT = (
    "No Chromium browser was found, so mockups cannot be rendered. Install one (Debian/Ubuntu: "
    "`sudo apt-get install chromium`; macOS: install Google Chrome) or set FLEXOS_CHROMIUM to a "
    "Chromium or Chrome executable, then restart the server."
)


def _playwright_chromium() -> str | None:
    """The Chromium Playwright downloaded with `playwright install chromium`, if any."""
    if importlib.util.find_spec("playwright") is None:
        return None
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for candidate in sorted(root.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    for candidate in sorted(root.glob("chromium-*/chrome-mac*/*.app/Contents/MacOS/*"), reverse=True):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_chromium(env: dict[str, str] | None = None) -> str | None:
    """The executable to launch, or None when the machine has no Chromium.

    A FLEXOS_CHROMIUM that does not point at an executable is reported rather than skipped:
    a setting that silently does nothing is worse than a clear error."""
    env = dict(os.environ if env is None else env)
    configured = env.get("FLEXOS_CHROMIUM", "").strip()
    if configured:
        path = shutil.which(configured) or configured
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise FileNotFoundError(
                f"FLEXOS_CHROMIUM={configured!r} is not an executable file; point it at a "
                f"Chromium or Chrome binary, or unset it to use the one found on the machine."
            )
        return path
    found = _playwright_chromium()
    if found:
        return found
    for name in SYSTEM_BROWSERS:
        on_path = shutil.which(name)
        if on_path:
            return on_path
    return None
