"""Hostile and random input to every form: never a 500, and what was saved before stays as it was.

Hypothesis posts huge strings, control characters, invalid UTF-8, wrong types, missing and
duplicated fields, unknown keys, and negative or enormous entry indexes.
"""

import io
import re
from datetime import datetime
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from helpers import PASSWORD, staff_account
from survey.extensions import db
from survey.models import Answer, Assignment, AuditEvent, RateLimitHit, Round, User
from test_authorization import FORM
from test_county_scopes import ALBY, MARK, County, staff_routes, text_of

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=50),
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "@SUM(A1)",
            "+1",
            "-1",
            "\t=1",
            "\r=1",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "${7*7}",
            "{{7*7}}",
            "%s%s%s",
            "\u202eevil",
            "😀" * 50,
            "\x00",
            "NaN",
            "inf",
            "1e309",
            "-0",
            "9" * 400,
            "2026-02-30",
            "../../etc/passwd",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.just("x" * 200_000),
)
field_names = st.one_of(
    st.sampled_from(
        [
            "namn",
            "uppdrag",
            "anstallda",
            "andel",
            "huvudomrade",
            "omraden",
            "samverkan_betyg",
            "rutin",
            "utbildad",
            "exempel_rubrik-1",
            "exempel_rubrik--1",
            "exempel_rubrik-99999999999999999999",
            "exempel_rubrik-0",
            "goda_exempel",
            "csrf_token",
            "version",
            "base",
            "entries",
            "keep_theirs",
            "action",
            "okänd_nyckel",
            "",
            "namn-1",
        ]
    ),
    st.text(max_size=30),
)
actions = st.one_of(
    st.sampled_from(
        [
            "save",
            "next",
            "previous",
            "review",
            "autosave",
            "add:goda_exempel",
            "add:finns_inte",
            "remove:goda_exempel:1",
            "remove:goda_exempel:-5",
            "remove:goda_exempel:999999999999999999999",
            "goto:exempel",
            "goto:../../",
            "remove:",
            "add:",
            ":::",
        ]
    ),
    st.text(max_size=40),
)
form_data = st.lists(st.tuples(field_names, hostile_text), max_size=12)


def csrf(client, url):
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', client.get(url).get_data(as_text=True))
    return match.group(1) if match else ""


def snapshot(app, assignment_id):
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == assignment_id)).all()
        return {(a.question_key, a.entry_index): a.value for a in rows}


@pytest.fixture
def contact(app, world):
    client = app.test_client()
    client.get(world.link(0))
    url = world.section_url("exempel")
    token = csrf(client, url)
    client.post(url, data={"csrf_token": token, "action": "add:goda_exempel"})
    client.post(
        url,
        data={
            "csrf_token": token,
            "exempel_rubrik-1": "Sparat gott exempel",
            "exempel_omraden-1": "heder",
            "action": "save",
        },
    )
    # The other unit has saved answers too; nothing posted by this browser may touch them.
    other = app.test_client()
    other.get(world.link(1))
    other.post(
        world.section_url("grund", 1),
        data={"csrf_token": csrf(other, world.section_url("grund", 1)), "namn": "Annan verksamhet", "action": "save"},
    )
    return client, token


@FUZZ
@given(data=form_data, action=actions, with_token=st.booleans())
def test_section_form_survives_anything(app, world, contact, data, action, with_token):
    client, token = contact
    before_other = snapshot(app, world.assignment_ids[1])
    example = snapshot(app, world.assignment_ids[0]).get(("exempel_rubrik", 1))
    pairs = [(k, v) for k, v in data] + [("action", action)] + ([("csrf_token", token)] if with_token else [])
    response = client.post(world.section_url("grund"), data=MultiDict(pairs))
    assert response.status_code < 500
    assert snapshot(app, world.assignment_ids[1]) == before_other
    after = snapshot(app, world.assignment_ids[0])
    # A post to the first section never changes the saved good example.
    assert after.get(("exempel_rubrik", 1)) == example
    definition_keys = {
        "namn",
        "uppdrag",
        "anstallda",
        "andel",
        "huvudomrade",
        "omraden",
        "samverkan_betyg",
        "rutin",
        "utbildad",
        "goda_exempel",
        "exempel_rubrik",
        "exempel_omraden",
        "utvecklingsomraden",
        "utveckling_rubrik",
        "utveckling_prioritet",
    }
    assert {key for key, _index in after} <= definition_keys


@FUZZ
@given(body=st.binary(max_size=2000))
def test_invalid_utf8_and_garbage_bodies(app, world, contact, body):
    client, _token = contact
    for url in (
        world.section_url("grund"),
        world.section_url("exempel") + "/ta-bort/goda_exempel/1",
        "/logga-in",
        "/konto/glomt-losenord",
        f"/svar/{world.assignment_ids[0]}/skicka-in",
    ):
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, url
    assert snapshot(app, world.assignment_ids[0]).get(("exempel_rubrik", 1)) == "Sparat gott exempel"


@FUZZ
@given(
    path_index=st.one_of(st.integers(min_value=-(10**6), max_value=10**25).map(str), st.text(max_size=20)),
    group=st.sampled_from(["goda_exempel", "utvecklingsomraden", "namn", "okänd", ""]),
)
def test_entry_urls_with_hostile_indexes(app, world, contact, path_index, group):
    client, token = contact
    response = client.post(
        f"{world.section_url('exempel')}/ta-bort/{group}/{path_index}", data={"csrf_token": token, "confirm": "yes"}
    )
    assert response.status_code in (303, 404, 405)
    values = snapshot(app, world.assignment_ids[0])
    assert values.get(("exempel_rubrik", 1)) == "Sparat gott exempel" or (path_index == "1" and group == "goda_exempel")


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    client.post(
        "/logga-in",
        data={"csrf_token": csrf(client, "/logga-in"), "email": "samordnare@example.org", "password": PASSWORD},
    )
    return client


STAFF_FORMS = ["/samordning/omgang/ny", "/samordning/epost/invitation", "/samordning/epost/reminder"]


@FUZZ
@given(
    url=st.sampled_from(STAFF_FORMS),
    data=st.lists(
        st.tuples(
            st.sampled_from(
                ["name", "questionnaire", "opens_on", "closes_on", "scope", "instructions", "subject", "body", "x"]
            ),
            hostile_text,
        ),
        max_size=10,
    ),
)
def test_coordinator_forms_survive_anything(app, world, coordinator, url, data):
    token = csrf(coordinator, url)
    with app.app_context():
        rounds_before = db.session.scalar(select(db.func.count()).select_from(Round))
    response = coordinator.post(url, data=MultiDict(data + [("csrf_token", token)]))
    assert response.status_code < 500
    with app.app_context():
        rounds = db.session.scalars(select(Round)).all()
        # A round is created only from a complete, valid form.
        assert len(rounds) in (rounds_before, rounds_before + 1)
        assert all(r.name.strip() and r.closes_on >= r.opens_on for r in rounds)


@FUZZ
@given(email=hostile_text, password=hostile_text)
def test_login_survives_anything_and_never_logs_in_by_accident(app, world, email, password):
    client = app.test_client()
    response = client.post(
        "/logga-in", data={"csrf_token": csrf(client, "/logga-in"), "email": email, "password": password}
    )
    assert response.status_code in (200, 429)
    assert client.get("/samordning/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "samordnare@example.org")).check_password(PASSWORD)


def test_fuzzing_left_an_audit_trail_without_hostile_text(app, world, contact):
    client, token = contact
    client.post(world.section_url("grund"), data={"csrf_token": token, "namn": "<script>x</script>", "action": "save"})
    with app.app_context():
        details = " ".join(str(e.details) + e.actor for e in db.session.scalars(select(AuditEvent)))
        assert "<script>" not in details
        assert db.session.get(Assignment, world.assignment_ids[0]).values()[("namn", 0)] == "<script>x</script>"


def test_nul_and_other_control_characters_never_reach_the_database(app, world, contact):
    """PostgreSQL refuses NUL in text: it is dropped on the way in, everywhere a visitor can type."""
    client, token = contact
    response = client.post(
        world.section_url("grund"), data={"csrf_token": token, "namn": "A\x00n\x01na\tB", "action": "save"}
    )
    assert response.status_code == 303
    assert snapshot(app, world.assignment_ids[0])[("namn", 0)] == "Anna\tB"
    other = app.test_client()
    assert (
        other.post(
            "/logga-in", data={"csrf_token": csrf(other, "/logga-in"), "email": "\x00@x", "password": "\x00"}
        ).status_code
        == 200
    )
    assert other.get("/svar/lank/abc%00def").status_code == 404
    admin_log = other.get("/samordning/logg?vem=%00")
    assert admin_log.status_code == 302


cell_values = st.one_of(
    hostile_text.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # what a spreadsheet can hold at all
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)),
    st.none(),
)
template_cells = st.one_of(
    st.tuples(st.just("Grunduppgifter"), st.sampled_from("ABC"), st.integers(min_value=1, max_value=20)),
    st.tuples(
        st.sampled_from(["Goda exempel", "Utvecklingsområden"]),
        st.sampled_from("ABCDEF"),
        st.integers(min_value=1, max_value=12),
    ),
    st.tuples(st.just("_mall"), st.sampled_from("B"), st.integers(min_value=1, max_value=7)),
)


@pytest.fixture
def template_bytes(coordinator, world):
    return coordinator.get(f"/samordning/svar/{world.assignment_ids[0]}/mall.xlsx").data


@FUZZ
@given(
    edits=st.lists(st.tuples(template_cells, cell_values), max_size=12),
    garbage=st.booleans(),
    body=st.binary(max_size=500),
    submit=st.booleans(),
    name=st.one_of(
        st.none(), st.text(alphabet=st.characters(whitelist_categories=("L", "Zs")), min_size=1, max_size=30)
    ),
)
def test_answer_import_survives_any_filled_in_template(
    app, world, contact, coordinator, template_bytes, edits, garbage, body, submit, name
):
    before_other = snapshot(app, world.assignment_ids[1])
    before = snapshot(app, world.assignment_ids[0])
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes))
    if name is not None:
        workbook["Grunduppgifter"]["C2"] = name  # a valid answer among the hostile ones
    for (sheet, column, row), value in edits:
        workbook[sheet][f"{column}{row}"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = f"/samordning/svar/{world.assignment_ids[0]}/importera"
    data = body if garbage else buffer.getvalue()
    preview = coordinator.post(url, data={"csrf_token": csrf(coordinator, url), "file": (io.BytesIO(data), "fil.xlsx")})
    assert preview.status_code == 200
    assert snapshot(app, world.assignment_ids[0]) == before, "a preview writes nothing"
    confirm = {"csrf_token": csrf(coordinator, url)} | ({"mark_submitted": "y"} if submit else {})
    confirmed = coordinator.post(url + "/bekrafta", data=confirm)
    assert confirmed.status_code == 303
    assert snapshot(app, world.assignment_ids[1]) == before_other
    after = snapshot(app, world.assignment_ids[0])
    if "Läs in svaren" not in preview.get_data(as_text=True):
        assert after == before, "a file that could not be previewed changed nothing"
    definition_keys = {
        "namn",
        "uppdrag",
        "anstallda",
        "andel",
        "huvudomrade",
        "omraden",
        "samverkan_betyg",
        "rutin",
        "utbildad",
        "goda_exempel",
        "exempel_rubrik",
        "exempel_omraden",
        "utvecklingsomraden",
        "utveckling_rubrik",
        "utveckling_prioritet",
    }
    assert {key for key, _index in after} <= definition_keys
    with app.app_context():
        # Put the unit back as it was, for the next example.
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        if assignment.status == "submitted":
            assignment.status = "in_progress"
        assignment.answers.clear()
        db.session.flush()
        assignment.save_values(before)
        db.session.commit()


# Scoped accounts (issue 18): a coordinator and a viewer of municipality A in a county-wide round, fuzzing every
# staff route pointed at municipality B's objects with hostile ids, query strings and forms.
SCOPED_ROUTES = [route for route in staff_routes() if route[0] != "accounts.logout"]


@pytest.fixture
def county(app):
    county = County(app)
    with app.app_context():
        staff_account("alby-lasare@example.org", "viewer", "Alby läsare", scope=["Alby kommun"])
        db.session.commit()
    return county, {"coordinator": county.client(ALBY), "viewer": county.client("alby-lasare@example.org")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(SCOPED_ROUTES),
    who=st.sampled_from(["coordinator", "viewer"]),
    ids=st.dictionaries(
        st.sampled_from(["round_id", "assignment_id", "unit_id", "contact_id", "activity_id", "indicator_id"]),
        st.one_of(st.integers(min_value=-(10**6), max_value=10**25).map(str), st.text(max_size=10)),
    ),
    query=st.lists(st.tuples(st.sampled_from(["del", "vem", "q", "sida", "x"]), hostile_text), max_size=3),
    data=st.lists(st.tuples(st.sampled_from([*FORM, "name", "kind", "parent", "x"]), hostile_text), max_size=8),
)
def test_a_scoped_account_never_sees_or_changes_another_municipality_whatever_it_posts(
    app, county, route, who, ids, query, data
):
    county, clients = county
    endpoint, method = route
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = county.url(rule)
    for name, value in ids.items():
        if name in rule.arguments:
            url = url.replace(f"/{county.values[name]}", "/" + quote(value, safe=""), 1)
    query = query + [("del", str(county.bergby_id))]
    with app.app_context():
        before = county.of_bergby()
    client = clients[who]
    if method == "GET":
        response = client.get(url, query_string=query)
    else:
        response = client.post(url, query_string=query, data=MultiDict(data))
    assert response.status_code < 500, (endpoint, url)
    assert MARK not in text_of(response), f"{who} of A sees something of B at {endpoint}"
    with app.app_context():
        assert county.of_bergby() == before, f"{who} of A changed something of B at {endpoint}"


def outside_forvaltning(world) -> tuple:
    """AB Bostaden (outside Socialtjänsten) and the municipality-wide round, as plain values."""
    assignment = db.session.get(Assignment, world.assignment_ids[2])
    round_ = db.session.get(Round, world.round_id)
    unit = assignment.unit
    return (
        (unit.name, unit.is_active, [(c.name, c.email) for c in unit.contacts]),
        (assignment.status, assignment.reminder_count, assignment.invited_dt, assignment.values()),
        (round_.name, round_.state, round_.opens_on, round_.closes_on),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(SCOPED_ROUTES),
    data=st.lists(st.tuples(st.sampled_from([*FORM, "name", "kind", "parent", "x"]), hostile_text), max_size=8),
)
def test_a_forvaltnings_coordinator_never_sees_or_changes_the_rest_of_the_municipality(app, world, route, data):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        if db.session.scalar(select(User).where(User.email == "forvaltning@example.org")) is None:
            staff_account("forvaltning@example.org", "coordinator", "Förvaltningen", scope=["Socialtjänsten"])
            db.session.commit()
        bostaden = db.session.get(Assignment, world.assignment_ids[2])
        values = {"round_id": world.round_id, "assignment_id": bostaden.id, "unit_id": bostaden.unit_id}
        values |= {"contact_id": bostaden.unit.contacts[0].id, "activity_id": 1, "indicator_id": 1}
        before = outside_forvaltning(world)
    client = app.test_client()
    with app.app_context():
        db.session.execute(delete(RateLimitHit))
        db.session.commit()
    login = client.post("/logga-in", data={"email": "forvaltning@example.org", "password": PASSWORD})
    assert login.status_code == 303
    endpoint, method = route
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.rule
    for name in rule.arguments:
        converter = f"<int:{name}>" if f"<int:{name}>" in url else f"<{name}>"
        fallback = {"section_key": "exempel", "group_key": "goda_exempel", "index": 1, "kind": "invitation"}
        url = url.replace(converter, str(values.get(name, fallback.get(name, 1))))
    response = client.get(url) if method == "GET" else client.post(url, data=MultiDict(data))
    assert response.status_code < 500, (endpoint, url)
    assert "Bostaden" not in text_of(response), f"the förvaltning's coordinator sees AB Bostaden at {endpoint}"
    with app.app_context():
        assert outside_forvaltning(world) == before, f"the förvaltning's coordinator changed the rest at {endpoint}"
