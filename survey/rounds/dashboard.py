"""The coordinator's overview of rounds, and one round's dashboard: who has not started, who is
working, who has submitted, rolled up by part of the organisation.

The dashboard stays the same size whatever the round's size: the roll-ups are counted in SQL and shown for the
top level and the parts opened (?enhet=…, with its ancestors), the units a page at a time with the filters, the
search and the order in the query, a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from flask import render_template, request, send_file
from flask_babel import format_timedelta
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

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


@dataclass
class StatusRow:
    assignment: Assignment
    unit: Unit
    path: list[Unit]  # ancestors the user may see, top first
    contacts: list[ContactPerson]


@dataclass
class Rollup:
    unit: Unit
    depth: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    is_open: bool = False  # its children are shown below it

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def round_assignments(round_: Round) -> Select:
    """The round's assignments the user may see."""
    return select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.unit_id.in_(visible_units(current_user))
    )


def rollups(round_: Round, path: list[int]) -> list[Rollup]:
    """Status counts per part of the organisation, counted in SQL (two queries whatever the size): the top
    level, and the children of each part on the open path below it, in tree order.

    Each part counts every assignment at or below it; a top that answers itself is its own line, so the top lines
    add up to the whole round and each open part's lines (with its own form, if any) add up to it."""
    parts = top_units(current_user) if not path else top_units(current_user) | Unit.parent_id.in_(path)
    walk = select(Unit.id.label("unit_id"), Unit.id.label("part_id")).where(parts).cte(recursive=True)
    walk = walk.union(select(Unit.id, walk.c.part_id).where(Unit.parent_id == walk.c.unit_id))
    assignments = round_assignments(round_).subquery()
    counted = db.session.execute(
        select(walk.c.part_id, assignments.c.status, func.count())
        .join(assignments, assignments.c.unit_id == walk.c.unit_id)
        .group_by(walk.c.part_id, assignments.c.status)
    ).all()
    by_part: dict[int, dict[str, int]] = {}
    for part_id, status, count in counted:
        by_part.setdefault(part_id, dict.fromkeys(STATUSES, 0))[AssignmentStatus(status)] = count
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(list(by_part))))} if by_part else {}
    return [Rollup(unit, depth, by_part[unit.id], unit.id in path) for unit, depth in UnitTree(units).outline()]


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
    contacts: dict[int, list[ContactPerson]] = {}
    for contact in db.session.scalars(
        select(ContactPerson).where(ContactPerson.unit_id.in_(unit_ids)).order_by(ContactPerson.name)
    ):
        contacts.setdefault(contact.unit_id, []).append(contact)
    return [
        StatusRow(assignment, unit, list(reversed(tree.ancestors(unit))), contacts.get(unit.id, []))
        for assignment, unit in pairs
    ]


def unit_page(round_: Round, filters: dict, number: int) -> Page[StatusRow]:
    """One page of the filtered list, and how many rows the filters hold in all (two queries)."""
    query = filtered(round_, filters)
    shown = db.session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0
    number = min(page_number(number), max(1, -(-shown // PAGE_SIZE)))
    pairs = db.session.execute(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    return Page(status_rows([(assignment, unit) for assignment, unit in pairs]), shown, number)


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


@dataclass
class Invitations:
    waiting: int  # invited and not submitted: those a reminder goes to
    last_dt: datetime | None  # when the latest invitation went out

    @property
    def ago(self) -> str:
        return format_timedelta(self.last_dt - utcnow(), add_direction=True) if self.last_dt else ""


def invitations(round_: Round) -> Invitations:
    """Who a reminder would go to, and when the invitations went out (one query)."""
    assignments = round_assignments(round_).subquery()
    waiting, last_dt = db.session.execute(
        select(
            func.count().filter(
                assignments.c.invited_dt.is_not(None), assignments.c.status != AssignmentStatus.SUBMITTED.value
            ),
            func.max(assignments.c.invited_dt),
        )
    ).one()
    return Invitations(waiting or 0, last_dt)


def follow_up_counts(round_: Round):
    """The follow-up tables (per nämnd and per violence area), each assignment counted under its top unit."""
    walk = select(Unit.id.label("unit_id"), Unit.name.label("top")).where(top_units(current_user)).cte(recursive=True)
    walk = walk.union(select(Unit.id, walk.c.top).where(Unit.parent_id == walk.c.unit_id))
    pairs = db.session.execute(
        round_assignments(round_).join(walk, walk.c.unit_id == Assignment.unit_id).add_columns(walk.c.top)
    )
    return round_counts(round_, list(pairs))


@bp.route("/omgang/<int:round_id>")
@staff_required
def round_status(round_id: int):
    round_ = round_or_404(round_id)
    filters = chosen_filters()
    path = open_path(filters["enhet"], current_user)
    if not path:
        filters["enhet"] = None  # none, or one the user may not see: the whole of what they see
    parts = rollups(round_, path)
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for top in parts:
        if top.depth == 0:
            for status, count in top.counts.items():
                counts[status] += count
    waiting, named = newcomers(round_) if round_.state in ("open", "closed") else (0, [])
    return render_template(
        "coordinator/round.html",
        round=round_,
        page=unit_page(round_, filters, request.args.get("sida", 1, type=int)),
        total=sum(counts.values()),
        counts=counts,
        rollups=parts,
        path=[r for r in parts if r.is_open],
        follow_up=follow_up_counts(round_) if round_.previous_round_id is not None else None,
        filters=filters,
        earlier=previous_round(round_),
        next_reminder=reminders.next_reminder(round_, units=visible_units(current_user)),
        newcomers=named,
        newcomer_count=waiting,
        invited=invitations(round_),
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
            " › ".join(u.name for u in row.path),
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
