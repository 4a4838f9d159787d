"""Plain helpers the tests share: posting forms as a browser does, logging in, a small
municipality with an open round, and the contact person's usual path through the form.

Fixtures live in conftest.py; these are ordinary functions and constants, imported by name
(`from helpers import post_form`); pytest puts tests/ on the import path (pyproject.toml).
"""

import html
import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Assignment, ContactPerson, QuestionnaireVersion, Round, Unit, User, UserScope

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
PASSWORD = "korrekt häst batteri häftstift"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, follow_redirects: bool = False, page: str | None = None):
    """POST as a browser would: with the CSRF token of the page the form is on."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(html), **data}, follow_redirects=follow_redirects)


class World:
    """A small municipality with one open round of the every-type questionnaire."""

    def __init__(self, app, questionnaire: Path = DATA / "every_type.toml"):
        with app.app_context():
            namnd = Unit(name="Individ- och familjenämnden", kind="namnd")
            forvaltning = Unit(name="Socialtjänsten", kind="forvaltning", parent=namnd)
            self.units = [
                Unit(name="Centrum mot våld", kind="verksamhet", parent=forvaltning),
                Unit(name="Äldreområdet", kind="verksamhet", parent=forvaltning),
                Unit(name="AB Bostaden", kind="bolag"),
            ]
            for unit in self.units:
                unit.contacts.append(ContactPerson(name=f"Kontakt {unit.name}", email="kontakt@example.org"))
            db.session.add_all([namnd, forvaltning, *self.units])
            version = QuestionnaireVersion.from_source(questionnaire.read_text(encoding="utf-8"))
            round_ = Round(
                name="Kartläggning 2026",
                questionnaire_version=version,
                opens_on=date.today(),
                closes_on=date.today() + timedelta(days=30),
                state="open",
                instructions="Fyll i **senast** sista svarsdag.",
            )
            db.session.add(round_)
            assignments = [round_.assign(unit) for unit in self.units]
            self.tokens = [a.issue_token() for a in assignments]
            staff_account("samordnare@example.org", "coordinator", "Samordnare")
            db.session.commit()
            self.round_id = round_.id
            self.assignment_ids = [a.id for a in assignments]
            self.unit_names = [u.name for u in self.units]

    def link(self, n: int = 0) -> str:
        return f"/svar/lank/{self.tokens[n]}"

    def section_url(self, section: str, n: int = 0) -> str:
        return f"/svar/{self.assignment_ids[n]}/avsnitt/{section}"


def staff_account(email: str, role: str, name: str = "", scope: Iterable[str | Unit] = ()) -> User:
    """A staff account with the tests' password, added to the current session (not committed). `scope` limits the
    role to these units, given by name or as Unit objects already in the database; none: the whole organisation."""
    unit_ids = [
        db.session.execute(select(Unit.id).where(Unit.name == unit)).scalar_one() if isinstance(unit, str) else unit.id
        for unit in scope
    ]
    user = User(email=email, role=role, name=name)
    user.set_password(PASSWORD)
    user.scopes = [UserScope(unit_id=unit_id) for unit_id in unit_ids]
    db.session.add(user)
    return user


def add_account(app, email: str, role: str, name: str = "", scope: Iterable[str | Unit] = ()) -> None:
    """A staff account with the tests' password, as an admin would have made it."""
    with app.app_context():
        staff_account(email, role, name, scope)
        db.session.commit()


def login(client, email="samordnare@example.org", password=PASSWORD):
    return post_form(client, "/logga-in", {"email": email, "password": password})


# The contact person's path through the every-type questionnaire.


def open_form(client, world, n=0):
    response = client.get(world.link(n))
    assert response.status_code == 303
    return response


def stored(app, assignment_id):
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.assignment_id == assignment_id))
        return {(a.question_key, a.entry_index): a.value for a in rows}


def status_of(app, assignment_id):
    with app.app_context():
        return db.session.get(Assignment, assignment_id).status


FULL_FIRST_SECTION = {
    "namn": "Anna Andersson",
    "uppdrag": "Stöd till våldsutsatta",
    "anstallda": "1 250",
    "andel": "12,5",
    "huvudomrade": "heder",
    "omraden": ["nara", "sexuellt"],
    "samverkan_betyg": "4",
    "rutin": "delvis",
    "utbildad": "2026-03-01",
}


def fill_and_submit(client, world, n=0):
    open_form(client, world, n)
    post_form(client, world.section_url("grund", n), {**FULL_FIRST_SECTION, "action": "next"})
    url = world.section_url("exempel", n)
    post_form(client, url, {"action": "add:goda_exempel"})
    post_form(
        client,
        url,
        {"exempel_rubrik-1": "Våga fråga", "exempel_omraden-1": ["nara", "heder"], "action": "add:utvecklingsomraden"},
    )
    post_form(
        client,
        url,
        {
            "exempel_rubrik-1": "Våga fråga",
            "exempel_omraden-1": ["nara", "heder"],
            "utveckling_rubrik-2": "Rutiner för att fråga om våld",
            "utveckling_prioritet-2": "hog",
            "action": "review",
        },
    )
    review = f"/svar/{world.assignment_ids[n]}/granska"
    return post_form(client, f"/svar/{world.assignment_ids[n]}/skicka-in", {}, page=review)


def hidden_fields(client, url: str) -> dict:
    """The hidden fields of a section page as a browser holds them until it posts."""
    page = client.get(url).get_data(as_text=True)
    fields = {}
    for name in ("csrf_token", "version", "base", "entries"):
        match = re.search(rf'name="{name}"(?: type="hidden")? value="([^"]*)"', page)
        assert match, name
        fields[name] = html.unescape(match.group(1))
    return fields


def new_round_of_one_unit(app, client, follow_redirects: bool = False):
    """The coordinator creates the draft round "Kultur 2027" for Kulturnämnden, whose one verksamhet has a contact."""
    with app.app_context():
        namnd = Unit(name="Kulturnämnden", kind="namnd")
        only = Unit(name="Biblioteket", kind="verksamhet", parent=namnd)
        only.contacts.append(ContactPerson(name="Bo", email="bo@example.org"))
        db.session.add_all([namnd, only])
        db.session.commit()
        scope = namnd.id
    login(client)
    return post_form(
        client,
        "/samordning/omgang/ny",
        {"name": "Kultur 2027", "questionnaire": "version:1", "opens_on": "2027-01-10", "closes_on": "2027-02-28"}
        | {"scope": str(scope)},
        follow_redirects=follow_redirects,
    )


def two_browsers(app, world):
    first, second = app.test_client(), app.test_client()
    open_form(first, world)
    open_form(second, world)
    return first, second
