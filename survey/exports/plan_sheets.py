"""The action plan's sheets of the council workbook: "Indikatorer" (values per round against the target) and
"Aktiviteter" (each activity's status this round); the activities also appear in "Uppföljning"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from survey.exports.data import ExportOptions, UnitRow, answered, earlier_rounds
from survey.extensions import db
from survey.models import (
    SENT_IN,
    ActivityReport,
    ActivityStatus,
    Assignment,
    IndicatorDirection,
    IndicatorValue,
    PlanActivity,
    PlanIndicator,
    Round,
)
from survey.questions.types.percent import as_percent_cell

if TYPE_CHECKING:
    from survey.exports.council import PlannedSheet

NO_STATUS = "Ingen status ännu"


def plan_sheets(round_: Round, rows: list[UnitRow], options: ExportOptions) -> list[PlannedSheet]:
    """The sheets, when the round's units (as far as the reader sees them) are responsible for any item."""
    from survey.exports.council import PlannedSheet  # council imports this module

    unit_ids = [row.unit.id for row in rows]
    sheets = []
    indicators = list(
        db.session.scalars(
            select(PlanIndicator)
            .where(PlanIndicator.unit_id.in_(unit_ids))
            .options(joinedload(PlanIndicator.unit))
            .order_by(PlanIndicator.name, PlanIndicator.id)
        )
    )
    if indicators:
        rounds = [*earlier_rounds(round_), round_]
        sheets.append(
            PlannedSheet(
                "Indikatorer",
                indicator_rows(round_, rounds, rows, options, indicators),
                dict(widths=(44, 12, 30, 12, 18) + (16,) * len(rounds) + (12, 50), frozen_columns=1),
            )
        )
    reported = activity_reports(round_, rows, options)
    if reported:
        sheets.append(
            PlannedSheet(
                "Aktiviteter", activity_rows(reported), dict(widths=(28, 32, 40, 44, 12, 18, 60), frozen_columns=2)
            )
        )
    return sheets


def indicator_cell(indicator: PlanIndicator, value: float | None) -> Any:
    if value is None:
        return None
    return as_percent_cell(value) if indicator.is_percent else value


def indicator_rows(
    round_: Round, rounds: list[Round], rows: list[UnitRow], options: ExportOptions, indicators: list[PlanIndicator]
) -> Iterator[list[Any]]:
    """One row per indicator: what it measures, its target and direction, its value in each round of the
    questionnaire family (oldest first), and whether this round's value meets the target.

    This round's values count from the answers the workbook counts (sent in, or drafts too when asked); an
    earlier round's from answers sent in."""
    yield [
        "Indikator",
        "Måttenhet",
        "Ansvarig",
        "Målvärde",
        "Riktning",
        *(r.name for r in rounds),
        "Målet nått",
        "Kommentar",
    ]
    counted = [row.assignment.id for row in answered(rows, options)]
    earlier = [r.id for r in rounds if r.id != round_.id]
    found = db.session.execute(
        select(IndicatorValue, Assignment.round_id)
        .join(Assignment, IndicatorValue.assignment_id == Assignment.id)
        .where(
            IndicatorValue.indicator_id.in_([i.id for i in indicators]),
            or_(Assignment.id.in_(counted), Assignment.round_id.in_(earlier) & Assignment.status.in_(SENT_IN)),
        )
    ).all()
    values = {(value.indicator_id, round_id): value for value, round_id in found}
    for indicator in indicators:
        now = values.get((indicator.id, round_.id))
        met = indicator.met(now.value if now else None)
        yield [
            indicator.name,
            indicator.measure,
            indicator.unit.name,
            indicator_cell(indicator, indicator.target),
            IndicatorDirection(indicator.direction).label_in_swedish(),
            *(indicator_cell(indicator, v.value if (v := values.get((indicator.id, r.id))) else None) for r in rounds),
            "" if met is None else ("Ja" if met else "Nej"),
            now.comment if now else "",
        ]


def activity_reports(
    round_: Round, rows: list[UnitRow], options: ExportOptions
) -> list[tuple[UnitRow, PlanActivity, ActivityReport | None]]:
    """Each activity the round's units answer for this year (or reported on), with its report where the workbook
    counts the unit's answers."""
    by_unit = {row.unit.id: row for row in rows}
    counted = {row.assignment.id for row in answered(rows, options)}
    reports = {
        (r.assignment_id, r.activity_id): r
        for r in db.session.scalars(
            select(ActivityReport).where(ActivityReport.assignment_id.in_([row.assignment.id for row in rows]))
        )
    }
    year = round_.opens_on.year
    found = []
    for activity in db.session.scalars(
        select(PlanActivity).where(PlanActivity.unit_id.in_(list(by_unit))).order_by(PlanActivity.name, PlanActivity.id)
    ):
        row = by_unit[activity.unit_id]
        report = reports.get((row.assignment.id, activity.id))
        if activity.runs_in(year) or report is not None:
            found.append((row, activity, report if row.assignment.id in counted else None))
    found.sort(key=lambda item: (item[0].namnd.casefold(), item[0].unit.name.casefold(), item[1].name.casefold()))
    return found


def status_text(report: ActivityReport | None) -> str:
    return ActivityStatus(report.status).label_in_swedish() if report and report.status else NO_STATUS


def activity_rows(reported: list[tuple[UnitRow, PlanActivity, ActivityReport | None]]) -> Iterator[list[Any]]:
    yield ["Nämnd", "Ansvarig", "Delmål", "Aktivitet", "Period", "Status", "Kommentar"]
    for row, activity, report in reported:
        yield [
            row.namnd,
            row.unit.name,
            activity.goal,
            activity.name,
            activity.period,
            status_text(report),
            report.comment if report else "",
        ]
