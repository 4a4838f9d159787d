"""What each kind of job does. A runner gets a claimed job and its worker's name, commits its work in batches that
each begin with ``keep_claim()``, and returns; the worker marks the job done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from survey import mail, reminders
from survey.access import user_actor, visible_assignments, visible_units
from survey.db import LOCAL_TZ, utcnow
from survey.exports.council import Progress, council_workbook, workbook_filename
from survey.exports.data import ExportOptions
from survey.exports.words import workbook_language
from survey.extensions import db
from survey.jobs.worker import JobRefused, keep_claim, report_progress, write_result
from survey.models import Assignment, AssignmentStatus, Job, JobKind, OutboxMessage, Round, Unit, User, audit
from survey.rounds.links import issue_links, links_file_text, links_filename


def job_round_and_user(job: Job) -> tuple[Round, User]:
    round_, user = db.session.get(Round, job.round_id), job.user
    if round_ is None or user is None or not user.is_enabled:
        raise JobRefused("user_gone")
    return round_, user


def mail_targets(job: Job, round_: Round, user: User, kind: str) -> tuple[list[int], dict[str, int]]:
    """The units still to mail: visible to the user and not yet mailed by this job (a run after a crash leaves out
    the batches already committed); for an invitation those not submitted and not yet invited, for a reminder those
    reminders.sort_out() chooses (and, when the coordinator confirmed it, those mailed within the interval); and
    for a reminder how many were left out, by reason."""
    mailed_by_job = exists().where(OutboxMessage.job_id == job.id, OutboxMessage.assignment_id == Assignment.id)
    query = visible_assignments(user, round_).with_only_columns(Assignment.id)
    if kind == "reminder":
        today = utcnow().astimezone(LOCAL_TZ).date()
        sorting = reminders.sort_out(round_, today, query.where(~mailed_by_job))
        anyway = bool((job.params or {}).get("recent"))
        left_out = {why: sorting.count(why) for why in reminders.LEFT_OUT if not (anyway and why == reminders.RECENT)}
        return sorted(sorting.chosen + (sorting.ids[reminders.RECENT] if anyway else [])), left_out
    query = query.where(Assignment.invited_dt.is_(None))
    query = query.where(Assignment.status != AssignmentStatus.SUBMITTED, ~mailed_by_job)
    return list(db.session.scalars(query.order_by(Assignment.id))), {}


def run_mail(job: Job, worker: str, kind: str) -> None:
    """ "Bjud in alla" or "Påminn alla" for a big round: a batch of units per transaction, each unit's messages
    queued once. A reminder goes to the units reminders.sort_out() chooses, the rule of every reminder (mail_targets())."""
    round_, user = job_round_and_user(job)
    if not round_.is_open:
        raise JobRefused("round_not_open")
    targets, left_out = mail_targets(job, round_, user, kind)
    if not job.total:  # the first run; a run after a crash keeps what it counted
        keep_claim(job, worker, total=len(targets), result={**(job.result or {}), "left_out": left_out})
        db.session.commit()
    for start in range(0, len(targets), mail.BATCH_SIZE):
        keep_claim(job, worker)
        ids = targets[start : start + mail.BATCH_SIZE]
        batch = db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_(ids))
            .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.round))
            .order_by(Assignment.id)
        ).all()
        result = dict(job.result or {})
        counts = mail.queue_assignment_mails(batch, kind, user, job_id=job.id)
        result["messages"] = result.get("messages", 0) + sum(counts.values())
        result["without_contact"] = result.get("without_contact", []) + [a.unit.name for a in batch if not counts[a.id]]
        keep_claim(job, worker, done=min(job.total, job.done + len(ids)), result=result)
        db.session.commit()
    result = job.result or {}
    audit(
        f"{kind}s_queued",
        user_actor(user),
        user_id=user.id,
        round_id=round_.id,
        details={"units": job.total, "messages": result.get("messages", 0), "job": job.id},
    )


def run_invitations(job: Job, worker: str) -> None:
    run_mail(job, worker, "invitation")


def run_reminders(job: Job, worker: str) -> None:
    run_mail(job, worker, "reminder")


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
    """The council workbook of a big round, as the user may see it and in the language asked for, kept for
    download; its progress reported as it is written."""
    round_, user = job_round_and_user(job)
    options = ExportOptions(
        include_drafts=bool(job.params.get("include_drafts")),
        namnd_id=job.params.get("namnd_id"),
        visible_units=visible_units(user),
        language=workbook_language(job.params.get("language")),
    )
    workbook = council_workbook(round_, options, throttled_progress(job, worker))
    name = workbook_filename(round_, options)

    def write(path: Path) -> None:
        path.write_bytes(workbook.getvalue())

    path = write_result(job, name, write)
    keep_claim(job, worker, result_path=path, download_name=name, done=job.total)
    db.session.commit()


# A long job's page hears of its progress at least every this many units, and at every 2 % of the way.
PROGRESS_UNITS = 500
PROGRESS_STEPS = 50


def throttled_progress(job: Job, worker: str) -> Progress:
    """A workbook's progress (units written of the units in it) as the job's done of its total, written now and
    then rather than per unit."""
    reported = 0

    def progress(written: int, of: int) -> None:
        nonlocal reported
        done = job.total * written // of if of else 0
        if done - reported >= max(1, min(PROGRESS_UNITS, job.total // PROGRESS_STEPS)):
            report_progress(job.id, worker, done)
            reported = done

    return progress


RUNNERS: dict[JobKind, Callable[[Job, str], None]] = {
    JobKind.INVITATIONS: run_invitations,
    JobKind.REMINDERS: run_reminders,
    JobKind.LINKS: run_links,
    JobKind.WORKBOOK: run_workbook,
}
