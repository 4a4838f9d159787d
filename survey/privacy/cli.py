"""`flask --app survey privacy ...`: the retention purge, and one person's data (access, erasure)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey.clitools import write_output
from survey.db import utcnow
from survey.extensions import db
from survey.models import audit
from survey.privacy.retention import purge
from survey.privacy.rights import access_workbook, erase, gather, record_export

privacy_group = AppGroup("privacy", help="Personal data: the retention purge, a person's access and erasure.")

KIND_NAMES = {
    "round_contacts": "contact details of ended rounds",
    "sent_mail": "delivered mail",
    "failed_mail": "mail given up",
    "audit_events": "audit events",
    "uploads": "uploads awaiting confirmation",
}


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would be removed; change nothing.")
def purge_command(dry_run):
    """Remove personal data past its retention period and print what was removed and kept."""
    outcomes = purge(utcnow(), dry_run=dry_run)
    for outcome in outcomes:
        click.echo(
            f"{KIND_NAMES[outcome.kind]} (before {outcome.cutoff:%Y-%m-%d}): "
            f"{'would remove' if dry_run else 'removed'} {outcome.removed}, kept {outcome.kept}"
        )
        for round_ in outcome.rounds:
            click.echo(
                f"  round {round_.round_id} {round_.name}: {round_.messages} mail message(s), "
                f"{round_.events} audit event(s) cleaned"
            )
    click.echo(
        "Kept always: answers (public records); the register's current contact persons. "
        "Sessions are signed cookies that idle out; nothing of them is stored on the server."
    )
    if dry_run:
        click.echo("Dry run: nothing changed.")
        return
    audit("privacy_purged", "cli", details={o.kind: o.removed for o in outcomes})
    db.session.commit()


@privacy_group.command("export")
@click.argument("email")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Default: personuppgifter-<address>.xlsx in the current folder.",
)
def export_command(email, output):
    """Write everything held about EMAIL (accounts, contact records, mail, audit events) to a workbook."""
    held = gather(email)
    path = Path(output or f"personuppgifter-{held.email.replace('@', '-at-')}.xlsx")
    write_output(path, access_workbook(held).getvalue())
    record_export(held, "cli")
    db.session.commit()
    click.echo(
        f"{len(held.accounts)} account(s), {len(held.contacts)} contact record(s), {len(held.mail)} mail "
        f"message(s), {len(held.events)} audit event(s). Written to {path}"
    )


@privacy_group.command("erase")
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="Show what would be removed or anonymised; change nothing.")
def erase_command(email, dry_run):
    """Remove or anonymise what is held about EMAIL where the law allows, and say what is kept and why."""
    result = erase(email, "cli", dry_run=dry_run)
    for line in result.done:
        click.echo(f"{'would: ' if dry_run else ''}{line}")
    for line in result.kept:
        click.echo(f"kept: {line}")
    if dry_run:
        click.echo("Dry run: nothing changed.")
        return
    db.session.commit()
    click.echo(f"Done; the audit log now names the person {result.pseudonym!r}.")
