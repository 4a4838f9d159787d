"""The audit log: who did what, never answer text."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.db import UTCDateTime, utcnow
from survey.extensions import db


class AuditEvent(db.Model):
    """Who did what, when. Never answer text, tokens or passwords."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_occurred_dt", "occurred_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def audit(action: str, actor: str, **fields: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, **fields)
    db.session.add(event)
    return event
