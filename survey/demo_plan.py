"""The demo's action plan: a few activities and indicators with targets, reported in last year's round and, by
some units, in this year's (issue 15: the plan's activities and indicators followed up year by year)."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import (
    ActivityReport,
    ActivityStatus,
    Assignment,
    IndicatorValue,
    PlanActivity,
    PlanIndicator,
    Round,
    Unit,
)

# activity | delmål | responsible unit | first year | last year
ACTIVITIES = [
    (
        "Grundutbildning om våld i nära relationer för all personal",
        "Personal som möter våldsutsatta vet hur de frågar om våld och vart de hänvisar",
        "Centrum mot våld",
        2025,
        2027,
    ),
    (
        "Föräldraskapsstöd i grupp för föräldrar till barn som upplever våld",
        "Barn som upplever våld får stöd tidigt",
        "Socialt ansvariga samordnare, socialtjänsten",
        2025,
        2026,
    ),
    (
        "Trygghetsvandringar i bostadsområden tillsammans med hyresgästerna",
        "Färre platser i offentlig miljö upplevs som otrygga",
        "Kommunföretagen (Bostaden)",
        2025,
        2027,
    ),
    (
        "Rutin för att fråga om hedersrelaterat våld i elevhälsan",
        "Unga som lever med hedersnormer upptäcks och får stöd",
        "Utbildning för- och grundskola",
        2026,
        2027,
    ),
]

# indicator | unit of measure | target | direction | responsible unit | activity | last year's value, this year's
INDICATORS = [
    (
        "Andel medarbetare som deltagit i utbildning om våld i nära relationer",
        "%",
        80,
        "higher",
        "Centrum mot våld",
        0,
        (62, 74),
    ),
    (
        "Antal deltagare i föräldraskapsutbildning",
        "antal",
        60,
        "higher",
        "Socialt ansvariga samordnare, socialtjänsten",
        1,
        (41, None),
    ),
    (
        "Antal platser som upplevs som otrygga vid trygghetsvandringarna",
        "antal",
        5,
        "lower",
        "Kommunföretagen (Bostaden)",
        2,
        (9, 6),
    ),
]

LAST_YEAR_STATUSES = [ActivityStatus.ONGOING, ActivityStatus.ONGOING, ActivityStatus.DONE]


def add_plan(last_year: Round, this_year: Round) -> None:
    """The plan's items and their reports; nothing when the demo has a plan already (the demo is idempotent)."""
    if db.session.scalar(select(func.count()).select_from(PlanActivity)):
        return
    units = {unit.name: unit for unit in db.session.scalars(select(Unit))}
    activities = [
        PlanActivity(name=name, goal=goal, unit=units[unit], start_year=first, end_year=last)
        for name, goal, unit, first, last in ACTIVITIES
    ]
    indicators = [
        PlanIndicator(
            name=name, measure=measure, target=target, direction=direction, unit=units[unit], activity=activities[a]
        )
        for name, measure, target, direction, unit, a, _values in INDICATORS
    ]
    db.session.add_all([*activities, *indicators])
    db.session.flush()
    for activity, status in zip(activities, LAST_YEAR_STATUSES, strict=False):
        report(last_year, activity.unit_id, activity=activity, status=status)
    for indicator, (*_fields, (then, now)) in zip(indicators, INDICATORS, strict=True):
        report(last_year, indicator.unit_id, indicator=indicator, value=then)
        if now is not None:
            report(this_year, indicator.unit_id, indicator=indicator, value=now)
    report(this_year, activities[0].unit_id, activity=activities[0], status=ActivityStatus.ONGOING)


def report(round_: Round, unit_id: int, activity=None, status=None, indicator=None, value=None) -> None:
    """The responsible unit's report in a round, when it has a form there."""
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.unit_id == unit_id)
    )
    if assignment is None:
        return
    if activity is not None:
        comment = "Pågår enligt planen." if status == ActivityStatus.ONGOING else ""
        db.session.add(ActivityReport(assignment=assignment, activity=activity, status=status, comment=comment))
    if indicator is not None:
        db.session.add(IndicatorValue(assignment=assignment, indicator=indicator, value=value))
