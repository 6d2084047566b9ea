"""Records shown as cards or lists under a section heading, demo headings that name no record,
an invoice's totals rows inside its lines table, `#` columns and postal codes, on small pages
shaped like admin templates. The corpus-wide figures are in tests/test_inference_corpus.py."""

from flexos_mcp.analysis.entities import infer_entities

from helpers.entity_fixtures import page


def by_name(entities):
    return {e["entity_name"]: e for e in entities}


def field_types(entity):
    return {name: spec["type"] for name, spec in entity["fields"].items() if name != "id"}


BILLING = """<h1>Billing</h1>
  <div class="card"><div class="card-header"><h6>Invoices</h6></div>
  <ul class="list-group">
    <li class="list-group-item"><div><h6>March, 01, 2020</h6><span>#MS-415646</span></div><div>$180</div></li>
    <li class="list-group-item"><div><h6>February, 10, 2021</h6><span>#RV-126749</span></div><div>$250</div></li>
    <li class="list-group-item"><div><h6>April, 05, 2020</h6><span>#FB-212562</span></div><div>$560</div></li>
  </ul></div>
  <div class="card"><div class="card-header"><h6>Contacts</h6></div>
  <ul class="list-group">
    <li class="list-group-item"><h6>Oliver Liam</h6><span>Company Name: <span>Viking Burrito</span></span>
      <span>Email Address: <span>oliver@burrito.com</span></span></li>
    <li class="list-group-item"><h6>Lucas Harper</h6><span>Company Name: <span>Stone Tech Zone</span></span>
      <span>Email Address: <span>lucas@stone-tech.com</span></span></li>
  </ul></div>"""


def test_repeated_list_items_under_a_section_heading_are_that_headings_records():
    result = by_name(infer_entities([page("b", "/billing", BILLING)], []))
    assert sorted(result) == ["Contact", "Invoice"]
    assert field_types(result["Invoice"]) == {"date": "date", "number": "string", "amount": "number"}
    assert field_types(result["Contact"]) == {"name": "string", "company_name": "string", "email_address": "email"}


NAV_LIST = """<h1>Billing</h1><div class="card"><h6>Invoices</h6>
  <ul class="list-group"><li class="list-group-item"><a href="/a">Overview</a></li>
  <li class="list-group-item"><a href="/b">Settings</a></li></ul></div>"""


def test_a_list_of_links_under_a_heading_is_no_record():
    assert infer_entities([page("b", "/billing", NAV_LIST)], []) == []


DEMO_TABLES = """<h4>Basic Tables</h4>
  <div class="card"><h5 class="card-header">Hoverable rows</h5>
  <table><thead><tr><th>Project</th><th>Client</th><th>Status</th></tr></thead>
  <tbody><tr><td>Angular Project</td><td>Albert Cook</td><td>Active</td></tr>
  <tr><td>React Project</td><td>Barry Hunter</td><td>Completed</td></tr></tbody></table></div>
  <div class="card"><h5 class="card-header">Contextual Classes</h5>
  <table><thead><tr><th>Project</th><th>Client</th><th>Status</th></tr></thead>
  <tbody><tr class="table-primary"><td>Vue Project</td><td>Trevor Baker</td><td>Pending</td></tr>
  <tr class="table-info"><td>Bootstrap Project</td><td>Jerry Milton</td><td>Active</td></tr></tbody></table></div>
  <div class="configurator"><h6>Sidebar Colors</h6><div class="badge-colors">
  <span class="badge color-background" data-color="primary"><span class="color-foreground">a</span></span>
  <span class="badge color-background" data-color="dark"><span class="color-foreground">b</span></span></div></div>
  <div class="panel panel-default"><div class="panel-heading">Notes</div><div class="panel-body">Some text here</div></div>
  <div class="panel panel-default"><div class="panel-heading">More</div><div class="panel-body">Other text here</div></div>"""


def test_demo_headings_and_widget_parts_name_no_records():
    result = by_name(infer_entities([page("t", "/tables-basic", DEMO_TABLES)], []))
    assert sorted(result) == ["Project"]  # never Row, Class, Color or Panel


INVOICE = """<h2>Invoice #INV-0001</h2>
  <table class="table"><thead><tr><th>#</th><th>Product</th><th>Qnt</th><th>Unit</th><th>Amount</th></tr></thead>
  <tbody><tr><td>1</td><td>Logo Creation</td><td>1</td><td>$1.800,00</td><td>$1.800,00</td></tr>
  <tr><td>2</td><td>App Design</td><td>2</td><td>$3.200,00</td><td>$6.400,00</td></tr>
  <tr><td colspan="4">Subtotal</td><td>$8.200,00</td></tr>
  <tr><td colspan="4">Vat Rate</td><td>20%</td></tr>
  <tr><td colspan="4">Vat Due</td><td>$1.640,00</td></tr>
  <tr><td colspan="4">Total Due</td><td>$9.840,00</td></tr></tbody></table>"""


def test_totals_rows_of_a_lines_table_are_fields_of_the_record_not_lines():
    result = by_name(infer_entities([page("i", "/invoice", INVOICE)], []))
    assert sorted(result) == ["Invoice", "InvoiceLine"]
    invoice = field_types(result["Invoice"])
    assert {k: invoice[k] for k in ("subtotal", "vat_rate", "vat_due", "total_due")} == dict.fromkeys(
        ("subtotal", "vat_rate", "vat_due", "total_due"), "number"
    )
    line = field_types(result["InvoiceLine"])
    assert line["product"] == "string" and line["amount"] == "number"
    assert "number" not in line  # the # column counts the lines 1, 2: their position, not data


NUMBERED = """<h1>Transactions</h1><table><thead><tr><th>#</th><th>Bill For</th><th>Total</th></tr></thead>
  <tbody><tr><td>456478</td><td>Platinum Plan</td><td>$799.00</td></tr>
  <tr><td>456423</td><td>Gold Plan</td><td>$799.00</td></tr></tbody></table>"""


def test_a_hash_column_of_record_numbers_is_the_records_number():
    result = by_name(infer_entities([page("t", "/transactions", NUMBERED)], []))
    assert field_types(result["Transaction"]) == {"number": "string", "bill_for": "string", "total": "number"}


PROFILE = """<h1>Edit profile</h1><form><label>City</label><input type="text" name="city">
  <label>Postal Code</label><input type="number" placeholder="ZIP Code">
  <label for="zip">Zip</label><input type="number" id="zip" name="billing_zip">
  <button>Save</button></form>"""


def test_a_postal_code_is_a_string_whatever_the_input_type():
    result = by_name(infer_entities([page("p", "/profile", PROFILE)], []))
    types = field_types(result["User"])
    assert types["postal_code"] == "string" and types["billing_zip"] == "string"


SETTINGS = """<h1>Settings</h1><div class="row">
  <div class="card"><h5>Account</h5><p>Update your personal details</p><label>Full name</label><input name="full_name"></div>
  <div class="card"><h5>Notifications</h5><p>Choose what to hear about</p><label>Email digest</label>
  <input type="checkbox" name="digest"></div></div>"""


def test_the_sections_of_a_settings_form_are_no_records():
    assert "Setting" not in by_name(infer_entities([page("s", "/account", SETTINGS)], []))
