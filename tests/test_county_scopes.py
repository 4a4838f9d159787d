"""The route × role table's scope dimension (issue 18, Tests): for every staff route in tests/test_authorization.py's
EXPECTED that a coordinator may use, a coordinator of municipality A, pointed at municipality B's round, form, unit,
contact person, activity or indicator, gets a 404; on a page or file that names no object, nothing of B is shown or
counted; and no request of A's changes anything of B. The county's coordinator, pointed at the same, is served.

The county: a kommunförbund with two länsdelar, Alby kommun in one and Bergby kommun in the other (each a nämnd, a
förvaltning and two verksamheter), and the region beside them; a county-wide round over every unit, and Bergby's
own round over its two verksamheter. Everything of B is named "Bergby…", so it shows wherever it leaks.
"""

import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from helpers import DATA, PASSWORD, staff_account
from survey.extensions import db
from survey.models import (
    AccessToken,
    Answer,
    Assignment,
    ContactPerson,
    OutboxMessage,
    PlanActivity,
    PlanIndicator,
    QuestionnaireVersion,
    RateLimitHit,
    Round,
    Unit,
)
from survey.models.units import subtree_ids
from test_authorization import EXPECTED, FORM

ALBY, BERGBY, COUNTY = "alby@example.org", "bergby@example.org", "lan@example.org"
MARK = "Bergby"
# Contact persons' and the public pages have their own rules (their own table columns); these are the staff's.
STAFF_ONLY = ("public.index", "public.accessibility", "public.summary", "public.fragment", "public.workbook")
OTHER_RULES = ("respond.", "followup.")
# Where the county coordinator's page must name B, not just be served (the register's list folds the tree, so it
# names the top only).
LISTS_B = {
    ("rounds.index", "GET"),
    ("rounds.round_status", "GET"),
    ("register.unit", "GET"),
    ("rounds.assignment", "GET"),
    ("rounds.download_workbook", "GET"),
    ("rounds.download_status", "GET"),
    ("trends.parts_page", "GET"),
}


def municipality(name: str, part: Unit) -> tuple[Unit, list[Unit]]:
    kommun = Unit(name=f"{name} kommun", kind="kommun", parent=part)
    namnd = Unit(name=f"{name} socialnämnd", kind="namnd", parent=kommun)
    forvaltning = Unit(name=f"{name} socialförvaltning", kind="forvaltning", parent=namnd)
    leaves = [
        Unit(name=f"{name} individ- och familjeomsorg", kind="verksamhet", parent=forvaltning),
        Unit(name=f"{name} äldreomsorg", kind="verksamhet", parent=forvaltning),
    ]
    for unit in leaves:
        unit.contacts.append(ContactPerson(name=f"Kontakt {unit.name}", email=f"{name.lower()}@example.org"))
    db.session.add_all([kommun, namnd, forvaltning, *leaves])
    return kommun, leaves


class County:
    def __init__(self, app):
        app.config["WTF_CSRF_ENABLED"] = False  # this measures who may do what; CSRF has its own tests
        self.app = app
        with app.app_context():
            top = Unit(name="Kommunförbundet", kind="kommunforbund")
            north, south = (Unit(name=n, kind="lansdel", parent=top) for n in ("Norra delen", "Södra delen"))
            region = Unit(name="Regionen", kind="region", parent=top)
            region.contacts.append(ContactPerson(name="Kontakt Regionen", email="region@example.org"))
            db.session.add_all([top, north, south, region])
            alby, alby_units = municipality("Alby", north)
            bergby, bergby_units = municipality("Bergby", south)
            db.session.flush()
            version = QuestionnaireVersion.from_source((DATA / "every_type.toml").read_text(encoding="utf-8"))
            today = date.today()
            county_round = Round(
                name="Länets kartläggning",
                questionnaire_version=version,
                opens_on=today,
                closes_on=today + timedelta(days=30),
                state="open",
                scope_unit=top,
            )
            bergby_round = Round(
                name="Bergbys uppföljning",
                questionnaire_version=version,
                opens_on=today,
                closes_on=today + timedelta(days=30),
                state="open",
                scope_unit=bergby,
            )
            db.session.add_all([county_round, bergby_round])
            for unit in [*alby_units, *bergby_units, region]:
                county_round.assign(unit)
            b_assignments = [bergby_round.assign(unit) for unit in bergby_units]
            db.session.flush()
            for assignment in county_round.assignments + b_assignments:
                assignment.issue_token()
            self.entry = b_assignments[0].add_entry(b_assignments[0].definition.question("goda_exempel"))
            activity = PlanActivity(name="Bergby utbildning", unit_id=bergby_units[0].id)
            indicator = PlanIndicator(name="Bergby andel", measure="%", target=80, unit_id=bergby_units[0].id)
            message = OutboxMessage(
                kind="invitation",
                to_address="b@example.org",
                subject="Inbjudan",
                body="Hej",
                assignment_id=b_assignments[0].id,
            )
            db.session.add_all([activity, indicator, message])
            staff_account(ALBY, "coordinator", "alby", scope=[alby])
            staff_account(BERGBY, "coordinator", "bergby", scope=[bergby])
            staff_account(COUNTY, "coordinator", "lan", scope=[top])
            db.session.commit()
            self.values = {
                "round_id": bergby_round.id,
                "assignment_id": b_assignments[0].id,
                "unit_id": bergby_units[0].id,
                "contact_id": bergby_units[0].contacts[0].id,
                "activity_id": activity.id,
                "indicator_id": indicator.id,
                "section_key": "exempel",
                "group_key": "goda_exempel",
                "index": self.entry,
                "kind": "invitation",
                "user_id": 1,
                "job_id": 1,
                "version_id": version.id,
                "format_": "xlsx",
                "message_id": message.id,
            }
            self.bergby_id = bergby.id

    def client(self, email: str):
        with self.app.app_context():
            db.session.execute(delete(RateLimitHit))
            db.session.commit()
        client = self.app.test_client()
        response = client.post("/logga-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303
        return client

    def url(self, rule) -> str:
        path = rule.rule
        for name in rule.arguments:
            converter = f"<int:{name}>" if f"<int:{name}>" in path else f"<{name}>"
            path = path.replace(converter, str(self.values[name]))
        return path

    def of_bergby(self) -> tuple:
        """Everything of municipality B a request could change, as plain values."""
        units = select(Unit.id).where(Unit.id.in_(subtree_ids(self.bergby_id)))
        assignments = select(Assignment.id).where(Assignment.unit_id.in_(units))

        def rows(query):
            return [tuple(row) for row in db.session.execute(query).all()]

        return (
            rows(select(Unit.id, Unit.name, Unit.kind, Unit.parent_id, Unit.is_active).where(Unit.id.in_(units))),
            rows(
                select(ContactPerson.id, ContactPerson.name, ContactPerson.email)
                .where(ContactPerson.unit_id.in_(units))
                .order_by(ContactPerson.id)
            ),
            rows(
                select(
                    Assignment.id,
                    Assignment.status,
                    Assignment.invited_dt,
                    Assignment.reminder_count,
                    Assignment.approved_dt,
                    Assignment.version,
                )
                .where(Assignment.id.in_(assignments))
                .order_by(Assignment.id)
            ),
            rows(
                select(Round.id, Round.name, Round.state, Round.opens_on, Round.closes_on, Round.published_dt)
                .where(Round.scope_unit_id == self.bergby_id)
                .order_by(Round.id)
            ),
            db.session.scalar(
                select(func.count()).select_from(AccessToken).where(AccessToken.assignment_id.in_(assignments))
            ),
            db.session.scalar(
                select(func.count())
                .select_from(AccessToken)
                .where(AccessToken.assignment_id.in_(assignments), AccessToken.revoked_dt.is_not(None))
            ),
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.assignment_id.in_(assignments))
            ),
            db.session.scalar(select(func.count()).select_from(Answer).where(Answer.assignment_id.in_(assignments))),
            rows(
                select(PlanActivity.id, PlanActivity.name, PlanActivity.is_active).where(
                    PlanActivity.unit_id.in_(units)
                )
            ),
            rows(
                select(PlanIndicator.id, PlanIndicator.name, PlanIndicator.target).where(
                    PlanIndicator.unit_id.in_(units)
                )
            ),
        )


def text_of(response) -> str:
    """What a reader gets: the page, or every file inside a workbook or zip."""
    data = response.data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def staff_routes():
    for (endpoint, method), expected in sorted(EXPECTED.items()):
        if endpoint in STAFF_ONLY or endpoint.startswith(OTHER_RULES) or expected["coordinator"] != "ok":
            continue
        yield endpoint, method


OBJECTS = {"round_id", "assignment_id", "unit_id", "contact_id", "activity_id", "indicator_id"}


@pytest.mark.parametrize("endpoint, method", list(staff_routes()))
def test_a_municipalitys_coordinator_never_reaches_another_and_the_county_reaches_both(app, endpoint, method):
    county = County(app)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = county.url(rule)

    def request(client):
        return client.get(url) if method == "GET" else client.post(url, data=FORM)

    with app.app_context():
        before = county.of_bergby()
    alby = request(county.client(ALBY))
    assert alby.status_code != 500
    if OBJECTS & set(rule.arguments):
        assert alby.status_code == 404, f"A reached B's object: {alby.status_code}"
    elif alby.status_code < 300:
        assert MARK not in text_of(alby), "A's page or file shows or counts something of B"
    with app.app_context():
        assert county.of_bergby() == before, "A's request changed something of B"
    served = request(county.client(COUNTY))
    assert served.status_code not in (403, 404, 500), f"the county coordinator got {served.status_code}"
    if (endpoint, method) in LISTS_B:
        assert MARK in text_of(served), "the county coordinator does not see B"


def test_the_scope_table_covers_every_staff_route_with_an_object(app):
    routes = set(staff_routes())
    with_objects = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if OBJECTS & set(rule.arguments) and (rule.endpoint, method) in routes
    }
    assert ("rounds.round_status", "GET") in with_objects and ("register.unit", "POST") in with_objects
    assert ("trends.parts_page", "GET") in with_objects
    assert len(with_objects) > 40


def test_a_trend_page_narrowed_to_another_municipality_is_a_404(app):
    county = County(app)
    county_round = county.values["round_id"]
    alby = county.client(ALBY)
    assert alby.get(f"/samordning/omgang/{county_round}/trender?del={county.bergby_id}").status_code == 404
    assert alby.get(f"/samordning/trender?del={county.bergby_id}").status_code == 404
    assert alby.get(f"/samordning/trender?del=x{county.bergby_id}").status_code == 404
    lan = county.client(COUNTY)
    page = lan.get(f"/samordning/trender?del={county.bergby_id}")
    assert page.status_code == 200 and "Bergby kommun och allt under den" in page.get_data(as_text=True)
