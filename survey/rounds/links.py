"""Issuing fresh personal links for a whole round: the links CSV and `flask links` both come here."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from survey import mail
from survey.access import visible_assignments
from survey.extensions import db
from survey.models import Assignment, Round, Unit, User, audit


def issue_links(round_: Round, actor: str, user: User | None = None) -> list[tuple[Assignment, str]]:
    """A new link for every unit of the round ``user`` may see (None: the operator at the command line).

    Sorted by unit name; earlier links stop working.
    """
    assignments = db.session.scalars(
        visible_assignments(user, round_).options(
            selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.tokens)
        )
    ).all()
    links = [
        (assignment, mail.contact_link(assignment.issue_token()))
        for assignment in sorted(assignments, key=lambda a: a.unit.name.casefold())
    ]
    audit("links_issued", actor, user_id=user.id if user else None, round_id=round_.id, details={"count": len(links)})
    return links
