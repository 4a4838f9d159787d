"""The report page (with the coordinator's text) and the same page as a PDF."""

from __future__ import annotations

import re
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.access import audit_by_user, manages_round, round_or_404, staff_required
from survey.extensions import csrf, db
from survey.models import Round
from survey.report.figures import round_report
from survey.report.forms import ReportTextForm
from survey.report.pdf import html_to_pdf
from survey.rounds.lifecycle import refuse_if_draft
from survey.trends.charts import bar_chart, measures_chart

bp = Blueprint("report", __name__, url_prefix="/samordning")


def may_write(round_: Round) -> bool:
    """The text speaks for the whole round: written by an editor whose scope holds all of it."""
    return current_user.can_edit and manages_round(current_user, round_)


def report_html(round_: Round, user, form: ReportTextForm | None = None) -> str:
    # The chart geometry is passed here, not by a context processor: the command line renders outside the blueprint.
    return render_template(
        "report/round.html", report=round_report(round_, user), form=form, chart=measures_chart, bars=bar_chart
    )


@bp.route("/omgang/<int:round_id>/rapport", methods=["GET", "POST"])
@staff_required
@csrf.exempt  # the form checks its own token, so an expired one shows the text again instead of a 400 page
def round_page(round_id: int):
    round_ = round_or_404(round_id)
    if (refused := refuse_if_draft(round_)) is not None:
        return refused
    if not may_write(round_):
        if request.method == "POST":
            abort(403)
        return report_html(round_, current_user)
    form = ReportTextForm(data={"text": round_.report_text})
    if not form.is_submitted():
        return report_html(round_, current_user, form)
    if not form.validate():
        return report_html(round_, current_user, form), 400
    round_.report_text = form.text.data or ""
    audit_by_user("round_edited", round_id=round_.id, details={"report_text": len(round_.report_text)})
    db.session.commit()
    flash(_("Texten är sparad."), "saved")
    return redirect(url_for("report.round_page", round_id=round_.id), code=303)


@bp.route("/omgang/<int:round_id>/rapport.pdf")
@staff_required
def round_pdf(round_id: int):
    round_ = round_or_404(round_id)
    if (refused := refuse_if_draft(round_)) is not None:
        return refused
    return send_file(
        BytesIO(round_pdf_bytes(round_, current_user)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=pdf_filename(round_),
    )


def round_pdf_bytes(round_: Round, user) -> bytes:
    """The report as a PDF, as ``user`` may see it (None: the command line). Needs a request context."""
    return html_to_pdf(report_html(round_, user))


def pdf_filename(round_: Round) -> str:
    return "Rapport " + (re.sub(r"[^\w .-]+", "_", round_.name).strip() or str(round_.id)) + ".pdf"
