"""The public pages: the front page, the accessibility statement, a round's published summary, its embeddable
fragment and its workbook of good examples."""

from io import BytesIO

from flask import abort, current_app, make_response, render_template, request, send_file, session
from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import Assignment, Round
from survey.public import bp
from survey.public.summary import PublicSummary, public_summary
from survey.public.workbook import XLSX, examples_workbook
from survey.respond.session import SESSION_KEY
from survey.security import allow_framing
from survey.trends.charts import bar_chart


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


def published_round_or_404(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    if round_.published_dt is None:
        abort(404)
    return round_


def charts(summary: PublicSummary) -> dict:
    """The two charts: submitted units per nämnd (of those invited), and entries per violence area."""
    per_namnd: list[tuple[str, list[float | None]]] = [
        (namnd, [float(submitted)]) for namnd, (_invited, submitted) in summary.per_namnd.items()
    ]
    most_invited = max((invited for invited, _submitted in summary.per_namnd.values()), default=0)
    areas: list[tuple[str, list[float | None]]] = [
        (area, [float(count) for count in counts]) for area, counts in summary.areas
    ]
    most = max((count for _area, counts in summary.areas for count in counts), default=0)
    return {
        "response_chart": bar_chart(per_namnd, [_("Har svarat")], most_invited),
        "areas_chart": bar_chart(areas, summary.area_columns, most) if areas else None,
    }


@bp.route("/sammanstallning/<int:round_id>")
def summary(round_id: int):
    """A round's summary, once the coordinator has published it; the plan's web page may show it in a frame.
    The good examples are filtered by the GET query (violence area, target group, level, words)."""
    round_ = published_round_or_404(round_id)
    found = public_summary(round_, request.args)
    page = render_template("summary.html", round=round_, summary=found, **charts(found))
    return allow_framing(make_response(page))


@bp.route("/sammanstallning/<int:round_id>/inbaddning")
def fragment(round_id: int):
    """The summary as a document of its own, without the site's header and footer, for an iframe on the
    municipality's site (README: embedding); links open in the top window."""
    round_ = published_round_or_404(round_id)
    found = public_summary(round_, request.args)
    page = render_template("summary_fragment.html", round=round_, summary=found, **charts(found))
    return allow_framing(make_response(page))


@bp.route("/sammanstallning/<int:round_id>/goda-exempel.xlsx")
def workbook(round_id: int):
    """The published good examples (within the page's filters), with the response and area tables."""
    round_ = published_round_or_404(round_id)
    data = examples_workbook(round_, public_summary(round_, request.args))
    name = f"goda-exempel-omgang-{round_.id}.xlsx"
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


# The coordinator's preview registers its routes on bp.
from survey.public import preview  # noqa: E402, F401
