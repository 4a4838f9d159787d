"""Creating staff accounts: one function for the admin's page, `flask users create` and the demo."""

from __future__ import annotations

import secrets

from survey.extensions import db
from survey.models import User


def create_user(email: str, role: str, name: str = "") -> tuple[User, str]:
    """A new account with a random one-time password, which is returned so the caller can hand it over."""
    password = secrets.token_urlsafe(12)
    user = User(email=email.lower(), role=role, name=name)
    user.set_password(password, one_time=True)
    db.session.add(user)
    db.session.flush()
    return user, password
