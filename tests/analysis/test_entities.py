"""Entity inference from hand-written, realistic mockups (tests/analysis/entity_fixtures.py)."""

import pytest

from flexos_mcp.analysis.entities import infer_entities, merge_inferred, pluralize, singularize

from helpers.entity_fixtures import EXAMPLE_PAGES, LESSONS, LESSONS_TABLE, LOGIN, NEW_LESSON, page

ID_FIELD = {"type": "uuid", "required": True, "primary": True, "inferred_from": [], "confidence": 1.0}


def by_name(entities):
    return {e["entity_name"]: e for e in entities}


@pytest.fixture(scope="module")
def example():
    return by_name(infer_entities(EXAMPLE_PAGES, []))


def test_example_app_entities_and_crud(example):
    assert sorted(example) == ["Comment", "Lesson", "User"]
    assert example["User"]["plural_name"] == "Users"
    assert example["User"]["crud_locations"] == {
        "create": ["signup"],
        "read": ["login"],
        "update": ["settings-profile"],
        "delete": ["settings-profile"],
    }
    assert example["Lesson"]["crud_locations"] == {
        "create": ["lessons-new"],
        "read": ["lessons", "lessons-detail"],
        "update": [],
        "delete": ["lessons-detail"],
    }
    assert example["Comment"]["crud_locations"] == {
        "create": [],
        "read": ["lessons-detail"],
        "update": [],
        "delete": ["lessons-detail"],
    }


def test_signup_login_profile_fields_on_user(example):
    fields = example["User"]["fields"]
    # signup's "Full name" and the profile's "Name" are one field (issue 18: never both)
    assert list(fields) == ["id", "accept_terms", "avatar", "bio", "email", "name", "password", "role", "website"]
    assert fields["id"] == ID_FIELD
    assert fields["email"] == {
        "type": "email",
        "required": True,
        "unique": True,
        "label": "Email",
        "inferred_from": ["login", "settings-profile", "signup"],
        "confidence": 0.99,
    }
    assert fields["password"] == {
        "type": "string",
        "required": True,
        "validation": {"min_length": 8},
        "sensitive": True,
        "label": "Password",
        "inferred_from": ["login", "signup"],
        "confidence": 0.99,
    }
    assert fields["name"] == {
        "type": "string",
        "required": True,
        "max_length": 120,
        "label": "Full name",
        "inferred_from": ["settings-profile", "signup"],
        "confidence": 0.99,
    }
    assert fields["role"]["type"] == "enum"
    assert fields["role"]["enum_values"] == ["teacher", "student", "parent"]
    assert fields["accept_terms"]["type"] == "boolean" and fields["accept_terms"]["required"] is True
    assert fields["avatar"]["type"] == "image"
    assert fields["bio"] == {
        "type": "text",
        "required": False,
        "max_length": 500,
        "label": "Bio",
        "inferred_from": ["settings-profile"],
        "confidence": 0.9,
    }
    assert fields["website"]["type"] == "url"
    # csrf token, confirmation and remember-me controls are not data
    assert not {"csrf_token", "password_confirmation", "remember_me"} & set(fields)


def test_new_lesson_form_and_cards(example):
    fields = example["Lesson"]["fields"]
    assert fields["title"] == {
        "type": "string",
        "required": True,
        "max_length": 200,
        "label": "Title",
        "inferred_from": ["lessons", "lessons-detail", "lessons-new"],
        "confidence": 0.99,
    }
    assert fields["grade_level"] == {
        "type": "integer",
        "required": True,
        "validation": {"min": 1, "max": 12},
        "label": "Grade level",
        "inferred_from": ["lessons-new"],
        "confidence": 0.9,
    }
    assert fields["duration_minutes"]["type"] == "integer"  # step=5 is still whole numbers
    assert fields["subject"]["type"] == "enum"
    assert fields["subject"]["enum_values"] == ["math", "science", "english"]
    assert fields["subject"]["inferred_from"] == ["lessons", "lessons-new"]
    assert fields["description"]["type"] == "text"
    assert fields["published_date"]["type"] == "date"
    assert fields["cover_image"]["type"] == "image"
    assert fields["tags"]["type"] == "string"
    assert fields["grade"]["type"] == "integer"  # card shows 5, 7, 4
    assert fields["date"]["type"] == "date"  # <time datetime="2024-03-01">
    assert fields["rating"]["type"] == "number"  # detail shows 4.5
    assert fields["author_id"] == {
        "type": "reference",
        "required": False,
        "target_entity": "User",
        "inferred_from": ["lessons", "lessons-detail"],
        "confidence": 0.91,
    }
    assert "author" not in fields


def test_relationships(example):
    assert example["Lesson"]["relationships"] == [
        {"type": "belongs_to", "target_entity": "User", "foreign_key": "author_id", "inverse": "has_many"},
        {"type": "has_many", "target_entity": "Comment", "foreign_key": "lesson_id", "inverse": "belongs_to"},
    ]
    assert example["User"]["relationships"] == [
        {"type": "has_many", "target_entity": "Comment", "foreign_key": "author_id", "inverse": "belongs_to"},
        {"type": "has_many", "target_entity": "Lesson", "foreign_key": "author_id", "inverse": "belongs_to"},
    ]
    comment = example["Comment"]["fields"]
    assert sorted(comment) == ["author_id", "avatar", "body", "date", "id", "lesson_id"]
    assert comment["lesson_id"]["confidence"] == 0.6
    assert comment["date"]["type"] == "datetime"
    assert comment["body"]["type"] == "text"


def test_login_reads_never_creates():
    user = by_name(infer_entities([page("login", "/login", LOGIN)], []))["User"]
    assert user["crud_locations"] == {"create": [], "read": ["login"], "update": [], "delete": []}
    assert sorted(user["fields"]) == ["email", "id", "password"]


def test_lessons_table_headers_and_cell_types():
    lesson = by_name(infer_entities([page("admin-lessons", "/admin/lessons", LESSONS_TABLE)], []))["Lesson"]
    types = {name: spec["type"] for name, spec in lesson["fields"].items()}
    assert types == {
        "id": "uuid",
        "contact_email": "email",
        "price": "number",
        "status": "enum",
        "title": "string",
        "updated_at": "datetime",
        "views": "integer",
    }
    assert lesson["fields"]["status"]["enum_values"] == ["draft", "published"]
    assert lesson["crud_locations"]["read"] == ["admin-lessons"]
    assert lesson["crud_locations"]["delete"] == ["admin-lessons"]


def test_no_forms_no_entities():
    assert infer_entities([page("home", "/", "<h1>Welcome</h1><p>Nothing to store here.</p>")], []) == []
    assert infer_entities([], []) == []


def test_malformed_html_still_reads_fields():
    html = "<form id='lesson-form'><label>Title<input name=title required></label><div><p><b>oops"
    lesson = by_name(infer_entities([page("x", "/somewhere", html)], []))["Lesson"]
    assert lesson["fields"]["title"]["required"] is True
    assert lesson["crud_locations"]["create"] == ["x"]


def test_entity_names_that_are_substrings_of_others():
    plans = (
        "<div class='grid'>"
        + "".join(
            f"<div class='plan-card p-4'><h3 class='lesson-plan-title'>{t}</h3>"
            f"<span class='lesson-plan-week'>{w}</span></div>"
            for t, w in (("A", 3), ("B", 4))
        )
        + "</div>"
    )
    result = by_name(infer_entities([page("plans", "/lesson-plans", plans), page("lessons", "/lessons", LESSONS)], []))
    assert sorted(result["LessonPlan"]["fields"]) == ["id", "title", "week"]
    assert result["LessonPlan"]["plural_name"] == "LessonPlans"
    assert "plan_title" not in result["Lesson"]["fields"]
    assert result["Lesson"]["crud_locations"]["read"] == ["lessons"]


def test_duplicate_fields_across_pages_merge_inferred_from():
    a = "<form id='lesson-form'><input name='title' maxlength='80'></form>"
    b = "<form id='lesson-form'><input name='title' maxlength='120' required></form>"
    lesson = by_name(infer_entities([page("b", "/x", b), page("a", "/y", a)], []))["Lesson"]
    assert lesson["fields"]["title"] == {
        "type": "string",
        "required": True,
        "max_length": 120,
        "inferred_from": ["a", "b"],
        "confidence": 0.94,
    }


def test_names_normalised_and_labels_found():
    html = """<form data-entity="member"><label for="fn">First name</label><input id="fn" name="firstName">
      <input name="last-name" aria-label="Last name"><input name="member[nick_name]" placeholder="Nickname">
      <input type="hidden" name="team_id" value="7"><input type="datetime-local" name="joinedAt">
      <input type="number" step="0.01" name="balance"><input type="file" name="cv" accept=".pdf"></form>"""
    member = by_name(infer_entities([page("m", "/m", html)], []))
    fields = member["Member"]["fields"]
    assert {n: s.get("label") for n, s in fields.items() if n != "id"} == {
        "balance": None,
        "cv": None,
        "first_name": "First name",
        "joined_at": None,
        "last_name": "Last name",
        "nick_name": "Nickname",
        "team_id": None,
    }
    assert fields["joined_at"]["type"] == "datetime"
    assert fields["balance"]["type"] == "number"
    assert fields["cv"]["type"] == "url" and fields["cv"]["file"] is True
    assert fields["team_id"]["type"] == "reference" and fields["team_id"]["target_entity"] == "Team"
    assert member["Team"]["relationships"] == [
        {"type": "has_many", "target_entity": "Member", "foreign_key": "team_id", "inverse": "belongs_to"}
    ]


def test_features_name_entities_and_turn_selects_into_references():
    features = [
        {
            "name": "Share lessons",
            "data_operations": {
                "creates": ["Lesson"],
                "reads": ["Subject", "Profile"],
                "updates": [],
                "deletes": ["Drafts"],
            },
        }
    ]
    result = by_name(infer_entities([page("lessons-new", "/lessons/new", NEW_LESSON)], features))
    assert sorted(result) == ["Draft", "Lesson", "Subject", "User"]
    assert "subject" not in result["Lesson"]["fields"]
    assert result["Lesson"]["fields"]["subject_id"]["target_entity"] == "Subject"
    assert result["Subject"]["relationships"] == [
        {"type": "has_many", "target_entity": "Lesson", "foreign_key": "subject_id", "inverse": "belongs_to"}
    ]
    assert result["Draft"]["confidence_score"] == 0.4
    assert result["Draft"]["description"] == "Draft: inferred from features Share lessons."


def test_detail_pages_listing_each_other_are_many_to_many():
    def detail(owner, listed):
        items = "".join(f"<li class='{listed}-item'><a class='{listed}-name'>{n}</a></li>" for n in "ab")
        return f"<h1 class='{owner}-name'>X</h1><ul>{items}</ul>"

    result = by_name(
        infer_entities(
            [
                page("course", "/courses/1", detail("course", "student")),
                page("student", "/students/1", detail("student", "course")),
            ],
            [],
        )
    )
    assert result["Course"]["relationships"] == [
        {"type": "many_to_many", "target_entity": "Student", "foreign_key": "student_id", "inverse": "many_to_many"}
    ]
    assert result["Student"]["relationships"] == [
        {"type": "many_to_many", "target_entity": "Course", "foreign_key": "course_id", "inverse": "many_to_many"}
    ]


def test_edit_form_with_values_updates_and_search_forms_are_ignored():
    html = """<form role="search"><input name="q"></form>
      <form id="lesson-form"><input name="title" value="Fractions"><button>Save</button></form>"""
    lesson = by_name(infer_entities([page("e", "/lessons/42", html)], []))["Lesson"]
    assert lesson["crud_locations"]["update"] == ["e"]
    assert sorted(lesson["fields"]) == ["id", "title"]


def test_output_is_deterministic_regardless_of_page_order():
    assert infer_entities(EXAMPLE_PAGES, []) == infer_entities(list(reversed(EXAMPLE_PAGES)), [])


@pytest.mark.parametrize(
    "singular,plural",
    [
        ("Category", "Categories"),
        ("Class", "Classes"),
        ("Person", "People"),
        ("Child", "Children"),
        ("Quiz", "Quizzes"),
        ("Status", "Statuses"),
        ("Analysis", "Analyses"),
        ("Leaf", "Leaves"),
        ("Knife", "Knives"),
        ("Roof", "Roofs"),
        ("Hero", "Heroes"),
        ("Photo", "Photos"),
        ("Box", "Boxes"),
        ("Match", "Matches"),
        ("Day", "Days"),
        ("Course", "Courses"),
        ("Bus", "Buses"),
        ("News", "News"),
        ("Criterion", "Criteria"),
        ("Movie", "Movies"),
        ("LessonPlan", "LessonPlans"),
        ("lesson_plan", "lesson_plans"),
        ("Address", "Addresses"),
    ],
)
def test_pluralisation(singular, plural):
    assert pluralize(singular) == plural
    assert singularize(plural) == singular
    assert singularize(singular) == singular


def test_merge_never_overwrites_confirmed_entities_or_edited_fields():
    inferred = infer_entities(EXAMPLE_PAGES, [])
    stored_user = {"entity_name": "User", "user_confirmed": True, "fields": {}, "plural_name": "Users"}
    stored_lesson = {
        "entity_name": "Lesson",
        "user_confirmed": False,
        "plural_name": "Lessons",
        "description": "Lessons teachers share",
        "confidence_score": 0.5,
        "fields": {
            "title": {"type": "text", "required": False, "user_edited": True, "inferred_from": ["old"]},
            "subject": {"type": "string", "required": False, "inferred_from": ["old-page"]},
            "difficulty": {"type": "enum", "enum_values": ["easy", "hard"], "user_edited": True},
        },
        "relationships": [],
        "crud_locations": {"create": ["old-page"]},
    }
    result = merge_inferred([stored_user, stored_lesson], inferred)
    assert result["protected"] == ["User"]
    assert result["unchanged"] == []
    assert [e["entity_name"] for e in result["upserts"]] == ["Comment", "Lesson"]
    lesson = result["upserts"][1]
    assert lesson["fields"]["title"] == stored_lesson["fields"]["title"]
    assert lesson["fields"]["difficulty"] == stored_lesson["fields"]["difficulty"]
    assert lesson["fields"]["subject"]["type"] == "enum"
    assert lesson["fields"]["subject"]["inferred_from"] == ["lessons", "lessons-new", "old-page"]
    assert lesson["crud_locations"]["create"] == ["lessons-new", "old-page"]
    assert lesson["description"] == "Lessons teachers share"
    assert lesson["confidence_score"] == 0.99
    assert lesson["user_confirmed"] is False
    assert stored_lesson["fields"]["subject"]["type"] == "string"  # inputs are not mutated
    again = merge_inferred([*result["upserts"], stored_user], inferred)
    assert again == {"upserts": [], "unchanged": ["Comment", "Lesson"], "protected": ["User"]}


def test_cards_without_data_names_are_read_by_their_shape():
    # issue 18: such a list used to give an entity with only `id`
    import re

    plain = re.sub(r"lesson-(card|cover|title|subject|grade|author|date)", "", LESSONS)
    lesson = by_name(infer_entities([page("lessons", "/lessons", plain)], []))["Lesson"]
    assert {n: f["type"] for n, f in lesson["fields"].items()} == {
        "id": "uuid",
        "name": "string",
        "image": "image",
        "date": "date",
    }
    assert lesson["fields"]["name"]["inferred_from"] == ["lessons"]
    assert lesson["crud_locations"]["read"] == ["lessons"]


def test_label_element_just_before_the_input():
    html = (
        "<form><div><label class='text-sm'>Work email</label>"
        "<input type='email' name='email' class='w-full'></div><button>Sign up</button></form>"
    )
    user = by_name(infer_entities([page("signup", "/signup", html)], []))["User"]
    assert user["fields"]["email"]["label"] == "Work email"
    assert user["crud_locations"]["create"] == ["signup"]
