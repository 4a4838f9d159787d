"""Sheet "Över tid": every unit's answer to every question key in every round of the questionnaire family.

Rounds join on question keys, whatever version each used. A key a round's version did not have shows
as such ("fanns inte"), never as a changed answer; a unit that sent nothing in that round shows
"svarade inte". Groups (goda exempel, utvecklingsområden) are compared by their number of entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from survey.exports.data import CHUNK, ExportOptions, UnitRow, answered, answers_of, submitted_in
from survey.exports.rows import raw_answer
from survey.models import Round
from survey.questions.definition import Question, Questionnaire

ABSENT = "(fanns inte)"
NO_ANSWER = "(svarade inte)"


def question_keys(definitions: list[Questionnaire]) -> list[tuple[str, Question]]:
    """Every top-level question key of any version, the newest version's order first, with its newest wording."""
    found: dict[str, Question] = {}
    for definition in reversed(definitions):
        for question in definition.questions:
            found.setdefault(question.key, question)
    return list(found.items())


def history_rows(
    round_: Round, earlier: list[Round], rows: list[UnitRow], options: ExportOptions
) -> Iterator[list[Any]]:
    rounds = [*earlier, round_]
    definitions = [r.definition for r in rounds]
    keys = question_keys(definitions)
    yield ["Nämnd", "Enhet", "Nyckel", "Fråga", *(r.name for r in rounds), "Ändrat sedan förra omgången"]
    sent_in = [submitted_in(r) for r in earlier]
    counted = answered(rows, options)
    for start in range(0, len(counted), CHUNK):
        part = counted[start : start + CHUNK]
        ids = [row.assignment.id for row in part] + [
            m[row.unit.id] for row in part for m in sent_in if row.unit.id in m
        ]
        values = answers_of(ids)
        for row in part:
            per_round = [values.get(m[row.unit.id], {}) if row.unit.id in m else None for m in sent_in]
            per_round.append(values.get(row.assignment.id, {}))
            yield from unit_history(row, keys, definitions, per_round)


def unit_history(row: UnitRow, keys, definitions: list[Questionnaire], per_round: list) -> Iterator[list[Any]]:
    for key, newest in keys:
        cells, raw = [], []
        for definition, values in zip(definitions, per_round, strict=True):
            question = definition.question(key)
            if question is None:
                cells.append(ABSENT)
                raw.append(ABSENT)
            elif values is None:
                cells.append(NO_ANSWER)
                raw.append(NO_ANSWER)
            else:
                answer = raw_answer(question, values)
                cells.append(question.as_cell(answer) if not question.is_group else answer)
                raw.append(answer)
        if all(value in (None, ABSENT, NO_ANSWER) for value in raw):
            continue
        yield [row.namnd, row.unit.name, key, newest.label, *cells, change_since_last(newest, raw[-2:])]


def change_since_last(question: Question, last_two: list[Any]) -> str:
    if len(last_two) < 2:
        return ""
    before, now = last_two
    if now == ABSENT:
        return "" if before == ABSENT else "borttagen fråga"
    if before == ABSENT:
        return "ny fråga"
    if before == NO_ANSWER:
        return "svarade inte förra omgången"
    return "nej" if question.kind.same(question, before, now) else "ja"
