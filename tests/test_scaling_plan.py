"""docs/scaling.md stays true: its list of what blocks distributing the schema by `project_id`
(Citus rules) is recomputed here from the catalog of a migrated database. A migration that adds
or removes a blocker makes this test fail with the list to paste into the document.

Citus rules applied, for the plan in docs/scaling.md:
- distributed tables are every table with a `project_id` column, plus `projects` (by `id`);
  `users` and `api_tokens` are reference tables (copied to every node); `flexos_schema_migrations`
  stays on the coordinator;
- a primary key or unique constraint (or unique index) of a distributed table must include its
  distribution column;
- a foreign key from a distributed table to another distributed table must include both
  distribution columns, paired (so the rows it links live on the same node);
- a reference table may not reference a distributed table;
- a table planned as distributed needs its distribution column.
"""

from __future__ import annotations

import re

from helpers import ROOT

SCALING = ROOT / "docs" / "scaling.md"
REFERENCE_TABLES = {"users", "api_tokens"}
COORDINATOR_TABLES = {"flexos_schema_migrations"}
START, END = "<!-- blockers:start -->", "<!-- blockers:end -->"


def _distribution_column(table: str) -> str:
    return "id" if table == "projects" else "project_id"


async def _blockers(db) -> list[str]:
    tables = {
        r["relname"]: set(r["columns"])
        for r in await db.fetch(
            """SELECT c.relname, array_agg(a.attname::text) AS columns
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') GROUP BY c.relname"""
        )
    }
    distributed = set(tables) - REFERENCE_TABLES - COORDINATOR_TABLES
    found = [
        f"table {t}: no {_distribution_column(t)} column to distribute by"
        for t in sorted(distributed)
        if _distribution_column(t) not in tables[t]
    ]

    keys = await db.fetch(
        """SELECT con.conrelid::regclass::text AS tbl, con.conname AS name, con.contype::text AS kind,
                  ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos) AS cols,
                  con.confrelid::regclass::text AS ref,
                  ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos) AS refcols
           FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
           WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')
           UNION ALL
           SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, 'i',
                  ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.pos),
                  NULL, NULL
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND i.indisunique
             AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)"""
    )
    kinds = {"p": "primary key", "u": "unique", "i": "unique index"}
    for key in keys:
        table, name, cols = key["tbl"], key["name"], list(key["cols"])
        shown = f"{table}.{name} ({', '.join(cols)})"
        if key["kind"] in kinds:
            if table in distributed and _distribution_column(table) not in cols:
                found.append(f"{kinds[key['kind']]} {shown}: lacks {_distribution_column(table)}")
            continue
        ref, refcols = key["ref"], list(key["refcols"])
        target = f"{ref} ({', '.join(refcols)})"
        if table in REFERENCE_TABLES | COORDINATOR_TABLES:
            if ref in distributed:
                found.append(f"foreign key {shown} -> {target}: a reference table cannot point into a distributed one")
        elif ref in distributed:
            pairs = set(zip(cols, refcols, strict=True))
            if (_distribution_column(table), _distribution_column(ref)) not in pairs:
                found.append(
                    f"foreign key {shown} -> {target}: does not pair "
                    f"{_distribution_column(table)} with {ref}.{_distribution_column(ref)}"
                )
        elif ref in COORDINATOR_TABLES:
            found.append(f"foreign key {shown} -> {target}: points at a coordinator-only table")
    return sorted(found)


def _documented() -> list[str]:
    text = SCALING.read_text()
    block = text[text.index(START) + len(START) : text.index(END)]
    return sorted(re.sub(r"^- ", "", line.strip()).strip("`") for line in block.splitlines() if line.strip())


async def test_scaling_doc_lists_exactly_what_blocks_distribution_today(db):
    found = await _blockers(db)
    expected_block = "\n".join(f"- `{b}`" for b in found)
    assert _documented() == found, (
        "docs/scaling.md is out of date with the schema; replace the block between the markers with:\n" + expected_block
    )
