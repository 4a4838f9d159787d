"""The public pages: the front page, the accessibility statement, a round's published summary."""

from flask import abort, current_app, make_response, render_template, session
from sqlalchemy import select

from survey.extensions import db
from survey.models import Assignment, Round
from survey.public import bp
from survey.public.summary import public_summary
from survey.respond.session import SESSION_KEY
from survey.security import allow_framing


@bp.route("/")
def index():
    published = db.session.scalars(
        select(Round).where(Round.published_dt.is_not(None)).order_by(Round.opens_on.desc())
    ).all()
    return render_template("index.html", published=published, answering=held_assignment())


def held_assignment() -> Assignment | None:
    """The form this browser's contact session holds (its link opened it), so the front page leads back to it."""
    held = session.get(SESSION_KEY) or []
    return db.session.get(Assignment, held[0]) if held else None


@bp.route("/tillganglighet")
def accessibility():
    return render_template("accessibility.html", contact=current_app.config["COORDINATOR_EMAIL"])


@bp.route("/sammanstallning/<int:round_id>")
def summary(round_id: int):
    """A round's summary, once the coordinator has published it; the plan's web page may show it in a frame."""
    round_ = db.get_or_404(Round, round_id)
    if round_.published_dt is None:
        abort(404)
    return allow_framing(make_response(render_template("summary.html", round=round_, summary=public_summary(round_))))
