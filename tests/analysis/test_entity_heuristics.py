"""The inference failures named in issue 18, each on a small page shaped like the real one.

Search boxes, filters, sort and pagination controls and rating widgets describe how a list is
shown, not what the app stores: they are never entities of their own. The corpus-wide figures are
in tests/test_inference_corpus.py."""

import pytest

from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import page


def by_name(entities):
    return {e["entity_name"]: e for e in entities}


def field_types(entity):
    return {name: spec["type"] for name, spec in entity["fields"].items()}


LESSON_LIST_WITH_FILTERS = """<main><h1>Lesson library</h1>
  <form id="lesson-filters" action="/lessons" method="get" class="grid gap-4">
    <label>Search <input type="search" name="q" maxlength="100"></label>
    <label>Subject <select name="subject"><option value="">All subjects</option><option>Biology</option></select></label>
    <label>Grade <select name="grade"><option value="">All grades</option><option>1</option><option>4</option><option>7</option></select></label>
    <button type="submit">Filter</button>
  </form>
  <div class="grid">
    <article class="lesson-card"><h2 class="lesson-title">Photosynthesis in a jar</h2><span class="lesson-grade">7</span></article>
    <article class="lesson-card"><h2 class="lesson-title">Fractions with pizza</h2><span class="lesson-grade">4</span></article>
  </div></main>"""


def test_a_filter_form_is_not_an_entity():
    result = by_name(infer_entities([page("lessons", "/lessons", LESSON_LIST_WITH_FILTERS)], []))
    assert sorted(result) == ["Lesson"]
    assert field_types(result["Lesson"]) == {"id": "uuid", "title": "string", "grade": "integer"}


@pytest.mark.parametrize(
    "form_open, button",
    [
        ('<form class="filters">', "Apply"),  # named a filter by its class
        ('<form id="search-form">', "Go"),  # a search form without role=search
        ("<form>", "Filter"),  # only its button says so
        ('<form role="search">', "Submit"),
        ('<form method="GET" id="browse">', "Show"),  # an explicit GET asks, it does not write
    ],
)
def test_query_forms_are_never_entities(form_open, button):
    html = (
        f"<h1>Orders</h1>{form_open}<select name='status'><option>Paid</option><option>Open</option>"
        f"</select><input name='customer'><button>{button}</button></form>"
    )
    assert infer_entities([page("orders", "/orders", html)], []) == []


def test_sort_and_pagination_controls_are_not_fields():
    html = """<h1>New order</h1><form method="post"><input name="customer" required>
      <div class="toolbar"><select name="sort_by"><option>Newest</option></select></div>
      <input type="search" name="find"><button>Create order</button></form>
      <nav class="pagination"><a href="?page=2">2</a></nav>"""
    order = by_name(infer_entities([page("orders-new", "/orders/new", html)], []))["Order"]
    assert field_types(order) == {"id": "uuid", "customer": "string"}


def test_an_order_number_input_in_an_order_form_is_a_field():
    html = """<h1>New order</h1><form method="post" action="/orders">
      <label for="customer">Customer</label><input id="customer" name="customer" required>
      <label for="order">Position in the queue</label><input id="order" name="order" type="number" min="1">
      <button type="submit">Create order</button></form>"""
    order = by_name(infer_entities([page("orders-new", "/orders/new", html)], []))["Order"]
    assert order["fields"]["order"]["type"] == "integer"
    assert order["fields"]["order"]["validation"] == {"min": 1}
    assert order["crud_locations"]["create"] == ["orders-new"]


def test_order_still_means_sort_in_a_list_toolbar():
    html = """<h1>Lessons</h1><div class="list-controls"><select name="order"><option>Newest</option>
      <option>Oldest</option></select><select name="page"><option>1</option></select></div>
      <article class="lesson-card"><h2 class="lesson-title">A</h2></article>
      <article class="lesson-card"><h2 class="lesson-title">B</h2></article>"""
    result = by_name(infer_entities([page("lessons", "/lessons", html)], []))
    assert sorted(result) == ["Lesson"]
    assert "order" not in result["Lesson"]["fields"]


LESSON_DETAIL_WITH_RATING = """<article class="lesson"><h1>Photosynthesis in a jar</h1>
  <div class="rating" aria-label="Rated 4.5 out of 5">★★★★☆ <span>4.5 (38 ratings)</span></div>
  <form id="rate-lesson" action="/lessons/photosynthesis/ratings" method="post">
    <label for="rating">Your rating</label>
    <select id="rating" name="rating" required><option value="5">5 — excellent</option><option value="4">4</option>
      <option value="3">3</option><option value="2">2</option><option value="1">1 — not useful</option></select>
    <button type="submit">Rate</button></form></article>"""


def test_a_star_rating_widget_is_a_field_of_the_rated_record():
    result = by_name(infer_entities([page("lesson", "/lessons/detail", LESSON_DETAIL_WITH_RATING)], []))
    assert sorted(result) == ["Lesson"]  # not RateLesson
    rating = result["Lesson"]["fields"]["rating"]
    assert rating["type"] == "integer"
    assert rating["validation"] == {"min": 1, "max": 5}


def test_star_radio_buttons_rate_the_record_too():
    html = """<h1>Product</h1><form class="stars" method="post">
      <input type="radio" name="stars" value="1"><input type="radio" name="stars" value="2">
      <input type="radio" name="stars" value="3"><button>Rate</button></form>"""
    result = by_name(infer_entities([page("product", "/products/42", html)], []))
    assert sorted(result) == ["Product"]
    assert result["Product"]["fields"]["rating"]["validation"] == {"min": 1, "max": 3}


def test_a_review_form_with_a_rating_is_still_a_review():
    html = """<h2>Write a review</h2><form method="post"><select name="rating"><option>1</option><option>5</option>
      </select><textarea name="body" required></textarea><button>Post review</button></form>"""
    review = by_name(infer_entities([page("p", "/products/1", html)], []))["Review"]
    assert field_types(review) == {"id": "uuid", "body": "text", "rating": "enum"}


def test_users_get_one_name_field_not_name_and_full_name():
    signup = page(
        "signup",
        "/signup",
        """<form><label>Full name <input name="full_name" required></label>
      <input type="email" name="email" required><button>Sign up</button></form>""",
    )
    profile = page(
        "profile",
        "/settings/profile",
        """<form><label>Name <input name="name" value="Ada"></label>
      <label>Phone <input name="phone_number"></label><button>Save</button></form>""",
    )
    contact = page(
        "contact",
        "/settings/contact",
        """<form><label>Phone <input name="phone"></label>
      <button>Save</button></form>""",
    )
    user = by_name(infer_entities([signup, profile, contact], []))["User"]
    assert sorted(user["fields"]) == ["email", "id", "name", "phone"]
    assert user["fields"]["name"]["inferred_from"] == ["profile", "signup"]
    assert user["fields"]["name"]["required"] is True  # signup's promise survives the merge
    assert user["fields"]["phone"]["inferred_from"] == ["contact", "profile"]


COLLECTIONS = """<main><div class="flex"><h1>Collections</h1><a href="/collections/new">New collection</a></div>
  <div class="grid grid-cols-3 gap-6">
    <a href="/collections/1" class="rounded-xl border p-4"><img src="/covers/fractions.jpg" alt="" class="h-32">
      <h2 class="font-semibold">Fractions starter pack</h2>
      <p class="text-sm">Hands-on fraction lessons for grades 3 to 5.</p>
      <p class="text-xs">12 lessons · Updated <time datetime="2025-04-02">2 Apr 2025</time></p></a>
    <a href="/collections/2" class="rounded-xl border p-4"><img src="/covers/cells.jpg" alt="" class="h-32">
      <h2 class="font-semibold">Cells and microscopes</h2>
      <p class="text-sm">Everything for a first biology unit.</p>
      <p class="text-xs">8 lessons · Updated <time datetime="2025-03-18">18 Mar 2025</time></p></a>
  </div></main>"""


def test_a_collections_page_yields_collection_with_its_fields():
    collection = by_name(infer_entities([page("collections", "/collections", COLLECTIONS)], []))["Collection"]
    assert field_types(collection) == {
        "id": "uuid",
        "name": "string",
        "image": "image",
        "description": "text",
        "updated_at": "date",
    }
    assert collection["crud_locations"]["read"] == ["collections"]


def test_contact_cards_with_labelled_lines():
    card = """<div class="col"><div class="card"><h2>{name}</h2><p><b>About: </b>{about}</p>
      <ul><li>Address: {address}</li><li>Phone #: {phone}</li></ul><img src="/{name}.jpg" alt=""></div></div>"""
    html = (
        "<h1>Contacts</h1><div class='row'>"
        + "".join(
            card.format(name=n, about="Designer and coffee lover", address="Demo Street 1", phone="+1 800 1234")
            for n in ("Nicole", "Jonas")
        )
        + "</div>"
    )
    contact = by_name(infer_entities([page("contacts", "/contacts", html)], []))["Contact"]
    assert field_types(contact) == {
        "id": "uuid",
        "name": "string",
        "about": "text",
        "address": "string",
        "phone": "string",
        "image": "image",
    }


# --- shapes of real admin templates (tests/corpus/inference/ has the pages themselves) ------------


def test_control_ids_without_boilerplate_and_confirmation_copies():
    html = """<h1>Create an Account!</h1><form class="user">
      <input type="text" id="exampleFirstName" placeholder="First Name">
      <input type="email" id="inputEmail" placeholder="Email Address">
      <input type="password" id="exampleInputPassword" placeholder="Password">
      <input type="password" id="exampleRepeatPassword" placeholder="Repeat Password">
      <input type="checkbox" id="flexCheckDefault"><label for="flexCheckDefault">I agree the Terms and Conditions</label>
      <button type="submit">Register Account</button></form>"""
    user = by_name(infer_entities([page("register", "/register", html)], []))["User"]
    assert sorted(user["fields"]) == ["email", "first_name", "id", "password"]


@pytest.mark.parametrize(
    "path, entity, operation",
    [
        ("/project-add", "Project", "create"),
        ("/project-edit", "Project", "update"),
        ("/lesson_plan_new", "LessonPlan", "create"),
    ],
)
def test_one_path_segment_naming_entity_and_action(path, entity, operation):
    html = "<form><label>Name <input id='inputName'></label><input type='submit' value='Save'></form>"
    result = by_name(infer_entities([page("p", path, html)], []))
    assert sorted(result) == [entity]
    assert result[entity]["crud_locations"][operation] == ["p"]


def test_controls_outside_a_form_take_their_own_button_not_the_navbars():
    html = """<nav><form><input type="search" placeholder="Search"><button>Go</button></form></nav>
      <h1>Project Add</h1><div class="card"><label for="inputName">Project Name</label><input id="inputName">
      <label for="inputBudget">Estimated budget</label><input id="inputBudget" type="number"></div>
      <input type="submit" value="Create new Project">"""
    project = by_name(infer_entities([page("p", "/p", html)], []))["Project"]
    assert {n: f["type"] for n, f in project["fields"].items()} == {"id": "uuid", "name": "string", "budget": "integer"}
    assert project["crud_locations"]["create"] == ["p"]


ORDER_DETAIL = """<h1>Order #7841 <span class="status status-green">Paid</span></h1>
  <div class="card"><div class="card-header"><div class="card-title">Items · 2</div></div>
    <div class="card-body"><table><thead><tr><th>Product</th><th>Qty</th><th>Price</th></tr></thead>
      <tbody><tr><td>Pro kit</td><td>1</td><td>$129.00</td></tr><tr><td>Theme</td><td>2</td><td>$89.00</td></tr></tbody></table></div>
    <div><table><tr><td>Subtotal</td><td>$307.00</td></tr><tr><td>Shipping</td><td>$0.00</td></tr>
      <tr><td>Total</td><td>$307.00</td></tr></table></div></div>"""


def test_an_order_page_with_items_and_totals():
    result = by_name(infer_entities([page("order", "/order_detail", ORDER_DETAIL)], []))
    assert sorted(result) == ["Item", "Order"]
    assert {n: f["type"] for n, f in result["Order"]["fields"].items()} == {
        "id": "uuid",
        "number": "string",
        "status": "enum",
        "subtotal": "number",
        "shipping": "number",
        "total": "number",
    }
    assert {n: f["type"] for n, f in result["Item"]["fields"].items()} == {
        "id": "uuid",
        "product": "string",
        "qty": "integer",
        "price": "number",
        "order_id": "reference",
    }
    assert result["Item"]["relationships"] == [
        {"type": "belongs_to", "target_entity": "Order", "foreign_key": "order_id", "inverse": "has_many"}
    ]


def test_a_table_without_header_whose_cells_name_themselves():
    row = (
        "<tr><td class='mailbox-star'><i class='fas fa-star'></i></td><td class='mailbox-name'>{n}</td>"
        "<td class='mailbox-subject'>Hello there</td><td class='mailbox-date'>5 mins ago</td></tr>"
    )
    html = "<h3 class='card-title'>Inbox</h3><table>" + row.format(n="Ada") + row.format(n="Alan") + "</table>"
    message = by_name(infer_entities([page("mail", "/mailbox", html)], []))["Message"]
    assert {n: f["type"] for n, f in message["fields"].items()} == {
        "id": "uuid",
        "star": "boolean",
        "name": "string",
        "subject": "string",
        "date": "date",
    }


def test_an_id_column_never_replaces_the_primary_key():
    html = (
        "<h1>Tasks</h1><table><thead><tr><th>ID</th><th>Task</th><th>Created</th></tr></thead>"
        "<tbody><tr><td>183</td><td>Clean</td><td>11-7-2014</td></tr></tbody></table>"
    )
    task = by_name(infer_entities([page("tasks", "/tasks", html)], []))["Task"]
    assert task["fields"]["id"] == {
        "type": "uuid",
        "required": True,
        "primary": True,
        "inferred_from": [],
        "confidence": 1.0,
    }
    # the Task column of a tasks table holds each task's name
    assert {n: f["type"] for n, f in task["fields"].items()} == {"id": "uuid", "name": "string", "created": "date"}


def test_projects_table_columns_drop_the_entity_name_and_read_progress_and_dates():
    row = (
        "<tr><td>#</td><td><a>AdminLTE v3</a><br><small>Created 01.01.2019</small></td>"
        "<td><img src='a.png'><img src='b.png'></td><td><div role='progressbar' aria-valuenow='57'></div>"
        "<small>57% Complete</small></td><td><span class='badge'>Success</span></td></tr>"
    )
    html = (
        "<h3>Projects</h3><table><thead><tr><th>#</th><th>Project Name</th><th>Team Members</th>"
        "<th>Project Progress</th><th>Status</th></tr></thead><tbody>" + row * 2 + "</tbody></table>"
    )
    project = by_name(infer_entities([page("projects", "/projects", html)], []))["Project"]
    assert {n: f["type"] for n, f in project["fields"].items()} == {
        "id": "uuid",
        "name": "string",
        "created_at": "datetime",
        "progress": "integer",
        "status": "enum",
    }
