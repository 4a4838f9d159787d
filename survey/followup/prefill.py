"""Starting a follow-up round's form from last round's answers, and telling a confirmed answer from a changed one.

An answer is copied only where its key still exists and last round's value still fits the question
(``QuestionType.carry_over``). Entries of a ``follow_up`` group (development areas) are not copied:
they are followed up instead (survey/followup/areas.py). A copied answer keeps ``origin`` "previous"
until the contact person saves its page on purpose (confirmed) or changes it (changed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from survey.extensions import db
from survey.models import SINGLE, Answer, AnswerOrigin, Assignment, StartChoice
from survey.questions.definition import Questionnaire


def previous_assignment(assignment: Assignment) -> Assignment | None:
    """The same unit's assignment in the round this one follows up, if there is one."""
    previous_round_id = assignment.round.previous_round_id
    if previous_round_id is None:
        return None
    return db.session.scalar(
        select(Assignment).where(Assignment.round_id == previous_round_id, Assignment.unit_id == assignment.unit_id)
    )


def copyable_answers(previous: Assignment, definition: Questionnaire) -> dict[tuple[str, int], Any]:
    """Last round's answers that this round's questionnaire can take, as it stores them."""
    followed_up = {
        key for group in definition.groups if group.follow_up for key in (group.key, *(f.key for f in group.fields))
    }
    found: dict[tuple[str, int], Any] = {}
    for (key, index), value in previous.values().items():
        question = definition.question(key)
        if question is None or key in followed_up:
            continue
        group = definition.group_of(key)
        if (index == SINGLE) != (group is None and not question.is_group):
            continue  # a question moved into or out of a group: its entries do not line up
        carried = True if question.is_group else question.kind.carry_over(question, value)
        if carried not in (None, "", []):
            found[(key, index)] = carried
    groups = {group.key for group in definition.groups}
    entries = {index for (key, index) in found if key in groups}
    # A field of an entry whose group row did not come along (the group is new) has nowhere to go.
    return {(key, index): value for (key, index), value in found.items() if index == SINGLE or index in entries}


def can_start_from_previous(assignment: Assignment) -> bool:
    """Whether the start page offers the choice: a follow-up round's untouched form, with answers last round."""
    if assignment.start_choice is not None or assignment.status != "not_started" or not assignment.is_editable:
        return False
    previous = previous_assignment(assignment)
    return previous is not None and bool(copyable_answers(previous, assignment.definition))


def start(assignment: Assignment, choice: StartChoice) -> int:
    """Begin the form blank or from last round's answers; returns how many answers were copied (the caller commits)."""
    assignment.start_choice = choice
    if choice is StartChoice.BLANK:
        assignment.touch()
        return 0
    previous = previous_assignment(assignment)
    copied = copyable_answers(previous, assignment.definition) if previous else {}
    for (key, index), value in copied.items():
        assignment.answers.append(
            Answer(question_key=key, entry_index=index, value=value, origin=AnswerOrigin.PREVIOUS)
        )
    assignment.last_entry_index = max([assignment.last_entry_index or 0, *(index for _key, index in copied)])
    assignment.touch()
    return len(copied)


def confirm_unchanged(assignment: Assignment, shown: dict[tuple[str, int], Any]) -> int:
    """Copied answers that were on the page the contact person saved, unchanged: now confirmed. Returns how many."""
    confirmed = 0
    for answer in assignment.answers:
        key = (answer.question_key, answer.entry_index)
        if answer.origin == AnswerOrigin.PREVIOUS and key in shown and shown[key] == answer.value:
            answer.origin = AnswerOrigin.CONFIRMED
            confirmed += 1
    return confirmed


def unconfirmed(assignment: Assignment) -> set[tuple[str, int]]:
    """The copied answers nobody has looked at yet (group rows, which only mark an entry, left out)."""
    groups = {group.key for group in assignment.definition.groups}
    return {
        (a.question_key, a.entry_index)
        for a in assignment.answers
        if a.origin == AnswerOrigin.PREVIOUS and a.question_key not in groups
    }
