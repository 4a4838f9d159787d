"""Automatic reminders: on the days before a round's last day that its coordinator chose (Round.reminder_days).

Whatever sends mail runs ``queue_due_reminders()`` first (`flask --app survey mail send`, once or
``--loop``, and the web process after a response that queued mail). For each open round, once a
reminder day has come (from REMINDER_HOUR, Swedish time, until the last day), every unit that was invited,
has not submitted and has a contact person gets one reminder, unless it was reminded or invited less than
REMINDER_INTERVAL_DAYS ago: reason(), the one rule the manual reminder and the big round's job follow too. The day is claimed by a ScheduledReminder row, unique per round and day
and committed with the queued mail, so a second process or a run after a crash sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, case, func, or_, select
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


SUBMITTED = "submitted"
NOT_INVITED = "not_invited"
WITHOUT_CONTACT = "without_contact"
RECENT = "recent"
CHOSEN = "chosen"
LEFT_OUT = (SUBMITTED, NOT_INVITED, WITHOUT_CONTACT, RECENT)


def mailed_from(on: date) -> datetime:
    """The first moment a mail counts as recent for the day ``on``: counted in calendar days, Swedish time, so with
    an interval of 2 days a mail today or yesterday."""
    return datetime.combine(on - interval() + timedelta(days=1), time(0), LOCAL_TZ)


def reason(on: date) -> Any:
    """The one rule of who gets a reminder on the day ``on``, as an SQL expression per assignment: CHOSEN, or the
    first reason it is left out. A reminder presumes an invitation, goes to a contact person, never to a unit that
    has submitted, and not within the interval after an invitation or a reminder."""
    since = mailed_from(on)
    has_contact = select(ContactPerson.id).where(ContactPerson.unit_id == Assignment.unit_id).exists()
    return case(
        (Assignment.status == AssignmentStatus.SUBMITTED, SUBMITTED),
        (Assignment.invited_dt.is_(None), NOT_INVITED),
        (~has_contact, WITHOUT_CONTACT),
        (or_(Assignment.invited_dt >= since, Assignment.last_reminded_dt >= since), RECENT),
        else_=CHOSEN,
    )


@dataclass(frozen=True)
class Sorting:
    """Who a reminder goes to (``ids[CHOSEN]``) and who is left out, and why: assignment ids, by id, per reason."""

    ids: dict[str, list[int]]

    def count(self, why: str) -> int:
        return len(self.ids.get(why, ()))

    @property
    def chosen(self) -> list[int]:
        return self.ids.get(CHOSEN, [])

    def counts(self) -> dict[str, int]:
        return {why: self.count(why) for why in (CHOSEN, *LEFT_OUT)}


def sort_out(round_: Round, on: date, scope: Select | None = None) -> Sorting:
    """Sort the round's assignments (of ``scope``, a select of assignment ids, e.g. a scoped coordinator's
    visible_assignments() or the units ticked on the page) by reason(): one query of ids, no objects loaded."""
    query = select(Assignment.id, reason(on)).where(Assignment.round_id == round_.id).order_by(Assignment.id)
    if scope is not None:
        query = query.where(Assignment.id.in_(scope))
    ids: dict[str, list[int]] = {why: [] for why in (CHOSEN, *LEFT_OUT)}
    for assignment_id, why in db.session.execute(query):
        ids[why].append(assignment_id)
    return Sorting(ids)


def tally(round_: Round, on: date, scope: Select | None = None) -> dict[str, int]:
    """How many of sort_out()'s assignments fall under each reason, counted in SQL (one grouped query)."""
    query = select(reason(on).label("why")).where(Assignment.round_id == round_.id)
    if scope is not None:
        query = query.where(Assignment.id.in_(scope))
    reasons = query.subquery()  # grouped outside: PostgreSQL would not match the CASE's parameters twice
    counts = dict.fromkeys((CHOSEN, *LEFT_OUT), 0)
    counts.update({k: n for k, n in db.session.execute(select(reasons.c.why, func.count()).group_by(reasons.c.why))})
    return counts


def load(ids: list[int]) -> list[Assignment]:
    """The assignments with what mailing them needs (units, contacts, the round), by id."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_(ids))
            .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.round))
            .order_by(Assignment.id)
        )
    )


def unit_names(ids: list[int], limit: int | None = None) -> list[str]:
    """The units' names of the assignments, sorted (the first ``limit``)."""
    if not ids:
        return []
    query = select(Unit.name).join(Assignment, Assignment.unit_id == Unit.id).where(Assignment.id.in_(ids))
    return list(db.session.scalars(query.order_by(Unit.name).limit(limit)))


def recipients(round_: Round, on: date) -> tuple[list[Assignment], Sorting]:
    """The units a reminder on the day ``on`` goes to, and how the round's units were sorted (sort_out())."""
    sorting = sort_out(round_, on)
    return load(sorting.chosen), sorting


def queue_day(round_: Round, day: ReminderDay, now: datetime) -> ScheduledReminder:
    """Claim the day and queue its reminders, in the caller's transaction."""
    batch = ScheduledReminder(round_id=round_.id, due_on=day.due_on, days_before=day.days_before, queued_dt=now)
    db.session.add(batch)
    db.session.flush()  # the unique row: a second process waits here, then fails, before queueing anything
    chosen, sorting = recipients(round_, now.astimezone(LOCAL_TZ).date())
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
            "recently_reminded": sorting.count(RECENT),
            "not_invited": sorting.count(NOT_INVITED),
            "without_contact": sorting.count(WITHOUT_CONTACT),
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
    not_invited: int = 0  # open units never invited: the reminder leaves them out


def next_day(round_: Round, now: datetime | None = None) -> tuple[ReminderDay, date] | None:
    """The round's next automatic reminder day, and the day whose reason() counts its units as things stand (today,
    or the reminder day when that is later); None, with no queries when the round sends none, when none is left."""
    if not round_.reminder_days or not round_.is_open:
        return None  # no queries: the round page's count stays flat
    now = now or utcnow()
    days = pending_days(round_, claimed([round_.id]), now)
    if not days:
        return None
    return days[0], max(now.astimezone(LOCAL_TZ).date(), days[0].due_on)


def next_reminder(round_: Round, now: datetime | None = None, units: Select | None = None) -> NextReminder | None:
    """The round's next automatic reminder and how many units it would reach as things stand: of ``units`` (ids, a
    scoped coordinator's part) or of the whole round. Counted by tally(), as recipients() chooses; the round's page
    counts the same reason() with its roll-ups, in one query."""
    upcoming = next_day(round_, now)
    if upcoming is None:
        return None
    day, on = upcoming
    scope = None if units is None else select(Assignment.id).where(Assignment.unit_id.in_(units))
    counts = tally(round_, on, scope)
    return NextReminder(day, counts[CHOSEN], counts[NOT_INVITED])
