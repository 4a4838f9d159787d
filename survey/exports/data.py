"""A round's data for exports: its units with nämnd and contacts, and their answers streamed a
chunk at a time (with the previous round's beside them)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask_babel import force_locale
from sqlalchemy import Select, Text, and_, cast, or_, select

from survey.exports.words import word
from survey.extensions import db
from survey.models import (
    SENT_IN,
    Answer,
    Assignment,
    AssignmentStatus,
    ContactPerson,
    QuestionnaireVersion,
    Round,
    Unit,
)
from survey.models.units import UnitTree
from survey.questions.definition import BASE_LANGUAGE
from survey.questions.languages import shown_language

Values = dict[tuple[str, int], Any]
CHUNK = 200


# The questionnaire's question on publication and its group of good examples (stable keys, see
# questionnaires/kartlaggning-vald.toml): the public page and the workbook's "Goda exempel" read them. A
# questionnaire without them publishes no examples.
CONSENT_KEY, CONSENT_YES = "publicering", "ja"
GOOD_EXAMPLES_KEY = "goda_exempel"


def answers_of(assignment_ids: list[int], keys: Iterable[str] | None = None) -> dict[int, Values]:
    """The answers of a few assignments (to the given question keys, or all), by assignment.

    The values come as their stored JSON text and are decoded in one call for the whole batch, and
    the query runs on the connection rather than the ORM session: the rows are plain tuples either
    way (benches/bench_export.py measures the export).
    """
    query = select(Answer.assignment_id, Answer.question_key, Answer.entry_index, cast(Answer.value, Text)).where(
        Answer.assignment_id.in_(assignment_ids)
    )
    if keys is not None:
        query = query.where(Answer.question_key.in_(sorted(set(keys))))
    rows = db.session.connection().execute(query).all()
    decoded = json.loads("[" + ",".join(row[3] or "null" for row in rows) + "]")
    values: dict[int, Values] = defaultdict(dict)
    for (assignment_id, key, index, _text), value in zip(rows, decoded, strict=True):
        values[assignment_id][(key, index)] = value
    return values


def stream_answers(
    rows: list[UnitRow], keys: Iterable[str] | None = None, chunk: int = CHUNK
) -> Iterator[tuple[UnitRow, Values]]:
    """Each unit's answers (to the given question keys, or all), in the rows' order, a few hundred units at a time.

    Memory stays flat however large the round: at most one chunk of answers is held.
    """
    for row, values, _before in stream_with_previous(rows, {}, keys, chunk):
        yield row, values


def stream_with_previous(
    rows: list[UnitRow], previous: dict[int, int], keys: Iterable[str] | None = None, chunk: int = CHUNK
) -> Iterator[tuple[UnitRow, Values, Values | None]]:
    """Like stream_answers, with each unit's answers from the previous round too (None: it did not submit then).

    ``previous`` maps a unit id to its submitted assignment in the previous round.
    """
    keys = None if keys is None else set(keys)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        earlier = [previous[row.unit.id] for row in part if row.unit.id in previous]
        values = answers_of([row.assignment.id for row in part] + earlier, keys)
        for row in part:
            before = previous.get(row.unit.id)
            yield row, values.get(row.assignment.id, {}), None if before is None else values.get(before, {})


@dataclass(frozen=True)
class ExportOptions:
    """What a workbook covers: answers sent in (default) or drafts too, and all units or one nämnd."""

    include_drafts: bool = False
    namnd_id: int | None = None
    # The ids of the units the reader may see (access.visible_units()); None: every unit (the command line).
    visible_units: Select | None = None
    language: str = BASE_LANGUAGE  # of its sheet names, headings and the questionnaire's texts (exports/words.py)

    def describe(self, units: dict[int, Unit]) -> str:
        scope = units[self.namnd_id].name if self.namnd_id in units else "Alla nämnder och bolag"
        answers = (
            "inskickade svar och utkast"
            if self.include_drafts
            else "inskickade svar (även de som öppnats igen för komplettering)"
        )
        return f"{word(scope, self.language)}; {word(answers, self.language)}"


@dataclass
class UnitRow:
    assignment: Assignment
    namnd: str
    unit: Unit
    contacts: list[ContactPerson]
    # The unit each roll-up level counts this unit towards, by level (NAMND, and in a county KOMMUN, LANSDEL).
    levels: dict[str, Unit] = field(default_factory=dict)


# The roll-up levels, finest first; a county's tree has all three, a municipality's only the nämnd level.
NAMND, KOMMUN, LANSDEL = "namnd", "kommun", "lansdel"
ROLL_UP_LEVELS = (NAMND, KOMMUN, LANSDEL)


def round_units(round_: Round, options: ExportOptions = ExportOptions()) -> tuple[list[UnitRow], dict[int, Unit]]:
    """Every unit of the round within the chosen nämnd, ordered by nämnd and unit, from three queries.

    A reader who sees part of the tree gets their part only: its top (the nämnd column, the nämnd filter)
    is the highest unit they may see, as on the dashboard."""
    visible = select(Unit) if options.visible_units is None else select(Unit).where(Unit.id.in_(options.visible_units))
    units = {u.id: u for u in db.session.scalars(visible)}
    assignments = select(Assignment).where(Assignment.round_id == round_.id)
    if options.visible_units is not None:
        assignments = assignments.where(Assignment.unit_id.in_(options.visible_units))
    contacts: dict[int, list[ContactPerson]] = defaultdict(list)
    for contact in db.session.scalars(
        select(ContactPerson)
        .where(ContactPerson.unit_id.in_(assignments.with_only_columns(Assignment.unit_id)))
        .order_by(ContactPerson.name)
    ):
        contacts[contact.unit_id].append(contact)
    rows = []
    tree = UnitTree(units)
    county_levels = [level for level in (KOMMUN, LANSDEL) if any(u.kind == level for u in units.values())]
    for assignment in db.session.scalars(assignments):
        unit = units[assignment.unit_id]
        top = tree.top(unit)
        if options.namnd_id is not None and top.id != options.namnd_id:
            continue
        levels = {NAMND: top} | {level: tree.rolled_up(unit, (level,)) for level in county_levels}
        # In a county several municipalities have a nämnd of the same name: the nämnd column says whose it is.
        kommun = levels.get(KOMMUN)
        namnd = top.name if kommun is None or kommun.id == top.id else f"{top.name} ({kommun.name})"
        rows.append(UnitRow(assignment, namnd, unit, contacts[assignment.unit_id], levels))
    rows.sort(
        key=lambda row: (
            *(row.levels[level].name.casefold() for level in reversed(county_levels)),
            row.namnd.casefold(),
            row.unit.name.casefold(),
        )
    )
    return rows, units


def top_unit(units: dict[int, Unit], unit_id: int) -> Unit:
    """The nämnd (or bolag, or top of the tree) a unit belongs to."""
    return UnitTree(units).top(units[unit_id])


def answered(rows: list[UnitRow], options: ExportOptions) -> list[UnitRow]:
    """The units whose answers the workbook counts: sent in, or with drafts also started ones."""
    wanted = (*SENT_IN, AssignmentStatus.IN_PROGRESS) if options.include_drafts else SENT_IN
    return [row for row in rows if row.assignment.status in wanted]


def status_text(status: str) -> str:
    """A status in words, in the language of the workbook being written (Swedish unless another is asked for)."""
    return status_words(status, shown_language())


@cache
def status_words(status: str, language: str) -> str:
    """Looked up once per status and language rather than once per row."""
    with force_locale(language):
        return str(AssignmentStatus(status).label)


UnitAnswers = tuple[UnitRow, Values, Values | None]  # a unit, its answers now, and in the previous round


def entry_indexes(values: Values, group_key: str) -> list[int]:
    """The entries of a repeating group, in the order they were added."""
    return sorted(index for key, index in values if key == group_key)


def previous_round(round_: Round) -> Round | None:
    """The round it follows up, or else the latest earlier round of the same questionnaire (any version of it)
    that was opened, if any."""
    if round_.previous_round is not None:
        return round_.previous_round
    earlier = or_(Round.opens_on < round_.opens_on, and_(Round.opens_on == round_.opens_on, Round.id < round_.id))
    return db.session.scalar(
        select(Round)
        .join(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.slug == round_.questionnaire_version.slug,
            Round.id != round_.id,
            Round.state != "draft",
            earlier,
        )
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .limit(1)
    )


def earlier_rounds(round_: Round) -> list[Round]:
    """Every earlier opened round of the same questionnaire (any version of it), oldest first; the round it
    follows up among them even if it opened later."""
    earlier = or_(Round.opens_on < round_.opens_on, and_(Round.opens_on == round_.opens_on, Round.id < round_.id))
    found = list(
        db.session.scalars(
            select(Round)
            .join(QuestionnaireVersion)
            .where(
                QuestionnaireVersion.slug == round_.questionnaire_version.slug,
                Round.id != round_.id,
                Round.state != "draft",
                or_(earlier, Round.id == round_.previous_round_id),
            )
            .order_by(Round.opens_on, Round.id)
        )
    )
    return found


def submitted_in(round_: Round) -> dict[int, int]:
    """Unit id → its submitted assignment in the round."""
    return dict(
        db.session.execute(
            select(Assignment.unit_id, Assignment.id).where(
                Assignment.round_id == round_.id, Assignment.status.in_(SENT_IN)
            )
        ).all()
    )
