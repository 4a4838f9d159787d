"""The council workbook: rows for each sheet are computed by plain functions, then written by one writer.

Every text cell is written as literal text, never as a formula, whatever a
respondent typed: a workbook from a survey must be safe to open.
"""
from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from math import ceil
from typing import Any, Iterable, Iterator

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy import Text, and_, cast, or_, select

from .db import LOCAL_TZ, db, utcnow
from .models import SINGLE, STATUS_LABELS, Answer, Assignment, ContactPerson, QuestionnaireVersion, Round, Unit
from .questionnaires import Question, Questionnaire

EXCEL_CELL_LIMIT = 32_767
WRAP_FROM = 40                          # characters; a text this long, or on several lines, is wrapped
DEFAULT_WIDTH = 8.43                    # Excel's column width when none is set, in characters
LINE_HEIGHT = 15                        # points per line of 11-point text
MAX_ROW_HEIGHT = 409                    # Excel's highest row
LITERAL_RISKS = frozenset(ERROR_CODES)  # texts openpyxl would store as error values
CUT_MARK = " […]"
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class OneLine(str):
    """Text that is never wrapped, so it runs on over the empty cells beside it (the Översikt's heading lines)."""


def clean_text(text: str) -> str:
    """Text Excel accepts: no XML-illegal characters, within the cell limit, visibly cut when longer."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(CUT_MARK)] + CUT_MARK
    return text


def display_value(question: Question, value: Any) -> Any:
    """A stored answer as a reader wants it: labels for codes, real numbers and dates."""
    if value is None:
        return None
    if question.type == "multiple_choice":
        return "; ".join(question.label_for(code) for code in value)
    if question.type in ("single_choice", "yes_partly_no"):
        return question.label_for(value)
    if question.type == "date":
        return date.fromisoformat(value)
    return value


Values = dict[tuple[str, int], Any]
CHUNK = 200


def answers_of(assignment_ids: list[int], keys: Iterable[str] | None = None) -> dict[int, Values]:
    """The answers of a few assignments (to the given question keys, or all), by assignment.

    The values come as their stored JSON text and are decoded in one call for the whole batch:
    decoding a hundred thousand small values one by one was a large export's biggest cost. The
    query runs on the connection, not the ORM session: the rows are plain tuples either way, and
    the session's per-row bookkeeping cost a third of the read.
    """
    query = select(Answer.assignment_id, Answer.question_key, Answer.entry_index, cast(Answer.value, Text)) \
        .where(Answer.assignment_id.in_(assignment_ids))
    if keys is not None:
        query = query.where(Answer.question_key.in_(sorted(set(keys))))
    rows = db.session.connection().execute(query).all()
    decoded = json.loads("[" + ",".join(row[3] or "null" for row in rows) + "]")
    values: dict[int, Values] = defaultdict(dict)
    for (assignment_id, key, index, _text), value in zip(rows, decoded):
        values[assignment_id][(key, index)] = value
    return values


def stream_answers(rows: list["UnitRow"], keys: Iterable[str] | None = None,
                   chunk: int = CHUNK) -> Iterator[tuple["UnitRow", Values]]:
    """Each unit's answers (to the given question keys, or all), in the rows' order, a few hundred units at a time.

    Memory stays flat however large the round: at most one chunk of answers is held.
    """
    for row, values, _before in stream_with_previous(rows, {}, keys, chunk):
        yield row, values


def stream_with_previous(rows: list["UnitRow"], previous: dict[int, int], keys: Iterable[str] | None = None,
                         chunk: int = CHUNK) -> Iterator[tuple["UnitRow", Values, Values | None]]:
    """Like stream_answers, with each unit's answers from the previous round too (None: it did not submit then).

    ``previous`` maps a unit id to its submitted assignment in the previous round.
    """
    keys = None if keys is None else set(keys)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
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

    def describe(self, units: dict[int, Unit]) -> str:
        scope = units[self.namnd_id].name if self.namnd_id in units else "Alla nämnder och bolag"
        answers = ("inskickade svar och utkast" if self.include_drafts
                   else "inskickade svar (även de som öppnats igen för komplettering)")
        return f"{scope}; {answers}"


@dataclass
class UnitRow:
    assignment: Assignment
    namnd: str
    unit: Unit
    contacts: list[ContactPerson]


def round_units(round_: Round, options: ExportOptions = ExportOptions()) -> tuple[list[UnitRow], dict[int, Unit]]:
    """Every unit of the round within the chosen nämnd, ordered by nämnd and unit, from three queries."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    contacts: dict[int, list[ContactPerson]] = defaultdict(list)
    for contact in db.session.scalars(
        select(ContactPerson).join(Assignment, Assignment.unit_id == ContactPerson.unit_id)
        .where(Assignment.round_id == round_.id).order_by(ContactPerson.name)
    ):
        contacts[contact.unit_id].append(contact)
    rows = []
    for assignment in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)):
        top = top_unit(units, assignment.unit_id)
        if options.namnd_id is not None and top.id != options.namnd_id:
            continue
        rows.append(UnitRow(assignment, top.name, units[assignment.unit_id], contacts[assignment.unit_id]))
    rows.sort(key=lambda row: (row.namnd.casefold(), row.unit.name.casefold()))
    return rows, units


def top_unit(units: dict[int, Unit], unit_id: int) -> Unit:
    """The nämnd (or bolag, or top of the tree) a unit belongs to."""
    unit, seen = units[unit_id], set()
    while unit.kind not in ("namnd", "bolag") and unit.parent_id in units and unit.id not in seen:
        seen.add(unit.id)
        unit = units[unit.parent_id]
    return unit


# Answers that have been sent in. A unit the coordinator reopened for a correction keeps counting
# (its status says so), so reopening just before a council meeting does not drop it from the workbook.
SENT_IN = ("submitted", "reopened")


def answered(rows: list[UnitRow], options: ExportOptions) -> list[UnitRow]:
    """The units whose answers the workbook counts: sent in, or with drafts also started ones."""
    wanted = (*SENT_IN, "in_progress") if options.include_drafts else SENT_IN
    return [row for row in rows if row.assignment.status in wanted]


def overview_rows(round_: Round, rows: list[UnitRow], options: ExportOptions, units, generated: datetime):
    """Sheet 'Översikt': what the workbook is, then the response per nämnd (the chart reads this table)."""
    version = round_.questionnaire_version
    yield ["Kartläggning", OneLine(round_.name)]
    yield ["Frågeformulär", OneLine(f"{version.title}, version {version.version}")]
    yield ["Skapad", generated]
    yield ["Urval", OneLine(options.describe(units))]
    yield []
    # The same four states as the coordinator's dashboard, so the council and the coordinator count alike.
    columns = ("submitted", "in_progress", "reopened", "not_started")
    yield ["Nämnd", "Inbjudna", "Inskickade", "Påbörjade", "Återöppnade", "Ej påbörjade", "Svarsfrekvens"]
    per_namnd: dict[str, list[int]] = {}
    for row in rows:
        counts = per_namnd.setdefault(row.namnd, [0] * (1 + len(columns)))
        counts[0] += 1
        counts[1 + columns.index(row.assignment.status)] += 1
    for namnd, counts in per_namnd.items():
        yield [namnd, *counts, counts[1] / counts[0] if counts[0] else 0]
    total = [sum(c[i] for c in per_namnd.values()) for i in range(1 + len(columns))]
    yield ["Totalt", *total, total[1] / total[0] if total[0] else 0]


OVERVIEW_TABLE_FIRST_ROW = 6


@lru_cache(maxsize=None)
def status_text(status: str) -> str:
    """A status in words, looked up once per status rather than once per row; Swedish like the rest of the workbook."""
    with force_locale("sv"):
        return str(STATUS_LABELS[status])


UnitAnswers = tuple[UnitRow, Values, Values | None]     # a unit, its answers now, and in the previous round


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


def entry_indexes(values: Values, group_key: str) -> list[int]:
    """The entries of a repeating group, in the order they were added."""
    return sorted(index for key, index in values if key == group_key)


class GroupRows(SheetRows):
    """A sheet per repeating group: one row per entry (good example, development area), labels not codes."""

    def __init__(self, group: Question):
        self.group = group

    def head(self):
        return [["Nämnd", "Enhet", "Status"] + [f.label for f in self.group.fields]]

    def add(self, unit, now, before):
        for index in entry_indexes(now, self.group.key):
            yield [unit.namnd, unit.unit.name, status_text(unit.assignment.status)] + [
                display_value(f, now.get((f.key, index))) for f in self.group.fields
            ]


def counted_questions(definition: Questionnaire) -> Iterator[tuple[str, Question, Question | None]]:
    """(section title, question, its group or None) for every question the 'Per fråga' sheet counts."""
    for section in definition.sections:
        for question in section.questions:
            for item, group in ([(f, question) for f in question.fields] if question.is_group else [(question, None)]):
                if item.type in ("single_choice", "multiple_choice", "scale", "yes_partly_no", "number"):
                    yield section.title, item, group


class QuestionCounts(SheetRows):
    """Sheet 'Per fråga': counts and shares per option; n, sum, mean, median, min and max for numbers.

    Shares are of the answers given to the question (entries, for fields of repeating groups).
    Units only add to the counts (and to the numbers, kept whole for the median); rows come at the end.
    """

    def __init__(self, definition: Questionnaire):
        self.questions = list(counted_questions(definition))
        self.by_key = {question.key: question for _title, question, _group in self.questions}
        self.given: dict[str, int] = defaultdict(int)                              # answers per question
        self.chosen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # per question and option
        self.numbers: dict[str, list[float]] = defaultdict(list)

    def head(self):
        return [["Avsnitt", "Nyckel", "Fråga", "Svarsalternativ eller mått", "Antal", "Andel"]]

    def add(self, unit, now, before):
        for (key, _index), value in now.items():
            question = self.by_key.get(key)
            if question is None:
                continue
            self.given[key] += 1
            if question.type == "number":
                if isinstance(value, (int, float)):
                    self.numbers[key].append(value)
                continue
            for code in value if isinstance(value, list) else [value]:
                self.chosen[key][str(code)] += 1
        return []

    def tail(self):
        for section_title, question, _group in self.questions:
            head = [section_title, question.key, question.label]
            if question.type == "number":
                for name, value in number_statistics(self.numbers[question.key], question.unit):
                    yield head + [name, value, None]
                continue
            total, chosen = self.given[question.key], self.chosen[question.key]
            for option in question.choices:
                count = chosen.get(option.code, 0)
                yield head + [option_label(question, option), count, count / total if total else 0]
            yield head + ["Antal svar", total, None]
            if question.type == "scale" and total:
                mean = sum(int(code) * count for code, count in chosen.items()) / total
                yield head + ["Medelvärde", round(mean, 1), None]


def option_label(question: Question, option) -> str:
    """An option as the reader saw it: a scale's ends carry their words ("1 – Inte alls")."""
    if question.type == "scale":
        ends = {int(question.min): question.min_label, int(question.max): question.max_label}
        word = ends.get(int(option.code))
        return f"{option.label} – {word}" if word else option.label
    return option.label


def number_statistics(found: list[float], unit: str | None = None) -> list[tuple[str, float]]:
    """n, sum, mean, median, lowest and highest; no sum of percentages, which means nothing."""
    if not found:
        return [("Antal svar", 0)]
    rows = [("Antal svar", len(found))]
    if unit != "%":
        rows.append(("Summa", sum(found)))
    return rows + [("Medelvärde", round(statistics.fmean(found), 1)), ("Median", round(statistics.median(found), 1)),
                   ("Lägsta", min(found)), ("Högsta", max(found))]


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
    development areas) that name the area; the last row sums every column, so gaps show at a glance."""

    def __init__(self, definition: Questionnaire):
        self.pairs = area_fields(definition)
        self.areas = self.pairs[0][1].options if self.pairs else []
        self.totals = [0] * (len(self.pairs) * len(self.areas))

    def head(self):
        if not self.pairs:
            return [["Frågeformuläret har inga våldsområden att räkna."]]
        return [["Nämnd", "Enhet"] + [f"{group.label}: {area.label}" for group, _f in self.pairs for area in self.areas]]

    def add(self, unit, now, before):
        if not self.pairs:
            return []
        counts: dict[tuple[str, str], int] = defaultdict(int)
        add_area_counts(counts, self.pairs, now)
        row = [counts[(group.key, area.code)] for group, _f in self.pairs for area in self.areas]
        self.totals = [a + b for a, b in zip(self.totals, row)]
        return [[unit.namnd, unit.unit.name] + row]

    def tail(self):
        return [["Totalt", ""] + self.totals] if self.pairs else []


class ResponseRows(SheetRows):
    """Sheet 'Svar': two header rows (key, question text), then one row per unit."""

    def __init__(self, definition: Questionnaire):
        self.questions = definition.questions

    def head(self):
        return [["namnd", "enhet", "status", "inskickad"] + [q.key for q in self.questions],
                ["Nämnd", "Enhet", "Status", "Inskickad"] + [
                    f"{q.label} (antal)" if q.is_group else q.label for q in self.questions]]

    def add(self, unit, now, before):
        cells = [unit.namnd, unit.unit.name, status_text(unit.assignment.status), unit.assignment.submitted_dt]
        for question in self.questions:
            if question.is_group:
                cells.append(len(entry_indexes(now, question.key)))
            else:
                cells.append(display_value(question, now.get((question.key, SINGLE))))
        return [cells]


def missing_rows(rows: list[UnitRow]) -> Iterator[list[Any]]:
    """Sheet 'Ej inkommit': units that have not submitted, whom to contact, and how often they were reminded."""
    yield ["Nämnd", "Enhet", "Status", "Kontaktperson", "E-post", "Påminnelser", "Senast påmind", "Senast aktiv"]
    for row in rows:
        if row.assignment.status == "submitted":
            continue
        yield [row.namnd, row.unit.name, status_text(row.assignment.status),
               "; ".join(c.name for c in row.contacts), "; ".join(c.email for c in row.contacts),
               row.assignment.reminder_count, row.assignment.last_reminded_dt, row.assignment.last_activity_dt]


QUESTION_TYPE_NAMES = {
    "short_text": "kort text", "long_text": "lång text", "number": "tal", "single_choice": "ett val",
    "multiple_choice": "flera val", "scale": "skala", "yes_partly_no": "ja/delvis/nej", "date": "datum",
    "group": "upprepad grupp",
}


def codebook_rows(definition: Questionnaire) -> Iterator[list[Any]]:
    """Sheet 'Frågor': key, section, text, type and options (code = label) of every question."""
    yield ["Nyckel", "Avsnitt", "Grupp", "Fråga", "Typ", "Obligatorisk", "Alternativ (kod = text)"]
    for section in definition.sections:
        for question in section.questions:
            for item, group in [(question, None)] + [(f, question) for f in question.fields]:
                options = "; ".join(f"{o.code} = {o.label}" for o in item.choices)
                if item.type == "scale":
                    options = f"{int(item.min)} = {item.min_label}; {int(item.max)} = {item.max_label}"
                yield [item.key, section.title, group.label if group else "", item.label,
                       QUESTION_TYPE_NAMES[item.type], "ja" if item.required else "nej", options]


def previous_round(round_: Round) -> Round | None:
    """The latest earlier round of the same questionnaire (any version of it) that was opened, if any."""
    earlier = or_(Round.opens_on < round_.opens_on, and_(Round.opens_on == round_.opens_on, Round.id < round_.id))
    return db.session.scalar(
        select(Round).join(QuestionnaireVersion)
        .where(QuestionnaireVersion.slug == round_.questionnaire_version.slug, Round.id != round_.id,
               Round.state != "draft", earlier)
        .order_by(Round.opens_on.desc(), Round.id.desc()).limit(1)
    )


def submitted_in(round_: Round) -> dict[int, int]:
    """Unit id → its submitted assignment in the round."""
    return dict(db.session.execute(
        select(Assignment.unit_id, Assignment.id).where(Assignment.round_id == round_.id, Assignment.status.in_(SENT_IN))
    ).all())


def compared_questions(definition: Questionnaire, earlier: Questionnaire) -> list[tuple[Question | None, Question | None]]:
    """(question now, the same key's question then), None where a version lacks it: this version's order first."""
    current = [(q, earlier.question(q.key)) for q in definition.questions]
    gone = [(None, q) for q in earlier.questions if definition.question(q.key) is None]
    return current + gone


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
            shown_before = "(svarade inte)" if before is None else display_value(old_question or either, previous)
            yield [unit.namnd, unit.unit.name, either.key, either.label, shown_before,
                   display_value(either, current), "nej" if current == previous and before is not None else "ja"]


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
        yield ["Våldsområde"] + [f"{group.label}: {name}" for group, _f in self.pairs
                                 for name in (*self.names, "förändring")]
        for area in self.pairs[0][1].options:
            cells = [area.label]
            for group, _field in self.pairs:
                a, b = self.then[(group.key, area.code)], self.now[(group.key, area.code)]
                cells += [a, b, b - a]
            yield cells


class SheetWriter:
    """One write-only sheet being filled: header frozen and filtered, columns sized, text wrapped, cells safe.

    Several can be filled at once (each streams to its own temporary file), which lets one
    pass over the answers feed every sheet.
    """

    def __init__(self, workbook: Workbook, title: str, header_row: int = 1, widths: Iterable[int] = (),
                 percent_columns: Iterable[int] = (), frozen_columns: int = 0):
        self.sheet = workbook.create_sheet(title=title[:31])
        # The header stays in view, and with frozen_columns the columns naming the unit too.
        self.sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
        # Printed: landscape, one page wide, the header repeated on every page.
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth, self.sheet.page_setup.fitToHeight = 1, 0
        self.sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        self.sheet.print_title_rows = f"1:{header_row}"
        self.widths = dict(enumerate(widths, start=1))
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        self.cells = SafeCells(self.sheet, self.widths)
        self.header_row, self.percent = header_row, set(percent_columns)
        self.row_count, self.last_column = 0, 1

    def extend(self, rows: Iterable[list[Any]]) -> None:
        cells, percent, heights = self.cells, self.percent, self.sheet.row_dimensions
        for row in rows:
            self.row_count += 1
            cells.lines = 1
            if self.row_count == self.header_row:
                values = [cells.header(value, column) for column, value in enumerate(row, start=1)]
            elif percent and self.row_count > self.header_row:
                values = [cells.percent(value) if column in percent and isinstance(value, (int, float))
                          else cells.cell(value, column) for column, value in enumerate(row, start=1)]
            else:
                values = [cells.cell(value, column) for column, value in enumerate(row, start=1)]
            # Neither Excel nor LibreOffice grows a row for wrapped text when it opens a file, so a
            # long description would show one line and print over the next row: give it the height.
            height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * cells.lines) if cells.lines > 1 else None
            if height:
                heights[self.row_count].height = height
            self.sheet.append(values)
            if height:
                del heights[self.row_count]  # written with the row; keeping it would grow with the sheet
            self.last_column = max(self.last_column, len(row))

    def finish(self, footer_rows: int = 0):
        """Filter the header row down to the last row above ``footer_rows`` (a total must not sort
        in among the rows it adds up); the filter is written when the workbook is saved."""
        last_row = max(self.row_count - footer_rows, self.header_row)
        self.sheet.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.last_column)}{last_row}"
        return self.sheet, self.row_count


def write_sheet(workbook: Workbook, title: str, rows: Iterable[list[Any]], header_row: int = 1,
                widths: Iterable[int] = (), percent_columns: Iterable[int] = (), footer_rows: int = 0,
                frozen_columns: int = 0):
    """Write rows to a new sheet in one go (see SheetWriter); returns the sheet and its number of rows."""
    writer = SheetWriter(workbook, title, header_row, widths, percent_columns, frozen_columns)
    writer.extend(rows)
    return writer.finish(footer_rows)


class SafeCells:
    """Values made ready to append to one write-only sheet: plain where openpyxl writes them as they are,
    typed and styled cells otherwise; text is always literal text, never a formula.

    Each style is looked up in the workbook once per sheet and then copied into cells, because
    setting a style on each of a hundred thousand cells dominates a large export's time.
    """

    def __init__(self, sheet, widths: dict[int, float] | None = None):
        self.sheet, self.widths = sheet, widths or {}
        self.lines = 1  # the most lines a wrapped text of the current row takes
        self.wrap = self.style(alignment=WRAP)
        self.bold = self.style(font=HEADER_FONT, alignment=WRAP)  # a long heading wraps rather than hides
        self.date = self.style(number_format="yyyy-mm-dd")
        self.datetime = self.style(number_format="yyyy-mm-dd hh:mm")
        self.share = self.style(number_format="0%")

    def style(self, **attributes):
        template = WriteOnlyCell(self.sheet)
        for name, value in attributes.items():
            setattr(template, name, value)
        return template._style  # the style's indexes in the workbook, which Cell(style_array=...) takes

    def make(self, value: Any, style) -> Cell:
        return Cell(self.sheet, row=1, column=1, value=value, style_array=style)

    def cell(self, value: Any, column: int = 0) -> Any:
        if isinstance(value, str):
            text = clean_text(value)
            wrapped = (len(text) > WRAP_FROM or "\n" in text) and not isinstance(value, OneLine)
            # openpyxl reads '=…' as a formula and '#N/A' as an error: force those to literal text.
            if not wrapped and not text.startswith("=") and text not in LITERAL_RISKS:
                return text
            if wrapped:
                self.count_lines(text, column)
            return self.text(text, self.wrap if wrapped else None)
        if isinstance(value, datetime):
            # Excel has no time zones: show the time a reader in Sweden expects.
            return self.make(value.astimezone(LOCAL_TZ).replace(tzinfo=None), self.datetime)
        if isinstance(value, date):
            return self.make(value, self.date)
        return value

    def text(self, text: str, style) -> Cell:
        """A cell of literal text, whatever it starts with. The text is clean already (clean_text), so
        it is stored as it is rather than through openpyxl's value setter, which would check it again
        and then guess its type; for a long text answer that was a tenth of the export's time."""
        cell = Cell(self.sheet, row=1, column=1, style_array=style)
        cell._value, cell.data_type = text, "s"
        return cell

    def header(self, value: Any, column: int = 0) -> Cell:
        if isinstance(value, str):
            text = clean_text(value)
            self.count_lines(text, column)
            return self.text(text, self.bold)
        return self.make(value, self.bold)

    def count_lines(self, text: str, column: int) -> None:
        """Note how many lines a wrapped text takes in its column (a width is about that many characters)."""
        width = self.widths.get(column, DEFAULT_WIDTH)
        self.lines = max(self.lines, sum(ceil(len(part) / width) or 1 for part in text.split("\n")))

    def percent(self, value: float) -> Cell:
        return self.make(value, self.share)


def response_chart(sheet, table_rows: int) -> BarChart:
    """A native bar chart of each nämnd's units by status, as shares, in the table's order."""
    chart = BarChart()
    # Shares rather than counts: a nämnd of three units and one of forty read alike.
    chart.type, chart.grouping, chart.overlap = "bar", "percentStacked", 100
    chart.title = "Andel svar per nämnd"
    chart.x_axis.scaling.orientation = "maxMin"  # top to bottom, as in the table
    first, last = OVERVIEW_TABLE_FIRST_ROW, OVERVIEW_TABLE_FIRST_ROW + table_rows - 2  # without the total
    chart.add_data(Reference(sheet, min_col=3, max_col=6, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    chart.height, chart.width = 4 + 0.6 * table_rows, 26
    return chart


def unique_sheet_titles(titles: list[str]) -> list[str]:
    """Valid and distinct sheet names: no []:*?/\\, at most 31 characters, numbered when they repeat."""
    seen, result = set(), []
    for title in titles:
        base = re.sub(r"[\[\]:*?/\\]", "-", title).strip("'") or "Blad"
        name, n = base[:31], 2
        while name.casefold() in seen:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        seen.add(name.casefold())
        result.append(name)
    return result


GROUP_WIDTHS = (28, 30, 12, 36, 60, 30, 30, 24, 30, 30)


def council_workbook(round_: Round, options: ExportOptions = ExportOptions()) -> BytesIO:
    """The workbook for the council (samverkansrådet): eight sheets, Swedish headings, labels not codes;
    two more comparing with the previous round of the same questionnaire, when there is one.

    The answers are read once, a chunk of units at a time, and every sheet that shows them takes
    its rows from that one pass: sheets are streamed side by side, in the order they appear.
    """
    definition = round_.definition
    rows, units = round_units(round_, options)
    workbook = Workbook(write_only=True)
    groups = definition.groups
    earlier = previous_round(round_)
    comparison = ["Jämförelse", "Jämförelse våldsområden"] if earlier else []
    titles = iter(unique_sheet_titles(["Översikt", *(g.label for g in groups), "Per fråga", "Våldsområden", "Svar",
                                       "Ej inkommit", "Frågor", *comparison]))
    overview, row_count = write_sheet(workbook, next(titles), overview_rows(round_, rows, options, units, utcnow()),
                                      header_row=OVERVIEW_TABLE_FIRST_ROW, widths=(34, 17, 14, 14, 14, 14, 14),
                                      percent_columns=(7,), footer_rows=1)
    table_rows = row_count - OVERVIEW_TABLE_FIRST_ROW + 1
    if table_rows > 1:
        overview.add_chart(response_chart(overview, table_rows), "H2")

    def sheet(rows: SheetRows, **layout) -> tuple[SheetRows, SheetWriter]:
        return rows, SheetWriter(workbook, next(titles), **layout)

    per_unit = [sheet(GroupRows(group), widths=GROUP_WIDTHS, frozen_columns=2) for group in groups]
    per_unit += [sheet(QuestionCounts(definition), widths=(26, 22, 50, 36, 10, 10), percent_columns=(6,)),
                 sheet(ViolenceMatrix(definition), widths=(28, 32) + (18,) * 12, frozen_columns=2),
                 sheet(ResponseRows(definition), header_row=2, frozen_columns=2,
                       widths=(28, 32, 12, 18) + (24,) * len(definition.questions))]
    write_sheet(workbook, next(titles), missing_rows(rows), widths=(28, 32, 14, 28, 34, 12, 18, 18))
    write_sheet(workbook, next(titles), codebook_rows(definition), widths=(26, 26, 20, 60, 14, 12, 70))
    previous: dict[int, int] = {}
    if earlier is not None:
        previous = submitted_in(earlier)
        per_unit += [sheet(ComparisonRows(round_, earlier), widths=(28, 32, 24, 60, 40, 40, 10)),
                     sheet(AreaChangeRows(round_, earlier), widths=(36,) + (16,) * 6)]
    fill_side_by_side(per_unit, stream_with_previous(answered(rows, options), previous))
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def fill_side_by_side(sheets: list[tuple[SheetRows, SheetWriter]], units: Iterable[UnitAnswers]) -> None:
    """Fill several sheets from one pass over the units."""
    for rows, writer in sheets:
        writer.extend(rows.head())
    for unit, now, before in units:
        for rows, writer in sheets:
            writer.extend(rows.add(unit, now, before))
    for rows, writer in sheets:
        writer.extend(rows.tail())
        writer.finish()


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text.translate(str.maketrans("åäöÅÄÖéü", "aaoAAOeu"))).strip("-")


def workbook_filename(round_: Round, options: ExportOptions = ExportOptions()) -> str:
    """The file name says what the workbook covers, so two downloads of one round are told apart."""
    parts = [f"kartlaggning-{slug(round_.name) or round_.id}"]
    if options.namnd_id is not None:
        unit = db.session.get(Unit, options.namnd_id)
        parts.append(slug(unit.name) if unit is not None else str(options.namnd_id))
    if options.include_drafts:
        parts.append("med-utkast")
    return "-".join(parts) + ".xlsx"


UNIT_TABLE_FIRST_ROW = 7


def unit_answer_rows(assignment: Assignment, values: Values) -> Iterator[list[Any]]:
    """Sheet 'Svar' of one unit's workbook: which unit and round, then every question and its answer."""
    yield ["Enhet", assignment.unit.name]
    yield ["Kartläggning", assignment.round.name]
    yield ["Status", status_text(assignment.status)]
    yield ["Inskickad", assignment.submitted_dt]
    yield ["Referens", assignment.reference if assignment.submitted_dt else "–"]
    yield []
    yield ["Avsnitt", "Nyckel", "Fråga", "Svar"]
    for section in assignment.definition.sections:
        for question in section.questions:
            if question.is_group:
                yield [section.title, question.key, f"{question.label} (antal)", len(entry_indexes(values, question.key))]
            else:
                yield [section.title, question.key, question.label, display_value(question, values.get((question.key, SINGLE)))]


def unit_workbook(assignment: Assignment) -> BytesIO:
    """One unit's answers as a workbook: every question on one sheet, each repeating group on its own."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    row = UnitRow(assignment, top_unit(units, assignment.unit_id).name, assignment.unit, list(assignment.unit.contacts))
    values = assignment.values()
    groups = assignment.definition.groups
    titles = unique_sheet_titles(["Svar", *(g.label for g in groups)])
    workbook = Workbook(write_only=True)
    write_sheet(workbook, titles[0], unit_answer_rows(assignment, values), header_row=UNIT_TABLE_FIRST_ROW,
                widths=(26, 24, 60, 60))
    for group, title in zip(groups, titles[1:]):
        write_sheet(workbook, title, sheet_rows(GroupRows(group), [(row, values, None)]), widths=GROUP_WIDTHS)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def unit_workbook_filename(assignment: Assignment) -> str:
    return f"kartlaggning-{slug(assignment.unit.name) or assignment.unit_id}-{slug(assignment.round.name) or assignment.round_id}.xlsx"
