"""The data model by area; every model module is imported here, so relationships between them resolve."""
from survey.models.accounts import RateLimitHit, Setting, User
from survey.models.audit import AuditEvent, audit
from survey.models.mail import MailTemplate, OutboxMessage
from survey.models.rounds import SINGLE, AccessToken, Answer, Assignment, QuestionnaireVersion, Round, hash_token
from survey.models.states import (
    ASSIGNMENT_STATUSES,
    MAIL_KINDS,
    OUTBOX_STATUSES,
    ROLES,
    ROUND_STATE_LABELS,
    ROUND_STATES,
    STATUS_LABELS,
    UNIT_KIND_LABELS,
    UNIT_KINDS,
)
from survey.models.units import ContactPerson, Unit, participating_units

__all__ = ["UNIT_KINDS", "ROLES", "ROUND_STATES", "ASSIGNMENT_STATUSES", "MAIL_KINDS", "OUTBOX_STATUSES", "UNIT_KIND_LABELS", "STATUS_LABELS", "ROUND_STATE_LABELS", "Unit", "ContactPerson", "participating_units", "User", "Setting", "RateLimitHit", "SINGLE", "hash_token", "QuestionnaireVersion", "Round", "Assignment", "AccessToken", "Answer", "MailTemplate", "OutboxMessage", "AuditEvent", "audit"]
