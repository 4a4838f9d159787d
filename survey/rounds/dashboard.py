"""The coordinator's overview of rounds, and one round's dashboard: who has not started, who is
working, who has submitted, rolled up by part of the organisation.

The dashboard stays the same size whatever the round's size: the roll-ups are counted in SQL and shown for the
top level and the parts opened (?enhet=…, with its ancestors), the units a page at a time with the filters, the
search and the order in the query, a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import NamedTuple

from flask import render_template, request, send_file, url_for
from flask_babel import format_date, format_datetime, format_timedelta, gettext
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import Select, String, case, func, literal, select
from sqlalchemy.orm import aliased, joinedload

from survey import reminders
from survey.access import round_or_404, staff_required, visible_rounds, visible_units
from survey.db import utcnow
from survey.exports.council import council_workbook, workbook_filename
from survey.exports.data import ExportOptions, previous_round
from survey.exports.words import workbook_language
from survey.exports.writer import XLSX, write_sheet
from survey.extensions import db
from survey.folding import PAGE_SIZE, Page, open_path, page_number, subtree, top_units, with_ancestors
from survey.followup.areas import round_counts
from survey.ids import parse_id
from survey.jobs.views import offer_workbook
from survey.models import Assignment, AssignmentStatus, ContactPerson, Round, Unit
from survey.models.units import UnitTree
from survey.rounds import bp
from survey.rounds.lifecycle import refuse_if_draft


@bp.route("/")
@staff_required
def index():
    visible = select(Round).where(Round.id.in_(visible_rounds(current_user)))
    rounds = db.session.scalars(visible.order_by(Round.opens_on.desc(), Round.id.desc())).all()
    return render_template("coordinator/index.html", rounds=rounds)


STATUSES = tuple(AssignmentStatus)
NEWCOMERS_NAMED = 20  # newcomers named on the page; the rest are counted


def sort_orders() -> dict[str, tuple]:
    """The list's orders, in SQL: each ends on the unit's name and id so pages never overlap."""
    name = (func.lower(Unit.name), Unit.id)
    return {
        "namn": name,
        "status": (case({s.value: n for n, s in enumerate(STATUSES)}, value=Assignment.status), *name),
        "aktivitet": (Assignment.last_activity_dt.is_(None), Assignment.last_activity_dt.desc(), *name),
        "paminnelser": (Assignment.reminder_count.desc(), *name),
    }


SORTS = ("namn", "status", "aktivitet", "paminnelser")


class Contact(NamedTuple):
    name: str
    email: str


@dataclass
class StatusRow:
    assignment: Assignment
    unit: Unit
    path: list[Unit]  # ancestors the user may see, top first
    contacts: list[Contact]  # by name

    @property
    def path_names(self) -> str:
        return " › ".join(u.name for u in self.path)


@dataclass
class Rollup:
    unit: Unit
    depth: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    is_open: bool = False  # its children are shown below it

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def share(self) -> int:
        """The share submitted, in whole per cent (a line has at least one form)."""
        return round(100 * self.counts[AssignmentStatus.SUBMITTED] / self.total)


@dataclass
class Invitations:
    waiting: int  # invited and not submitted: those a reminder goes to
    last_dt: datetime | None  # when the latest invitation went out

    @property
    def ago(self) -> str:
        return format_timedelta(self.last_dt - utcnow(), add_direction=True) if self.last_dt else ""


@dataclass
class Overview:
    """The round's figures for the user: the roll-ups' top lines added up (they hold every form the user sees)."""

    counts: dict[str, int]
    invited: Invitations
    reminded: int = 0  # the next automatic reminder's units (reminders.reason() on its day)
    not_invited: int = 0  # open units never invited: the next reminder leaves them out


def round_assignments(round_: Round) -> Select:
    """The round's assignments the user may see."""
    return select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.unit_id.in_(visible_units(current_user))
    )


def rollups(round_: Round, path: list[int], on: date | None = None) -> tuple[list[Rollup], Overview]:
    """Status counts per part of the organisation, counted in SQL (one query whatever the size): the top level,
    and the children of each part on the open path below it, in tree order; and the round's figures from the top
    lines: the counts, the invitations, and (``on``: the next automatic reminder's day) whom it would reach.

    Each part counts every assignment at or below it; a top that answers itself is its own line, so the top lines
    add up to the whole round and each open part's lines (with its own form, if any) add up to it."""
    parts = top_units(current_user) if not path else top_units(current_user) | Unit.parent_id.in_(path)
    walk = select(Unit.id.label("unit_id"), Unit.id.label("part_id")).where(parts).cte(recursive=True)
    walk = walk.union(select(Unit.id, walk.c.part_id).where(Unit.parent_id == walk.c.unit_id))
    reason = reminders.reason(on) if on is not None else literal(None, String)
    each = (
        select(walk.c.part_id, Assignment.status, Assignment.invited_dt, reason.label("why"))
        .join_from(walk, Assignment, Assignment.unit_id == walk.c.unit_id)
        .where(Assignment.round_id == round_.id, Assignment.unit_id.in_(visible_units(current_user)))
        .subquery()
    )
    counted = (
        select(
            each.c.part_id,
            each.c.status,
            func.count().label("forms"),
            func.count().filter(each.c.invited_dt.is_not(None)).label("invited"),
            func.max(each.c.invited_dt).label("last_invited"),
            func.count().filter(each.c.why == reminders.CHOSEN).label("reminded"),
            func.count().filter(each.c.why == reminders.NOT_INVITED).label("not_invited"),
        )
        .group_by(each.c.part_id, each.c.status)
        .subquery()
    )
    rows = db.session.execute(
        select(Unit, *(c for c in counted.c if c.name != "part_id")).join(counted, counted.c.part_id == Unit.id)
    ).all()
    units: dict[int, Unit] = {}
    by_part: dict[int, dict[str, int]] = {}
    for unit, status, forms, *_figures in rows:
        units[unit.id] = unit
        by_part.setdefault(unit.id, dict.fromkeys(STATUSES, 0))[AssignmentStatus(status)] = forms
    lines = [Rollup(unit, depth, by_part[unit.id], unit.id in path) for unit, depth in UnitTree(units).outline()]
    tops = {line.unit.id for line in lines if line.depth == 0}
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    overview = Overview(counts, Invitations(0, None))
    for unit, status, forms, invited, last_invited, reminded, not_invited in rows:
        if unit.id not in tops:
            continue
        counts[AssignmentStatus(status)] += forms
        if status != AssignmentStatus.SUBMITTED:
            overview.invited.waiting += invited
        if last_invited is not None and (overview.invited.last_dt is None or last_invited > overview.invited.last_dt):
            overview.invited.last_dt = last_invited
        overview.reminded += reminded
        overview.not_invited += not_invited
    return lines, overview


def chosen_filters() -> dict:
    """The dashboard's filters from the query string, with anything unknown ignored."""
    return {
        "status": request.args.get("status", "") if request.args.get("status") in STATUSES else "",
        "enhet": parse_id(request.args.get("enhet")),
        "q": " ".join(request.args.get("q", "")[:200].split()),
        "sort": request.args.get("sort") if request.args.get("sort") in SORTS else "namn",
    }


def filtered(round_: Round, filters: dict) -> Select:
    """The round's assignments (with their units) the user may see, within the filters, in the chosen order: the
    filters and the search are the query's, so a page loads only its own rows."""
    query = round_assignments(round_).join(Unit, Unit.id == Assignment.unit_id).add_columns(Unit)
    if filters["enhet"] is not None:
        query = query.where(Assignment.unit_id.in_(subtree([filters["enhet"]])))
    if filters["status"]:
        query = query.where(Assignment.status == filters["status"])
    if filters["q"]:
        words = filters["q"].lower()
        contact = select(ContactPerson.id).where(
            ContactPerson.unit_id == Unit.id,
            func.lower(ContactPerson.name).contains(words, autoescape=True)
            | func.lower(ContactPerson.email).contains(words, autoescape=True),
        )
        query = query.where(func.lower(Unit.name).contains(words, autoescape=True) | contact.exists())
    return query.order_by(*sort_orders()[filters["sort"]])


def status_rows(pairs: list[tuple[Assignment, Unit]]) -> list[StatusRow]:
    """The rows with each unit's visible ancestors and contacts: two queries for any number of rows."""
    if not pairs:
        return []
    unit_ids = [unit.id for _a, unit in pairs]
    tree = with_ancestors([unit for _a, unit in pairs], current_user)
    contacts: dict[int, list[Contact]] = {}
    for unit_id, name, email in db.session.execute(
        select(ContactPerson.unit_id, ContactPerson.name, ContactPerson.email)
        .where(ContactPerson.unit_id.in_(unit_ids))
        .order_by(ContactPerson.name)
    ):
        contacts.setdefault(unit_id, []).append(Contact(name, email))
    return [
        StatusRow(assignment, unit, list(reversed(tree.ancestors(unit))), contacts.get(unit.id, []))
        for assignment, unit in pairs
    ]


@dataclass
class TableRow:
    """A row of the page's status table with its texts made in Python, once per page: a label, a date or a
    translated text is formatted once per distinct value, not once per row by a template filter."""

    id: int
    link: str
    unit: str
    pick: str  # the checkbox's label
    path: str
    status: str
    status_label: str
    approved: bool
    last_active: str  # "–": never
    reminders: int
    last_reminded: str  # "": never
    contacts: list[Contact]


def status_labels() -> dict[AssignmentStatus, str]:
    """Each status's label in the request's language, translated once for a whole page."""
    return {status: str(status.label) for status in STATUSES}


def once_per_minute(format_: Callable[[datetime], str], never: str) -> Callable[[datetime | None], str]:
    """``format_`` of a time, made once per distinct minute ("short" shows no seconds); ``never`` for None."""
    made: dict[datetime, str] = {}

    def text(when: datetime | None) -> str:
        if when is None:
            return never
        key = when.replace(second=0, microsecond=0)
        if key not in made:
            made[key] = format_(key)
        return made[key]

    return text


def table_rows(rows: list[StatusRow]) -> list[TableRow]:
    labels = status_labels()
    pick = gettext("Markera %(unit)s")
    short_time = once_per_minute(lambda when: format_datetime(when, "short"), "–")
    short_day = once_per_minute(lambda when: format_date(when, "short"), "")
    return [
        TableRow(
            id=row.assignment.id,
            link=url_for("rounds.assignment", assignment_id=row.assignment.id),
            unit=row.unit.name,
            pick=pick % {"unit": row.unit.name},
            path=row.path_names,
            status=row.assignment.status,
            status_label=labels[AssignmentStatus(row.assignment.status)],
            approved=row.assignment.approved_dt is not None,
            last_active=short_time(row.assignment.last_activity_dt),
            reminders=row.assignment.reminder_count,
            last_reminded=short_day(row.assignment.last_reminded_dt),
            contacts=row.contacts,
        )
        for row in rows
    ]


def unit_page(round_: Round, filters: dict, number: int) -> Page[TableRow]:
    """One page of the filtered list, and how many rows the filters hold in all (one query, the count a subquery
    of its own; two more for a page past the end, which shows the last page)."""
    query = filtered(round_, filters)
    counted = query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    paged = query.add_columns(counted.scalar_subquery().correlate(None))
    number = page_number(number)
    found = db.session.execute(paged.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    if not found and number > 1:
        number = max(1, -(-(db.session.scalar(counted) or 0) // PAGE_SIZE))
        found = db.session.execute(paged.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    shown = found[0][2] if found else 0
    return Page(table_rows(status_rows([(assignment, unit) for assignment, unit, _shown in found])), shown, number)


def newcomers(round_: Round) -> tuple[int, list[Unit]]:
    """Units in the round's part of the organisation that answer (active, no active children) and have no form
    in it yet, that the user may see: how many, and the first few by name (two queries)."""
    candidate = aliased(Unit)
    assigned = select(Assignment.unit_id).where(Assignment.round_id == round_.id)
    has_children = select(Unit.id).where(Unit.parent_id == candidate.id, Unit.is_active.is_(True)).exists()
    query = select(candidate).where(candidate.is_active.is_(True), ~has_children, candidate.id.not_in(assigned))
    if round_.scope_unit_id is not None:
        below = select(Unit.id).where(Unit.id == round_.scope_unit_id).cte(recursive=True)
        below = below.union(select(Unit.id).where(Unit.parent_id == below.c.id, Unit.is_active.is_(True)))
        query = query.where(candidate.id.in_(select(below.c.id)))
    query = query.where(candidate.id.in_(visible_units(current_user)))
    found = db.session.execute(
        query.add_columns(func.count().over()).order_by(func.lower(candidate.name)).limit(NEWCOMERS_NAMED)
    ).all()
    return (found[0][1] if found else 0), [unit for unit, _total in found]


def follow_up_counts(round_: Round):
    """The follow-up tables (per nämnd and per violence area), each assignment counted under its top unit."""
    walk = select(Unit.id.label("unit_id"), Unit.name.label("top")).where(top_units(current_user)).cte(recursive=True)
    walk = walk.union(select(Unit.id, walk.c.top).where(Unit.parent_id == walk.c.unit_id))
    rows = db.session.execute(
        round_assignments(round_)
        .with_only_columns(Assignment.id, Assignment.unit_id, walk.c.top)
        .join(walk, walk.c.unit_id == Assignment.unit_id)
    )
    return round_counts(round_, [(row, row.top) for row in rows])  # the counts need ids, not loaded assignments


def shown_round(round_id: int) -> Round:
    """The round as round_or_404() finds it (the same visibility rule), with what its page shows of the
    questionnaire, the scope unit and the round it follows up loaded in the same query."""
    return db.first_or_404(
        select(Round)
        .where(Round.id == round_id, Round.id.in_(visible_rounds(current_user)))
        .options(
            joinedload(Round.questionnaire_version), joinedload(Round.scope_unit), joinedload(Round.previous_round)
        )
    )


@bp.route("/omgang/<int:round_id>")
@staff_required
def round_status(round_id: int):
    round_ = shown_round(round_id)
    filters = chosen_filters()
    path = open_path(filters["enhet"], current_user)
    if not path:
        filters["enhet"] = None  # none, or one the user may not see: the whole of what they see
    upcoming = reminders.next_day(round_)
    parts, overview = rollups(round_, path, upcoming[1] if upcoming else None)
    waiting, named = newcomers(round_) if round_.state in ("open", "closed") else (0, [])
    return render_template(
        "coordinator/round.html",
        round=round_,
        page=unit_page(round_, filters, request.args.get("sida", 1, type=int)),
        total=sum(overview.counts.values()),
        counts=overview.counts,
        labels=status_labels(),
        rollups=parts,
        path=[r for r in parts if r.is_open],
        follow_up=follow_up_counts(round_) if round_.previous_round_id is not None else None,
        filters=filters,
        earlier=previous_round(round_) if round_.uses_answers else None,
        next_reminder=reminders.NextReminder(upcoming[0], overview.reminded, overview.not_invited)
        if upcoming
        else None,
        newcomers=named,
        newcomer_count=waiting,
        invited=overview.invited,
    )


@bp.route("/omgang/<int:round_id>/svarslage.xlsx")
@staff_required
def download_status(round_id: int):
    """The status table as shown (same filters and order), as a workbook."""
    round_ = round_or_404(round_id)
    pairs = db.session.execute(filtered(round_, chosen_filters())).all()
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "Svarsläge",
        status_table_rows(status_rows(list(pairs))),
        widths=(34, 44, 14, 18, 18, 18, 12, 18, 28, 34),
    )
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"svarslage-omgang-{round_.id}.xlsx")


def status_table_rows(rows: list[StatusRow]):
    yield [
        "Verksamhet",
        "Hör till",
        "Status",
        "Godkänd",
        "Senast aktiv",
        "Inbjuden",
        "Påminnelser",
        "Senast påmind",
        "Kontaktperson",
        "E-post",
    ]
    for row in rows:
        a = row.assignment
        yield [
            row.unit.name,
            row.path_names,
            str(AssignmentStatus(a.status).label),
            a.approved_dt,
            a.last_activity_dt,
            a.invited_dt,
            a.reminder_count,
            a.last_reminded_dt,
            "; ".join(c.name for c in row.contacts),
            "; ".join(c.email for c in row.contacts),
        ]


@bp.route("/omgang/<int:round_id>/sammanstallning.xlsx")
@staff_required
def download_workbook(round_id: int):
    round_ = round_or_404(round_id)
    if (refused := refuse_if_draft(round_)) is not None:
        return refused
    options = ExportOptions(
        include_drafts=request.args.get("utkast") == "1",
        namnd_id=parse_id(request.args.get("namnd")),
        visible_units=visible_units(current_user),
        language=workbook_language(request.args.get("lang")),
    )
    if (offer := offer_workbook(round_, options)) is not None:  # a big round: made as a job, outside the request
        return offer
    return send_file(
        council_workbook(round_, options),
        mimetype=XLSX,
        as_attachment=True,
        download_name=workbook_filename(round_, options),
    )
