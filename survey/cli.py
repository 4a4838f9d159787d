"""`flask --app survey ...` commands: questionnaire checks, accounts, the demo municipality, links."""
from __future__ import annotations

import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from survey.db import utcnow
from survey.extensions import db
from survey.ids import parse_id
from survey.models import Assignment, ContactPerson, Role, Round, Unit, User, audit
from survey.privacy.cli import privacy_group
from survey.questions.cli import load_questionnaire, questionnaire_group

DEMO_QUESTIONNAIRE = "kartlaggning-vald.toml"
DEMO_ROUND = "Kartläggning av arbetet mot våld 2026"
DEMO_COORDINATOR = "samordnare@example.org"
# The 17 members of Umeå's samverkansråd (handlingsplan mot våld), placed under plausible nämnder.
# (nämnd, förvaltning or None, unit, unit kind, contact person)
DEMO_UNITS = [
    ("Kommunstyrelsen", "Kommunledningskontoret", "Umebrå", "verksamhet", "Anna Lindqvist"),
    ("Individ- och familjenämnden", "Socialtjänsten", "Centrum mot våld", "verksamhet", "Erik Holmström"),
    ("Kommunstyrelsen", "Kommunledningskontoret", "Område jämställdhet", "verksamhet", "Sara Nyberg"),
    ("Kommunstyrelsen", "Kommunledningskontoret", "Personalfunktionen", "verksamhet", "Johan Berglund"),
    ("Fritidsnämnden", "Fritid", "Umeå fritid unga", "verksamhet", "Lina Sandberg"),
    ("För- och grundskolenämnden", "Förskola och grundskola", "Utbildning för- och grundskola", "verksamhet", "Maria Forsberg"),
    ("Gymnasienämnden", "Gymnasieskola och vuxenutbildning", "Utbildning, gymnasieskola", "verksamhet", "Peter Lundgren"),
    ("Individ- och familjenämnden", "Socialtjänsten", "Socialt ansvariga samordnare, socialtjänsten", "verksamhet", "Karin Öberg"),
    ("Äldrenämnden", "Äldreomsorg", "Äldreområdet", "verksamhet", "Gunilla Westman"),
    ("Individ- och familjenämnden", "Socialtjänsten", "Funktionshinderområdet", "verksamhet", "Ahmed Hassan"),
    ("Kommunstyrelsen", "Arbetsmarknad och integration", "Integration, VIVA", "verksamhet", "Elin Marklund"),
    ("Individ- och familjenämnden", "Socialtjänsten", "Konsultationsforum mot hedersrelaterat våld", "verksamhet", "Nadia Karimi"),
    ("Kommunstyrelsen", "Kommunledningskontoret", "Konsultationsforum mot våldsbejakande extremism", "verksamhet", "Oskar Wikström"),
    ("Tekniska nämnden", "Samhällsbyggnad", "Gator och parker", "verksamhet", "Henrik Boman"),
    ("Byggnadsnämnden", None, "Byggnadsnämnden", "namnd", "Frida Lidström"),
    ("Tekniska nämnden", "Samhällsbyggnad", "Fastighet", "verksamhet", "Mikael Nordin"),
    (None, None, "Kommunföretagen (Bostaden)", "bolag", "Jenny Åström"),
]
DEMO_INSTRUCTIONS = """\
Välkommen till årets gemensamma kartläggning av arbetet mot våld.

**Tidplan**

- Svara senast sista svarsdag. En vecka innan skickar vi en påminnelse till dem som inte har svarat.
- Sammanställningen läggs fram på samverkansrådets möte i juni och publiceras sedan på
  handlingsplanens webbsida.

**Stöd under arbetet**

Samordningsfunktionen (metodstödet) svarar gärna på frågor om hur en fråga ska tolkas, och kan
komma till er arbetsplatsträff och gå igenom kartläggningen tillsammans med er.
"""


def init_app(app: Flask) -> None:
    app.cli.add_command(export_group)
    app.cli.add_command(units_group)
    app.cli.add_command(answers_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(questionnaire_group)
    app.cli.add_command(users_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(links_command)
    app.cli.add_command(privacy_group)


export_group = AppGroup("export", help="Workbooks for the council.")


@export_group.command("council")
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Default: exports/<name>.xlsx")
@click.option("--drafts", is_flag=True, help="Count started answers too, not only submitted ones.")
@click.option("--namnd", default=None, help="Only this nämnd (or bolag), by exact name.")
def export_council(round_ref, output, drafts, namnd):
    """Write the council workbook of a round."""
    from survey.exports.council import council_workbook, workbook_filename
    from survey.exports.data import ExportOptions

    round_ = find_round(round_ref)
    namnd_id = None
    if namnd:
        top = db.session.scalar(select(Unit).where(Unit.name == namnd, Unit.parent_id.is_(None)))
        if top is None:
            fail(f"No top-level unit named {namnd!r}.")
        namnd_id = top.id
    options = ExportOptions(drafts, namnd_id)
    path = Path(output) if output else Path(current_app.config["EXPORT_DIR"]) / workbook_filename(round_, options)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(council_workbook(round_, options).getvalue())
    except OSError as exc:
        fail(f"{path}: cannot be written: {exc.strerror or exc}")
    click.echo(f"Written to {path}")


units_group = AppGroup("units", help="The register of units and contact persons.")


@units_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def units_import(path, dry_run):
    """Import units and contact persons from .xlsx or .csv (Verksamhet, Överordnad, Typ, Kontaktperson, E-post)."""
    from survey.register.imports import RegisterFileError, apply_plan, make_plan, read_rows

    try:
        plan = make_plan(read_rows(path, Path(path).read_bytes()))
    except OSError as exc:
        fail(f"{path}: cannot be read: {exc.strerror or exc}")
    except RegisterFileError as exc:
        fail(f"{path}: {exc}")
    for number, message in plan.errors:
        click.echo(f"{path}: row {number}: {message}", err=True)
    if not plan.ok:
        fail(f"{len(plan.errors)} error(s); nothing was imported.")
    for name, kind, parent in plan.create:
        click.echo(f"create\t{name}\t{kind}\t{parent}")
    for name, what in plan.change:
        click.echo(f"change\t{name}\t{what}")
    for unit, name, email in plan.contacts:
        click.echo(f"contact\t{unit}\t{name}\t{email}")
    click.echo(f"{len(plan.create)} new, {len(plan.change)} changed, {len(plan.unchanged)} unchanged units; "
               f"{len(plan.contacts)} new contact persons.")
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    counts = apply_plan(plan)
    audit("register_imported", "cli", details=counts)
    db.session.commit()
    click.echo("Imported.")


answers_group = AppGroup("answers", help="A unit's answers in Excel: the offline template, and importing it filled in.")


@answers_group.command("template")
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
@click.option("--unit", "unit_name", required=True, help="The unit's exact name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Default: exports/<name>.xlsx")
def answers_template(round_ref, unit_name, output):
    """Write a unit's offline template, its current answers filled in."""
    from survey.offline.template import offline_template, template_filename

    round_ = find_round(round_ref)
    assignment = next((a for a in round_.assignments if a.unit.name == unit_name), None)
    if assignment is None:
        fail(f"{unit_name!r} does not take part in {round_.name}.")
    path = Path(output) if output else Path(current_app.config["EXPORT_DIR"]) / template_filename(assignment)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(offline_template(assignment))
    except OSError as exc:
        fail(f"{path}: cannot be written: {exc.strerror or exc}")
    click.echo(f"Written to {path}")


@answers_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--submit", "mark_submitted", is_flag=True, help="Mark the answers submitted (all required answers must be there).")
def answers_import(path, dry_run, mark_submitted):
    """Import a filled-in offline template into the unit's answers, as one transaction."""
    from survey.offline.plan import apply_import, import_refusal, plan_import
    from survey.offline.reader import OfflineFileError, read_offline

    try:
        found = read_offline(Path(path).read_bytes())
    except OSError as exc:
        fail(f"{path}: cannot be read: {exc.strerror or exc}")
    except OfflineFileError as exc:
        fail(f"{path}: {exc}")
    assignment = db.session.get(Assignment, found.assignment_id) if found.assignment_id else None
    if assignment is None:
        fail(f"{path}: the unit this template was made for is not in the database.")
    refusal = import_refusal(assignment)
    if refusal:
        fail(f"{path}: {assignment.unit.name}: {refusal}")
    plan = plan_import(assignment, found)
    for message in plan.errors:
        click.echo(f"{path}: {message}", err=True)
    if not plan.ok:
        fail(f"{len(plan.errors)} error(s); nothing was imported.")
    for change in plan.changes:
        click.echo("\t".join([change.section, f"{change.entry}: {change.question}" if change.entry else change.question,
                              change.before, change.after]))
    click.echo(f"{assignment.unit.name}: {len(plan.changes)} change(s).")
    if plan.edited_since_download:
        click.echo("Note: the answers were changed on the web after the template was downloaded; the file wins.")
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    counts = apply_import(assignment, plan)
    if mark_submitted:
        missing = assignment.missing_required()
        if missing:
            db.session.rollback()
            fail(f"Cannot mark as submitted: {len(missing)} required answer(s) missing; nothing was imported.")
        assignment.submit()
    audit("answers_imported", "cli", round_id=assignment.round_id, assignment_id=assignment.id,
          details={**counts, "submitted": mark_submitted})
    db.session.commit()
    click.echo("Imported.")


mail_group = AppGroup("mail", help="The outbox of invitations, reminders and account mail.")


@mail_group.command("send")
@click.option("--loop", "interval", type=float, default=None, help="Keep running, looking for due mail every N seconds.")
def mail_send(interval):
    """Deliver every message that is due; failed attempts are retried later with growing pauses."""
    from survey import mail

    if not mail.is_configured():
        fail("MAIL_SERVER is not set: messages stay in the outbox until it is.")
    while True:
        sent, failed = mail.send_pending(limit=1000)
        click.echo(f"{sent} sent, {failed} failed (will be retried).")
        if interval is None:
            break
        time.sleep(interval)


@click.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write the copy (default: instance/backups/kartlaggning-<time>.sqlite or .dump).")
@with_appcontext
def backup_command(output):
    """A consistent copy of the database: SQLite's online backup, or pg_dump for PostgreSQL."""
    from survey.backup import backup

    try:
        path = backup(output)
    except (OSError, RuntimeError) as exc:
        fail(f"Backup failed: {exc}")
    click.echo(f"Backup written to {path}")


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


users_group = AppGroup("users", help="Coordinator accounts.")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="coordinator", show_default=True)
@click.option("--name", default="", help="Full name: signs the invitations and reminders you send, and names you in the audit log.")
def users_create(email, role, name):
    """Create an account and print its one-time password."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        fail(f"Invalid e-mail address {email!r}: {exc}")
    if User.by_email(email):
        fail(f"An account for {email} already exists.")
    user, password = create_user(email, role, name)
    audit("user_created", "cli", user_id=user.id, details={"role": role})
    db.session.commit()
    click.echo(f"Created {role} {email}. One-time password (must be changed at first login): {password}")


def create_user(email: str, role: str, name: str = "") -> tuple[User, str]:
    password = secrets.token_urlsafe(12)
    user = User(email=email.lower(), role=role, name=name)
    user.set_password(password, one_time=True)
    db.session.add(user)
    db.session.flush()
    return user, password


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo municipality (idempotent) and print the coordinator login and contact links."""
    version = load_questionnaire(Path(current_app.root_path).parent / "questionnaires" / DEMO_QUESTIONNAIRE)
    units = [demo_unit(*row) for row in DEMO_UNITS]
    round_ = db.session.scalar(select(Round).where(Round.name == DEMO_ROUND))
    if round_ is None:
        today = utcnow().date()
        round_ = Round(
            name=DEMO_ROUND,
            questionnaire_version=version,
            opens_on=today,
            closes_on=today + timedelta(weeks=6),
            state="open",
            instructions=DEMO_INSTRUCTIONS,
        )
        db.session.add(round_)
        db.session.flush()
    assigned = {a.unit_id for a in round_.assignments}
    for unit in units:
        if unit.id not in assigned:
            round_.assign(unit)
    user = User.by_email(DEMO_COORDINATOR)
    if user is None:
        user, password = create_user(DEMO_COORDINATOR, "coordinator", "Samordningsfunktionen")
    else:
        password = secrets.token_urlsafe(12)
        user.set_password(password, one_time=True)
    db.session.flush()
    links = issue_links(round_)
    audit("demo_loaded", "cli", round_id=round_.id)
    db.session.commit()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"Samordnarens inloggning: {base}/logga-in")
    click.echo(f"  E-post: {DEMO_COORDINATOR}")
    click.echo(f"  Engångslösenord: {password}")
    click.echo(f"Kontaktlänkar för {round_.name}:")
    print_links(links)


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


def issue_links(round_: Round) -> list[tuple[str, str]]:
    """New personal links for every unit of the round; earlier links stop working."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    links = []
    assignments = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all()
    for assignment in sorted(assignments, key=lambda a: a.unit.name.casefold()):
        token = assignment.issue_token()
        links.append((assignment.unit.name, f"{base}/svar/lank/{token}"))
    audit("links_issued", "cli", round_id=round_.id, details={"count": len(links)})
    return links


def print_links(links: list[tuple[str, str]]) -> None:
    for name, link in links:
        click.echo(f"{name}\t{link}")


@click.command("links")
@with_appcontext
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
def links_command(round_ref):
    """Print a new contact link per unit (unit<TAB>link); earlier links stop working."""
    round_ = find_round(round_ref)
    links = issue_links(round_)
    db.session.commit()
    click.echo(f"New links for {round_.name}; earlier links no longer work.", err=True)
    print_links(links)


def find_round(ref: str) -> Round:
    round_ = db.session.get(Round, round_id) if (round_id := parse_id(ref)) is not None else None
    round_ = round_ or db.session.scalar(select(Round).where(Round.name == ref))
    if round_ is None:
        names = ", ".join(f"{r.id}: {r.name}" for r in db.session.scalars(select(Round).order_by(Round.id)))
        fail(f"No round {ref!r}. Rounds: {names or 'none yet'}")
    return round_
