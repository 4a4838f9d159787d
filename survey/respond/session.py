"""Which assignment this browser answers for (the link bound it to the session), and how far it has come."""

from __future__ import annotations

import re

from flask import abort, make_response, request, session
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from survey.access import contact_actor as contact_actor  # its home; respond/views.py and saving.py import it here
from survey.extensions import db
from survey.models import AccessToken, Assignment, Round, hash_token
from survey.questions.definition import Section
from survey.security import stamp_session

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what secrets.token_urlsafe makes


SESSION_KEY = "assignments"
LINK_KEY = "link"  # the id of the AccessToken that opened the session


def bind_session(assignment: Assignment, token: str) -> None:
    """Bind this browser to the assignment whose link it opened; opening another unit's link switches to it."""
    session[SESSION_KEY] = [assignment.id]
    session[LINK_KEY] = db.session.scalar(select(AccessToken.id).where(AccessToken.token_hash == hash_token(token)))
    session.permanent = True
    stamp_session()


def own_assignment(assignment_id: int) -> Assignment:
    """The assignment, if this browser opened its link and the link still works; any other id is a 404.

    A session whose link has been replaced ("Skapa ny länk") ends here: a post gets the page that
    shows the typed text back, anything else the page for a link that no longer works.
    """
    if assignment_id not in session.get(SESSION_KEY, []):
        abort(404)
    assignment = db.session.scalar(
        OWN_ASSIGNMENT, {"assignment_id": assignment_id, "link_id": session.get(LINK_KEY) or 0}
    )
    if assignment is None:  # the link was replaced or revoked (a working link's assignment always exists)
        session.pop(SESSION_KEY, None)
        session.pop(LINK_KEY, None)
        # Imported here: both modules import this one.
        from survey.respond.saving import session_ended
        from survey.respond.views import link_problem

        if request.method == "POST":
            abort(make_response(session_ended(assignment_id, "")))
        abort(link_problem("unknown", 404))
    return assignment


# In one query the link's check and what every page and save of the contact person's reads: the unit (the audit
# actor's name), the round and its questionnaire version (whose parse is cached; its TOML source stays deferred).
# The answers follow in one more when first read: measured, that costs less than selectinload, and building this
# statement once per process rather than per request saves as much again.
OWN_ASSIGNMENT = (
    select(Assignment)
    .join(AccessToken, AccessToken.assignment_id == Assignment.id)
    .where(
        Assignment.id == bindparam("assignment_id"),
        AccessToken.id == bindparam("link_id"),
        AccessToken.revoked_dt.is_(None),
    )
    .options(joinedload(Assignment.unit), joinedload(Assignment.round).joinedload(Round.questionnaire_version))
)


def section_states(assignment: Assignment) -> dict[str, str]:
    """'complete', 'started' or 'empty' for every section key."""
    values = assignment.values()
    answered = {key for key, _index in values}
    missing = {section_key for section_key, _q, _i in assignment.missing_required()}
    # A card added and left empty is dropped on submit, so it blocks nothing; but its section is not done.
    with_empty_card = {section.key for section, _group, _index in assignment.empty_entries(values)}
    states = {}
    for section in assignment.definition.sections:
        keys = {q.key for q in section.questions} | {f.key for q in section.questions for f in q.fields}
        if not keys & answered:
            states[section.key] = "empty"
        else:
            states[section.key] = "started" if section.key in missing | with_empty_card else "complete"
    return states


def group_entries(assignment: Assignment, section: Section) -> dict[str, list[int]]:
    return {q.key: assignment.entries(q) for q in section.questions if q.is_group}
