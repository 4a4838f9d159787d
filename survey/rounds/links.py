"""Issuing fresh personal links for a whole round: the links CSV (in the request, or as a job for a big round) and
`flask links` all come here."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from sqlalchemy import insert, update
from sqlalchemy.orm import selectinload

from survey import mail
from survey.access import visible_assignments
from survey.db import utcnow
from survey.exports.writer import literal_csv_text
from survey.extensions import db
from survey.models import AccessToken, Assignment, Round, Unit, User, audit
from survey.models.rounds import new_token


def issue_links(round_: Round, actor: str, user: User | None = None) -> list[tuple[Assignment, str]]:
    """A new link for every unit of the round ``user`` may see (None: the operator at the command line).

    Sorted by unit name; earlier links stop working. Three statements whatever the round's size: revoke the
    earlier links, insert the new ones (one multi-row INSERT), and the audit event.
    """
    visible = visible_assignments(user, round_)
    assignments = db.session.scalars(visible.options(selectinload(Assignment.unit).selectinload(Unit.contacts))).all()
    now = utcnow()
    db.session.execute(
        update(AccessToken)
        .where(
            AccessToken.assignment_id.in_(visible.with_only_columns(Assignment.id)), AccessToken.revoked_dt.is_(None)
        )
        .values(revoked_dt=now)
        .execution_options(synchronize_session=False)
    )
    links, rows = [], []
    with mail.link_context():
        for assignment in sorted(assignments, key=lambda a: a.unit.name.casefold()):
            token, token_hash = new_token()
            rows.append({"assignment_id": assignment.id, "token_hash": token_hash, "issued_dt": now})
            links.append((assignment, mail.contact_link(token)))
    if rows:
        db.session.execute(insert(AccessToken), rows)
    audit("links_issued", actor, user_id=user.id if user else None, round_id=round_.id, details={"count": len(links)})
    return links


def links_file_text(links: list[tuple[Assignment, str]]) -> str:
    """The links file: a row per contact person (or per unit without one), semicolons and a BOM, as Excel in
    Swedish locales opens a UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Verksamhet"), _("Kontaktperson"), _("E-post"), _("Länk")])
    for assignment, link in links:
        # Names come from imported register files: every cell is literal text when a spreadsheet opens the file.
        for name, email in [(c.name, c.email) for c in assignment.unit.contacts] or [("", "")]:
            writer.writerow([literal_csv_text(text) for text in (assignment.unit.name, name, email)] + [link])
    return "\ufeff" + out.getvalue()


def links_filename(round_: Round) -> str:
    """Named after the round, as the report is: "Länkar Kartläggning 2026.csv"."""
    return "Länkar " + (re.sub(r"[^\w .-]+", "_", round_.name).strip() or str(round_.id)) + ".csv"
