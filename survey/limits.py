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
from sqlalchemy import delete, func, select

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

    The attempt's rows are committed before the count is taken, so check and count cannot be raced
    apart: whichever worker commits the n-th row counts at least n, and at most the allowed number
    of concurrent attempts get through. A refused attempt is taken back (it tried nothing). Returns
    the rows' ids, for forgive() when the attempt succeeds.
    """
    hits = [RateLimitHit(key=key_for(name, subject)) for name, subject in limits]
    db.session.add_all(hits)
    db.session.commit()
    ids = [hit.id for hit in hits]
    if any(used(name, subject) > LIMITS[name][0] for name, subject in limits):
        forgive(ids)
        db.session.commit()
        abort(429)
    if random.random() < 0.01:
        # Now and then, forget attempts older than the longest window.
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.occurred_dt < utcnow() - timedelta(days=1)))
    return ids


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
