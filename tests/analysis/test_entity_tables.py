"""What a table's rows are, on pages shaped like admin templates: the path may name the UI kind
(/tables, /ui-buttons), which is never a record; the rows are what the headings and columns say.
The corpus-wide figures are in tests/test_inference_corpus.py."""

import pytest

from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import page


def by_name(entities):
    return {e["entity_name"]: e for e in entities}


def field_types(entity):
    return {name: spec["type"] for name, spec in entity["fields"].items() if name != "id"}


EMPLOYEES = """<h1>Tables</h1><div class="card"><div class="card-header">DataTables Example</div>
  <table><thead><tr><th>Name</th><th>Position</th><th>Office</th><th>Age</th><th>Start date</th><th>Salary</th></tr></thead>
  <tbody><tr><td>Tiger Nixon</td><td>System Architect</td><td>Edinburgh</td><td>61</td><td>2011/04/25</td><td>$320,800</td></tr>
  <tr><td>Ashton Cox</td><td>Technical Author</td><td>Tokyo</td><td>66</td><td>2009/01/12</td><td>$86,000</td></tr></tbody></table></div>"""


@pytest.mark.parametrize("path", ["/tables", "/ui-tables", "/datatables", "/forms/tables", "/components"])
def test_a_path_naming_the_ui_kind_is_no_entity_and_the_columns_name_the_rows(path):
    result = by_name(infer_entities([page("t", path, EMPLOYEES)], []))
    assert sorted(result) == ["Employee"]
    assert field_types(result["Employee"]) == {
        "name": "string",
        "position": "string",
        "office": "string",
        "age": "integer",
        "start_date": "date",
        "salary": "number",
    }


AUTHORS_AND_PROJECTS = """<h6>Authors table</h6>
  <table><thead><tr><th>Author</th><th>Function</th><th>Status</th><th>Employed</th><th></th></tr></thead>
  <tbody><tr><td><img src="team-2.jpg" class="avatar"><h6>John Michael</h6><p>john@example.com</p></td>
    <td>Manager</td><td><span class="badge">Online</span></td><td>23/04/18</td><td><a href="#">Edit</a></td></tr>
  <tr><td><img src="team-3.jpg" class="avatar"><h6>Alexa Liras</h6><p>alexa@example.com</p></td>
    <td>Developer</td><td><span class="badge">Offline</span></td><td>11/01/19</td><td><a href="#">Edit</a></td></tr></tbody></table>
  <div class="card"><table><thead><tr><th>Project</th><th>Budget</th><th>Status</th></tr></thead>
  <tbody><tr><td>Spotify</td><td>$2,500</td><td>working</td></tr><tr><td>Jira</td><td>$3,400</td><td>done</td></tr></tbody></table></div>"""


def test_a_heading_ending_in_table_and_a_first_column_naming_the_record():
    result = by_name(infer_entities([page("t", "/tables", AUTHORS_AND_PROJECTS)], []))
    assert sorted(result) == ["Author", "Project"]  # never Table
    author = field_types(result["Author"])
    assert author["name"] == "string" and author["email"] == "email" and author["avatar"] == "image"
    assert "author" not in author  # the Author column holds each author's name
    assert field_types(result["Project"]) == {"name": "string", "budget": "number", "status": "enum"}


def test_a_column_named_after_a_field_never_names_the_rows():
    html = (
        "<table><thead><tr><th>Date</th><th>Amount</th></tr></thead>"
        "<tbody><tr><td>2020-01-02</td><td>$5</td></tr><tr><td>2020-01-03</td><td>$7</td></tr></tbody></table>"
    )
    assert infer_entities([page("t", "/tables", html)], []) == []


INVOICE = """<h1>Invoice</h1>
  <h4>Acme, Inc. <small class="float-right">Date: 2/10/2014</small></h4>
  <div class="row invoice-info">
    <div class="col-sm-4 invoice-col">From <address><strong>Admin, Inc.</strong><br>795 Folsom Ave</address></div>
    <div class="col-sm-4 invoice-col"><b>Invoice #007612</b><br><b>Order ID:</b> 4F3S8J<br><b>Payment Due:</b> 2/22/2014</div>
  </div>
  <table class="table"><thead><tr><th>Qty</th><th>Product</th><th>Description</th><th>Subtotal</th></tr></thead>
  <tbody><tr><td>1</td><td>Call of Duty</td><td>A game</td><td>$64.50</td></tr>
  <tr><td>2</td><td>Monsters DVD</td><td>A film</td><td>$10.70</td></tr></tbody></table>
  <table class="table"><tr><th>Subtotal:</th><td>$75.20</td></tr><tr><th>Tax (9.3%)</th><td>$7.00</td></tr>
  <tr><th>Total:</th><td>$82.20</td></tr></table>"""


def test_an_invoice_page_with_lines_under_no_heading():
    result = by_name(infer_entities([page("invoice", "/invoice", INVOICE)], []))
    assert sorted(result) == ["Invoice", "InvoiceLine"]
    assert field_types(result["Invoice"]) == {
        "number": "string",
        "date": "date",
        "order_id": "string",
        "payment_due": "date",
        "subtotal": "number",
        "tax": "number",
        "total": "number",
    }
    line = field_types(result["InvoiceLine"])
    assert line == {
        "qty": "integer",
        "product": "string",
        "description": "text",
        "subtotal": "number",
        "invoice_id": "reference",
    }
    assert result["InvoiceLine"]["relationships"] == [
        {"type": "belongs_to", "target_entity": "Invoice", "foreign_key": "invoice_id", "inverse": "has_many"}
    ]


def test_a_singular_path_is_a_record_page_only_when_the_page_shows_the_records_number():
    without_number = INVOICE.replace("Invoice #007612", "Invoice")
    names = {e["entity_name"] for e in infer_entities([page("invoice", "/invoice", without_number)], [])}
    assert "InvoiceLine" not in names and "Invoice" not in names
