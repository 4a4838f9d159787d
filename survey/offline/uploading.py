"""The web's two steps of reading in a filled-in template, shared by the coordinator's import page and the
contact person's upload: the upload is previewed and kept for one confirmation, which takes it back.

Each page keeps its pending file under its own session key, so a coordinator's and a contact person's
confirmations in one browser never take each other's file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import flash, render_template, request, session
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from survey.models import Assignment
from survey.offline import importing
from survey.offline.importing import ImportResult
from survey.offline.plan import ImportPlan
from survey.offline.reader import MAX_BYTES, OfflineFileError
from survey.register.uploads import keep_upload, take_upload


@dataclass(frozen=True)
class Previewed:
    plan: ImportPlan
    filename: str  # as the browser named it, without its folders


def preview_upload(assignment: Assignment, upload: FileStorage, errors: list[str], key: str) -> Previewed | None:
    """The upload's preview, the file kept under ``key`` for confirmation when it has no errors; None, with
    the reason added to ``errors`` (the file field's), when the file cannot be read."""
    with upload.stream:
        data = upload.read(MAX_BYTES + 1)
    try:
        plan = importing.preview(assignment, data)
    except OfflineFileError as exc:
        errors.append(str(exc))
        return None
    if plan.ok:
        session[key] = {"file": keep_upload(data, ".xlsx"), "assignment": assignment.id}
    return Previewed(plan, Path(upload.filename or "").name)


def take_pending(key: str, assignment_id: int) -> bytes | None:
    """The uploaded file waiting for confirmation, taken off the session and the disk: one confirmation per upload."""
    taken = take_upload(key)
    return taken[1] if taken is not None and taken[0].get("assignment") == assignment_id else None


@dataclass(frozen=True)
class UploadPages:
    """One side's pages of the two steps: the upload form's and the preview's template, its session key."""

    key: str
    form_template: str
    preview_template: str


def upload_step(pages: UploadPages, assignment: Assignment, form: FlaskForm, refusal: str | None, confirm: FlaskForm):
    """Upload → the preview of every change (nothing written), or the upload form again with what was wrong."""
    if request.method == "POST":
        take_pending(pages.key, assignment.id)  # a new upload replaces whatever waited for confirmation
    if refusal is None and form.validate_on_submit():
        previewed = preview_upload(assignment, form.file.data, form.file.errors, pages.key)
        if previewed is not None:
            return render_template(
                pages.preview_template,
                assignment=assignment,
                plan=previewed.plan,
                filename=previewed.filename,
                form=confirm,
            )
    return render_template(pages.form_template, assignment=assignment, form=form, refusal=refusal)


def confirm_step(
    pages: UploadPages,
    assignment: Assignment,
    form: FlaskForm,
    refusal: str | None,
    run_import: Callable[[bytes], ImportResult],
) -> ImportResult | None:
    """Confirm: the file kept by the preview, read again and imported by ``run_import`` (not committed); or
    None, with why not flashed (refused now, expired, or the file has become unreadable)."""
    data = take_pending(pages.key, assignment.id)
    if refusal or data is None or not form.validate_on_submit():
        flash(refusal or _("Inläsningen har gått ut. Ladda upp filen igen."), "error")
        return None
    try:
        return run_import(data)
    except (importing.ImportRefused, OfflineFileError) as exc:
        flash(str(exc), "error")
    except importing.FileHasErrors:
        flash(_("Filen har fel och kan inte läsas in."), "error")
    except importing.RequiredAnswersMissing as exc:
        flash(
            _(
                "Svaren kan inte markeras som inskickade: %(n)s obligatoriska frågor saknar svar. Läs in filen utan att markera den som inskickad, eller komplettera filen.",
                n=exc.missing,
            ),
            "error",
        )
    return None
