"""Which assignment this browser answers for (the link bound it to the session), and how far it has come."""
from __future__ import annotations

import re

from flask import (
    abort,
    session,
)

from survey.extensions import db
from survey.models import Assignment
from survey.questions.definition import Section

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what secrets.token_urlsafe makes


SESSION_KEY = "assignments"


def contact_actor(assignment: Assignment) -> str:
    return f"kontaktperson för {assignment.unit.name} (uppdrag {assignment.id})"


def own_assignment(assignment_id: int) -> Assignment:
    """The assignment, if this browser opened its link; any other id is a 404."""
    if assignment_id not in session.get(SESSION_KEY, []):
        abort(404)
    return db.get_or_404(Assignment, assignment_id)


def section_states(assignment: Assignment) -> dict[str, str]:
    """'complete', 'started' or 'empty' for every section key."""
    answered = {key for key, _index in assignment.values()}
    missing = {section_key for section_key, _q, _i in assignment.missing_required()}
    states = {}
    for section in assignment.definition.sections:
        keys = {q.key for q in section.questions} | {f.key for q in section.questions for f in q.fields}
        if not keys & answered:
            states[section.key] = "empty"
        else:
            states[section.key] = "started" if section.key in missing else "complete"
    return states


def group_entries(assignment: Assignment, section: Section) -> dict[str, list[int]]:
    return {q.key: assignment.entries(q) for q in section.questions if q.is_group}
