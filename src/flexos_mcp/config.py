"""Settings: one table of every option (environment variable, default, help), read once at start.

The README's configuration table is checked against `SETTINGS` by a test, so an undocumented
setting cannot ship.
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .compute import ComputeLimits


@dataclass(frozen=True)
class SettingSpec:
    env: str
    default: str
    help: str


# A current model (the SDK warns that claude-sonnet-4-5 reaches end of life on 2026-11-30).
DEFAULT_MODEL = "claude-sonnet-5-5"

SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("DATABASE_URL", "(embedded)", "PostgreSQL 15+ URL. Unset: an embedded PostgreSQL in FLEXOS_DATA_DIR."),
    SettingSpec(
        "FLEXOS_DATA_DIR", "the user data dir", "Where the embedded database lives (e.g. ~/.local/share/flexos-mcp)."
    ),
    SettingSpec(
        "FLEXOS_USER_EMAIL",
        "<login>@localhost",
        "The acting user of a stdio server; created on first start (a read-only server only looks it up).",
    ),
    SettingSpec(
        "FLEXOS_TOOLSETS", "default", "Comma-separated toolsets to expose (same as --toolsets); `all` for every one."
    ),
    SettingSpec("FLEXOS_READ_ONLY", "false", "`true`: the server never writes (same as --read-only)."),
    SettingSpec(
        "FLEXOS_STATEMENT_TIMEOUT_MS", "15000", "Longest a single SQL statement may run before it is cancelled."
    ),
    SettingSpec(
        "FLEXOS_DB_TIMEOUT_S",
        "5",
        "Longest the server waits to connect to PostgreSQL, for a pooled connection, or for an HTTP token check; past it the call fails with 'database unavailable'.",
    ),
    SettingSpec(
        "FLEXOS_ALLOWED_HOSTS",
        "(from --public-url)",
        "HTTP: more `Host` values to accept, comma-separated (`name`, `name:port` or `name:*`), e.g. the name a load balancer's health checks use.",
    ),
    SettingSpec(
        "FLEXOS_ALLOWED_ORIGINS",
        "(from --public-url)",
        "HTTP: more browser `Origin` values to accept, comma-separated (`https://app.example.com`, or `http://name:*`).",
    ),
    SettingSpec(
        "FLEXOS_MAX_REQUESTS_PER_TOKEN",
        "8",
        "HTTP: requests one token may have in flight at once; more get 429 with Retry-After.",
    ),
    SettingSpec(
        "FLEXOS_COMPUTE_WORKERS",
        "min(4, CPUs)",
        "Worker processes for CPU-heavy work (inference, aggregation, export), off the event loop.",
    ),
    SettingSpec(
        "FLEXOS_COMPUTE_TIMEOUT_S",
        "60",
        "Longest one piece of CPU-heavy work may run before it is stopped with a clear error.",
    ),
    SettingSpec(
        "FLEXOS_COMPUTE_MEMORY_MB", "2048", "Memory bound of each compute worker; work that needs more fails cleanly."
    ),
    SettingSpec(
        "FLEXOS_CHROMIUM",
        "(found)",
        "Chromium or Chrome executable for rendering mockups; unset: Playwright's own, then a system chromium/google-chrome.",
    ),
    SettingSpec(
        "FLEXOS_RENDER_TIMEOUT_S",
        "10",
        "Longest a mockup may take to load when rendered; a page whose scripts never finish fails after it.",
    ),
    SettingSpec(
        "FLEXOS_RENDER_CACHE_MB",
        "64",
        "Memory for rendered mockups kept for reuse (the same mockup at the same size renders once).",
    ),
    SettingSpec(
        "FLEXOS_STORE_DIR",
        "<FLEXOS_DATA_DIR>/files",
        "Where the files and screenshots of context items are stored (content-addressed, each file once).",
    ),
    SettingSpec("FLEXOS_MAX_FILE_MB", "20", "Largest file, screenshot or fetched page a context item may hold, in MB."),
    SettingSpec(
        "FLEXOS_FILE_ROOTS",
        "(none)",
        "stdio: folders (separated by `:`) from which create_context_item may read a file the user names by path; unset: no path is read.",
    ),
    SettingSpec(
        "FLEXOS_ALLOW_FETCH",
        "false",
        "`true`: fetch_context_url may fetch web pages the user asks for (public addresses only, never this machine or a private network).",
    ),
    SettingSpec("FLEXOS_FETCH_TIMEOUT_S", "10", "Longest fetch_context_url may take for one page, redirects included."),
    SettingSpec("FLEXOS_LOG_LEVEL", "INFO", "Log level for stderr (DEBUG, INFO, WARNING, ERROR)."),
    SettingSpec(
        "ANTHROPIC_API_KEY", "(unset)", "Lets the wizard driver call Claude; without it wizards use MCP sampling."
    ),
    SettingSpec("FLEXOS_MODEL", DEFAULT_MODEL, "The Claude model the wizard driver uses."),
)

_COMPUTE_SETTINGS = {
    "FLEXOS_COMPUTE_WORKERS": "workers",
    "FLEXOS_COMPUTE_TIMEOUT_S": "timeout_s",
    "FLEXOS_COMPUTE_MEMORY_MB": "memory_mb",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class ConfigError(ValueError):
    """A setting has a value the server cannot use; the message says which and what is valid."""


def _default_email() -> str:
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "local"
    login = re.sub(r"[^A-Za-z0-9._-]", "", login) or "local"
    return f"{login}@localhost"


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false.")


def _parse_positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be a positive whole number.")
    return value


def _parse_positive_number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name}={raw!r} must be a positive number of seconds, e.g. 5 or 2.5.")
    return value


def _parse_list(name: str, raw: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in raw.split(","))
    if any(not item or any(c.isspace() for c in item) for item in items):
        raise ConfigError(f"{name}={raw!r} is malformed: give values separated by commas, without spaces inside one.")
    return items


def _parse_roots(raw: str) -> tuple[Path, ...]:
    """Folders separated by the path separator (`:`), each absolute (after `~`) and existing."""
    roots = []
    for part in raw.split(os.pathsep):
        if not part.strip():
            continue
        path = Path(part.strip()).expanduser()
        if not path.is_absolute():
            raise ConfigError(
                f"FLEXOS_FILE_ROOTS: {part!r} is not an absolute folder path; give full paths "
                f"separated by {os.pathsep!r}, e.g. ~/Pictures/inspiration{os.pathsep}/srv/shared."
            )
        if not path.is_dir():
            raise ConfigError(f"FLEXOS_FILE_ROOTS: {str(path)!r} is not an existing folder.")
        roots.append(path)
    return tuple(roots)


@dataclass(frozen=True)
class Config:
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("flexos-mcp")))
    user_email: str = field(default_factory=_default_email)
    toolsets: tuple[str, ...] = ("default",)
    read_only: bool = False
    dynamic_toolsets: bool = False
    statement_timeout_ms: int = 15000
    db_timeout_s: float = 5.0
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_requests_per_token: int = 8
    log_level: str = "INFO"
    compute: ComputeLimits = field(default_factory=ComputeLimits)
    anthropic_api_key: str | None = None
    model: str = DEFAULT_MODEL
    chromium: str | None = None
    render_cache_mb: int = 64
    render_timeout_s: int = 10
    store_dir: Path | None = None  # None: data_dir / "files"
    max_file_mb: int = 20
    file_roots: tuple[Path, ...] = ()
    allow_fetch: bool = False
    fetch_timeout_s: float = 10.0

    @property
    def files_dir(self) -> Path:
        """Where context items' files are stored."""
        return self.store_dir if self.store_dir is not None else self.data_dir / "files"

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        """Read every setting from the environment (or the mapping given), validating each."""
        env = dict(os.environ if env is None else env)
        kwargs: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            kwargs["database_url"] = env["DATABASE_URL"]
        if env.get("FLEXOS_DATA_DIR"):
            kwargs["data_dir"] = Path(env["FLEXOS_DATA_DIR"]).expanduser()
        if env.get("FLEXOS_USER_EMAIL"):
            kwargs["user_email"] = parse_email(env["FLEXOS_USER_EMAIL"], "FLEXOS_USER_EMAIL")
        if env.get("FLEXOS_TOOLSETS"):
            kwargs["toolsets"] = parse_toolsets(env["FLEXOS_TOOLSETS"])
        if "FLEXOS_READ_ONLY" in env:
            kwargs["read_only"] = _parse_bool("FLEXOS_READ_ONLY", env["FLEXOS_READ_ONLY"])
        if env.get("FLEXOS_STATEMENT_TIMEOUT_MS"):
            kwargs["statement_timeout_ms"] = _parse_positive_int(
                "FLEXOS_STATEMENT_TIMEOUT_MS", env["FLEXOS_STATEMENT_TIMEOUT_MS"]
            )
        if env.get("FLEXOS_DB_TIMEOUT_S"):
            kwargs["db_timeout_s"] = _parse_positive_number("FLEXOS_DB_TIMEOUT_S", env["FLEXOS_DB_TIMEOUT_S"])
        for name, key in (("FLEXOS_ALLOWED_HOSTS", "allowed_hosts"), ("FLEXOS_ALLOWED_ORIGINS", "allowed_origins")):
            if env.get(name):
                kwargs[key] = _parse_list(name, env[name])
        if env.get("FLEXOS_MAX_REQUESTS_PER_TOKEN"):
            kwargs["max_requests_per_token"] = _parse_positive_int(
                "FLEXOS_MAX_REQUESTS_PER_TOKEN", env["FLEXOS_MAX_REQUESTS_PER_TOKEN"]
            )
        compute = {
            key: _parse_positive_int(name, env[name]) for name, key in _COMPUTE_SETTINGS.items() if env.get(name)
        }
        if compute:
            kwargs["compute"] = dataclasses.replace(ComputeLimits(), **compute)
        if env.get("FLEXOS_LOG_LEVEL"):
            level = env["FLEXOS_LOG_LEVEL"].strip().upper()
            if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
                raise ConfigError(f"FLEXOS_LOG_LEVEL={level!r}; use DEBUG, INFO, WARNING or ERROR.")
            kwargs["log_level"] = level
        if env.get("FLEXOS_CHROMIUM"):
            kwargs["chromium"] = env["FLEXOS_CHROMIUM"].strip()
        if env.get("FLEXOS_RENDER_CACHE_MB"):
            kwargs["render_cache_mb"] = _parse_positive_int("FLEXOS_RENDER_CACHE_MB", env["FLEXOS_RENDER_CACHE_MB"])
        if env.get("FLEXOS_RENDER_TIMEOUT_S"):
            kwargs["render_timeout_s"] = _parse_positive_int("FLEXOS_RENDER_TIMEOUT_S", env["FLEXOS_RENDER_TIMEOUT_S"])
        if env.get("FLEXOS_STORE_DIR"):
            kwargs["store_dir"] = Path(env["FLEXOS_STORE_DIR"]).expanduser()
        if env.get("FLEXOS_MAX_FILE_MB"):
            kwargs["max_file_mb"] = _parse_positive_int("FLEXOS_MAX_FILE_MB", env["FLEXOS_MAX_FILE_MB"])
        if env.get("FLEXOS_FILE_ROOTS"):
            kwargs["file_roots"] = _parse_roots(env["FLEXOS_FILE_ROOTS"])
        if "FLEXOS_ALLOW_FETCH" in env:
            kwargs["allow_fetch"] = _parse_bool("FLEXOS_ALLOW_FETCH", env["FLEXOS_ALLOW_FETCH"])
        if env.get("FLEXOS_FETCH_TIMEOUT_S"):
            kwargs["fetch_timeout_s"] = _parse_positive_number("FLEXOS_FETCH_TIMEOUT_S", env["FLEXOS_FETCH_TIMEOUT_S"])
        if env.get("ANTHROPIC_API_KEY"):
            kwargs["anthropic_api_key"] = env["ANTHROPIC_API_KEY"]
        if env.get("FLEXOS_MODEL"):
            kwargs["model"] = env["FLEXOS_MODEL"]
        return cls(**kwargs)  # type: ignore[arg-type]  # kwargs holds Config fields, each parsed to its type above


def parse_email(raw: str, name: str) -> str:
    """An email address as users are stored (trimmed, lower case); `name` says where it came from."""
    email = raw.strip()
    if not _EMAIL.match(email):
        raise ConfigError(f"{name}={email!r} is not an email address (name@domain).")
    return email.lower()


def parse_toolsets(raw: str) -> tuple[str, ...]:
    """Split a comma-separated toolset list; names are checked against the registry at start."""
    names = tuple(part.strip().lower() for part in raw.split(","))
    if not names or any(not name for name in names):
        raise ConfigError(f"toolsets {raw!r} is malformed: give names separated by commas, e.g. pages,flows.")
    return names
