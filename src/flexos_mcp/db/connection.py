"""What a domain helper takes as its `conn`, typed by what it does with it.

`ReadConnection` is anything that runs one statement and returns rows: the gateway's Database
(single-statement reads on a pooled connection) and the connection of a transaction or snapshot
alike. `WriteConnection` is only the connection `Database.transaction()` yields: a helper that
writes says so in its signature, and the gateway refuses writes through its read methods.
"""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg


class ReadConnection(Protocol):
    async def fetch(self, sql: str, /, *args: Any) -> list[asyncpg.Record]: ...

    async def fetchrow(self, sql: str, /, *args: Any) -> asyncpg.Record | None: ...

    async def fetchval(self, sql: str, /, *args: Any) -> Any: ...


class WriteConnection(ReadConnection, Protocol):
    async def execute(self, sql: str, /, *args: Any) -> str: ...
