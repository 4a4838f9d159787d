"""The contact person's pages: open the personal link, fill in section by section, review, submit."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/svar")

# The view modules register their routes on bp.
from survey.respond import language, offline_file, views, widgets  # noqa: E402, F401
