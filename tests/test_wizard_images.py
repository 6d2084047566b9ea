"""A render a driven wizard asks for reaches the model as a picture: the tool result carries the
image to the Anthropic API and through MCP sampling, and survives being stored and resumed."""

from flexos_mcp.wizard.backends import sampling_messages
from flexos_mcp.wizard.driver import ToolOutcome, tool_result_block

PNG = "iVBORw0KGgo="  # base64 of a PNG's first bytes: enough to follow it through


def test_a_render_goes_to_the_model_as_an_image_block():
    outcome = ToolOutcome(
        False, "Rendered 'Home' v1 at mobile", {"page_height": 900}, ({"media_type": "image/png", "data": PNG},)
    )
    stored = outcome.as_result()  # what the run keeps, as JSON
    block = tool_result_block("toolu_1", stored)
    assert block["content"] == [
        {"type": "text", "text": "Rendered 'Home' v1 at mobile"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
    ]
    (message,) = sampling_messages([{"role": "user", "content": [block]}])
    (result,) = message.content
    assert [part.type for part in result.content] == ["text", "image"]
    assert result.content[1].data == PNG and result.content[1].mime_type == "image/png"


def test_results_without_images_stay_plain_text():
    block = tool_result_block("toolu_2", ToolOutcome(False, "ok", None).as_result())
    assert block["content"] == "ok"
    assert "images" not in ToolOutcome(False, "ok", None).as_result()
