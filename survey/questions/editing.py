"""The coordinator's questionnaire editor: an upload (spreadsheet or TOML) or a typed text checked, kept as a
draft, compared with the version the latest round used, and saved as a new version.

The readers and checks are the command line's (xlsform_reading, definition.parse, versions); this
module adds what a page needs: problems as the page shows them (problems.py), the draft kept between
requests in the private upload folder (register/uploads.py, swept after two hours), and the rule that
a version in use is never changed while one nobody uses yet may be replaced by its corrected text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import session
from flask_babel import gettext as _
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import func, select

from survey.access import visible_rounds
from survey.extensions import db
from survey.models import QuestionnaireVersion, Round
from survey.questions.definition import Questionnaire, QuestionnaireError, parse
from survey.questions.problems import Problem, readable_all
from survey.questions.versions import conflicts_with_stored, stored_versions
from survey.questions.xlsform import write_workbook
from survey.questions.xlsform_reading import read_workbook
from survey.register.uploads import drop_upload, keep_upload, take_upload, upload_folder

DRAFT_KEY = "questionnaire_draft"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_WARNINGS_KEPT = 200


@dataclass
class Checked:
    """A text read and checked: its TOML source ("" when a spreadsheet could not be read), the problems that
    keep it from being saved, and what a spreadsheet held that could not be carried over."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    definition: Questionnaire | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.definition is not None


def read_upload(filename: str, data: bytes, replaces: QuestionnaireVersion | None = None) -> Checked:
    """An uploaded file: an XLSForm workbook (.xlsx) or a TOML text (.toml)."""
    suffix = Path(filename).suffix.lower()
    if len(data) > MAX_UPLOAD_BYTES:
        return Checked(
            "", [Problem("", _("Filen är större än 2 MB. Ett frågeformulär är sällan större än några hundra kB."))]
        )
    if suffix == ".xlsx":
        reading = read_workbook(data, name=filename)
        warnings = readable_all(reading.warnings, filename)
        if reading.problems:
            return Checked("", readable_all(reading.problems, filename), warnings)
        checked = check_text(reading.source, filename, replaces)
        checked.warnings = warnings + checked.warnings
        return checked
    if suffix == ".toml":
        try:
            source = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Checked("", [Problem("", _("Filen är inte text i UTF-8. Spara den som UTF-8 och försök igen."))])
        return check_text(source.replace("\r\n", "\n"), filename, replaces)
    return Checked("", [Problem("", _("Välj en fil som slutar på .xlsx (Excel) eller .toml."))])


def check_text(source: str, name: str, replaces: QuestionnaireVersion | None = None) -> Checked:
    """Every problem of a questionnaire text, the checks against the stored versions included: a version label
    already used for other questions, a question key whose answers would no longer read, the very same text
    stored already. ``replaces``: the unused version this text would replace, left out of the comparison."""
    try:
        definition = parse(source, name=name)
    except QuestionnaireError as exc:
        return Checked(source, readable_all(exc.problems, name, source))
    stored = [row for row in stored_versions(definition.id) if replaces is None or row[1] != replaces.content_hash]
    problems = readable_all(conflicts_with_stored(definition, stored, name=name), name, source)
    same = db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.content_hash == definition.content_hash)
    )
    if same is not None:
        problems.append(
            Problem(
                "",
                _(
                    "Exakt samma text finns redan sparad som %(title)s, version %(version)s. "
                    "Ändra något, eller använd den versionen.",
                    title=same.title,
                    version=same.version,
                ),
            )
        )
    return Checked(source, problems, definition=definition)


# The draft between requests


@dataclass
class Draft:
    source: str
    name: str  # the file it came from, or the text typed on the page
    warnings: list[Problem]
    replaces_id: int | None

    @property
    def definition(self) -> Questionnaire:
        return parse(self.source, name=self.name)


def keep_draft(checked: Checked, name: str, replaces: QuestionnaireVersion | None) -> None:
    """Keep a checked text as the coordinator's draft (one at a time: a new one replaces it)."""
    drop_upload(session.pop(DRAFT_KEY, None))
    data = {
        "source": checked.source,
        "name": name,
        "warnings": [[w.where, w.message] for w in checked.warnings[:MAX_WARNINGS_KEPT]],
        "replaces": replaces.id if replaces is not None else None,
    }
    session[DRAFT_KEY] = {"file": keep_upload(json.dumps(data).encode("utf-8"), ".json")}


def current_draft() -> Draft | None:
    """The draft kept for this session; None when there is none, or it was swept (after two hours)."""
    pending = session.get(DRAFT_KEY)
    if not pending:
        return None
    try:
        data = json.loads((upload_folder() / Path(pending["file"]).name).read_bytes())
        draft = Draft(data["source"], data["name"], [Problem(w, m) for w, m in data["warnings"]], data["replaces"])
        draft.definition  # noqa: B018  # a draft is kept only once it parses; a damaged file is no draft
    except (OSError, ValueError, KeyError, TypeError, QuestionnaireError):
        return None
    return draft


def draft_mark() -> str:
    """What names the kept draft (its file), for a confirmation form: a draft replaced in another tab since is
    not the one confirmed."""
    return str((session.get(DRAFT_KEY) or {}).get("file", ""))


def discard_draft(mark: str) -> bool:
    """Throw the draft away (off the session and the disk), if it is still the one named by ``mark``."""
    if not mark or draft_mark() != mark:
        return False
    drop_upload(session.pop(DRAFT_KEY, None))
    return True


def take_draft() -> Draft | None:
    """The draft, taken off the session and the disk so that it is saved once."""
    taken = take_upload(DRAFT_KEY)
    if taken is None:
        return None
    try:
        data = json.loads(taken[1])
        return Draft(data["source"], data["name"], [], data["replaces"])
    except (ValueError, KeyError, TypeError):
        return None


# Versions and the rounds that use them


def round_counts() -> dict[int, int]:
    """How many rounds (of every scope: a version in use anywhere is read-only) use each version."""
    rows = db.session.execute(
        select(Round.questionnaire_version_id, func.count()).group_by(Round.questionnaire_version_id)
    )
    return {version_id: count for version_id, count in rows}


def in_use(version: QuestionnaireVersion) -> bool:
    return bool(db.session.scalar(select(func.count()).where(Round.questionnaire_version_id == version.id)))


def rounds_using(user, version_ids) -> dict[int, list[Round]]:
    """The rounds this user may see, by the version they use, newest first."""
    rounds = db.session.scalars(
        select(Round)
        .where(Round.id.in_(visible_rounds(user)), Round.questionnaire_version_id.in_(version_ids))
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    found: dict[int, list[Round]] = {}
    for round_ in rounds:
        found.setdefault(round_.questionnaire_version_id, []).append(round_)
    return found


def compared_version(user, slug: str) -> tuple[QuestionnaireVersion | None, Round | None]:
    """What a draft is compared with: the version the latest round (that the user may see) of the same
    questionnaire used, else the newest stored version of it; and that round."""
    latest = db.session.scalar(
        select(Round)
        .join(QuestionnaireVersion, Round.questionnaire_version_id == QuestionnaireVersion.id)
        .where(Round.id.in_(visible_rounds(user)), QuestionnaireVersion.slug == slug)
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .limit(1)
    )
    if latest is not None:
        return latest.questionnaire_version, latest
    newest = db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.slug == slug)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )
    return newest, None


class SaveRefused(Exception):
    """The draft cannot be saved; the message (or ``problems``) says why, for the page."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def save_draft(draft: Draft) -> tuple[QuestionnaireVersion, QuestionnaireVersion | None]:
    """The draft stored as a new version (and the unused version it replaces, removed); checked again, since
    versions and rounds may have changed since the draft was made."""
    replaces = db.session.get(QuestionnaireVersion, draft.replaces_id) if draft.replaces_id else None
    if replaces is not None and in_use(replaces):
        raise SaveRefused(
            _(
                "Version %(version)s har börjat användas av en omgång och kan inte längre ändras. "
                "Ge texten en ny versionsbeteckning och spara den som en ny version.",
                version=replaces.version,
            )
        )
    checked = check_text(draft.source, draft.name, replaces)
    if not checked.ok:
        raise SaveRefused(_("Utkastet kan inte sparas:"), checked.problems)
    if replaces is not None:
        db.session.delete(replaces)
        db.session.flush()
    return QuestionnaireVersion.from_source(draft.source), replaces


def spreadsheet_of(source: str) -> bytes | None:
    """A version as an XLSForm workbook to change in Excel; None if reading it back would not give the very
    same text (a control character no cell can hold), as `questionnaire export` refuses it too."""
    try:
        data = write_workbook(source)
    except IllegalCharacterError:
        return None
    return data if read_workbook(data, name="export").source == source else None
