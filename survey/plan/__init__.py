"""The action plan's own items: the coordinator's activities and indicators, and what each responsible unit reports."""

from flask import Blueprint

bp = Blueprint("plan", __name__)

# The view modules register their routes on bp.
from survey.plan import contact, views  # noqa: E402, F401
