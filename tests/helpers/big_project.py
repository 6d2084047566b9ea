"""A big, varied project for heavy-work tests and bench/heavy.py: N pages of ~18 KB of HTML in the
style coding agents write (Tailwind classes, nav and footer on every page, forms, tables, card
grids, detail pages, dashboards), spread over a few dozen entities so inference has real work.

Deterministic for a seed; pages differ in entity, kind, fields, values and filler, so no two
pages are byte-identical (a content-hash cache gets no free hits from duplicates).
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lesson-library"

# entity -> its fields as (name, input type); enough variety for every reader of the inference
ENTITIES: dict[str, list[tuple[str, str]]] = {
    "lesson": [
        ("title", "text"),
        ("subject", "select"),
        ("grade_level", "number"),
        ("description", "textarea"),
        ("published_on", "date"),
        ("cover_image", "file"),
    ],
    "course": [
        ("name", "text"),
        ("summary", "textarea"),
        ("starts_on", "date"),
        ("price", "number"),
        ("level", "select"),
    ],
    "student": [("full_name", "text"), ("email", "email"), ("birth_date", "date"), ("grade", "number")],
    "teacher": [("full_name", "text"), ("email", "email"), ("bio", "textarea"), ("website", "url")],
    "assignment": [("title", "text"), ("due_date", "date"), ("points", "number"), ("instructions", "textarea")],
    "invoice": [("number", "text"), ("amount", "number"), ("status", "select"), ("issued_on", "date")],
    "order": [("reference", "text"), ("total", "number"), ("status", "select"), ("placed_at", "datetime-local")],
    "product": [
        ("name", "text"),
        ("price", "number"),
        ("sku", "text"),
        ("description", "textarea"),
        ("category", "select"),
    ],
    "customer": [("company_name", "text"), ("email", "email"), ("phone", "tel"), ("website", "url")],
    "task": [("title", "text"), ("priority", "select"), ("due_date", "date"), ("done", "checkbox")],
    "ticket": [("subject", "text"), ("priority", "select"), ("status", "select"), ("body", "textarea")],
    "event": [("title", "text"), ("starts_at", "datetime-local"), ("location", "text"), ("capacity", "number")],
    "venue": [("name", "text"), ("address", "text"), ("capacity", "number")],
    "booking": [("guest_name", "text"), ("check_in", "date"), ("nights", "number"), ("status", "select")],
    "room": [("number", "text"), ("floor", "number"), ("kind", "select"), ("rate", "number")],
    "recipe": [("title", "text"), ("servings", "number"), ("cook_minutes", "number"), ("instructions", "textarea")],
    "article": [("headline", "text"), ("body", "textarea"), ("published_on", "date"), ("category", "select")],
    "author": [("full_name", "text"), ("email", "email"), ("bio", "textarea")],
    "review": [("rating", "number"), ("comment", "textarea"), ("reviewed_on", "date")],
    "supplier": [("name", "text"), ("email", "email"), ("country", "select")],
    "shipment": [("tracking_code", "text"), ("carrier", "select"), ("shipped_on", "date"), ("weight", "number")],
    "warehouse": [("name", "text"), ("city", "text"), ("capacity", "number")],
    "employee": [("full_name", "text"), ("email", "email"), ("role", "select"), ("hired_on", "date")],
    "department": [("name", "text"), ("budget", "number"), ("description", "textarea")],
    "project": [("name", "text"), ("status", "select"), ("deadline", "date"), ("budget", "number")],
    "milestone": [("title", "text"), ("due_date", "date"), ("status", "select")],
    "expense": [("description", "text"), ("amount", "number"), ("spent_on", "date"), ("category", "select")],
    "vehicle": [("plate", "text"), ("model", "text"), ("year", "number"), ("mileage", "number")],
    "patient": [("full_name", "text"), ("birth_date", "date"), ("phone", "tel"), ("notes", "textarea")],
    "appointment": [("starts_at", "datetime-local"), ("reason", "text"), ("status", "select")],
    "playlist": [("name", "text"), ("description", "textarea"), ("visibility", "select")],
    "song": [("title", "text"), ("artist", "text"), ("duration_seconds", "number")],
}

SELECT_VALUES = {
    "status": ["draft", "open", "paid", "closed"],
    "priority": ["low", "normal", "high"],
    "level": ["beginner", "intermediate", "advanced"],
    "category": ["news", "tools", "food", "travel"],
    "subject": ["math", "science", "english", "history"],
    "kind": ["single", "double", "suite"],
    "role": ["admin", "editor", "viewer"],
    "carrier": ["dhl", "ups", "fedex"],
    "country": ["de", "fr", "us"],
    "visibility": ["public", "private"],
}
WORDS = (
    "alpha bright calm daring eager fresh gentle humble lively mellow nimble proud quiet rapid "
    "steady tidy urban vivid warm young zesty amber cobalt copper golden ivory olive silver"
).split()
COLORS = ("slate", "gray", "indigo", "emerald", "rose", "amber", "sky", "violet")


def _plural(name: str) -> str:
    if name.endswith("y") and name[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + ("es" if name.endswith(("s", "x", "ch", "sh")) else "s")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _value(rng: random.Random, field: str, kind: str) -> str:
    if kind in ("number",):
        return str(rng.randint(1, 500))
    if kind == "date":
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "datetime-local":
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:00"
    if kind == "email":
        return f"{rng.choice(WORDS)}.{rng.choice(WORDS)}@example.com"
    if kind == "url":
        return f"https://{rng.choice(WORDS)}.example.com"
    if kind == "select":
        return rng.choice(SELECT_VALUES.get(field, ["one", "two", "three"]))
    if kind == "checkbox":
        return rng.choice(["Yes", "No"])
    if kind == "file":
        return f"/img/{rng.choice(WORDS)}.jpg"
    return _words(rng, rng.randint(2, 5)).capitalize()


def _chrome(rng: random.Random, title: str, entities: list[str], body: str) -> str:
    color = rng.choice(COLORS)
    links = "".join(
        f'<a href="/{_plural(e)}" class="rounded-md px-3 py-2 text-sm font-medium text-{color}-700 '
        f'hover:bg-{color}-50">{_plural(e).capitalize()}</a>'
        for e in entities
    )
    footer_links = "".join(
        f'<li><a href="/{_plural(e)}" class="text-sm text-slate-500 hover:text-slate-900">'
        f"{_plural(e).capitalize()}</a></li>"
        for e in entities
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<script src="https://cdn.tailwindcss.com"></script></head>'
        f'<body class="min-h-screen bg-{color}-50 text-slate-900 antialiased">'
        f'<header class="border-b border-slate-200 bg-white"><nav class="mx-auto flex max-w-7xl items-center gap-2 '
        f'px-4 py-3 md:px-8"><a href="/" class="mr-6 text-xl font-bold text-{color}-600">Acme</a>{links}</nav></header>'
        f'<main class="mx-auto max-w-7xl px-4 py-8 md:px-8">{body}</main>'
        f'<footer class="mt-16 border-t border-slate-200 bg-white"><div class="mx-auto grid max-w-7xl grid-cols-2 '
        f'gap-8 px-4 py-10 md:grid-cols-4"><ul class="space-y-2">{footer_links}</ul>'
        f'<p class="text-sm text-slate-400">{_words(rng, 30)}</p></div></footer></body></html>'
    )


def _filler(rng: random.Random, target: int, current: int) -> str:
    """Marketing sections (prose, no data names) until the page reaches `target` bytes."""
    parts, size = [], current
    while size < target:
        section = (
            f'<section class="mt-10 rounded-2xl bg-white p-6 shadow-sm"><h3 class="text-lg font-semibold '
            f'text-slate-800">{_words(rng, 3).capitalize()}</h3>'
            + "".join(
                f'<p class="mt-3 text-sm leading-6 text-slate-600">{_words(rng, 40).capitalize()}.</p>'
                for _ in range(3)
            )
            + "</section>"
        )
        parts.append(section)
        size += len(section)
    return "".join(parts)


def _form(rng: random.Random, entity: str, fields: list[tuple[str, str]], edit: bool) -> str:
    rows = []
    for name, kind in fields:
        label = _label(name)
        required = " required" if rng.random() < 0.6 else ""
        value = (
            f' value="{html.escape(_value(rng, name, kind))}"'
            if edit and kind not in ("select", "file", "textarea", "checkbox")
            else ""
        )
        if kind == "select":
            options = "".join(
                f'<option value="{v}">{v.capitalize()}</option>' for v in SELECT_VALUES.get(name, ["one", "two"])
            )
            control = f'<select id="{name}" name="{name}"{required} class="mt-1 block w-full rounded-md border-slate-300">{options}</select>'
        elif kind == "textarea":
            control = f'<textarea id="{name}" name="{name}" rows="4"{required} class="mt-1 block w-full rounded-md"></textarea>'
        elif kind == "file":
            control = (
                f'<input id="{name}" name="{name}" type="file" accept="image/*" class="mt-1 block w-full text-sm">'
            )
        else:
            control = f'<input id="{name}" name="{name}" type="{kind}"{value}{required} class="mt-1 block w-full rounded-md border-slate-300 shadow-sm">'
        rows.append(
            f'<div><label for="{name}" class="block text-sm font-medium text-slate-700">{label}</label>{control}</div>'
        )
    verb = "Save" if edit else "Create"
    return (
        f'<h1 class="text-2xl font-bold">{"Edit" if edit else "New"} {entity}</h1>'
        f'<form id="{entity}-form" method="post" class="mt-6 space-y-6 rounded-xl bg-white p-6 shadow">'
        f'<input type="hidden" name="csrf_token" value="{rng.getrandbits(64):x}">{"".join(rows)}'
        f'<div class="flex justify-end gap-3"><a href="/{_plural(entity)}" class="rounded-md border px-4 py-2">Cancel</a>'
        f'<button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-white">{verb} {entity}</button></div></form>'
    )


def _table(rng: random.Random, entity: str, fields: list[tuple[str, str]]) -> str:
    shown = [f for f in fields if f[1] not in ("textarea", "file")]
    head = "".join(
        f'<th class="px-4 py-2 text-left text-xs font-semibold uppercase text-slate-500">{_label(n)}</th>'
        for n, _ in shown
    )
    rows = "".join(
        '<tr class="border-t border-slate-100">'
        + "".join(f'<td class="px-4 py-2 text-sm">{html.escape(_value(rng, n, k))}</td>' for n, k in shown)
        + '<td class="px-4 py-2"><button class="text-sm text-rose-600">Delete</button></td></tr>'
        for _ in range(rng.randint(6, 14))
    )
    return (
        f'<h2 class="mt-8 text-xl font-semibold">All {_plural(entity)}</h2>'
        f'<table class="mt-4 min-w-full divide-y divide-slate-200 rounded-xl bg-white">'
        f'<thead><tr>{head}<th class="px-4 py-2">Actions</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _cards(rng: random.Random, entity: str, fields: list[tuple[str, str]]) -> str:
    cards = []
    for _ in range(rng.randint(4, 9)):
        inner = "".join(
            f'<p class="{entity}-{n.replace("_", "-")} mt-1 text-sm text-slate-600">{html.escape(_value(rng, n, k))}</p>'
            for n, k in fields
            if k not in ("file",)
        )
        cards.append(
            f'<article class="{entity}-card rounded-xl border border-slate-200 bg-white p-6 shadow-sm">'
            f'<h3 class="text-lg font-semibold"><a href="/{_plural(entity)}/{rng.randint(1, 999)}">'
            f"{_words(rng, 3).capitalize()}</a></h3>{inner}</article>"
        )
    return (
        f'<div class="flex items-center justify-between"><h1 class="text-3xl font-bold">{_plural(entity).capitalize()}</h1>'
        f'<a href="/{_plural(entity)}/new" class="rounded-lg bg-indigo-600 px-4 py-2 text-white">New {entity}</a></div>'
        f'<div class="mt-6 grid grid-cols-1 gap-6 md:grid-cols-3">{"".join(cards)}</div>'
    )


def _detail(rng: random.Random, entity: str, fields: list[tuple[str, str]], child: str) -> str:
    pairs = "".join(
        f'<dt class="text-sm text-slate-500">{_label(n)}</dt><dd class="text-sm font-medium">'
        f"{html.escape(_value(rng, n, k))}</dd>"
        for n, k in fields
        if k != "file"
    )
    child_fields = ENTITIES[child][:3]
    items = "".join(
        f'<li class="{child}-item py-3">'
        + "".join(
            f'<span class="{child}-{n.replace("_", "-")} mr-4 text-sm">{html.escape(_value(rng, n, k))}</span>'
            for n, k in child_fields
        )
        + "</li>"
        for _ in range(rng.randint(3, 6))
    )
    return (
        f'<article class="{entity}"><h1 class="text-3xl font-bold">{_words(rng, 3).capitalize()}</h1>'
        f'<dl class="mt-6 grid grid-cols-2 gap-4">{pairs}</dl>'
        f'<section class="mt-10"><h2 class="text-xl font-semibold">{_plural(child).capitalize()}</h2>'
        f'<ul class="mt-4 divide-y divide-slate-100">{items}</ul></section>'
        f'<button type="button" class="mt-6 rounded-md bg-rose-600 px-3 py-2 text-white">Delete {entity}</button></article>'
    )


def _dashboard(rng: random.Random, entities: list[str]) -> str:
    stats = "".join(
        f'<div class="stat-card rounded-xl bg-white p-6 shadow-sm"><p class="text-sm text-slate-500">'
        f'{_plural(e).capitalize()}</p><p class="mt-2 text-3xl font-bold">{rng.randint(10, 9000)}</p></div>'
        for e in entities[:4]
    )
    first = entities[0]
    return (
        f'<h1 class="text-3xl font-bold">Dashboard</h1><div class="mt-6 grid grid-cols-4 gap-6">{stats}</div>'
        + _table(rng, first, ENTITIES[first])
    )


KINDS = ("list", "table", "new", "edit", "detail", "dashboard")


def big_project_pages(count: int, *, seed: int = 13, size: int = 18_000) -> list[dict]:
    """`count` pages as {"name", "slug", "path", "html"}, each about `size` bytes of HTML."""
    rng = random.Random(seed)
    names = sorted(ENTITIES)
    pages = []
    for index in range(count):
        entity = names[index % len(names)]
        kind = KINDS[(index // len(names)) % len(KINDS)]
        fields = ENTITIES[entity]
        nav = rng.sample(names, 7)
        plural = _plural(entity)
        if kind == "list":
            body, path = _cards(rng, entity, fields), f"/{plural}"
        elif kind == "table":
            body, path = _table(rng, entity, fields), f"/{plural}/table"
        elif kind == "new":
            body, path = _form(rng, entity, fields, edit=False), f"/{plural}/new"
        elif kind == "edit":
            body, path = _form(rng, entity, fields, edit=True), f"/{plural}/{{id}}/edit"
        elif kind == "detail":
            body, path = (
                _detail(rng, entity, fields, rng.choice([n for n in names if n != entity])),
                f"/{plural}/{{id}}",
            )
        else:
            body, path = _dashboard(rng, [entity, *nav]), "/dashboard"
        serial = f"v{index}"
        path = f"/{serial}{path.replace('{id}', '42')}"  # the serial first: the path's end names the entity
        title = f"{kind.capitalize()} {plural} {serial}"
        page_html = _chrome(rng, title, nav, body)
        page_html = page_html.replace("</main>", _filler(rng, size, len(page_html)) + "</main>")
        pages.append({"name": title, "slug": f"{kind}-{plural}-{serial}", "path": path, "html": page_html})
    return pages


async def store_pages(conn, project_id, pages: list[dict]) -> None:
    """Write `pages` (big_project_pages' shape) with a first mockup each, in three statements:
    thousands of pages in a second or two, where tool calls would take minutes."""
    async with conn.transaction():
        ids = await conn.fetch(
            """INSERT INTO pages (project_id, name, slug, path)
               SELECT $1, n, s, p FROM unnest($2::text[], $3::text[], $4::text[]) AS r(n, s, p) RETURNING id, slug""",
            project_id,
            [p["name"] for p in pages],
            [p["slug"] for p in pages],
            [p["path"] for p in pages],
        )
        by_slug = {r["slug"]: r["id"] for r in ids}
        await conn.execute(
            """INSERT INTO mockups (page_id, project_id, version, html_content, changed_by)
               SELECT page_id, $1, 1, html, 'user' FROM unnest($2::uuid[], $3::text[]) AS r(page_id, html)""",
            project_id,
            [by_slug[p["slug"]] for p in pages],
            [p["html"] for p in pages],
        )
        await conn.execute(
            """UPDATE pages p SET current_mockup_id = m.id FROM mockups m
               WHERE m.page_id = p.id AND p.project_id = $1 AND p.current_mockup_id IS NULL""",
            project_id,
        )


def example_pages() -> list[dict]:
    """The Lesson Library example's pages as inference reads them."""
    spec = json.loads((EXAMPLE / "project.json").read_text())
    return [dict(p, html=(EXAMPLE / p["html"]).read_text()) for p in spec["pages"]]


# Two pages where one decides how the other is read: the form makes LessonPlan known (its path),
# so the dashboard's "Recent lesson plans" table is LessonPlan; without the form it is Plan.
LESSON_PLAN_FORM = """<html><body><main><h1>New lesson plan</h1><form method="post">
  <label for="title">Title</label><input id="title" name="title" required>
  <label for="grade">Grade</label><input id="grade" name="grade" type="number">
  <button type="submit">Create lesson plan</button></form></main></body></html>"""
DASHBOARD = """<html><body><main><h2>Recent lesson plans</h2><table>
  <thead><tr><th>Title</th><th>Published on</th></tr></thead>
  <tbody><tr><td>Fractions</td><td>2025-03-01</td></tr><tr><td>Cells</td><td>2025-02-11</td></tr></tbody>
</table></main></body></html>"""
