"""The inferred data model against the labelled corpus (tests/corpus/inference/): the figures
bench/inference.py prints must not fall below what the heuristics reached. Not a timed test.

The floors are the figures measured when they were set (README, "How good is the inferred data
model"), rounded down; raise them when the heuristics improve. Held-out pages were never used
for tuning, so their floor is what a new page can expect."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "inference"

FLOORS = {
    # "tuned" holds the first and second held-out sets too (tests/corpus/inference/README.md)
    "tuned": {"entity_precision": 0.99, "entity_recall": 0.85, "field_f1": 0.86, "relationships_found": 0.77},
    # the third held-out set, measured once after the heuristic work
    "held_out": {"entity_precision": 0.63, "entity_recall": 0.69, "field_f1": 0.58, "relationships_found": 0.0},
    "all": {"entity_precision": 0.92, "entity_recall": 0.82, "field_f1": 0.82, "relationships_found": 0.69},
}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_inference", ROOT / "bench" / "inference.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def result():
    return bench.evaluate(CORPUS)


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_figures_do_not_regress(result, part):
    figures = result[part].figures()
    below = {name: round(figures[name], 3) for name, floor in FLOORS[part].items() if figures[name] < floor}
    assert below == {}, f"{part}: below the floor {FLOORS[part]}"


def test_corpus_is_complete_and_licensed():
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["pages"]
    assert len(manifest) >= 45
    assert sum(1 for p in manifest if p["split"] == "held_out") >= 8
    assert {p["split"] for p in manifest} == {"tuned", "held_out"}
    assert len({p["id"] for p in manifest}) == len(manifest)
    for entry in manifest:
        assert (CORPUS / "pages" / f"{entry['id']}.html").is_file()
        assert (CORPUS / entry["licence_file"]).is_file()
        assert entry["licence"] and entry["package"] and entry["version"] and entry["file"]
        labels = json.loads((CORPUS / "labels" / f"{entry['id']}.json").read_text(encoding="utf-8"))
        assert labels["page"] == entry["id"] and labels["entities"]
        names = {e["name"] for e in labels["entities"]}
        for rel in labels["relationships"]:
            assert {rel["from"], rel["to"]} <= names


def test_name_normalisation():
    assert bench.normalise("ClientCompany") == bench.normalise("client-company") == "client_company"
    assert bench.normalise("Orders") == bench.normalise("order") == "order"
    assert bench.normalise("order_id") == "order"
    assert bench.normalise("LineItems") == "line_item"


def test_scoring_rules_on_a_small_page():
    labels = {
        "entities": [
            {
                "name": "Order",
                "fields": [
                    {"name": "total", "type": "number", "required": True},
                    {"name": "placed_at", "type": "datetime", "required": False},
                    {"name": "note", "type": "text", "required": False, "optional": True},
                ],
            },
            {
                "name": "OrderItem",
                "aliases": ["LineItem"],
                "fields": [{"name": "qty", "type": "integer", "required": False}],
            },
            {"name": "Invoice", "fields": [{"name": "number", "type": "string", "required": False}]},
        ],
        "optional_entities": ["Customer"],
        "relationships": [{"from": "OrderItem", "to": "Order", "type": "belongs_to"}],
    }
    inferred = [
        {
            "entity_name": "Order",
            "relationships": [{"type": "has_many", "target_entity": "LineItem"}],
            "fields": {
                "id": {"type": "uuid", "primary": True},
                "total": {"type": "integer", "required": True},
                "placed_at": {"type": "string"},
                "status": {"type": "enum"},
            },
        },
        {
            "entity_name": "LineItem",
            "relationships": [],
            "fields": {
                "id": {"type": "uuid", "primary": True},
                "qty": {"type": "integer"},
                "order_id": {"type": "reference", "target_entity": "Order"},
            },
        },
        {"entity_name": "Customer", "relationships": [], "fields": {"name": {"type": "string"}}},
        {"entity_name": "SortOption", "relationships": [], "fields": {"value": {"type": "string"}}},
    ]
    score = bench.score_page(inferred, labels)
    # entities: Order and LineItem (an alias) hit, Customer optional, SortOption extra, Invoice missed
    assert (score.entity_tp, score.entity_fp, score.entity_fn) == (2, 1, 1)
    # fields: total (number family) and qty hit; placed_at is text, not time: an extra and a miss;
    # status and SortOption.value extra; Invoice.number missed; the optional note and the FK do not count
    assert (score.field_tp, score.field_fp, score.field_fn) == (2, 3, 2)
    assert (score.type_exact, score.required_agree) == (1, 2)
    assert (score.relationships, score.relationships_found) == (1, 1)
    figures = score.figures()
    assert figures["entity_precision"] == pytest.approx(2 / 3)
    assert figures["field_f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
