"""The states and kinds the data model knows, with their labels beside them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
