"""Uploaded files waiting for their import to be confirmed: kept briefly, private, swept away."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import current_app, session
from flask_babel import gettext as _

from survey.register.imports import RegisterFileError

UPLOAD_KEPT_SECONDS = 2 * 60 * 60
UPLOAD_READ_LIMIT = 2 * 1024 * 1024 + 1  # one byte more than any reader accepts, so it can say the file is too big
UPLOAD_NAME = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,4})?")  # the names keep_upload() gives, nothing else


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def sweep_uploads(folder: Path) -> None:
    """Remove uploads nobody confirmed within two hours (the preview was cancelled or left).

    Only files named as keep_upload() names them: the folder may be shared by mistake.
    """
    cutoff = time.time() - UPLOAD_KEPT_SECONDS
    try:
        candidates = [path for path in folder.iterdir() if UPLOAD_NAME.fullmatch(path.name)]
    except OSError:
        return
    for path in candidates:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # removed by another worker meanwhile


def keep_upload(data: bytes, suffix: str) -> str:
    """Keep an uploaded file (names, e-mail addresses, answers) until its import is confirmed;
    returns its name in the upload folder. Readable by this user only."""
    folder = upload_folder()
    sweep_uploads(folder)
    name = secrets.token_hex(16) + (suffix if re.fullmatch(r"\.[a-z0-9]{1,4}", suffix) else "")
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return name


def drop_upload(pending: dict | None) -> None:
    if pending:
        (upload_folder() / Path(pending["file"]).name).unlink(missing_ok=True)


def take_upload(session_key: str) -> tuple[dict, bytes] | None:
    """The upload waiting for confirmation under ``session_key`` (what the session kept of it, and its bytes),
    taken off the session and the disk, so each upload is confirmed once. None when it is gone: swept after two
    hours, or confirmed in another tab."""
    pending = session.pop(session_key, None)
    if not pending:
        return None
    path = upload_folder() / Path(pending["file"]).name
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    path.unlink(missing_ok=True)
    return (pending, data) if data is not None else None


class ImportPlan(Protocol):
    @property
    def ok(self) -> bool: ...


Plan = TypeVar("Plan", bound=ImportPlan)


def preview_upload(form: Any, session_key: str, preview: Callable[[str, bytes], Plan]) -> tuple[Plan, str] | None:
    """Step one of an import (upload → preview → confirm): read the form's file and preview it, writing nothing.

    A plan without errors keeps the file under ``session_key`` for confirm_upload(); a new upload replaces the one
    waiting. A file that cannot be read at all puts its message on the form's field and gives None.
    """
    upload = form.file.data
    with upload.stream:
        data = upload.read(UPLOAD_READ_LIMIT)
    filename = Path(upload.filename or "").name
    try:
        plan = preview(filename, data)
    except RegisterFileError as exc:
        form.file.errors.append(str(exc))
        return None
    drop_upload(session.pop(session_key, None))
    if plan.ok:  # a file with errors cannot be confirmed, so it is not kept
        session[session_key] = {"file": keep_upload(data, Path(filename).suffix.lower()[:5]), "name": filename[:200]}
    return plan, filename


def confirm_upload(
    session_key: str, preview: Callable[[str, bytes], Plan], apply: Callable[[Plan], dict]
) -> dict | str:
    """Step two: read the kept file again, as the preview did, and apply it: the counts ``apply`` gives, or the
    message why nothing was imported (gone after two hours or confirmed in another tab, or now with errors)."""
    taken = take_upload(session_key)
    if taken is None:
        return _("Importen har gått ut. Ladda upp filen igen.")
    pending, data = taken
    try:
        plan = preview(pending["name"], data)
        if not plan.ok:
            return _("Filen har fel och kan inte importeras.")
        return apply(plan)
    except RegisterFileError as exc:
        return str(exc)
