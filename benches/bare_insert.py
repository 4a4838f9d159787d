"""The yardstick for benches/bench_load.py: a bare Flask + Flask-SQLAlchemy app whose one endpoint inserts one row
and commits, served by the same gunicorn.conf.py against the same database (SQLite with the app's own pragmas:
WAL, synchronous=FULL, busy_timeout; or PostgreSQL). What a save costs above this is the app's own work.

    DATABASE_URL=... gunicorn -c gunicorn.conf.py --chdir benches bare_insert:app
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import survey.db  # noqa: E402, F401  the SQLite pragmas every connection of the app gets, here too
from survey import database_url  # noqa: E402


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BenchRow(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bench_insert"

    id: Mapped[int] = mapped_column(primary_key=True)
    user: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ.get("DATABASE_URL"), "/tmp")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.post("/insert")
    def insert():
        row = BenchRow(user=request.form.get("user", ""), value=request.form.get("value", ""))
        db.session.add(row)
        db.session.commit()
        return jsonify(ok=True, id=row.id)

    return app


app = create_app()
