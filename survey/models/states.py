"""The states and kinds the data model knows, each an enum with its labels beside it.

They are StrEnums, so a member is the very string stored in the database (and compares equal to it):
columns stay plain strings, and the check constraints list the members' values.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


class StoredState(StrEnum):
    """A state or kind as stored in a column, and how the pages name it."""

    @property
    def label(self) -> LazyString:
        raise NotImplementedError

    def label_in_swedish(self) -> str:
        """The label for a workbook or a mail, which are Swedish whatever language the pages are in."""
        with force_locale("sv"):
            return str(self.label)


class UnitKind(StoredState):
    """A unit's place in the tree: a municipality's nämnd → förvaltning → verksamhet (and its bolag); in a county,
    the kommunförbund or län at the top, its parts (länsdelar) grouping the municipalities, each kommun above its
    nämnder, and the outside authorities (region, polis, länsstyrelse) beside the municipalities."""

    NAMND = "namnd"
    FORVALTNING = "forvaltning"
    VERKSAMHET = "verksamhet"
    BOLAG = "bolag"
    KOMMUNFORBUND = "kommunforbund"
    LAN = "lan"
    LANSDEL = "lansdel"
    KOMMUN = "kommun"
    REGION = "region"
    POLIS = "polis"
    LANSSTYRELSE = "lansstyrelse"

    @property
    def label(self) -> LazyString:
        return {
            UnitKind.NAMND: _l("Nämnd"),
            UnitKind.FORVALTNING: _l("Förvaltning"),
            UnitKind.VERKSAMHET: _l("Verksamhet"),
            UnitKind.BOLAG: _l("Bolag"),
            UnitKind.KOMMUNFORBUND: _l("Kommunförbund"),
            UnitKind.LAN: _l("Län"),
            UnitKind.LANSDEL: _l("Länsdel"),
            UnitKind.KOMMUN: _l("Kommun"),
            UnitKind.REGION: _l("Region"),
            UnitKind.POLIS: _l("Polis"),
            UnitKind.LANSSTYRELSE: _l("Länsstyrelse"),
        }[self]


# The levels a roll-up counts by, finest first: a unit counts towards its nearest unit of each level above it.
# A nämnd's level holds the bolag and the outside authorities too (each its own top), so every unit is in one.
NAMND_LEVEL = (UnitKind.NAMND, UnitKind.BOLAG, UnitKind.REGION, UnitKind.POLIS, UnitKind.LANSSTYRELSE)
# The top of a county's tree, above every level.
COUNTY_TOPS = (UnitKind.KOMMUNFORBUND, UnitKind.LAN)


class Role(StoredState):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"

    @property
    def label(self) -> LazyString:
        # A noun that reads well in a sentence too: the account mail says "med rollen {roll}".
        return {Role.ADMIN: _l("administratör"), Role.COORDINATOR: _l("samordnare"), Role.VIEWER: _l("läsare")}[self]

    @property
    def label_and_duties(self) -> LazyString:
        """What the admin chooses between when creating an account."""
        return {
            Role.ADMIN: _l("Administratör – hanterar även konton"),
            Role.COORDINATOR: _l("Samordnare – driver omgångar"),
            Role.VIEWER: _l("Läsare – ser svarsläge och sammanställningar"),
        }[self]


class RoundState(StoredState):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> LazyString:
        return {
            RoundState.DRAFT: _l("Utkast"),
            RoundState.OPEN: _l("Öppen"),
            RoundState.CLOSED: _l("Stängd"),
            RoundState.ARCHIVED: _l("Arkiverad"),
        }[self]


class AssignmentStatus(StoredState):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    REOPENED = "reopened"

    @property
    def label(self) -> LazyString:
        return {
            AssignmentStatus.NOT_STARTED: _l("Ej påbörjad"),
            AssignmentStatus.IN_PROGRESS: _l("Påbörjad"),
            AssignmentStatus.SUBMITTED: _l("Inskickad"),
            AssignmentStatus.REOPENED: _l("Återöppnad"),
        }[self]


# Answers that have been sent in. A unit the coordinator reopened for a correction keeps counting
# (its status says so), so reopening just before a council meeting does not drop it from the workbook.
SENT_IN = (AssignmentStatus.SUBMITTED, AssignmentStatus.REOPENED)


class MailKind(StoredState):
    INVITATION = "invitation"
    REMINDER = "reminder"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_INVITATION = "account_invitation"
    REOPENED = "reopened"
    RECEIPT = "receipt"

    @property
    def label(self) -> LazyString:
        return {
            MailKind.INVITATION: _l("Inbjudan"),
            MailKind.REMINDER: _l("Påminnelse"),
            MailKind.PASSWORD_RESET: _l("Nytt lösenord"),
            MailKind.ACCOUNT_INVITATION: _l("Nytt konto"),
            MailKind.REOPENED: _l("Svaren öppnade igen"),
            MailKind.RECEIPT: _l("Kvitto på inskickade svar"),
        }[self]


class OutboxStatus(StoredState):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> LazyString:
        return {
            OutboxStatus.PENDING: _l("Väntar"),
            OutboxStatus.SENT: _l("Skickat"),
            OutboxStatus.FAILED: _l("Misslyckades"),
        }[self]


class JobKind(StoredState):
    INVITATIONS = "invitations"
    REMINDERS = "reminders"
    LINKS = "links"
    WORKBOOK = "workbook"

    @property
    def label(self) -> LazyString:
        return {
            JobKind.INVITATIONS: _l("Inbjudningar till alla"),
            JobKind.REMINDERS: _l("Påminnelser till alla"),
            JobKind.LINKS: _l("Länkfil"),
            JobKind.WORKBOOK: _l("Sammanställning för rådet"),
        }[self]


class JobState(StoredState):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> LazyString:
        return {
            JobState.QUEUED: _l("I kö"),
            JobState.RUNNING: _l("Pågår"),
            JobState.DONE: _l("Klart"),
            JobState.FAILED: _l("Misslyckades"),
        }[self]


class StartChoice(StoredState):
    """How a contact person began a follow-up round's form."""

    PREVIOUS = "previous"
    BLANK = "blank"

    @property
    def label(self) -> LazyString:
        return {StartChoice.PREVIOUS: _l("Från förra omgångens svar"), StartChoice.BLANK: _l("Tomt formulär")}[self]


class AnswerOrigin(StoredState):
    """Where an answer of a follow-up round came from; an answer the unit gave itself has none."""

    PREVIOUS = "previous"  # copied from last round, not yet looked at
    CONFIRMED = "confirmed"  # copied, and saved unchanged on purpose
    CHANGED = "changed"  # copied, then changed

    @property
    def label(self) -> LazyString:
        return {
            AnswerOrigin.PREVIOUS: _l("Från förra omgången"),
            AnswerOrigin.CONFIRMED: _l("Bekräftat"),
            AnswerOrigin.CHANGED: _l("Ändrat"),
        }[self]


class FollowUpStatus(StoredState):
    """What became of one of last round's development areas."""

    DONE = "atgardat"
    ONGOING = "pagar"
    NOT_STARTED = "ej_paborjat"
    OBSOLETE = "inaktuellt"

    @property
    def label(self) -> LazyString:
        return {
            FollowUpStatus.DONE: _l("Åtgärdat"),
            FollowUpStatus.ONGOING: _l("Pågår"),
            FollowUpStatus.NOT_STARTED: _l("Ej påbörjat"),
            FollowUpStatus.OBSOLETE: _l("Inte längre aktuellt"),
        }[self]

    @property
    def acted_on(self) -> bool:
        """Counted as acted on in the dashboard and the workbook: done, or under way."""
        return self in (FollowUpStatus.DONE, FollowUpStatus.ONGOING)


class ActivityStatus(StoredState):
    """Where one of the action plan's activities stands, as its responsible unit reports it in a round."""

    NOT_STARTED = "ej_paborjad"
    ONGOING = "pagar"
    DONE = "genomford"
    CANCELLED = "installd"

    @property
    def label(self) -> LazyString:
        return {
            ActivityStatus.NOT_STARTED: _l("Inte påbörjad"),
            ActivityStatus.ONGOING: _l("Pågår"),
            ActivityStatus.DONE: _l("Genomförd"),
            ActivityStatus.CANCELLED: _l("Inställd"),
        }[self]


class IndicatorDirection(StoredState):
    """Which way an indicator of the action plan improves: its target is met at or above it, or at or below it."""

    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> LazyString:
        return {IndicatorDirection.HIGHER: _l("Högre är bättre"), IndicatorDirection.LOWER: _l("Lägre är bättre")}[self]

    def meets(self, value: float, target: float) -> bool:
        return value >= target if self is IndicatorDirection.HIGHER else value <= target


STATES = (
    UnitKind,
    Role,
    RoundState,
    AssignmentStatus,
    MailKind,
    OutboxStatus,
    StartChoice,
    AnswerOrigin,
    FollowUpStatus,
    ActivityStatus,
    IndicatorDirection,
)


def _in(column: str, values: type[StoredState]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"
