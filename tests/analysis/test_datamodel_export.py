"""DDL text, JSON Schema and pydantic source exported from an inferred data model."""

import datetime
import uuid

import pytest

from flexos_mcp.analysis.datamodel_export import (
    quote_ident,
    quote_literal,
    to_json_schema,
    to_postgres_ddl,
    to_pydantic_source,
)
from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import CYCLE, EXAMPLE_PAGES

HOSTILE = 'x"; DROP TABLE users; --'


@pytest.fixture(scope="module")
def entities():
    return infer_entities(EXAMPLE_PAGES, [])


def load_models(source):
    namespace = {}
    exec(compile(source, "<generated models>", "exec"), namespace)
    return namespace


USER_OK = {
    "id": str(uuid.UUID(int=1)),
    "accept_terms": True,
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "password": "correct horse",
    "role": "teacher",
    "website": None,
}


def test_ddl_tables_in_dependency_order(entities):
    ddl = to_postgres_ddl(entities)
    assert [line.split('"')[1] for line in ddl.splitlines() if line.startswith("CREATE TABLE")] == [
        "users",
        "lessons",
        "comments",
    ]
    assert '"id" uuid PRIMARY KEY DEFAULT gen_random_uuid()' in ddl
    assert (
        '"email" varchar(255) NOT NULL UNIQUE CHECK ("email" ~* E\'^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$\')'
    ) in ddl
    assert """"role" text NOT NULL CHECK ("role" IN ('teacher', 'student', 'parent'))""" in ddl
    assert '"grade_level" integer NOT NULL CHECK ("grade_level" >= 1) CHECK ("grade_level" <= 12)' in ddl
    assert '"author_id" uuid REFERENCES "users" ("id") ON DELETE SET NULL' in ddl
    assert '"lesson_id" uuid REFERENCES "lessons" ("id") ON DELETE SET NULL' in ddl
    assert '"published_date" date,' in ddl and '"date" timestamptz,' in ddl
    assert '"rating" numeric,' in ddl and '"title" varchar(200) NOT NULL' in ddl


def test_ddl_many_to_many_join_table_and_cycles():
    ddl = to_postgres_ddl(CYCLE)
    assert (
        'CREATE TABLE "courses_students" (\n  "course_id" uuid NOT NULL REFERENCES "courses" ("id") '
        'ON DELETE CASCADE,\n  "student_id" uuid NOT NULL REFERENCES "students" ("id") ON DELETE '
        'CASCADE,\n  PRIMARY KEY ("course_id", "student_id")\n)' in ddl
    )
    # courses and students reference each other: the FK into the later table comes last
    assert '"best_course_id" uuid NOT NULL REFERENCES "courses" ("id") ON DELETE CASCADE' in ddl
    assert ddl.rstrip().endswith(
        'ALTER TABLE "courses" ADD FOREIGN KEY ("owner_id") REFERENCES "students" ("id") ON DELETE SET NULL;'
    )


def test_identifiers_and_literals_are_quoted():
    assert quote_ident('a"b') == '"a""b"'
    assert quote_literal("it's") == "'it''s'"
    assert quote_literal("a\\b'") == "E'a\\\\b'''"
    ddl = to_postgres_ddl(
        [
            {
                "entity_name": HOSTILE,
                "fields": {
                    'name"); DROP TABLE users; --': {"type": "enum", "enum_values": ["a'); DROP TABLE users; --"]}
                },
            }
        ]
    )
    assert "DROP TABLE users;" not in ddl.replace("'a''); DROP TABLE users; --'", "")
    assert 'CREATE TABLE "x_drop_table_users"' in ddl


def test_json_schema_shapes(entities):
    schema = to_json_schema(entities)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert sorted(schema["$defs"]) == ["Comment", "Lesson", "User"]
    user = schema["$defs"]["User"]
    assert user["required"] == ["id", "accept_terms", "email", "name", "password", "role"]
    assert user["additionalProperties"] is False
    assert user["properties"]["email"] == {
        "type": "string",
        "format": "email",
        "maxLength": 255,
        "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
        "title": "Email",
    }
    assert user["properties"]["website"] == {
        "anyOf": [{"type": "string", "format": "uri", "title": "Website"}, {"type": "null"}]
    }
    lesson = schema["$defs"]["Lesson"]["properties"]
    assert lesson["published_date"]["anyOf"][0]["format"] == "date"
    assert lesson["grade_level"] == {"type": "integer", "minimum": 1, "maximum": 12, "title": "Grade level"}


def test_json_schema_validates_and_rejects(entities):
    import jsonschema

    schema = to_json_schema(entities)
    validator = jsonschema.Draft202012Validator(
        {**schema, "$ref": "#/$defs/User"}, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(USER_OK)) == []
    bad = [
        {**USER_OK, "email": "not-an-email"},
        {**USER_OK, "role": "admin"},
        {**USER_OK, "name": "x" * 121},
        {k: v for k, v in USER_OK.items() if k != "email"},
        {**USER_OK, "shoe_size": 44},
        {**USER_OK, "accept_terms": "yes"},
    ]
    assert [len(list(validator.iter_errors(obj))) > 0 for obj in bad] == [True] * len(bad)
    lesson = jsonschema.Draft202012Validator(
        {**schema, "$ref": "#/$defs/Lesson"}, format_checker=jsonschema.FormatChecker()
    )
    good_lesson = {
        "id": str(uuid.uuid4()),
        "title": "Fractions",
        "subject": "math",
        "grade_level": 5,
        "published_date": "2024-03-01",
        "author_id": None,
    }
    assert list(lesson.iter_errors(good_lesson)) == []
    assert list(lesson.iter_errors({**good_lesson, "published_date": "2024-13-45"}))
    assert list(lesson.iter_errors({**good_lesson, "grade_level": 13}))


def test_pydantic_source_compiles_and_validates(entities):
    models = load_models(to_pydantic_source(entities))
    user = models["User"].model_validate(USER_OK)
    assert user.email == "ada@example.com" and user.website is None
    lesson = models["Lesson"](
        id=uuid.uuid4(), title="Fractions", subject="math", grade_level=5, published_date="2024-03-01"
    )
    assert lesson.published_date == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    "bad",
    [
        {**USER_OK, "email": "nope"},
        {**USER_OK, "role": "admin"},
        {**USER_OK, "password": "short"},
        {**USER_OK, "unknown": 1},
    ],
)
def test_pydantic_source_refuses_a_bad_record(entities, bad):
    models = load_models(to_pydantic_source(entities))
    with pytest.raises(Exception) as error:
        models["User"].model_validate(bad)
    assert type(error.value).__name__ == "ValidationError"


def test_pydantic_source_sanitises_hostile_and_reserved_names():
    source = to_pydantic_source(
        [
            {
                "entity_name": HOSTILE,
                "description": '"""\nimport os; os.system("x")\n',
                "fields": {
                    "class": {"type": "string", "required": True},
                    "model_config": {"type": "integer"},
                    "json": {"type": "boolean"},
                    "9lives": {"type": "enum", "enum_values": ["it's", '"q"']},
                    "pattern": {"type": "string", "validation": {"pattern": "([unclosed"}},
                },
            },
            {"entity_name": "None", "fields": {}},
        ]
    )
    models = load_models(source)
    hostile = models["XDropTableUsers"]
    obj = hostile.model_validate(
        {"id": str(uuid.uuid4()), "class": "a", "model_config": 3, "json": True, "f_9lives": "it's", "pattern": "(["}
    )
    assert (obj.class_, obj.model_config_, obj.json_, obj.f_9lives) == ("a", 3, True, "it's")
    assert "NoneModel" in models
    assert "os.system" not in source.replace(repr('"""\nimport os; os.system("x")\n'), "")
