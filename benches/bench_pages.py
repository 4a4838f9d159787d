"""Benchmark: the pages that list units, at 10, 1,000 and 5,000 units, in-process through the test client.

    .venv/bin/python benches/bench_pages.py [--sizes 10,1000,5000] [--repeat 5]

Builds, in a temporary SQLite database (or --database URL), one open and published round per size over an
organisation of ten nämnder with five förvaltningar each (bulk inserts: a unit, a contact person and an
assignment per unit, a quarter each not started, in progress, submitted and reopened), logs in as a coordinator
and requests the round dashboard, the register and the public summary. It prints per page and size the median
time of --repeat requests (after one warm-up request), the bytes and the SQL statements, and last the ratios
of the largest size to the smallest measured in this run. Aim (issue 17, item 6): the dashboard of a 5,000-unit
round under 3x the time and the bytes of a 10-unit one.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey import create_app  # noqa: E402
from survey.db import utcnow  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Assignment, ContactPerson, QuestionnaireVersion, Round, Unit, User  # noqa: E402

QUESTIONNAIRE = ROOT / "questionnaires" / "kartlaggning-vald.toml"
PASSWORD = "bänk lösenord som är långt nog"
STATUSES = ("not_started", "in_progress", "submitted", "reopened")


def build_round(size: int, version: QuestionnaireVersion) -> int:
    """A published open round over ``size`` units under ten nämnder × five förvaltningar, by bulk inserts."""
    now = utcnow()
    round_ = Round(
        name=f"Bänk {size}",
        questionnaire_version=version,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=30),
        state="open",
        published_dt=now,
    )
    db.session.add(round_)
    namnder = [Unit(name=f"Nämnd {size}-{n}", kind="namnd") for n in range(10)]
    forvaltningar = [
        Unit(name=f"Förvaltning {size}-{n}-{k}", kind="forvaltning", parent=namnd)
        for n, namnd in enumerate(namnder)
        for k in range(5)
    ]
    db.session.add_all(namnder + forvaltningar)
    db.session.flush()
    unit_ids = db.session.scalars(
        insert(Unit).returning(Unit.id, sort_by_parameter_order=True),
        [
            {
                "name": f"Verksamhet {size}-{n:05d}",
                "kind": "verksamhet",
                "parent_id": forvaltningar[n % len(forvaltningar)].id,
                "created_dt": now,
            }
            for n in range(size)
        ],
    ).all()
    db.session.execute(
        insert(ContactPerson),
        [
            {"unit_id": unit_id, "name": f"Person {n}", "email": f"p{size}-{n}@example.org", "created_dt": now}
            for n, unit_id in enumerate(unit_ids)
        ],
    )
    db.session.execute(
        insert(Assignment),
        [
            {
                "round_id": round_.id,
                "unit_id": unit_id,
                "status": STATUSES[n % 4],
                "submitted_dt": now if STATUSES[n % 4] == "submitted" else None,
                "version": 1,
            }
            for n, unit_id in enumerate(unit_ids)
        ],
    )
    db.session.commit()
    return round_.id


def measure(app, client, url: str, repeat: int) -> tuple[float, int, int]:
    """Best seconds of ``repeat``, bytes and statements of GET url (after one warm-up request)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    with app.app_context():
        engine = db.engine
    for _n in range(repeat):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, (url, response.status_code)
    return min(times), len(response.data), len(statements)


def bench_app(url: str, tmp: Path):
    """The app on the database ``url`` (emptied first) with the bench's coordinator and questionnaire version."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "SESSION_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
            "EXPORT_DIR": str(tmp / "exports"),
            "UPLOAD_DIR": str(tmp / "uploads"),
            "COORDINATOR_EMAIL": "samordnare@example.org",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        version = QuestionnaireVersion.from_source(QUESTIONNAIRE.read_text(encoding="utf-8"))
        user = User(email="bank@example.org", role="coordinator", name="Bänk")
        user.set_password(PASSWORD)
        db.session.add_all([version, user])
        db.session.commit()
    return app


def measure_size(size: int, tmp: Path, database: str | None, repeat: int) -> dict[str, tuple[float, int, int]]:
    """Each page of a round of ``size`` units, in a database of its own (emptied first)."""
    url = database or f"sqlite:///{tmp / f'bench-{size}.sqlite'}"
    app = bench_app(url, tmp)
    with app.app_context():
        round_id = build_round(size, db.session.scalars(select(QuestionnaireVersion)).one())
    client = app.test_client()
    login = client.post("/logga-in", data={"email": "bank@example.org", "password": PASSWORD})
    assert login.status_code in (302, 303), login.status_code
    results = {name: measure(app, client, url.format(id=round_id), repeat) for name, url in PAGES.items()}
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    return results


PAGES = {
    "round dashboard": "/samordning/omgang/{id}",
    "register": "/samordning/register/",
    "public summary": "/sammanstallning/{id}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000,5000", help="comma-separated unit counts (default 10,1000,5000)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page and size, the best counts (default 5)")
    parser.add_argument("--database", help="a database URL, emptied for each size (default: temporary SQLite files)")
    options = parser.parse_args()
    logging.getLogger("survey").setLevel(logging.ERROR)
    sizes = [int(size) for size in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = {size: measure_size(size, Path(tmp), options.database, options.repeat) for size in sizes}
    print(f"{'page':<18} {'units':>6} {'ms':>9} {'bytes':>10} {'queries':>8}")
    for name in PAGES:
        for size in sizes:
            seconds, size_bytes, queries = results[size][name]
            print(f"{name:<18} {size:>6} {seconds * 1000:>9.1f} {size_bytes:>10} {queries:>8}")
    small, large = min(sizes), max(sizes)
    for name in PAGES:
        (t0, b0, _q0), (t1, b1, _q1) = results[small][name], results[large][name]
        print(f"{name} {large} vs {small} units: time {t1 / t0:.2f}x, bytes {b1 / b0:.2f}x")


if __name__ == "__main__":
    main()
