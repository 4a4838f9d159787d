"""Mail templates and the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model
from survey.models.states import MailKind, OutboxStatus, _in


class MailTemplate(Model):
    """The editable subject and body of one kind of message; placeholders in {braces}."""

    __tablename__ = "mail_template"
    __table_args__ = (CheckConstraint(_in("kind", MailKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Model):
    """A message waiting to be sent, or its record once sent or given up.

    Mail goes through this table so that a mail server that is down loses
    nothing: the worker retries with growing pauses.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_message_status_next_attempt_dt", "status", "next_attempt_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The job that queued it (invitations to a whole round): a job run again after a crash leaves its units out.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"), index=True)
