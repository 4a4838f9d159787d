"""The coordinator's overview of rounds, and one round's dashboard: who has not started, who is
working, who has submitted, rolled up per nämnd."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from flask import render_template, request, send_file
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from survey import reminders
from survey.access import round_or_404, staff_required, visible_assignments, visible_rounds, visible_units
from survey.exports.council import council_workbook, workbook_filename
from survey.exports.data import ExportOptions, previous_round
from survey.exports.words import workbook_language
from survey.exports.writer import XLSX, write_sheet
from survey.extensions import db
from survey.followup.areas import round_counts
from survey.ids import parse_id
from survey.jobs.views import offer_workbook
from survey.models import Assignment, AssignmentStatus, ContactPerson, Round, Unit
from survey.models.units import UnitTree
from survey.rounds import bp


@bp.route("/")
@staff_required
def index():
    visible = select(Round).where(Round.id.in_(visible_rounds(current_user)))
    rounds = db.session.scalars(visible.order_by(Round.opens_on.desc(), Round.id.desc())).all()
    return render_template("coordinator/index.html", rounds=rounds)


STATUSES = tuple(AssignmentStatus)
SORTS = {
    "namn": lambda row: row.unit.name.casefold(),
    "status": lambda row: (STATUSES.index(row.assignment.status), row.unit.name.casefold()),
    "aktivitet": lambda row: row.assignment.last_activity_dt.timestamp() if row.assignment.last_activity_dt else 0,
    "paminnelser": lambda row: (-row.assignment.reminder_count, row.unit.name.casefold()),
}


@dataclass
class StatusRow:
    assignment: Assignment
    unit: Unit
    path: list[Unit]  # ancestors, top first
    contacts: list[ContactPerson]


@dataclass
class Rollup:
    unit: Unit
    depth: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def round_rows(round_: Round) -> tuple[list[StatusRow], dict[int, Unit]]:
    """Every assignment of the round with its unit, ancestors and contacts: three queries whatever the size."""
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(visible_units(current_user))))}
    contacts: dict[int, list[ContactPerson]] = {}
    for contact in db.session.scalars(
        select(ContactPerson)
        .join(Assignment, Assignment.unit_id == ContactPerson.unit_id)
        .where(Assignment.round_id == round_.id)
        .order_by(ContactPerson.name)
    ):
        contacts.setdefault(contact.unit_id, []).append(contact)
    rows = []
    # Assignment.unit resolves from the identity map: the units are loaded above.
    tree = UnitTree(units)
    for assignment in db.session.scalars(visible_assignments(current_user, round_)):
        unit = units[assignment.unit_id]
        path = list(reversed(tree.ancestors(unit)))
        rows.append(StatusRow(assignment, unit, path, contacts.get(assignment.unit_id, [])))
    return rows, units


def rollups(rows: list[StatusRow]) -> list[Rollup]:
    """Status counts per nämnd and förvaltning (every unit with answering units below it), in tree order;
    top-level lines add up to the whole round."""
    by_unit: dict[int, Rollup] = {}
    for row in rows:
        # A top-level unit that answers itself (a bolag, a small nämnd) is its own line,
        # so the top lines always add up to the whole round.
        for depth, ancestor in enumerate(row.path or [row.unit]):
            rollup = by_unit.setdefault(ancestor.id, Rollup(ancestor, depth))
            rollup.counts[row.assignment.status] += 1
    tree = UnitTree({rollup.unit.id: rollup.unit for rollup in by_unit.values()})
    return [by_unit[unit.id] for unit in tree.in_order()]


def filter_rows(rows: list[StatusRow], status: str, subtree: int | None, query: str) -> list[StatusRow]:
    query = query.casefold().strip()
    return [
        row
        for row in rows
        if (not status or row.assignment.status == status)
        and (subtree is None or subtree == row.unit.id or any(u.id == subtree for u in row.path))
        and (
            not query
            or query in row.unit.name.casefold()
            or any(query in c.name.casefold() or query in c.email.casefold() for c in row.contacts)
        )
    ]


def chosen_filters() -> dict:
    """The dashboard's filters from the query string, with anything unknown ignored."""
    return {
        "status": request.args.get("status", "") if request.args.get("status") in STATUSES else "",
        "enhet": request.args.get("enhet", type=int),
        "q": request.args.get("q", "")[:200],
        "sort": request.args.get("sort") if request.args.get("sort") in SORTS else "namn",
    }


def shown_rows(rows: list[StatusRow], filters: dict) -> list[StatusRow]:
    chosen = filter_rows(rows, filters["status"], filters["enhet"], filters["q"])
    return sorted(chosen, key=SORTS[filters["sort"]], reverse=filters["sort"] == "aktivitet")


@bp.route("/omgang/<int:round_id>")
@staff_required
def round_status(round_id: int):
    round_ = round_or_404(round_id)
    rows, units = round_rows(round_)
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[AssignmentStatus(row.assignment.status)] += 1
    filters = chosen_filters()
    return render_template(
        "coordinator/round.html",
        round=round_,
        rows=shown_rows(rows, filters),
        total=len(rows),
        counts=counts,
        rollups=rollups(rows),
        follow_up=round_counts(round_, [(row.assignment, (row.path or [row.unit])[0].name) for row in rows])
        if round_.previous_round_id is not None
        else None,
        filters=filters,
        earlier=previous_round(round_),
        next_reminder=reminders.next_reminder(round_),
        newcomers=round_.unassigned_participants(list(units.values()), {row.unit.id for row in rows})
        if round_.state in ("open", "closed")
        else [],
    )


@bp.route("/omgang/<int:round_id>/svarslage.xlsx")
@staff_required
def download_status(round_id: int):
    """The status table as shown (same filters and order), as a workbook."""
    round_ = round_or_404(round_id)
    rows, _units = round_rows(round_)
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "Svarsläge",
        status_table_rows(shown_rows(rows, chosen_filters())),
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
