"""Background jobs: bulk work that runs outside the request (`flask --app survey jobs work`), its progress page and
its file. The job table is survey/models/jobs.py; ARCHITECTURE.md says why it is ours rather than a library's."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/samordning/jobb")


@bp.context_processor
def job_states() -> dict:
    from survey.models import JobKind, JobState

    return {"JobKind": JobKind, "JobState": JobState}


# The view module registers its routes on bp.
from survey.jobs import views  # noqa: E402, F401
