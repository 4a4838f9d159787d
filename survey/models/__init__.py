"""The data model by area; every model module is imported here, so relationships between them resolve."""

from survey.models.accounts import RateLimitHit, Setting, User, UserScope
from survey.models.audit import ACTION_NAMES, AuditEvent, audit
from survey.models.followup import DevelopmentAreaFollowUp
from survey.models.jobs import Job
from survey.models.mail import MailTemplate, OutboxMessage
from survey.models.plan import ActivityReport, IndicatorValue, PlanActivity, PlanIndicator
from survey.models.publication import ExampleApproval
from survey.models.rounds import (
    SINGLE,
    AccessToken,
    Answer,
    Assignment,
    QuestionnaireVersion,
    Round,
    ScheduledReminder,
    hash_token,
)
from survey.models.states import (
    SENT_IN,
    STATES,
    ActivityStatus,
    AnswerOrigin,
    AssignmentStatus,
    FollowUpStatus,
    IndicatorDirection,
    JobKind,
    JobState,
    MailKind,
    OutboxStatus,
    Role,
    RoundState,
    StartChoice,
    UnitKind,
)
from survey.models.units import ContactPerson, ScopeVoice, Unit, participating_units

__all__ = [
    "ACTION_NAMES",
    "SENT_IN",
    "SINGLE",
    "STATES",
    "AccessToken",
    "ActivityReport",
    "ActivityStatus",
    "AnswerOrigin",
    "Answer",
    "Assignment",
    "AssignmentStatus",
    "AuditEvent",
    "ContactPerson",
    "DevelopmentAreaFollowUp",
    "ExampleApproval",
    "FollowUpStatus",
    "IndicatorDirection",
    "IndicatorValue",
    "Job",
    "JobKind",
    "JobState",
    "MailKind",
    "MailTemplate",
    "OutboxMessage",
    "OutboxStatus",
    "PlanActivity",
    "PlanIndicator",
    "QuestionnaireVersion",
    "RateLimitHit",
    "Role",
    "Round",
    "RoundState",
    "ScheduledReminder",
    "ScopeVoice",
    "Setting",
    "StartChoice",
    "Unit",
    "UnitKind",
    "User",
    "UserScope",
    "audit",
    "hash_token",
    "participating_units",
]
