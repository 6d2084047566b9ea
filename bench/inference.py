"""Benchmark: how good is the data model inferred from screens, against pages others wrote and we labelled?

Runs `flexos_mcp.analysis.entities.infer_entities` (the function the `infer_entities` tool calls,
without a database: one page per run, no features) over every page of
`tests/corpus/inference/` and compares its entities, fields and relationships with the labels.
Prints per page and overall, for the `tuned` pages and the `held_out` pages (never used while
tuning the heuristics) separately: entity precision and recall, field precision, recall and F1,
the share of labelled relationships found, and, among matched fields, how often the exact type and
the `required` flag agree. Targets (issue 18): entity precision >= 0.9, entity recall >= 0.8,
field F1 >= 0.8.

Matching rules
- Names are normalised before comparing: snake_case (so `ClientCompany`, `client-company` and
  `client_company` are one name), every word singular (`Orders` = `Order`, `items` = `item`), and
  a trailing `_id` dropped (`order_id` = `order`). A labelled entity or field matches under its
  name or any of its `aliases`.
- Entities: each inferred entity is matched to at most one labelled entity and the other way round.
  An inferred entity that matches a label's `optional_entities` counts neither way; any other
  unmatched inferred entity is a false positive, any unmatched labelled entity a miss.
- Fields are scored over the whole page: the fields of a matched entity pair are compared; every
  field of a false-positive entity is a false positive and every field of a missed entity a miss.
  `id` and foreign keys (inferred `reference` fields) are not fields here: links are scored as
  relationships. Labelled fields marked `optional` count neither way when found or missed.
- A field matches when its normalised name matches and its type is in the same family:
  text (string, text, email, url, enum, image; all stored as text), number (integer, number),
  time (date, datetime), boolean, reference (reference, uuid). The exact-type and `required`
  agreement are reported among matched fields, not used for matching.
- A labelled relationship is found when the inferred model has any relationship between the two
  matched entities, in either direction.
- Overall figures are micro-averages (counts summed over pages), so a page with many fields
  weighs more than a login form.

Run: python bench/inference.py [--corpus tests/corpus/inference] [--tuned-only] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from flexos_mcp.analysis.entities import infer_entities
from flexos_mcp.analysis.inflection import singularize, snake_case

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "inference"
TARGETS = {"entity_precision": 0.9, "entity_recall": 0.8, "field_f1": 0.8}
_TYPE_FAMILIES = {
    "string": "text",
    "text": "text",
    "email": "text",
    "url": "text",
    "enum": "text",
    "image": "text",
    "integer": "number",
    "number": "number",
    "date": "time",
    "datetime": "time",
    "boolean": "boolean",
    "reference": "reference",
    "uuid": "reference",
}


def normalise(name: str) -> str:
    """snake_case, every word singular, a trailing `_id` dropped."""
    words = [w for w in snake_case(name).split("_") if w]
    if len(words) > 1 and words[-1] == "id":
        words = words[:-1]
    return "_".join(singularize(w) for w in words)


def family(field_type: str) -> str:
    return _TYPE_FAMILIES.get(field_type, field_type)


def _names(label: dict) -> set[str]:
    return {normalise(n) for n in [label["name"], *label.get("aliases", [])]}


@dataclass
class Score:
    """Counts for one page or a sum of pages."""

    entity_tp: int = 0
    entity_fp: int = 0
    entity_fn: int = 0
    field_tp: int = 0
    field_fp: int = 0
    field_fn: int = 0
    type_exact: int = 0
    required_agree: int = 0
    relationships: int = 0
    relationships_found: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "entity_tp",
            "entity_fp",
            "entity_fn",
            "field_tp",
            "field_fp",
            "field_fn",
            "type_exact",
            "required_agree",
            "relationships",
            "relationships_found",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    def figures(self) -> dict[str, float]:
        ep = self._ratio(self.entity_tp, self.entity_tp + self.entity_fp)
        er = self._ratio(self.entity_tp, self.entity_tp + self.entity_fn)
        fp = self._ratio(self.field_tp, self.field_tp + self.field_fp)
        fr = self._ratio(self.field_tp, self.field_tp + self.field_fn)
        f1 = 2 * fp * fr / (fp + fr) if fp + fr else 0.0
        return {
            "entity_precision": ep,
            "entity_recall": er,
            "field_precision": fp,
            "field_recall": fr,
            "field_f1": f1,
            "relationships_found": self._ratio(self.relationships_found, self.relationships),
            "type_exact": self._ratio(self.type_exact, self.field_tp),
            "required_agree": self._ratio(self.required_agree, self.field_tp),
        }


def _inferred_fields(entity: dict) -> dict[str, dict]:
    return {
        name: spec
        for name, spec in entity["fields"].items()
        if not spec.get("primary") and spec.get("type") != "reference"
    }


def _match_fields(inferred: dict[str, dict], labelled: list[dict], score: Score, where: str) -> None:
    unmatched = dict(inferred)
    for label in labelled:
        names = _names(label)
        hit = next(
            (
                n
                for n, spec in unmatched.items()
                if normalise(n) in names and family(spec["type"]) == family(label["type"])
            ),
            None,
        )
        if hit is None:
            if not label.get("optional"):
                score.field_fn += 1
                score.notes.append(f"missed field {where}.{label['name']} ({label['type']})")
            continue
        spec = unmatched.pop(hit)
        if label.get("optional"):
            continue
        score.field_tp += 1
        score.type_exact += spec["type"] == label["type"]
        score.required_agree += bool(spec.get("required")) == bool(label.get("required"))
    for name, spec in unmatched.items():
        score.field_fp += 1
        score.notes.append(f"extra field {where}.{name} ({spec['type']})")


def score_page(inferred: list[dict], labels: dict) -> Score:
    """Compare one page's inferred entities with its labels (rules in the module docstring)."""
    score = Score()
    labelled = list(labels["entities"])
    optional = {normalise(n) for n in labels.get("optional_entities", [])}
    matched: dict[str, str] = {}  # labelled name -> inferred name
    for entity in inferred:
        key = normalise(entity["entity_name"])
        label = next((e for e in labelled if e["name"] not in matched and key in _names(e)), None)
        if label is not None:
            matched[label["name"]] = entity["entity_name"]
            score.entity_tp += 1
            _match_fields(_inferred_fields(entity), label["fields"], score, entity["entity_name"])
        elif key in optional:
            continue
        else:
            score.entity_fp += 1
            extra = _inferred_fields(entity)
            score.field_fp += len(extra)
            score.notes.append(f"extra entity {entity['entity_name']} ({', '.join(sorted(extra)) or 'no fields'})")
    for label in labelled:
        if label["name"] not in matched:
            score.entity_fn += 1
            score.field_fn += sum(1 for f in label["fields"] if not f.get("optional"))
            score.notes.append(f"missed entity {label['name']}")
    by_name = {e["entity_name"]: e for e in inferred}
    for rel in labels.get("relationships", []):
        score.relationships += 1
        a, b = matched.get(rel["from"]), matched.get(rel["to"])
        found = bool(a and b) and (
            any(r["target_entity"] == b for r in by_name[a]["relationships"])
            or any(r["target_entity"] == a for r in by_name[b]["relationships"])
        )
        score.relationships_found += found
        if not found:
            score.notes.append(f"missed relationship {rel['from']} -> {rel['to']}")
    return score


def load_corpus(corpus: Path = CORPUS) -> list[dict]:
    """[{id, split, path, html, labels}] in manifest order."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    pages = []
    for entry in manifest["pages"]:
        pages.append(
            {
                "id": entry["id"],
                "split": entry["split"],
                "path": entry["path"],
                "html": (corpus / "pages" / f"{entry['id']}.html").read_text(encoding="utf-8"),
                "labels": json.loads((corpus / "labels" / f"{entry['id']}.json").read_text(encoding="utf-8")),
            }
        )
    return pages


def infer_page(page: dict) -> list[dict]:
    return infer_entities(
        [{"slug": page["id"], "path": page["path"], "name": page["id"], "purpose": "", "html": page["html"]}], []
    )


def evaluate(corpus: Path = CORPUS, *, tuned_only: bool = False) -> dict:
    """{"pages": {id: (split, Score)}, "tuned": Score, "held_out": Score, "all": Score}.

    With `tuned_only` the held-out pages are not even run (their Score stays empty)."""
    result: dict = {"pages": {}, "tuned": Score(), "held_out": Score(), "all": Score()}
    for page in load_corpus(corpus):
        if tuned_only and page["split"] != "tuned":
            continue
        score = score_page(infer_page(page), page["labels"])
        result["pages"][page["id"]] = (page["split"], score)
        result[page["split"]].add(score)
        result["all"].add(score)
    return result


_COLUMNS = (
    "entity_precision",
    "entity_recall",
    "field_precision",
    "field_recall",
    "field_f1",
    "relationships_found",
    "type_exact",
    "required_agree",
)
_HEADERS = ("ent P", "ent R", "fld P", "fld R", "fld F1", "rels", "type=", "req=")


def _row(name: str, figures: dict[str, float]) -> str:
    return f"{name:<28}" + "".join(f"{figures[c]:>8.2f}" for c in _COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--verbose", action="store_true", help="list each tuned page's misses and extras (held-out pages stay unseen)"
    )
    parser.add_argument(
        "--verbose-held-out",
        action="store_true",
        help="also list the held-out pages' misses and extras (not while tuning)",
    )
    parser.add_argument(
        "--tuned-only", action="store_true", help="leave the held-out pages out entirely (while tuning the heuristics)"
    )
    parser.add_argument("--json", action="store_true", help="print the overall figures as JSON")
    args = parser.parse_args()
    result = evaluate(args.corpus, tuned_only=args.tuned_only)
    if args.json:
        print(json.dumps({part: result[part].figures() for part in ("tuned", "held_out", "all")}, indent=2))
        return
    print(f"{'page':<28}" + "".join(f"{h:>8}" for h in _HEADERS))
    for split in ("tuned", "held_out"):
        for page_id, (page_split, score) in result["pages"].items():
            if page_split == split:
                print(_row(f"{page_id}{' *' if split == 'held_out' else ''}", score.figures()))
                if args.verbose if split == "tuned" else args.verbose_held_out:
                    for note in score.notes:
                        print(f"    {note}")
    print("-" * (28 + 8 * len(_COLUMNS)))
    counts = {split: sum(1 for s, _ in result["pages"].values() if s == split) for split in ("tuned", "held_out")}
    for part, label in (
        ("tuned", f"tuned ({counts['tuned']} pages)"),
        ("held_out", f"held out* ({counts['held_out']} pages)"),
        ("all", f"all ({len(result['pages'])} pages)"),
    ):
        if part != "held_out" or counts["held_out"]:
            print(_row(label, result[part].figures()))
    overall = result["all"].figures()
    verdicts = ", ".join(f"{k} {overall[k]:.2f} {'>=' if overall[k] >= v else '<'} {v}" for k, v in TARGETS.items())
    print(f"targets ({'tuned pages only' if args.tuned_only else 'all pages'}): {verdicts}")
    if hasattr(os, "getloadavg"):
        print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
