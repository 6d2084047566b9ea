"""SQL building blocks shared by the domains. Column names always come from code, never from a
caller; values always travel as parameters."""

from __future__ import annotations

from typing import Any


def set_clause(changes: dict[str, Any], first_param: int) -> tuple[str, list[Any]]:
    """`col_a = $3, col_b = $4` for a partial update, and the values in order."""
    columns = list(changes)
    sql = ", ".join(f"{column} = ${first_param + i}" for i, column in enumerate(columns))
    return sql, [changes[c] for c in columns]


def insert_statement(table: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """`INSERT INTO t (a, b) VALUES ($1, $2) RETURNING *` and its values."""
    columns = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *"
    return sql, [values[c] for c in columns]
