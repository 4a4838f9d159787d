"""What a unit says, in a follow-up round, about one of its development areas from the round before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model
from survey.models.rounds import Assignment
from survey.models.states import FollowUpStatus, _in


class DevelopmentAreaFollowUp(Model):
    """The status and comment given to one earlier development area (an entry of a ``follow_up`` group).

    The earlier area itself stays where it was written: the earlier assignment's answers, by entry index.
    """

    __tablename__ = "development_area_follow_up"
    __table_args__ = (
        UniqueConstraint("assignment_id", "source_assignment_id", "entry_index"),
        CheckConstraint(_in("status", FollowUpStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The follow-up round's assignment that gives the status …
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    # … about this entry of the earlier round's assignment.
    source_assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(64))
    entry_index: Mapped[int]
    status: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship(foreign_keys=[assignment_id])
    source_assignment: Mapped[Assignment] = relationship(foreign_keys=[source_assignment_id])
