"""The trend pages: a round against the earlier rounds of its family, one unit across them, and the newest round
of each family for the whole municipality (the reader's part of it); each narrowed to one part of the tree on
request (a länsdel, a kommun, a nämnd); and the parts of a county compared on the same questions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal
from flask_login import current_user

from survey.access import assignment_or_404, round_or_404, staff_required, unit_or_404
from survey.ids import parse_id
from survey.models import Unit
from survey.trends.charts import measures_chart
from survey.trends.figures import newest_rounds, round_trends, unit_answers, unit_trends
from survey.trends.parts import COMPARED_LEVELS, compare_parts, levels_present, roll_up_outline

bp = Blueprint("trends", __name__, url_prefix="/samordning")


@bp.context_processor
def chart_geometry():
    return {"chart": measures_chart}


def chosen_part() -> Unit | None:
    """The part of the tree a trend page is narrowed to (?del=<unit id>): one the reader may see, else a 404."""
    text = request.args.get("del")
    if not text:
        return None
    unit_id = parse_id(text)
    if unit_id is None:
        abort(404)
    return unit_or_404(unit_id)


@bp.route("/omgang/<int:round_id>/trender")
@staff_required
def round_page(round_id: int):
    round_ = round_or_404(round_id)
    part = chosen_part()
    return render_template(
        "trends/round.html",
        round=round_,
        part=part,
        parts=roll_up_outline(current_user),
        levels=levels_present(current_user),
        trends=round_trends(round_, current_user, part),
    )


@bp.route("/omgang/<int:round_id>/lansdelar")
@staff_required
def parts_page(round_id: int):
    """The parts of one level (länsdelar by default; ?niva=kommun or namnd) side by side on the same questions."""
    round_ = round_or_404(round_id)
    level = request.args.get("niva", "lansdel")
    if level not in COMPARED_LEVELS:
        abort(404)
    return render_template(
        "trends/parts.html",
        round=round_,
        comparison=compare_parts(round_, current_user, level),
        levels=levels_present(current_user),
    )


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
    part = chosen_part()
    families = [(round_, round_trends(round_, current_user, part)) for round_ in newest_rounds(current_user)]
    return render_template(
        "trends/municipality.html", families=families, part=part, parts=roll_up_outline(current_user)
    )
