"""Benchmark: the CPU time of the round dashboard in-process, which other work on the machine disturbs less than
bench_pages.py's wall-clock time.

    .venv/bin/python benches/bench_dashboard.py [--sizes 10,1000] [--repeat 30] [--follow-up]

Builds bench_pages.py's round in a temporary SQLite database, as it stands in the rush: automatic reminders, every
third unit invited (and reminded), the others' last activity spread over the past hours. --follow-up makes it the
follow-up of a closed round of the same units with a development area and 40 other answers each. Prints per size the median and the least
CPU time (time.process_time) of --repeat requests after three warm-up requests, the bytes and the SQL statements.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import bindparam, event, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import PASSWORD, bench_app, build_round  # noqa: E402

from survey.db import utcnow  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.models import Answer, Assignment, QuestionnaireVersion, Round  # noqa: E402

AREA = (("utvecklingsomraden", True), ("utveckling_rubrik", "Rutin saknas"), ("utveckling_valdsomraden", ["fysiskt"]))
# The rest of a filled-in form last round: the follow-up counts must not pay for answers they do not read.
OTHER_ANSWERS = tuple((f"bench_fraga_{n}", "Ett svar som verksamheten gav förra året.") for n in range(40))


def in_the_rush(round_id: int) -> None:
    """Reminder days, invitations and activity as a round has them while the units answer."""
    now = utcnow()
    round_ = db.session.get(Round, round_id)
    round_.reminder_days = [20, 10, 3]
    ids = db.session.scalars(select(Assignment.id).where(Assignment.round_id == round_id).order_by(Assignment.id))
    db.session.execute(
        update(Assignment.__table__).where(Assignment.__table__.c.id == bindparam("aid")),  # by id, no versions
        [
            {
                "aid": aid,
                "invited_dt": now - timedelta(days=5) if n % 3 == 0 else None,
                "last_reminded_dt": now - timedelta(days=1) if n % 6 == 0 else None,
                "reminder_count": 1 if n % 6 == 0 else 0,
                "last_activity_dt": now - timedelta(minutes=n) if n % 4 else None,
            }
            for n, aid in enumerate(ids)
        ],
    )
    db.session.commit()


def follow_up_of(previous_id: int, version: QuestionnaireVersion) -> int:
    """A follow-up round of the closed round ``previous_id``, whose every unit wrote one development area (and
    answered 40 other questions)."""
    previous = db.session.get(Round, previous_id)
    previous.state = "closed"
    pairs = db.session.execute(select(Assignment.id, Assignment.unit_id).where(Assignment.round_id == previous_id))
    pairs = pairs.all()
    now = utcnow()
    db.session.execute(
        insert(Answer),
        [
            {"assignment_id": aid, "question_key": key, "entry_index": 1, "value": value, "updated_dt": now}
            for aid, _unit_id in pairs
            for key, value in AREA + OTHER_ANSWERS
        ],
    )
    round_ = Round(
        name=f"{previous.name}, uppföljning",
        questionnaire_version=version,
        opens_on=previous.opens_on,
        closes_on=previous.closes_on,
        state="open",
        previous_round_id=previous_id,
    )
    db.session.add(round_)
    db.session.flush()
    db.session.execute(
        insert(Assignment),
        [{"round_id": round_.id, "unit_id": unit_id, "status": "in_progress", "version": 1} for _a, unit_id in pairs],
    )
    db.session.commit()
    return round_.id


def measure_size(size: int, tmp: Path, repeat: int, follow_up: bool) -> tuple[float, float, int, int]:
    app = bench_app(f"sqlite:///{tmp / f'dashboard-{size}.sqlite'}", tmp)
    with app.app_context():
        version = db.session.scalars(select(QuestionnaireVersion)).one()
        round_id = build_round(size, version)
        if follow_up:
            round_id = follow_up_of(round_id, version)
        in_the_rush(round_id)
        engine = db.engine
    client = app.test_client()
    assert client.post("/logga-in", data={"email": "bank@example.org", "password": PASSWORD}).status_code == 303
    url = f"/samordning/omgang/{round_id}"
    for _n in range(3):
        assert client.get(url).status_code == 200
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    response = client.get(url)
    event.remove(engine, "before_cursor_execute", record)
    times = []
    for _n in range(repeat):
        started = time.process_time()
        response = client.get(url)
        times.append(time.process_time() - started)
    assert response.status_code == 200
    return statistics.median(times), min(times), len(response.data), len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000", help="comma-separated unit counts (default 10,1000)")
    parser.add_argument("--repeat", type=int, default=30, help="requests per size (default 30)")
    parser.add_argument("--follow-up", action="store_true", help="the follow-up round of a closed one")
    options = parser.parse_args()
    logging.getLogger("survey").setLevel(logging.ERROR)
    print(f"{'units':>6} {'cpu ms (median)':>16} {'cpu ms (least)':>15} {'bytes':>8} {'queries':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(size) for size in options.sizes.split(",")):
            median, least, size_bytes, queries = measure_size(size, Path(tmp), options.repeat, options.follow_up)
            print(f"{size:>6} {median * 1000:>16.1f} {least * 1000:>15.1f} {size_bytes:>8} {queries:>8}")


if __name__ == "__main__":
    main()
