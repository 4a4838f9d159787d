"""A round of many units built by bulk inserts, for the benchmarks: fourteen nämnder, ``size`` verksamheter
under them, one contact person and one assignment each. A bench adds what it measures (answers, an account)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from survey.db import utcnow
from survey.extensions import db
from survey.models import Assignment, ContactPerson, QuestionnaireVersion, Round, Unit

NAMNDER = 14


def bulk_round(size: int, version: QuestionnaireVersion, **assignment: Any) -> tuple[Round, list[int]]:
    """An open round over ``size`` new units, flushed, and its assignments' ids; ``assignment`` gives the
    assignments' columns beyond a fresh one's (a status, a submission time …). Nothing is committed."""
    round_ = Round(
        name=f"Bänk {size}",
        questionnaire_version=version,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=30),
        state="open",
    )
    db.session.add(round_)
    namnder = [Unit(name=f"Nämnd {size}-{n}", kind="namnd") for n in range(NAMNDER)]
    db.session.add_all(namnder)
    db.session.flush()
    now = utcnow()
    unit_ids = (
        db.session.execute(
            insert(Unit).returning(Unit.id),
            [
                {
                    "name": f"Verksamhet {n:05d}",
                    "kind": "verksamhet",
                    "parent_id": namnder[n % NAMNDER].id,
                    "is_active": True,
                    "created_dt": now,
                }
                for n in range(size)
            ],
        )
        .scalars()
        .all()
    )
    db.session.execute(
        insert(ContactPerson),
        [
            {"unit_id": uid, "name": f"Kontakt {uid}", "email": f"k{uid}@example.org", "created_dt": now}
            for uid in unit_ids
        ],
    )
    fresh = {"status": "not_started", "version": 1, "reminder_count": 0, "reopen_comment": ""}
    assignment_ids = (
        db.session.execute(
            insert(Assignment).returning(Assignment.id),
            [{"round_id": round_.id, "unit_id": uid, **fresh, **assignment} for uid in unit_ids],
        )
        .scalars()
        .all()
    )
    return round_, list(assignment_ids)
