"""The rows of each sheet, as plain Python: built unit by unit (head, add, tail), testable without Excel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from survey.exports.data import (
    KOMMUN,
    LANSDEL,
    NAMND,
    ROLL_UP_LEVELS,
    ExportOptions,
    UnitAnswers,
    UnitRow,
    Values,
    entry_indexes,
    status_text,
)
from survey.exports.writer import Described
from survey.models import SINGLE, AssignmentStatus, Round
from survey.questions.definition import Question, Questionnaire

# The same four states as the coordinator's dashboard, so the council and the coordinator count alike.
COUNTED_STATES = (
    AssignmentStatus.SUBMITTED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.REOPENED,
    AssignmentStatus.NOT_STARTED,
)
STATE_HEADINGS = ["Inbjudna", "Inskickade", "Påbörjade", "Återöppnade", "Ej påbörjade", "Svarsfrekvens"]


def with_share(counts: list[int]) -> list[Any]:
    """[invited, per state …] and the share submitted."""
    return [*counts, counts[1] / counts[0] if counts[0] else 0]


def state_counts(rows: Iterable[UnitRow]) -> list[int]:
    counts = [0] * (1 + len(COUNTED_STATES))
    for row in rows:
        counts[0] += 1
        counts[1 + COUNTED_STATES.index(row.assignment.status)] += 1
    return counts


LEVEL_HEADINGS = {NAMND: "Nämnd", KOMMUN: "Kommun", LANSDEL: "Länsdel"}


def overview_rows(rows: list[UnitRow], level: str = NAMND) -> Iterator[list[Any]]:
    """Sheet 'Översikt': the response per nämnd, one header row and no total row, so it sorts and pivots as it
    is (the totals are in 'Om sammanställningen'); the chart reads this table.

    In a county the same per kommun and per länsdel (``level``), each with a last column naming the row's unit
    at the level above (none for a unit that is its own, such as the region beside the municipalities): the rows
    of one unit above add up to its row on that level's sheet, and each level's rows to the total."""
    above = next(
        (lv for lv in ROLL_UP_LEVELS[ROLL_UP_LEVELS.index(level) + 1 :] if any(lv in r.levels for r in rows)), None
    )
    yield [LEVEL_HEADINGS[level], *STATE_HEADINGS] + ([LEVEL_HEADINGS[above]] if above else [])
    grouped: dict[object, list[UnitRow]] = {}
    for row in rows:
        unit = row.levels.get(level)
        grouped.setdefault(row.namnd if unit is None else unit.id, []).append(row)
    for group in grouped.values():
        first = group[0]
        unit = first.levels.get(level)
        line = [first.namnd if unit is None else unit.name, *with_share(state_counts(group))]
        if above:
            over = first.levels[above]
            line.append("" if unit is not None and over.id == unit.id else over.name)
        yield line


def county_levels(rows: list[UnitRow]) -> list[str]:
    """The roll-up levels above the nämnd that the rows have (a county's kommun and länsdel), finest first."""
    return [level for level in (KOMMUN, LANSDEL) if any(level in row.levels for row in rows)]


def about_rows(round_: Round, rows: list[UnitRow], options: ExportOptions, units, generated: datetime):
    """Sheet 'Om sammanställningen': what the workbook is and its key figures, as one row under one header."""
    version = round_.questionnaire_version
    yield ["Kartläggning", "Frågeformulär", "Version", "Skapad", "Urval", *STATE_HEADINGS]
    yield [round_.name, version.title, version.version, generated, options.describe(units)] + with_share(
        state_counts(rows)
    )


class SheetRows:
    """The rows of one sheet, built unit by unit so that one pass over the answers fills every sheet:
    ``head()`` before the first unit, ``add()`` for each unit, ``tail()`` after the last one."""

    def head(self) -> Iterable[list[Any]]:
        return []

    def add(self, unit: UnitRow, now: Values, before: Values | None) -> Iterable[list[Any]]:
        return []

    def tail(self) -> Iterable[list[Any]]:
        return []


def sheet_rows(sheet: SheetRows, units: Iterable[UnitAnswers]) -> Iterator[list[Any]]:
    """Every row of one sheet for a stream of units: for tests and for workbooks of one unit."""
    yield from sheet.head()
    for unit, now, before in units:
        yield from sheet.add(unit, now, before)
    yield from sheet.tail()


def option_headings(question: Question, prefix: str = "") -> list[str]:
    """The yes/no columns of a multiple-choice question: one per option, named by its label."""
    return [
        Described(f"{prefix}{option.label}", f"{question.label}: {option.label} (1 = ja, 0 = nej)")
        for option in question.options
    ]


def option_flags(question: Question, value: Any) -> list[int | None]:
    """1 for each option chosen, 0 for each not; nothing when the question was not answered."""
    if not isinstance(value, list):
        return [None] * len(question.options)
    return [int(option.code in value) for option in question.options]


class GroupRows(SheetRows):
    """A sheet per repeating group: one row per entry (good example, development area), labels not codes;
    each multiple-choice field (violence areas, target groups) also as yes/no columns, to pivot on. The good
    examples carry the unit's answer on publication (``consent``)."""

    def __init__(self, group: Question, consent: Question | None = None):
        self.group, self.consent = group, consent
        self.split = [f for f in group.fields if f.kind.one_cell_per_option]

    def head(self):
        consent = [Described("Får publiceras", self.consent.label)] if self.consent else []
        return [
            ["Nämnd", "Enhet", "Status", "Inskickad", *consent]
            + [f.label for f in self.group.fields]
            + [heading for f in self.split for heading in option_headings(f, f"{f.label}: ")]
        ]

    def add(self, unit, now, before):
        first = [unit.namnd, unit.unit.name, status_text(unit.assignment.status), unit.assignment.submitted_dt]
        if self.consent:
            first.append(self.consent.as_cell(now.get((self.consent.key, SINGLE))))
        for index in entry_indexes(now, self.group.key):
            yield (
                first
                + [f.as_cell(now.get((f.key, index))) for f in self.group.fields]
                + [flag for f in self.split for flag in option_flags(f, now.get((f.key, index)))]
            )


def counted_questions(definition: Questionnaire) -> Iterator[tuple[str, Question, Question | None]]:
    """(section title, question, its group or None) for every question the 'Per fråga' sheet counts."""
    for section in definition.sections:
        for question in section.questions:
            for item, group in [(f, question) for f in question.fields] if question.is_group else [(question, None)]:
                if item.kind.counted:
                    yield section.title, item, group


class QuestionCounts(SheetRows):
    """Sheet 'Per fråga': for each counted question what its type tallies (counts and shares per option;
    n, mean, median, lowest and highest for numbers). Units only add to the tallies; rows come at the end."""

    def __init__(self, definition: Questionnaire):
        self.questions = list(counted_questions(definition))
        self.tallies = {question.key: question.kind.tally(question) for _title, question, _group in self.questions}

    def head(self):
        return [["Avsnitt", "Nyckel", "Fråga", "Svarsalternativ eller mått", "Antal", "Andel"]]

    def add(self, unit, now, before):
        for (key, _index), value in now.items():
            tally = self.tallies.get(key)
            if tally is not None:
                tally.add(value)
        return []

    def tail(self):
        for section_title, question, _group in self.questions:
            for measure, value, share in self.tallies[question.key].rows():
                yield [section_title, question.key, question.label, measure, value, share]


def area_fields(definition: Questionnaire) -> list[tuple[Question, Question]]:
    """(group, field) for every group field that names violence areas (option set "valdsomraden")."""
    return [(g, f) for g in definition.groups for f in g.fields if f.option_set == "valdsomraden"]


def add_area_counts(counts: dict[tuple[str, str], int], pairs: list[tuple[Question, Question]], values: Values) -> None:
    """Add one unit's entries naming each violence area to ``counts``, keyed by (group key, area code)."""
    for group, field in pairs:
        for key, index in values:
            if key == group.key:
                for code in values.get((field.key, index)) or []:
                    counts[(group.key, code)] += 1


class ViolenceMatrix(SheetRows):
    """Sheet 'Våldsområden': units × violence areas, counting each group's entries (good examples,
    development areas) that name the area, so gaps show at a glance. No total row, which a pivot would count
    twice: the totals per area are in 'Per fråga'."""

    def __init__(self, definition: Questionnaire):
        self.pairs = area_fields(definition)
        self.areas = self.pairs[0][1].options if self.pairs else []

    def head(self):
        if not self.pairs:
            return [["Frågeformuläret har inga våldsområden att räkna."]]
        return [
            ["Nämnd", "Enhet"] + [f"{group.label}: {area.label}" for group, _f in self.pairs for area in self.areas]
        ]

    def add(self, unit, now, before):
        if not self.pairs:
            return []
        counts: dict[tuple[str, str], int] = defaultdict(int)
        add_area_counts(counts, self.pairs, now)
        return [
            [unit.namnd, unit.unit.name]
            + [counts[(group.key, area.code)] for group, _f in self.pairs for area in self.areas]
        ]


class ResponseRows(SheetRows):
    """Sheet 'Svar': one header row of question keys (the question's text is the heading's comment and in
    'Frågor'), then one row per unit; a group counts its entries."""

    def __init__(self, definition: Questionnaire):
        self.questions = definition.questions

    def head(self):
        first = [Described(key, label) for key, label in RESPONSE_COLUMNS]
        return [first + [Described(q.key, f"{q.label} (antal)" if q.is_group else q.label) for q in self.questions]]

    def add(self, unit, now, before):
        cells = [unit.namnd, unit.unit.name, status_text(unit.assignment.status), unit.assignment.submitted_dt]
        for question in self.questions:
            if question.is_group:
                cells.append(len(entry_indexes(now, question.key)))
            else:
                cells.append(question.as_cell(now.get((question.key, SINGLE))))
        return [cells]


RESPONSE_COLUMNS = (("namnd", "Nämnd"), ("enhet", "Enhet"), ("status", "Status"), ("inskickad", "Inskickad"))


class ChoiceRows(SheetRows):
    """Sheet 'Flerval': each multiple-choice question as one yes/no column per option (1 = ja, 0 = nej, empty when
    unanswered), one row per unit, so a pivot table counts or averages the choices directly."""

    def __init__(self, definition: Questionnaire):
        self.questions = [q for q in definition.questions if q.kind.one_cell_per_option]

    def head(self):
        first = [Described(key, label) for key, label in RESPONSE_COLUMNS[:3]]
        return [
            first + [Described(f"{q.key}.{o.code}", f"{q.label}: {o.label}") for q in self.questions for o in q.options]
        ]

    def add(self, unit, now, before):
        first = [unit.namnd, unit.unit.name, status_text(unit.assignment.status)]
        return [first + [flag for q in self.questions for flag in option_flags(q, now.get((q.key, SINGLE)))]]


def missing_rows(rows: list[UnitRow]) -> Iterator[list[Any]]:
    """Sheet 'Ej inkommit': units that have not submitted, whom to contact, and how often they were reminded."""
    yield ["Nämnd", "Enhet", "Status", "Kontaktperson", "E-post", "Påminnelser", "Senast påmind", "Senast aktiv"]
    for row in rows:
        if row.assignment.is_submitted:
            continue
        purged = row.assignment.round.contacts_purged_dt is not None  # after gallring the unit stands in for them
        yield [
            row.namnd,
            row.unit.name,
            status_text(row.assignment.status),
            row.unit.name if purged else "; ".join(c.name for c in row.contacts),
            "" if purged else "; ".join(c.email for c in row.contacts),
            row.assignment.reminder_count,
            row.assignment.last_reminded_dt,
            row.assignment.last_activity_dt,
        ]


def codebook_rows(definition: Questionnaire) -> Iterator[list[Any]]:
    """Sheet 'Frågor': key, section, text, type and options (code = label) of every question."""
    yield ["Nyckel", "Avsnitt", "Grupp", "Fråga", "Typ", "Obligatorisk", "Alternativ (kod = text)"]
    for section in definition.sections:
        for question in section.questions:
            for item, group in [(question, None)] + [(f, question) for f in question.fields]:
                yield [
                    item.key,
                    section.title,
                    group.label if group else "",
                    item.label,
                    item.kind.codebook_name,
                    "ja" if item.required else "nej",
                    item.kind.codebook_options(item),
                ]


def compared_questions(
    definition: Questionnaire, earlier: Questionnaire
) -> list[tuple[Question | None, Question | None]]:
    """(question now, the same key's question then), None where a version lacks it: this version's order first."""
    current: list[tuple[Question | None, Question | None]] = [
        (q, earlier.question(q.key)) for q in definition.questions
    ]
    return current + [(None, q) for q in earlier.questions if definition.question(q.key) is None]


class ComparisonRows(SheetRows):
    """Sheet 'Jämförelse': per unit and question, the previous and the current answer (groups as counts)."""

    def __init__(self, round_: Round, earlier: Round):
        self.questions = compared_questions(round_.definition, earlier.definition)
        self.names = (earlier.name, round_.name)

    def head(self):
        return [["Nämnd", "Enhet", "Nyckel", "Fråga", f"Svar {self.names[0]}", f"Svar {self.names[1]}", "Ändrat"]]

    def add(self, unit, now, before):
        for question, old_question in self.questions:
            current = raw_answer(question, now) if question is not None else None
            previous = raw_answer(old_question, before) if old_question is not None and before is not None else None
            if current is None and previous is None:
                continue
            either = question or old_question
            shown_before = "(svarade inte)" if before is None else (old_question or either).as_cell(previous)
            yield [
                unit.namnd,
                unit.unit.name,
                either.key,
                either.label,
                "(fanns inte)" if old_question is None else shown_before,
                "(fanns inte)" if question is None else either.as_cell(current),
                changed(either, question, old_question, before, previous, current),
            ]


def changed(either: Question, question, old_question, before, previous, current) -> str:
    """A question added or removed between the versions is named so, never counted as a changed answer."""
    if old_question is None:
        return "ny fråga"
    if question is None:
        return "borttagen fråga"
    if before is None:
        return "ja"
    return "nej" if either.kind.same(either, previous, current) else "ja"


def raw_answer(question: Question, values: Values) -> Any:
    """A stored answer as compared between rounds (codes, not labels, so a reworded option is no change)."""
    if question.is_group:
        return len(entry_indexes(values, question.key)) or None
    return values.get((question.key, SINGLE))


class AreaChangeRows(SheetRows):
    """Sheet 'Jämförelse våldsområden': per violence area, each group's entries then and now, and the change."""

    def __init__(self, round_: Round, earlier: Round):
        self.pairs = area_fields(round_.definition)
        self.names = (earlier.name, round_.name)
        self.then: dict[tuple[str, str], int] = defaultdict(int)
        self.now: dict[tuple[str, str], int] = defaultdict(int)

    def add(self, unit, now, before):
        add_area_counts(self.now, self.pairs, now)
        add_area_counts(self.then, self.pairs, before or {})
        return []

    def tail(self):
        if not self.pairs:
            yield ["Frågeformuläret har inga våldsområden att jämföra."]
            return
        yield ["Våldsområde"] + [
            f"{group.label}: {name}" for group, _f in self.pairs for name in (*self.names, "förändring")
        ]
        for area in self.pairs[0][1].options:
            cells = [area.label]
            for group, _field in self.pairs:
                a, b = self.then[(group.key, area.code)], self.now[(group.key, area.code)]
                cells += [a, b, b - a]
            yield cells
