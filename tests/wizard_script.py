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
from typing import Any

import httpx2

MODEL = "claude-sonnet-4-5"
BRIEF = ("Teachers need a page to plan a new lesson step by step: title, grade, subject, objectives "
         "and materials, then save it as a draft to share later.")

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
MOCKUP_CSS = (".top { padding: 24px; background: #DC2626; color: #FFFFFF; }\n"
              ".form { display: grid; gap: 16px; padding: 24px; }\n"
              ".primary { background: #DC2626; color: #FFFFFF; border-radius: 8px; padding: 12px 16px; }")


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

    def result(self, tool_use_id: str) -> Any:
        content = self.results[tool_use_id]["content"]
        text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
        return json.loads(text)

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


def thought(c: Conversation, tool_id: str, kind: str, reasoning: str, confidence: float,
            depends_on: list[str] = (), **extra: Any) -> dict[str, Any]:
    return use(tool_id, "log_thought", run_id=c.run_id, thought_type=kind, reasoning=reasoning,
               confidence=confidence, depends_on=list(depends_on), **extra)


def page_creator_turn(c: Conversation) -> list[dict[str, Any]]:
    """The model's answer to this request: a page-creator run in eleven turns, with a tool error
    it recovers from (turn 4) and a question only the person can answer (turn 8)."""
    run, project = c.run_id, c.project_id
    turns: list[Callable[[], list[dict[str, Any]]]] = [
        lambda: [
            text("I'll start from the brief, then look at the project."),
            thought(c, "tu_00_brief", "observation",
                    "The brief asks for a page where teachers plan one lesson: title, grade, subject, objectives "
                    "and materials, saved as a draft.", 0.9, source_description="the brief"),
            use("tu_00_project", "get_project", project_id=project),
        ],
        lambda: [
            use("tu_01_purpose", "record_answer", run_id=run, key="page_purpose",
                answer="Plan one lesson step by step and save it as a draft."),
            use("tu_01_users", "record_answer", run_id=run, key="primary_users",
                answer="Teachers preparing next week's lessons, usually on a laptop."),
            use("tu_01_actions", "record_answer", run_id=run, key="key_actions",
                answer=["enter title, grade and subject", "list objectives and materials", "save as draft"]),
            thought(c, "tu_01_form", "inference",
                    "A single focused form fits better than a multi-step wizard: five fields, one save.", 0.7,
                    [c.result("tu_00_brief")["id"]], alternatives=["multi-step wizard", "inline editing on the list"]),
            use("tu_01_advance", "advance_wizard", run_id=run, to_phase="gather-context"),
        ],
        lambda: [
            use("tu_02_pages", "list_pages", project_id=project),
            use("tu_02_design", "get_design_system", project_id=project),
        ],
        lambda: [
            thought(c, "tu_03_context", "observation",
                    f"The project has {len(c.result('tu_02_pages')['items'])} page(s) so far; the new page "
                    f"should follow the design system's primary colour for its main action.", 0.8,
                    [c.result("tu_01_form")["id"]]),
            use("tu_03_advance", "advance_wizard", run_id=run, to_phase="define-structure"),
        ],
        lambda: [
            use("tu_04_name", "record_answer", run_id=run, key="page_name", answer="Plan a lesson"),
            use("tu_04_path", "record_answer", run_id=run, key="page_path", answer="/lessons/new"),
            use("tu_04_sections", "record_answer", run_id=run, key="page_sections",
                answer=["header with draft status", "lesson form", "objectives", "materials", "save bar"]),
            thought(c, "tu_04_decision", "decision",
                    "Create the page 'Plan a lesson' under /lessons with the form sections top to bottom.", 0.8,
                    [c.result("tu_03_context")["id"]], alternatives=["a modal over the lesson list"]),
            use("tu_04_create", "create_page", project_id=project, name="Plan a lesson", path="/Lessons/New",
                purpose="Plan one lesson and save it as a draft", wizard_generated=True),
        ],
        lambda: [
            text("The path was refused: paths are lowercase. Creating it again with /lessons/new."),
            use("tu_05_create", "create_page", project_id=project, name="Plan a lesson", path="/lessons/new",
                purpose="Plan one lesson and save it as a draft", wizard_generated=True,
                key_elements=["lesson form", "objectives list", "materials list", "save draft button"]),
        ],
        lambda: [
            use("tu_06_decision", "record_decision", run_id=run, decision="Page 'Plan a lesson' at /lessons/new",
                thought_id=c.result("tu_04_decision")["id"], rationale="One focused form, as the brief describes.",
                alternatives=["a modal over the lesson list"]),
            use("tu_06_advance", "advance_wizard", run_id=run, to_phase="design-mockup"),
        ],
        lambda: [
            use("tu_07_mockup", "create_mockup_version", page_id=c.result("tu_05_create")["id"],
                html_content=MOCKUP_HTML, css_content=MOCKUP_CSS, changed_by="wizard",
                change_description="First mockup: one form with objectives and materials, red save button."),
            use("tu_07_advance", "advance_wizard", run_id=run, to_phase="review-consistency"),
        ],
        lambda: [
            use("tu_08_check", "check_mockup_consistency", page_id=c.result("tu_05_create")["id"]),
            use("tu_08_ask", "ask_user", run_id=run, ask_key="mockup_feedback",
                question="Does this first mockup of 'Plan a lesson' do what you need? I would keep the single form.",
                options=["Looks right", "Split it into steps"],
                depends_on=[c.result("tu_04_decision")["id"]]),
        ],
        lambda: [
            thought(c, "tu_09_feedback", "observation",
                    "The person approved the mockup as it is; no second version is needed.", 0.95,
                    [c.result("tu_08_ask")["question"]["id"]], source_description="the person's answer"),
            use("tu_09_advance", "advance_wizard", run_id=run, to_phase="finalize"),
        ],
        lambda: [
            use("tu_10_page", "get_page", page_id=c.result("tu_05_create")["id"]),
            thought(c, "tu_10_summary", "decision",
                    "The page 'Plan a lesson' (/lessons/new) with mockup version 1 is ready for review.", 0.85,
                    [c.result("tu_04_decision")["id"], c.result("tu_09_feedback")["id"]]),
            use("tu_10_complete", "complete_wizard", run_id=run,
                summary="Created 'Plan a lesson' at /lessons/new with mockup v1 (one form: title, grade, subject, "
                        "objectives, materials, save draft). Open: whether drafts can be shared before saving.",
                created=[f"page:{c.result('tu_05_create')['id']}"]),
        ],
    ]
    return turns[c.turn]()


def message(content: list[dict[str, Any]], turn: int) -> dict[str, Any]:
    """A Messages API response body."""
    uses_tools = any(b["type"] == "tool_use" for b in content)
    return {"id": f"msg_{turn:02d}", "type": "message", "role": "assistant", "model": MODEL, "content": content,
            "stop_reason": "tool_use" if uses_tools else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 1000 + 100 * turn, "output_tokens": 50 + turn}}


class FakeAnthropic:
    """The Anthropic HTTP API, scripted: records every request the SDK sends; `failures` maps a
    request number (1-based, counting every attempt) to an injected failure."""

    def __init__(self, failures: dict[int, str] | None = None):
        self.requests: list[dict[str, Any]] = []
        self.failures = dict(failures or {})

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        failure = self.failures.get(len(self.requests))
        if failure == "429":
            return httpx2.Response(429, json={"type": "error", "error": {
                "type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit."}})
        if failure == "drop":
            raise httpx2.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        c = Conversation(body)
        return httpx2.Response(200, json=message(page_creator_turn(c), c.turn))

    def client(self, api_key: str, *, max_retries: int) -> Any:
        from anthropic import AsyncAnthropic

        return AsyncAnthropic(api_key="test-key", max_retries=0,
                              http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler)))
