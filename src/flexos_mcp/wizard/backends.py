"""The models that can drive a wizard: Claude through the Anthropic API, or the connected MCP
client's own model through sampling. Both take the same transcript (Anthropic message format:
`{"role", "content": [text | tool_use | tool_result blocks]}`) and give back one `ModelTurn`, so
the driver does not care which one answers.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..config import DEFAULT_MODEL

BackendName = Literal["anthropic", "sampling"]

# The protocol versions on which a server may send requests to the client while a tool runs
# (sampling/createMessage); 2026-07-28 moved them into the input-required round trip.
BACK_CHANNEL_PROTOCOLS = ("2025-11-25",)

NO_MODEL_MESSAGE = (
    "No model is available to drive the wizard. Either set ANTHROPIC_API_KEY in the server's "
    f"environment (and optionally FLEXOS_MODEL, default {DEFAULT_MODEL}) so FlexOS calls Claude "
    "itself, or connect with an MCP client that supports sampling with tools (protocol 2025-11-25, "
    "capability sampling.tools) so the wizard runs on your own model. You can also run the wizard "
    "yourself: get the prompt named after the wizard type (prompts/get) and follow it with the tools."
)


class ModelUnavailable(Exception):
    """No backend can serve this call; the message says what to configure."""


class ModelCallFailed(Exception):
    """The model call failed after the backend's own retries; the run can be resumed later."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass
class ModelTurn:
    """One answer of the model: content blocks in Anthropic format, why it stopped, usage."""

    content: list[dict[str, Any]]
    stop_reason: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    id: str | None = None
    tool_uses: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.tool_uses = [block for block in self.content if block.get("type") == "tool_use"]


class Backend(Protocol):
    name: BackendName
    model: str

    async def create(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]], max_tokens: int
    ) -> ModelTurn: ...


def merged_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive messages of one role joined into one (the Messages API alternates roles)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {"role": message["role"], "content": [*merged[-1]["content"], *message["content"]]}
        else:
            merged.append({"role": message["role"], "content": list(message["content"])})
    return merged


def _normalised_blocks(blocks: list[Any]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for block in blocks:
        kind = getattr(block, "type", None)
        if kind == "text":
            content.append({"type": "text", "text": block.text})
        elif kind == "tool_use":
            content.append({"type": "tool_use", "id": block.id, "name": block.name, "input": dict(block.input or {})})
    return content


def make_anthropic_client(api_key: str, *, max_retries: int) -> Any:
    """The SDK client; the SDK retries 429, 5xx, 529 and dropped connections itself, with backoff.
    Tests replace this function to put a fake HTTP transport under the real SDK."""
    from anthropic import AsyncAnthropic

    return AsyncAnthropic(api_key=api_key, max_retries=max_retries, timeout=300)


class AnthropicBackend:
    name: BackendName = "anthropic"

    def __init__(self, api_key: str, model: str, *, max_retries: int = 4, client: Any = None):
        self.model = model
        self.client = client or make_anthropic_client(api_key, max_retries=max_retries)

    async def create(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]], max_tokens: int
    ) -> ModelTurn:
        import anthropic

        try:
            response = await self.client.messages.create(
                model=self.model,
                max_tokens=max_tokens,
                # The system prompt is long and stable within a phase: let the API cache it.
                system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                tools=tools,
                messages=merged_messages(messages),
            )
        except anthropic.APIStatusError as exc:
            retryable = exc.status_code in (408, 409, 429) or exc.status_code >= 500
            raise ModelCallFailed(
                f"the Anthropic API answered {exc.status_code}: {_api_message(exc)}", retryable=retryable
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise ModelCallFailed(f"could not reach the Anthropic API ({type(exc).__name__}: {exc})") from exc
        except anthropic.APIError as exc:
            raise ModelCallFailed(f"the Anthropic API call failed: {exc}") from exc
        usage = response.usage
        return ModelTurn(
            content=_normalised_blocks(response.content),
            stop_reason=response.stop_reason or "end_turn",
            model=response.model,
            input_tokens=usage.input_tokens
            + (usage.cache_read_input_tokens or 0)
            + (usage.cache_creation_input_tokens or 0),
            output_tokens=usage.output_tokens,
            id=response.id,
        )


def _api_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(exc)


# ---- MCP sampling -------------------------------------------------------------------------------

_STOP_REASONS = {
    "toolUse": "tool_use",
    "endTurn": "end_turn",
    "maxTokens": "max_tokens",
    "stopSequence": "stop_sequence",
}


def client_can_sample_with_tools(ctx: Any) -> bool:
    """The connected client declared sampling with tools, on a protocol where the server can ask
    it while a tool call is in progress."""
    try:
        capabilities = ctx.client_capabilities
        protocol = ctx.request_context.protocol_version
    except (ValueError, AttributeError):
        return False
    sampling = getattr(capabilities, "sampling", None) if capabilities else None
    return bool(sampling and sampling.tools is not None and protocol in BACK_CHANNEL_PROTOCOLS)


def sampling_messages(messages: list[dict[str, Any]]) -> list[Any]:
    """The transcript as MCP sampling messages (tool results travel in messages of their own)."""
    import mcp_types as t

    converted: list[Any] = []
    for message in messages:
        results = [b for b in message["content"] if b.get("type") == "tool_result"]
        others = [b for b in message["content"] if b.get("type") != "tool_result"]
        if results:
            converted.append(
                t.SamplingMessage(
                    role="user",
                    content=[
                        t.ToolResultContent(
                            tool_use_id=b["tool_use_id"],
                            is_error=bool(b.get("is_error")),
                            content=[t.TextContent(type="text", text=_result_text(b)), *_result_images(b)],
                        )
                        for b in results
                    ],
                )
            )
        blocks: list[Any] = []
        for b in others:
            if b["type"] == "text":
                blocks.append(t.TextContent(type="text", text=b["text"]))
            elif b["type"] == "tool_use":
                blocks.append(t.ToolUseContent(id=b["id"], name=b["name"], input=b["input"]))
        if blocks:
            converted.append(t.SamplingMessage(role=message["role"], content=blocks))
    return converted


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


def _result_images(block: dict[str, Any]) -> list[Any]:
    """The images of a tool result (a render), as MCP image content."""
    import mcp_types as t

    content = block.get("content")
    return [
        t.ImageContent(type="image", data=part["source"]["data"], mime_type=part["source"]["media_type"])
        for part in (content if isinstance(content, list) else [])
        if isinstance(part, dict) and part.get("type") == "image"
    ]


class SamplingBackend:
    """The connected client's model, asked through `sampling/createMessage` with our tools."""

    name: BackendName = "sampling"

    def __init__(self, ctx: Any, tools: list[Any]):
        self.ctx = ctx
        self.mcp_tools = tools
        self.model = "client model"

    async def create(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]], max_tokens: int
    ) -> ModelTurn:
        import mcp_types as t
        from mcp.shared.exceptions import MCPError, NoBackChannelError

        wanted = {tool["name"] for tool in tools}
        try:
            with warnings.catch_warnings():
                # Sampling is deprecated from protocol 2026-07-28 on; we only use it before that.
                warnings.simplefilter("ignore")
                result = await self.ctx.session.create_message(
                    sampling_messages(messages),
                    max_tokens=max_tokens,
                    system_prompt=system,
                    tools=[tool for tool in self.mcp_tools if tool.name in wanted],
                    tool_choice=t.ToolChoice(mode="auto"),
                    related_request_id=self.ctx.request_id,
                )
        except NoBackChannelError as exc:
            raise ModelCallFailed(
                "this connection cannot carry requests to the client (e.g. stateless HTTP), "
                "so the client's model cannot be asked; continue the run with model_source "
                "'anthropic' or over stdio",
                retryable=False,
            ) from exc
        except MCPError as exc:
            raise ModelCallFailed(
                f"the client's model could not answer (sampling error {exc.error.code}: {exc.error.message})"
            ) from exc
        content: list[dict[str, Any]] = []
        for block in result.content_as_list:
            if block.type == "text":
                content.append({"type": "text", "text": block.text})
            elif block.type == "tool_use":
                content.append({"type": "tool_use", "id": block.id, "name": block.name, "input": dict(block.input)})
        stop = _STOP_REASONS.get(result.stop_reason or "", result.stop_reason or "end_turn")
        if stop != "tool_use" and any(b["type"] == "tool_use" for b in content):
            stop = "tool_use"
        self.model = result.model
        return ModelTurn(content=content, stop_reason=stop, model=result.model)


def tool_for_anthropic(tool: Any) -> dict[str, Any]:
    """An MCP tool (from tools/list) as the Messages API's tool definition."""
    return {
        "name": tool.name,
        "description": tool.description or tool.title or tool.name,
        "input_schema": tool.input_schema,
    }


def short_json(value: Any, limit: int = 240) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
