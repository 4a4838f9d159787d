"""Importing a filled-in offline template: one workflow for the import page and `answers import`.

The caller parses its input, calls `preview()` to show what would change and `import_answers()`
to do it, commits once and reports. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.extensions import db
from survey.models import Assignment, audit
from survey.offline.plan import ImportPlan, apply_import, import_refusal, plan_import
from survey.offline.reader import OfflineFile, read_offline


class ImportRefused(Exception):
    """The assignment takes no import now (submitted, or the round is not open or closed); the message says why."""


class FileHasErrors(Exception):
    """The file was read but has errors; nothing was written. `plan.errors` names each one."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} error(s)")
        self.plan = plan


class RequiredAnswersMissing(Exception):
    """Marking the answers submitted was asked for, but required answers are missing; nothing was written."""

    def __init__(self, missing: int):
        super().__init__(f"{missing} required answer(s) missing")
        self.missing = missing


@dataclass
class ImportResult:
    plan: ImportPlan
    counts: dict[str, int]
    submitted: bool


def preview(assignment: Assignment, data: bytes | OfflineFile) -> ImportPlan:
    """What importing the file would change, or its errors; nothing is written.

    Raises ImportRefused when the assignment takes no import now, OfflineFileError when the file cannot be read.
    """
    refusal = import_refusal(assignment)
    if refusal:
        raise ImportRefused(refusal)
    found = data if isinstance(data, OfflineFile) else read_offline(data)
    return plan_import(assignment, found)


def import_answers(
    assignment: Assignment,
    data: bytes | OfflineFile,
    *,
    actor: str,
    user_id: int | None = None,
    mark_submitted: bool = False,
) -> ImportResult:
    """Read, check and write the file's answers, submit them when asked, and audit it (the caller commits).

    Raises what `preview()` raises, FileHasErrors for a file with errors, and RequiredAnswersMissing (after rolling
    back the written answers) when submitting is asked for but not allowed.
    """
    plan = preview(assignment, data)
    if not plan.ok:
        raise FileHasErrors(plan)
    counts = apply_import(assignment, plan)
    if mark_submitted:
        missing = assignment.missing_required()
        if missing:
            db.session.rollback()
            raise RequiredAnswersMissing(len(missing))
        assignment.submit()
    audit(
        "answers_imported",
        actor,
        user_id=user_id,
        round_id=assignment.round_id,
        assignment_id=assignment.id,
        details={**counts, "changes": len(plan.changes), "submitted": mark_submitted},
    )
    return ImportResult(plan=plan, counts=counts, submitted=mark_submitted)
