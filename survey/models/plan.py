"""The action plan's own items: its activities and indicators, and what their responsible units report in a round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model
from survey.models.rounds import Assignment
from survey.models.states import ActivityStatus, IndicatorDirection, _in
from survey.models.units import Unit


class PlanActivity(Model):
    """An activity of the action plan (aktivitet) under its delmål, with the unit responsible (ansvarig) and its years."""

    __tablename__ = "plan_activity"
    __table_args__ = (
        CheckConstraint("start_year IS NULL OR end_year IS NULL OR start_year <= end_year", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(Text, default="")  # delmål
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    def runs_in(self, year: int) -> bool:
        """Whether a round of ``year`` asks about it: active, and the year within its period (open ends count)."""
        return (
            self.is_active
            and (self.start_year is None or self.start_year <= year)
            and (self.end_year is None or year <= self.end_year)
        )

    @property
    def period(self) -> str:
        if self.start_year is None and self.end_year is None:
            return ""
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year or ''}–{self.end_year or ''}"


class PlanIndicator(Model):
    """An indicator of the action plan: what is measured, in what unit, the target and which way is better."""

    __tablename__ = "plan_indicator"
    __table_args__ = (CheckConstraint(_in("direction", IndicatorDirection), name="direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str] = mapped_column(String(40))  # unit of measure: "%" (a percentage, 0–100) or e.g. "antal"
    target: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(10), default=IndicatorDirection.HIGHER)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("plan_activity.id", ondelete="SET NULL"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    activity: Mapped[PlanActivity | None] = relationship()

    @property
    def is_percent(self) -> bool:
        return self.measure.strip() == "%"

    def met(self, value: float | None) -> bool | None:
        """Whether ``value`` meets the target in the indicator's direction; None without a value or a target."""
        if value is None or self.target is None:
            return None
        return IndicatorDirection(self.direction).meets(value, self.target)


class ActivityReport(Model):
    """What a round's assignment of the responsible unit says of one activity: its status and a comment."""

    __tablename__ = "activity_report"
    __table_args__ = (
        UniqueConstraint("assignment_id", "activity_id"),
        CheckConstraint(_in("status", ActivityStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("plan_activity.id", ondelete="CASCADE"), index=True)
    status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    activity: Mapped[PlanActivity] = relationship()


class IndicatorValue(Model):
    """An indicator's value in one round, as the responsible unit reports it (a percentage as its number of per cent)."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("assignment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicator.id", ondelete="CASCADE"), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    indicator: Mapped[PlanIndicator] = relationship()
