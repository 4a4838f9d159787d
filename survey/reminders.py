"""Automatic reminders: on the days before a round's last day that its coordinator chose (Round.reminder_days).

Whatever sends mail runs ``queue_due_reminders()`` first (`flask --app survey mail send`, once or
``--loop``, and the web process after a response that queued mail). For each open round, once a
reminder day has come (from REMINDER_HOUR, Swedish time, until the last day), every unit that has not
submitted and has a contact person gets one reminder, unless it was reminded or invited less than
REMINDER_INTERVAL_DAYS ago. The day is claimed by a ScheduledReminder row, unique per round and day
and committed with the queued mail, so a second process or a run after a crash sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from survey import mail
from survey.db import LOCAL_TZ, utcnow
from survey.extensions import db
from survey.models import Assignment, AssignmentStatus, ContactPerson, Round, ScheduledReminder, Unit, audit

ACTOR = "automatisk påminnelse"  # the audit log's actor: nobody pressed a button
MAX_DAYS = 365


@dataclass(frozen=True)
class ReminderDay:
    round_id: int
    due_on: date
    days_before: int

    def starts(self) -> datetime:
        """When the day's reminders may go out, as an aware UTC time."""
        hour = current_app.config["REMINDER_HOUR"]
        return datetime.combine(self.due_on, time(hour), tzinfo=LOCAL_TZ)


def interval() -> timedelta:
    return timedelta(days=current_app.config["REMINDER_INTERVAL_DAYS"])


def reminder_days(round_: Round) -> list[ReminderDay]:
    """The round's reminder days, earliest first (the most days before the last day)."""
    days = {d for d in round_.reminder_days or () if isinstance(d, int) and 0 <= d <= MAX_DAYS}
    return [ReminderDay(round_.id, round_.closes_on - timedelta(days=d), d) for d in sorted(days, reverse=True)]


def claimed(round_ids: list[int]) -> set[tuple[int, date]]:
    if not round_ids:
        return set()
    rows = db.session.execute(
        select(ScheduledReminder.round_id, ScheduledReminder.due_on).where(ScheduledReminder.round_id.in_(round_ids))
    )
    return {(round_id, due_on) for round_id, due_on in rows}


def open_rounds() -> list[Round]:
    return [r for r in db.session.scalars(select(Round).where(Round.state == "open")) if r.reminder_days]


def pending_days(round_: Round, taken: set[tuple[int, date]], now: datetime) -> list[ReminderDay]:
    """The round's reminder days not yet sent whose last day has not passed."""
    today = now.astimezone(LOCAL_TZ).date()
    if not round_.is_open or today > round_.closes_on:
        return []
    return [d for d in reminder_days(round_) if (d.round_id, d.due_on) not in taken]


def due_days(now: datetime) -> list[tuple[Round, ReminderDay]]:
    rounds = open_rounds()
    taken = claimed([r.id for r in rounds])
    return [(r, d) for r in rounds for d in pending_days(r, taken, now) if d.starts() <= now]


def recently_mailed(assignment: Assignment, on: date, invitations: bool = True) -> bool:
    """Whether the unit was reminded (or, with ``invitations``, invited) within the interval before the day ``on``.

    Counted in calendar days, Swedish time: with an interval of 2 days, a reminder today or yesterday.
    """
    cutoff = on - interval()
    times = [assignment.last_reminded_dt, assignment.invited_dt if invitations else None]
    return any(t is not None and t.astimezone(LOCAL_TZ).date() > cutoff for t in times)


def recipients(round_: Round, on: date) -> tuple[list[Assignment], int]:
    """The units a reminder on the day ``on`` goes to, and how many are left out as recently reminded or invited."""
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.round_id == round_.id)
        .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.round))
        .order_by(Assignment.id)
    ).all()
    waiting = [a for a in assignments if not a.is_submitted and a.unit.contacts]
    chosen = [a for a in waiting if not recently_mailed(a, on)]
    return chosen, len(waiting) - len(chosen)


def queue_day(round_: Round, day: ReminderDay, now: datetime) -> ScheduledReminder:
    """Claim the day and queue its reminders, in the caller's transaction."""
    batch = ScheduledReminder(round_id=round_.id, due_on=day.due_on, days_before=day.days_before, queued_dt=now)
    db.session.add(batch)
    db.session.flush()  # the unique row: a second process waits here, then fails, before queueing anything
    chosen, skipped = recipients(round_, now.astimezone(LOCAL_TZ).date())
    batch.units = len(chosen)
    batch.messages = sum(mail.queue_assignment_mails(chosen, "reminder", None).values())
    audit(
        "reminders_scheduled",
        ACTOR,
        round_id=round_.id,
        details={
            "days_before": day.days_before,
            "units": batch.units,
            "messages": batch.messages,
            "recently_reminded": skipped,
        },
    )
    return batch


def queue_due_reminders(now: datetime | None = None) -> list[ScheduledReminder]:
    """Queue every reminder day that has come; each day is committed on its own. Returns the days queued."""
    now = now or utcnow()
    queued = []
    for round_, day in due_days(now):
        try:
            queued.append(queue_day(round_, day, now))
            db.session.commit()
        except IntegrityError:  # another process claimed the day first, and sent its reminders
            db.session.rollback()
    return queued


@dataclass(frozen=True)
class NextReminder:
    day: ReminderDay
    units: int


def next_reminder(round_: Round, now: datetime | None = None, units: Select | None = None) -> NextReminder | None:
    """The round's next automatic reminder and how many units it would reach as things stand, for its page:
    of ``units`` (ids, a scoped coordinator's part) or of the whole round. Counted in SQL, as recipients() chooses."""
    if not round_.reminder_days or not round_.is_open:
        return None  # no queries: the round page's count stays flat
    now = now or utcnow()
    days = pending_days(round_, claimed([round_.id]), now)
    if not days:
        return None
    day = days[0]
    on = max(now.astimezone(LOCAL_TZ).date(), day.due_on)
    # recently_mailed(): a mail on a calendar day (Swedish time) after the cutoff, i.e. from this moment on.
    mailed_from = datetime.combine(on - interval() + timedelta(days=1), time(0), LOCAL_TZ)
    query = select(func.count()).where(
        Assignment.round_id == round_.id,
        Assignment.status != AssignmentStatus.SUBMITTED,
        select(ContactPerson.id).where(ContactPerson.unit_id == Assignment.unit_id).exists(),
        or_(Assignment.last_reminded_dt.is_(None), Assignment.last_reminded_dt < mailed_from),
        or_(Assignment.invited_dt.is_(None), Assignment.invited_dt < mailed_from),
    )
    if units is not None:
        query = query.where(Assignment.unit_id.in_(units))
    return NextReminder(day, db.session.scalar(query) or 0)
