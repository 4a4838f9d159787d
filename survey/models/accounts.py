"""Staff accounts, settings, and the rate-limit counters."""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import datetime
from functools import cache
from typing import Any, cast

import pyotp
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, CursorResult, ForeignKey, Index, String, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.db import UTCDateTime, utcnow
from survey.extensions import Model, db
from survey.models.states import Role, _in


class User(UserMixin, Model):
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
    # The time-step of the last code accepted: a code is good once, and never one older than that.
    totp_last_step: Mapped[int | None] = mapped_column()
    # Part of the id kept in the session cookie: raising it ends every session of the user,
    # on the server's side (logout, new password), even for a copied cookie.
    session_generation: Mapped[int] = mapped_column(default=0)
    # Signed into the one set-password link that works: a newer link replaces it, a new password clears it.
    password_link_nonce: Mapped[str | None] = mapped_column(String(32))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The parts of the organisation the role applies to (each unit and everything below it); none: the whole tree.
    scopes: Mapped[list[UserScope]] = relationship(cascade="all, delete-orphan")

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

    @classmethod
    def authenticate(cls, email: str, password: str) -> User | None:
        """The active account with this address and password, else None, at the same cost either way:
        a missing account's password is checked against a stand-in hash, so timing shows nothing."""
        user = cls.by_email(email)
        matches = check_password_hash(user.password_hash if user else stand_in_hash(), password)
        return user if matches and user is not None and user.is_active else None

    def use_totp_code(self, code: str) -> bool:
        """Whether `code` is a current code of this user's second factor not used before; if so it is used up.

        The step is claimed by one conditional UPDATE, so two requests racing with the same code
        cannot both win, whichever workers they are in.
        """
        step = totp_step(self.totp_secret or "", code, after=self.totp_last_step)
        if step is None:
            return False
        claimed = cast(
            CursorResult,
            db.session.execute(
                update(User)
                .where(User.id == self.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
                .values(totp_last_step=step)
            ),
        )
        return claimed.rowcount == 1

    def enrol_totp(self, secret: str, code: str) -> bool:
        """Switch the second factor to `secret` if `code` is one of its current codes (used up by this)."""
        step = totp_step(secret, code, after=None)
        if step is None:
            return False
        self.totp_secret, self.totp_last_step = secret, step
        return True

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def scope_unit_ids(self) -> list[int]:
        """The units at the top of this account's parts of the tree; empty: the whole tree."""
        return [scope.unit_id for scope in self.scopes]

    @property
    def sees_whole_tree(self) -> bool:
        """An admin always does: they manage every account, so a scope would not hold them."""
        return self.role == Role.ADMIN or not self.scopes

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    @classmethod
    def contact_address(cls, configured: str) -> str:
        """Where replies to the tool's mail should go: COORDINATOR_EMAIL when it is set, otherwise the
        longest-serving coordinator's own address. Mail only: a public page never shows a staff login."""
        if configured:
            return configured
        return (
            db.session.scalar(
                select(cls.email)
                .where(cls.is_enabled.is_(True), cls.role.in_((Role.COORDINATOR, Role.ADMIN)))
                .order_by(cls.role.desc(), cls.created_dt, cls.id)
                .limit(1)
            )
            or ""
        )


class UserScope(Model):
    """One part of the organisation an account's role applies to: the unit and everything below it."""

    __tablename__ = "user_scope"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)


@cache
def stand_in_hash() -> str:
    """A hash of a random password, made once per process with the same method as real ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def totp_step(secret: str, code: str, after: int | None) -> int | None:
    """The time-step (now, or one either side for a phone's clock) whose code is `code`, if later than `after`."""
    if not secret:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


class Setting(Model):
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


class RateLimitHit(Model):
    """One attempt counted against a limit (failed logins, reset requests, unknown links).

    Kept in the database so every worker process sees the same counts.
    """

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_occurred_dt", "key", "occurred_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    occurred_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
