"""Rate limits on what an attacker would repeat: logins, reset requests, guessing links.

Counts live in the database (table rate_limit_hit), shared by every worker
process; a request over a limit gets a 429 page in Swedish.
"""
from __future__ import annotations

import random
from datetime import timedelta

from flask import abort, request
from sqlalchemy import delete, func, select

from survey.db import utcnow
from survey.extensions import db
from survey.models import RateLimitHit

# name → (attempts allowed, within this window)
LIMITS = {
    "login-address": (20, timedelta(minutes=15)),
    "login-account": (10, timedelta(minutes=15)),
    "reset-address": (5, timedelta(minutes=15)),
    "reset-account": (3, timedelta(hours=1)),
    "link-address": (30, timedelta(minutes=15)),
    "code-account": (5, timedelta(minutes=15)),
}


def client_address() -> str:
    return request.remote_addr or "unknown"


def key_for(name: str, subject: str) -> str:
    return f"{name}:{subject.strip().lower()[:250]}"


def is_limited(name: str, subject: str) -> bool:
    allowed, window = LIMITS[name]
    count = db.session.scalar(
        select(func.count()).select_from(RateLimitHit).where(
            RateLimitHit.key == key_for(name, subject), RateLimitHit.occurred_dt >= utcnow() - window
        )
    )
    return count >= allowed


def check(*limits: tuple[str, str]) -> None:
    """Stop the request with 429 if any (limit name, subject) is used up."""
    if any(is_limited(name, subject) for name, subject in limits):
        abort(429)


def count(*limits: tuple[str, str]) -> None:
    """Record an attempt against each limit (committed with the request's other changes)."""
    for name, subject in limits:
        db.session.add(RateLimitHit(key=key_for(name, subject)))
    if random.random() < 0.01:
        # Now and then, forget attempts older than the longest window.
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.occurred_dt < utcnow() - timedelta(days=1)))
