"""What every tool call's arguments go through before the tool's own validation, so each rule is
applied once for all tools (present and future):

- unknown argument names are refused with the valid ones;
- text passed on exactly as a tool returned it, inside a `<user-content>` block, is unwrapped
  (flexos_mcp/untrusted.py), so a value read and written back is stored as it was, not nested;
- `null` for an optional argument means "left out" (only a Clearable argument, whose schema
  admits null, keeps it: there null clears the stored value);
- `project_id` takes a project's slug as well as its id: the slug is looked up among the
  caller's own projects (another user's slug answers exactly like a missing one).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError

from ..analysis.shown import json_shown
from ..domain import projects
from ..untrusted import unwrap
from .params import PROJECT_REFERENCE
from .schema_slim import admits_null
from .state import scope_of
from .validation import unknown_arguments_message


def checked_arguments(tool_name: str, arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments with the null rule applied and boundary blocks unwrapped; unknown names refused."""
    properties = schema.get("properties", {})
    unknown = sorted(set(arguments) - set(properties))
    if unknown:
        raise ToolError(unknown_arguments_message(tool_name, unknown, list(properties)))
    required = set(schema.get("required", []))
    return {
        name: unwrap(value)
        for name, value in arguments.items()
        if value is not None or name in required or admits_null(properties.get(name))
    }


async def with_project_ids(tool_name: str, arguments: dict[str, Any], context: Any) -> dict[str, Any]:
    """`project_id` given as a slug replaced by that project's id (see the module docstring)."""
    reference = arguments.get(PROJECT_REFERENCE)
    if not isinstance(reference, str) or _is_uuid(reference):
        return arguments
    project_id = await projects.project_id_for_slug(scope_of(context), reference)
    if project_id is None:
        raise ToolError(
            f"No project with slug {json_shown(reference)} (`{PROJECT_REFERENCE}`) was found in your "
            f"projects; `{PROJECT_REFERENCE}` takes a project's id (a UUID) or its slug. Call "
            f"list_projects to see your projects' ids and slugs, then call {tool_name} again. "
            f"Nothing was changed."
        )
    return {**arguments, PROJECT_REFERENCE: str(project_id)}


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


_PROJECT_URI = re.compile(r"^(flexos://projects/)([^/?#]+)(.*)$")


async def with_project_id_in_uri(uri: str, context: Any) -> str:
    """A resource URI naming a project by slug (flexos://projects/lesson-library/outline) with the
    slug replaced by the project's id; unchanged when it names no project of the caller's."""
    match = _PROJECT_URI.match(uri)
    if match is None or _is_uuid(match[2]):
        return uri
    project_id = await projects.project_id_for_slug(scope_of(context), match[2])
    return uri if project_id is None else f"{match[1]}{project_id}{match[3]}"
