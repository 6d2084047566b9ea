"""The inference failures named in issue 18, each on a small page shaped like the real one.

Search boxes, filters, sort and pagination controls and rating widgets describe how a list is
shown, not what the app stores: they are never entities of their own. The corpus-wide figures are
in tests/test_inference_corpus.py."""

import pytest

from flexos_mcp.analysis.entities import infer_entities

from entity_fixtures import page


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


@pytest.mark.parametrize("form_open, button", [
    ('<form class="filters">', "Apply"),             # named a filter by its class
    ('<form id="search-form">', "Go"),               # a search form without role=search
    ("<form>", "Filter"),                            # only its button says so
    ('<form role="search">', "Submit"),
    ('<form method="GET" id="browse">', "Show"),     # an explicit GET asks, it does not write
])
def test_query_forms_are_never_entities(form_open, button):
    html = (f"<h1>Orders</h1>{form_open}<select name='status'><option>Paid</option><option>Open</option>"
            f"</select><input name='customer'><button>{button}</button></form>")
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
    signup = page("signup", "/signup", """<form><label>Full name <input name="full_name" required></label>
      <input type="email" name="email" required><button>Sign up</button></form>""")
    profile = page("profile", "/settings/profile", """<form><label>Name <input name="name" value="Ada"></label>
      <label>Phone <input name="phone_number"></label><button>Save</button></form>""")
    contact = page("contact", "/settings/contact", """<form><label>Phone <input name="phone"></label>
      <button>Save</button></form>""")
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
    assert field_types(collection) == {"id": "uuid", "name": "string", "image": "image",
                                       "description": "text", "updated_at": "date"}
    assert collection["crud_locations"]["read"] == ["collections"]


def test_contact_cards_with_labelled_lines():
    card = """<div class="col"><div class="card"><h2>{name}</h2><p><b>About: </b>{about}</p>
      <ul><li>Address: {address}</li><li>Phone #: {phone}</li></ul><img src="/{name}.jpg" alt=""></div></div>"""
    html = "<h1>Contacts</h1><div class='row'>" + "".join(
        card.format(name=n, about="Designer and coffee lover", address="Demo Street 1", phone="+1 800 1234")
        for n in ("Nicole", "Jonas")) + "</div>"
    contact = by_name(infer_entities([page("contacts", "/contacts", html)], []))["Contact"]
    assert field_types(contact) == {"id": "uuid", "name": "string", "about": "text", "address": "string",
                                    "phone": "string", "image": "image"}
