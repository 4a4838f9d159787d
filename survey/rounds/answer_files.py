"""A unit's answers by Excel: the offline template, its import with a preview, the unit's workbook."""

from __future__ import annotations

from flask import flash, redirect, send_file, url_for
from flask_babel import ngettext
from flask_login import current_user

from survey.access import editor_required, staff_required, user_actor
from survey.exports.unit import unit_workbook, unit_workbook_filename
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.offline import importing, uploading
from survey.offline.plan import import_refusal
from survey.offline.template import template_download
from survey.rounds import bp
from survey.rounds.assignment import round_assignment
from survey.rounds.forms import AnswersImportForm, AnswersUploadForm

PAGES = uploading.UploadPages(
    key="answers_import", form_template="rounds/import_answers.html", preview_template="rounds/import_preview.html"
)


@bp.route("/svar/<int:assignment_id>/mall.xlsx")
@editor_required
def offline_template_download(assignment_id: int):
    """The template to fill in, while a filled-in one can be imported; otherwise the reason why it cannot."""
    assignment = round_assignment(assignment_id)
    if (refusal := import_refusal(assignment)) is not None:
        flash(refusal, "error")
        return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)
    return template_download(assignment, user_actor(current_user), current_user.id)


@bp.route("/svar/<int:assignment_id>/svar.xlsx")
@staff_required
def unit_workbook_download(assignment_id: int):
    assignment = round_assignment(assignment_id)
    return send_file(
        unit_workbook(assignment), mimetype=XLSX, as_attachment=True, download_name=unit_workbook_filename(assignment)
    )


@bp.route("/svar/<int:assignment_id>/importera", methods=["GET", "POST"])
@editor_required
def import_answers(assignment_id: int):
    """Upload → preview of every change (nothing written) → confirm, which reads the same file again."""
    assignment = round_assignment(assignment_id)
    return uploading.upload_step(
        PAGES, assignment, AnswersUploadForm(), import_refusal(assignment), AnswersImportForm()
    )


@bp.route("/svar/<int:assignment_id>/importera/bekrafta", methods=["POST"])
@editor_required
def confirm_answers_import(assignment_id: int):
    assignment = round_assignment(assignment_id)
    form = AnswersImportForm()
    result = uploading.confirm_step(
        PAGES,
        assignment,
        form,
        import_refusal(assignment),
        lambda data: importing.import_answers(
            assignment,
            data,
            actor=user_actor(current_user),
            user_id=current_user.id,
            mark_submitted=bool(form.mark_submitted.data),
        ),
    )
    if result is None:
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    db.session.commit()
    # The same count as the preview's table, so the coordinator sees that what was shown is what was done.
    flash(
        ngettext(
            "Svaren är inlästa: %(num)s ändring.", "Svaren är inlästa: %(num)s ändringar.", len(result.plan.changes)
        ),
        "saved",
    )
    return redirect(url_for("rounds.assignment", assignment_id=assignment.id), code=303)
