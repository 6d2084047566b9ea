"""A scripted model for page-creator runs, and the fakes that put it under the real clients.

The script is a function of the request it answers (like a model): it counts the assistant turns
already in the conversation to know where it is, and reads ids (run, project, thoughts, page)
from the opening message and from earlier tool results. So the same script answers a fresh run,
a resumed run (the transcript is replayed) and the MCP sampling path (messages converted).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from flexos_mcp.config import DEFAULT_MODEL

MODEL = DEFAULT_MODEL
BRIEF = (
    "Teachers need a page to plan a new lesson step by step: title, grade, subject, objectives "
    "and materials, then save it as a draft to share later."
)

MOCKUP_HTML = """<!doctype html>
<html><head><title>Plan a lesson</title></head>
<body>
  <header class="top"><h1>Plan a lesson</h1><p>Draft saved 2 minutes ago</p></header>
  <main class="form">
    <label>Title <input value="Fractions with pizza slices"></label>
    <label>Grade <select><option>Grade 4</option></select></label>
    <label>Subject <select><option>Mathematics</option></select></label>
    <section><h2>Objectives</h2><ul><li>Compare fractions with the same denominator</li></ul></section>
    <section><h2>Materials</h2><ul><li>Paper pizzas (1 per pair)</li><li>Markers</li></ul></section>
    <button class="primary">Save draft</button>
  </main>
</body></html>"""
MOCKUP_CSS = (
    ".top { padding: 24px; background: #DC2626; color: #FFFFFF; }\n"
    ".form { display: grid; gap: 16px; padding: 24px; }\n"
    ".primary { background: #DC2626; color: #FFFFFF; border-radius: 8px; padding: 12px 16px; }"
)

COLLECTIONS_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Collections · Lesson Library</title>
<script src="https://cdn.tailwindcss.com"></script></head>
<body class="bg-slate-50 text-slate-900">
  <header class="bg-white border-b border-slate-200">
    <nav class="mx-auto max-w-6xl flex items-center justify-between px-4 py-4 md:px-8">
      <a href="/dashboard" class="text-xl font-bold">Lesson<span class="text-red-600">Library</span></a>
      <a href="/collections/new" class="rounded-lg bg-red-600 px-4 py-2 text-sm font-semibold text-white">New collection</a>
    </nav>
  </header>
  <main class="mx-auto max-w-6xl px-4 py-8 md:px-8">
    <h1 class="text-2xl font-bold">Collections</h1>
    <div class="mt-6 flex gap-2 text-sm"><button class="rounded-lg bg-slate-900 px-4 py-2 text-white">All</button>
      <button class="rounded-lg border border-slate-200 px-4 py-2">Shared with me</button></div>
    <ul class="mt-6 grid grid-cols-1 gap-4 md:grid-cols-3">
      <li class="rounded-xl border border-slate-200 bg-white p-4"><h2 class="font-semibold">Fractions, Grade 4</h2>
        <p class="text-sm text-slate-600">12 lessons · shared with 3 colleagues</p></li>
      <li class="rounded-xl border border-slate-200 bg-white p-4"><h2 class="font-semibold">Plant biology</h2>
        <p class="text-sm text-slate-600">7 lessons · only me</p></li>
      <li class="rounded-xl border border-slate-200 bg-white p-4"><h2 class="font-semibold">Persuasive writing</h2>
        <p class="text-sm text-slate-600">9 lessons · whole school</p></li>
    </ul>
  </main>
</body></html>"""


class Conversation:
    """What the model can see in one request."""

    def __init__(self, request: dict[str, Any]):
        self.request = request
        self.messages = request["messages"]
        first = self.messages[0]["content"]
        opening = first if isinstance(first, str) else first[0]["text"]
        self.run_id = re.search(r"wizard run ([0-9a-f-]{36})", opening).group(1)
        self.project_id = re.search(r"project_id ([0-9a-f-]{36})", opening).group(1)
        self.turn = sum(1 for m in self.messages if m["role"] == "assistant")
        self.results: dict[str, dict[str, Any]] = {}
        for message in self.messages:
            if message["role"] == "user" and isinstance(message["content"], list):
                for block in message["content"]:
                    if block.get("type") == "tool_result":
                        self.results[block["tool_use_id"]] = block

    def text(self, tool_use_id: str) -> str:
        content = self.results[tool_use_id]["content"]
        return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)

    def result(self, tool_use_id: str) -> Any:
        """A tool's structured result (the JSON before the driver's note of the thought id)."""
        return json.loads(self.text(tool_use_id).split("\n\n(Recorded in the thinking chain as thought")[0])

    def trace(self, tool_use_id: str) -> str:
        """The id of the thought that records this call's result."""
        return re.search(r"as thought ([0-9a-f-]{36})", self.text(tool_use_id)).group(1)

    def text_of_user_messages(self) -> str:
        parts = []
        for message in self.messages:
            if message["role"] == "user":
                content = message["content"]
                parts += [content] if isinstance(content, str) else [b.get("text", "") for b in content]
        return "\n".join(parts)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def use(tool_id: str, name: str, /, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": arguments}


def thought(
    c: Conversation,
    tool_id: str,
    kind: str,
    reasoning: str,
    confidence: float,
    depends_on: list[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    return use(
        tool_id,
        "log_thought",
        run_id=c.run_id,
        thought_type=kind,
        reasoning=reasoning,
        confidence=confidence,
        depends_on=list(depends_on),
        **extra,
    )


@dataclass(frozen=True)
class NewPage:
    """What the scripted model builds."""

    name: str = "Plan a lesson"
    path: str = "/lessons/new"
    bad_path: str = "/Lessons/New"
    purpose: str = "Plan one lesson and save it as a draft"
    sections: tuple[str, ...] = ("header with draft status", "lesson form", "objectives", "materials", "save bar")
    html: str = MOCKUP_HTML
    css: str | None = MOCKUP_CSS
    brief: str = BRIEF
    observation: str = (
        "The brief asks for a page where teachers plan one lesson: title, grade, subject, "
        "objectives and materials, saved as a draft."
    )
    users: str = "Teachers preparing next week's lessons, usually on a laptop."
    actions: tuple[str, ...] = ("enter title, grade and subject", "list objectives and materials", "save as draft")
    inference: str = "A single focused form fits better than a multi-step wizard: five fields, one save."
    alternatives: tuple[str, ...] = ("multi-step wizard", "inline editing on the list")


PLAN_A_LESSON = NewPage()
COLLECTIONS = NewPage(
    name="Collections",
    path="/collections",
    bad_path="/My Collections",
    purpose="See, create and share collections of lessons",
    sections=("header with New collection button", "filter by visibility", "collection card grid", "empty state"),
    html=COLLECTIONS_HTML,
    css=None,
    brief=(
        "Teachers want to group lessons into collections, like boards, and share them with colleagues: "
        "a page listing their collections with the number of lessons and who can see each one."
    ),
    observation=(
        "The brief asks for a page listing a teacher's collections of lessons, each with its lesson "
        "count and who can see it, and a way to share them."
    ),
    users="Teachers curating lessons for a unit, and colleagues they share collections with.",
    actions=("see all my collections", "create a collection", "see who can see each one"),
    inference="A card grid like the lesson library fits: collections are browsed visually, a few dozen at most.",
    alternatives=("a table of collections", "collections as a sidebar of the lesson library"),
)


def page_creator_turn(c: Conversation, page: NewPage = PLAN_A_LESSON) -> list[dict[str, Any]]:
    """The model's answer to this request: a page-creator run in eleven turns, with a tool error
    it recovers from (turn 4) and a question only the person can answer (turn 8)."""
    run, project = c.run_id, c.project_id
    turns: list[Callable[[], list[dict[str, Any]]]] = [
        lambda: [
            text("I'll start from the brief, then look at the project."),
            thought(c, "tu_00_brief", "observation", page.observation, 0.9, source_description="the brief"),
            use("tu_00_project", "get_project", project_id=project),
        ],
        lambda: [
            use("tu_01_purpose", "record_answer", run_id=run, key="page_purpose", answer=page.purpose),
            use("tu_01_users", "record_answer", run_id=run, key="primary_users", answer=page.users),
            use("tu_01_actions", "record_answer", run_id=run, key="key_actions", answer=list(page.actions)),
            thought(
                c,
                "tu_01_form",
                "inference",
                page.inference,
                0.7,
                [c.result("tu_00_brief")["id"]],
                alternatives=list(page.alternatives),
            ),
            use("tu_01_advance", "advance_wizard", run_id=run, to_phase="gather-context"),
        ],
        lambda: [
            use("tu_02_pages", "list_pages", project_id=project),
            use("tu_02_design", "get_design_system", project_id=project),
        ],
        lambda: [
            thought(
                c,
                "tu_03_context",
                "observation",
                f"The project has {len(c.result('tu_02_pages')['items'])} page(s) so far; the new page "
                f"should follow the design system's primary colour for its main action.",
                0.8,
                [c.result("tu_01_form")["id"], c.trace("tu_02_pages")],
            ),
            use("tu_03_advance", "advance_wizard", run_id=run, to_phase="define-structure"),
        ],
        lambda: [
            use("tu_04_name", "record_answer", run_id=run, key="page_name", answer=page.name),
            use("tu_04_path", "record_answer", run_id=run, key="page_path", answer=page.path),
            use("tu_04_sections", "record_answer", run_id=run, key="page_sections", answer=list(page.sections)),
            thought(
                c,
                "tu_04_decision",
                "decision",
                f"Create the page '{page.name}' at {page.path} with its sections top to bottom.",
                0.8,
                [c.result("tu_03_context")["id"]],
                alternatives=["a modal over the lesson list"],
            ),
            use(
                "tu_04_create",
                "create_page",
                project_id=project,
                name=page.name,
                path=page.bad_path,
                purpose=page.purpose,
                wizard_generated=True,
            ),
        ],
        lambda: [
            text(f"The path was refused: paths are lowercase with hyphens. Creating it again with {page.path}."),
            use(
                "tu_05_create",
                "create_page",
                project_id=project,
                name=page.name,
                path=page.path,
                purpose=page.purpose,
                wizard_generated=True,
                key_elements=list(page.sections),
            ),
        ],
        lambda: [
            use(
                "tu_06_decision",
                "record_decision",
                run_id=run,
                decision=f"Page '{page.name}' at {page.path}",
                thought_id=c.result("tu_04_decision")["id"],
                rationale=page.inference,
                alternatives=["a modal over the lesson list"],
            ),
            use("tu_06_advance", "advance_wizard", run_id=run, to_phase="design-mockup"),
        ],
        lambda: [
            use(
                "tu_07_mockup",
                "create_mockup_version",
                page_id=c.result("tu_05_create")["id"],
                changed_by="wizard",
                change_description="First mockup, sections as agreed, primary red action.",
                html_content=page.html,
                **({"css_content": page.css} if page.css else {}),
            ),
            use("tu_07_advance", "advance_wizard", run_id=run, to_phase="review-consistency"),
        ],
        lambda: [
            use("tu_08_check", "check_mockup_consistency", page_id=c.result("tu_05_create")["id"]),
            use(
                "tu_08_ask",
                "ask_user",
                run_id=run,
                ask_key="mockup_feedback",
                question=f"Does this first mockup of '{page.name}' do what you need? I would keep it as it is.",
                options=["Looks right", "Change the layout"],
                depends_on=[c.result("tu_04_decision")["id"]],
            ),
        ],
        lambda: [
            thought(
                c,
                "tu_09_feedback",
                "observation",
                "The person approved the mockup as it is; no second version is needed.",
                0.95,
                [c.result("tu_08_ask")["question"]["id"]],
                source_description="the person's answer",
            ),
            use("tu_09_advance", "advance_wizard", run_id=run, to_phase="finalize"),
        ],
        lambda: [
            use("tu_10_page", "get_page", page_id=c.result("tu_05_create")["id"]),
            thought(
                c,
                "tu_10_summary",
                "decision",
                f"The page '{page.name}' ({page.path}) with mockup version 1 is ready for review.",
                0.85,
                [c.result("tu_04_decision")["id"], c.result("tu_09_feedback")["id"]],
            ),
            use(
                "tu_10_complete",
                "complete_wizard",
                run_id=run,
                summary=f"Created '{page.name}' at {page.path} with mockup v1 ({', '.join(page.sections)}). "
                f"Open: who may see a shared item before it is saved.",
                created=[f"page:{c.result('tu_05_create')['id']}"],
            ),
        ],
    ]
    return turns[c.turn]()


def message(content: list[dict[str, Any]], turn: int) -> dict[str, Any]:
    """A Messages API response body."""
    uses_tools = any(b["type"] == "tool_use" for b in content)
    return {
        "id": f"msg_{turn:02d}",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": "tool_use" if uses_tools else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1000 + 100 * turn, "output_tokens": 50 + turn},
    }


class FakeAnthropic:
    """The Anthropic HTTP API, scripted: records every request the SDK sends; `failures` maps a
    request number (1-based, counting every attempt) to an injected failure."""

    def __init__(self, failures: dict[int, str] | None = None, page: NewPage = PLAN_A_LESSON):
        self.requests: list[dict[str, Any]] = []
        self.failures = dict(failures or {})
        self.page = page

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        failure = self.failures.get(len(self.requests))
        if failure == "429":
            return httpx2.Response(
                429,
                json={
                    "type": "error",
                    "error": {
                        "type": "rate_limit_error",
                        "message": "Number of requests has exceeded your rate limit.",
                    },
                },
            )
        if failure == "drop":
            raise httpx2.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        c = Conversation(body)
        return httpx2.Response(200, json=message(page_creator_turn(c, self.page), c.turn))

    def client(self, api_key: str, *, max_retries: int) -> Any:
        from anthropic import AsyncAnthropic

        return AsyncAnthropic(
            api_key="test-key",
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler)),
        )
