"""Journey-flow analysis and layout on VueFlow nodes and edges.

Inputs are VueFlow-shaped: nodes `{id, type?, data?, label?, position?, width?, height?}` and
edges `{id, source, target, label?}` (a validated canvas's `nodes`/`edges`). Node meaning comes
from `vueflow.node_type_of` (screen, decision, annotation, database, action).

The rules, so a designer (or a model) can predict every finding:

- Annotations are notes: they and every edge touching them are left out of the analysis.
- An *entry* is a node marked `data.entry: true` or of VueFlow type `input`; when no node is
  marked, every node with no incoming edge (self-loops aside) is an entry. Marking entries is how
  a designer makes stray nodes show up as unreachable.
- A *terminal* has no outgoing edge (self-loops aside). A *dead end* is a terminal decision (a
  question with no answer), or a terminal database/action step not marked `data.exit: true` and
  not of VueFlow type `output` (the user is left after a save or an action with nowhere to go).
  A terminal screen is a natural end of a journey (the user lands somewhere they can see).
- An *exit* is a node marked `data.exit: true` or of VueFlow type `output`, or a terminal that is
  not a dead end. A terminal decision is never an exit.
- *Unreachable*: not reachable from any entry.
- *Cycles*: the simple cycles (Johnson's algorithm inside Tarjan's strongly connected
  components), each listed from its earliest node in canvas order, capped at `max_cycles`.
- *Missing branches*: a decision with fewer than two branches (its `data.branches`, or its
  outgoing edges when it has none), or a branch with no `target_node`, a `target_node` that is
  not a node, or no edge from the decision to that target.
- *Paths*: simple paths (no node twice) from an entry to an exit; a path goes on through an exit
  that has outgoing edges, so `a -> b(exit) -> c(exit)` holds two paths. When the part of the
  graph between entries and exits has no cycle, `path_count` is counted exactly by dynamic
  programming (no enumeration); otherwise it is the enumerated number, or null when enumeration
  was cut short by `max_paths` or the search budget.

Lists of node ids follow canvas order (the order the designer added nodes), which is stable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from flexos_mcp.analysis.vueflow import CanvasError, node_box_size, node_type_of

PATH_SEARCH_STEP_BUDGET = 50_000
"""Most DFS steps spent listing paths of a cyclic flow: keeps analysis of a pathological graph
(exponentially many simple paths) within tens of milliseconds."""

LAYOUT_GAP_X = 80
LAYOUT_GAP_Y = 40
_BARYCENTRE_SWEEPS = 4


class _Graph:
    """Non-annotation nodes as indices 0..n-1 in canvas order, with deduplicated adjacency."""

    def __init__(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
        self.nodes = [node for node in nodes if node_type_of(node) != "annotation"]
        self.ids = [node["id"] for node in self.nodes]
        self.index = {node_id: i for i, node_id in enumerate(self.ids)}
        all_ids = {node["id"] for node in nodes}
        self.succ: list[list[int]] = [[] for _ in self.ids]
        self.pred: list[list[int]] = [[] for _ in self.ids]
        self.dangling_edges: list[str] = []
        self.edge_count = 0
        seen: set[tuple[int, int]] = set()
        for edge in edges:
            source, target = edge.get("source"), edge.get("target")
            if source not in all_ids or target not in all_ids:
                self.dangling_edges.append(str(edge.get("id")))
                continue
            if source not in self.index or target not in self.index:
                continue
            self.edge_count += 1
            pair = (self.index[source], self.index[target])
            if pair in seen:
                continue
            seen.add(pair)
            self.succ[pair[0]].append(pair[1])
            self.pred[pair[1]].append(pair[0])

    def flag(self, i: int, key: str) -> bool:
        data = self.nodes[i].get("data")
        return isinstance(data, dict) and data.get(key) is True

    def has_out(self, i: int) -> bool:
        return any(j != i for j in self.succ[i])

    def has_in(self, i: int) -> bool:
        return any(j != i for j in self.pred[i])


def _reach(starts: list[int], adjacency: list[list[int]]) -> list[bool]:
    seen = [False] * len(adjacency)
    queue: deque[int] = deque()
    for s in starts:
        if not seen[s]:
            seen[s] = True
            queue.append(s)
    while queue:
        v = queue.popleft()
        for w in adjacency[v]:
            if not seen[w]:
                seen[w] = True
                queue.append(w)
    return seen


def strongly_connected_components(
    vertices: list[int], succ: list[list[int]], members: set[int] | None = None
) -> list[list[int]]:
    """Tarjan's algorithm, iterative (deep flows must not hit the recursion limit). Components
    come out in reverse topological order of the condensation, each sorted ascending."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in vertices:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        calls = [(root, iter(succ[root]))]
        while calls:
            v, neighbours = calls[-1]
            descended = False
            for w in neighbours:
                if members is not None and w not in members:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    calls.append((w, iter(succ[w])))
                    descended = True
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            calls.pop()
            if calls:
                parent = calls[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                result.append(sorted(component))
    return result


def _cycles_through(start: int, members: set[int], succ: list[list[int]], limit: int) -> list[list[int]]:
    """Johnson's circuit search: the simple cycles through `start` inside `members`, at most
    `limit`. Blocking keeps the cost per cycle found linear in the component's size."""

    def neighbours(v: int) -> Iterator[int]:
        return iter([w for w in succ[v] if w in members and w != v])

    found: list[list[int]] = []
    path = [start]
    blocked = {start}
    blocked_by: dict[int, set[int]] = {}
    closed = [False]
    stack = [neighbours(start)]
    while stack and len(found) < limit:
        for w in stack[-1]:
            if w == start:
                found.append(path[:])
                closed[-1] = True
            elif w not in blocked:
                path.append(w)
                closed.append(False)
                stack.append(neighbours(w))
                blocked.add(w)
                break
        else:
            stack.pop()
            v = path.pop()
            if closed.pop():
                if closed:
                    closed[-1] = True
                to_unblock = {v}
                while to_unblock:
                    u = to_unblock.pop()
                    if u in blocked:
                        blocked.discard(u)
                        to_unblock.update(blocked_by.pop(u, ()))
            else:
                for w in succ[v]:
                    if w in members and w != v:
                        blocked_by.setdefault(w, set()).add(v)
    return found


def _simple_cycles(graph: _Graph, components: list[list[int]], limit: int) -> list[list[int]]:
    """Up to `limit` simple cycles: self-loops, then Johnson's search from the earliest node of
    each non-trivial component, which is then removed and the rest split again into components."""
    cycles = [[v] for v in range(len(graph.ids)) if v in graph.succ[v]][:limit]
    pending = [c for c in components if len(c) > 1]
    while pending and len(cycles) < limit:
        pending.sort(key=lambda c: c[0], reverse=True)
        component = pending.pop()
        cycles.extend(_cycles_through(component[0], set(component), graph.succ, limit - len(cycles)))
        rest = component[1:]
        pending.extend(c for c in strongly_connected_components(rest, graph.succ, set(rest)) if len(c) > 1)
    return sorted(cycles)


def _missing_branches(graph: _Graph) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for i, node in enumerate(graph.nodes):
        if node_type_of(node) != "decision":
            continue
        node_id = node["id"]
        data: dict[str, Any] = node["data"] if isinstance(node.get("data"), dict) else {}
        targets = {graph.ids[j] for j in graph.succ[i] if j != i}
        branches = data.get("branches")
        if not isinstance(branches, list):
            if len(targets) < 2:
                problems.append(
                    {
                        "node_id": node_id,
                        "problem": "fewer_than_two_branches",
                        "message": f"decision '{node_id}' leads to {len(targets)} node(s); a decision needs at least two outcomes",
                    }
                )
            continue
        if len(branches) < 2:
            problems.append(
                {
                    "node_id": node_id,
                    "problem": "fewer_than_two_branches",
                    "message": f"decision '{node_id}' has {len(branches)} branch(es) in data.branches; a decision needs at least two",
                }
            )
        for b, branch in enumerate(branches):
            target = branch.get("target_node") if isinstance(branch, dict) else None
            label = branch.get("label") if isinstance(branch, dict) else None
            name = f"branch {b}" + (f" ('{label}')" if isinstance(label, str) else "")
            if not target:
                problem, message = "branch_without_target", f"{name} of decision '{node_id}' has no target_node"
            elif target not in graph.index:
                problem, message = (
                    "branch_target_not_a_node",
                    f"{name} of decision '{node_id}' targets '{target}', which is not a (non-annotation) node of this flow",
                )
            elif target not in targets:
                problem, message = (
                    "branch_without_edge",
                    f"{name} of decision '{node_id}' targets '{target}' but no edge goes from '{node_id}' to '{target}'",
                )
            else:
                continue
            problems.append({"node_id": node_id, "problem": problem, "branch_index": b, "message": message})
    return problems


def _paths(
    graph: _Graph, entries: list[int], exits: set[int], useful: list[bool], components: list[list[int]], max_paths: int
) -> tuple[list[list[int]], int | None, bool]:
    """Paths from entries to exits over `useful` nodes (those that can reach an exit)."""
    in_cycle = {v for c in components if len(c) > 1 for v in c}
    acyclic = not any(useful[v] for v in in_cycle)
    count: int | None = None
    if acyclic:
        ways = [0] * len(graph.ids)
        for component in components:  # reverse topological order: successors first
            v = component[0]
            if useful[v]:
                ways[v] = (1 if v in exits else 0) + sum(ways[w] for w in graph.succ[v] if w != v)
        count = sum(ways[e] for e in entries)

    paths: list[list[int]] = []
    steps = 0
    complete = True  # every path was listed (none cut off by max_paths or the step budget)
    for entry in entries:
        if not useful[entry]:
            continue
        path, on_path = [entry], {entry}
        if entry in exits:
            paths.append(path[:])
        stack = [iter(graph.succ[entry])]
        while stack and len(paths) <= max_paths and steps < PATH_SEARCH_STEP_BUDGET:
            steps += 1
            for w in stack[-1]:
                if useful[w] and w not in on_path:
                    path.append(w)
                    on_path.add(w)
                    if w in exits:
                        paths.append(path[:])
                    stack.append(iter(graph.succ[w]))
                    break
            else:
                stack.pop()
                on_path.discard(path.pop())
        if stack:
            complete = False
            break
    if count is None and complete:
        count = len(paths)
    paths = paths[:max_paths]
    return paths, count, count is None or count > len(paths)


def analyze_flow(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, max_paths: int = 100, max_cycles: int = 100
) -> dict[str, Any]:
    """Entries, exits, unreachable nodes, dead ends, cycles, decisions missing a branch and
    entry-to-exit paths of one flow (rules in the module docstring). Linear in nodes + edges
    apart from the capped cycle and path listings.

    Returns {"node_count", "edge_count", "entries", "exits", "unreachable", "dead_ends",
    "cycles", "cycles_truncated", "missing_branches", "paths", "path_count", "paths_truncated",
    "dangling_edges"}."""
    graph = _Graph(nodes, edges)
    n = len(graph.ids)
    marked_entries = [i for i in range(n) if graph.flag(i, "entry") or graph.nodes[i].get("type") == "input"]
    entries = marked_entries or [i for i in range(n) if not graph.has_in(i)]

    dead_ends, exits = [], []
    for i in range(n):
        node_type = node_type_of(graph.nodes[i])
        marked_exit = graph.flag(i, "exit") or graph.nodes[i].get("type") == "output"
        terminal = not graph.has_out(i)
        if terminal and (node_type == "decision" or not (marked_exit or node_type == "screen")):
            dead_ends.append(i)
        elif marked_exit or terminal:
            exits.append(i)

    reachable = _reach(entries, graph.succ)
    exit_set = set(exits)
    can_exit = _reach(exits, graph.pred)
    useful = [reachable[i] and can_exit[i] for i in range(n)]
    components = strongly_connected_components(list(range(n)), graph.succ)
    cycles = _simple_cycles(graph, components, max_cycles + 1)
    paths, path_count, paths_truncated = _paths(graph, entries, exit_set, useful, components, max_paths)

    def ids(indices: list[int]) -> list[str]:
        return [graph.ids[i] for i in indices]

    return {
        "node_count": n,
        "edge_count": graph.edge_count,
        "entries": ids(entries),
        "exits": ids(exits),
        "unreachable": [graph.ids[i] for i in range(n) if not reachable[i]],
        "dead_ends": ids(dead_ends),
        "cycles": [ids(c) for c in cycles[:max_cycles]],
        "cycles_truncated": len(cycles) > max_cycles,
        "missing_branches": _missing_branches(graph),
        "paths": [ids(p) for p in paths],
        "path_count": path_count,
        "paths_truncated": paths_truncated,
        "dangling_edges": graph.dangling_edges,
    }


# ---------------------------------------------------------------------------------------------
# Layout


def _break_cycles(order: list[int], succ: list[list[int]], has_in: list[bool]) -> list[list[int]]:
    """The DAG left after dropping DFS back edges, DFS started from nodes without incoming
    edges first, then canvas order: the same input always drops the same edges."""
    state = [0] * len(succ)  # 0 new, 1 on the DFS stack, 2 done
    dag: list[list[int]] = [[] for _ in succ]
    roots = [v for v in order if not has_in[v]] + [v for v in order if has_in[v]]
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            v, neighbours = stack[-1]
            for w in neighbours:
                if state[w] == 1:
                    continue  # back edge: closes a cycle, dropped for layering
                dag[v].append(w)
                if state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(succ[w])))
                    break
            else:
                state[v] = 2
                stack.pop()
    return dag


def auto_layout(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    *,
    gap_x: float = LAYOUT_GAP_X,
    gap_y: float = LAYOUT_GAP_Y,
) -> dict[str, dict[str, float]]:
    """Left-to-right layered positions `{node_id: {x, y}}` for every node.

    Longest-path layering from the entries (cycles broken deterministically), barycentre
    ordering inside each layer, layers as wide as their widest node (sizes from the nodes, else
    180x80), so boxes never overlap. Every edge between non-annotation nodes that is not in a
    cycle points to a greater x. Annotations sit in their first linked node's layer, below the
    layer's other nodes (or in the first layer when unlinked): a note never pushes the journey."""
    ids = [node["id"] for node in nodes]
    index = {node_id: i for i, node_id in enumerate(ids)}
    is_note = [node_type_of(node) == "annotation" for node in nodes]
    succ: list[list[int]] = [[] for _ in ids]
    anchor: dict[int, int] = {}
    has_in = [False] * len(ids)
    for edge in edges:
        s, t = index.get(edge.get("source")), index.get(edge.get("target"))
        if s is None or t is None or s == t:
            continue
        if is_note[s] or is_note[t]:
            note, other = (s, t) if is_note[s] else (t, s)
            if not is_note[other]:
                anchor.setdefault(note, other)
            continue
        if t not in succ[s]:
            succ[s].append(t)
            has_in[t] = True
    journey = [i for i in range(len(ids)) if not is_note[i]]
    dag = _break_cycles(journey, succ, has_in)

    in_degree = [0] * len(ids)
    for v in journey:
        for w in dag[v]:
            in_degree[w] += 1
    layer = [0] * len(ids)
    queue = deque(v for v in journey if in_degree[v] == 0)
    while queue:
        v = queue.popleft()
        for w in dag[v]:
            layer[w] = max(layer[w], layer[v] + 1)
            in_degree[w] -= 1
            if in_degree[w] == 0:
                queue.append(w)
    for note in (i for i in range(len(ids)) if is_note[i]):
        layer[note] = layer[anchor[note]] if note in anchor else 0

    layer_count = max(layer, default=-1) + 1
    layers: list[list[int]] = [[] for _ in range(layer_count)]
    for v in journey:
        layers[layer[v]].append(v)
    dag_pred: list[list[int]] = [[] for _ in ids]
    for v in journey:
        for w in dag[v]:
            dag_pred[w].append(v)
    position = {v: i for members in layers for i, v in enumerate(members)}

    def reorder(members: list[int], neighbours: list[list[int]]) -> list[int]:
        def key(v: int) -> tuple[float, int]:
            linked = neighbours[v]
            centre = sum(position[u] for u in linked) / len(linked) if linked else position[v]
            return (centre, position[v])

        ordered = sorted(members, key=key)
        for i, v in enumerate(ordered):
            position[v] = i
        return ordered

    for _ in range(_BARYCENTRE_SWEEPS):
        for rank in range(1, layer_count):
            layers[rank] = reorder(layers[rank], dag_pred)
        for rank in range(layer_count - 2, -1, -1):
            layers[rank] = reorder(layers[rank], dag)
    for note in (i for i in range(len(ids)) if is_note[i]):
        layers[layer[note]].append(note)

    sizes = [node_box_size(node) for node in nodes]
    heights = [sum(sizes[v][1] for v in members) + gap_y * max(len(members) - 1, 0) for members in layers]
    tallest = max(heights, default=0)
    result: dict[str, dict[str, float]] = {}
    x = 0.0
    for members, height in zip(layers, heights, strict=True):
        y = (tallest - height) / 2
        for v in members:
            result[ids[v]] = {"x": round(x), "y": round(y)}
            y += sizes[v][1] + gap_y
        x += max(sizes[v][0] for v in members) + gap_x
    return {node_id: result[node_id] for node_id in ids}


def place_after(
    nodes: list[dict[str, Any]],
    after_node_id: str | None,
    new_node_size: tuple[float, float] | None = None,
    *,
    gap_x: float = LAYOUT_GAP_X,
    gap_y: float = LAYOUT_GAP_Y,
) -> dict[str, float]:
    """Where a new node goes so a model never has to invent coordinates: one column to the right
    of `after_node_id` at its height, moved down past any node already there (so the second
    branch of a decision lands below the first). With no `after_node_id`, to the right of the
    whole canvas. `new_node_size` is (width, height), default 180x80."""
    width, height = new_node_size or node_box_size({})
    boxes = [(node["position"]["x"], node["position"]["y"], *node_box_size(node)) for node in nodes]
    if after_node_id is None:
        x = max((bx + bw for bx, _, bw, _ in boxes), default=-gap_x) + gap_x
        y = min((by for _, by, _, _ in boxes), default=0)
    else:
        after = next((node for node in nodes if node.get("id") == after_node_id), None)
        if after is None:
            valid = ", ".join(node["id"] for node in nodes[:20]) or "(none: the flow has no nodes)"
            raise CanvasError(
                f"after_node_id '{after_node_id}' is not a node of this flow; valid node ids: {valid}", "after_node_id"
            )
        after_width, _ = node_box_size(after)
        x = after["position"]["x"] + after_width + gap_x
        y = after["position"]["y"]
    column = sorted((by, bh) for bx, by, bw, bh in boxes if x < bx + bw + gap_x and bx < x + width + gap_x)
    for by, bh in column:
        if by + bh + gap_y <= y:
            continue
        if y + height + gap_y <= by:
            break
        y = by + bh + gap_y
    return {"x": x, "y": y}
