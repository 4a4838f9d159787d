"""The demo municipality (`flask demo`): Umeå's samverkansråd, a coordinator, and two rounds of the mapping —
last year's, closed, with most units submitted, and this year's follow-up, open and partly answered."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.access import COMMAND_LINE
from survey.accounts.service import create_user, set_scope
from survey.cli import print_links
from survey.db import utcnow
from survey.demo_answers import fill_in, follow_up_status
from survey.demo_plan import add_plan
from survey.extensions import db
from survey.followup.areas import earlier_areas, record
from survey.followup.prefill import can_start_from_previous, confirm_unchanged, start
from survey.models import Assignment, ContactPerson, ExampleApproval, Role, Round, StartChoice, Unit, User, audit
from survey.public.summary import cleared_examples
from survey.questions.cli import load_questionnaire
from survey.rounds.links import issue_links

DEMO_QUESTIONNAIRE = "kartlaggning-vald.toml"
LAST_YEARS_QUESTIONNAIRE = "archive/kartlaggning-vald-2025.1.toml"
DEMO_ROUND = "Kartläggning av arbetet mot våld 2026"
LAST_YEARS_ROUND = "Kartläggning av arbetet mot våld 2025"
NOT_SUBMITTED_LAST_YEAR = 3  # units that never sent in last year's answers (one of them started)
STARTED_THIS_YEAR = 6  # units that have started this year's form from last year's answers
DEMO_COORDINATOR = "samordnare@example.org"
# A newcomer meets every page: the coordinator runs the rounds, the admin also keeps the accounts.
DEMO_ACCOUNTS = (
    (DEMO_COORDINATOR, "coordinator", "Samordningsfunktionen"),
    ("admin@example.org", "admin", "Administratör"),
)
# The 17 members of Umeå's samverkansråd (handlingsplan mot våld), placed under plausible nämnder.
# nämnd | förvaltning | unit | unit kind | contact person, one unit a line; - where there is none
DEMO_UNITS = [
    tuple(None if cell == "-" else cell for cell in line.split(" | "))
    for line in """\
Kommunstyrelsen | Kommunledningskontoret | Umebrå | verksamhet | Anna Lindqvist
Individ- och familjenämnden | Socialtjänsten | Centrum mot våld | verksamhet | Erik Holmström
Kommunstyrelsen | Kommunledningskontoret | Område jämställdhet | verksamhet | Sara Nyberg
Kommunstyrelsen | Kommunledningskontoret | Personalfunktionen | verksamhet | Johan Berglund
Fritidsnämnden | Fritid | Umeå fritid unga | verksamhet | Lina Sandberg
För- och grundskolenämnden | Förskola och grundskola | Utbildning för- och grundskola | verksamhet | Maria Forsberg
Gymnasienämnden | Gymnasieskola och vuxenutbildning | Utbildning, gymnasieskola | verksamhet | Peter Lundgren
Individ- och familjenämnden | Socialtjänsten | Socialt ansvariga samordnare, socialtjänsten | verksamhet | Karin Öberg
Äldrenämnden | Äldreomsorg | Äldreområdet | verksamhet | Gunilla Westman
Individ- och familjenämnden | Socialtjänsten | Funktionshinderområdet | verksamhet | Ahmed Hassan
Kommunstyrelsen | Arbetsmarknad och integration | Integration, VIVA | verksamhet | Elin Marklund
Individ- och familjenämnden | Socialtjänsten | Konsultationsforum mot hedersrelaterat våld | verksamhet | Nadia Karimi
Kommunstyrelsen | Kommunledningskontoret | Konsultationsforum mot våldsbejakande extremism | verksamhet | Oskar Wikström
Tekniska nämnden | Samhällsbyggnad | Gator och parker | verksamhet | Henrik Boman
Byggnadsnämnden | - | Byggnadsnämnden | namnd | Frida Lidström
Tekniska nämnden | Samhällsbyggnad | Fastighet | verksamhet | Mikael Nordin
- | - | Kommunföretagen (Bostaden) | bolag | Jenny Åström
""".splitlines()
]
DEMO_INSTRUCTIONS = """\
Välkommen till årets gemensamma kartläggning av arbetet mot våld.

### Tidplan

- Svara senast sista svarsdag. En vecka innan skickar vi en påminnelse till dem som inte har svarat.
- Sammanställningen läggs fram på samverkansrådets möte i juni och publiceras sedan på
  handlingsplanens webbsida.

### Stöd under arbetet

Samordningsfunktionen (metodstödet) svarar gärna på frågor om hur en fråga ska tolkas, och kan
komma till er arbetsplatsträff och gå igenom kartläggningen tillsammans med er.
"""


@click.command("demo")
@with_appcontext
@click.option(
    "--new-links/--keep-links",
    default=None,
    help="When the demo is loaded already: print new contact links (the earlier ones stop working), or keep "
    "them. Default: ask at a terminal, keep otherwise.",
)
@click.option(
    "--county",
    is_flag=True,
    help="A county instead (survey/demo_county.py): a kommunförbund, four municipalities in two parts of the "
    "county, the region and the police, a coordinator for the county and one per municipality.",
)
def demo_command(new_links, county):
    """Load the demo municipality (idempotent) and print the logins and contact links."""
    if county:
        from survey.demo_county import county_demo  # it imports this module: imported here, once this one is loaded

        county_demo(new_links)
        return
    folder = Path(current_app.root_path).parent / "questionnaires"
    version = load_questionnaire(folder / DEMO_QUESTIONNAIRE)
    units = [demo_unit(*row) for row in DEMO_UNITS]
    last_year = db.session.scalar(select(Round).where(Round.name == LAST_YEARS_ROUND))
    if last_year is None:
        last_year = last_years_round(load_questionnaire(folder / LAST_YEARS_QUESTIONNAIRE), units)
        publish(last_year)
    round_ = db.session.scalar(select(Round).where(Round.name == DEMO_ROUND))
    first_load = round_ is None
    if round_ is None:
        today = utcnow().date()
        round_ = Round(
            name=DEMO_ROUND,
            questionnaire_version=version,
            opens_on=today,
            closes_on=today + timedelta(weeks=6),
            state="open",
            instructions=DEMO_INSTRUCTIONS,
            previous_round=last_year,
        )
        db.session.add(round_)
        db.session.flush()
        for unit in units:
            round_.assign(unit)
        db.session.flush()
        partly_answer(round_)
    assigned = {a.unit_id for a in round_.assignments}
    for unit in units:
        if unit.id not in assigned:
            round_.assign(unit)
    add_plan(last_year, round_)
    passwords = {email: demo_account(email, role, name) for email, role, name in DEMO_ACCOUNTS}
    logins = [(Role(role).label_in_swedish().capitalize(), email) for email, role, _name in DEMO_ACCOUNTS]
    hand_out(round_, first_load, new_links, logins, passwords, print_links, "flask --app survey demo --new-links")


def hand_out(
    round_: Round,
    first_load: bool,
    new_links: bool | None,
    logins: list[tuple[str, str]],
    passwords: dict[str, str],
    print_round_links: Callable[[list[tuple[Assignment, str]]], None],
    again: str,
    pages: Sequence[tuple[str, str]] = (),
) -> None:
    """The end of a demo load, for the municipality and the county alike: contact links (new on the first load,
    or when asked, since new ones cancel the printed ones), the audit event and the commit, then what a newcomer
    needs printed: the login with each account's one-time password, ``pages`` (label, path), the links."""
    db.session.flush()
    if new_links is None:
        new_links = first_load or (
            sys.stdin.isatty()
            and click.confirm(
                "Skapa nya kontaktlänkar? De som skrevs ut förra gången slutar då fungera.", default=False
            )
        )
    links = issue_links(round_, COMMAND_LINE) if new_links else []
    audit("demo_loaded", COMMAND_LINE, round_id=round_.id)
    db.session.commit()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"Inloggning: {base}/logga-in")
    for label, email in logins:
        click.echo(f"  {label}: {email}, engångslösenord: {passwords[email]}")
    for label, path in pages:
        click.echo(f"{label}: {base}{path}")
    if links:
        click.echo(f"Kontaktlänkar för {round_.name}:")
        print_round_links(links)
    else:
        click.echo(f"Kontaktlänkarna för {round_.name} är oförändrade. Nya (de gamla slutar då fungera): {again}")


def demo_account(email: str, role: str, name: str, scope: list[Unit] | None = None) -> str:
    """The demo's account, made or given a new one-time password, which is returned; ``scope``, when given,
    the parts of the tree its role applies to (the county's coordinators)."""
    user = User.by_email(email)
    if user is None:
        return create_user(email, role, name, scope or ())[1]
    if scope is not None:
        set_scope(user, scope)
    password = secrets.token_urlsafe(12)
    user.set_password(password, one_time=True)
    return password


def last_years_round(version, units: list[Unit]) -> Round:
    """Closed, on last year's questionnaire: all but a few units submitted, with development areas."""
    today = utcnow().date()
    round_ = Round(
        name=LAST_YEARS_ROUND,
        questionnaire_version=version,
        opens_on=today - timedelta(days=365),
        closes_on=today - timedelta(days=365 - 42),
        state="open",
        instructions=DEMO_INSTRUCTIONS,
    )
    db.session.add(round_)
    db.session.flush()
    for position, unit in enumerate(units):
        assignment = round_.assign(unit)
        db.session.flush()
        if position < len(units) - NOT_SUBMITTED_LAST_YEAR + 1:
            fill_in(assignment)
        if position < len(units) - NOT_SUBMITTED_LAST_YEAR:
            assignment.submit()
    round_.state = "closed"
    return round_


def publish(round_: Round, approved: int = 4) -> None:
    """Last year's summary is public, with a few of the good examples their units cleared approved, so the
    public page shows something at once (issue 16)."""
    db.session.flush()
    round_.published_dt = utcnow()
    cleared = [example for example in cleared_examples(round_) if not example.warnings]
    for example in cleared[:approved]:
        db.session.add(
            ExampleApproval(
                assignment_id=example.assignment_id, entry_index=example.entry_index, content_sha256=example.digest
            )
        )


def partly_answer(round_: Round) -> None:
    """Some units start from last year's answers, confirm or change a few, and follow up their development areas."""
    for position, assignment in enumerate(sorted(round_.assignments, key=lambda a: a.unit.name)[:STARTED_THIS_YEAR]):
        if not can_start_from_previous(assignment):
            continue
        start(assignment, StartChoice.PREVIOUS)
        db.session.flush()
        if position % 2 == 0:  # these have looked at their first page: one answer changed, the rest confirmed
            first_page = {
                (q.key, 0): value
                for q in round_.definition.sections[0].questions
                if (value := assignment.values().get((q.key, 0))) is not None
            }
            confirm_unchanged(assignment, first_page)
            if ("antal_medarbetare", 0) in first_page:
                assignment.save_values({("antal_medarbetare", 0): first_page[("antal_medarbetare", 0)] + 5})
        if position < STARTED_THIS_YEAR - 2:
            for number, area in enumerate(earlier_areas(assignment)):
                record(assignment, area, *follow_up_status(assignment.unit.name, number))
        db.session.flush()


def demo_unit(namnd: str | None, forvaltning: str | None, name: str, kind: str, contact: str) -> Unit:
    parent = None
    if namnd and namnd != name:
        parent = find_or_create_unit(namnd, "namnd", None)
        if forvaltning:
            parent = find_or_create_unit(forvaltning, "forvaltning", parent)
    unit = find_or_create_unit(name, kind, parent)
    if not unit.contacts:
        email = contact.lower().translate(str.maketrans("åäöé ", "aaoe."))
        unit.contacts.append(ContactPerson(name=contact, email=f"{email}@example.org"))
    return unit


def find_or_create_unit(name: str, kind: str, parent: Unit | None) -> Unit:
    same_parent = Unit.parent_id.is_(None) if parent is None else Unit.parent_id == parent.id
    unit = db.session.scalar(select(Unit).where(Unit.name == name, same_parent))
    if unit is None:
        unit = Unit(name=name, kind=kind, parent=parent)
        db.session.add(unit)
        db.session.flush()
    return unit
