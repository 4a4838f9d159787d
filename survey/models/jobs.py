"""Background jobs: bulk work (invitations to a whole round, the links file, a big workbook) that runs outside the
request, in `flask --app survey jobs work`, with its progress and result kept here (survey/jobs/ runs them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model
from survey.models.accounts import User
from survey.models.rounds import Round
from survey.models.states import JobKind, JobState, _in


class Job(Model):
    """One piece of bulk work, from the button that started it to its result.

    A worker claims a queued job (or a running one whose heartbeat has gone stale: its worker died) by a
    conditional UPDATE, so two workers never run one job; each batch is committed with its progress, so a job run
    again after a crash goes on where the last commit left it.
    """

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(_in("kind", JobKind), name="kind"),
        CheckConstraint(_in("state", JobState), name="state"),
        Index("ix_job_state_heartbeat_dt", "state", "heartbeat_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    # Who started it: the job runs with their view of the organisation, and only they (or those who see the
    # whole tree) see it and its file.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # What came of it, e.g. {"messages": 480, "without_contact": [...]}, for its page.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The file it made, relative to EXPORT_DIR, and the name it downloads under.
    result_path: Mapped[str | None] = mapped_column(String(300))
    download_name: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # The claiming worker (host:pid:random), so a worker that lost its claim stops rather than writes.
    worker: Mapped[str] = mapped_column(String(100), default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
