"""Small text rules shared by several domains."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, fallback: str, max_length: int = 60) -> str:
    """'Lesson Library — v2!' -> 'lesson-library-v2'. Accents are folded, never lost to '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    return slug or fallback


def next_free_slug(base: str, taken: set[str]) -> str:
    """base, base-2, base-3, ... the first one not taken."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
