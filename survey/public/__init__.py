"""Pages for everyone: the front page, the accessibility statement, a round's published summary."""

from flask import Blueprint

bp = Blueprint("public", __name__)

# The view modules register their routes on bp.
from survey.public import views  # noqa: E402, F401
