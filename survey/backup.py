"""`flask --app survey backup`: a consistent copy of the database while the app keeps running."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from flask import current_app

from survey.extensions import db


def backup(output: str | None = None) -> Path:
    url = db.engine.url
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    path = Path(output) if output else Path(current_app.instance_path) / "backups" / f"kartlaggning-{stamp}.{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise RuntimeError("an in-memory SQLite database has nothing to back up")
        backup_sqlite(url.database, path)
    else:
        backup_postgresql(url, path)
    path.chmod(0o600)
    return path


def backup_sqlite(database: str, path: Path) -> None:
    """SQLite's online backup API copies a consistent snapshot, WAL included, without stopping writers."""
    source = sqlite3.connect(database)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup_postgresql(url, path: Path) -> None:
    """pg_dump in custom format (restore with pg_restore); the password goes by environment, not argv."""
    if shutil.which("pg_dump") is None:
        raise RuntimeError("pg_dump not found (apt-get install postgresql-client)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={plain}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or f"pg_dump exited with {result.returncode}")
