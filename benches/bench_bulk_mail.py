"""Benchmark: "Bjud in alla", a reminder to everyone and the links file for a large round, in-process.

    .venv/bin/python benches/bench_bulk_mail.py [--units 1000 5000] [--database URL]

Builds an open round of N units, each with one contact person, in a temporary SQLite database (or the
empty database at --database), logs a coordinator in through the test client, and presses the three
buttons of the round page. Work above JOBS_UNIT_THRESHOLD units is queued as a job; the bench then runs
the job as `flask --app survey jobs work` would, in this process, and counts it with the request.
Prints per action and size the wall time and the SQL statements executed (SQLAlchemy's
before_cursor_execute event; an executemany counts once), and the messages queued.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bulk_round import bulk_round  # noqa: E402  (benches/, beside this script)

from survey import create_app  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import OutboxMessage, QuestionnaireVersion, User  # noqa: E402

QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"
PASSWORD = "bänk-lösenord-123"


def build_round(size: int) -> int:
    version = QuestionnaireVersion.from_source(QUESTIONNAIRE.read_text(encoding="utf-8"))
    round_, _assignments = bulk_round(size, version)
    if db.session.scalar(select(User).where(User.email == "bank@example.org")) is None:
        user = User(email="bank@example.org", role="coordinator", name="Bänk")
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    return round_.id


class Counter:
    def __init__(self, engine):
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self.count)

    def count(self, *args, **kwargs) -> None:
        self.statements += 1


def press(client, app, counter: Counter, url: str, data: dict) -> tuple[float, int, int]:
    """Post the form, then run any job it queued; (seconds, statements, HTTP status of the post)."""
    from survey.jobs.worker import run_pending

    counter.statements = 0
    started = time.perf_counter()
    response = client.post(url, data=data)
    with app.app_context():
        run_pending()
    return time.perf_counter() - started, counter.statements, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": args.database or f"sqlite:///{folder}/bench.sqlite",
                "EXPORT_DIR": f"{folder}/exports",
            }
        )
        for size in args.units:
            with app.app_context():
                db.session.remove()
                db.drop_all()
                db.create_all()
                round_id = build_round(size)
                counter = Counter(db.engine)
            client = app.test_client()
            client.post("/logga-in", data={"email": "bank@example.org", "password": PASSWORD})
            base = f"/samordning/omgang/{round_id}"
            for name, url, data in (
                ("invite all", f"{base}/inbjudan", {"all": "1"}),
                ("remind all", f"{base}/paminnelse", {"all": "1", "confirm": "all"}),
                ("links file", f"{base}/lankar.csv", {}),
            ):
                seconds, statements, status = press(client, app, counter, url, data)
                with app.app_context():
                    messages = db.session.scalar(select(func.count(OutboxMessage.id)))
                print(
                    f"{size:>6} units, {name}: {seconds:.2f} s, {statements} statements, "
                    f"HTTP {status}, {messages} messages in the outbox",
                    flush=True,
                )
        with app.app_context():
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
