"""The data model: units and contact persons, questionnaire versions, rounds,
assignments with their answers, coordinator accounts and the audit log."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .db import LOCAL_TZ, UTCDateTime, db, utcnow
from .questionnaires import Question, Questionnaire, parse

UNIT_KINDS = ("namnd", "forvaltning", "verksamhet", "bolag")
ROLES = ("admin", "coordinator", "viewer")
ROUND_STATES = ("draft", "open", "closed", "archived")
ASSIGNMENT_STATUSES = ("not_started", "in_progress", "submitted", "reopened")
MAIL_KINDS = ("invitation", "reminder", "password_reset", "account_invitation", "reopened")
OUTBOX_STATUSES = ("pending", "sent", "failed")
UNIT_KIND_LABELS = {
    "namnd": _l("Nämnd"),
    "forvaltning": _l("Förvaltning"),
    "verksamhet": _l("Verksamhet"),
    "bolag": _l("Bolag"),
}
STATUS_LABELS = {
    "not_started": _l("Ej påbörjad"),
    "in_progress": _l("Påbörjad"),
    "submitted": _l("Inskickad"),
    "reopened": _l("Återöppnad"),
}
ROUND_STATE_LABELS = {
    "draft": _l("Utkast"),
    "open": _l("Öppen"),
    "closed": _l("Stängd"),
    "archived": _l("Arkiverad"),
}
# A question outside any repeating group is stored with entry index 0;
# group entries get stable indexes from 1, never reused within an assignment.
SINGLE = 0


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Unit(db.Model):
    """A node of the municipality's organisation: nämnd → förvaltning → verksamhet, or a bolag."""

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    contacts: Mapped[list[ContactPerson]] = relationship(back_populates="unit", order_by="ContactPerson.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class ContactPerson(db.Model):
    """The person a unit names to answer for it; a unit may have several."""

    __tablename__ = "contact_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="contacts")


class User(UserMixin, db.Model):
    """A coordinator-side account; contact persons have no account, only a link."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

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
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str, one_time: bool = False) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.must_change_password = one_time
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
        return self.role in ("admin", "coordinator")

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
            select(cls.email).where(cls.is_enabled.is_(True), cls.role.in_(("coordinator", "admin")))
            .order_by(cls.role.desc(), cls.created_dt, cls.id).limit(1)
        ) or ""


class QuestionnaireVersion(db.Model):
    """One exact text of a questionnaire file, identified by its content hash.

    The TOML source itself is stored, so a round keeps its questions even when
    the file in questionnaires/ is edited later: a new text is a new version.
    """

    __tablename__ = "questionnaire_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    loaded_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def definition(self) -> Questionnaire:
        return parse(self.source, name=f"{self.slug} {self.version}")

    @classmethod
    def from_source(cls, source: str) -> QuestionnaireVersion:
        """The stored version with this exact text, or a new one (validated) added to the session."""
        definition = parse(source)
        existing = db.session.scalar(select(cls).where(cls.content_hash == definition.content_hash))
        if existing:
            return existing
        version = cls(
            slug=definition.id,
            version=definition.version,
            title=definition.title,
            source=source,
            content_hash=definition.content_hash,
        )
        db.session.add(version)
        return version


@event.listens_for(QuestionnaireVersion, "before_update")
def _refuse_changing_a_version(mapper, connection, target):
    # Rounds and their answers rely on the exact questions of their version.
    raise ValueError("a questionnaire version cannot be changed; load the edited file as a new version")


class Round(db.Model):
    """One yearly mapping: a questionnaire version sent to a set of units."""

    __tablename__ = "round"
    __table_args__ = (CheckConstraint(_in("state", ROUND_STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default="draft")
    instructions: Mapped[str] = mapped_column(Text, default="")
    # The part of the organisation taking part (None: all of it).
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the coordinator published the round's summary page (None: not public).
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    scope_unit: Mapped[Unit | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="round")

    @property
    def definition(self) -> Questionnaire:
        return self.questionnaire_version.definition

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def assign(self, unit: Unit) -> Assignment:
        assignment = Assignment(round=self, unit=unit)
        db.session.add(assignment)
        return assignment

    def unassigned_participants(self, units: list[Unit] | None = None, assigned: set[int] | None = None) -> list[Unit]:
        """Units in the round's part of the organisation that have no form in it yet (added to the register since).

        A caller that has loaded every unit and the round's assigned unit ids passes them in.
        """
        if assigned is None:
            assigned = set(db.session.scalars(select(Assignment.unit_id).where(Assignment.round_id == self.id)))
        return [u for u in participating_units(self.scope_unit, units) if u.id not in assigned]

    def assign_participants(self) -> int:
        """An assignment for every participating unit that has none yet; returns how many were added."""
        added = [self.assign(u) for u in self.unassigned_participants()]
        return len(added)

    # state → (allowed from states); closing keeps drafts but stops edits.
    TRANSITIONS = {"open": ("draft", "closed"), "closed": ("open",), "archived": ("closed",)}

    def can_become(self, state: str) -> bool:
        return self.state in self.TRANSITIONS.get(state, ())

    def change_state(self, state: str) -> None:
        if not self.can_become(state):
            raise ValueError(f"a {self.state} round cannot become {state}")
        self.state = state

    @property
    def uses_answers(self) -> bool:
        return self.state != "draft"


def participating_units(root: Unit | None = None, every_unit: list[Unit] | None = None) -> list[Unit]:
    """The units that answer: active units without active children, in ``root``'s subtree (or everywhere)."""
    if every_unit is None:
        every_unit = db.session.scalars(select(Unit).where(Unit.is_active.is_(True))).all()
    units = [u for u in every_unit if u.is_active]
    has_active_child = {u.parent_id for u in units if u.parent_id is not None}
    if root is None:
        return sorted((u for u in units if u.id not in has_active_child), key=lambda u: u.name.casefold())
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    found, stack = [], [root]
    while stack:
        unit = stack.pop()
        kids = children.get(unit.id, [])
        if not kids and unit.is_active:
            found.append(unit)
        stack.extend(kids)
    return sorted(found, key=lambda u: u.name.casefold())


class Assignment(db.Model):
    """One unit's answer to one round: its status, its link and its answers."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id"),
        CheckConstraint(_in("status", ASSIGNMENT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    started_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_comment: Mapped[str] = mapped_column(Text, default="")
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminded_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: SQLAlchemy raises every update's version and refuses an
    # update whose version changed since it was read (StaleDataError), so two
    # saves at the same moment cannot silently overwrite each other.
    version: Mapped[int] = mapped_column(default=0)
    # The highest group entry index handed out, so a removed entry's index is never reused.
    last_entry_index: Mapped[int] = mapped_column(default=0)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="Answer.id"
    )
    tokens: Mapped[list[AccessToken]] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    def issue_token(self, keep_earlier: bool = False) -> str:
        """A new personal link. Unless ``keep_earlier``, every earlier link of this unit stops working.

        Invitations and reminders keep earlier links (a contact person may click
        any of the mails); "new link" on the coordinator's page revokes them.
        """
        now = utcnow()
        if not keep_earlier:
            for earlier in self.tokens:
                earlier.revoked_dt = earlier.revoked_dt or now
        token = secrets.token_urlsafe(32)
        self.tokens.append(AccessToken(token_hash=hash_token(token), issued_dt=now))
        return token

    @classmethod
    def by_token(cls, token: str) -> Assignment | None:
        return db.session.scalar(
            select(cls)
            .join(AccessToken)
            .where(AccessToken.token_hash == hash_token(token), AccessToken.revoked_dt.is_(None))
        )

    @property
    def is_editable(self) -> bool:
        return self.round.is_open and self.status != "submitted"

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"

    @property
    def definition(self) -> Questionnaire:
        return self.round.definition

    def values(self) -> dict[tuple[str, int], Any]:
        """Every stored answer keyed by (question key, entry index)."""
        return {(a.question_key, a.entry_index): a.value for a in self.answers}

    def entries(self, group: Question) -> list[int]:
        """The entry indexes of a repeating group, in the order they were added."""
        return sorted(a.entry_index for a in self.answers if a.question_key == group.key)

    def save_values(self, values: dict[tuple[str, int], Any]) -> set[str]:
        """Store answers (an empty value removes the stored one); returns the keys that changed."""
        stored = {(a.question_key, a.entry_index): a for a in self.answers}
        changed = set()
        for (key, index), value in values.items():
            answer = stored.get((key, index))
            if value in (None, "", []):
                if answer is not None:
                    self.answers.remove(answer)
                    changed.add(key)
            elif answer is None:
                self.answers.append(Answer(question_key=key, entry_index=index, value=value))
                changed.add(key)
            elif answer.value != value:
                answer.value = value
                answer.updated_dt = utcnow()
                changed.add(key)
        if changed:
            self.touch()
        return changed

    def add_entry(self, group: Question) -> int:
        self.last_entry_index = index = (self.last_entry_index or SINGLE) + 1
        # The group's own row marks that the entry exists, even before any field is filled.
        self.answers.append(Answer(question_key=group.key, entry_index=index, value=True))
        self.touch()
        return index

    def remove_entry(self, group: Question, index: int) -> bool:
        keys = _group_keys(group)
        doomed = [a for a in self.answers if a.entry_index == index and a.question_key in keys]
        for answer in doomed:
            self.answers.remove(answer)
        if doomed:
            self.touch()
        return bool(doomed)

    def touch(self) -> None:
        now = utcnow()
        if self.status == "not_started":
            self.status = "in_progress"
            self.started_dt = now
        self.last_activity_dt = now

    def missing_required(self) -> list[tuple[str, Question, int]]:
        """(section key, question, entry index) for every required answer not given."""
        values = self.values()
        missing = []
        for section in self.definition.sections:
            for question in section.questions:
                if not question.is_group:
                    if question.required and (question.key, SINGLE) not in values:
                        missing.append((section.key, question, SINGLE))
                    continue
                entries = [i for i in self.entries(question) if not self.is_empty_entry(question, i, values)]
                if question.required and not entries:
                    missing.append((section.key, question, SINGLE))
                for index in entries:
                    for field in question.fields:
                        if field.required and (field.key, index) not in values:
                            missing.append((section.key, field, index))
        return missing

    @staticmethod
    def is_empty_entry(group: Question, index: int, values: dict) -> bool:
        """An entry added but never filled in, such as a card added by mistake: it asks for nothing."""
        return not any((field.key, index) in values for field in group.fields)

    def remove_empty_entries(self) -> None:
        values = self.values()
        for group in self.definition.groups:
            for index in self.entries(group):
                if self.is_empty_entry(group, index, values):
                    self.remove_entry(group, index)

    def reopen(self, comment: str) -> None:
        """Let the unit change its submitted answers; the comment tells them what to look at."""
        self.status = "reopened"
        self.reopened_dt = utcnow()
        self.reopen_comment = comment
        self.approved_dt = None

    def approve(self) -> None:
        if self.status != "submitted":
            raise ValueError("only a submitted assignment can be approved")
        self.approved_dt = utcnow()

    def submit(self) -> None:
        self.remove_empty_entries()
        self.status = "submitted"
        self.submitted_dt = self.last_activity_dt = utcnow()

    @property
    def reference(self) -> str:
        """A short receipt reference a contact person can quote to the coordinator."""
        stamp = self.submitted_dt.astimezone(LOCAL_TZ).strftime("%Y%m%d") if self.submitted_dt else "00000000"
        return f"K{self.round_id}-{self.unit_id}-{stamp}"


class AccessToken(db.Model):
    """A personal link: only the SHA-256 of its 256-bit token is kept, so a copy of the database opens no form."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(back_populates="tokens")


def _group_keys(group: Question) -> set[str]:
    return {group.key, *(f.key for f in group.fields)}


class Answer(db.Model):
    """One answer: a question key, an entry index (0 outside repeating groups) and a JSON value."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assignment_id", "question_key", "entry_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    entry_index: Mapped[int] = mapped_column(default=SINGLE)
    value: Mapped[Any] = mapped_column(JSON)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="answers")


class MailTemplate(db.Model):
    """The editable subject and body of one kind of message; placeholders in {braces}."""

    __tablename__ = "mail_template"
    __table_args__ = (CheckConstraint(_in("kind", MAIL_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """A message waiting to be sent, or its record once sent or given up.

    Mail goes through this table so that a mail server that is down loses
    nothing: the worker retries with growing pauses.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_message_status_next_attempt_dt", "status", "next_attempt_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


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


class AuditEvent(db.Model):
    """Who did what, when. Never answer text, tokens or passwords."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_occurred_dt", "occurred_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def audit(action: str, actor: str, **fields: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, **fields)
    db.session.add(event)
    return event
