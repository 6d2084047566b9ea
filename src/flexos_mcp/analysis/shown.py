"""Values quoted back in error messages, as the caller wrote them: JSON (`null`, `true`,
`"text"`), never Python's repr (`None`, `True`, `'text'`), and short."""

from __future__ import annotations

import json
from typing import Any

MAX_SHOWN = 60


def json_shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """`value` in JSON, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
