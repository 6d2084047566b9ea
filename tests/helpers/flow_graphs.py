"""VueFlow-shaped nodes and edges for flow-analysis tests: by hand, complete graphs, random flows."""

import random


def node(node_id, node_type="screen", *, vf_type=None, x=0, y=0, **data):
    return {"id": node_id, "type": vf_type or node_type, "position": {"x": x, "y": y}, "data": data}


def edges_of(*pairs):
    return [{"id": f"{s}>{t}", "source": s, "target": t} for s, t in pairs]


def complete_graph(names):
    return [node(n) for n in names], edges_of(*[(a, b) for a in names for b in names if a != b])


def random_flow(seed, size):
    rng = random.Random(seed)
    types = ["screen", "screen", "decision", "database", "action", "annotation"]
    nodes = []
    for i in range(size):
        n = node(f"v{i}", rng.choice(types))
        if rng.random() < 0.3:
            n["width"], n["height"] = rng.randint(60, 400), rng.randint(40, 300)
        nodes.append(n)
    pairs = [(f"v{rng.randrange(size)}", f"v{rng.randrange(size)}") for _ in range(int(size * 1.5))]
    pairs += [(f"v{i}", f"v{i + 1}") for i in range(0, size - 1, 2)]
    return nodes, [{"id": f"e{k}", "source": s, "target": t} for k, (s, t) in enumerate(pairs)]
