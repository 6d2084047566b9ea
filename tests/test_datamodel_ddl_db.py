"""The exported DDL runs on a real PostgreSQL, and a hostile entity name cannot inject SQL."""

import uuid

from flexos_mcp.analysis.datamodel_export import to_postgres_ddl
from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import CYCLE, EXAMPLE_PAGES

SAMPLE_ROWS = {
    "users": {
        "accept_terms": True,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "password": "correct horse",
        "role": "teacher",
    },
    "lessons": {"title": "Fractions", "subject": "math", "grade_level": 5},
    "comments": {"body": "Lovely idea!"},
}


async def table_names(conn):
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    return [r["tablename"] for r in rows]


async def test_example_ddl_creates_tables_and_accepts_rows(scratch_conn, subtests):
    await scratch_conn.execute(to_postgres_ddl(infer_entities(EXAMPLE_PAGES, [])))
    assert await table_names(scratch_conn) == ["comments", "lessons", "users"]
    ids = {}
    for table, row in SAMPLE_ROWS.items():
        with subtests.test(table=table, row=row):
            if table == "lessons":
                row = {**row, "author_id": ids["users"]}
            if table == "comments":
                row = {**row, "author_id": ids["users"], "lesson_id": ids["lessons"]}
            columns = ", ".join(f'"{c}"' for c in row)
            params = ", ".join(f"${i}" for i in range(1, len(row) + 1))
            ids[table] = await scratch_conn.fetchval(
                f'INSERT INTO "{table}" ({columns}) VALUES ({params}) RETURNING id', *row.values()
            )
            assert isinstance(ids[table], uuid.UUID)
    # constraints from the mockups hold: enum values, email shape, foreign keys
    for statement, args in (
        (
            "INSERT INTO users (accept_terms, email, name, password, role) VALUES (true, $1, $2, $2, $3)",
            ("b@example.com", "B", "admin"),
        ),
        (
            "INSERT INTO users (accept_terms, email, name, password, role) VALUES (true, $1, $2, $2, $3)",
            ("no-at-sign", "B", "student"),
        ),
        ("INSERT INTO comments (body, lesson_id) VALUES ('x', $1)", (uuid.uuid4(),)),
    ):
        try:
            await scratch_conn.execute(statement, *args)
        except Exception as error:  # asyncpg's CheckViolation / ForeignKeyViolation
            assert type(error).__name__ in {"CheckViolationError", "ForeignKeyViolationError"}
        else:
            raise AssertionError(f"accepted a row the data model forbids: {args}")
    await scratch_conn.execute("DELETE FROM lessons")
    assert await scratch_conn.fetchval("SELECT lesson_id FROM comments") is None  # ON DELETE SET NULL


async def test_hostile_entity_name_is_quoted_safely(scratch_conn):
    await scratch_conn.execute("CREATE TABLE users (id int)")
    hostile = 'x"; DROP TABLE users; --'
    ddl = to_postgres_ddl(
        [
            {
                "entity_name": hostile,
                "plural_name": hostile,
                "fields": {
                    'evil"); DROP TABLE users; --': {
                        "type": "enum",
                        "required": True,
                        "enum_values": ["a'); DROP TABLE users; --"],
                    }
                },
                "relationships": [
                    {"type": "many_to_many", "target_entity": hostile, "foreign_key": "x_id", "inverse": "many_to_many"}
                ],
            }
        ]
    )
    await scratch_conn.execute(ddl)
    assert await table_names(scratch_conn) == ["users", "x_drop_table_users", "x_drop_table_users_x_drop_table_users"]
    await scratch_conn.execute(
        "INSERT INTO x_drop_table_users (evil_drop_table_users) VALUES ($1)", "a'); DROP TABLE users; --"
    )


async def test_reference_cycle_and_join_table_ddl_runs(scratch_conn):
    await scratch_conn.execute(to_postgres_ddl(CYCLE))
    assert await table_names(scratch_conn) == ["courses", "courses_students", "students"]
    fks = await scratch_conn.fetchval(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
    )
    assert fks == 4
