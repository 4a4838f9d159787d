"""Retention (gallring): personal data kept only as long as it is needed, then removed.

Answers are public records and are never removed here (SECURITY.md, "Retention and personal
data"). What goes, each after its period from the settings read in create_app:

- a closed or archived round's contact details, PRIVACY_ROUND_CONTACTS_MONTHS after its last answer
  day: the round's mail (to whom, their name in the text), and any contact's name or address in the
  round's audit events; the round records when (``Round.contacts_purged_dt``), and its workbook names
  the unit instead. The register's contact persons are the units' current ones, needed for the next
  round, and stay;
- delivered mail, PRIVACY_SENT_MAIL_DAYS after it was sent; mail given up, PRIVACY_FAILED_MAIL_DAYS
  after it was queued; mail still waiting to be delivered stays;
- audit events, PRIVACY_AUDIT_MONTHS after they happened;
- uploaded register and answer files nobody confirmed, after two hours (register/uploads.py).
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select

from survey.extensions import db
from survey.models import Assignment, AuditEvent, ContactPerson, OutboxMessage, OutboxStatus, Round, RoundState
from survey.register import uploads

PURGED_TEXT = "[borttaget vid gallring]"
KINDS = ("round_contacts", "sent_mail", "failed_mail", "audit_events", "uploads")


@dataclass
class Outcome:
    """What a purge did (or, in a dry run, would do) to one kind of data."""

    kind: str
    cutoff: datetime | date
    removed: int = 0
    kept: int = 0
    # For round contacts: the rounds purged, each with what went from it.
    rounds: list[RoundPurge] = field(default_factory=list)


@dataclass
class RoundPurge:
    round_id: int
    name: str
    messages: int
    events: int


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter month)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge(now: datetime, dry_run: bool = False) -> list[Outcome]:
    """Remove what is past its retention period; returns, per kind, what was (or would be) removed and kept.

    The caller commits (or, for a dry run, nothing has changed).
    """
    config = current_app.config
    outcomes = [
        purge_round_contacts(months_before(now, config["PRIVACY_ROUND_CONTACTS_MONTHS"]).date(), now, dry_run),
        purge_mail(
            OutboxStatus.SENT,
            OutboxMessage.sent_dt,
            now - timedelta(days=config["PRIVACY_SENT_MAIL_DAYS"]),
            "sent_mail",
            dry_run,
        ),
        purge_mail(
            OutboxStatus.FAILED,
            OutboxMessage.created_dt,
            now - timedelta(days=config["PRIVACY_FAILED_MAIL_DAYS"]),
            "failed_mail",
            dry_run,
        ),
        purge_audit_events(months_before(now, config["PRIVACY_AUDIT_MONTHS"]), dry_run),
        purge_uploads(Path(config["UPLOAD_DIR"]), now, dry_run),
    ]
    if not dry_run:
        db.session.flush()
    return outcomes


def purge_round_contacts(last_day: date, now: datetime, dry_run: bool) -> Outcome:
    """Rounds closed or archived whose last answer day is before ``last_day`` lose their contact details."""
    ended = select(Round).where(
        Round.state.in_((RoundState.CLOSED, RoundState.ARCHIVED)), Round.contacts_purged_dt.is_(None)
    )
    due = db.session.scalars(ended.where(Round.closes_on < last_day).order_by(Round.closes_on, Round.id)).all()
    outcome = Outcome("round_contacts", last_day)
    outcome.kept = (
        db.session.scalar(
            select(func.count())
            .select_from(Round)
            .where(Round.contacts_purged_dt.is_(None), Round.id.not_in([r.id for r in due]))
        )
        or 0
    )
    for round_ in due:
        outcome.rounds.append(purge_round(round_, now, dry_run))
    outcome.removed = len(due)
    return outcome


def purge_round(round_: Round, now: datetime, dry_run: bool) -> RoundPurge:
    """One round's contact details: its mail goes, contacts' names and addresses leave its audit events."""
    assignment_ids = select(Assignment.id).where(Assignment.round_id == round_.id).scalar_subquery()
    of_round = OutboxMessage.assignment_id.in_(assignment_ids)
    people = set(db.session.execute(select(OutboxMessage.to_address, OutboxMessage.to_name).where(of_round)).all())
    people |= set(
        db.session.execute(
            select(ContactPerson.email, ContactPerson.name)
            .join(Assignment, Assignment.unit_id == ContactPerson.unit_id)
            .where(Assignment.round_id == round_.id)
        ).all()
    )
    needles = sorted({text for pair in people for text in pair if text and len(text) >= 3}, key=len, reverse=True)
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(of_round)) or 0
    events = 0
    for event in db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.round_id == round_.id, AuditEvent.assignment_id.in_(assignment_ids)))
    ):
        actor, details = scrubbed(event.actor, needles), scrubbed(event.details, needles)
        if actor != event.actor or details != event.details:
            events += 1
            if not dry_run:
                event.actor, event.details = actor, details
    if not dry_run:
        db.session.execute(delete(OutboxMessage).where(of_round).execution_options(synchronize_session=False))
        round_.contacts_purged_dt = now
    return RoundPurge(round_.id, round_.name, messages, events)


def scrubbed(value: Any, needles: list[str]) -> Any:
    """``value`` (text, or JSON made of lists and dicts) with every needle replaced, case aside."""
    if isinstance(value, str):
        folded = value.casefold()
        for needle in needles:
            start = folded.find(needle.casefold())
            while start >= 0:
                value = value[:start] + PURGED_TEXT + value[start + len(needle) :]
                folded = value.casefold()
                start = folded.find(needle.casefold(), start + len(PURGED_TEXT))
        return value
    if isinstance(value, list):
        return [scrubbed(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: scrubbed(item, needles) for key, item in value.items()}
    return value


def purge_mail(status: str, column, cutoff: datetime, kind: str, dry_run: bool) -> Outcome:
    of_status = OutboxMessage.status == status
    old = of_status & (column < cutoff)
    outcome = Outcome(kind, cutoff)
    outcome.removed = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(old)) or 0
    outcome.kept = (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(of_status)) or 0
    ) - outcome.removed
    if not dry_run and outcome.removed:
        db.session.execute(delete(OutboxMessage).where(old).execution_options(synchronize_session=False))
    return outcome


def purge_audit_events(cutoff: datetime, dry_run: bool) -> Outcome:
    old = AuditEvent.occurred_dt < cutoff
    outcome = Outcome("audit_events", cutoff)
    outcome.removed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(old)) or 0
    outcome.kept = (db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0) - outcome.removed
    if not dry_run and outcome.removed:
        db.session.execute(delete(AuditEvent).where(old).execution_options(synchronize_session=False))
    return outcome


def purge_uploads(folder: Path, now: datetime, dry_run: bool) -> Outcome:
    """Uploads awaiting confirmation: register/uploads.py sweeps them; this counts them and sweeps too."""
    cutoff = time.time() - uploads.UPLOAD_KEPT_SECONDS
    outcome = Outcome("uploads", now - timedelta(seconds=uploads.UPLOAD_KEPT_SECONDS))
    try:
        ages = [path.stat().st_mtime for path in folder.iterdir() if uploads.UPLOAD_NAME.fullmatch(path.name)]
    except OSError:
        ages = []
    outcome.removed = sum(1 for age in ages if age < cutoff)
    outcome.kept = len(ages) - outcome.removed
    if not dry_run and outcome.removed:
        uploads.sweep_uploads(folder)
    return outcome
