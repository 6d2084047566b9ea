"""Entity inference in pieces a compute worker runs: a batch of pages, a plan, the assembly.

The server's event loop only moves text between PostgreSQL and the workers: seeds and findings
travel as JSON text (the cache table stores them as JSONB), so neither decoding nor encoding them
runs on the loop. Everything here is pure: JSON text in, JSON text or plain data out.
"""

from __future__ import annotations

import json
from typing import Any

from .entities import assemble_entities, merge_inferred, page_seeds, pages_to_read, read_page


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def seed_pages(pages: list[dict[str, Any]]) -> list[str]:
    """page_seeds of each page, as JSON text."""
    return [_text(page_seeds(page)) for page in pages]


def read_pages(pages: list[dict[str, Any]], known: list[list[list[str]]]) -> list[str]:
    """read_page of each page with its known slices, as JSON text."""
    return [_text(read_page(page, slices)) for page, slices in zip(pages, known, strict=True)]


def plan_reads(
    seeds: list[str], findings: list[str | None], features: list[dict[str, Any]]
) -> dict[int, list[list[str]]]:
    """pages_to_read over the JSON texts of every page's seeds and findings (None: not read)."""
    return pages_to_read([json.loads(s) for s in seeds], [json.loads(f) if f else None for f in findings], features)


UPSERT_KEYS = (
    "entity_name",
    "plural_name",
    "description",
    "fields",
    "relationships",
    "crud_locations",
    "confidence_score",
)


def assemble_and_merge(findings: list[str], features: list[dict[str, Any]], existing: list[str]) -> dict[str, Any]:
    """The project's entities from every page's findings, folded into the stored entity rows
    (JSON text each) by merge_inferred: {"upserts": JSON text of the rows to write (UPSERT_KEYS),
    "upserted": [their names], "unchanged": [names], "protected": [names]}."""
    inferred = assemble_entities([json.loads(f) for f in findings], features)
    merged = merge_inferred([json.loads(row) for row in existing], inferred)
    return {
        "upserts": _text([{k: row.get(k) for k in UPSERT_KEYS} for row in merged["upserts"]]),
        "upserted": [row["entity_name"] for row in merged["upserts"]],
        "unchanged": merged["unchanged"],
        "protected": merged["protected"],
    }
