"""The action plan's activities and indicators as a staff user may see them, and the units they may be given to."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from survey.access import visible_units
from survey.extensions import db
from survey.models import PlanActivity, PlanIndicator, Unit, User


def activities(user: User | None) -> list[PlanActivity]:
    """The activities whose responsible unit ``user`` may see, by name."""
    return list(
        db.session.scalars(
            select(PlanActivity)
            .where(PlanActivity.unit_id.in_(visible_units(user)))
            .options(joinedload(PlanActivity.unit))
            .order_by(PlanActivity.name, PlanActivity.id)
        )
    )


def indicators(user: User | None) -> list[PlanIndicator]:
    """The indicators whose responsible unit ``user`` may see, by name."""
    return list(
        db.session.scalars(
            select(PlanIndicator)
            .where(PlanIndicator.unit_id.in_(visible_units(user)))
            .options(joinedload(PlanIndicator.unit), joinedload(PlanIndicator.activity))
            .order_by(PlanIndicator.name, PlanIndicator.id)
        )
    )


def activity_or_404(activity_id: int, user: User | None) -> PlanActivity:
    """An activity whose responsible unit the user may see; anything else is a 404, never a 403."""
    return db.first_or_404(
        select(PlanActivity).where(PlanActivity.id == activity_id, PlanActivity.unit_id.in_(visible_units(user)))
    )


def indicator_or_404(indicator_id: int, user: User | None) -> PlanIndicator:
    return db.first_or_404(
        select(PlanIndicator).where(PlanIndicator.id == indicator_id, PlanIndicator.unit_id.in_(visible_units(user)))
    )


def responsible_units(user: User | None) -> list[Unit]:
    """The active units ``user`` may make responsible for an item, by name."""
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.id.in_(visible_units(user)), Unit.is_active.is_(True))
            .options(joinedload(Unit.parent))
            .order_by(Unit.name, Unit.id)
        )
    )


def unit_choices(units: list[Unit], current: Unit | None = None) -> list[tuple[str, str]]:
    """A choice per unit; a name that occurs twice says where each one is. The item's current unit stays a choice
    even if it has been deactivated since."""
    if current is not None and current not in units:
        units = [current, *units]
    names = Counter(u.name.casefold() for u in units)
    return [("", _("Välj ansvarig enhet"))] + [
        (
            str(u.id),
            u.name
            if names[u.name.casefold()] == 1
            else f"{u.name} ({u.parent.name if u.parent else _('översta nivån')})",
        )
        for u in units
    ]


def activity_choices(found: list[PlanActivity]) -> list[tuple[str, str]]:
    return [("", _("Ingen"))] + [(str(a.id), f"{a.name} ({a.unit.name})") for a in found]
