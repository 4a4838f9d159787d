"""The web's two steps of reading in a filled-in template, shared by the coordinator's import page and the
contact person's upload: the upload is previewed and kept for one confirmation, which takes it back.

Each page keeps its pending file under its own session key, so a coordinator's and a contact person's
confirmations in one browser never take each other's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import session
from werkzeug.datastructures import FileStorage

from survey.models import Assignment
from survey.offline import importing
from survey.offline.reader import MAX_BYTES, OfflineFileError
from survey.register.uploads import keep_upload, take_upload

if TYPE_CHECKING:  # survey.offline.plan imports survey.respond, whose views import this module
    from survey.offline.plan import ImportPlan


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
