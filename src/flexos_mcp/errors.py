"""Errors the domain raises on purpose. Each message is written for the model that made the call:
what was wrong, which field, what is valid, what to do next. The MCP layer turns them into tool
errors unchanged; anything else is an internal fault and its text never leaves the server."""

from __future__ import annotations

import json
from typing import Any


def quoted(text: str) -> str:
    """A value as it appears in an error text: a JSON string (quoted, escaped, never Python's repr)."""
    return json.dumps(text, ensure_ascii=False)


class FlexError(Exception):
    """A failure the caller can act on."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as (class, message, field), whatever the subclass's own constructor takes, so
        an error raised in a compute worker reaches the caller as the same class and text."""
        return _rebuild, (type(self), self.message, self.field)


def _rebuild(cls: type[FlexError], message: str, field: str | None) -> FlexError:
    error = cls.__new__(cls)
    FlexError.__init__(error, message, field=field)
    return error


class NotFound(FlexError):
    """No such record visible to the acting user. Another user's record answers exactly the same."""

    def __init__(self, kind: str, ident: object, *, field: str | None = None, hint: str | None = None):
        where = f" ({field})" if field else ""
        message = f"No {kind} with id {ident}{where} was found in your projects."
        message += " " + (hint or f"Check the id, or list your {kind}s to find the right one.")
        super().__init__(message, field=field)


class InvalidInput(FlexError):
    """An argument has a value the rules do not allow."""

    def __init__(self, field: str, message: str):
        super().__init__(f"Invalid {field}: {message}", field=field)


class Conflict(FlexError):
    """The call would break a uniqueness or state rule (a duplicate, a finished run...)."""


class DatabaseUnavailable(FlexError):
    """PostgreSQL cannot be reached or used; the message names the URL and what to do."""
