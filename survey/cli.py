"""`flask --app survey ...` commands: exports, the register, offline answers, mail, accounts, links."""

from __future__ import annotations

import time
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from survey.access import COMMAND_LINE
from survey.accounts.service import ScopeError, create_user, unit_by_name
from survey.clitools import fail, write_output
from survey.exports.words import LANGUAGES as WORKBOOK_LANGUAGES
from survey.extensions import db
from survey.ids import parse_id
from survey.models import Assignment, Role, Round, Unit, User, audit
from survey.privacy.cli import privacy_group
from survey.questions.cli import questionnaire_group
from survey.report.cli import report_command
from survey.rounds.links import issue_links


def init_app(app: Flask) -> None:
    app.cli.add_command(export_group)
    app.cli.add_command(units_group)
    app.cli.add_command(plan_group)
    app.cli.add_command(answers_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(questionnaire_group)
    app.cli.add_command(users_group)
    from survey.demo import demo_command  # the demo prints links with this module's print_links

    app.cli.add_command(demo_command)
    app.cli.add_command(links_command)
    app.cli.add_command(privacy_group)
    app.cli.add_command(report_command)
    from survey.jobs.cli import jobs_group

    app.cli.add_command(jobs_group)


export_group = AppGroup("export", help="Workbooks for the council.")


@export_group.command("council")
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Default: exports/<name>.xlsx")
@click.option("--drafts", is_flag=True, help="Count started answers too, not only submitted ones.")
@click.option("--namnd", default=None, help="Only this nämnd (or bolag), by exact name.")
@click.option(
    "--lang",
    "language",
    type=click.Choice(WORKBOOK_LANGUAGES),
    default="sv",
    help="The language of the sheet names, headings and the questionnaire's texts; keys are the same in every one.",
)
def export_council(round_ref, output, drafts, namnd, language):
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
    options = ExportOptions(drafts, namnd_id, language=language)
    path = Path(output) if output else Path(current_app.config["EXPORT_DIR"]) / workbook_filename(round_, options)
    write_output(path, council_workbook(round_, options).getvalue())
    click.echo(f"Written to {path}")


units_group = AppGroup("units", help="The register of units and contact persons.")


@units_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def units_import(path, dry_run):
    """Import units and contact persons from .xlsx or .csv (Verksamhet, Överordnad, Typ, Kontaktperson, E-post)."""
    from survey.register.importing import import_register, preview

    plan = checked_plan(path, preview)
    for name, kind, parent in plan.create:
        click.echo(f"create\t{name}\t{kind}\t{parent}")
    for name, what in plan.change:
        click.echo(f"change\t{name}\t{what}")
    for unit, name, email in plan.contacts:
        click.echo(f"contact\t{unit}\t{name}\t{email}")
    click.echo(
        f"{len(plan.create)} new, {len(plan.change)} changed, {len(plan.unchanged)} unchanged units; "
        f"{len(plan.contacts)} new contact persons."
    )
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    import_register(plan, actor=COMMAND_LINE)
    db.session.commit()
    click.echo("Imported.")


def checked_plan(path: str, preview):
    """What importing the file would do (``preview(name, data)``), or an exit naming the file's problems and rows."""
    from survey.register.imports import RegisterFileError

    try:
        plan = preview(path, Path(path).read_bytes())
    except OSError as exc:
        fail(f"{path}: cannot be read: {exc.strerror or exc}")
    except RegisterFileError as exc:
        fail(f"{path}: {exc}")
    for number, message in plan.errors:
        click.echo(f"{path}: row {number}: {message}", err=True)
    if not plan.ok:
        fail(f"{len(plan.errors)} error(s); nothing was imported.")
    return plan


plan_group = AppGroup("plan", help="The action plan's activities and indicators.")


@plan_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def plan_import(path, dry_run):
    """Import activities and indicators from .xlsx or .csv (Typ, Namn, Delmål, Ansvarig, Från år, Till år,
    Måttenhet, Målvärde, Riktning, Aktivitet)."""
    from survey.plan.importing import import_plan, preview

    plan = checked_plan(path, preview)
    for verb, found in (("create", plan.create), ("change", plan.change)):
        for item in found:
            click.echo(f"{verb}\t{item.kind}\t{item.name}\t{item.unit.name}")
    click.echo(f"{len(plan.create)} new, {len(plan.change)} changed, {len(plan.unchanged)} unchanged items.")
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    import_plan(plan, actor=COMMAND_LINE)
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
    write_output(path, offline_template(assignment))
    click.echo(f"Written to {path}")


@answers_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--submit", "mark_submitted", is_flag=True, help="Mark the answers submitted (all required answers must be there)."
)
def answers_import(path, dry_run, mark_submitted):
    """Import a filled-in offline template into the unit's answers, as one transaction."""
    from survey.offline import importing
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
    try:
        plan = importing.preview(assignment, found)
    except importing.ImportRefused as exc:
        fail(f"{path}: {assignment.unit.name}: {exc}")
    for message in plan.errors:
        click.echo(f"{path}: {message}", err=True)
    if not plan.ok:
        fail(f"{len(plan.errors)} error(s); nothing was imported.")
    for change in plan.changes:
        click.echo(
            "\t".join(
                [
                    change.section,
                    f"{change.entry}: {change.question}" if change.entry else change.question,
                    change.before,
                    change.after,
                ]
            )
        )
    click.echo(f"{assignment.unit.name}: {len(plan.changes)} change(s).")
    if plan.edited_since_download:
        click.echo("Note: the answers were changed on the web after the template was downloaded; the file wins.")
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    try:
        importing.import_answers(assignment, found, actor=COMMAND_LINE, mark_submitted=mark_submitted)
    except importing.RequiredAnswersMissing as exc:
        fail(f"Cannot mark as submitted: {exc.missing} required answer(s) missing; nothing was imported.")
    db.session.commit()
    click.echo("Imported.")


mail_group = AppGroup("mail", help="The outbox of invitations, reminders and account mail.")


@mail_group.command("send")
@click.option(
    "--loop", "interval", type=float, default=None, help="Keep running, looking for due mail every N seconds."
)
def mail_send(interval):
    """Queue the automatic reminders that are due, then deliver every message that is due; failed attempts are
    retried later with growing pauses."""
    from survey import mail
    from survey.reminders import queue_due_reminders

    if not mail.is_configured():
        fail("MAIL_SERVER is not set: messages stay in the outbox until it is.")
    while True:
        for day in queue_due_reminders():
            click.echo(
                f"Automatic reminders, round {day.round_id}, {day.days_before} days before: {day.messages} queued."
            )
        sent, failed = mail.send_pending(limit=1000)
        click.echo(f"{sent} sent, {failed} failed (will be retried).")
        if interval is None:
            break
        time.sleep(interval)


@click.command("backup")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the copy (default: instance/backups/kartlaggning-<time>.sqlite or .dump).",
)
@with_appcontext
def backup_command(output):
    """A consistent copy of the database: SQLite's online backup, or pg_dump for PostgreSQL."""
    from survey.backup import backup

    try:
        path = backup(output)
    except (OSError, RuntimeError) as exc:
        fail(f"Backup failed: {exc}")
    click.echo(f"Backup written to {path}")


users_group = AppGroup("users", help="Coordinator accounts.")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default="coordinator", show_default=True)
@click.option(
    "--name",
    default="",
    help="Full name: signs the invitations and reminders you send, and names you in the audit log.",
)
@click.option(
    "--scope",
    "scope_names",
    multiple=True,
    help="A unit (exact name, or id) the role applies to, with everything below it; repeatable. Default: the whole tree.",
)
def users_create(email, role, name, scope_names):
    """Create an account and print its one-time password."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        fail(f"Invalid e-mail address {email!r}: {exc}")
    if User.by_email(email):
        fail(f"An account for {email} already exists.")
    if scope_names and role == Role.ADMIN:
        fail("An admin always sees the whole tree: --scope is for coordinators and viewers.")
    try:
        scope = [unit_by_name(ref) for ref in scope_names]
    except ScopeError as exc:
        fail(f"--scope: {exc}")
    user, password = create_user(email, role, name, scope)
    audit("user_created", COMMAND_LINE, user_id=user.id, details={"role": role, "scope": user.scope_unit_ids})
    db.session.commit()
    where = ", ".join(unit.name for unit in scope) or "the whole tree"
    click.echo(f"Created {role} {email} for {where}. One-time password (must be changed at first login): {password}")


def print_links(links: list[tuple[Assignment, str]]) -> None:
    for assignment, link in links:
        click.echo(f"{assignment.unit.name}\t{link}")


@click.command("links")
@with_appcontext
@click.option("--round", "round_ref", required=True, help="The round's id or exact name.")
def links_command(round_ref):
    """Print a new contact link per unit (unit<TAB>link); earlier links stop working."""
    round_ = find_round(round_ref)
    links = issue_links(round_, COMMAND_LINE)
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
