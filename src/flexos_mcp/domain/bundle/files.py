"""Where a bundle's stored files come from and go to: the file store (issue 16 item 1, built
beside this work). Its contract: a stored file's `content_url` is `flexos://files/sha256/<hex>`,
and `flexos_mcp.store` reads by digest and puts bytes (returning the digest). Until that store is
merged, no server has stored files: exports carry none and an import that brings some is refused
with that reason, so nothing is silently lost."""

from __future__ import annotations

from ...config import Config
from .transfer import FileAccess


def store_access(config: Config) -> FileAccess | None:
    """The file store of this configuration, as the bundle code uses it (None: no store)."""
    return None
