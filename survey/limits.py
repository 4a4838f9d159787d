"""Rate limits on what an attacker would repeat: failed logins and codes, reset requests, made-up links.

Counts live in the database (table rate_limit_hit), shared by every worker
process; a request over a limit gets a 429 page in Swedish. Only failures
count (a reset request counts as one whatever its outcome): a right password,
code or link never uses up a limit, so a stranger's guesses cannot lock out
the person they guess at, except from the stranger's own address.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from flask import abort, request
from sqlalchemy import delete, func, select, text

from survey.db import utcnow
from survey.extensions import db
from survey.models import RateLimitHit

# name → (attempts allowed, within this window)
LIMITS = {
    # Logins: per account and address, so a guesser elsewhere does not lock the user out; per
    # address (a guesser trying many accounts); and a ceiling per account across all addresses,
    # high enough that only a spread-out attack meets it.
    "login-pair": (10, timedelta(minutes=15)),
    "login-address": (50, timedelta(minutes=15)),
    "login-account": (100, timedelta(hours=1)),
    "code-account": (5, timedelta(minutes=15)),
    "reset-address": (5, timedelta(minutes=15)),
    "reset-account": (3, timedelta(hours=1)),
    "link-address": (30, timedelta(minutes=15)),
}


def client_address() -> str:
    return request.remote_addr or "unknown"


def key_for(name: str, subject: str) -> str:
    return f"{name}:{subject.strip().lower()[:250]}"


def login_limits(email: str) -> tuple[tuple[str, str], ...]:
    address = client_address()
    return ("login-pair", f"{email} {address}"), ("login-address", address), ("login-account", email)


def attempt(*limits: tuple[str, str]) -> list[int]:
    """Count an attempt against each (limit name, subject) before it is tried; 429 if that is one too many.

    Check and count run one at a time per subject (an advisory lock on PostgreSQL; SQLite's one
    writer), so n concurrent attempts meet exactly the first `allowed` passes and the rest a 429:
    never more, and never all refused because everyone counted everyone. A refused attempt is
    rolled back (it tried nothing). Returns the rows' ids, for forgive() when the attempt succeeds.
    """
    _one_at_a_time(sorted({key_for(name, subject) for name, subject in limits}))
    hits = [RateLimitHit(key=key_for(name, subject)) for name, subject in limits]
    db.session.add_all(hits)
    db.session.flush()
    if any(used(name, subject) > LIMITS[name][0] for name, subject in limits):
        db.session.rollback()
        abort(429)
    ids = [hit.id for hit in hits]
    db.session.commit()
    if random.random() < 0.01:
        # Now and then, forget attempts older than the longest window.
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.occurred_dt < utcnow() - timedelta(days=1)))
    return ids


def _one_at_a_time(keys: Sequence[str]) -> None:
    """Hold a lock per key until the transaction ends (in sorted order, so two attempts cannot deadlock).

    SQLite needs none: the attempt's INSERT takes the database's single write lock until commit.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in keys:
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def forgive(ids: Sequence[int]) -> None:
    """Take back an attempt that succeeded (committed with the request's other changes)."""
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.id.in_(ids)))


def used(name: str, subject: str) -> int:
    _allowed, window = LIMITS[name]
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.key == key_for(name, subject), RateLimitHit.occurred_dt >= utcnow() - window)
        )
        or 0
    )
