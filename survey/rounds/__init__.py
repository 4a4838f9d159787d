"""Running a round: its lifecycle, the dashboard, mailing, one unit's submission, answer files."""

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/samordning")

# The view modules register their routes on bp.
from survey.rounds import answer_files, assignment, dashboard, follow_up, lifecycle, mailing  # noqa: E402, F401
