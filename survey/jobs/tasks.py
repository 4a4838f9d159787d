"""What each kind of job does. A runner gets a claimed job and its worker's name, commits its work in batches that
each begin with ``keep_claim()``, and returns; the worker marks the job done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from survey import mail
from survey.access import user_actor, visible_assignments, visible_units
from survey.exports.council import council_workbook, workbook_filename
from survey.exports.data import ExportOptions
from survey.extensions import db
from survey.jobs.worker import JobRefused, keep_claim, write_result
from survey.models import Assignment, AssignmentStatus, Job, JobKind, OutboxMessage, Round, Unit, User, audit
from survey.rounds.links import issue_links, links_file_text, links_filename


def job_round_and_user(job: Job) -> tuple[Round, User]:
    round_, user = db.session.get(Round, job.round_id), job.user
    if round_ is None or user is None or not user.is_enabled:
        raise JobRefused("user_gone")
    return round_, user


def invitation_targets(job: Job, round_: Round, user: User) -> list[int]:
    """The units still to invite: visible to the user, not submitted, not invited, and not yet mailed by this job
    (a run after a crash leaves out the batches already committed)."""
    mailed_by_job = exists().where(OutboxMessage.job_id == job.id, OutboxMessage.assignment_id == Assignment.id)
    return list(
        db.session.scalars(
            visible_assignments(user, round_)
            .with_only_columns(Assignment.id)
            .where(Assignment.status != AssignmentStatus.SUBMITTED, Assignment.invited_dt.is_(None), ~mailed_by_job)
            .order_by(Assignment.id)
        )
    )


def run_invitations(job: Job, worker: str) -> None:
    """ "Bjud in alla" for a big round: a batch of units per transaction, each unit's messages queued once."""
    round_, user = job_round_and_user(job)
    if not round_.is_open:
        raise JobRefused("round_not_open")
    targets = invitation_targets(job, round_, user)
    if not job.total:
        keep_claim(job, worker, total=len(targets))
        db.session.commit()
    for start in range(0, len(targets), mail.BATCH_SIZE):
        keep_claim(job, worker)
        batch = db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_(targets[start : start + mail.BATCH_SIZE]))
            .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.round))
            .order_by(Assignment.id)
        ).all()
        counts = mail.queue_assignment_mails(batch, "invitation", user, job_id=job.id)
        result = dict(job.result or {})
        result["messages"] = result.get("messages", 0) + sum(counts.values())
        result["without_contact"] = result.get("without_contact", []) + [a.unit.name for a in batch if not counts[a.id]]
        keep_claim(job, worker, done=min(job.total, job.done + len(batch)), result=result)
        db.session.commit()
    result = job.result or {}
    audit(
        "invitations_queued",
        user_actor(user),
        user_id=user.id,
        round_id=round_.id,
        details={"units": job.total, "messages": result.get("messages", 0), "job": job.id},
    )


def run_links(job: Job, worker: str) -> None:
    """The links file: new links for every unit and the file that holds them, committed together."""
    round_, user = job_round_and_user(job)
    keep_claim(job, worker)
    links = issue_links(round_, user_actor(user), user)
    text = links_file_text(links)
    name = links_filename(round_)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    path = write_result(job, name, write)
    keep_claim(
        job,
        worker,
        done=len(links),
        total=len(links),
        result_path=path,
        download_name=name,
        result={"units": len(links)},
    )
    db.session.commit()


def run_workbook(job: Job, worker: str) -> None:
    """The council workbook of a big round, as the user may see it, kept for download."""
    round_, user = job_round_and_user(job)
    options = ExportOptions(
        include_drafts=bool(job.params.get("include_drafts")),
        namnd_id=job.params.get("namnd_id"),
        visible_units=visible_units(user),
    )
    workbook = council_workbook(round_, options)
    name = workbook_filename(round_, options)

    def write(path: Path) -> None:
        path.write_bytes(workbook.getvalue())

    path = write_result(job, name, write)
    keep_claim(job, worker, result_path=path, download_name=name, done=job.total)
    db.session.commit()


RUNNERS: dict[JobKind, Callable[[Job, str], None]] = {
    JobKind.INVITATIONS: run_invitations,
    JobKind.LINKS: run_links,
    JobKind.WORKBOOK: run_workbook,
}
