"""The coordinator's pages: rounds, response status per unit, the workbook download."""
from __future__ import annotations

from flask import Blueprint, render_template, send_file
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .auth import coordinator_required
from .db import db
from .export import council_workbook, workbook_filename
from .models import Assignment, Round, Unit

bp = Blueprint("coordinator", __name__, url_prefix="/samordning")


@bp.route("/")
@coordinator_required
def index():
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id.desc())).all()
    return render_template("coordinator/index.html", rounds=rounds)


@bp.route("/omgang/<int:round_id>")
@coordinator_required
def round_status(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.round_id == round_.id)
        .join(Assignment.unit)
        .options(selectinload(Assignment.unit).selectinload(Unit.contacts))
        .order_by(Unit.name)
    ).all()
    counts = {status: 0 for status in ("not_started", "in_progress", "submitted", "reopened")}
    for assignment in assignments:
        counts[assignment.status] += 1
    parents = unit_paths()
    return render_template(
        "coordinator/round.html", round=round_, assignments=assignments, counts=counts, parents=parents
    )


def unit_paths() -> dict[int, str]:
    """Each unit's ancestors as 'Nämnd › Förvaltning', from one query."""
    rows = db.session.execute(select(Unit.id, Unit.name, Unit.parent_id)).all()
    by_id = {row.id: row for row in rows}
    paths = {}
    for row in rows:
        names, parent = [], row.parent_id
        while parent is not None and parent in by_id and len(names) < 20:
            names.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        paths[row.id] = " › ".join(reversed(names))
    return paths


@bp.route("/omgang/<int:round_id>/sammanstallning.xlsx")
@coordinator_required
def download_workbook(round_id: int):
    round_ = db.get_or_404(Round, round_id)
    buffer = council_workbook(round_)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=workbook_filename(round_),
    )
