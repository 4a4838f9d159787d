"""The follow-up round's sheets of the council workbook: "Uppföljning" and "Från förra omgången"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from survey.exports.data import ExportOptions, UnitRow, answered
from survey.exports.plan_sheets import activity_reports, status_text
from survey.extensions import db
from survey.followup.areas import areas_by_assignment
from survey.models import Answer, AnswerOrigin, Round

NOT_FOLLOWED_UP = "Ingen status ännu"


def follow_up_rows(round_: Round, rows: list[UnitRow], options: ExportOptions) -> Iterator[list[Any]]:
    """One row per development area of the earlier round: unit, title, areas, status, comment, where it came from;
    then one per activity of the action plan the round's units answer for (survey.exports.plan_sheets).

    Every earlier area of the round's units is listed; a status counts only from answers the workbook counts
    (sent in, or drafts too when asked), as in every other sheet.
    """
    yield ["Nämnd", "Enhet", "Utvecklingsområde", "Våldsområden", "Status", "Kommentar", "Från omgång"]
    counted = {row.assignment.id for row in answered(rows, options)}
    areas = areas_by_assignment(round_, [row.assignment for row in rows])
    followed_up = round_.previous_round.name if round_.previous_round else ""  # where every earlier area comes from
    for row in rows:
        for area in areas.get(row.assignment.id, []):
            given = area.status is not None and row.assignment.id in counted
            yield [
                row.namnd,
                row.unit.name,
                area.title,
                "; ".join(label for _code, label in area.violence_areas),
                area.status.label_in_swedish() if given and area.status else NOT_FOLLOWED_UP,
                area.comment if given else "",
                followed_up,
            ]
    # Then the action plan's activities, as their responsible units report them in this round.
    for row, activity, report in activity_reports(round_, rows, options):
        yield [
            row.namnd,
            row.unit.name,
            f"Handlingsplanens aktivitet: {activity.name}",
            "",
            status_text(report),
            report.comment if report else "",
            round_.name,
        ]


def carried_rows(round_: Round, rows: list[UnitRow], options: ExportOptions) -> Iterator[list[Any]]:
    """Every answer that started as last round's: confirmed unchanged, changed, or not looked at."""
    yield ["Nämnd", "Enhet", "Nyckel", "Fråga", "Svar", "Från förra omgången"]
    counted = {row.assignment.id: row for row in answered(rows, options)}
    definition = round_.definition
    carried = db.session.scalars(
        select(Answer)
        .where(Answer.assignment_id.in_(list(counted)), Answer.origin.is_not(None))
        .order_by(Answer.assignment_id, Answer.id)
    )
    for answer in carried:
        question = definition.question(answer.question_key)
        if question is None or question.is_group:
            continue  # a group's own row only marks that an entry exists
        row = counted[answer.assignment_id]
        yield [
            row.namnd,
            row.unit.name,
            answer.question_key,
            question.label,
            question.as_cell(answer.value),
            AnswerOrigin(answer.origin or AnswerOrigin.PREVIOUS).label_in_swedish(),
        ]
