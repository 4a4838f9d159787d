"""The county demo (`flask demo --county`): Norrbotten's "Samverkan mot våld" as one installation — a kommunförbund,
four municipalities in two parts of the county (länsdelar), each with a couple of nämnder, förvaltningar and
verksamheter, and the region and the police as units beside them; a county coordinator, one coordinator per
municipality (scoped to it), and a county-wide round, partly answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from survey.db import utcnow
from survey.demo import demo_account, hand_out
from survey.demo_answers import fill_in
from survey.extensions import db
from survey.models import Assignment, ContactPerson, Role, Round, ScopeVoice, Unit
from survey.models.units import UnitTree
from survey.questions.cli import load_questionnaire

COUNTY = "Norrbottens kommunförbund"
COUNTY_ROUND = "Samverkan mot våld i Norrbotten 2026"
QUESTIONNAIRE = "kartlaggning-vald.toml"
COUNTY_COORDINATOR = "samordnare.lan@example.org"
ADMIN = "admin@example.org"
# länsdel: its municipalities
PARTS = {"Malmfälten": ("Kiruna", "Gällivare"), "Kustlandet": ("Luleå", "Piteå")}
# Each municipality's nämnd › förvaltning › verksamheter that answer.
MUNICIPAL_UNITS = (
    ("Socialnämnden", "Socialförvaltningen", ("Individ- och familjeomsorg", "Äldreomsorg")),
    ("Barn- och utbildningsnämnden", "Utbildningsförvaltningen", ("Grundskola",)),
)
# The authorities beside the municipalities: (name, kind), each answering for itself.
AUTHORITIES = (("Region Norrbotten", "region"), ("Polisen, lokalpolisområde Norrbotten", "polis"))
# Of each municipality's units, how many have sent in their answers and how many have started.
SUBMITTED_PER_MUNICIPALITY = {"Kiruna": 3, "Gällivare": 1, "Luleå": 2, "Piteå": 0}
STARTED_PER_MUNICIPALITY = {"Kiruna": 0, "Gällivare": 1, "Luleå": 1, "Piteå": 1}
INSTRUCTIONS = """\
Välkommen till länets gemensamma kartläggning inom Samverkan mot våld.

Varje kommun, regionen och polisen svarar för sina verksamheter. Din kommuns samordnare följer upp
kommunens svar; kommunförbundet sammanställer länet och jämför länsdelarna.
"""


def municipality_coordinator(kommun: str) -> str:
    return f"samordnare.{ascii_name(kommun)}@example.org"


def ascii_name(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöé ,", "aaoe.-", "")).replace("-", "")


def county_demo(new_links: bool | None) -> None:
    """Load the county demo (idempotent) and print the logins and contact links."""
    folder = Path(current_app.root_path).parent / "questionnaires"
    version = load_questionnaire(folder / QUESTIONNAIRE)
    county = find_or_create(COUNTY, "kommunforbund", None)
    kommuner: dict[str, Unit] = {}
    for part_name, municipalities in PARTS.items():
        part = find_or_create(part_name, "lansdel", county)
        for name in municipalities:
            kommun = kommuner[name] = find_or_create(f"{name} kommun", "kommun", part)
            for namnd_name, forvaltning_name, verksamheter in MUNICIPAL_UNITS:
                namnd = find_or_create(namnd_name, "namnd", kommun)
                forvaltning = find_or_create(forvaltning_name, "forvaltning", namnd)
                for verksamhet in verksamheter:
                    with_contact(find_or_create(verksamhet, "verksamhet", forvaltning), name)
            voice(kommun, name)
    for name, kind in AUTHORITIES:
        with_contact(find_or_create(name, kind, county), "")
    voice(county, "")
    db.session.flush()
    round_ = db.session.scalar(select(Round).where(Round.name == COUNTY_ROUND))
    first_load = round_ is None
    if round_ is None:
        today = utcnow().date()
        round_ = Round(
            name=COUNTY_ROUND,
            questionnaire_version=version,
            opens_on=today,
            closes_on=today + timedelta(weeks=6),
            state="open",
            instructions=INSTRUCTIONS,
            scope_unit=county,
        )
        db.session.add(round_)
        db.session.flush()
        round_.assign_participants()
        db.session.flush()
        partly_answer(round_, kommuner)
    else:
        round_.assign_participants()
    accounts = [(COUNTY_COORDINATOR, "coordinator", "Kommunförbundets samordnare", [county])]
    accounts += [
        (municipality_coordinator(name), "coordinator", f"Samordnare {name}", [kommun])
        for name, kommun in kommuner.items()
    ]
    accounts.append((ADMIN, "admin", "Administratör", []))
    passwords = {email: demo_account(email, role, name, scope) for email, role, name, scope in accounts}
    logins = [
        (Role(role).label_in_swedish().capitalize() + (f" ({scope[0].name})" if scope else ""), email)
        for email, role, _name, scope in accounts
    ]
    pages = [
        ("Omgången för hela länet", f"/samordning/omgang/{round_.id}"),
        ("Jämförelse mellan länsdelarna", f"/samordning/omgang/{round_.id}/lansdelar"),
    ]
    again = "flask --app survey demo --county --new-links"
    hand_out(round_, first_load, new_links, logins, passwords, print_county_links, again, pages)


def find_or_create(name: str, kind: str, parent: Unit | None) -> Unit:
    same_parent = Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id
    unit = db.session.scalar(select(Unit).where(Unit.name == name, same_parent))
    if unit is None:
        unit = Unit(name=name, kind=kind, parent=parent)
        db.session.add(unit)
        db.session.flush()
    return unit


def with_contact(unit: Unit, kommun: str) -> None:
    """A contact person, named after the unit, with an address of the municipality (or the authority)."""
    if not unit.contacts:
        where = ascii_name(kommun or unit.name).split(".")[0]
        email = f"{ascii_name(unit.name).replace('.', '')}.{where}@example.org"
        unit.contacts.append(ContactPerson(name=f"Kontaktperson {unit.name}", email=email))


def voice(unit: Unit, kommun: str) -> None:
    """Each municipality's contact persons hear from their own coordinator; the rest from the kommunförbund."""
    if db.session.get(ScopeVoice, unit.id) is not None:
        return
    if kommun:
        sender, reply_to = f"Samordnare mot våld, {kommun} kommun", municipality_coordinator(kommun)
        details = f"Samordnare mot våld, {kommun} kommun  \n{reply_to}  \n0980-123 45"
        manual = f"Svara för din verksamhet i {kommun} kommun. Frågor om kartläggningen: {reply_to}."
    else:
        sender, reply_to = "Samverkan mot våld, Norrbottens kommunförbund", COUNTY_COORDINATOR
        details = f"Kommunförbundets samordnare  \n{COUNTY_COORDINATOR}"
        manual = "Svara för din verksamhet. Kommunförbundet sammanställer länet och jämför länsdelarna."
    db.session.add(
        ScopeVoice(unit_id=unit.id, sender_name=sender, reply_to=reply_to, manual=manual, contact_details=details)
    )


def partly_answer(round_: Round, kommuner: dict[str, Unit]) -> None:
    """In each municipality some units have sent in, some have started; the region has sent in, the police not."""
    tree = UnitTree({u.id: u for u in db.session.scalars(select(Unit))})
    by_kommun: dict[str, list[Assignment]] = {}
    for assignment in sorted(round_.assignments, key=lambda a: a.unit.name):
        chain = [assignment.unit, *tree.ancestors(assignment.unit)]
        kommun = next((name for name, unit in kommuner.items() if unit in chain), "")
        by_kommun.setdefault(kommun, []).append(assignment)
    for kommun, assignments in by_kommun.items():
        submitted = SUBMITTED_PER_MUNICIPALITY.get(kommun, 0)
        started = STARTED_PER_MUNICIPALITY.get(kommun, 0)
        if not kommun:  # the region sends in, the police has not begun
            submitted, started = 1, 0
            assignments.sort(key=lambda a: a.unit.kind != "region")
        for position, assignment in enumerate(assignments[: submitted + started]):
            fill_in(assignment)
            db.session.flush()
            if position < submitted:
                assignment.submit()
    db.session.flush()


def print_county_links(links: list[tuple[Assignment, str]]) -> None:
    """unit, its municipality or authority, link: the verksamheter of the four municipalities share names."""
    tree = UnitTree({u.id: u for u in db.session.scalars(select(Unit))})
    for assignment, link in links:
        chain = [assignment.unit, *tree.ancestors(assignment.unit)]
        owner = next((u for u in chain if u.kind == "kommun"), assignment.unit)
        where = "" if owner.id == assignment.unit.id else f" ({owner.name})"
        click.echo(f"{assignment.unit.name}{where}\t{link}")
