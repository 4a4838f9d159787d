"""Last round's development areas, followed up: each one's status and comment in this round, and their counts.

Which groups are followed up is this round's questionnaire's word (a group with ``follow_up = true``),
so a round on a newer version follows up an older round whose file did not yet say so. The earlier
entries themselves are read from the earlier assignment, with the earlier version's fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, select

from survey.extensions import db
from survey.models import Answer, Assignment, DevelopmentAreaFollowUp, FollowUpStatus, Round
from survey.questions.definition import Question

VIOLENCE_AREAS = "valdsomraden"  # the option set the six violence areas are in


@dataclass
class EarlierArea:
    """One development area written last round, and what this round says of it."""

    source_id: int  # the unit's assignment in the round followed up
    group: Question  # as last round's version defined it
    index: int
    values: dict[str, Any]  # field key → stored value
    follow_up: DevelopmentAreaFollowUp | None = None

    @property
    def name(self) -> str:
        """Its form fields' name stem: unique on the page, and stable between page and post."""
        return f"area-{self.source_id}-{self.group.key}-{self.index}"

    @property
    def title(self) -> str:
        first = self.group.fields[0] if self.group.fields else None
        return first.as_text(self.values.get(first.key)) if first else ""

    @property
    def details(self) -> list[tuple[str, str]]:
        """Every other field that has an answer, as (label, text)."""
        return [(f.label, f.as_text(self.values[f.key])) for f in self.group.fields[1:] if f.key in self.values]

    @property
    def violence_areas(self) -> list[tuple[str, str]]:
        """(code, label) of the violence areas it concerns."""
        field = next((f for f in self.group.fields if f.option_set == VIOLENCE_AREAS), None)
        if field is None:
            return []
        return [(code, field.label_for(code)) for code in self.values.get(field.key) or []]

    @property
    def status(self) -> FollowUpStatus | None:
        return FollowUpStatus(self.follow_up.status) if self.follow_up and self.follow_up.status else None

    @property
    def comment(self) -> str:
        return self.follow_up.comment if self.follow_up else ""


def followed_up_groups(round_: Round) -> set[str]:
    return {group.key for group in round_.definition.groups if group.follow_up}


def earlier_areas(assignment: Assignment) -> list[EarlierArea]:
    """The unit's development areas from the round this one follows up, in the order they were written."""
    return areas_by_assignment(assignment.round, [assignment]).get(assignment.id, [])


class OfUnit(Protocol):
    """An assignment as far as its earlier areas go: an ORM object or a row of its two columns."""

    id: int
    unit_id: int


def areas_by_assignment(round_: Round, assignments: Sequence[OfUnit]) -> dict[int, list[EarlierArea]]:
    """Each assignment's earlier development areas, from three queries whatever the number of units: last round's
    assignments and answers are read as the columns they need, so a round's counts cost its areas, not its forms."""
    keys = followed_up_groups(round_)
    if not keys or round_.previous_round is None or not assignments:
        return {}
    earlier = select(Assignment.id).where(Assignment.round_id == round_.previous_round_id)
    if len(assignments) == 1:
        earlier = earlier.where(Assignment.unit_id == assignments[0].unit_id)
    previous = {
        unit_id: source_id for source_id, unit_id in db.session.execute(earlier.add_columns(Assignment.unit_id))
    }
    groups = [group for group in round_.previous_round.definition.groups if group.key in keys]
    stored = group_values(earlier, groups)
    given = {
        (f.assignment_id, f.source_assignment_id, f.group_key, f.entry_index): f
        for f in db.session.scalars(
            select(DevelopmentAreaFollowUp).where(
                DevelopmentAreaFollowUp.assignment_id.in_([a.id for a in assignments])
            )
        )
    }
    found: dict[int, list[EarlierArea]] = {}
    for assignment in assignments:
        source_id = previous.get(assignment.unit_id)
        if source_id is None:
            continue
        values = stored.get(source_id, {})
        for group in groups:
            for index in Assignment.filled_entries(group, values):
                fields = {f.key: values[(f.key, index)] for f in group.fields if (f.key, index) in values}
                row = given.get((assignment.id, source_id, group.key, index))
                found.setdefault(assignment.id, []).append(EarlierArea(source_id, group, index, fields, row))
    return found


def group_values(assignment_ids: Select, groups: list[Question]) -> dict[int, dict[tuple[str, int], Any]]:
    """The groups' answers of each assignment, as values() keys them: only these rows and columns, so that
    counting last round's areas costs the areas, not every answer of every form (dozens a unit)."""
    keys = [group.key for group in groups] + [field.key for group in groups for field in group.fields]
    rows = db.session.execute(
        select(Answer.assignment_id, Answer.question_key, Answer.entry_index, Answer.value).where(
            Answer.assignment_id.in_(assignment_ids), Answer.question_key.in_(keys)
        )
    )
    values: dict[int, dict[tuple[str, int], Any]] = {}
    for assignment_id, key, index, value in rows:
        values.setdefault(assignment_id, {})[(key, index)] = value
    return values


def record(assignment: Assignment, area: EarlierArea, status: FollowUpStatus | None, comment: str) -> bool:
    """Store what this round says of an earlier area; returns whether anything changed (the caller commits)."""
    row = area.follow_up
    if row is None:
        if status is None and not comment:
            return False
        row = DevelopmentAreaFollowUp(
            assignment_id=assignment.id,
            source_assignment_id=area.source_id,
            group_key=area.group.key,
            entry_index=area.index,
        )
        db.session.add(row)
        area.follow_up = row
    if row.status == (status.value if status else None) and row.comment == comment:
        return False
    row.status, row.comment = (status.value if status else None), comment
    assignment.touch()
    return True


def without_status(assignment: Assignment) -> list[EarlierArea]:
    """Earlier areas still waiting for a status: the form cannot be submitted until each has one."""
    return [area for area in earlier_areas(assignment) if area.status is None]


@dataclass
class FollowUpCounts:
    """How many earlier development areas got each status, for one nämnd or one violence area."""

    name: str
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def acted_on(self) -> int:
        return sum(n for status, n in self.counts.items() if status is not None and status.acted_on)

    def count(self, status: FollowUpStatus | None) -> int:
        return self.counts.get(status, 0)


NO_AREA = "Inget våldsområde angivet"


def round_counts(
    round_: Round, assignments: Sequence[tuple[OfUnit, str]]
) -> tuple[list[FollowUpCounts], list[FollowUpCounts]]:
    """The earlier areas' statuses per nämnd (each assignment with its nämnd's name) and per violence area.

    An area that concerns two violence areas counts under both; one that names none under NO_AREA.
    """
    areas = areas_by_assignment(round_, [assignment for assignment, _name in assignments])
    by_namnd: dict[str, Counter] = {}
    by_area: dict[str, Counter] = {}
    for assignment, namnd in assignments:
        for area in areas.get(assignment.id, []):
            by_namnd.setdefault(namnd, Counter())[area.status] += 1
            for _code, label in area.violence_areas or [("", NO_AREA)]:
                by_area.setdefault(label, Counter())[area.status] += 1
    return (
        [FollowUpCounts(name, counts) for name, counts in sorted(by_namnd.items(), key=lambda i: i[0].casefold())],
        [FollowUpCounts(name, counts) for name, counts in by_area.items()],
    )
