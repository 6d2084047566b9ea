"""Renders kept in memory, so asking for the same picture twice costs nothing.

A render is a pure function of what the browser was given: the composed document and the frame
(viewport, scale, what part of the page). The key is a SHA-256 of exactly that, so two mockups
with the same content share one entry, a changed byte is a new entry, and no id or user is in the
key (the caller has already checked who may see the mockup). The least recently used entries go
first once the total size passes the bound.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


def render_key(*parts: object) -> str:
    """A digest of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ByteBoundedCache(Generic[V]):
    """An LRU map whose values declare their size; the sizes add up to at most `max_bytes`.
    A value larger than the whole bound is not kept."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: str, value: V, size: int) -> None:
        if key in self._entries:
            self.size -= self._entries.pop(key)[1]
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.size -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0
