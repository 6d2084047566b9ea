"""Infer the data model an app needs from its screens.

A mockup already says what the app stores: a signup form has the user's fields, a "new lesson"
form the lesson's, a lessons table or a grid of lesson cards shows which lesson fields are read,
a delete button says where a record is deleted. This module reads the current mockup HTML of
every page (plus the entity names that features declare in `data_operations`) and returns
entities in the seed's `inferred_entities` JSON shapes, so a person can confirm or correct them.

Everything is deterministic and explainable: each field lists the pages it was seen on and a
confidence that grows with independent sightings. Mockup HTML is untrusted and often broken, so
it is parsed with a real HTML5 parser (Lexbor) and only ever read, never executed.

Field spec keys (besides the seed's type/required/unique/max_length/validation/inferred_from/
confidence/primary): `label` (the human label seen), `enum_values`, `multiple` (a list of values),
`sensitive` (passwords), `file` (a non-image upload stored as a URL), `target_entity` (for
`reference` fields).
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape as html_unescape
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .inflection import (
    entity_name_from_phrase,
    pluralize,
    singularize,
    snake_case,
    word_set,
    words_of,
)

__all__ = [
    "FIELD_TYPES",
    "assemble_entities",
    "infer_entities",
    "merge_inferred",
    "page_seeds",
    "pages_to_read",
    "pluralize",
    "read_page",
    "singularize",
]

FIELD_TYPES = (
    "uuid",
    "string",
    "email",
    "url",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "enum",
    "text",
    "image",
    "reference",
)
CRUD_OPERATIONS = ("create", "read", "update", "delete")
USER_ENTITY = "User"

# How much one sighting of a field is worth, by where it was seen.
CONFIDENCE_FORM_LABELLED = 0.9
CONFIDENCE_FORM_UNLABELLED = 0.75
CONFIDENCE_DATA_FIELD = 0.85
CONFIDENCE_DISPLAY = 0.7
CONFIDENCE_LIST_RELATION = 0.6

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HEADING_SELECTOR = ",".join(_HEADING_TAGS)

# --- vocabularies -------------------------------------------------------------------------------

# Words that name the signed-in user's own record, wherever they appear (paths, buttons, headings).
_USER_ALIAS_WORDS = {
    "user",
    "users",
    "account",
    "profile",
    "me",
    "signup",
    "register",
    "registration",
    "login",
    "signin",
    "auth",
}
_AUTH_CREATE_WORDS = {"signup", "register", "registration"}
_AUTH_READ_WORDS = {"login", "signin"}
_USER_PATH_ROOTS = {
    "signup",
    "sign-up",
    "register",
    "registration",
    "join",
    "login",
    "log-in",
    "signin",
    "sign-in",
    "profile",
    "account",
    "my-account",
    "me",
    "settings",
    "auth",
}
_CREATE_VERBS = {
    "create",
    "add",
    "new",
    "publish",
    "post",
    "submit",
    "share",
    "upload",
    "write",
    "register",
    "signup",
    "send",
    "compose",
}
_UPDATE_VERBS = {"save", "update", "edit", "change", "modify"}
_DELETE_WORDS = {"delete", "remove", "destroy", "trash"}
# Words in a form's id/class that name a screen, not the record it writes (settings-form).
_NON_ENTITY_IDENTIFIER_WORDS = {
    "settings",
    "preferences",
    "options",
    "config",
    "configuration",
    "horizontal",
    "inline",
    "vertical",
    "demo",
    "sample",
    "example",
    "basic",
    "default",
    "validation",
    "wizard",
    "floating",
    "group",
    "label",
    "left",
    "right",
    "center",
    "top",
    "bottom",
}
_ARTICLES = {"a", "an", "the", "your", "my", "new", "this", "our"}
# Objects of a verb that are fields or UI, not entities ("Save changes", "Update password").
_NON_ENTITY_OBJECTS = {
    "changes",
    "it",
    "now",
    "draft",
    "all",
    "details",
    "info",
    "information",
    "here",
    "continue",
    "form",
    "password",
    "email",
    "name",
    "avatar",
    "photo",
    "picture",
    "bio",
    "preferences",
    "notifications",
    "username",
    "settings",
    "selected",
    "item",
    "items",
    "entry",
    "record",
}
# Path segments that say what a page does to the entity named before them.
_PATH_CRUD_SEGMENTS = {
    "new": "create",
    "create": "create",
    "add": "create",
    "edit": "update",
    "update": "update",
    "detail": "read",
    "details": "read",
    "view": "read",
    "show": "read",
}
# Path words that name the messages of a mail screen rather than an entity of their own.
_MAIL_PATH_WORDS = {"inbox": None, "mailbox": None, "outbox": None, "compose": "create"}
MESSAGE_ENTITY = "Message"
# Last words of a compound path segment that list records (user-management, order-list).
_PATH_LIST_SUFFIXES = {"management", "list", "listing", "index", "overview"}
_PATH_NON_ENTITIES = {
    "api",
    "app",
    "admin",
    "dashboard",
    "home",
    "index",
    "about",
    "pricing",
    "help",
    "faq",
    "faqs",
    "docs",
    "terms",
    "privacy",
    "search",
    "explore",
    "browse",
    "feed",
    "stats",
    "tools",
    "features",
    "overview",
    "welcome",
    "onboarding",
}
# Words that name a kind of screen or widget, not the records on it: a /tables or /ui-buttons page
# shows demo tables and buttons, and "Authors table" lists authors.
_UI_KIND_WORDS = {
    "table",
    "tables",
    "datatable",
    "datatables",
    "form",
    "forms",
    "ui",
    "chart",
    "charts",
    "widget",
    "widgets",
    "component",
    "components",
    "element",
    "elements",
    "typography",
    "button",
    "buttons",
    "icon",
    "icons",
    "modal",
    "modals",
    "alert",
    "alerts",
    "badge",
    "badges",
    "layout",
    "layouts",
    "example",
    "examples",
    "demo",
    "demos",
    "sample",
    "samples",
    "basic",
    "advanced",
    "editable",
    "blank",
    "empty",
}
_ID_SEGMENT = re.compile(r"^(?:\d+|:[\w-]+|\[[^\]]+\]|\{[^}]+\}|[0-9a-f-]{32,36})$")
# Field names that refer to a person: a reference to User when User is part of the model.
_PERSON_ROLES = {
    "author",
    "owner",
    "creator",
    "user",
    "member",
    "assignee",
    "reviewer",
    "uploader",
    "organizer",
    "host",
    "poster",
    "created_by",
    "posted_by",
    "written_by",
    "uploaded_by",
}
_UNIQUE_FIELD_NAMES = {"email", "username", "user_name", "handle", "slug"}
# Leading words of control ids that are boilerplate, not data names (inputEmail, exampleFirstName).
_ID_BOILERPLATE_PREFIXES = {"input", "inp", "txt", "example", "field", "fld", "ctl", "tb"}
# Ids made only of these words (flexCheckDefault, customCheck1) name no data: the label decides.
_GENERIC_ID_WORDS = {
    "flex",
    "check",
    "checkbox",
    "default",
    "custom",
    "example",
    "input",
    "switch",
    "radio",
    "checked",
    "control",
    "select",
    "field",
}
# A second copy of a field typed to confirm the first (password_confirm, retype_password).
_CONFIRMATION_WORDS = {"confirm", "confirmation", "repeat", "retype", "again", "verify"}
# Controls that are UI state or duplicates, not stored data.
_SKIPPED_CONTROL_NAMES = {
    "id",
    "csrf",
    "csrf_token",
    "csrfmiddlewaretoken",
    "token",
    "authenticity_token",
    "confirm_password",
    "password_confirmation",
    "password_confirm",
    "repeat_password",
    "confirm_email",
    "remember",
    "remember_me",
    "redirect",
    "next",
    "return_to",
    "utf8",
    "method",
    "honeypot",
}
# Words in a form's id/class/label or the first word of its button that make it a query of a list
# (search, filter, sort), never a record of its own.
_QUERY_FORM_WORDS = {"search", "filter", "filters", "sort", "query", "refine"}
_QUERY_SUBMIT_WORDS = {"search", "filter", "find", "go", "apply", "sort", "refine"}
# Names of the one control of a rating widget: a field of the rated record, not an entity.
_RATING_FIELD_NAMES = {"rating", "rate", "stars", "star", "score", "vote", "votes"}
# Field names that say the same thing; one entity keeps one of them.
_SYNONYM_FIELDS = (
    {"name", "full_name"},
    {"email", "email_address"},
    {"phone", "phone_number"},
    {"zip", "zip_code", "postal_code", "postcode"},
    {"date_of_birth", "birth_date", "birthday", "dob"},
)
_FILTER_CONTROL_NAMES = {
    "q",
    "query",
    "search",
    "filter",
    "filters",
    "sort",
    "sort_by",
    "order",
    "order_by",
    "page",
    "per_page",
    "limit",
    "offset",
}
_ENUM_FIELD_NAMES = {"status", "role", "type", "kind", "state", "category", "priority", "visibility"}
_TEXT_FIELD_NAMES = {"description", "bio", "body", "content", "summary", "notes", "comment", "message", "about"}
# First segments of class names that are CSS-framework utilities/components, not data names.
_UTILITY_PREFIXES = {
    "img",
    "position",
    "material",
    "stat",
    "cell",
    "option",
    "chip",
    "status",
    "settings",
    "theme",
    # components and icon fonts of Bootstrap 3-5, AdminLTE, Material and common icon sets
    "avatar",
    "sidenav",
    "mdi",
    "ti",
    "ni",
    "feather",
    "ri",
    "bx",
    "bxs",
    "la",
    "las",
    "lab",
    "ion",
    "glyphicon",
    "custom",
    "pull",
    "well",
    "label",
    "close",
    "collapse",
    "fade",
    "show",
    "brand",
    "lead",
    "display",
    "fw",
    "fs",
    "lh",
    "link",
    "ratio",
    "vstack",
    "hstack",
    "g",
    "gx",
    "gy",
    "offset",
    "info",
    "small",
    "callout",
    "ribbon",
    "direct",
    "jumbotron",
    "clearfix",
    "text",
    "font",
    "bg",
    "p",
    "px",
    "py",
    "pt",
    "pb",
    "pl",
    "pr",
    "ps",
    "pe",
    "m",
    "mx",
    "my",
    "mt",
    "mb",
    "ml",
    "mr",
    "ms",
    "me",
    "w",
    "h",
    "min",
    "max",
    "size",
    "flex",
    "grid",
    "gap",
    "space",
    "divide",
    "rounded",
    "border",
    "shadow",
    "ring",
    "outline",
    "items",
    "justify",
    "self",
    "place",
    "content",
    "inline",
    "block",
    "hidden",
    "leading",
    "tracking",
    "opacity",
    "transition",
    "duration",
    "ease",
    "delay",
    "animate",
    "col",
    "row",
    "order",
    "overflow",
    "z",
    "top",
    "left",
    "right",
    "bottom",
    "inset",
    "absolute",
    "relative",
    "fixed",
    "sticky",
    "static",
    "object",
    "aspect",
    "line",
    "truncate",
    "uppercase",
    "lowercase",
    "capitalize",
    "italic",
    "underline",
    "no",
    "cursor",
    "select",
    "pointer",
    "sr",
    "not",
    "container",
    "list",
    "fill",
    "stroke",
    "from",
    "to",
    "via",
    "scale",
    "rotate",
    "translate",
    "skew",
    "origin",
    "backdrop",
    "blur",
    "filter",
    "whitespace",
    "break",
    "decoration",
    "placeholder",
    "align",
    "table",
    "float",
    "clear",
    "box",
    "visible",
    "invisible",
    "shrink",
    "grow",
    "basis",
    "accent",
    "caret",
    "appearance",
    "resize",
    "scroll",
    "snap",
    "touch",
    "will",
    "indent",
    "antialiased",
    "tabular",
    "columns",
    "auto",
    "isolate",
    "mix",
    "brightness",
    "contrast",
    "grayscale",
    "hue",
    "invert",
    "saturate",
    "sepia",
    "drop",
    "peer",
    "group",
    "prose",
    "dark",
    "sm",
    "md",
    "lg",
    "xl",
    "hover",
    "focus",
    "active",
    "disabled",
    "first",
    "last",
    "odd",
    "even",
    "transform",
    "btn",
    "card",
    "form",
    "nav",
    "navbar",
    "badge",
    "d",
    "input",
    "modal",
    "dropdown",
    "alert",
    "breadcrumb",
    "page",
    "pagination",
    "progress",
    "spinner",
    "toast",
    "tooltip",
    "fa",
    "fas",
    "far",
    "fab",
    "bi",
    "icon",
    "mat",
    "v",
    "el",
    "ant",
    "is",
    "has",
    "column",
    "level",
    "media",
    "hero",
    "section",
    "tile",
    "title",
    "subtitle",
    "wrapper",
    "js",
    "u",
    "o",
    "c",
    "l",
    "x",
    "ui",
    "site",
    "main",
    "header",
    "footer",
    "sidebar",
    "app",
    "layout",
}
# Last words of class names that name a UI container of an entity (lesson-card, lessons-list).
_ROLE_SUFFIXES = {
    "card",
    "item",
    "row",
    "tile",
    "entry",
    "list",
    "grid",
    "container",
    "wrapper",
    "preview",
    "summary",
    "teaser",
    "listing",
    "block",
    "box",
    "panel",
    "link",
    "table",
    "form",
    "section",
    "feed",
}
# Remainders of class names that are UI parts, not fields (user-menu, lesson-actions).
_UI_PART_WORDS = {
    "view",
    "pic",
    "img",
    "filter",
    "filters",
    "search",
    "sort",
    "toolbar",
    "pagination",
    "pager",
    "menu",
    "nav",
    "navbar",
    "dropdown",
    "button",
    "btn",
    "icon",
    "link",
    "links",
    "toggle",
    "wrapper",
    "container",
    "card",
    "list",
    "item",
    "items",
    "row",
    "rows",
    "header",
    "footer",
    "section",
    "panel",
    "actions",
    "action",
    "grid",
    "wrap",
    "inner",
    "outer",
    "form",
    "modal",
    "tooltip",
    "label",
    "group",
    "block",
    "box",
    "area",
    "bar",
    "tab",
    "tabs",
    "overlay",
    "placeholder",
    "skeleton",
    "loading",
    "empty",
    "error",
    "meta",
    "info",
    "details",
    "media",
    "body_wrapper",
    "col",
    "column",
}
EMPLOYEE_ENTITY = "Employee"
# Last words of entity names that are people (their table rows show a photo beside the name).
_PERSON_ENTITY_WORDS = {
    "user",
    "author",
    "member",
    "employee",
    "customer",
    "contact",
    "person",
    "staff",
    "student",
    "teacher",
    "client",
    "patient",
    "candidate",
    "agent",
}
# Columns that say the rows are people employed somewhere.
_EMPLOYMENT_COLUMNS = {"position", "office", "salary", "department", "start_date", "hire_date", "hired", "job_title"}
# Columns that count what a line of an invoice or order is for.
_QUANTITY_COLUMNS = {"qty", "quantity", "qnt", "units"}
# Column words that name a property of each row, never the rows themselves.
_GENERIC_COLUMN_WORDS = {
    "name",
    "title",
    "date",
    "email",
    "phone",
    "address",
    "location",
    "city",
    "country",
    "value",
    "unit",
    "qnt",
    "username",
    "function",
    "completion",
    "progress",
    "client",
    "user",
    "users",
    "customer",
    "owner",
    "author",
}
# Columns that are controls or row numbers; the record's own id is always the primary key.
_IGNORED_COLUMN_NAMES = {
    "",
    "actions",
    "action",
    "select",
    "options",
    "edit",
    "delete",
    "manage",
    "f_",
    "id",
    "no",
    "sl_no",
    "sr_no",
    "s_no",
    "row",
}
_SKIPPED_GROUP_TAGS = {
    "option",
    "optgroup",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "col",
    "colgroup",
    "source",
    "track",
    "br",
    "hr",
    "input",
    "label",
    "script",
    "style",
    "path",
    "svg",
    "g",
    "meta",
    "link",
}

_SEMANTIC_TOKEN = re.compile(r"^[a-z][a-z0-9]*(?:(?:-|__|_)[a-z0-9]+)+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_HUMAN_DATE = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{4}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2})$",
    re.IGNORECASE,
)
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_VALUE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_INTEGER_VALUE = re.compile(r"^-?\d{1,3}(?:,\d{3})+$|^-?\d+$")
# A measured amount: optional currency sign, thousands separators, an optional unit after it.
_NUMBER_VALUE = re.compile(
    r"^[-\u2212]?[$€£¥]?\s?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
    r"|^[-\u2212]?[$€£¥]?\s?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"  # 1.800,00: thousands by dots
    r"|^[-\u2212]?[$€£¥]?\s?\d+(?:\.\d+)?\s*(?:/\s*\d+|%|★|stars?|[kmgt]?b|kg|g|km|m|h|hrs?|min|mins|s)?$",
    re.IGNORECASE,
)
# Field names that hold amounts or counts whatever the (possibly empty) cells show.
_NUMBER_FIELD_NAMES = {
    "total",
    "subtotal",
    "amount",
    "price",
    "cost",
    "budget",
    "salary",
    "tax",
    "shipping",
    "fee",
    "balance",
    "revenue",
    "mrr",
    "arr",
    "discount",
}
_INTEGER_FIELD_NAMES = {"qty", "quantity", "count", "age", "items", "stock", "progress"}
# Last words of field names that record when something happened (joined, last_active).
_EVENT_FIELD_WORDS = {
    "joined",
    "created",
    "updated",
    "released",
    "published",
    "employed",
    "active",
    "seen",
    "modified",
    "posted",
    "sent",
    "received",
    "time",
}
# Last words of names of identifiers that look numeric (order number, zip, serial).
_IDENTIFIER_WORDS = {"number", "no", "code", "sku", "serial", "zip", "postcode", "isbn", "phone"}
_PICTURE_WORDS = {"avatar", "photo", "picture", "image", "logo", "thumbnail", "thumb"}
# A secondary line of a cell or card that dates the record: "Created 01.01.2019".
_EVENT_LINE = re.compile(r"^([A-Za-z]+)\s*:?\s+(.+)$")
_BOOLEAN_VALUES = {"yes", "no", "true", "false"}
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")


# --- small HTML helpers ---------------------------------------------------------------------------


def _text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return " ".join(node.text(separator=" ", strip=True).split())


def _attr(node: LexborNode, name: str) -> str:
    value = node.attributes.get(name)
    return value.strip() if isinstance(value, str) else ""


def _has_attr(node: LexborNode, name: str) -> bool:
    return name in node.attributes


def _classes(node: LexborNode) -> list[str]:
    return _attr(node, "class").split()


def _ancestors(node: LexborNode, limit: int = 64) -> Iterator[LexborNode]:
    current = node.parent
    while current is not None and limit > 0:
        if current.tag in ("html", "-document", "#document"):
            return
        yield current
        current = current.parent
        limit -= 1


def _inside(node: LexborNode, tags: set[str]) -> bool:
    return any(a.tag in tags for a in _ancestors(node))


def _walk(root: LexborNode) -> Iterator[tuple[LexborNode, int]]:
    """Pre-order element walk with depth, iterative so hostile nesting cannot hit the recursion limit."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        children = [c for c in node.iter() if c.is_element_node]
        stack.extend((c, depth + 1) for c in reversed(children))


def _is_title(node: LexborNode) -> bool:
    """A heading element, or an element a template styles as one (card-title, x_title)."""
    return (
        node.tag in _HEADING_TAGS
        or _attr(node, "role") == "heading"
        or any(words_of(cls)[-1:] == ["title"] for cls in _classes(node))
    )


def _nearest_heading(node: LexborNode, levels: int = 4, siblings: int = 12) -> str:
    """Text of the closest heading before `node` (its previous siblings, then its ancestors')."""
    current = node
    for _ in range(levels):
        sib, steps = current.prev, 0
        while sib is not None and steps < siblings:
            if sib.is_element_node:
                if sib.tag in _HEADING_TAGS:
                    return _text(sib)
                if node.tag == "table" and (sib.tag == "table" or sib.css_first("table") is not None):
                    return ""  # a heading above an earlier table names that table's rows
                # a heading inside a previous table's cell names a row (a person), not what follows
                inner = [n for n in sib.css(_HEADING_SELECTOR) if not _inside(n, {"td", "th"})] or [
                    n for n in sib.css("[role=heading],[class*=title]") if _is_title(n) and not _inside(n, {"td", "th"})
                ]
                if inner:
                    return _text(inner[-1])
            sib, steps = sib.prev, steps + 1
        parent = current.parent
        if parent is None or parent.tag in ("body", "html"):
            break
        current = parent
    return ""


def _semantic_tokens(node: LexborNode) -> list[str]:
    """Class names that can carry data names (lesson-title), not framework utilities (text-lg)."""
    tokens = []
    for cls in _classes(node):
        if not _SEMANTIC_TOKEN.match(cls):
            continue
        first = re.split(r"-|__|_", cls, maxsplit=1)[0]
        if first in _UTILITY_PREFIXES:
            continue
        tokens.append(cls)
    return tokens


def _token_segments(token: str) -> list[str]:
    return [s for s in re.split(r"-|__|_", token) if s]


# --- entity naming from hints --------------------------------------------------------------------


def _user_alias(words: list[str]) -> bool:
    joined = " ".join(words)
    return bool(_USER_ALIAS_WORDS.intersection(words)) or any(
        phrase in joined for phrase in ("sign up", "sign in", "log in", "my account")
    )


def _auth_operation(words: list[str]) -> str | None:
    """'create' for signup wording, 'read' for login wording, else None."""
    joined = " ".join(words)
    if _AUTH_CREATE_WORDS.intersection(words) or "sign up" in joined or "create account" in joined:
        return "create"
    if _AUTH_READ_WORDS.intersection(words) or "sign in" in joined or "log in" in joined:
        return "read"
    return None


def _entity_from_object_words(words: list[str]) -> str:
    """The entity named by the object of an action ("a new lesson plan" -> LessonPlan)."""
    while words and words[0] in _ARTICLES:
        words = words[1:]
    if not words or len(words) > 2 or not all(w.isalpha() for w in words):
        return ""
    if words[-1] in _NON_ENTITY_OBJECTS or words[-1] in _CREATE_VERBS | _UPDATE_VERBS | _DELETE_WORDS:
        return ""
    if _user_alias(words):
        return USER_ENTITY
    return entity_name_from_phrase(" ".join(words))


def _entity_from_action_text(text: str) -> str:
    """'Create lesson' -> Lesson, 'Create account' / 'Sign up' -> User, 'Save changes' -> ''."""
    words = [w for w in words_of(text) if w.isalpha()]
    if not words:
        return ""
    if _auth_operation(words):
        return USER_ENTITY
    verbs = _CREATE_VERBS | _UPDATE_VERBS | _DELETE_WORDS
    if words[0] in verbs:
        return _entity_from_object_words(words[1:])
    if len(words) in (2, 3) and words[-1] in {"add", "new", "create", "edit", "update"}:
        return _entity_from_object_words(words[:-1])  # "Project Add", "Lesson Plan Edit"
    return ""


def _entity_from_identifier(identifier: str) -> str:
    """'new-lesson-form' -> Lesson, 'signup-form' -> User, 'form1' -> ''."""
    words = [
        w
        for w in words_of(identifier)
        if w not in {"form", "new", "edit", "create", "add", "update", "js", "main", "modal"}
    ]
    if _NON_ENTITY_IDENTIFIER_WORDS.intersection(words):
        return ""
    if not words or len(words) > 2 or not all(w.isalpha() for w in words):
        return ""
    if _user_alias(words):
        return USER_ENTITY
    return entity_name_from_phrase(" ".join(words))


def _known_entity_in_text(text: str, known: set[str]) -> str:
    """The longest known entity named in free text ('Recent lesson plans' -> LessonPlan)."""
    words = words_of(text)
    best = ""
    for name in known:
        name_words = words_of(name)
        plural_words = words_of(pluralize(name))
        for candidate in (name_words, plural_words):
            n = len(candidate)
            if any(words[i : i + n] == candidate for i in range(len(words) - n + 1)) and (
                len(name_words) > len(words_of(best)) or (len(name_words) == len(words_of(best)) and name < best)
            ):
                best = name
    return best


# Words of the headings of a UI kit's demos ("Hoverable rows", "Contextual classes", "Sidebar
# colors"): such a heading shows a variant of a widget, so it names no record.
_DEMO_HEADING_WORDS = {
    "hoverable",
    "striped",
    "bordered",
    "borderless",
    "contextual",
    "variant",
    "variants",
    "configurator",
    "sidebar",
    "theme",
    "themes",
}
# Nouns that name the parts and looks of widgets, never records (rows, classes, panels, colours).
_WIDGET_NOUNS = {"row", "column", "class", "color", "colour", "panel", "card", "variant", "theme", "style"}


def _names_widget(entity: str) -> bool:
    """A Row, Class, Panel or SidebarColor is a widget's part or look, not a record."""
    words = words_of(entity)
    return bool(words) and singularize(words[-1]) in _WIDGET_NOUNS


def _entity_from_heading(text: str, known: set[str]) -> str:
    """A heading names an entity when it mentions a known one, or ends in a plural noun; a known
    entity followed by a plural noun names a compound ("Order notes" -> OrderNote). Trailing words
    that name the widget go first ("Authors table" -> Author)."""
    heading_words = words_of(text)
    if set(heading_words) & _DEMO_HEADING_WORDS:
        return ""
    while heading_words and heading_words[-1] in _UI_KIND_WORDS | {"list", "lists"}:
        heading_words.pop()
    text = " ".join(heading_words)
    found = _known_entity_in_text(text, known)
    words = [w for w in words_of(text) if w.isalpha()]
    if found:
        name_words = words_of(found)
        n = len(name_words)
        ends = [i for i in range(len(words) - n) if [singularize(w) for w in words[i : i + n]] == name_words]
        if (
            ends
            and ends[-1] + n == len(words) - 1
            and singularize(words[-1]) != words[-1]
            and words[-1] not in _UI_PART_WORDS
        ):
            return entity_name_from_phrase(" ".join(name_words + words[-1:]))
        return found
    if not words:
        return ""
    if _user_alias(words[-1:]):
        return USER_ENTITY
    last = words[-1]
    if singularize(last) != last and not _names_widget(last):
        return entity_name_from_phrase(last)
    return ""


@dataclass(frozen=True)
class _PathInfo:
    entity: str = ""
    operation: str | None = None  # create / update / read (login) implied by the path
    detail: bool = False  # the page shows one record of `entity`


def _path_info(path: str) -> _PathInfo:
    """What a page path says: /lessons/new -> (Lesson, create), /lessons/42 -> (Lesson, detail),
    /signup -> (User, create), /login -> (User, read), /settings/profile -> (User, update)."""
    segments = [s.lower() for s in (path or "").split("/") if s]
    if not segments:
        return _PathInfo()
    if segments[0] in _USER_PATH_ROOTS:
        words = [w for s in segments for w in words_of(s)]
        auth = _auth_operation(words) or ("create" if segments[0] == "join" else None)
        return _PathInfo(USER_ENTITY, auth or "update", detail=auth is None)
    operation, detail, after_marker = None, False, False
    for segment in reversed(segments):
        if _ID_SEGMENT.match(segment):
            detail, after_marker = True, True
            continue
        if segment in _PATH_CRUD_SEGMENTS:
            op = _PATH_CRUD_SEGMENTS[segment]
            if op == "read":
                detail = True
            else:
                operation = op
            after_marker = True
            continue
        words = words_of(segment)
        if segment in _PATH_NON_ENTITIES or _UI_KIND_WORDS.intersection(words):
            return _PathInfo()
        if len(words) == 1 and words[0] in _MAIL_PATH_WORDS:
            return _PathInfo(MESSAGE_ENTITY, operation or _MAIL_PATH_WORDS[words[0]], detail)
        if len(words) > 1 and (words[-1] in _PATH_CRUD_SEGMENTS or words[-1] in _PATH_LIST_SUFFIXES):
            # one segment naming entity and action: project-add, order_detail, user-management
            suffix_op = _PATH_CRUD_SEGMENTS.get(words[-1])
            rest = words[:-1]
            entity = USER_ENTITY if _user_alias(rest) else entity_name_from_phrase(" ".join(rest))
            return _PathInfo(
                entity, operation or (suffix_op if suffix_op != "read" else None), detail or suffix_op == "read"
            )
        plural = bool(words) and singularize(words[-1]) != words[-1]
        if plural or after_marker:
            return _PathInfo(entity_name_from_phrase(segment), operation, detail)
        return _PathInfo()
    return _PathInfo()


# --- evidence collection -------------------------------------------------------------------------


@dataclass
class _Sighting:
    """One field seen once on one page."""

    spec: dict[str, Any]
    slug: str
    confidence: float
    from_form: bool


@dataclass
class _Evidence:
    fields: dict[str, list[_Sighting]] = field(default_factory=lambda: defaultdict(list))
    crud: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pages: set[str] = field(default_factory=set)
    features: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    lists: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # entity -> slugs
    has_form: bool = False


class _Collector:
    def __init__(self) -> None:
        self.entities: dict[str, _Evidence] = defaultdict(_Evidence)

    def see_field(
        self, entity: str, name: str, spec: dict[str, Any], slug: str, confidence: float, from_form: bool
    ) -> None:
        evidence = self.entities[entity]
        evidence.fields[name].append(_Sighting(spec, slug, confidence, from_form))
        evidence.pages.add(slug)

    def see_operation(self, entity: str, operation: str, slug: str) -> None:
        evidence = self.entities[entity]
        evidence.crud[operation].add(slug)
        evidence.pages.add(slug)


# --- form controls -------------------------------------------------------------------------------


def _clean_label(text: str) -> tuple[str, bool]:
    """Strip decoration from a label; the bool says the label marked the field as required."""
    required = "*" in text
    text = re.sub(r"\((?:optional|required)\)", "", text, flags=re.IGNORECASE)
    text = text.replace("*", "").strip().rstrip(":").strip()
    return " ".join(text.split()), required


class _Labels:
    """Finds the human label of a control: <label for>, wrapping <label>, aria-*, placeholder."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.by_for: dict[str, LexborNode] = {}
        for label in tree.css("label[for]"):
            self.by_for.setdefault(_attr(label, "for"), label)
        self.by_id: dict[str, LexborNode] = {}
        for node in tree.css("[id]"):
            self.by_id.setdefault(_attr(node, "id"), node)

    def label_of(self, control: LexborNode) -> tuple[str, bool]:
        control_id = _attr(control, "id")
        if control_id and control_id in self.by_for:
            return _clean_label(_text(self.by_for[control_id]))
        for ancestor in _ancestors(control, limit=6):
            if ancestor.tag == "label":
                own = ancestor.clone()
                for inner in own.css("select, textarea, input"):
                    inner.decompose()
                return _clean_label(_text(own))
        if _attr(control, "aria-label"):
            return _clean_label(_attr(control, "aria-label"))
        labelled_by = _attr(control, "aria-labelledby").split()
        if labelled_by and labelled_by[0] in self.by_id:
            return _clean_label(_text(self.by_id[labelled_by[0]]))
        sibling = control.prev
        while sibling is not None and not sibling.is_element_node:
            sibling = sibling.prev
        if sibling is not None and sibling.tag == "label" and not _attr(sibling, "for"):
            return _clean_label(_text(sibling))
        for attribute in ("placeholder", "title"):
            if _attr(control, attribute):
                return _clean_label(_attr(control, attribute))
        return "", False


def _group_label(control: LexborNode) -> tuple[str, bool]:
    """A radio/checkbox group is labelled by its fieldset legend, not by one option's label."""
    for ancestor in _ancestors(control, limit=8):
        if ancestor.tag == "fieldset":
            legend = ancestor.css_first("legend")
            return _clean_label(_text(legend)) if legend is not None else ("", False)
    return "", False


def _anchored_pattern(pattern: str) -> str | None:
    """HTML `pattern` must match the whole value; store it anchored, and only if Python can use it."""
    if not pattern:
        return None
    anchored = pattern if pattern.startswith("^") and pattern.endswith("$") else f"^(?:{pattern})$"
    try:
        re.compile(anchored)
    except re.error:
        return None
    return anchored


def _number(text: str) -> int | float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


def _numeric_spec(control: LexborNode) -> dict[str, Any]:
    """<input type=number>: integers unless `step` allows fractions (HTML's default step is 1)."""
    step = _attr(control, "step").lower()
    fractional = step == "any" or ("." in step) or any("." in _attr(control, bound) for bound in ("min", "max"))
    spec: dict[str, Any] = {"type": "number" if fractional else "integer"}
    validation = {}
    for bound in ("min", "max"):
        value = _number(_attr(control, bound))
        if value is not None:
            validation[bound] = value
    if validation:
        spec["validation"] = validation
    return spec


def _text_constraints(control: LexborNode, spec: dict[str, Any]) -> dict[str, Any]:
    max_length = _attr(control, "maxlength")
    if max_length.isdigit() and int(max_length) > 0:
        spec["max_length"] = int(max_length)
    pattern = _anchored_pattern(_attr(control, "pattern"))
    min_length = _attr(control, "minlength")
    if pattern or min_length.isdigit():
        validation = dict(spec.get("validation", {}))
        if pattern:
            validation["pattern"] = pattern
        if min_length.isdigit():
            validation["min_length"] = int(min_length)
        spec["validation"] = validation
    return spec


_FIXED_INPUT_SPECS: dict[str, dict[str, Any]] = {
    "email": {"type": "email"},
    "url": {"type": "url"},
    "date": {"type": "date"},
    "datetime-local": {"type": "datetime"},
    "datetime": {"type": "datetime"},
    "time": {"type": "string", "validation": {"pattern": r"^\d{2}:\d{2}(?::\d{2})?$"}},
    "month": {"type": "string", "validation": {"pattern": r"^\d{4}-\d{2}$"}},
    "week": {"type": "string", "validation": {"pattern": r"^\d{4}-W\d{2}$"}},
    "color": {"type": "string", "validation": {"pattern": r"^#[0-9a-fA-F]{6}$"}},
    "password": {"type": "string", "sensitive": True},
}


def _option_values(select: LexborNode) -> list[str]:
    values = []
    for option in select.css("option"):
        value = option.attributes.get("value")
        if value is None:
            value = _text(option)
        value = value.strip()
        if value and value not in values:
            values.append(value)
    return values


def _file_spec(control: LexborNode) -> dict[str, Any]:
    accept = _attr(control, "accept").lower()
    is_image = "image" in accept or any(ext in accept for ext in _IMAGE_EXTENSIONS)
    spec: dict[str, Any] = {"type": "image"} if is_image else {"type": "url", "file": True}
    if _has_attr(control, "multiple"):
        spec["multiple"] = True
    return spec


def _name_based_type(name: str) -> str | None:
    if name in {"email", "email_address"} or name.endswith("_email"):
        return "email"
    if name in {"url", "website", "homepage", "link"} or name.endswith("_url"):
        return "url"
    return None


def _is_postal_code(name: str) -> bool:
    """zip, zip_code, billing_zip, postcode, postal_code: an identifier, stored as text."""
    words = name.split("_")
    return bool({"zip", "zipcode", "postcode", "postal"} & set(words))


def _control_spec(control: LexborNode, name: str, group_values: list[str]) -> dict[str, Any] | None:
    """Field spec of one control, or None for controls that do not hold data."""
    tag = control.tag
    if tag == "textarea":
        return _text_constraints(control, {"type": "text"})
    if tag == "select":
        values = _option_values(control)
        spec: dict[str, Any] = {"type": "enum", "enum_values": values} if values else {"type": "string"}
        if _has_attr(control, "multiple"):
            spec["multiple"] = True
        return spec
    input_type = (_attr(control, "type") or "text").lower()
    if input_type == "number" and _is_postal_code(name):
        return _text_constraints(control, {"type": "string"})  # 02134 keeps its zero; never summed
    if input_type in ("number", "range"):
        return _numeric_spec(control)
    if input_type == "checkbox":
        if len(group_values) >= 2:
            return {"type": "enum", "enum_values": group_values, "multiple": True}
        return {"type": "boolean"}
    if input_type == "radio":
        return {"type": "enum", "enum_values": group_values} if group_values else {"type": "string"}
    if input_type == "file":
        return _file_spec(control)
    if input_type in _FIXED_INPUT_SPECS:
        return _text_constraints(control, copy.deepcopy(_FIXED_INPUT_SPECS[input_type]))
    if input_type in ("text", "tel", ""):
        named = _name_based_type(name)
        return _text_constraints(control, {"type": named or "string"})
    return None  # submit, button, reset, image, search, and anything unknown


@dataclass
class _FormField:
    name: str
    spec: dict[str, Any]
    labelled: bool


def _id_field_name(identifier: str) -> str:
    """The data name in a control id: inputEmail -> email, exampleFirstName -> first_name;
    "" for ids that name no data (flexCheckDefault, check1)."""
    words = words_of(identifier)
    if all(w in _GENERIC_ID_WORDS or w.isdigit() for w in words):
        return ""
    while len(words) > 1 and words[0] in _ID_BOILERPLATE_PREFIXES:
        words = words[1:]
    return "_".join(words)


def _raw_control_name(control: LexborNode, label: str) -> str:
    name = _attr(control, "name")
    if name:
        parts = [p for p in re.findall(r"\[([^\]]*)\]", name) if p and not p.isdigit()]
        return parts[-1] if parts else name.split("[")[0]
    from_id = _id_field_name(_attr(control, "id"))
    if from_id:
        return from_id
    return label if len(label.split()) <= 4 else ""


def _is_confirmation(name: str) -> bool:
    """A second copy typed to confirm another field (password_confirm, retype_password)."""
    words = set(name.split("_"))
    return bool(words & _CONFIRMATION_WORDS) and bool(words & {"password", "pwd", "passwd", "email"})


def _is_filter_control(control: LexborNode, name: str, writing: bool = False) -> bool:
    """A search/filter/sort/pagination control. In a form that writes a record, a control merely
    named like one (`order`, `page`, `limit`) is data: only its type or its container decide."""
    if (_attr(control, "type") or "").lower() == "search" or (name in _FILTER_CONTROL_NAMES and not writing):
        return True
    for ancestor in _ancestors(control, limit=8):
        if _attr(ancestor, "role") == "search":
            return True
        if {"search", "filter", "filters", "toolbar"}.intersection(
            w for cls in _classes(ancestor) for w in words_of(cls)
        ):
            return True
    return False


def _form_fields(controls: list[LexborNode], labels: _Labels, writing: bool = False) -> list[_FormField]:
    """The data fields of a form's controls, in document order, one per field name."""
    groups: dict[str, list[str]] = defaultdict(list)
    for control in controls:
        if (_attr(control, "type") or "").lower() in ("checkbox", "radio"):
            value = control.attributes.get("value")
            if value is not None and value.strip() and value.strip() not in groups[_attr(control, "name")]:
                groups[_attr(control, "name")].append(value.strip())
    fields: list[_FormField] = []
    seen: set[str] = set()
    for control in controls:
        label, starred = labels.label_of(control)
        if len(groups.get(_attr(control, "name"), [])) >= 2:
            label, starred = _group_label(control)
        name = snake_case(_raw_control_name(control, label))
        if not name or name in seen or name in _SKIPPED_CONTROL_NAMES or name.startswith("_") or _is_confirmation(name):
            continue
        if _is_filter_control(control, name, writing):
            continue
        input_type = (_attr(control, "type") or "").lower()
        if control.tag == "input" and input_type == "hidden":
            if not name.endswith("_id"):
                continue
            spec: dict[str, Any] | None = {"type": "reference"}
        else:
            values = groups.get(_attr(control, "name"), []) if input_type in ("checkbox", "radio") else []
            spec = _control_spec(control, name, values)
        if spec is None:
            continue
        spec["required"] = (
            _has_attr(control, "required") or _attr(control, "aria-required").lower() == "true" or starred
        )
        if name in _UNIQUE_FIELD_NAMES:
            spec["unique"] = True
        if label:
            spec["label"] = label
        seen.add(name)
        fields.append(_FormField(name, spec, bool(label)))
    return fields


def _has_existing_values(controls: list[LexborNode]) -> bool:
    """An edit form shows the record's current values; a create form is blank."""
    for control in controls:
        if control.tag == "textarea" and _text(control):
            return True
        input_type = (_attr(control, "type") or "text").lower()
        if (
            control.tag == "input"
            and input_type
            not in ("hidden", "checkbox", "radio", "submit", "button", "reset", "file", "password", "search", "image")
            and _attr(control, "value")
        ):
            return True
    return False


def _submit_text(root: LexborNode) -> str:
    for button in root.css("button, input[type=submit]"):
        if root.tag != "form" and _inside(button, {"form", "nav", "header", "aside", "footer"}):
            continue
        if button.tag == "input":
            return _attr(button, "value") or "Submit"
        if (_attr(button, "type") or "submit").lower() == "submit":
            return _text(button) or _attr(button, "aria-label")
    return ""


# --- the page reader -----------------------------------------------------------------------------


@dataclass
class _Page:
    slug: str
    path: str
    name: str
    tree: LexborHTMLParser
    info: _PathInfo
    labels: _Labels
    scope_entity: dict[int, str] = field(default_factory=dict)  # node mem_id -> entity shown there
    claimed: set[int] = field(default_factory=set)  # node mem_ids already read as fields
    heading_words: set[str] | None = None  # singular words of the page's headings, once read

    def mentions(self, entity: str) -> bool:
        """Whether the page's headings, title or tabs name `entity` (Comments (2) names Comment)."""
        if self.heading_words is None:
            texts = [
                _text(n)
                for n in self.tree.css(
                    _HEADING_SELECTOR + ",title,caption,legend,[class*=title],[role=tab],[class*=tab]"
                )
            ]
            self.heading_words = {singularize(w) for t in texts for w in words_of(t)}
        return all(singularize(w) in self.heading_words for w in words_of(entity))


def _explicit_entity(node: LexborNode, limit: int = 64) -> str:
    """`data-entity` or a microdata `itemtype` on the node or an ancestor."""
    for candidate in [node, *_ancestors(node, limit)]:
        if _attr(candidate, "data-entity"):
            return entity_name_from_phrase(_attr(candidate, "data-entity"))
        if _attr(candidate, "itemtype"):
            return entity_name_from_phrase(_attr(candidate, "itemtype").rstrip("/").rsplit("/", 1)[-1])
    return ""


def _form_entity(page: _Page, root: LexborNode, is_form: bool, known: set[str]) -> str:
    """Which entity a form writes: its own hints first, then its heading, then the page."""
    explicit = _explicit_entity(root, limit=0 if not is_form else 64)
    if explicit:
        return explicit
    if is_form:
        form_classes = [c for c in _classes(root) if "form" in words_of(c)]
        for identifier in (_attr(root, "id"), *form_classes):
            found = _entity_from_identifier(identifier) if identifier else ""
            if found:
                return found
        action = _attr(root, "action")
        if action and not action.startswith(("#", "javascript:", "mailto:")):
            found = _path_info(re.sub(r"^[a-z]+://[^/]+", "", action.split("?")[0])).entity
            if found:
                return found
    found = _entity_from_action_text(_submit_text(root))
    if found:
        return found
    heading = root.css_first(_HEADING_SELECTOR + ",legend") if is_form else None
    heading_text = _text(heading) if heading is not None else _nearest_heading(root)
    words = words_of(heading_text)
    if words and (_auth_operation(words) or _user_alias(words)):
        return USER_ENTITY
    found = _entity_from_action_text(heading_text) or _known_entity_in_text(heading_text, known)
    return found or page.info.entity


def _form_operation(page: _Page, root: LexborNode, controls: list[LexborNode]) -> str:
    """create / update / read(login) for a form, from the page path, its values and its button."""
    submit_words = words_of(_submit_text(root))
    hint_words = words_of(" ".join([_attr(root, "id"), _attr(root, "action"), *_classes(root)]))
    auth = _auth_operation(submit_words) or _auth_operation(hint_words)
    if page.info.operation == "read" or auth == "read":
        return "read"
    if page.info.operation == "create" or auth == "create":
        return "create"
    if page.info.operation == "update" or {"edit", "update"}.intersection(hint_words):
        return "update"
    if _has_existing_values(controls):
        return "update"
    if submit_words and submit_words[0] in _UPDATE_VERBS and "new" not in submit_words:
        return "update"
    return "create"


def _is_query_form(form: LexborNode) -> bool:
    """A form that asks for a list (search, filters, sort) instead of writing a record: role=search,
    an explicit GET, query words in its id/class/label, or a Search/Filter/Apply button."""
    if _attr(form, "role") == "search" or _attr(form, "method").lower() == "get":
        return True
    hints = " ".join([_attr(form, "id"), _attr(form, "name"), _attr(form, "aria-label"), *_classes(form)])
    if _QUERY_FORM_WORDS.intersection(words_of(hints)):
        return True
    submit = words_of(_submit_text(form))
    return bool(submit) and submit[0] in _QUERY_SUBMIT_WORDS


def _is_writing_form(page: _Page, root: LexborNode) -> bool:
    """A form that saves a record: it posts, or its button or the page says create/update."""
    return (
        _attr(root, "method").lower() == "post"
        or page.info.operation in ("create", "update")
        or bool(_entity_from_action_text(_submit_text(root)))
    )


def _see_rating(
    page: _Page, collector: _Collector, root: LexborNode, fields: list[_FormField], known: set[str]
) -> bool:
    """A rating widget (a form whose only control is a rating) rates the record it sits on: its
    value is that record's `rating` field, never an entity. False when `fields` are not one."""
    if len(fields) != 1 or not set(fields[0].name.split("_")) & _RATING_FIELD_NAMES:
        return False
    entity = _explicit_entity(root) or page.info.entity or _known_entity_in_text(_nearest_heading(root), known)
    if entity:
        numbers = [_number(v) for v in fields[0].spec.get("enum_values", [])]
        values = [v for v in numbers if isinstance(v, int)]
        spec: dict[str, object] = {"type": "integer", "required": False}
        if values and len(values) == len(numbers):
            spec["validation"] = {"min": min(values), "max": max(values)}
        collector.see_field(entity, "rating", spec, page.slug, CONFIDENCE_DISPLAY, False)
    return True


def _read_forms(page: _Page, collector: _Collector, known: set[str]) -> None:
    body = page.tree.body
    if body is None:
        return
    units: list[tuple[LexborNode, list[LexborNode], bool]] = []
    for form in body.css("form"):
        if _inside(form, {"footer", "nav"}) or _is_query_form(form):
            continue
        units.append((form, form.css("input, select, textarea"), True))
    # an input outside any form with no name, id or label, only a placeholder ("Type a comment"
    # under a post), is a reply box of the record it sits on, not a field of the page's record
    orphans = [
        c
        for c in body.css("input, select, textarea")
        if not _inside(c, {"form", "footer", "nav"})
        and not _has_attr(c, "form")
        and (_attr(c, "name") or _attr(c, "id") or page.labels.label_of(c)[0] not in (_attr(c, "placeholder"), ""))
    ]
    if orphans and (page.info.operation or _entity_from_action_text(_submit_text(body))):
        units.append((body, orphans, False))
    for root, controls, is_form in units:
        fields = _form_fields(controls, page.labels, _is_writing_form(page, root))
        if not fields or _see_rating(page, collector, root, fields, known):
            continue
        entity = _form_entity(page, root, is_form, known)
        if not entity:
            continue
        operation = _form_operation(page, root, controls)
        collector.see_operation(entity, operation, page.slug)
        if operation in ("create", "update"):
            collector.entities[entity].has_form = True
        for form_field in fields:
            confidence = CONFIDENCE_FORM_LABELLED if form_field.labelled else CONFIDENCE_FORM_UNLABELLED
            collector.see_field(entity, form_field.name, form_field.spec, page.slug, confidence, True)
        page.scope_entity[root.mem_id] = entity
        for control in controls:
            page.claimed.add(control.mem_id)


# --- displayed records: tables, repeated cards, detail pages -------------------------------------


def _display_value(node: LexborNode) -> tuple[str, str | None]:
    """(text value, type implied by the element itself or None)."""
    if node.tag == "img":
        return _attr(node, "src"), "image"
    image = node.css_first("img")
    if image is not None and not _text(node):
        return _attr(image, "src"), "image"
    if node.tag == "time" and _attr(node, "datetime"):
        value = _attr(node, "datetime")
        return value, "datetime" if _ISO_DATETIME.match(value) else "date"
    if node.tag == "a" and _attr(node, "href").lower().startswith("mailto:"):
        return _attr(node, "href")[7:], "email"
    bar = (
        node
        if node.tag == "progress" or _attr(node, "role") == "progressbar"
        else node.css_first("progress, [role=progressbar]")
    )
    if bar is not None:
        return _attr(bar, "aria-valuenow") or _attr(bar, "value"), "integer"
    return _text(node), None


def _sniff_spec(name: str, values: list[str], element_type: str | None) -> dict[str, Any]:
    """Type of a displayed field from the element, the shown values, then the field's name."""
    if element_type:
        return {"type": element_type}
    if name.split("_")[-1] in _IDENTIFIER_WORDS:
        return {"type": "string"}  # digits, but an identifier: never computed with
    shown = [v for v in values if v]
    checks: tuple[tuple[str, Callable[[str], bool]], ...] = (
        ("date", lambda v: bool(_ISO_DATE.match(v) or _HUMAN_DATE.match(v))),
        ("datetime", lambda v: bool(_ISO_DATETIME.match(v))),
        ("email", lambda v: bool(_EMAIL_VALUE.match(v))),
        ("url", lambda v: bool(_URL_VALUE.match(v))),
        ("integer", lambda v: bool(_INTEGER_VALUE.match(v))),
        ("number", lambda v: bool(_NUMBER_VALUE.match(v))),
        ("boolean", lambda v: v.lower() in _BOOLEAN_VALUES),
    )
    if shown:
        for type_name, check in checks:
            if all(check(v) for v in shown):
                if type_name == "date" and name.endswith("_at"):
                    return {"type": "datetime"}  # a timestamp shown as its date
                return {"type": type_name}
    named = _name_based_type(name)
    if named:
        return {"type": named}
    words = name.split("_")
    if name.endswith("_at") or words[-1] in _EVENT_FIELD_WORDS:
        return {"type": "datetime"}
    if words[-1] in _NUMBER_FIELD_NAMES:
        return {"type": "number"}
    if words[-1] in _INTEGER_FIELD_NAMES or name.startswith(("num_", "number_of_")):
        return {"type": "integer"}
    if name == "date" or name.endswith(("_date", "_on")):
        return {"type": "date"}
    if name.startswith(("is_", "has_")):
        return {"type": "boolean"}
    if name in _ENUM_FIELD_NAMES and shown and len(set(shown)) <= 10:
        return {"type": "enum", "enum_values": sorted(set(shown))}
    if name in _TEXT_FIELD_NAMES:
        return {"type": "text"}
    return {"type": "string"}


def _see_displayed(
    collector: _Collector,
    page: _Page,
    entity: str,
    values: dict[str, list[str]],
    element_types: dict[str, str | None],
    confidence: dict[str, float],
) -> None:
    for name in values:
        if (
            name.split("_")[-1] in _PICTURE_WORDS
            and element_types.get(name) != "image"
            and all(len(v) <= 3 for v in values[name])
        ):
            continue  # an avatar drawn from initials ("JD") stores nothing of its own
        spec = _sniff_spec(name, values[name], element_types.get(name))
        spec["required"] = False
        if name in _UNIQUE_FIELD_NAMES:
            spec["unique"] = True
        collector.see_field(entity, name, spec, page.slug, confidence[name], False)
    collector.see_operation(entity, "read", page.slug)


def _without_entity_prefix(name: str, entity: str) -> str:
    """A column named after its entity drops the entity: Project Name on projects -> name."""
    prefix = snake_case(entity) + "_"
    rest = name[len(prefix) :] if name.startswith(prefix) else ""
    return rest if rest and rest not in _IGNORED_COLUMN_NAMES else name


def _key_value_rows(rows: list[LexborNode]) -> list[tuple[str, LexborNode]] | None:
    """(field name, value cell) for a two-column table of labels and values (specs, totals);
    None when the table is not one."""
    pairs = []
    for row in rows:
        cells = [c for c in row.iter() if c.is_element_node and c.tag in ("td", "th")]
        if len(cells) != 2:
            return None
        words = [w for w in words_of(_text(cells[0])) if w.isalpha()]
        if not words or len(words) > 4 or not _text(cells[1]):
            return None
        pairs.append((snake_case(" ".join(words)), cells[1]))
    return pairs if len(pairs) >= 2 else None


def _class_named_columns(rows: list[LexborNode]) -> list[str] | None:
    """Column names of a table without a header whose cells name themselves by class
    (mailbox-name, mailbox-subject, mailbox-date -> name, subject, date); None otherwise."""
    data_rows = [r for r in rows if r.css_first("td") is not None]
    if len(data_rows) < 2:
        return None
    cells = [c for c in data_rows[0].iter() if c.is_element_node and c.tag in ("td", "th")]
    tokens = [next(iter(_semantic_tokens(c)), "") for c in cells]
    prefixes = {_token_segments(t)[0] for t in tokens if t}
    if len(prefixes) != 1 or sum(1 for t in tokens if t) < 2:
        return None
    return [snake_case("_".join(_token_segments(t)[1:])) if t else "" for t in tokens]


def _event_lines(cell: LexborNode) -> list[tuple[str, str]]:
    """("created_at", "01.01.2019") for a secondary line like "Created 01.01.2019" in a cell."""
    found = []
    for line in cell.css("small, span, p, div"):
        match = _EVENT_LINE.match(_text(line))
        if (
            match
            and match.group(1).lower() in _EVENT_FIELD_WORDS
            and (_HUMAN_DATE.match(match.group(2)) or _ISO_DATE.match(match.group(2)))
        ):
            found.append((f"{match.group(1).lower()}_at", match.group(2)))
    return found


def _column_entity(columns: list[str]) -> tuple[str, int]:
    """(entity, index of the column holding each row's name) when a table's columns say what its
    rows are: a first column named by a noun that is no field name ("Author | Function | Status",
    "Project | Client") is the record itself; name, position, office and salary columns are
    employees. ("", -1) otherwise."""
    data_columns = [(i, c) for i, c in enumerate(columns) if c not in _IGNORED_COLUMN_NAMES]
    if len(data_columns) < 2:
        return "", -1
    index, first = data_columns[0]
    if first.isalpha() and singularize(first) == first and not _is_field_word(first):
        return (USER_ENTITY if _user_alias([first]) else entity_name_from_phrase(first)), index
    names = {c for _, c in data_columns}
    if "name" in names and len(_EMPLOYMENT_COLUMNS & names) >= 2:
        return EMPLOYEE_ENTITY, -1
    return "", -1


def _is_field_word(word: str) -> bool:
    """A column word that names a property of a record rather than the record (date, total, office)."""
    return bool(
        word in _GENERIC_COLUMN_WORDS
        or word in _UI_PART_WORDS
        or word in _UI_KIND_WORDS
        or word in _NUMBER_FIELD_NAMES
        or word in _INTEGER_FIELD_NAMES
        or word in _EVENT_FIELD_WORDS
        or word in _IDENTIFIER_WORDS
        or word in _PICTURE_WORDS
        or word in _ENUM_FIELD_NAMES
        or word in _TEXT_FIELD_NAMES
        or word in _EMPLOYMENT_COLUMNS
        or _name_based_type(word)
    )


def _line_items(columns: list[str]) -> bool:
    """Columns of the lines of an invoice or order: a quantity, or a product with an amount."""
    names = set(columns)
    return bool(names & _QUANTITY_COLUMNS) or bool(
        names & {"product", "item", "service", "description"} and names & _NUMBER_FIELD_NAMES
    )


def _table_entity(page: _Page, table: LexborNode, known: set[str], record: bool, columns: list[str]) -> tuple[str, int]:
    """(entity, index of the column naming each row or -1) for a table: its own hints, then (for
    a record's key-value table on a detail page) the page's entity, then the heading above it;
    on a record's page a table of lines (qty, product, amount) is that record's lines
    (InvoiceLine), and a table whose columns name another record lists those; then the page's
    entity, then what the columns say the rows are. The path's UI kind (/tables) never names it."""
    caption = table.css_first("caption")
    role_tokens = [t for t in _semantic_tokens(table) if _token_segments(t)[-1] in _ROLE_SUFFIXES]
    named = _entity_from_identifier("-".join(_token_segments(role_tokens[0])[:-1])) if role_tokens else ""
    found = (
        _explicit_entity(table)
        or (_entity_from_heading(_text(caption), known) if caption is not None else "")
        or (named if named and (named in known or page.mentions(named)) else "")
        or (page.info.entity if record and page.info.detail else "")
        or _entity_from_heading(_nearest_heading(table), known)
    )
    if found or record:
        return found or page.info.entity, -1
    by_columns, name_index = _column_entity(columns)
    if page.info.detail and page.info.entity:
        if _line_items(columns):
            return f"{page.info.entity}Line", -1
        if by_columns and by_columns != page.info.entity:
            return by_columns, name_index
    if page.info.entity:
        return page.info.entity, -1
    return by_columns, name_index


# Words of the labels of an invoice's or order's totals rows (Subtotal, VAT rate, Total due).
_TOTALS_WORDS = {
    "subtotal",
    "sub",
    "total",
    "grand",
    "tax",
    "vat",
    "gst",
    "discount",
    "shipping",
    "due",
    "rate",
    "balance",
    "paid",
    "fee",
    "fees",
    "amount",
    "handling",
    "net",
    "gross",
}


def _totals_row(cells: list[LexborNode], width: int) -> tuple[str, str] | None:
    """(field name, value) of a totals row in a lines table: a row narrower than the table (its
    label spans columns) whose label is totals words only and whose last cell is the amount."""
    spans = sum(int(_attr(c, "colspan")) if _attr(c, "colspan").isdigit() else 1 for c in cells)
    texts = [_text(c) for c in cells if _text(c)]
    if (len(cells) >= width and spans <= len(cells)) or len(texts) != 2:
        return None
    words = words_of(texts[0].rstrip(":"))
    if not words or not set(words) <= _TOTALS_WORDS or not any(ch.isdigit() for ch in texts[1]):
        return None
    return snake_case(" ".join(words)), texts[1]


def _column_name(header: str, headers: list[str]) -> str:
    """A column's field name; a `#` column holds the records' numbers (unless one is named so)."""
    if header.strip() == "#" and not any(snake_case(h) == "number" for h in headers):
        return "number"
    return snake_case(header)


def _counts_rows(values: list[str]) -> bool:
    """Row numbers 1, 2, 3 (or a `#` in each row): the rows' positions, not a record's number."""
    return values == [str(i) for i in range(1, len(values) + 1)] or not any(c.isdigit() for v in values for c in v)


def _read_tables(page: _Page, collector: _Collector, known: set[str]) -> None:
    for table in page.tree.css("table"):
        if _inside(table, {"form"}):
            continue
        rows = table.css("tr")
        # a first row of <th> only is a header; a <th> that starts each row labels that row (Subtotal:)
        header_cells = table.css("thead th") or (rows[0].css("th") if rows and rows[0].css_first("td") is None else [])
        # a key-value table describes one record: only a record's page says which
        record_page = page.info.detail or page.info.operation == "update"
        pairs = None if header_cells or not record_page else _key_value_rows(rows)
        named = None if header_cells or pairs is not None else _class_named_columns(rows)
        if not header_cells and pairs is None and named is None:
            continue
        headers = named or [_column_name(_text(th), [_text(h) for h in header_cells]) for th in header_cells]
        entity, name_index = _table_entity(page, table, known, pairs is not None, headers)
        if not entity or _names_widget(entity):
            continue
        values: dict[str, list[str]] = {}
        element_types: dict[str, str | None] = {}
        totals: dict[str, list[str]] = {}
        if pairs is not None:
            for name, cell in pairs:
                value, kind = _display_value(cell)
                values.setdefault(_without_entity_prefix(name, entity), []).append(value)
                element_types[_without_entity_prefix(name, entity)] = kind
        else:
            columns = [_without_entity_prefix(c, entity) for c in headers]
            if name_index >= 0:
                columns[name_index] = "name"  # the Author column of an authors table: each author's name
            values = {c: [] for c in columns if c not in _IGNORED_COLUMN_NAMES}
            for row in rows:
                cells = [c for c in row.iter() if c.is_element_node and c.tag in ("td", "th")]
                if not cells or all(c.tag == "th" for c in cells):
                    continue
                page.scope_entity[row.mem_id] = entity
                total = _totals_row(cells, len(columns))
                if total is not None:  # Subtotal / VAT / Total under the lines: the record's own
                    totals.setdefault(total[0], []).append(total[1])
                    continue
                for column, cell in zip(columns, cells, strict=False):  # rows may be ragged
                    if column not in values:
                        continue
                    if len(cell.css("img")) >= 2:
                        del values[column]  # a row of avatars is a link to people, not a field
                        continue
                    value, kind = _display_value(cell)
                    if not value and kind is None and cell.css_first("i, svg, [class*=icon]") is not None:
                        kind = "boolean"  # an icon per row that is on or off (starred, attached)
                    values[column].append(value)
                    element_types[column] = element_types.get(column) or kind
                    for event, when in _event_lines(cell):
                        values.setdefault(event, []).append(when)
                    if not _EMAIL_VALUE.match(value):
                        for line in cell.css("p, span, small, div, a"):
                            if _EMAIL_VALUE.match(_text(line)):  # "Ada Lovelace / ada@example.com"
                                values.setdefault("email", []).append(_text(line))
                                break
                    photos = cell.css("img") if kind is None and "avatar" not in columns else []
                    if len(photos) == 1 and snake_case(entity).split("_")[-1] in _PERSON_ENTITY_WORDS:
                        values.setdefault("avatar", []).append(_attr(photos[0], "src"))
                        element_types["avatar"] = "image"  # a photo beside the person's name
        if "number" in values and _counts_rows(values["number"]):
            del values["number"]  # a # column numbering the rows 1, 2, 3 holds their position, not data
        own = snake_case(entity)
        shown = [v for v in values.get(own, []) if v]
        if shown and "name" not in values and not any(c.isdigit() for v in shown for c in v):
            # an Author column in an authors table holds each author's name (an Order column, numbers)
            values["name"] = values.pop(own)
            element_types["name"] = element_types.pop(own, None)
        if totals:
            holder = entity.removesuffix("Line") if entity.endswith("Line") else page.info.entity
            if holder and holder != entity:
                _see_displayed(collector, page, holder, totals, {}, dict.fromkeys(totals, CONFIDENCE_DISPLAY))
        if not values:
            continue
        page.scope_entity[table.mem_id] = entity
        for node in table.traverse():
            page.claimed.add(node.mem_id)
        _see_displayed(collector, page, entity, values, element_types, {name: CONFIDENCE_DISPLAY for name in values})
        owner = page.info.entity if page.info.detail or page.info.operation == "update" else ""
        if owner and owner != entity:
            collector.entities[owner].lists[entity].add(page.slug)


def _prefix_for(known: set[str]) -> list[tuple[list[str], str]]:
    """Class-name prefixes of known entities, longest first (lesson-plan before lesson)."""
    prefixes = []
    for name in known:
        for form in (name, pluralize(name)):
            prefixes.append((words_of(form), name))
    return sorted(prefixes, key=lambda p: (-len(p[0]), p[1]))


def _field_from_token(token: str, entity_segments: list[str]) -> str:
    segments = _token_segments(token)
    n = len(entity_segments)
    if n and segments[:n] == entity_segments and len(segments) > n:
        rest = "_".join(segments[n:])
        if rest not in _UI_PART_WORDS and not rest.isdigit() and segments[-1] not in _ROLE_SUFFIXES:
            return snake_case(rest)
    return ""


def _best_prefix(tokens: list[str], known: set[str]) -> tuple[list[str], str, int]:
    """The leading class-name segments most tokens share (lesson in lesson-title, lesson-date):
    (segments, known entity name or "", how many distinct tokens it covers). More coverage wins,
    then a known entity, then the longer prefix (lesson-plan over lesson)."""
    known_prefixes = {tuple(segments): name for segments, name in _prefix_for(known)}
    counts: Counter[tuple[str, ...]] = Counter()
    for token in set(tokens):
        segments = _token_segments(token)
        for n in range(1, len(segments)):
            counts[tuple(segments[:n])] += 1
    if not counts:
        return [], "", 0
    best, count = max(counts.items(), key=lambda item: (item[1], item[0] in known_prefixes, len(item[0]), item[0]))
    return list(best), known_prefixes.get(best, ""), count


@dataclass
class _ItemFields:
    values: dict[str, str]
    kinds: dict[str, str | None]
    from_data_attr: set[str]
    nodes: list[LexborNode]


def _item_fields(
    item: LexborNode, entity_segments: list[str], page: _Page, known_segments: dict[str, str]
) -> _ItemFields:
    """Fields shown inside one repeated item, by data-field/itemprop or entity-prefixed classes."""
    result = _ItemFields({}, {}, set(), [])
    for node in item.traverse():
        if node.mem_id == item.mem_id or node.mem_id in page.claimed:
            continue
        name = snake_case(_attr(node, "data-field") or _attr(node, "itemprop"))
        if name:
            result.from_data_attr.add(name)
        else:
            for token in _semantic_tokens(node):
                name = _field_from_token(token, entity_segments)
                if not name:
                    # a person or another entity shown on the item (author-name -> author)
                    first = _token_segments(token)[0]
                    if first in _PERSON_ROLES or (first in known_segments and first != "_".join(entity_segments)):
                        name = first
                if name:
                    break
        if not name or name in result.values or name == "id":
            continue
        value, kind = _display_value(node)
        result.values[name] = value
        result.kinds[name] = kind
        result.nodes.append(node)
    return result


def _group_entity(items: list[LexborNode], parent: LexborNode, page: _Page, known: set[str]) -> tuple[str, list[str]]:
    """(entity, class-name segments naming it) for a group of repeated items."""
    explicit = _explicit_entity(items[0]) or _explicit_entity(parent)
    if explicit:
        return explicit, words_of(explicit)
    tokens = [
        t
        for item in items
        for node in item.traverse()
        if node.mem_id != item.mem_id and node.mem_id not in page.claimed
        for t in _semantic_tokens(node)
    ]
    shared_classes = set.intersection(*(set(_classes(item)) for item in items))
    for cls in sorted(shared_classes):
        named = entity_name_from_phrase(cls) if cls.isalpha() else ""
        if named in _BODY_ENTITIES:
            return named, [cls]  # <div class="post">: posts, whatever their inner classes share
    prefix, known_name, coverage = _best_prefix(tokens, known)
    named = known_name or entity_name_from_phrase(" ".join(prefix))
    # a class prefix shared inside the items names an entity when the page names it too: widgets,
    # charts and layout parts share prefixes as much as records do
    if (coverage >= 2 and page.mentions(named)) or (coverage and known_name):
        return named, prefix
    for holder in (items[0], parent):
        for token in _semantic_tokens(holder):
            segments = _token_segments(token)
            if segments[-1] not in _ROLE_SUFFIXES or len(segments) < 2:
                continue
            named = entity_name_from_phrase(" ".join(segments[:-1]))
            if named in known or page.mentions(named):
                return named, segments[:-1]
    named = entity_name_from_phrase(" ".join(prefix))
    if coverage and not page.info.entity and page.mentions(named):
        return named, prefix  # one class name is weaker evidence than the page path
    entity = _entity_from_heading(_nearest_heading(parent), known) or page.info.entity
    # the heading names the records; a prefix the items share still names their fields
    return entity, prefix if coverage >= 2 else words_of(entity)


def _section_records(items: list[LexborNode], parent: LexborNode, page: _Page, known: set[str]) -> str:
    """The entity of cards or list items that carry no data names when the heading of their
    section names them ("Invoices", "Transactions") and each item shows a title and some text
    (a list of links shows one text each); "" otherwise."""
    entity = _entity_from_heading(_nearest_heading(parent), known)
    if not entity or _names_widget(entity) or entity == page.info.entity:
        return ""  # cards under "My profile" on a profile page are not more profiles
    for item in items:
        if item.css_first("input, select, textarea") is not None:
            return ""  # the sections of a form (Account, Notifications) hold its controls, not records
        leaves = [n for n in item.traverse() if n.mem_id != item.mem_id and n.text(deep=False).strip()]
        if len(leaves) < 2 or item.css_first(_HEADING_SELECTOR) is None:
            return ""
    return entity


def _unnamed_record_list(items: list[LexborNode], entity: str, page: _Page) -> bool:
    """A list page (/lessons) whose cards carry no data names still reads the page's entity:
    at least two items, each with a heading or link and two or more pieces of text."""
    if entity != page.info.entity or page.info.detail or page.info.operation:
        return False
    for item in items:
        leaves = [n for n in item.traverse() if n.mem_id != item.mem_id and n.text(deep=False).strip()]
        if len(leaves) < 2 or item.css_first(_HEADING_SELECTOR + ",a") is None:
            return False
    return True


_CLOCK_VALUE = re.compile(r"^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?$", re.IGNORECASE)
# Records whose prose is a body (a message's text), not a description.
_BODY_ENTITIES = {"Message", "Comment", "Post", "Reply", "Review", "Note", "Answer"}
_LABELLED_VALUE = re.compile(r"^([A-Za-z][A-Za-z #/]{0,30}?)\s*[#:]\s*:?\s*(.*)$")


_SHOWN_NUMBER = re.compile(r"^#\s*[A-Za-z]*-?\d[\w-]*$")
_SHOWN_AMOUNT = re.compile(r"^[-+\u2212]?\s?[$€£¥]\s?\d[\d.,]*$|^[-+\u2212]?\s?\d[\d.,]*\s?[$€£¥]$")


def _shown_value_name(text: str) -> str:
    """The field an unlabelled value names by its shape: a date, an amount ($180, -$2,500), a
    record number (#MS-415646); "" for anything else."""
    value = text.strip()
    if _HUMAN_DATE.match(value.replace(", ", " ").replace(",", " ")) or _ISO_DATE.match(value):
        return "date"
    if _SHOWN_AMOUNT.match(value):
        return "amount"
    if _SHOWN_NUMBER.match(value):
        return "number"
    return ""


def _card_fields(item: LexborNode, entity: str) -> _ItemFields:
    """Fields of a record card that carries no data names, read from its shape: the most
    prominent heading is the record's name, an image its image, "Label: value" lines are fields,
    a sentence its description, a <time> a date (named by the word before it: Updated -> updated_at)."""
    result = _ItemFields({}, {}, set(), [])

    def see(name: str, node: LexborNode, value: str, kind: str | None) -> None:
        if name and name not in result.values and name not in _UI_PART_WORDS:
            result.values[name] = value
            result.kinds[name] = kind
            result.nodes.append(node)

    headings = [n for n in item.css(_HEADING_SELECTOR) if _text(n)]
    if not headings:
        return result  # a record card has a heading; a list of links or files is not one
    title = min(headings, key=lambda n: n.tag or "")  # h1 before h2: the most prominent
    if title is not None:
        name = _text(title)
        for aside in title.css("small, time"):  # "Dennis Mugo <small>3.00 PM</small>"
            when = _text(aside)
            if aside.mem_id != title.mem_id and (
                _CLOCK_VALUE.match(when) or _HUMAN_DATE.match(when) or aside.tag == "time"
            ):
                see("date", aside, when, "datetime")
                name = name.replace(when, "").strip()
        see(_shown_value_name(name) or "name", title, name, None)
    for node in item.traverse():
        if node.mem_id == item.mem_id or (
            title is not None
            and (node.mem_id == title.mem_id or any(a.mem_id == title.mem_id for a in _ancestors(node, 8)))
        ):
            continue
        if node.tag == "img" and _attr(node, "src"):
            see("image", node, _attr(node, "src"), "image")
        elif node.tag == "time":
            before = words_of(node.prev.text() if node.prev is not None and node.prev.is_text_node else "")
            event = before[-1] if before and before[-1] in _EVENT_FIELD_WORDS else ""
            value, kind = _display_value(node)
            see(f"{event}_at" if event else "date", node, value, kind)
        elif node.tag in ("p", "li", "dd", "div", "span") and not any(
            inner.mem_id != node.mem_id for inner in node.css("p, li, div, time, img")
        ):
            text = _text(node)
            match = _LABELLED_VALUE.match(text)
            if match and len(match.group(1).split()) <= 3:
                see(snake_case(match.group(1)), node, match.group(2).strip(), None)
            elif _shown_value_name(text) or _shown_value_name(node.text(deep=False)):
                value = text if _shown_value_name(text) else node.text(deep=False).strip()
                see(_shown_value_name(value), node, value, None)  # "$180" beside its PDF button
            elif node.tag == "p" and len(text.split()) >= 4 and not any(c.isdigit() for c in text[:3]):
                see("body" if entity in _BODY_ENTITIES else "description", node, text, "text")
    return result


def _read_repeated(page: _Page, collector: _Collector, known: set[str]) -> None:
    body = page.tree.body
    if body is None:
        return
    known_segments = {"_".join(words_of(n)): n for n in known}
    candidates = []
    for node, depth in _walk(body):
        if node.tag in _SKIPPED_GROUP_TAGS or node.tag in ("table", "select", "form", "nav", "footer"):
            continue
        by_signature: dict[tuple[str | None, tuple[str, ...], str], list[LexborNode]] = defaultdict(list)
        for child in node.iter():
            if not child.is_element_node or child.tag in _SKIPPED_GROUP_TAGS:
                continue
            semantic = tuple(sorted(_semantic_tokens(child)))
            signature = (child.tag, semantic or tuple(sorted(_classes(child))), _attr(child, "data-entity"))
            by_signature[signature].append(child)
        for items in by_signature.values():
            if len(items) >= 2:
                candidates.append((depth, node, items))
    # innermost groups first, so a comment list inside a lesson is read as comments
    for _, parent, items in sorted(candidates, key=lambda c: -c[0]):
        if _inside(parent, {"nav", "footer", "form"}):
            continue
        entity, segments = _group_entity(items, parent, page, known)
        if not entity or _names_widget(entity):
            continue
        per_item = [_item_fields(item, segments, page, known_segments) for item in items]
        name_counts = Counter(name for fields in per_item for name in fields.values)
        if not name_counts or max(name_counts.values()) < 2:
            section = not _unnamed_record_list(items, entity, page)
            if section:
                entity = _section_records(items, parent, page, known)
            if entity:
                cards = [_card_fields(item, entity) for item in items]
                shared = Counter(name for card in cards for name in card.values)
                card_values = {
                    name: [c.values[name] for c in cards if name in c.values]
                    for name, count in shared.items()
                    if count >= 2
                }
                if section and len(card_values) < 2:
                    continue  # a title alone (a list of names or links) is no record under a heading
                card_kinds = {name: next(c.kinds[name] for c in cards if name in c.values) for name in card_values}
                for item, card in zip(items, cards, strict=True):
                    page.scope_entity[item.mem_id] = entity
                    page.claimed.update(n.mem_id for n in card.nodes)
                _see_displayed(
                    collector, page, entity, card_values, card_kinds, {name: CONFIDENCE_DISPLAY for name in card_values}
                )
            continue
        if entity in _BODY_ENTITIES:
            for item, fields in zip(items, per_item, strict=True):
                para = next(
                    (n for n in item.css("p") if n.mem_id not in page.claimed and len(_text(n).split()) >= 4), None
                )
                if para is not None and "body" not in fields.values:  # a post's paragraph is its text
                    fields.values["body"], fields.kinds["body"] = _text(para), "text"
                    fields.nodes.append(para)
        values: dict[str, list[str]] = defaultdict(list)
        kinds: dict[str, str | None] = {}
        data_attr: set[str] = set()
        for item, fields in zip(items, per_item, strict=True):
            page.scope_entity[item.mem_id] = entity
            for name, value in fields.values.items():
                values[name].append(value)
                kinds[name] = kinds.get(name) or fields.kinds[name]
            data_attr |= fields.from_data_attr
            page.claimed.update(n.mem_id for n in fields.nodes)
        confidence = {n: CONFIDENCE_DATA_FIELD if n in data_attr else CONFIDENCE_DISPLAY for n in values}
        _see_displayed(collector, page, entity, dict(values), kinds, confidence)
        owner = page.info.entity if page.info.detail else ""
        if owner and owner != entity:
            collector.entities[owner].lists[entity].add(page.slug)


def _read_detail(page: _Page, collector: _Collector, known: set[str]) -> None:
    """Single-record fields: data-field/itemprop, classes prefixed by a known entity, <dl> pairs."""
    body = page.tree.body
    if body is None:
        return
    prefixes = _prefix_for(known)
    found: dict[str, dict[str, tuple[str, str | None, float]]] = defaultdict(dict)
    for node in body.traverse():
        if node.mem_id in page.claimed or _inside(node, {"form", "nav", "footer", "header", "table"}):
            continue
        name = snake_case(_attr(node, "data-field") or _attr(node, "itemprop"))
        entity, confidence = "", CONFIDENCE_DATA_FIELD
        if name:
            entity = _explicit_entity(node) or page.info.entity
        else:
            confidence = CONFIDENCE_DISPLAY
            for token in _semantic_tokens(node):
                for segments, candidate in prefixes:
                    name = _field_from_token(token, segments)
                    if name:
                        entity = candidate
                        break
                if name:
                    break
        if not entity or not name or name == "id" or name in found[entity]:
            continue
        value, kind = _display_value(node)
        found[entity][name] = (value, kind, confidence)
        page.claimed.add(node.mem_id)
    title = body.css_first("h1")
    if page.info.detail and page.info.entity and title is not None:
        # a record page's title names the record: "Order #7841" and its status badge
        number = re.search(r"#\s*([A-Za-z0-9][A-Za-z0-9-]*)", _text(title))
        if number and "number" not in found[page.info.entity]:
            found[page.info.entity]["number"] = (number.group(1), None, CONFIDENCE_DISPLAY)
        for badge in title.css("span, small"):
            if {"status", "badge", "state"}.intersection(w for c in _classes(badge) for w in words_of(c)):
                found[page.info.entity].setdefault("status", (_text(badge), None, CONFIDENCE_DISPLAY))
    if page.info.detail and page.info.entity:
        for name, value in _labelled_values(body, page):
            found[page.info.entity].setdefault(name, (value, None, CONFIDENCE_DISPLAY))
    for dl in body.css("dl"):
        if dl.mem_id in page.claimed or _inside(dl, {"form", "nav", "footer"}):
            continue
        entity = _explicit_entity(dl) or page.info.entity
        for term in dl.css("dt"):
            definition = term.next
            while definition is not None and not (definition.is_element_node and definition.tag == "dd"):
                definition = definition.next
            name = snake_case(_text(term))
            if entity and name and definition is not None and name not in found[entity] and name != "id":
                value, kind = _display_value(definition)
                found[entity][name] = (value, kind, CONFIDENCE_DISPLAY)
    for entity, fields in found.items():
        if not fields:
            continue
        _see_displayed(
            collector,
            page,
            entity,
            {n: [v[0]] for n, v in fields.items()},
            {n: v[1] for n, v in fields.items()},
            {n: v[2] for n, v in fields.items()},
        )


def _labelled_values(body: LexborNode, page: _Page) -> list[tuple[str, str]]:
    """(field, value) pairs a record's page shows as short labelled lines outside tables and forms:
    "<b>Payment Due:</b> 2/22/2014", "<small>Date: 2/10/2014</small>", and its number
    ("<b>Invoice #007612</b>" -> number)."""
    entity_words = words_of(page.info.entity)
    own_number = re.compile(rf"^(?:{' '.join(entity_words)}\s*)?#\s*([A-Za-z0-9][A-Za-z0-9-]*)$", re.IGNORECASE)
    pairs = []
    for node in body.css("b, strong, small, span"):
        if node.mem_id in page.claimed or _inside(node, {"form", "nav", "footer", "header", "table", "button", "a"}):
            continue
        if any(child.is_element_node and child.tag not in ("br", "i") for child in node.iter()):
            continue
        text = _text(node)
        number = own_number.match(text)
        if number:
            pairs.append(("number", number.group(1)))
            continue
        label, value = "", ""
        if text.endswith(":") and node.next is not None and node.next.is_text_node:
            label, value = text[:-1], " ".join((node.next.text() or "").split())
        else:
            match = _LABELLED_VALUE.match(text)
            if match and ":" in text:
                label, value = match.group(1), match.group(2).strip()
        limit = 4
        if not label and node.tag in ("b", "strong") and ":" not in text:
            # "<strong>Education</strong><p>B.S. in Computer Science</p>": a labelled paragraph
            after = node.next
            while after is not None and not after.is_element_node and not (after.text() or "").strip():
                after = after.next
            if after is not None and after.is_element_node and after.tag == "p":
                label, value, limit = text, _text(after), 20
        words = [w for w in words_of(label) if w.isalpha()]
        if words and len(words) <= 3 and value and len(value.split()) <= limit:
            pairs.append((snake_case(" ".join(words)), value))
    return pairs


def _read_deletes(page: _Page, collector: _Collector) -> None:
    """Delete/remove buttons and links: a delete location of the entity they sit in."""
    body = page.tree.body
    if body is None:
        return
    for control in body.css("button, a, input[type=submit], input[type=button]"):
        text = _text(control) or _attr(control, "value")
        hints = " ".join(
            [
                text,
                _attr(control, "aria-label"),
                _attr(control, "title"),
                _attr(control, "id"),
                _attr(control, "name"),
                *_classes(control),
            ]
        )
        if not _DELETE_WORDS.intersection(words_of(hints)):
            continue
        entity = _explicit_entity(control, limit=0)
        if not entity:
            words = [w for w in words_of(text) if w.isalpha()]
            if words and words[0] in _DELETE_WORDS:
                entity = _entity_from_object_words(words[1:])
        if not entity:
            for ancestor in _ancestors(control):
                if ancestor.mem_id in page.scope_entity:
                    entity = page.scope_entity[ancestor.mem_id]
                    break
                if _attr(ancestor, "data-entity"):
                    entity = entity_name_from_phrase(_attr(ancestor, "data-entity"))
                    break
        entity = entity or page.info.entity
        if entity:
            collector.see_operation(entity, "delete", page.slug)


# --- assembling entities -------------------------------------------------------------------------

_TYPE_PRECEDENCE = (
    "reference",
    "enum",
    "email",
    "url",
    "image",
    "datetime",
    "date",
    "integer",
    "number",
    "boolean",
    "text",
    "string",
)


def _merge_type(types: list[str]) -> str:
    if "number" in types and "integer" in types:
        return "number"
    counts = Counter(types)
    return min(
        counts,
        key=lambda t: (-counts[t], _TYPE_PRECEDENCE.index(t) if t in _TYPE_PRECEDENCE else len(_TYPE_PRECEDENCE)),
    )


def _noisy_or(sightings: list[_Sighting]) -> float:
    """Independent pages each add evidence: 1 - prod(1 - best confidence on each page)."""
    best: dict[str, float] = {}
    for s in sightings:
        best[s.slug] = max(best.get(s.slug, 0.0), s.confidence)
    miss = 1.0
    for value in best.values():
        miss *= 1.0 - value
    return round(min(0.99, 1.0 - miss), 2)


def _merge_field(sightings: list[_Sighting]) -> dict[str, Any]:
    """One field spec from all its sightings: forms decide the type when a form showed it."""
    deciding = [s for s in sightings if s.from_form] or sightings
    field_type = _merge_type([s.spec["type"] for s in deciding])
    spec: dict[str, Any] = {"type": field_type, "required": any(s.spec.get("required") for s in sightings)}
    if any(s.spec.get("unique") for s in sightings):
        spec["unique"] = True
    lengths = [s.spec["max_length"] for s in deciding if "max_length" in s.spec]
    if lengths and field_type in ("string", "text", "email", "url"):
        spec["max_length"] = max(lengths)
    validation: dict[str, Any] = {}
    for s in sorted(deciding, key=lambda s: s.slug):
        if s.spec["type"] == field_type:
            for key, value in s.spec.get("validation", {}).items():
                validation.setdefault(key, value)
    if validation:
        spec["validation"] = validation
    if field_type == "enum":
        values: list[str] = []
        for s in sorted(deciding, key=lambda s: s.slug):
            for value in s.spec.get("enum_values", []):
                if value not in values:
                    values.append(value)
        spec["enum_values"] = values
    for flag in ("multiple", "sensitive", "file"):
        if any(s.spec.get(flag) and s.spec["type"] == field_type for s in deciding):
            spec[flag] = True
    targets = sorted({s.spec["target_entity"] for s in sightings if s.spec.get("target_entity")})
    if field_type == "reference" and targets:
        spec["target_entity"] = targets[0]
    labels = sorted({s.spec["label"] for s in deciding if s.spec.get("label")})
    if labels:
        spec["label"] = labels[0]
    spec["inferred_from"] = sorted({s.slug for s in sightings})
    spec["confidence"] = _noisy_or(sightings)
    return spec


def _reference_target(name: str, spec: dict[str, Any], entity: str, entity_names: set[str]) -> tuple[str, str] | None:
    """(foreign-key field name, target entity) when a field points at another entity."""
    stem = name[:-3] if name.endswith("_id") else name
    if not stem:
        return None
    candidate = entity_name_from_phrase(stem)
    if candidate in entity_names and candidate != entity and spec["type"] in ("reference", "string", "enum", "text"):
        return f"{stem}_id", candidate
    if (
        stem in _PERSON_ROLES
        and USER_ENTITY in entity_names
        and entity != USER_ENTITY
        and spec["type"] in ("reference", "string", "enum")
    ):
        return f"{stem}_id", USER_ENTITY
    if spec["type"] == "reference" and candidate:
        return f"{stem}_id", candidate
    return None


def _feature_entities(features: list[dict[str, Any]]) -> dict[str, dict[str, set[str]]]:
    """entity -> feature name -> operations, from each feature's data_operations."""
    result: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for feature in features or []:
        operations = feature.get("data_operations") or {}
        if not isinstance(operations, dict):
            continue
        for key, names in operations.items():
            operation = {"creates": "create", "reads": "read", "updates": "update", "deletes": "delete"}.get(key)
            if operation is None or not isinstance(names, list):
                continue
            for raw in names:
                if not isinstance(raw, str):
                    continue
                words = words_of(raw)
                name = USER_ENTITY if words and _user_alias(words) else entity_name_from_phrase(raw)
                if name:
                    result[name][str(feature.get("name") or "")].add(operation)
    return result


def _describe(name: str, evidence: _Evidence) -> str:
    parts = []
    if evidence.pages:
        parts.append("pages " + ", ".join(sorted(evidence.pages)))
    if evidence.features:
        named = sorted(f for f in evidence.features if f)
        parts.append("features " + ", ".join(named) if named else "a feature's data operations")
    if not parts:
        return f"{name}: referenced by other entities."
    return f"{name}: inferred from " + "; ".join(parts) + "."


def _entity_confidence(evidence: _Evidence, field_count: int) -> float:
    score = 0.3 + 0.15 * min(len(evidence.pages), 3) + 0.04 * min(field_count, 5)
    if evidence.features:
        score += 0.1
    if evidence.has_form:
        score += 0.05
    return round(min(0.99, score), 2)


def _parse_page(page: dict[str, Any]) -> _Page:
    html = page.get("html") or ""
    tree = LexborHTMLParser(html if isinstance(html, str) else "")
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    path = str(page.get("path") or "")
    info = _path_info(path)
    if not info.entity:
        info = _document_info(path, tree) or info
    return _Page(str(page.get("slug") or ""), path, str(page.get("name") or ""), tree, info, _Labels(tree))


_RECORD_NUMBER = re.compile(r"#\s*[A-Za-z0-9-]*\d")


def _document_info(path: str, tree: LexborHTMLParser) -> _PathInfo | None:
    """A page whose path is one singular noun (/invoice, /receipt) shows one record of it when a
    heading of the page names it and the page shows its number ("Invoice #007612", a card titled
    "#INV0015"): a detail page of that entity."""
    segments = [s.lower() for s in (path or "").split("/") if s]
    words = words_of(segments[-1]) if segments else []
    if len(words) != 1 or not words[0].isalpha() or singularize(words[0]) != words[0]:
        return None
    word = words[0]
    if word in _PATH_NON_ENTITIES or word in _UI_KIND_WORDS or word in _USER_PATH_ROOTS or word in _MAIL_PATH_WORDS:
        return None
    body = tree.body
    if body is None:
        return None
    titles = [
        _text(n) for n in tree.css(_HEADING_SELECTOR + ",title,[class*=title]") if _is_title(n) or n.tag == "title"
    ]
    if not any(word in words_of(t) for t in titles):
        return None
    numbered = re.compile(rf"\b{word}\s*(?:no\.?|number)?\s*#\s*[A-Za-z0-9-]*\d", re.IGNORECASE)
    text = _text(body)
    if numbered.search(text) or any(_RECORD_NUMBER.fullmatch(t) for t in titles):
        return _PathInfo(entity_name_from_phrase(word), None, detail=True)
    return None


# --- one page at a time ----------------------------------------------------------------------------
#
# Inference reads each page on its own (`read_page`, cacheable by the page's content) and then
# assembles the project's entities from every page's findings (`assemble_entities`). What a page
# reader decides can depend on the entities the rest of the project names (a heading "Recent
# lesson plans" names LessonPlan when another page made LessonPlan known), in stages: forms read
# with the entities the project names outright; tables and cards with those plus what every
# page's forms found; details with those plus what every page's tables and cards found. A page is
# read with the slice of each stage's known entities that it can see at all (`relevant_known`),
# so its findings are a function of its content and that slice, which the cache key includes.


def _stage_forms(page: _Page, collector: _Collector, known: set[str]) -> None:
    _read_forms(page, collector, known)


def _stage_displays(page: _Page, collector: _Collector, known: set[str]) -> None:
    _read_tables(page, collector, known)
    _read_repeated(page, collector, known)


def _stage_details(page: _Page, collector: _Collector, known: set[str]) -> None:
    _read_detail(page, collector, known)
    _read_deletes(page, collector)


READ_STAGES = (_stage_forms, _stage_displays, _stage_details)


def page_seeds(page: dict[str, Any]) -> dict[str, Any]:
    """What a page says without the rest of the project: the entities it names outright (its
    path, data-entity, itemtype) and every word in its HTML source with character references
    decoded (so every word of its texts and attribute values) and in its slug, path, name and
    purpose, which bounds which known entity names can matter to it. JSON types only."""
    html: str = page["html"] if isinstance(page.get("html"), str) else ""
    named = {_path_info(str(page.get("path") or "")).entity}
    if "data-entity" in html or "itemtype" in html:  # parsing is the costly part: only when it can tell more
        named |= {_explicit_entity(n, limit=0) for n in _parse_page(page).tree.css("[data-entity], [itemtype]")}
    source = " ".join([*(str(page.get(key) or "") for key in ("slug", "path", "name", "purpose")), html_unescape(html)])
    return {"entities": sorted(named - {""}), "words": sorted(word_set(source))}


def relevant_known(known: set[str], words: set[str]) -> list[str]:
    """The known entity names a page can react to: those whose words (singular or plural) all
    occur on it. Page readers compare known names only with words of the page's texts, class
    names and attributes, so a name outside this slice cannot change what they find there."""
    return sorted(name for name in known if set(words_of(name)) <= words or set(words_of(pluralize(name))) <= words)


def read_page(page: dict[str, Any], known: list[list[str]]) -> dict[str, Any]:
    """Findings of one page, JSON types only: `known[i]` is what stage i may take as known (see
    `relevant_known`). Returns {"slug", "known" (as given), "found" (the entities this page's
    stages had found after each stage but the last), "entities" (the evidence per entity)}."""
    parsed = _parse_page(page)
    collector = _Collector()
    found = []
    for stage, names in zip(READ_STAGES, known, strict=True):
        stage(parsed, collector, set(names))
        found.append(sorted(collector.entities))
    evidence = {
        name: {
            "fields": {
                f: [[s.spec, s.confidence, s.from_form] for s in sightings] for f, sightings in e.fields.items()
            },
            "crud": sorted(e.crud),
            "seen": parsed.slug in e.pages,
            "lists": sorted(e.lists),
            "has_form": e.has_form,
        }
        for name, e in collector.entities.items()
    }
    return {"slug": parsed.slug, "known": [list(k) for k in known], "found": found[:-1], "entities": evidence}


def known_stages(
    seeds: list[dict[str, Any]], findings: list[dict[str, Any] | None], features: list[dict[str, Any]]
) -> list[set[str]]:
    """The entities known before each stage: those features and pages name outright, then each
    stage adds what it found on any page (as far as `findings` tell; None: not read yet)."""
    stages = [set(_feature_entities(features)).union(*(s["entities"] for s in seeds))]
    for i in range(len(READ_STAGES) - 1):
        stages.append(stages[-1].union(*(f["found"][i] for f in findings if f is not None)))
    return stages


def pages_to_read(
    seeds: list[dict[str, Any]], findings: list[dict[str, Any] | None], features: list[dict[str, Any]]
) -> dict[int, list[list[str]]]:
    """Index -> known slices, for each page whose findings are missing or were read with other
    known entities than the project's now. Reading those and asking again settles within
    len(READ_STAGES) rounds: each round makes one more stage's known entities final."""
    stages = known_stages(seeds, findings, features)
    todo = {}
    for i, seed in enumerate(seeds):
        words = set(seed["words"])
        known = [relevant_known(stage, words) for stage in stages]
        finding = findings[i]
        if finding is None or finding["known"] != known:
            todo[i] = known
    return todo


def assemble_entities(findings: list[dict[str, Any]], features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project's entities (seed `inferred_entities` shapes, sorted by name) from every page's
    `read_page` findings and the features' data_operations."""
    collector = _Collector()
    for page in sorted(findings, key=lambda f: f["slug"]):
        slug = page["slug"]
        for name, found in page["entities"].items():
            evidence = collector.entities[name]
            for field_name, sightings in found["fields"].items():
                evidence.fields[field_name].extend(
                    _Sighting(spec, slug, confidence, from_form) for spec, confidence, from_form in sightings
                )
            for operation in found["crud"]:
                evidence.crud[operation].add(slug)
            if found["seen"]:
                evidence.pages.add(slug)
            for listed in found["lists"]:
                evidence.lists[listed].add(slug)
            evidence.has_form = evidence.has_form or found["has_form"]
    for name, by_feature in _feature_entities(features).items():
        collector.entities[name].features.update(by_feature)
    return _assemble(collector)


def infer_entities(pages: list[dict[str, Any]], features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities (seed `inferred_entities` shapes) inferred from pages' current mockup HTML and
    features' data_operations. Pages: {"slug", "path", "name", "purpose", "html"}; features:
    {"name", "data_operations": {"creates"|"reads"|"updates"|"deletes": [entity names]}}.
    Sorted by entity_name; no pages and no features give []. (The server runs the same steps
    page by page in worker processes, with a cache: domain/entity_inference.py.)"""
    pages = list(pages or [])
    seeds = [page_seeds(p) for p in pages]
    findings: list[dict[str, Any] | None] = [None] * len(pages)
    for _ in range(len(READ_STAGES) + 1):
        todo = pages_to_read(seeds, findings, features)
        if not todo:
            return assemble_entities([f for f in findings if f is not None], features)
        for i, known in todo.items():
            findings[i] = read_page(pages[i], known)
    raise RuntimeError("entity inference did not settle")  # cannot happen: see pages_to_read


def _fold_synonyms(fields: dict[str, list[_Sighting]]) -> None:
    """One entity keeps one of two names for the same thing (signup's full_name and the profile's
    name): the one seen on more pages, then the one a form used, then the shorter."""
    for group in _SYNONYM_FIELDS:
        present = sorted(group.intersection(fields))
        if len(present) < 2:
            continue
        keep = min(
            present,
            key=lambda n: (-len({s.slug for s in fields[n]}), not any(s.from_form for s in fields[n]), len(n), n),
        )
        for name in present:
            if name != keep:
                fields[keep].extend(fields.pop(name))


def _assemble(collector: _Collector) -> list[dict[str, Any]]:
    entities = collector.entities
    for evidence in entities.values():
        _fold_synonyms(evidence.fields)
    names = set(entities)
    # rewrite fields that point at another entity into foreign keys, creating missing targets
    relationships: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)
    rewritten: dict[str, dict[str, list[_Sighting]]] = {}
    for entity in sorted(names):
        fields: dict[str, list[_Sighting]] = defaultdict(list)
        for name, sightings in sorted(entities[entity].fields.items()):
            merged_type = _merge_type([s.spec["type"] for s in ([s for s in sightings if s.from_form] or sightings)])
            target = _reference_target(name, {"type": merged_type}, entity, names)
            if target is None:
                fields[name].extend(sightings)
                continue
            fk, target_entity = target
            many = any(s.spec.get("multiple") for s in sightings)
            if many:
                relationships[entity].add(
                    ("many_to_many", target_entity, f"{snake_case(target_entity)}_id", "many_to_many")
                )
                relationships[target_entity].add(("many_to_many", entity, f"{snake_case(entity)}_id", "many_to_many"))
                continue
            for s in sightings:
                spec = {k: v for k, v in s.spec.items() if k in ("required", "label", "unique")} | {
                    "type": "reference",
                    "target_entity": target_entity,
                }
                spec.pop("unique", None)
                fields[fk].append(_Sighting(spec, s.slug, s.confidence, s.from_form))
            relationships[entity].add(("belongs_to", target_entity, fk, "has_many"))
            relationships[target_entity].add(("has_many", entity, fk, "belongs_to"))
        rewritten[entity] = fields
    for entity in list(relationships):
        if entity not in entities:
            entities[entity]  # a reference target seen only as a foreign key
            rewritten.setdefault(entity, defaultdict(list))
    # detail pages listing other entities: has_many, or many_to_many when both list each other
    for owner in sorted(entities):
        for listed, slugs in sorted(entities[owner].lists.items()):
            if owner in entities[listed].lists:
                relationships[owner].add(("many_to_many", listed, f"{snake_case(listed)}_id", "many_to_many"))
                continue
            if any(r[0] == "belongs_to" and r[1] == owner for r in relationships[listed]):
                continue
            fk = f"{snake_case(owner)}_id"
            for slug in sorted(slugs):
                rewritten[listed][fk].append(
                    _Sighting(
                        {"type": "reference", "target_entity": owner, "required": False},
                        slug,
                        CONFIDENCE_LIST_RELATION,
                        False,
                    )
                )
            relationships[listed].add(("belongs_to", owner, fk, "has_many"))
            relationships[owner].add(("has_many", listed, fk, "belongs_to"))

    result = []
    for entity in sorted(entities):
        evidence = entities[entity]
        merged: dict[str, dict[str, Any]] = {
            "id": {"type": "uuid", "required": True, "primary": True, "inferred_from": [], "confidence": 1.0}
        }
        for name in sorted(rewritten.get(entity, {})):
            merged[name] = _merge_field(rewritten[entity][name])
        result.append(
            {
                "entity_name": entity,
                "plural_name": pluralize(entity),
                "description": _describe(entity, evidence),
                "fields": merged,
                "relationships": [
                    {"type": t, "target_entity": target, "foreign_key": fk, "inverse": inverse}
                    for t, target, fk, inverse in sorted(relationships.get(entity, set()))
                ],
                "crud_locations": {op: sorted(evidence.crud.get(op, set())) for op in CRUD_OPERATIONS},
                "confidence_score": _entity_confidence(evidence, len(merged) - 1),
            }
        )
    return result


# --- merging into stored rows --------------------------------------------------------------------

_MERGED_KEYS = ("plural_name", "description", "fields", "relationships", "crud_locations", "confidence_score")


def merge_inferred(existing: list[dict[str, Any]], inferred: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold a fresh inference into stored entity rows without undoing a person's work.

    A `user_confirmed` entity is never changed (it is reported under "protected"); a field whose
    spec has `"user_edited": true` is kept exactly; fields only in the stored row (added by a
    person or seen before) are kept; inferred_from, crud locations and relationships are unions.
    Returns {"upserts": [rows to write], "unchanged": [entity names], "protected": [entity names]},
    each sorted by entity name. Stored rows not in `inferred` are left alone and not reported.
    """
    by_name = {str(row.get("entity_name", "")).lower(): row for row in existing or []}
    upserts, unchanged, protected = [], [], []
    for new in sorted(inferred or [], key=lambda e: e["entity_name"]):
        old = by_name.get(new["entity_name"].lower())
        if old is None:
            upserts.append(copy.deepcopy(new))
            continue
        if old.get("user_confirmed"):
            protected.append(old["entity_name"])
            continue
        merged = copy.deepcopy(old)
        merged["plural_name"] = old.get("plural_name") or new["plural_name"]
        merged["description"] = old.get("description") or new["description"]
        merged["fields"] = _merge_fields(old.get("fields") or {}, new["fields"])
        merged["relationships"] = _union_relationships(old.get("relationships") or [], new["relationships"])
        merged["crud_locations"] = {
            op: sorted(set((old.get("crud_locations") or {}).get(op, [])) | set(new["crud_locations"].get(op, [])))
            for op in sorted(set(CRUD_OPERATIONS) | set(old.get("crud_locations") or {}))
        }
        merged["confidence_score"] = max(float(old.get("confidence_score") or 0.0), new["confidence_score"])
        if all(merged.get(k) == old.get(k) for k in _MERGED_KEYS):
            unchanged.append(old["entity_name"])
        else:
            upserts.append(merged)
    return {"upserts": upserts, "unchanged": unchanged, "protected": protected}


def _merge_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(old)
    for name, spec in new.items():
        current = old.get(name)
        if current is None:
            merged[name] = copy.deepcopy(spec)
        elif not current.get("user_edited"):
            updated = copy.deepcopy(spec)
            updated["inferred_from"] = sorted(
                set(current.get("inferred_from", [])) | set(spec.get("inferred_from", []))
            )
            merged[name] = updated
    return merged


def _union_relationships(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {(r.get("type"), r.get("target_entity"), r.get("foreign_key")) for r in old}
    result = copy.deepcopy(old)
    for relationship in new:
        key = (relationship["type"], relationship["target_entity"], relationship["foreign_key"])
        if key not in seen:
            seen.add(key)
            result.append(copy.deepcopy(relationship))
    return result
