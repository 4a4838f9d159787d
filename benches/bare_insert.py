"""The yardsticks for benches/bench_load.py: a bare Flask + Flask-SQLAlchemy app served by the same gunicorn.conf.py
against the same database (SQLite with the app's own pragmas: WAL, synchronous=FULL, busy_timeout; or PostgreSQL).
``/insert`` inserts one row and commits. ``/save`` does the database work of a save and nothing else: read the
assignment and its answer, write the answer, raise the version (checked, as the app's version_id_col does) and add
an audit row, in one transaction. What a save costs above ``/save`` is the app's own work (session, forms, pages).

    DATABASE_URL=... gunicorn -c gunicorn.conf.py --chdir benches bare_insert:app
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, String, select
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


class BenchAssignment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bench_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    saves: Mapped[int] = mapped_column(default=0)  # what the app's last_activity_dt is: a change on every save
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class BenchAnswer(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bench_answer"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("bench_assignment.id"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class BenchAudit(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bench_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("bench_assignment.id"))
    event: Mapped[str] = mapped_column(String(40))


def add_assignments(count: int) -> None:
    """One assignment per simulated user, so that saves do not wait on one another's rows (as the app's do not)."""
    db.session.add_all(BenchAssignment(id=n) for n in range(1, count + 1))
    db.session.commit()


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

    @app.post("/save")
    def save():
        assignment = db.session.get(BenchAssignment, int(request.form["assignment"]))
        if assignment is None:
            return jsonify(ok=False), 404
        answer = db.session.scalar(
            select(BenchAnswer).where(BenchAnswer.assignment_id == assignment.id, BenchAnswer.question_key == "text")
        )
        if answer is None:
            db.session.add(BenchAnswer(assignment_id=assignment.id, question_key="text", value=request.form["value"]))
        else:
            answer.value = request.form["value"]
        assignment.saves += 1  # UPDATE ... SET version = version + 1 WHERE id = ? AND version = ?
        db.session.flush()  # the version check, before the audit row, as the app orders them
        db.session.add(BenchAudit(assignment_id=assignment.id, event="answers_saved"))
        db.session.commit()
        return jsonify(ok=True, version=assignment.version)

    return app


app = create_app()
