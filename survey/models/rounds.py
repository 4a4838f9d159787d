"""Questionnaire versions, rounds, a unit's assignment in a round, its link tokens and answers."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import LOCAL_TZ, UTCDateTime, utcnow
from survey.extensions import Model, db
from survey.models.states import AnswerOrigin, AssignmentStatus, RoundState, StartChoice, _in
from survey.models.units import Unit, participating_units
from survey.questions.definition import Question, Questionnaire, QuestionnaireError, Section, parse
from survey.questions.languages import localized, shown_language
from survey.questions.versions import conflicts_with_stored, stored_versions

# A question outside any repeating group is stored with entry index 0;
# group entries get stable indexes from 1, never reused within an assignment.
SINGLE = 0


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A new personal link's 256-bit token and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


# Parsed questionnaire versions by content hash (frozen dataclasses, safe to share between requests and threads).
PARSED: dict[str, Questionnaire] = {}


class QuestionnaireVersion(Model):
    """One exact text of a questionnaire file, identified by its content hash.

    The TOML source itself is stored, so a round keeps its questions even when
    the file in questionnaires/ is edited later: a new text is a new version.
    """

    __tablename__ = "questionnaire_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text, deferred=True)  # read only when a version is parsed the first time
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    loaded_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def definition(self) -> Questionnaire:
        # A version's text never changes (its hash is its identity), so it is parsed once per process: every
        # save and page asks for it, and parsing is most of a save's time otherwise.
        if not self.content_hash:  # made in memory, not stored: nothing identifies its text yet
            return parse(self.source, name=f"{self.slug} {self.version}")
        definition = PARSED.get(self.content_hash)
        if definition is None:
            definition = PARSED[self.content_hash] = parse(self.source, name=f"{self.slug} {self.version}")
        return definition

    @classmethod
    def from_source(cls, source: str) -> QuestionnaireVersion:
        """The stored version with this exact text, or a new one (validated, and checked against the stored
        versions of the same questionnaire) added to the session."""
        definition = parse(source)
        existing = db.session.scalar(select(cls).where(cls.content_hash == definition.content_hash))
        if existing:
            return existing
        problems = conflicts_with_stored(definition, stored_versions(definition.id))
        if problems:
            raise QuestionnaireError(problems)
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


class Round(Model):
    """One yearly mapping: a questionnaire version sent to a set of units."""

    __tablename__ = "round"
    __table_args__ = (CheckConstraint(_in("state", RoundState), name="state"),)

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
    # When the retention purge removed the round's contact details (survey/privacy/retention.py); None: not yet.
    contacts_purged_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The round this one follows up (survey/followup/): its answers may start the forms, its development areas
    # are followed up.
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    # The coordinator's text in the yearly report (survey/report/), Markdown; empty: none written yet.
    report_text: Mapped[str] = mapped_column(Text, default="")
    # The days before closes_on on which reminders go out by themselves (survey/reminders.py), such as [7, 2];
    # empty: only the coordinator's own reminders.
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    scope_unit: Mapped[Unit | None] = relationship()
    previous_round: Mapped[Round | None] = relationship(remote_side=[id])
    assignments: Mapped[list[Assignment]] = relationship(back_populates="round")

    @property
    def definition(self) -> Questionnaire:
        """The questionnaire in the language it is shown in (the contact person's choice on their pages, a
        workbook's language, Swedish elsewhere): the same keys in every language, so answers and saving do
        not depend on it."""
        return localized(self.questionnaire_version.definition, shown_language())

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


class ScheduledReminder(Model):
    """One automatic reminder day of a round, claimed by the process that queues its reminders.

    The row is committed with the queued mail, and (round, day) is unique: a second process, or a run
    after a crash, finds the day taken and sends nothing.
    """

    __tablename__ = "scheduled_reminder"
    __table_args__ = (UniqueConstraint("round_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    days_before: Mapped[int]
    queued_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    units: Mapped[int] = mapped_column(default=0)
    messages: Mapped[int] = mapped_column(default=0)


class Assignment(Model):
    """One unit's answer to one round: its status, its link and its answers."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id"),
        CheckConstraint(_in("status", AssignmentStatus), name="status"),
        CheckConstraint(_in("start_choice", StartChoice), name="start_choice"),
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
    # In a follow-up round: whether the contact person started from last round's answers or blank (None: not asked).
    start_choice: Mapped[str | None] = mapped_column(String(20))

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
        token, token_hash = new_token()
        self.tokens.append(AccessToken(token_hash=token_hash, issued_dt=now))
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
        return self.round.is_open and not self.is_submitted

    @property
    def is_submitted(self) -> bool:
        return self.status == AssignmentStatus.SUBMITTED

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
                if answer.origin is not None:  # copied from last round, and now no longer what it said
                    answer.origin = AnswerOrigin.CHANGED
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
                entries = self.filled_entries(question, values)
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

    @staticmethod
    def filled_entries(group: Question, values: dict) -> list[int]:
        """The group's entries with at least one answer, in order: an empty card is left out. ``values`` need
        hold only the group's own rows and its fields' answers, as values() has them."""
        entries = sorted(index for key, index in values if key == group.key)
        return [index for index in entries if not Assignment.is_empty_entry(group, index, values)]

    def empty_entries(self, values: dict) -> list[tuple[Section, Question, int]]:
        """(section, group, entry index) of every card added and never filled in: submitting drops them."""
        return [
            (section, group, index)
            for section in self.definition.sections
            for group in section.questions
            if group.is_group
            for index in self.entries(group)
            if self.is_empty_entry(group, index, values)
        ]

    def remove_empty_entries(self) -> None:
        for _section, group, index in self.empty_entries(self.values()):
            self.remove_entry(group, index)

    def reopen(self, comment: str) -> None:
        """Let the unit change its submitted answers; the comment tells them what to look at."""
        self.status = "reopened"
        self.reopened_dt = utcnow()
        self.reopen_comment = comment
        self.approved_dt = None

    def approve(self) -> None:
        if not self.is_submitted:
            raise ValueError("only a submitted assignment can be approved")
        self.approved_dt = utcnow()

    def submit(self) -> None:
        self.remove_empty_entries()
        self.status = AssignmentStatus.SUBMITTED
        self.submitted_dt = self.last_activity_dt = utcnow()

    @property
    def reference(self) -> str:
        """A short receipt reference a contact person can quote to the coordinator."""
        stamp = self.submitted_dt.astimezone(LOCAL_TZ).strftime("%Y%m%d") if self.submitted_dt else "00000000"
        return f"K{self.round_id}-{self.unit_id}-{stamp}"


class AccessToken(Model):
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


class Answer(Model):
    """One answer: a question key, an entry index (0 outside repeating groups) and a JSON value."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("assignment_id", "question_key", "entry_index"),
        CheckConstraint(_in("origin", AnswerOrigin), name="origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    entry_index: Mapped[int] = mapped_column(default=SINGLE)
    value: Mapped[Any] = mapped_column(JSON)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the answer was copied from last round (survey/followup/prefill.py); None for the unit's own answer.
    origin: Mapped[str | None] = mapped_column(String(20))

    assignment: Mapped[Assignment] = relationship(back_populates="answers")
