"""What a unit reports in a round about the action plan's items it is responsible for."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

from survey.extensions import db
from survey.models import ActivityReport, ActivityStatus, Assignment, IndicatorValue, PlanActivity, PlanIndicator


@dataclass
class PlanReport:
    """An assignment's activities and indicators, each with what has been reported for it (None: nothing yet)."""

    activities: list[tuple[PlanActivity, ActivityReport | None]] = field(default_factory=list)
    indicators: list[tuple[PlanIndicator, IndicatorValue | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.activities or self.indicators)

    @property
    def unreported(self) -> int:
        """Activities without a status and indicators without a value."""
        return sum(1 for _a, report in self.activities if report is None or report.status is None) + sum(
            1 for _i, value in self.indicators if value is None or value.value is None
        )

    @staticmethod
    def status_label(report: ActivityReport | None):
        return ActivityStatus(report.status).label if report and report.status else None


def plan_report(assignment: Assignment) -> PlanReport:
    """The items the assignment's unit answers for in this round: its activities running in the round's year and its
    active indicators, and any item already reported here (so a later change of the plan does not hide a report)."""
    year = assignment.round.opens_on.year
    reports = {
        r.activity_id: r
        for r in db.session.scalars(select(ActivityReport).where(ActivityReport.assignment_id == assignment.id))
    }
    values = {
        v.indicator_id: v
        for v in db.session.scalars(select(IndicatorValue).where(IndicatorValue.assignment_id == assignment.id))
    }
    activities = db.session.scalars(
        select(PlanActivity)
        .where(or_(PlanActivity.unit_id == assignment.unit_id, PlanActivity.id.in_(list(reports))))
        .order_by(PlanActivity.name, PlanActivity.id)
    )
    indicators = db.session.scalars(
        select(PlanIndicator)
        .where(
            or_(
                (PlanIndicator.unit_id == assignment.unit_id) & PlanIndicator.is_active.is_(True),
                PlanIndicator.id.in_(list(values)),
            )
        )
        .order_by(PlanIndicator.name, PlanIndicator.id)
    )
    return PlanReport(
        [(a, reports.get(a.id)) for a in activities if a.runs_in(year) or a.id in reports],
        [(i, values.get(i.id)) for i in indicators],
    )


def record_activity(
    assignment: Assignment, activity: PlanActivity, report: ActivityReport | None, status: str | None, comment: str
) -> bool:
    """Store an activity's status and comment; returns whether anything changed (the caller commits)."""
    if report is None:
        if status is None and not comment:
            return False
        report = ActivityReport(assignment_id=assignment.id, activity_id=activity.id)
        db.session.add(report)
    if report.status == status and report.comment == comment:
        return False
    report.status, report.comment = status, comment
    assignment.touch()
    return True


def record_indicator(
    assignment: Assignment, indicator: PlanIndicator, stored: IndicatorValue | None, value: float | None, comment: str
) -> bool:
    """Store an indicator's value and comment; returns whether anything changed (the caller commits)."""
    if stored is None:
        if value is None and not comment:
            return False
        stored = IndicatorValue(assignment_id=assignment.id, indicator_id=indicator.id)
        db.session.add(stored)
    if stored.value == value and stored.comment == comment:
        return False
    stored.value, stored.comment = value, comment
    assignment.touch()
    return True
