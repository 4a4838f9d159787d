"""A person's rights under the GDPR: everything held about one e-mail address, as a workbook
(access, art. 15), and removing or anonymising it where the law allows (erasure, art. 17).

What stays, and why, is said by ``erase()`` itself: answers are the unit's public records; the
audit log keeps what was done, with the person replaced by a pseudonym; the last admin account
is kept so that someone can still run the tool.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from survey.db import utcnow
from survey.exports.writer import write_sheet
from survey.extensions import db
from survey.models import ACTION_NAMES, AuditEvent, ContactPerson, OutboxMessage, OutboxStatus, Role, User, audit

REMOVED_MAIL_TEXT = "[borttaget på begäran av mottagaren]"


@dataclass
class Held:
    """Everything held about one address."""

    email: str
    accounts: list[User]
    contacts: list[ContactPerson]
    mail: list[OutboxMessage]
    events: list[tuple[AuditEvent, str]]  # (event, "actor" or "subject")

    @property
    def is_empty(self) -> bool:
        return not (self.accounts or self.contacts or self.mail or self.events)


@dataclass
class Erasure:
    """What an erasure removed, anonymised and kept (with the reason), in English for the command and the log."""

    pseudonym: str
    done: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def normalised(email: str) -> str:
    return email.strip().lower()


def gather(email: str) -> Held:
    email = normalised(email)
    accounts = db.session.scalars(select(User).where(func.lower(User.email) == email).order_by(User.id)).all()
    account_ids = [user.id for user in accounts]
    contacts = db.session.scalars(
        select(ContactPerson)
        .where(func.lower(ContactPerson.email) == email)
        .options(selectinload(ContactPerson.unit))
        .order_by(ContactPerson.id)
    ).all()
    mail = db.session.scalars(
        select(OutboxMessage)
        .where(or_(func.lower(OutboxMessage.to_address) == email, OutboxMessage.user_id.in_(account_ids)))
        .order_by(OutboxMessage.id)
    ).all()
    as_actor = or_(
        func.lower(AuditEvent.actor) == email,
        func.lower(AuditEvent.actor).startswith(f"{email} (", autoescape=True),
        AuditEvent.user_id.in_(account_ids),
    )
    as_subject = or_(
        AuditEvent.details["user"].as_integer().in_(account_ids),
        func.lower(AuditEvent.details["email"].as_string()) == email,
    )
    events = [
        (event, "actor" if is_actor else "subject")
        for event, is_actor in db.session.execute(
            select(AuditEvent, as_actor).where(or_(as_actor, as_subject)).order_by(AuditEvent.id)
        ).all()
    ]
    return Held(email, list(accounts), list(contacts), list(mail), events)


def record_export(held: Held, actor: str, user_id: int | None = None) -> None:
    """Audit that an access export was made: what it held, never the address (the caller commits)."""
    audit(
        "personal_data_exported",
        actor,
        user_id=user_id,
        details={
            "accounts": len(held.accounts),
            "contacts": len(held.contacts),
            "mail": len(held.mail),
            "events": len(held.events),
        },
    )


def access_workbook(held: Held) -> BytesIO:
    """One workbook of everything held about the person; every text cell literal text (exports/writer.py)."""
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        "Om utdraget",
        [
            ["Utdrag ur Kartläggning", held.email],
            ["Skapat", utcnow()],
            [
                "Innehåll",
                "Konton, kontaktuppgifter i registret, e-post till adressen och logghändelser där personen "
                "agerat eller berörs.",
            ],
            [
                "Inte med",
                "Svaren i kartläggningen är verksamheternas allmänna handlingar och lämnas ut enligt "
                "offentlighetsprincipen, inte här. Lösenord och koder för tvåstegsverifiering lagras bara "
                "som hashvärden och hemligheter som inte lämnas ut.",
            ],
        ],
        widths=(18, 90),
    )
    write_sheet(
        workbook,
        "Konton",
        [["Id", "E-post", "Namn", "Roll", "Aktivt", "Tvåstegsverifiering", "Skapat", "Senast inloggad"]]
        + [
            [
                u.id,
                u.email,
                u.name,
                Role(u.role).label_in_swedish(),
                "ja" if u.is_enabled else "nej",
                "ja" if u.totp_secret else "nej",
                u.created_dt,
                u.last_login_dt,
            ]
            for u in held.accounts
        ],
        widths=(8, 32, 24, 16, 8, 12, 18, 18),
    )
    write_sheet(
        workbook,
        "Kontaktperson",
        [["Enhet", "Namn", "E-post", "Tillagd"]]
        + [[c.unit.name, c.name, c.email, c.created_dt] for c in held.contacts],
        widths=(32, 24, 32, 18),
    )
    write_sheet(
        workbook,
        "E-post",
        [["Skapat", "Skickat", "Status", "Till", "Namn", "Ämne", "Text"]]
        + [
            [
                m.created_dt,
                m.sent_dt,
                OutboxStatus(m.status).label_in_swedish(),
                m.to_address,
                m.to_name,
                m.subject,
                m.body,
            ]
            for m in held.mail
        ],
        widths=(18, 18, 12, 28, 20, 40, 80),
    )
    write_sheet(
        workbook,
        "Logghändelser",
        [["När", "Händelse", "Personen är", "Vem", "Omgång", "Uppdrag", "Detaljer"]]
        + [
            [
                e.occurred_dt,
                str(ACTION_NAMES.get(e.action, e.action)),
                "den som agerade" if role == "actor" else "berörd",
                e.actor,
                e.round_id,
                e.assignment_id,
                repr(e.details) if e.details else "",
            ]
            for e, role in held.events
        ],
        widths=(18, 28, 16, 32, 8, 8, 50),
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer


def is_last_admin(user: User) -> bool:
    others = (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.is_enabled.is_(True), User.id != user.id)
        )
        or 0
    )
    return user.role == Role.ADMIN and user.is_enabled and others == 0


def erase(email: str, actor: str, dry_run: bool = False) -> Erasure:
    """Remove or anonymise what is held about ``email``; the caller commits. A dry run changes nothing.

    The erasure's own audit event numbers the pseudonym ("raderad person #<event id>"), so the log
    still shows one person's actions as one person's, and the event itself names nobody.
    """
    held = gather(email)
    if dry_run:
        pseudonym = "raderad person #…"
    else:
        event = audit(
            "personal_data_erased",
            actor,
            details={
                "accounts": len(held.accounts),
                "contacts": len(held.contacts),
                "mail": len(held.mail),
                "events": len(held.events),
            },
        )
        db.session.flush()
        pseudonym = f"raderad person #{event.id}"
    result = Erasure(pseudonym)
    for user in held.accounts:
        if is_last_admin(user):
            result.kept.append(f"account {user.id} ({user.email}): the last admin; another admin must exist first")
            continue
        result.done.append(f"account {user.id}: disabled, address, name, password and second factor removed")
        if not dry_run:
            user.email, user.name, user.is_enabled = f"raderad-{user.id}@invalid", "", False
            user.password_hash = generate_password_hash(secrets.token_urlsafe(32), method="scrypt")
            user.totp_secret = user.password_link_nonce = None
            user.end_sessions()
    for contact in held.contacts:
        left = len(contact.unit.contacts) - 1
        result.done.append(
            f"contact person for {contact.unit.name}: removed from the register"
            + ("" if left else " (the unit has no contact person now)")
        )
        if not dry_run:
            contact.unit.contacts.remove(contact)
            db.session.delete(contact)
    for message in held.mail:
        if message.status == OutboxStatus.SENT:
            result.done.append(f"mail {message.id} ({message.subject}): recipient and text removed, the record kept")
            if not dry_run:
                message.to_address, message.to_name = "", pseudonym
                message.body, message.last_error = REMOVED_MAIL_TEXT, ""
        else:
            result.done.append(f"mail {message.id} ({message.subject}): not delivered, removed")
            if not dry_run:
                db.session.delete(message)
    for event, _role in held.events:
        if not dry_run:
            event.actor = pseudonymised_actor(event.actor, held.email, pseudonym)
            if isinstance(event.details, dict) and normalised(str(event.details.get("email", ""))) == held.email:
                event.details = {**event.details, "email": pseudonym}
    if held.events:
        result.done.append(f"{len(held.events)} audit event(s): the person replaced by {pseudonym!r}")
        result.kept.append("the audit events themselves: they record what was done to the round and the register")
    result.kept.append("answers: the units' public records (offentlighetsprincipen, arkivlagen), not the person's")
    return result


def pseudonymised_actor(actor: str, email: str, pseudonym: str) -> str:
    """'anna@x.se (coordinator)' becomes 'raderad person #12 (coordinator)'; any other actor stays."""
    if normalised(actor) == email:
        return pseudonym
    if actor.lower().startswith(f"{email} ("):
        return pseudonym + actor[len(email) :]
    return actor
