"""Who may do what: the logged-in user, the role decorators, what a staff user may see, safe redirects."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from survey.extensions import db, login_manager
from survey.ids import parse_id
from survey.models import Assignment, AuditEvent, ContactPerson, Round, Setting, Unit, User, audit

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
    user = db.session.get(User, user_id)
    return user if user is not None and user.session_generation == generation else None


# Who did it, as the audit log names them: a staff user, a unit's contact person, or the command line.
COMMAND_LINE = "cli"


def user_actor(user: User) -> str:
    return f"{user.email} ({user.role})"


def audit_by_user(action: str, **fields: Any) -> AuditEvent:
    """An audit event of the logged-in staff user: named as actor, and their id kept for the person's export."""
    return audit(action, user_actor(current_user), user_id=current_user.id, **fields)


def contact_actor(assignment: Assignment) -> str:
    return f"kontaktperson för {assignment.unit.name} (uppdrag {assignment.id})"


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


# What a staff user may see. Every coordinator-side list, count, export and lookup asks here, so a scoped
# coordinator (one förvaltning, a county) is one change in visible_units and visible_rounds.


def visible_units(user: User | None) -> Select:
    """The ids of the units ``user`` may see (None: the operator at the command line).

    Today every role sees every unit.
    """
    return select(Unit.id)


def visible_rounds(user: User | None) -> Select:
    """The ids of the rounds ``user`` may see (None: the operator at the command line).

    Today every role sees every round.
    """
    return select(Round.id)


def visible_assignments(user: User | None, round_: Round) -> Select:
    """The round's assignments of the units ``user`` may see."""
    return select(Assignment).where(Assignment.round_id == round_.id, Assignment.unit_id.in_(visible_units(user)))


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
