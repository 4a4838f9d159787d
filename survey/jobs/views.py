"""The coordinator's jobs: the list, one job's progress (refreshing itself, without JavaScript too), its file, and
starting the council workbook of a big round."""

from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from survey.access import round_or_404, staff_required, visible_assignments, visible_jobs
from survey.exports.data import ExportOptions
from survey.exports.words import workbook_language
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.ids import parse_id
from survey.jobs import bp
from survey.jobs.worker import enqueue, result_file
from survey.models import Job, JobKind, JobState, Round

# Seconds between reloads of a running job's page without JavaScript.
REFRESH_SECONDS = 3
# What a failed job's error code means, for its page.
ERRORS = {
    "worker_stopped": _l(
        "Jobbet avbröts flera gånger (servern startades om eller stängdes av) och gavs upp. Det som hann bli klart "
        "finns kvar; starta jobbet igen för resten."
    ),
    "round_not_open": _l("Omgången är inte öppen längre, så inga inbjudningar skickades."),
    "user_gone": _l("Kontot som startade jobbet finns inte eller är avstängt."),
}
MEDIA_TYPES = {JobKind.WORKBOOK: XLSX, JobKind.LINKS: "text/csv"}


def is_big(round_: Round) -> bool:
    """Whether the round has more units than the logged-in user's bulk work may do within a request."""
    count = db.session.scalar(select(func.count()).select_from(visible_assignments(current_user, round_).subquery()))
    return (count or 0) > current_app.config["JOBS_UNIT_THRESHOLD"]


def start(kind: JobKind, round_: Round, total: int = 0, **params) -> Job:
    """A job for the logged-in user, committed; the caller redirects to its page."""
    job = enqueue(kind, round_, current_user, total, **params)
    db.session.commit()
    return job


def job_or_404(job_id: int) -> Job:
    return db.first_or_404(visible_jobs(current_user).where(Job.id == job_id))


def error_text(job: Job) -> str:
    return str(ERRORS.get(job.error, _("Något gick fel: %(error)s", error=job.error)))


@bp.route("/")
@staff_required
def index():
    jobs = db.session.scalars(visible_jobs(current_user).order_by(Job.id.desc()).limit(100)).all()
    return render_template("jobs/index.html", jobs=jobs, error_text=error_text)


@bp.route("/<int:job_id>")
@staff_required
def status(job_id: int):
    job = job_or_404(job_id)
    return render_template("jobs/status.html", job=job, error_text=error_text, refresh_seconds=REFRESH_SECONDS)


@bp.route("/<int:job_id>/status.json")
@staff_required
def progress(job_id: int):
    job = job_or_404(job_id)
    return jsonify(
        state=job.state,
        label=str(JobState(job.state).label),
        done=job.done,
        total=job.total,
        percent=job.percent,
        count=_("%(done)d av %(total)d verksamheter", done=job.done, total=job.total) if job.total else "",
        finished=job.is_finished,
    )


@bp.route("/<int:job_id>/fil")
@staff_required
def download(job_id: int):
    job = job_or_404(job_id)
    if job.state != JobState.DONE or job.result_path is None or not result_file(job).is_file():
        abort(404)
    return send_file(
        result_file(job),
        mimetype=MEDIA_TYPES.get(JobKind(job.kind), "application/octet-stream"),
        as_attachment=True,
        download_name=job.download_name,
        max_age=0,
    )


def offer_workbook(round_: Round, options: ExportOptions):
    """For a big round, the page that starts the workbook as a job (None: small enough to make in the request)."""
    if not is_big(round_):
        return None
    return render_template("jobs/offer_workbook.html", round=round_, options=options)


@bp.route("/sammanstallning/<int:round_id>", methods=["POST"])
@staff_required
def start_workbook(round_id: int):
    round_ = round_or_404(round_id)
    count = db.session.scalar(select(func.count()).select_from(visible_assignments(current_user, round_).subquery()))
    job = start(
        JobKind.WORKBOOK,
        round_,
        total=count or 0,
        include_drafts=request.form.get("utkast") == "1",
        namnd_id=parse_id(request.form.get("namnd")),
        language=workbook_language(request.form.get("lang")),
    )
    return redirect(url_for("jobs.status", job_id=job.id), code=303)
