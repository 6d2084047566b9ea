"""Export an inferred data model as PostgreSQL DDL, JSON Schema (2020-12) and pydantic source.

The entities come from `analysis.entities` (or a person's edits of them), so every name in them
started as text in someone's HTML. All three exports therefore go through one normalised model
first: entity and field names become snake_case ASCII identifiers (unique, at most 63 bytes, the
PostgreSQL limit), and SQL identifiers are additionally always double-quoted and literals always
escaped, so a hostile name can neither inject SQL nor break the generated Python.

HTML `pattern` regexes are JavaScript syntax: they are kept in JSON Schema and pydantic (after a
Python `re.compile` check) but not turned into SQL CHECKs, whose regex dialect differs.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .inflection import pascal_case, pluralize, snake_case, words_of

__all__ = ["quote_ident", "quote_literal", "to_json_schema", "to_postgres_ddl", "to_pydantic_source"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_MAX_IDENTIFIER_BYTES = 63
_STRING_LIKE = {"string", "text", "email", "url", "image"}


@dataclass
class _Column:
    name: str  # sanitised snake_case identifier
    type: str
    required: bool = False
    unique: bool = False
    max_length: int | None = None
    min_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: str | None = None
    enum_values: list[str] = field(default_factory=list)
    multiple: bool = False
    target: str | None = None  # entity name a reference points at
    label: str = ""


@dataclass
class _Table:
    entity: str
    class_name: str
    table: str
    description: str
    columns: list[_Column]


@dataclass
class _JoinTable:
    table: str
    left: tuple[str, str]  # (column, referenced entity)
    right: tuple[str, str]


@dataclass
class _Model:
    tables: dict[str, _Table]  # by entity name, in a stable order
    joins: list[_JoinTable]


def _identifier(raw: str, fallback: str, taken: set[str]) -> str:
    """A snake_case identifier of at most 63 bytes, unique among `taken` (which it joins)."""
    base = snake_case(raw) or fallback
    base = base[:_MAX_IDENTIFIER_BYTES]
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate = base[: _MAX_IDENTIFIER_BYTES - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _class_identifier(raw: str, taken: set[str]) -> str:
    base = pascal_case(raw) or "Entity"
    if base[0].isdigit():
        base = "E" + base
    if keyword.iskeyword(base) or keyword.issoftkeyword(base):
        base += "Model"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def _finite(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _python_pattern(pattern: object) -> str | None:
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern


def _column(name: str, spec: dict[str, Any]) -> _Column:
    validation: dict[str, Any] = spec["validation"] if isinstance(spec.get("validation"), dict) else {}
    max_length = spec.get("max_length")
    min_length = validation.get("min_length")
    return _Column(
        name=name,
        type=str(spec.get("type") or "string"),
        required=bool(spec.get("required")),
        unique=bool(spec.get("unique")),
        max_length=max_length if isinstance(max_length, int) and max_length > 0 else None,
        min_length=min_length if isinstance(min_length, int) and min_length > 0 else None,
        minimum=_finite(validation.get("min")),
        maximum=_finite(validation.get("max")),
        pattern=_python_pattern(validation.get("pattern")),
        enum_values=[str(v) for v in spec.get("enum_values") or [] if isinstance(v, (str, int, float))],
        multiple=bool(spec.get("multiple")),
        target=spec.get("target_entity") if isinstance(spec.get("target_entity"), str) else None,
        label=str(spec.get("label") or ""),
    )


def _normalise(entities: list[dict[str, Any]]) -> _Model:
    """One sanitised view of the entities that all three exports render."""
    table_names: set[str] = set()
    class_names: set[str] = set()
    tables: dict[str, _Table] = {}
    for entity in sorted(entities or [], key=lambda e: str(e.get("entity_name", ""))):
        name = str(entity.get("entity_name") or "")
        if not name or name in tables:
            continue
        plural = str(entity.get("plural_name") or pluralize(name))
        columns = [_Column("id", "uuid", required=True)]
        taken = {"id"}
        fields: dict[str, Any] = entity["fields"] if isinstance(entity.get("fields"), dict) else {}
        for field_name in sorted(fields):
            spec = fields[field_name]
            if not isinstance(spec, dict) or spec.get("primary") or snake_case(field_name) == "id":
                continue
            columns.append(_column(_identifier(field_name, "field", taken), spec))
        tables[name] = _Table(
            name,
            _class_identifier(name, class_names),
            _identifier(plural, "entities", table_names),
            str(entity.get("description") or ""),
            columns,
        )
    joins: list[_JoinTable] = []
    pairs: set[tuple[str, str]] = set()
    for entity in entities or []:
        source = str(entity.get("entity_name") or "")
        for rel in entity.get("relationships") or []:
            if not isinstance(rel, dict) or source not in tables:
                continue
            target = str(rel.get("target_entity") or "")
            if target not in tables:
                continue
            if rel.get("type") == "belongs_to":
                _ensure_fk(tables[source], str(rel.get("foreign_key") or ""), target)
            elif rel.get("type") == "has_many":
                _ensure_fk(tables[target], str(rel.get("foreign_key") or ""), source)
            elif rel.get("type") == "many_to_many":
                pairs.add((min(source, target), max(source, target)))
    for left, right in sorted(pairs):
        left_column = f"{snake_case(left) or 'left'}_id"[:_MAX_IDENTIFIER_BYTES]
        right_column = f"{snake_case(right) or 'right'}_id"[:_MAX_IDENTIFIER_BYTES]
        if right_column == left_column:
            right_column = f"related_{right_column}"[:_MAX_IDENTIFIER_BYTES]
        join_name = _identifier(f"{tables[left].table}_{tables[right].table}", "links", table_names)
        joins.append(_JoinTable(join_name, (left_column, left), (right_column, right)))
    return _Model(tables, joins)


def _ensure_fk(table: _Table, foreign_key: str, target: str) -> None:
    """A relationship's foreign key exists as a uuid reference column on the owning table."""
    name = snake_case(foreign_key) or f"{snake_case(target)}_id"
    for column in table.columns:
        if column.name == name:
            if column.type == "reference" and not column.target:
                column.target = target
            return
    taken = {c.name for c in table.columns}
    table.columns.append(_Column(_identifier(name, "ref_id", taken), "reference", target=target))


# --- PostgreSQL --------------------------------------------------------------------------------------


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier, always double-quoted (NUL removed, quotes doubled)."""
    return '"' + name.replace("\x00", "").replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A PostgreSQL string literal that is safe whatever standard_conforming_strings says."""
    value = value.replace("\x00", "")
    if "\\" in value:
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + value.replace("'", "''") + "'"


def _sql_number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _sql_type(column: _Column) -> str:
    if column.type in ("uuid", "reference"):
        base = "uuid"
    elif column.type == "string":
        base = f"varchar({column.max_length or 255})"
    elif column.type == "email":
        base = f"varchar({max(column.max_length or 255, 3)})"
    elif column.type == "integer":
        base = "integer"
    elif column.type == "number":
        base = "numeric"
    elif column.type == "boolean":
        base = "boolean"
    elif column.type == "date":
        base = "date"
    elif column.type == "datetime":
        base = "timestamptz"
    else:  # text, url, image (a URL), enum (text + CHECK), anything unknown
        base = "text"
    return base + "[]" if column.multiple and column.type != "reference" else base


def _column_checks(column: _Column) -> list[str]:
    col = quote_ident(column.name)
    checks = []
    if column.type == "enum" and column.enum_values:
        values = ", ".join(quote_literal(v) for v in column.enum_values)
        checks.append(f"{col} <@ ARRAY[{values}]::text[]" if column.multiple else f"{col} IN ({values})")
    if column.multiple:
        return checks
    if column.type == "email":
        checks.append(f"{col} ~* {quote_literal(EMAIL_PATTERN)}")
    if column.type in ("text", "url", "image") and column.max_length:
        checks.append(f"char_length({col}) <= {column.max_length}")
    if column.type in _STRING_LIKE and column.min_length:
        checks.append(f"char_length({col}) >= {column.min_length}")
    if column.type in ("integer", "number"):
        if column.minimum is not None:
            checks.append(f"{col} >= {_sql_number(column.minimum)}")
        if column.maximum is not None:
            checks.append(f"{col} <= {_sql_number(column.maximum)}")
    return checks


def _fk_clause(column: _Column, tables: dict[str, _Table]) -> str:
    assert column.target is not None  # called only for a column that references a table
    action = "CASCADE" if column.required else "SET NULL"
    return f"REFERENCES {quote_ident(tables[column.target].table)} ({quote_ident('id')}) ON DELETE {action}"


def _creation_order(model: _Model) -> list[str]:
    """Referenced tables before referencing ones (alphabetical among equals); cycles last."""
    depends = {
        name: {c.target for c in t.columns if c.target in model.tables and c.target != name}
        for name, t in model.tables.items()
    }
    order: list[str] = []
    remaining = dict(depends)
    while remaining:
        ready = sorted(n for n, deps in remaining.items() if deps <= set(order))
        if not ready:
            order.extend(sorted(remaining))
            break
        order.append(ready[0])
        del remaining[ready[0]]
    return order


def to_postgres_ddl(entities: list[dict[str, Any]]) -> str:
    """CREATE TABLE statements (PostgreSQL 13+) for the entities, in dependency order: uuid
    primary keys, mapped column types, NOT NULL/UNIQUE/CHECK constraints, foreign keys from
    reference fields and belongs_to/has_many relationships, join tables for many_to_many.
    Foreign keys inside a reference cycle are added by ALTER TABLE at the end."""
    model = _normalise(entities)
    statements: list[str] = []
    created: set[str] = set()
    deferred: list[str] = []
    for entity in _creation_order(model):
        table = model.tables[entity]
        lines = [f"{quote_ident('id')} uuid PRIMARY KEY DEFAULT gen_random_uuid()"]
        for column in table.columns[1:]:
            parts = [quote_ident(column.name), _sql_type(column)]
            if column.required:
                parts.append("NOT NULL")
            if column.unique:
                parts.append("UNIQUE")
            if column.target in model.tables and not column.multiple:
                if column.target in created or column.target == entity:
                    parts.append(_fk_clause(column, model.tables))
                else:
                    deferred.append(
                        f"ALTER TABLE {quote_ident(table.table)} ADD FOREIGN KEY "
                        f"({quote_ident(column.name)}) {_fk_clause(column, model.tables)}"
                    )
            parts.extend(f"CHECK ({check})" for check in _column_checks(column))
            lines.append(" ".join(parts))
        statements.append(f"CREATE TABLE {quote_ident(table.table)} (\n  " + ",\n  ".join(lines) + "\n)")
        created.add(entity)
    for join in model.joins:
        columns = []
        for column_name, target in (join.left, join.right):
            columns.append(
                f"{quote_ident(column_name)} uuid NOT NULL REFERENCES "
                f"{quote_ident(model.tables[target].table)} ({quote_ident('id')}) ON DELETE CASCADE"
            )
        columns.append(f"PRIMARY KEY ({quote_ident(join.left[0])}, {quote_ident(join.right[0])})")
        statements.append(f"CREATE TABLE {quote_ident(join.table)} (\n  " + ",\n  ".join(columns) + "\n)")
    statements.extend(deferred)
    header = "-- Data model inferred by FlexOS from the project's mockups.\n"
    return header + "".join(statement + ";\n\n" for statement in statements).rstrip("\n") + "\n"


# --- JSON Schema -------------------------------------------------------------------------------------


def _json_base(column: _Column, tables: dict[str, _Table]) -> dict[str, Any]:
    if column.type in ("uuid", "reference"):
        schema: dict[str, Any] = {"type": "string", "format": "uuid"}
        if column.target in tables:
            schema["description"] = f"References {tables[column.target].class_name}.id"
    elif column.type == "enum" and column.enum_values:
        schema = {"enum": list(column.enum_values)}
    elif column.type in ("integer", "number", "boolean"):
        schema = {"type": column.type}
        if column.minimum is not None:
            schema["minimum"] = column.minimum
        if column.maximum is not None:
            schema["maximum"] = column.maximum
    else:
        schema = {"type": "string"}
        fmt = {"email": "email", "url": "uri", "image": "uri", "date": "date", "datetime": "date-time"}.get(column.type)
        if fmt:
            schema["format"] = fmt
        limit = column.max_length or (255 if column.type in ("string", "email") else None)
        if limit:
            schema["maxLength"] = limit
        if column.min_length:
            schema["minLength"] = column.min_length
        if column.pattern:
            schema["pattern"] = column.pattern
        elif column.type == "email":
            schema["pattern"] = EMAIL_PATTERN
    return {"type": "array", "items": schema} if column.multiple else schema


def to_json_schema(entities: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) document with one object schema per entity under `$defs`
    (keyed by the sanitised class name); optional properties may be null; no extra properties.
    Validate one entity with {"$ref": "#/$defs/<Class>"} against this document."""
    model = _normalise(entities)
    defs = {}
    for table in model.tables.values():
        properties = {}
        for column in table.columns:
            schema = _json_base(column, model.tables)
            if column.label:
                schema = {**schema, "title": column.label}
            properties[column.name] = schema if column.required else {"anyOf": [schema, {"type": "null"}]}
        defs[table.class_name] = {
            "type": "object",
            "title": table.entity,
            "description": table.description,
            "properties": properties,
            "required": [c.name for c in table.columns if c.required],
            "additionalProperties": False,
        }
    return {"$schema": JSON_SCHEMA_DIALECT, "title": "Inferred data model", "$defs": defs}


# --- pydantic ----------------------------------------------------------------------------------------

_PY_TYPES = {
    "uuid": "_uuid.UUID",
    "reference": "_uuid.UUID",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "date": "_dt.date",
    "datetime": "_dt.datetime",
}


def _python_field_name(column: str) -> tuple[str, str | None]:
    """(attribute name, alias) — names pydantic or Python reserve get a trailing underscore."""
    name = column if column.isidentifier() else "f_" + "_".join(words_of(column))
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.startswith("model_") or hasattr(BaseModel, name):
        return name + "_", column
    return name, None


def _py_annotation(column: _Column) -> str:
    if column.type == "enum" and column.enum_values:
        base = "_Literal[" + ", ".join(repr(v) for v in column.enum_values) + "]"
    else:
        base = _PY_TYPES.get(column.type, "str")
    return f"list[{base}]" if column.multiple else base


def _py_constraints(column: _Column, alias: str | None) -> list[str]:
    args = []
    if alias:
        args.append(f"alias={alias!r}")
    if column.multiple:
        return args
    if column.type in _STRING_LIKE:
        limit = column.max_length or (255 if column.type in ("string", "email") else None)
        if limit:
            args.append(f"max_length={limit}")
        if column.min_length:
            args.append(f"min_length={column.min_length}")
        pattern = column.pattern or (EMAIL_PATTERN if column.type == "email" else None)
        if pattern:
            args.append(f"pattern={pattern!r}")
    if column.type in ("integer", "number"):
        if column.minimum is not None:
            args.append(f"ge={column.minimum!r}")
        if column.maximum is not None:
            args.append(f"le={column.maximum!r}")
    if column.label:
        args.append(f"description={column.label!r}")
    return args


def to_pydantic_source(entities: list[dict[str, Any]]) -> str:
    """Python source of one pydantic BaseModel per entity (field types, Field constraints,
    optional fields default to None). Every name is sanitised and every value written with
    repr(), so the source always compiles; it imports only pydantic and the standard library."""
    model = _normalise(entities)
    lines = [
        '"""Pydantic models of the data model FlexOS inferred from the project\'s mockups."""',
        "",
        "import datetime as _dt",
        "import uuid as _uuid",
        "from typing import Literal as _Literal",
        "",
        "from pydantic import BaseModel as _BaseModel",
        "from pydantic import ConfigDict as _ConfigDict",
        "from pydantic import Field as _Field",
        "",
        "__all__ = [" + ", ".join(repr(t.class_name) for t in model.tables.values()) + "]",
    ]
    for table in model.tables.values():
        lines += [
            "",
            "",
            f"class {table.class_name}(_BaseModel):",
            f"    {table.description or table.entity!r}",
            "",
            "    model_config = _ConfigDict(extra='forbid', regex_engine='python-re', "
            "validate_by_name=True, validate_by_alias=True)",
            "",
        ]
        for column in table.columns:
            name, alias = _python_field_name(column.name)
            annotation = _py_annotation(column)
            args = _py_constraints(column, alias)
            if column.required:
                value = f" = _Field({', '.join(args)})" if args else ""
                lines.append(f"    {name}: {annotation}{value}")
            else:
                lines.append(f"    {name}: {annotation} | None = _Field({', '.join(['default=None', *args])})")
    return "\n".join(lines) + "\n"
