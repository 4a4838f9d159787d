"""The voice a unit's contact persons hear: for each field, the nearest part up the tree that set it, else the
app's configuration (MAIL_FROM's name, COORDINATOR_EMAIL)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from flask import current_app
from sqlalchemy import literal, select

from survey.extensions import db
from survey.models import Assignment, OutboxMessage, ScopeVoice, Unit, User

FIELDS = ("sender_name", "reply_to", "manual", "contact_details")
DEEPEST = 100  # a walk up the tree ends here whatever the data says, so a cycle in bad data ends too


@dataclass(frozen=True)
class Voice:
    sender_name: str = ""
    reply_to: str = ""
    manual: str = ""
    contact_details: str = ""
    # Per field, the unit whose setting it is (None: the app's configuration).
    source: tuple[Unit | None, ...] = (None, None, None, None)

    def from_header(self, mail_from: str) -> str:
        """MAIL_FROM with this voice's sender name: the address stays the one the mail server sends as."""
        name, address = parseaddr(mail_from)
        return formataddr((self.sender_name or name, address)) if address else mail_from


def chain_voices(unit_id: int) -> list[ScopeVoice]:
    """The voices set on the unit and the units above it, nearest first, in one recursive query."""
    up = select(Unit.id, Unit.parent_id, literal(0).label("depth")).where(Unit.id == unit_id).cte(recursive=True)
    up = up.union_all(
        select(Unit.id, Unit.parent_id, up.c.depth + 1).where(Unit.id == up.c.parent_id, up.c.depth < DEEPEST)
    )
    return list(db.session.scalars(select(ScopeVoice).join(up, ScopeVoice.unit_id == up.c.id).order_by(up.c.depth)))


def voice_for(unit_id: int | None) -> Voice:
    """The voice a unit's contact persons hear (``None``: no unit, as for an account's mail: the configuration)."""
    voices = chain_voices(unit_id) if unit_id is not None else []
    values, sources = [], []
    for name in FIELDS:
        found = next((v for v in voices if getattr(v, name).strip()), None)
        values.append(getattr(found, name).strip() if found else "")
        sources.append(found.unit if found else None)
    config = current_app.config
    sender_name, reply_to, manual, contact_details = values
    if not sender_name:
        sender_name = parseaddr(config.get("MAIL_FROM", ""))[0]
    if not reply_to:
        reply_to = User.contact_address(config.get("COORDINATOR_EMAIL", ""))
    return Voice(sender_name, reply_to, manual, contact_details, tuple(sources))


def mail_headers(message: OutboxMessage, mail_from: str, reply_to: str) -> tuple[str, str]:
    """From and Reply-To of a message: to a unit's contact person in its part's voice; any other mail (an account's)
    as configured."""
    if message.assignment_id is None:
        return mail_from, reply_to
    unit_id = db.session.scalar(select(Assignment.unit_id).where(Assignment.id == message.assignment_id))
    voice = voice_for(unit_id)
    return voice.from_header(mail_from), voice.reply_to or reply_to
