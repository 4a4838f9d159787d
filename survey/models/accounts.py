"""Staff accounts, settings, and the rate-limit counters."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Index,
    String,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from survey.db import UTCDateTime, utcnow
from survey.extensions import db
from survey.models.states import Role, _in


class User(UserMixin, db.Model):
    """A coordinator-side account; contact persons have no account, only a link."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Set for a one-time password: the next login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Base32 secret of the second factor (TOTP); None until the user enrols.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Part of the id kept in the session cookie: raising it ends every session of the user,
    # on the server's side (logout, new password), even for a copied cookie.
    session_generation: Mapped[int] = mapped_column(default=0)
    # Signed into the one set-password link that works: a newer link replaces it, a new password clears it.
    password_link_nonce: Mapped[str | None] = mapped_column(String(32))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str, one_time: bool = False) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.must_change_password = one_time
        self.password_link_nonce = None
        self.end_sessions()

    def end_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    @classmethod
    def contact_address(cls, configured: str) -> str:
        """Where replies to the tool's mail should go: COORDINATOR_EMAIL when it is set, otherwise the
        longest-serving coordinator's own address. Mail only: a public page never shows a staff login."""
        if configured:
            return configured
        return db.session.scalar(
            select(cls.email).where(cls.is_enabled.is_(True), cls.role.in_((Role.COORDINATOR, Role.ADMIN)))
            .order_by(cls.role.desc(), cls.created_dt, cls.id).limit(1)
        ) or ""


class Setting(db.Model):
    """Site-wide settings an admin changes in the UI (e.g. requiring a second factor)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)

    @classmethod
    def get(cls, key: str, default: Any = None) -> Any:
        row = db.session.get(cls, key)
        return default if row is None else row.value

    @classmethod
    def put(cls, key: str, value: Any) -> None:
        row = db.session.get(cls, key)
        if row is None:
            db.session.add(cls(key=key, value=value))
        else:
            row.value = value


class RateLimitHit(db.Model):
    """One attempt counted against a limit (failed logins, reset requests, unknown links).

    Kept in the database so every worker process sees the same counts.
    """

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_occurred_dt", "key", "occurred_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    occurred_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
