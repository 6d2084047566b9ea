"""Which tables hold a project, read from the database catalog, so a table added later cannot be
forgotten by the export: every table with a `project_id` column (and `projects` itself) goes into
a bundle unless EXCLUDED_TABLES names it with the reason (a cache); every other table must be
named there too (tests/test_bundle.py fails on a table that is neither).

The catalog also gives the order rows can be inserted in (parents before children, by foreign
key) and the columns a restore must treat specially:
- self references (`pages.parent_id`, `mockups.parent_mockup_id`) are inserted empty and put back
  at the end, so rows need no order among themselves;
- columns that point at users (`projects.user_id`, `wizard_runs.user_id`) always name the
  importing user: ids in a bundle are never trusted for ownership;
- columns that triggers maintain (TRIGGER_MAINTAINED) are inserted as the trigger expects and
  restored at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import FlexError

# Tables that stay out of a bundle, with the reason: outside any project, or a project's cache.
EXCLUDED_TABLES: dict[str, str] = {
    "users": "people, not project data: the importing user owns what a bundle brings",
    "api_tokens": "credentials of a user, never exported",
    "flexos_schema_migrations": "the database's own schema history",
    "entity_page_findings": "a cache of what entity inference read off each page (0060): deleting it loses "
    "nothing but time, and the imported project fills it again on its first infer_entities",
}

# Columns a trigger writes during an insert, so a row cannot be inserted with its exported value:
# the placeholder goes in, the exported value is put back by one UPDATE after every row is in.
#   pages.last_mockup_version: the counter of issued mockup versions (0010); a page inserted
#     with its final counter would refuse its own mockups' version numbers. (Under
#     flexos.restoring the mockup trigger leaves it alone; the import sets and checks it.)
#   ai_thinking_chain.leads_to: the mirror of depends_on, rebuilt by trigger in insertion order
#     (0005); restored to the exported order.
TRIGGER_MAINTAINED: dict[str, dict[str, str]] = {
    "pages": {"last_mockup_version": "0"},
    "ai_thinking_chain": {"leads_to": "'{}'::uuid[]"},
}

# Within a table, rows go in this order (default: id). Mockup versions must be numbered upwards
# (0010 refuses a number at or below the page's counter).
ROW_ORDER: dict[str, str] = {"mockups": "page_id, version, id"}

PROJECTS = "projects"


class CatalogError(FlexError):
    """The schema has a shape the bundle code does not know: a developer's error, said plainly."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]  # written columns, `id` first (generated columns are left out)
    types: dict[str, str]  # column -> SQL type, as format_type() writes it
    user_columns: frozenset[str]  # point at users: always the importing user
    deferred: dict[str, str] = field(default_factory=dict)  # column -> placeholder SQL at insert
    references: tuple[tuple[str, str], ...] = ()  # (column, project table) single-column foreign keys
    uuid_arrays: tuple[str, ...] = ()  # uuid[] columns: ids that must stay inside the project

    @property
    def project_column(self) -> str:
        return "id" if self.name == PROJECTS else "project_id"

    @property
    def row_order(self) -> str:
        return ROW_ORDER.get(self.name, "id")


_COLUMNS = """
SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attgenerated <> '' AS generated, a.attnum
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY c.relname, a.attnum"""

_FOREIGN_KEYS = """
SELECT child.relname AS child, parent.relname AS parent, k.condeferrable AS deferrable,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS columns,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = k.conrelid AND a.attnotnull AND a.attnum = ANY(k.conkey)) AS not_null
  FROM pg_constraint k
  JOIN pg_class child ON child.oid = k.conrelid
  JOIN pg_class parent ON parent.oid = k.confrelid
 WHERE k.contype = 'f' AND child.relnamespace = current_schema()::regnamespace
 ORDER BY child.relname, k.conname"""


async def all_tables(conn: Any) -> set[str]:
    rows = await conn.fetch(_COLUMNS)
    return {r["table_name"] for r in rows}


async def project_tables(conn: Any) -> list[Table]:
    """The tables of a project in an order rows can be inserted in (parents first)."""
    columns: dict[str, list[Any]] = {}
    for r in await conn.fetch(_COLUMNS):
        columns.setdefault(r["table_name"], []).append(r)
    names = {
        t
        for t, cols in columns.items()
        if t not in EXCLUDED_TABLES and (t == PROJECTS or any(c["column_name"] == "project_id" for c in cols))
    }
    keys = [r for r in await conn.fetch(_FOREIGN_KEYS) if r["child"] in names]
    tables: dict[str, Table] = {}
    for name in names:
        written = [c for c in columns[name] if not c["generated"]]
        if not any(c["column_name"] == "id" and c["type"] == "uuid" for c in written):
            raise CatalogError(f"table {name} has a project_id but no uuid id column; a bundle cannot carry it")
        ordered = ["id", *(c["column_name"] for c in written if c["column_name"] != "id")]
        own = [k for k in keys if k["child"] == name]
        deferred = dict(TRIGGER_MAINTAINED.get(name, {}))
        for k in own:
            if k["parent"] == name and not k["deferrable"]:  # a self reference: insert empty, restore after
                deferred.update({c: "NULL" for c in k["columns"] if c not in k["not_null"]})
        tables[name] = Table(
            name=name,
            columns=tuple(ordered),
            types={c["column_name"]: c["type"] for c in written},
            user_columns=frozenset(k["columns"][0] for k in own if k["parent"] == "users" and len(k["columns"]) == 1),
            deferred=deferred,
            references=tuple(
                (k["columns"][0], k["parent"])
                for k in own
                if len(k["columns"]) == 1 and k["parent"] in names and k["parent"] != PROJECTS
            ),
            uuid_arrays=tuple(c["column_name"] for c in written if c["type"] == "uuid[]"),
        )
    return _insert_order(tables, keys)


def _insert_order(tables: dict[str, Table], keys: list[Any]) -> list[Table]:
    """Topological order over the non-deferrable foreign keys between project tables (a
    deferrable one, `pages.current_mockup_id`, is checked at commit), ties by name."""
    needs = {
        name: {
            k["parent"]
            for k in keys
            if k["child"] == name and k["parent"] in tables and k["parent"] != name and not k["deferrable"]
        }
        for name in tables
    }
    ordered: list[Table] = []
    while needs:
        ready = sorted(n for n, deps in needs.items() if not deps)
        if not ready:
            raise CatalogError(f"foreign keys between {sorted(needs)} form a circle that is not deferrable")
        for name in ready:
            ordered.append(tables[name])
            del needs[name]
        for deps in needs.values():
            deps.difference_update(ready)
    return ordered
