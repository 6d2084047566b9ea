"""Database errors, translated into messages a model can act on. No SQLSTATE, no driver text.

Constraint names are the schema's vocabulary; `CONSTRAINT_MESSAGES` says, for each rule a caller
can break, which field it concerns and what is valid. A domain module adds its own with
`register_constraint_messages`.
"""

from __future__ import annotations

import asyncpg

from ..errors import Conflict, DatabaseUnavailable, FlexError, InvalidInput
from .availability import is_unavailable, unavailable_message

# constraint name -> (field, what is valid / what to do)
CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "valid_path": (
        "path",
        "must start with '/' and use only lowercase letters, digits, '-' and '/', e.g. /dashboard/settings.",
    ),
    "pages_project_id_path_key": (
        "path",
        "another page of this project already has this path; choose another path or update that page.",
    ),
    "pages_project_slug_key": ("slug", "another page of this project already has this slug; choose another."),
    "pages_parent_no_cycle": (
        "parent_id",
        "that parent would make the page its own ancestor; choose a page that is not below it.",
    ),
    "pages_parent_not_self": ("parent_id", "a page cannot be its own parent."),
    "pages_parent_fkey": ("parent_id", "no such page in this project."),
    "projects_user_slug_key": (
        "slug",
        "you already have a project with this slug; choose another or leave slug out to derive one.",
    ),
    "users_username_key": ("username", "that username is taken; choose another."),
    "users_email_key": ("email", "a user with that email already exists."),
    "valid_type": ("type", "must be one of web-app, mobile-app, pwa, api, fullstack."),
    "valid_project_status": ("status", "must be one of active, archived, template."),
    "valid_project_color": ("color", "must be a hex colour #RRGGBB, e.g. #DC2626."),
    "valid_project_slug": (
        "slug",
        "use lowercase letters and digits separated by single hyphens, e.g. lesson-library.",
    ),
    "design_systems_project_id_key": ("project_id", "this project already has a design system; update it instead."),
    "mockups_page_id_version_key": (
        "version",
        "that version already exists for this page; versions are numbered by the server.",
    ),
    "inferred_entities_project_id_entity_name_key": (
        "entity_name",
        "this project already has an entity with that name; update it instead.",
    ),
    "flow_nodes_canvas_id_key": ("canvas_node_id", "another node of this flow already has that canvas id."),
    # Rules the database keeps for every writer (migrations 0009, 0010).
    "thoughts_depends_on_acyclic": (
        "depends_on",
        "that would make a dependency cycle: a thought cannot rest, even "
        "indirectly, on a thought that rests on it. Depend only on earlier "
        "thoughts (thought_impact lists what rests on this one).",
    ),
    "mockups_version_never_reused": (
        "version",
        "that version number was already used by this page (perhaps by a deleted "
        "version); numbers are never reused. Leave version out to get the next one.",
    ),
    "mockups_version_fixed": ("version", "a version's page and number never change; save a new version instead."),
    "pages_mockup_version_only_grows": (
        "last_mockup_version",
        "a page's version counter only grows, so a version number is never given out twice.",
    ),
}


def register_constraint_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Called by a domain module for the constraints its records can break."""
    for name, entry in messages.items():
        if CONSTRAINT_MESSAGES.get(name, entry) != entry:
            raise ValueError(f"constraint {name} is explained twice, differently")
        CONSTRAINT_MESSAGES[name] = entry


def explain_database_error(exc: BaseException) -> FlexError:
    """Turn a driver exception into the FlexError a caller should see."""
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return FlexError(
            "This server runs read-only (--read-only), so nothing can be changed. "
            "Ask the user to start it without --read-only to make changes."
        )
    if isinstance(exc, asyncpg.QueryCanceledError):
        return FlexError(
            "The query ran longer than the statement timeout (FLEXOS_STATEMENT_TIMEOUT_MS) and "
            "was cancelled; nothing was changed. Narrow the request (filters, a smaller limit) "
            "and try again."
        )
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        return Conflict("The change collided with a concurrent change and was rolled back; call the tool again.")
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        name = getattr(exc, "constraint_name", None) or ""
        if name in CONSTRAINT_MESSAGES:
            field, advice = CONSTRAINT_MESSAGES[name]
            if isinstance(exc, asyncpg.UniqueViolationError):
                return Conflict(f"Invalid {field}: {advice} Nothing was saved.")
            return InvalidInput(field, f"{advice} Nothing was saved.")
        if isinstance(exc, asyncpg.UniqueViolationError):
            return Conflict(f"A record like this already exists (rule {name or 'unique'}); nothing was saved.")
        if isinstance(exc, asyncpg.ForeignKeyViolationError):
            return FlexError(
                f"A referenced record does not exist in this project (rule {name}); nothing was saved. "
                f"Check the ids you passed."
            )
        return FlexError(f"The values break a rule of the data model ({name or 'constraint'}); nothing was saved.")
    if isinstance(exc, asyncpg.StringDataRightTruncationError):
        return FlexError("A text value is longer than its field allows; shorten it. Nothing was saved.")
    if isinstance(exc, asyncpg.NumericValueOutOfRangeError):
        return FlexError("A number is out of the range its field allows; nothing was saved.")
    if isinstance(exc, asyncpg.UntranslatableCharacterError | asyncpg.CharacterNotInRepertoireError):
        return FlexError(
            "A text value contains characters PostgreSQL cannot store (such as NUL bytes); "
            "remove them. Nothing was saved."
        )
    if is_unavailable(exc):
        return DatabaseUnavailable(unavailable_message(exc))
    return FlexError("The database refused the request; nothing was changed. The server's log has the details.")
