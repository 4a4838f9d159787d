"""A unit's answers by Excel: the offline template, its import with a preview, the unit's workbook."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from survey.access import editor_required, staff_required, user_actor
from survey.exports.unit import unit_workbook, unit_workbook_filename
from survey.exports.writer import XLSX
from survey.extensions import db
from survey.offline import importing, uploading
from survey.offline.plan import import_refusal
from survey.offline.reader import OfflineFileError
from survey.offline.template import template_download
from survey.rounds import bp
from survey.rounds.assignment import round_assignment
from survey.rounds.forms import AnswersImportForm, AnswersUploadForm

PENDING_KEY = "answers_import"


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
    form = AnswersUploadForm()
    refusal = import_refusal(assignment)
    if request.method == "POST":
        uploading.take_pending(PENDING_KEY, assignment.id)  # a new upload replaces whatever waited for confirmation
    if refusal is None and form.validate_on_submit():
        previewed = uploading.preview_upload(assignment, form.file.data, form.file.errors, PENDING_KEY)
        if previewed is not None:
            return render_template(
                "rounds/import_preview.html",
                assignment=assignment,
                plan=previewed.plan,
                filename=previewed.filename,
                form=AnswersImportForm(),
            )
    return render_template("rounds/import_answers.html", assignment=assignment, form=form, refusal=refusal)


@bp.route("/svar/<int:assignment_id>/importera/bekrafta", methods=["POST"])
@editor_required
def confirm_answers_import(assignment_id: int):
    assignment = round_assignment(assignment_id)
    form = AnswersImportForm()
    data = uploading.take_pending(PENDING_KEY, assignment.id)
    if data is None or not form.validate_on_submit():
        flash(import_refusal(assignment) or _("Inläsningen har gått ut. Ladda upp filen igen."), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    try:
        result = importing.import_answers(
            assignment,
            data,
            actor=user_actor(current_user),
            user_id=current_user.id,
            mark_submitted=bool(form.mark_submitted.data),
        )
    except (importing.ImportRefused, OfflineFileError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    except importing.FileHasErrors:
        flash(_("Filen har fel och kan inte läsas in."), "error")
        return redirect(url_for("rounds.import_answers", assignment_id=assignment.id), code=303)
    except importing.RequiredAnswersMissing as exc:
        flash(
            _(
                "Svaren kan inte markeras som inskickade: %(n)s obligatoriska frågor saknar svar. Läs in filen utan att markera den som inskickad, eller komplettera filen.",
                n=exc.missing,
            ),
            "error",
        )
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
