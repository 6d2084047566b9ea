"""Benchmark: parse + analyse + layout + Mermaid for generated journey flows of 10, 100, 1,000
nodes. Prints milliseconds per stage (best of several runs) and the 100 -> 1,000 growth ratio:
near 10x means linear. `generate_flow` is shared with the database-level benchmark.

Run: PYTHONPATH=src python bench/flows.py
"""

from __future__ import annotations

import random
import time
from typing import Any

from flexos_mcp.analysis.flow_graph import analyze_flow, auto_layout
from flexos_mcp.analysis.mermaid import flow_to_mermaid
from flexos_mcp.analysis.vueflow import apply_node_rows, parse_canvas


def generate_flow(n_nodes: int, seed: int) -> dict[str, Any]:
    """A deterministic, journey-like VueFlow FlowExportObject with `n_nodes` nodes: a spine of
    screens with a decision every 7th node (one branch skips ahead, some loop back: retries make
    cycles), a database step every 11th, a note every 19th, the first node marked entry and the
    last a screen marked exit. Custom keys on nodes and edges like a real editor export."""
    rng = random.Random(seed)
    kinds = []
    for i in range(1, n_nodes + 1):
        if i == 1 or i == n_nodes:
            kinds.append("screen")
        elif i % 19 == 0:
            kinds.append("annotation")
        elif i % 7 == 0:
            kinds.append("decision")
        elif i % 11 == 0:
            kinds.append("database")
        else:
            kinds.append("screen")
    ids = [f"n{i}" for i in range(1, n_nodes + 1)]
    journey = [i for i, kind in enumerate(kinds) if kind != "annotation"]
    following = {journey[k]: journey[k + 1] for k in range(len(journey) - 1)}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def link(source: int, target: int, label: str | None = None) -> None:
        edge = {
            "id": f"e{len(edges) + 1}",
            "source": ids[source],
            "target": ids[target],
            "markerEnd": "arrowclosed",
            "data": {"trigger": "click"},
        }
        if label:
            edge["label"] = label
        edges.append(edge)

    for i, kind in enumerate(kinds):
        data: dict[str, Any] = {"label": f"Step {i + 1}"}
        if kind == "decision":
            data["question"] = f"Condition {i + 1}?"
        elif kind == "database":
            data.update(
                entity=rng.choice(["User", "Lesson", "Course"]),
                operation=rng.choice(["CREATE", "READ", "UPDATE", "DELETE"]),
            )
        elif kind == "annotation":
            data["text"] = f"Note {i + 1}"
        if i == 0:
            data["entry"] = True
        if i == n_nodes - 1:
            data["exit"] = True
        nodes.append(
            {
                "id": ids[i],
                "type": kind,
                "position": {"x": (i % 25) * 260, "y": (i // 25) * 140},
                "data": data,
                "width": 180,
                "height": 80,
                "class": f"flexos-{kind}",
            }
        )
        if kind == "annotation":
            if i > 0:
                link(i, i - 1)
            continue
        if i not in following:
            continue
        nxt = following[i]
        if kind == "decision":
            later = [j for j in journey if j > nxt][:5]
            earlier = [j for j in journey if j < i][-4:]
            other = rng.choice(earlier) if earlier and rng.random() < 0.3 else (rng.choice(later) if later else None)
            link(i, nxt, "Yes")
            branches = [{"label": "Yes", "target_node": ids[nxt]}]
            if other is not None:
                link(i, other, "No")
                branches.append({"label": "No", "target_node": ids[other]})
            data["branches"] = branches
        else:
            link(i, nxt)
    return {"nodes": nodes, "edges": edges, "position": [0, 0], "zoom": 1, "viewport": {"x": 0, "y": 0, "zoom": 1}}


def _best_ms(function, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    stages = {
        "parse+rows": lambda c: parse_canvas(c),
        "apply_rows": None,
        "analyze": lambda c: analyze_flow(c["nodes"], c["edges"]),
        "layout": lambda c: auto_layout(c["nodes"], c["edges"]),
        "mermaid": lambda c: flow_to_mermaid(c["nodes"], c["edges"]),
    }
    results: dict[int, dict[str, float]] = {}
    print(
        f"{'nodes':>6} {'edges':>6} "
        + " ".join(f"{name:>11}" for name in stages)
        + f" {'total':>9}   (ms, best of runs)"
    )
    for size in (10, 100, 1000):
        canvas = generate_flow(size, seed=7)
        rows = parse_canvas(canvas)["rows"]
        repeats = 30 if size <= 100 else 7
        times = {}
        for name, stage in stages.items():
            run = (lambda: apply_node_rows(canvas, rows)) if stage is None else (lambda s=stage: s(canvas))
            times[name] = _best_ms(run, repeats)
        results[size] = times
        print(
            f"{size:>6} {len(canvas['edges']):>6} "
            + " ".join(f"{t:>11.2f}" for t in times.values())
            + f" {sum(times.values()):>9.2f}"
        )
    growth = sum(results[1000].values()) / sum(results[100].values())
    per_stage = ", ".join(f"{name} {results[1000][name] / results[100][name]:.1f}x" for name in stages)
    print(f"growth 100 -> 1,000 nodes: {growth:.1f}x total (10x = linear); {per_stage}")
    big = generate_flow(1000, seed=7)
    analysis = analyze_flow(big["nodes"], big["edges"])
    print(
        f"1,000-node flow: {len(analysis['cycles'])} cycles listed (truncated={analysis['cycles_truncated']}), "
        f"{len(analysis['paths'])} paths listed (truncated={analysis['paths_truncated']}), path_count={analysis['path_count']}"
    )


if __name__ == "__main__":
    main()
