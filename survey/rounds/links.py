"""Issuing fresh personal links for a whole round: the links CSV and `flask links` both come here."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey import mail
from survey.extensions import db
from survey.models import Assignment, Round, Unit, audit


def issue_links(round_: Round, actor: str, user_id: int | None = None) -> list[tuple[Assignment, str]]:
    """A new link for every unit of the round, by unit name; earlier links stop working."""
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id)
        .options(selectinload(Assignment.unit).selectinload(Unit.contacts), selectinload(Assignment.tokens))
    ).all()
    links = [
        (assignment, mail.contact_link(assignment.issue_token()))
        for assignment in sorted(assignments, key=lambda a: a.unit.name.casefold())
    ]
    audit("links_issued", actor, user_id=user_id, round_id=round_.id, details={"count": len(links)})
    return links
