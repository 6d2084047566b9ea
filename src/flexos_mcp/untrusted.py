"""Text that a person, a web page or a model wrote is data, never instructions. Wherever such
text goes back to a model it travels inside a `<user-content>` block, so a page purpose or a
mockup that says "ignore previous instructions" cannot steer the model that reads it.

One rule, declared where the field is declared: a field of an output model (domain/) typed `Untrusted`
(text), `UntrustedList` (a list of texts) or `UntrustedJson` (free-form JSON whose string
values people or models wrote) is wrapped when the model is serialised to JSON — in a tool's
structured result, its text block and every resource alike. Inside the block the closing marker
is escaped (in any letter case), so the text cannot end the block early. Python code that reads
the models (`model_dump()`, attribute access) sees the plain text.

Which fields are free text: everything a person or a model wrote in their own words — names,
titles, descriptions, purposes, briefs, answers, reasoning, feedback, notes, requirement and
rule lists, labels, mockup HTML/CSS/JS, context content. Not wrapped: ids, enum values, numbers,
dates, pattern-checked identifiers (slugs, paths, URLs, hex colours, token paths), and values
our own code computed (counts, extracted colours).

A block that comes back as an argument (a model passing on text it read) is unwrapped again by
`server/arguments.py`, so reading and writing a value round-trips without nesting blocks.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, overload

from pydantic import PlainSerializer, SerializationInfo

OPEN = "<user-content>"
CLOSE = "</user-content>"
_CLOSING = re.compile(r"<(\s*)/(\s*user-content)", re.IGNORECASE)
_ESCAPED_CLOSING = re.compile(r"<\\/(\s*user-content)", re.IGNORECASE)
_WHOLE_BLOCK = re.compile(r"\A<user-content>(.*)</user-content>\Z", re.DOTALL)
RAW = {"untrusted": "raw"}  # serialisation context that leaves the text unwrapped (for exports)


@overload
def user_content(text: str) -> str: ...
@overload
def user_content(text: None) -> None: ...
def user_content(text: str | None) -> str | None:
    """`text` inside a <user-content> block, its closing markers neutralised."""
    if text is None:
        return None
    return OPEN + _CLOSING.sub(r"<\\/\2", text) + CLOSE


def unwrap(value: Any) -> Any:
    """A value as it was before `user_content` (deep, for JSON): a string that is exactly one
    block loses the block; anything else is returned unchanged."""
    if isinstance(value, str):
        match = _WHOLE_BLOCK.match(value)
        return _ESCAPED_CLOSING.sub(r"</\1", match[1]) if match and CLOSE not in match[1] else value
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    if isinstance(value, dict):
        return {key: unwrap(item) for key, item in value.items()}
    return value


def wrap_strings(value: Any) -> Any:
    """Every string inside a JSON value wrapped (keys are left as they are)."""
    if isinstance(value, str):
        return user_content(value)
    if isinstance(value, list):
        return [wrap_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: wrap_strings(item) for key, item in value.items()}
    return value


def _serialise(wrap: Any, shape: Any) -> Any:
    def serialise(value: Any, info: SerializationInfo) -> Any:
        return value if info.context == RAW else wrap(value)

    return PlainSerializer(serialise, return_type=shape, when_used="json")


Untrusted = Annotated[str, _serialise(user_content, str)]
UntrustedList = Annotated[list[Any], _serialise(wrap_strings, list[Any])]
UntrustedJson = Annotated[dict[str, Any], _serialise(wrap_strings, dict[str, Any])]
UntrustedValue = Annotated[Any, _serialise(wrap_strings, Any)]


def wrap_under(value: Any, keys: frozenset[str]) -> Any:
    """`value` (JSON) with the values found under any of `keys` wrapped, at any depth."""
    if isinstance(value, list):
        return [wrap_under(item, keys) for item in value]
    if isinstance(value, dict):
        return {key: wrap_strings(item) if key in keys else wrap_under(item, keys) for key, item in value.items()}
    return value


def json_with_untrusted(*keys: str) -> Any:
    """Computed JSON (e.g. design tokens) that carries some text people wrote under known keys
    (a token's `note`): only those values are wrapped, the computed rest stays as it is."""
    chosen = frozenset(keys)
    return Annotated[dict[str, Any], _serialise(lambda value: wrap_under(value, chosen), dict[str, Any])]
