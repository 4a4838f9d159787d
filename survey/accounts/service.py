"""Creating staff accounts and their scopes: one home for the admin's page, `flask users create` and the demo."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.ids import parse_id
from survey.models import Role, Unit, User, UserScope


class ScopeError(ValueError):
    """A scope that cannot be given: a name that names no unit or several, or a scope for an admin."""


def create_user(email: str, role: str, name: str = "", scope: Iterable[Unit] = ()) -> tuple[User, str]:
    """A new account with a random one-time password, which is returned so the caller can hand it over.

    ``scope``: the units (each with everything below it) the role applies to; none: the whole tree.
    """
    password = secrets.token_urlsafe(12)
    user = User(email=email.lower(), role=role, name=name)
    user.set_password(password, one_time=True)
    set_scope(user, scope)
    db.session.add(user)
    db.session.flush()
    return user, password


def set_scope(user: User, units: Iterable[Unit]) -> None:
    """The parts of the tree the user's role applies to (none: the whole tree). An admin always has the whole tree."""
    wanted = {unit.id: unit for unit in units}
    if wanted and user.role == Role.ADMIN:
        raise ScopeError(_("En administratör ser alltid hela organisationen. Välj ingen del, eller en annan roll."))
    kept = [scope for scope in user.scopes if scope.unit_id in wanted]
    have = {scope.unit_id for scope in kept}
    user.scopes = kept + [UserScope(unit_id=unit_id) for unit_id in wanted if unit_id not in have]


def unit_by_name(name: str) -> Unit:
    """The one unit called ``name`` (case does not matter), or with that id, for the command line. ScopeError
    names the candidates with their ids and parents when several have the name, the closest names when none has."""
    wanted = name.strip()
    units = db.session.scalars(select(Unit).order_by(Unit.id)).all()  # compared in Python: casefold() knows Å
    found = [unit for unit in units if unit.name.casefold() == wanted.casefold()]
    if not found and (unit_id := parse_id(wanted)) is not None and (by_id := db.session.get(Unit, unit_id)):
        return by_id
    if len(found) == 1:
        return found[0]
    if found:
        places = "; ".join(
            f"id {unit.id} under {unit.parent.name if unit.parent else 'the top level'}" for unit in found
        )
        raise ScopeError(f"{len(found)} units are called {wanted!r}: {places}. Give the id of the one you mean.")
    closest = difflib.get_close_matches(wanted, sorted({unit.name for unit in units}), n=5, cutoff=0.6)
    hint = f" Closest names: {', '.join(closest)}." if closest else ""
    raise ScopeError(f"No unit is called {wanted!r}.{hint}")
