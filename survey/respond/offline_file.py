"""The offline template for the contact person: the form as an Excel file to fill in together, at a workplace
meeting, and then to upload here (or to send to the coordinator, who reads it in: survey/rounds/answer_files.py).

The upload is the coordinator's import (survey/offline/importing.py) with the contact person's limits: only while
the form can be edited, never marking the answers submitted (that is the review page's button).
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from survey.extensions import db
from survey.forms import Form
from survey.models import Assignment
from survey.offline import importing, uploading
from survey.offline.template import template_download
from survey.respond import bp
from survey.respond.session import contact_actor, own_assignment
from survey.rounds.forms import AnswersUploadForm

PAGES = uploading.UploadPages(
    key="contact_answers_import",
    form_template="respond/upload_answers.html",
    preview_template="respond/upload_preview.html",
)


@bp.route("/<int:assignment_id>/mall.xlsx")
def offline_template_download(assignment_id: int):
    """The template to fill in together, while the filled-in file can be uploaded; otherwise the reason why not."""
    assignment = own_assignment(assignment_id)
    if (refusal := upload_refusal(assignment)) is not None:
        flash(refusal, "error")
        return redirect(url_for("respond.start", assignment_id=assignment.id), code=303)
    return template_download(assignment, contact_actor(assignment))


def upload_refusal(assignment: Assignment) -> str | None:
    """Why the contact person cannot upload a file now, or None."""
    if assignment.is_submitted:
        return _("Svaren är inskickade och kan inte ändras med en fil. Kontakta samordnaren om något behöver ändras.")
    if not assignment.round.is_open:
        return _("Omgången är stängd och tar inte längre emot svar.")
    return None


@bp.route("/<int:assignment_id>/las-in", methods=["GET", "POST"])
def upload_answers(assignment_id: int):
    """Upload → preview of every change (nothing written) → confirm, which reads the same file again."""
    assignment = own_assignment(assignment_id)
    return uploading.upload_step(PAGES, assignment, AnswersUploadForm(), upload_refusal(assignment), Form())


@bp.route("/<int:assignment_id>/las-in/bekrafta", methods=["POST"])
def confirm_upload(assignment_id: int):
    assignment = own_assignment(assignment_id)
    result = uploading.confirm_step(
        PAGES,
        assignment,
        Form(),
        upload_refusal(assignment),
        lambda data: importing.import_answers(assignment, data, actor=contact_actor(assignment)),
    )
    if result is None:
        return redirect(url_for("respond.upload_answers", assignment_id=assignment.id), code=303)
    db.session.commit()
    flash(
        ngettext(
            "Svaren från filen är sparade: %(num)s ändring. Granska dem och skicka in när allt är klart.",
            "Svaren från filen är sparade: %(num)s ändringar. Granska dem och skicka in när allt är klart.",
            len(result.plan.changes),
        ),
        "saved",
    )
    return redirect(url_for("respond.review", assignment_id=assignment.id), code=303)
