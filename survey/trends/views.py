"""The trend pages: a round against the earlier rounds of its family, one unit across them, and the newest round
of each family for the whole municipality (the reader's part of it)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import format_decimal
from flask_login import current_user

from survey.access import assignment_or_404, round_or_404, staff_required
from survey.trends.charts import measures_chart
from survey.trends.figures import newest_rounds, round_trends, unit_answers, unit_trends

bp = Blueprint("trends", __name__, url_prefix="/samordning")


@bp.context_processor
def chart_geometry():
    return {"chart": measures_chart}


@bp.route("/omgang/<int:round_id>/trender")
@staff_required
def round_page(round_id: int):
    round_ = round_or_404(round_id)
    return render_template("trends/round.html", round=round_, trends=round_trends(round_, current_user))


@bp.route("/svar/<int:assignment_id>/trender")
@staff_required
def unit_page(assignment_id: int):
    assignment = assignment_or_404(assignment_id)
    found = unit_trends(assignment, current_user)
    return render_template(
        "trends/unit.html", assignment=assignment, trends=found, answers=unit_answers(assignment, found, format_decimal)
    )


@bp.route("/trender")
@staff_required
def municipality():
    families = [(round_, round_trends(round_, current_user)) for round_ in newest_rounds(current_user)]
    return render_template("trends/municipality.html", families=families)
