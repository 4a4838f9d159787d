"""Queueing, claiming and running jobs: `flask --app survey jobs work` is a loop over ``work_once()``.

Any number of workers, on any number of machines, may run against one database. A worker claims a job with a
conditional UPDATE (state still queued, or running with a heartbeat older than JOBS_STALE_SECONDS), after a
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL so that two workers pass each other rather than wait; SQLite
serialises writers, so the conditional UPDATE alone decides there. While a job runs, a thread beats its heart;
a worker that dies (killed, out of memory, the machine gone) stops beating, and the next worker claims the job
again, up to JOBS_MAX_ATTEMPTS times, then marks it failed. Every batch a job commits first checks that this
worker still holds the claim (``keep_claim()``), in the same transaction, so a worker that was presumed dead
and came back writes nothing twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from survey.db import utcnow
from survey.extensions import db
from survey.models import Job, JobKind, JobState, Round, User

log = logging.getLogger(__name__)

# The folder under EXPORT_DIR that holds the jobs' files.
FOLDER = "jobb"


class LostClaim(Exception):
    """Another worker has claimed the job (this one was presumed dead): stop without writing."""


class JobRefused(Exception):
    """The job cannot be done as things now stand (the round closed, the user gone); its text is a code the job's
    page explains (survey/jobs/views.py ERRORS)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def enqueue(kind: JobKind, round_: Round, user: User, total: int, **params: Any) -> Job:
    """A new job for the workers, in the caller's transaction."""
    job = Job(kind=kind, round_id=round_.id, user_id=user.id, total=total, params=params)
    db.session.add(job)
    return job


def stale_before() -> Any:
    return utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])


def claimable() -> Any:
    return or_(Job.state == JobState.QUEUED, and_(Job.state == JobState.RUNNING, Job.heartbeat_dt < stale_before()))


def give_up_stale() -> int:
    """Running jobs whose worker stopped beating and that have had all their attempts become failed."""
    result = db.session.execute(
        update(Job)
        .where(
            Job.state == JobState.RUNNING,
            Job.heartbeat_dt < stale_before(),
            Job.attempts >= current_app.config["JOBS_MAX_ATTEMPTS"],
        )
        .values(state=JobState.FAILED, finished_dt=utcnow(), error="worker_stopped")
    )
    db.session.commit()
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def claim(worker: str) -> Job | None:
    """The oldest claimable job, now this worker's; None when there is none (or another worker got it first)."""
    job_id = db.session.scalar(
        select(Job.id).where(claimable()).order_by(Job.id).limit(1).with_for_update(skip_locked=True)
    )
    if job_id is None:
        db.session.rollback()
        return None
    now = utcnow()
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, claimable())
        .values(
            state=JobState.RUNNING, worker=worker, heartbeat_dt=now, started_dt=now, attempts=Job.attempts + 1, error=""
        )
    )
    db.session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(Job, job_id)


def keep_claim(job: Job, worker: str, **changes: Any) -> None:
    """In the caller's transaction: the job is still this worker's (else LostClaim), with ``changes`` made.

    Call it first in each batch: on PostgreSQL the UPDATE locks the job's row until the batch commits.
    """
    result = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.worker == worker, Job.state == JobState.RUNNING)
        .values(heartbeat_dt=utcnow(), **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise LostClaim(job.id)
    for name, value in changes.items():
        set_committed_value(job, name, value)  # as written: nothing left for the flush to write again


def report_progress(job_id: int, worker: str, done: int) -> None:
    """How far a job that is one long call has come, in a short transaction of its own, so that its page sees it
    while the work goes on (the work's own session is left as it is)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker, Job.state == JobState.RUNNING)
            .values(done=done, heartbeat_dt=utcnow())
        )


@contextmanager
def heartbeat(job_id: int, worker: str) -> Iterator[None]:
    """Beat the job's heart from a thread of its own while the work (which may be one long call) runs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's documented way
    stop = threading.Event()
    every = current_app.config["JOBS_HEARTBEAT_SECONDS"]

    def beat() -> None:
        while not stop.wait(every):
            with app.app_context(), db.engine.begin() as connection:
                connection.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.worker == worker, Job.state == JobState.RUNNING)
                    .values(heartbeat_dt=utcnow())
                )

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(job: Job, worker: str) -> None:
    """Run a claimed job to done, or to failed with the error recorded; never raises for the job's own errors."""
    from survey.jobs.tasks import RUNNERS  # the tasks import this module

    try:
        with heartbeat(job.id, worker):
            RUNNERS[JobKind(job.kind)](job, worker)
            keep_claim(job, worker, state=JobState.DONE, finished_dt=utcnow(), done=job.total)
            db.session.commit()
    except LostClaim:
        log.warning("job %s: claimed by another worker, stopped", job.id)
    except Exception as exc:  # refused, a bug, a broken file: the job fails with its error, the worker goes on
        db.session.rollback()
        if isinstance(exc, JobRefused):
            error = str(exc)
        else:
            log.exception("job %s failed", job.id)
            error = f"{type(exc).__name__}: {exc}"[:1000]
        db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.worker == worker)
            .values(state=JobState.FAILED, finished_dt=utcnow(), error=error)
        )
        db.session.commit()


def work_once(worker: str) -> bool:
    """Claim and run one job; whether there was one."""
    give_up_stale()
    job = claim(worker)
    if job is None:
        return False
    run(job, worker)
    return True


def run_pending(worker: str | None = None) -> int:
    """Every job that can be claimed now, one after the other; returns how many ran (tests, benches, `--once`)."""
    worker = worker or worker_name()
    count = 0
    while work_once(worker):
        count += 1
    return count


def sweep_results() -> int:
    """Files of jobs finished more than JOBS_RESULT_DAYS ago go (a links file holds live links); returns how many."""
    old = db.session.scalars(
        select(Job).where(
            Job.result_path.is_not(None),
            Job.finished_dt < utcnow() - timedelta(days=current_app.config["JOBS_RESULT_DAYS"]),
        )
    ).all()
    for job in old:
        result_file(job).unlink(missing_ok=True)
        job.result_path = None
    db.session.commit()
    return len(old)


def result_file(job: Job) -> Path:
    assert job.result_path is not None
    return Path(current_app.config["EXPORT_DIR"]) / job.result_path


def write_result(job: Job, name: str, write: Callable[[Path], None]) -> str:
    """Write the job's file under EXPORT_DIR/jobb, by way of a temporary name so that a crash leaves no half file;
    returns its path relative to EXPORT_DIR, for the job's result_path."""
    folder = Path(current_app.config["EXPORT_DIR"]) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{FOLDER}/job-{job.id}-{secrets.token_hex(8)}{Path(name).suffix}"
    target = Path(current_app.config["EXPORT_DIR"]) / relative
    partial = target.with_name(target.name + ".part")
    write(partial)
    partial.replace(target)
    return relative


def work_forever(interval: float) -> None:
    worker = worker_name()
    log.info("job worker %s started", worker)
    while True:
        try:
            if not work_once(worker):
                sweep_results()
                time.sleep(interval)
        except Exception:  # the database away for a moment: log, wait, go on
            db.session.rollback()
            log.exception("job worker: error, trying again in %s s", interval)
            time.sleep(interval)
