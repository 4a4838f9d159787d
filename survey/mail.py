"""Invitations, reminders and account mail: templates with placeholders, an outbox, and delivery over SMTP.

Queueing writes a row in the outbox in the same transaction as the change
that caused it; delivery happens after the response (and from
`flask --app survey mail send`), with retries, so a mail server that is down
loses nothing. A delivered message keeps its text for the record, with the
personal link removed: only link hashes live in the database for long.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import string
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from survey.dates import format_moment
from survey.db import utcnow
from survey.extensions import db
from survey.models import AccessToken, Assignment, MailTemplate, OutboxMessage, ScopeVoice, Unit, User
from survey.models.rounds import new_token
from survey.voice.nearest import DEEPEST, mail_headers

# {avsandare} is the sender name of the unit's nearest voice (survey/voice/), the name the mail comes from; the
# built-in templates sign with it. {samordnare} is still the coordinator who sent the mail, so an edited template
# that signs with it keeps working.
PLACEHOLDERS = {
    "invitation": ("verksamhet", "kontaktperson", "lank", "sista_svarsdag", "omgang", "avsandare", "samordnare"),
    "reminder": ("verksamhet", "kontaktperson", "lank", "sista_svarsdag", "omgang", "avsandare", "samordnare"),
    "password_reset": ("namn", "lank"),
    "account_invitation": ("namn", "lank", "roll"),
    "reopened": (
        "verksamhet",
        "kontaktperson",
        "lank",
        "sista_svarsdag",
        "omgang",
        "avsandare",
        "samordnare",
        "kommentar",
    ),
    "receipt": ("verksamhet", "kontaktperson", "lank", "omgang", "inskickat", "referens", "avsandare"),
}
DEFAULT_TEMPLATES = {
    "invitation": (
        "Kartläggning av arbetet mot våld – {verksamhet}",
        """Hej {kontaktperson}!

Du är kontaktperson för {verksamhet} i kommunens gemensamma kartläggning av arbetet mot våld, {omgang}.

Fyll i kartläggningen via din personliga länk:
{lank}

Sista svarsdag är {sista_svarsdag}. Du kan fylla i vid flera tillfällen: allt sparas, och en kollega kan hjälpa till via samma länk. Länken är personlig – dela den bara med kollegor som ska svara för {verksamhet}.

Har du frågor? Svara på det här meddelandet.

Vänliga hälsningar
{avsandare}
""",
    ),
    "reminder": (
        "Påminnelse: kartläggning av arbetet mot våld – {verksamhet}",
        """Hej {kontaktperson}!

Vi har ännu inte fått in kartläggningen för {verksamhet} ({omgang}). Sista svarsdag är {sista_svarsdag}.

Här är din personliga länk igen – det du redan sparat finns kvar:
{lank}

Vänliga hälsningar
{avsandare}
""",
    ),
    "reopened": (
        "Kartläggningen är öppnad igen – {verksamhet}",
        """Hej {kontaktperson}!

Svaren för {verksamhet} ({omgang}) är öppnade igen, så att ni kan komplettera dem:

{kommentar}

Öppna formuläret via din personliga länk. Allt ni redan svarat finns kvar; ändra det som behövs och skicka in igen senast {sista_svarsdag}.
{lank}

Vänliga hälsningar
{avsandare}
""",
    ),
    "receipt": (
        "Kvitto: kartläggningen för {verksamhet} är inskickad",
        """Hej {kontaktperson}!

Svaren för {verksamhet} i {omgang} skickades in {inskickat}. Tack!

Referens: {referens}
Ange referensen om du har frågor till samordnaren.

Här kan du se svaren och kvittot, även sedan omgången har stängt:
{lank}

Vänliga hälsningar
{avsandare}
""",
    ),
    "password_reset": (
        "Nytt lösenord till Kartläggning",
        """Hej {namn}!

Någon (förhoppningsvis du) har bett om ett nytt lösenord till Kartläggning. Välj ett nytt lösenord via länken nedan. Länken gäller i en timme och kan användas en gång.

{lank}

Har du inte bett om det kan du bortse från meddelandet; ditt lösenord är oförändrat.
""",
    ),
    "account_invitation": (
        "Ditt konto i Kartläggning",
        """Hej {namn}!

Du har fått ett konto i Kartläggning med rollen {roll}. Välj ditt lösenord via länken nedan (den gäller i tre dagar):

{lank}
""",
    ),
}
LINK_PATTERN = re.compile(r"https?://\S+/(?:svar/lank|konto/nytt-losenord)/\S+")
REDACTED_LINK = "[personlig länk – borttagen efter utskick]"
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720, 1440)]


def template_for(kind: str) -> MailTemplate:
    """The stored template of a kind, or the built-in default (not stored until edited)."""
    stored = db.session.scalar(select(MailTemplate).where(MailTemplate.kind == kind))
    if stored is not None:
        return stored
    subject, body = DEFAULT_TEMPLATES[kind]
    return MailTemplate(kind=kind, subject=subject, body=body)


def placeholders_in(text: str) -> list[tuple[str, str, str]] | None:
    """The placeholders of a template text as (name, format spec, conversion); None when its braces
    do not pair up."""
    try:
        return [
            (name, spec or "", conversion or "")
            for _literal, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return None


def template_problems(kind: str, subject: str, body: str) -> dict[str, list[str]]:
    """What is wrong with a template's subject and body, in words for the coordinator."""
    problems: dict[str, list[str]] = {"subject": [], "body": []}
    known = PLACEHOLDERS[kind]
    found = {"subject": placeholders_in(subject), "body": placeholders_in(body)}
    for field, placeholders in found.items():
        if placeholders is None:
            problems[field].append(
                _(
                    "En klammerparentes saknar sin partner. Skriv platshållare som {verksamhet}, "
                    "och {{ eller }} för en klammerparentes i texten."
                )
            )
        elif any(spec or conversion for _name, spec, conversion in placeholders):
            # {lank!r} or {namn:>9999999}: it could fail at sending time or blow up a message's size.
            problems[field].append(
                _(
                    "Skriv platshållarna precis som i listan, till exempel {verksamhet}, utan tecken "
                    "som : eller ! inom klammerparenteserna."
                )
            )
        elif unknown := sorted({name for name, _spec, _conversion in placeholders if name not in known}):
            problems[field].append(
                _(
                    "Okända platshållare: %(unknown)s. Tillåtna: %(allowed)s.",
                    unknown=", ".join(f"{{{u}}}" for u in unknown),
                    allowed=", ".join(f"{{{p}}}" for p in known),
                )
            )
    if "lank" in known and "lank" not in {name for name, _spec, _conversion in found["body"] or ()}:
        # Without it the message would go out, a new link would be issued, and nobody could use it.
        problems["body"].append(_("Meddelandet måste innehålla {lank}, mottagarens personliga länk."))
    return problems


def fill(text: str, values: dict[str, str]) -> str:
    """The template text with its placeholders filled in; nothing in the values is interpreted."""
    return string.Formatter().vformat(text, (), values)


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def contact_link(token: str) -> str:
    """A contact person's personal link on the configured PUBLIC_URL, whatever host the request came in on.

    Outside a request (the CLI) a throwaway request context lets url_for build the path.
    """
    if has_request_context():
        return public_url(url_for("respond.open_link", token=token))
    with current_app.test_request_context():
        return public_url(url_for("respond.open_link", token=token))


# Links that let their holder in as someone else: the outbox shows a note instead, as anyone allowed to read the
# outbox (a read-only viewer too) could otherwise answer for a unit or choose a new user's password.
PERSONAL_LINK_ENDPOINTS = ("respond.open_link", "accounts.set_password")


def body_without_links(body: str) -> str:
    """A message's body as the outbox shows it: every personal link replaced by a note saying it is left out."""
    adapter = current_app.url_map.bind("localhost")
    for endpoint in PERSONAL_LINK_ENDPOINTS:
        prefix = adapter.build(endpoint, {"token": "TOKEN"}).split("TOKEN")[0]
        body = re.sub(r"\S*" + re.escape(prefix) + r"\S+", _("[personlig länk, visas inte här]"), body)
    return body


def message_text(template: MailTemplate, values: dict[str, str]) -> dict[str, str]:
    """The subject and body of a message from its template."""
    # One line whatever the values hold: U+2028 and friends would make the mail library refuse the header.
    return {"subject": " ".join(fill(template.subject, values).split())[:300], "body": fill(template.body, values)}


def queue(kind: str, to_address: str, to_name: str, values: dict[str, str], **refs) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind, to_address=to_address, to_name=to_name, **message_text(template_for(kind), values), **refs
    )
    db.session.add(message)
    return message


@contextmanager
def link_context() -> Iterator[None]:
    """Where contact_link() can build links: the request, or one throwaway request context for a whole batch."""
    if has_request_context():
        yield
    else:
        with current_app.test_request_context():
            yield


# Units per batch of queue_assignment_mails(): a job commits each batch with its progress.
BATCH_SIZE = 500


def queue_assignment_mail(assignment: Assignment, kind: str, sender: User | None) -> int:
    """An invitation, reminder or reopening to every contact person of one unit; see queue_assignment_mails()."""
    return queue_assignment_mails([assignment], kind, sender)[assignment.id]


def queue_assignment_mails(
    assignments: Sequence[Assignment], kind: str, sender: User | None, job_id: int | None = None
) -> dict[int, int]:
    """An invitation, reminder or reopening to every contact person of each unit, each with a link of its own.

    ``sender`` signs the messages; None (automatic mail) signs them as the coordinators. ``job_id`` marks the
    messages as the job's, so a job run again after a crash can leave out the units it has mailed. The whole batch
    costs a few statements whatever its size: one template lookup, one multi-row INSERT each for the links and the
    messages, one UPDATE of the units' mail dates (the assignments come with their unit's contacts loaded).
    Returns the number of messages queued per assignment id (0 for a unit without a contact person).
    """
    template = template_for(kind)
    now = utcnow()
    signed = signature(sender)
    voices = sender_names({a.unit_id for a in assignments})
    closes_on: dict[int, str] = {}
    tokens: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    counts: dict[int, int] = {}
    with link_context():
        for assignment in assignments:
            round_ = assignment.round
            if round_.id not in closes_on:
                closes_on[round_.id] = format_date(round_.closes_on, "long")
            counts[assignment.id] = len(assignment.unit.contacts)
            for contact in assignment.unit.contacts:
                token, token_hash = new_token()
                tokens.append({"assignment_id": assignment.id, "token_hash": token_hash, "issued_dt": now})
                values = {
                    "verksamhet": assignment.unit.name,
                    "kontaktperson": contact.name,
                    "lank": contact_link(token),
                    "sista_svarsdag": closes_on[round_.id],
                    "omgang": round_.name,
                    "avsandare": voices[assignment.unit_id],
                    "samordnare": signed,
                    "kommentar": assignment.reopen_comment or "",
                }
                messages.append(
                    {
                        "kind": kind,
                        "to_address": contact.email,
                        "to_name": contact.name,
                        **message_text(template, values),
                        "assignment_id": assignment.id,
                        "job_id": job_id,
                        "created_dt": now,
                        "next_attempt_dt": now,
                    }
                )
    if not messages:
        return counts
    db.session.execute(insert(AccessToken), tokens)
    db.session.execute(insert(OutboxMessage), messages)
    mailed = [a for a in assignments if counts[a.id]]
    if kind not in ("invitation", "reminder"):
        return counts
    changes: dict[str, Any] = (
        {"invited_dt": now}
        if kind == "invitation"
        else {"reminder_count": Assignment.reminder_count + 1, "last_reminded_dt": now}
    )
    for start in range(0, len(mailed), BATCH_SIZE):
        ids = [a.id for a in mailed[start : start + BATCH_SIZE]]
        db.session.execute(
            update(Assignment).where(Assignment.id.in_(ids)).values(**changes),
            execution_options={"synchronize_session": False},
        )
    # The loaded objects as the UPDATE left the rows, without the flush a change would cost.
    for assignment in mailed:
        if kind == "invitation":
            set_committed_value(assignment, "invited_dt", now)
        else:
            set_committed_value(assignment, "reminder_count", assignment.reminder_count + 1)
            set_committed_value(assignment, "last_reminded_dt", now)
    return counts


def queue_receipt(assignment: Assignment) -> list[str]:
    """A receipt of the submitted answers to every contact person of the unit, each with a new link of its own
    (earlier links keep working) to the read-only form and its receipt. Returns the addresses."""
    addresses = []
    with force_locale("sv"):  # the templates are Swedish whatever language the contact person's pages were in
        submitted = format_moment(assignment.submitted_dt) if assignment.submitted_dt else ""
    voice = sender_names({assignment.unit_id})[assignment.unit_id]  # one lookup, however many contact persons
    for contact in assignment.unit.contacts:
        token = assignment.issue_token(keep_earlier=True)
        values = {
            "verksamhet": assignment.unit.name,
            "kontaktperson": contact.name,
            "lank": contact_link(token),
            "omgang": assignment.round.name,
            "inskickat": submitted,
            "referens": assignment.reference,
            "avsandare": voice,
        }
        queue("receipt", contact.email, contact.name, values, assignment_id=assignment.id)
        addresses.append(contact.email)
    return addresses


def receipt_addresses(assignment: Assignment) -> list[str]:
    """Where the receipt of the latest submission was mailed."""
    if assignment.submitted_dt is None:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage.to_address)
            .where(
                OutboxMessage.assignment_id == assignment.id,
                OutboxMessage.kind == "receipt",
                OutboxMessage.created_dt >= assignment.submitted_dt,
            )
            .order_by(OutboxMessage.id)
        )
    )


def sender_names(unit_ids: set[int]) -> dict[int, str]:
    """The sender name of each unit's nearest voice (as survey/voice/nearest.py finds it, so the signature is the
    name the mail comes from), in at most two queries whatever the number of units."""
    names = {
        unit_id: name.strip()
        for unit_id, name in db.session.execute(select(ScopeVoice.unit_id, ScopeVoice.sender_name))
        if name.strip()
    }
    fallback = parseaddr(current_app.config.get("MAIL_FROM", ""))[0] or signature(None)
    if not names:
        return dict.fromkeys(unit_ids, fallback)
    parents: dict[int, int | None] = {
        unit_id: parent_id for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id))
    }
    found = {}
    for unit_id in unit_ids:
        current: int | None = unit_id
        for _depth in range(DEEPEST):
            if current is None or current in names:
                break
            current = parents.get(current)
        found[unit_id] = names.get(current, fallback) if current is not None else fallback
    return found


def signature(sender: User | None) -> str:
    if sender is None:
        return "Samordnarna"
    return sender.name or sender.email


def is_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Try every message that is due; returns (sent, failed attempts). Each message is committed on its own."""
    if not is_configured():
        return 0, 0
    sent = failed = 0
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_dt <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    # The messages say "reply to this message": replies must reach a coordinator, not the sender address.
    reply_to = User.contact_address(current_app.config.get("COORDINATOR_EMAIL", "")) if due else ""
    for message_id in due:
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .with_for_update(skip_locked=True)
        )
        if message is None:  # another worker has it
            db.session.rollback()
            continue
        try:
            deliver(message, reply_to)
        except Exception as exc:  # any error: one bad message must never hold up the ones behind it
            record_failure(message, exc)
            failed += 1
        else:
            message.attempts += 1
            message.status = "sent"
            message.sent_dt = utcnow()
            message.body = LINK_PATTERN.sub(REDACTED_LINK, message.body)
            sent += 1
        db.session.commit()
    return sent, failed


def record_failure(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    if message.attempts > len(RETRY_DELAYS):
        # Kept whole (link included) so that "try again" can still deliver it.
        message.status = "failed"
    else:
        message.next_attempt_dt = utcnow() + RETRY_DELAYS[message.attempts - 1]


def deliver(message: OutboxMessage, reply_to: str = "") -> None:
    config = current_app.config
    email = EmailMessage()
    sender, reply_to = mail_headers(message, config["MAIL_FROM"], reply_to)
    email["From"] = sender
    email["To"] = formataddr((" ".join(message.to_name.split()), message.to_address))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip("> ") or None)
    if reply_to:
        email["Reply-To"] = reply_to
    email.set_content(message.body)
    timeout = config["MAIL_TIMEOUT"]
    smtp: smtplib.SMTP
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def send_after_response(response):
    """Deliver what this request queued once the response is on its way (the worker catches the rest)."""
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            from survey.reminders import queue_due_reminders  # imported here: reminders.py imports this module

            queue_due_reminders()
            send_pending(limit=50)

    response.call_on_close(send)
    return response
