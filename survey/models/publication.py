"""The coordinator's approval of one good example for the public page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model


class ExampleApproval(Model):
    """One entry of an assignment's good examples, approved as it read then: ``content_sha256`` is the digest of
    its public rendering, so an example changed after approval (reopened and sent in again) is not shown until
    the coordinator approves it again."""

    __tablename__ = "example_approval"
    __table_args__ = (UniqueConstraint("assignment_id", "entry_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    entry_index: Mapped[int]
    content_sha256: Mapped[str] = mapped_column(String(64))
    approved_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
