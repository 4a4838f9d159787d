"""Who may do what: the logged-in user, the role decorators, what a staff user may see, safe redirects."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from survey.extensions import db, login_manager
from survey.ids import parse_id
from survey.models import (
    Assignment,
    AuditEvent,
    ContactPerson,
    Job,
    OutboxMessage,
    Role,
    Round,
    Setting,
    Unit,
    User,
    audit,
)

# Where Flask-Login sends a visitor who is not logged in.
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Logga in för att se sidan.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id "<user id>:<generation>"; an ended generation is no user."""
    user_text, _sep, generation_text = session_id.partition(":")
    user_id, generation = parse_id(user_text), parse_id(generation_text)
    if user_id is None or generation is None:
        return None
    # The scopes in the same query: every staff page asks for them.
    user = db.session.get(User, user_id, options=[joinedload(User.scopes)])
    return user if user is not None and user.session_generation == generation else None


# Who did it, as the audit log names them: a staff user, a unit's contact person, or the command line.
COMMAND_LINE = "cli"


def user_actor(user: User) -> str:
    return f"{user.email} ({user.role})"


def audit_by_user(action: str, **fields: Any) -> AuditEvent:
    """An audit event of the logged-in staff user: named as actor, and their id kept for the person's export."""
    return audit(action, user_actor(current_user), user_id=current_user.id, **fields)


def contact_actor(assignment: Assignment) -> str:
    """Who did it, as the audit log shows it; the event's round and assignment say which form."""
    return f"kontaktperson för {assignment.unit.name}"


def role_required(*roles: str):
    """Logged in with one of ``roles`` and a password of their own (a one-time password is changed first).

    Anyone else logged in gets a 403; anyone not logged in goes to the login page.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.must_change_password:
                return redirect(url_for("accounts.change_password"))
            if not current_user.totp_secret and Setting.get("require_totp", False):
                return redirect(url_for("accounts.enrol_totp"))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Reading (status, answers, exports): every staff role, viewers too. Changing anything: coordinators and admins.
staff_required = role_required("admin", "coordinator", "viewer")
editor_required = role_required("admin", "coordinator")
admin_required = role_required("admin")


# What a staff user may see. Every coordinator-side list, count, export and lookup asks here.
#
# An account's role applies to the parts of the tree in its scopes (user_scope: each unit and everything below
# it); an account without scopes, an admin, and the operator at the command line (user None) see the whole tree.
# A round is visible when it has a unit in the scope, or its own scope_unit is in it (a draft not assigned yet);
# inside a wider round (its scope_unit above or beside the user's scope) the user sees and works with the
# assignments of their units only, and the round itself (its dates, state, publishing) is changed by those whose
# scope holds the round's scope_unit: manages_round().


def access_givers() -> list[User]:
    """The accounts that can give a logged-in user another role (the enabled admins), for a 403 page."""
    if not current_user.is_authenticated:
        return []
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_enabled.is_(True))))


def scoped(user: User | None) -> bool:
    return user is not None and not user.sees_whole_tree


def visible_units(user: User | None) -> Select:
    """The ids of the units ``user`` may see: the scopes' units and everything below them, or every unit."""
    if not scoped(user):
        return select(Unit.id)
    assert user is not None
    below = select(Unit.id).where(Unit.id.in_(user.scope_unit_ids)).cte(recursive=True)
    # Anonymous, so two of these in one statement get names of their own. UNION (not UNION ALL) drops rows already
    # found, so a cycle in bad data ends the recursion.
    below = below.union(select(Unit.id).where(Unit.parent_id == below.c.id))
    return select(below.c.id)


def visible_unit_ids(user: User | None) -> set[int] | None:
    """visible_units() as a set, for checks in Python; None: the whole tree."""
    return set(db.session.scalars(visible_units(user))) if scoped(user) else None


def visible_rounds(user: User | None) -> Select:
    """The ids of the rounds ``user`` may see: those with a unit in the scope, or scoped to a unit in it."""
    if not scoped(user):
        return select(Round.id)
    units = visible_units(user)
    with_units = select(Assignment.round_id).where(Assignment.unit_id.in_(units))
    return select(Round.id).where(or_(Round.id.in_(with_units), Round.scope_unit_id.in_(units)))


def visible_assignments(user: User | None, round_: Round) -> Select:
    """The round's assignments of the units ``user`` may see."""
    return select(Assignment).where(Assignment.round_id == round_.id, Assignment.unit_id.in_(visible_units(user)))


def visible_outbox(user: User | None) -> Select:
    """The outbox messages ``user`` may see: a scoped user, those to their units' assignments only."""
    if not scoped(user):
        return select(OutboxMessage)
    visible = select(Assignment.id).where(Assignment.unit_id.in_(visible_units(user)))
    return select(OutboxMessage).where(OutboxMessage.assignment_id.in_(visible))


def visible_jobs(user: User | None) -> Select:
    """The background jobs ``user`` may see, and download the file of: an admin (or the command line) all; anyone
    else those they started themselves, in rounds they still see (a job's file holds what its starter could see,
    a links file live links)."""
    if user is None or user.role == Role.ADMIN:
        return select(Job)
    return select(Job).where(Job.user_id == user.id, Job.round_id.in_(visible_rounds(user)))


def visible_audit_events(user: User | None) -> Select:
    """The audit events ``user`` may read: all for an admin; otherwise those about an assignment, a round or a
    unit they may see (an event about an assignment counts by its unit), and their own."""
    if user is None or user.role == Role.ADMIN:
        return select(AuditEvent)
    units = visible_units(user)
    unit = AuditEvent.details["unit"].as_integer()
    return select(AuditEvent).where(
        or_(
            AuditEvent.user_id == user.id,
            AuditEvent.assignment_id.in_(select(Assignment.id).where(Assignment.unit_id.in_(units))),
            AuditEvent.assignment_id.is_(None) & AuditEvent.round_id.in_(visible_rounds(user)),
            AuditEvent.assignment_id.is_(None) & AuditEvent.round_id.is_(None) & unit.in_(units),
        )
    )


def manages_round(user: User | None, round_: Round) -> bool:
    """Whether ``user``'s scope holds the whole round, so they may change the round itself."""
    if not scoped(user):
        return True
    return round_.scope_unit_id is not None and round_.scope_unit_id in (visible_unit_ids(user) or set())


def managed_round_or_404(round_id: int, user: User | None = None) -> Round:
    """A round the user may see and change as a whole; for a wider round, back to its page with a message."""
    user = user or current_user
    round_ = round_or_404(round_id, user)
    if not manages_round(user, round_):
        flash(
            _(
                "Omgången omfattar mer än din del av organisationen. Du arbetar med dina verksamheters svar; "
                "omgången som helhet ändras av den som samordnar hela den."
            ),
            "error",
        )
        abort(redirect(url_for("rounds.round_status", round_id=round_.id), code=303))
    return round_


def round_or_404(round_id: int, user: User | None = None) -> Round:
    """The round, or a 404 when it does not exist or is outside what the user may see (never a 403)."""
    user = user or current_user
    return db.first_or_404(select(Round).where(Round.id == round_id, Round.id.in_(visible_rounds(user))))


def assignment_or_404(assignment_id: int, user: User | None = None) -> Assignment:
    user = user or current_user
    return db.first_or_404(
        select(Assignment).where(
            Assignment.id == assignment_id,
            Assignment.unit_id.in_(visible_units(user)),
            Assignment.round_id.in_(visible_rounds(user)),
        )
    )


def unit_or_404(unit_id: int, user: User | None = None) -> Unit:
    user = user or current_user
    return db.first_or_404(select(Unit).where(Unit.id == unit_id, Unit.id.in_(visible_units(user))))


def contact_or_404(contact_id: int, user: User | None = None) -> ContactPerson:
    user = user or current_user
    return db.first_or_404(
        select(ContactPerson).where(ContactPerson.id == contact_id, ContactPerson.unit_id.in_(visible_units(user)))
    )


def safe_next(target: str | None) -> str:
    """Only a local path, so a crafted login link cannot send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("rounds.index")
