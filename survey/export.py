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
from functools import lru_cache
from datetime import date, datetime
from io import BytesIO
from typing import Any, Iterable, Iterator

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Text, and_, cast, or_, select

from .db import LOCAL_TZ, db, utcnow
from .models import SINGLE, STATUS_LABELS, Answer, Assignment, ContactPerson, QuestionnaireVersion, Round, Unit
from .questionnaires import Question, Questionnaire

EXCEL_CELL_LIMIT = 32_767
CUT_MARK = " […]"
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


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
CHUNK = 500


def answers_of(assignment_ids: list[int], keys: list[str]) -> dict[int, Values]:
    """The answers to the given question keys of a few assignments, by assignment.

    The values come as their stored JSON text and are decoded in one call for the whole batch:
    decoding a hundred thousand small values one by one was a large export's biggest cost.
    """
    rows = db.session.execute(
        select(Answer.assignment_id, Answer.question_key, Answer.entry_index, cast(Answer.value, Text))
        .where(Answer.assignment_id.in_(assignment_ids), Answer.question_key.in_(keys))
    ).all()
    decoded = json.loads("[" + ",".join(row[3] or "null" for row in rows) + "]")
    values: dict[int, Values] = defaultdict(dict)
    for (assignment_id, key, index, _text), value in zip(rows, decoded):
        values[assignment_id][(key, index)] = value
    return values


def stream_answers(rows: list["UnitRow"], keys: Iterable[str], chunk: int = CHUNK) -> Iterator[tuple["UnitRow", Values]]:
    """Each unit's answers to the given question keys, in the rows' order, a few hundred units at a time.

    Memory stays flat however large the round: at most one chunk of answers is held; and
    each sheet reads only the keys it shows.
    """
    keys = sorted(set(keys))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        values = answers_of([row.assignment.id for row in part], keys)
        for row in part:
            yield row, values.get(row.assignment.id, {})


def stream_with_previous(rows: list["UnitRow"], previous: dict[int, int], keys: Iterable[str],
                         chunk: int = CHUNK) -> Iterator[tuple["UnitRow", Values, Values | None]]:
    """Like stream_answers, with each unit's answers from the previous round too (None: it did not submit then).

    ``previous`` maps a unit id to its submitted assignment in the previous round.
    """
    keys = sorted(set(keys))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        earlier = [previous[row.unit.id] for row in part if row.unit.id in previous]
        values = answers_of([row.assignment.id for row in part] + earlier, keys)
        for row in part:
            before = previous.get(row.unit.id)
            yield row, values.get(row.assignment.id, {}), None if before is None else values.get(before, {})


@dataclass(frozen=True)
class ExportOptions:
    """What a workbook covers: submitted answers only (default) or drafts too, and all units or one nämnd."""

    include_drafts: bool = False
    namnd_id: int | None = None

    def describe(self, units: dict[int, Unit]) -> str:
        scope = units[self.namnd_id].name if self.namnd_id in units else "Alla nämnder och bolag"
        answers = "inskickade svar och utkast" if self.include_drafts else "endast inskickade svar"
        return f"{scope}; {answers}"


@dataclass
class UnitRow:
    assignment: Assignment
    namnd: str
    unit: Unit
    contacts: list[ContactPerson]

    @property
    def included(self) -> bool:
        return self.assignment.status == "submitted"


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


def answered(rows: list[UnitRow], options: ExportOptions) -> list[UnitRow]:
    """The units whose answers the workbook counts: submitted, or with drafts also started ones."""
    wanted = ("submitted", "in_progress", "reopened") if options.include_drafts else ("submitted",)
    return [row for row in rows if row.assignment.status in wanted]


def overview_rows(round_: Round, rows: list[UnitRow], options: ExportOptions, units, generated: datetime):
    """Sheet 'Översikt': what the workbook is, then the response per nämnd (the chart reads this table)."""
    version = round_.questionnaire_version
    yield ["Kartläggning", round_.name]
    yield ["Frågeformulär", f"{version.title}, version {version.version}"]
    yield ["Skapad", generated]
    yield ["Urval", options.describe(units)]
    yield []
    yield ["Nämnd", "Inbjudna", "Inskickade", "Påbörjade", "Ej påbörjade", "Svarsfrekvens"]
    per_namnd: dict[str, list[int]] = {}
    for row in rows:
        counts = per_namnd.setdefault(row.namnd, [0, 0, 0, 0])
        counts[0] += 1
        status = row.assignment.status
        counts[1 if status == "submitted" else 2 if status in ("in_progress", "reopened") else 3] += 1
    for namnd, (invited, submitted, started, not_started) in per_namnd.items():
        yield [namnd, invited, submitted, started, not_started, submitted / invited if invited else 0]
    total = [sum(c[i] for c in per_namnd.values()) for i in range(4)]
    yield ["Totalt", *total, total[1] / total[0] if total[0] else 0]


OVERVIEW_TABLE_FIRST_ROW = 6


@lru_cache(maxsize=None)
def status_text(status: str) -> str:
    """A status in words, looked up once per status rather than once per row; Swedish like the rest of the workbook."""
    with force_locale("sv"):
        return str(STATUS_LABELS[status])


def group_rows(group: Question, units: Iterable[tuple[UnitRow, Values]]) -> Iterator[list[Any]]:
    """A sheet per repeating group: one row per entry (good example, development area), labels not codes."""
    yield ["Nämnd", "Enhet", "Status"] + [f.label for f in group.fields]
    for row, values in units:
        for index in sorted(i for key, i in values if key == group.key):
            yield [row.namnd, row.unit.name, status_text(row.assignment.status)] + [
                display_value(f, values.get((f.key, index))) for f in group.fields
            ]


def counted_questions(definition: Questionnaire) -> Iterator[tuple[str, Question, Question | None]]:
    """(section title, question, its group or None) for every question the 'Per fråga' sheet counts."""
    for section in definition.sections:
        for question in section.questions:
            for item, group in ([(f, question) for f in question.fields] if question.is_group else [(question, None)]):
                if item.type in ("single_choice", "multiple_choice", "scale", "yes_partly_no", "number"):
                    yield section.title, item, group


def per_question_rows(definition: Questionnaire, units: Iterable[tuple[UnitRow, Values]]) -> Iterator[list[Any]]:
    """Sheet 'Per fråga': counts and shares per option; n, sum, mean, median, min and max for numbers.

    Shares are of the answers given to the question (entries, for fields of repeating groups).
    One pass over the answers collects the counts (and the numbers, for the median).
    """
    yield ["Avsnitt", "Nyckel", "Fråga", "Svarsalternativ eller mått", "Antal", "Andel"]
    questions = list(counted_questions(definition))
    by_key = {question.key: question for _title, question, _group in questions}
    given: dict[str, int] = defaultdict(int)                  # answers per question
    chosen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # per question and option
    numbers: dict[str, list[float]] = defaultdict(list)      # kept whole only for number questions (the median)
    for _row, values in units:
        for (key, _index), value in values.items():
            question = by_key.get(key)
            if question is None:
                continue
            given[key] += 1
            if question.type == "number":
                if isinstance(value, (int, float)):
                    numbers[key].append(value)
                continue
            for code in value if isinstance(value, list) else [value]:
                chosen[key][str(code)] += 1
    for section_title, question, _group in questions:
        head = [section_title, question.key, question.label]
        if question.type == "number":
            found = numbers[question.key]
            stats = [("n", len(found))]
            if found:
                stats += [("summa", sum(found)), ("medelvärde", statistics.fmean(found)),
                          ("median", statistics.median(found)), ("min", min(found)), ("max", max(found))]
            for name, value in stats:
                yield head + [name, value, None]
            continue
        total = given[question.key]
        for option in question.choices:
            count = chosen[question.key].get(option.code, 0)
            yield head + [option.label, count, count / total if total else 0]
        yield head + ["Antal svar", total, None]


def area_fields(definition: Questionnaire) -> list[tuple[Question, Question]]:
    """(group, field) for every group field that names violence areas (option set "valdsomraden")."""
    return [(g, f) for g in definition.groups for f in g.fields if f.option_set == "valdsomraden"]


def area_keys(definition: Questionnaire) -> list[str]:
    return [key for group, field in area_fields(definition) for key in (group.key, field.key)]


def add_area_counts(counts: dict[tuple[str, str], int], pairs: list[tuple[Question, Question]], values: Values) -> None:
    """Add one unit's entries naming each violence area to ``counts``, keyed by (group key, area code)."""
    for group, field in pairs:
        for key, index in values:
            if key == group.key:
                for code in values.get((field.key, index)) or []:
                    counts[(group.key, code)] += 1


def violence_matrix_rows(definition: Questionnaire, units: Iterable[tuple[UnitRow, Values]]) -> Iterator[list[Any]]:
    """Sheet 'Våldsområden': units × violence areas, counting each group's entries (good examples,
    development areas) that name the area; the last row sums every column, so gaps show at a glance."""
    pairs = area_fields(definition)
    if not pairs:
        yield ["Frågeformuläret har inga våldsområden att räkna."]
        return
    areas = pairs[0][1].options
    yield ["Nämnd", "Enhet"] + [f"{group.label}: {area.label}" for group, _f in pairs for area in areas]
    totals = [0] * (len(pairs) * len(areas))
    for row, values in units:
        counts = []
        for group, field in pairs:
            entries = [i for key, i in values if key == group.key]
            for area in areas:
                counts.append(sum(1 for i in entries if area.code in (values.get((field.key, i)) or [])))
        totals = [a + b for a, b in zip(totals, counts)]
        yield [row.namnd, row.unit.name] + counts
    yield ["Totalt", ""] + totals


def response_rows(definition: Questionnaire, units: Iterable[tuple[UnitRow, Values]]) -> Iterator[list[Any]]:
    """Sheet 'Svar': two header rows (key, question text), then one row per unit."""
    questions = definition.questions
    yield ["namnd", "enhet", "status", "inskickad"] + [q.key for q in questions]
    yield ["Nämnd", "Enhet", "Status", "Inskickad"] + [
        f"{q.label} (antal)" if q.is_group else q.label for q in questions
    ]
    for row, values in units:
        cells = [row.namnd, row.unit.name, status_text(row.assignment.status), row.assignment.submitted_dt]
        for question in questions:
            if question.is_group:
                cells.append(sum(1 for key, _index in values if key == question.key))
            else:
                cells.append(display_value(question, values.get((question.key, SINGLE))))
        yield cells


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
        select(Assignment.unit_id, Assignment.id).where(Assignment.round_id == round_.id, Assignment.status == "submitted")
    ).all())


def compared_questions(definition: Questionnaire, earlier: Questionnaire) -> list[tuple[Question | None, Question | None]]:
    """(question now, the same key's question then), None where a version lacks it: this version's order first."""
    current = [(q, earlier.question(q.key)) for q in definition.questions]
    gone = [(None, q) for q in earlier.questions if definition.question(q.key) is None]
    return current + gone


def comparison_rows(round_: Round, earlier: Round,
                    units: Iterable[tuple[UnitRow, Values, Values | None]]) -> Iterator[list[Any]]:
    """Sheet 'Jämförelse': per unit and question, the previous and the current answer (groups as counts)."""
    questions = compared_questions(round_.definition, earlier.definition)
    yield ["Nämnd", "Enhet", "Nyckel", "Fråga", f"Svar {earlier.name}", f"Svar {round_.name}", "Ändrat"]
    for row, now, before in units:
        for question, old_question in questions:
            current = raw_answer(question, now) if question is not None else None
            previous = raw_answer(old_question, before) if old_question is not None and before is not None else None
            if current is None and previous is None:
                continue
            either = question or old_question
            shown_before = "(svarade inte)" if before is None else display_value(old_question or either, previous)
            yield [row.namnd, row.unit.name, either.key, either.label, shown_before,
                   display_value(either, current), "nej" if current == previous and before is not None else "ja"]


def raw_answer(question: Question, values: Values) -> Any:
    """A stored answer as compared between rounds (codes, not labels, so a reworded option is no change)."""
    if question.is_group:
        return sum(1 for key, _index in values if key == question.key) or None
    return values.get((question.key, SINGLE))


def area_change_rows(round_: Round, earlier: Round,
                     units: Iterable[tuple[UnitRow, Values, Values | None]]) -> Iterator[list[Any]]:
    """Sheet 'Jämförelse våldsområden': per violence area, each group's entries then and now, and the change."""
    pairs = area_fields(round_.definition)
    if not pairs:
        yield ["Frågeformuläret har inga våldsområden att jämföra."]
        return
    areas = pairs[0][1].options
    then: dict[tuple[str, str], int] = defaultdict(int)
    now: dict[tuple[str, str], int] = defaultdict(int)
    for _row, current, before in units:
        add_area_counts(now, pairs, current)
        add_area_counts(then, pairs, before or {})
    yield ["Våldsområde"] + [f"{group.label}: {name}" for group, _f in pairs
                             for name in (earlier.name, round_.name, "förändring")]
    for area in areas:
        cells = [area.label]
        for group, _field in pairs:
            a, b = then[(group.key, area.code)], now[(group.key, area.code)]
            cells += [a, b, b - a]
        yield cells


def write_sheet(workbook: Workbook, title: str, rows: Iterable[list[Any]], header_row: int = 1,
                widths: Iterable[int] = (), percent_columns: Iterable[int] = ()):
    """Write rows to a new sheet: header frozen and filtered, columns sized, text wrapped, cells safe."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    percent = set(percent_columns)
    cells = SafeCells(sheet)
    last_column, row_count = 1, 0
    for number, row in enumerate(rows, start=1):
        if number == header_row:
            sheet.append([cells.header(value) for value in row])
        elif percent and number > header_row:
            sheet.append([cells.percent(value) if column in percent and isinstance(value, (int, float))
                          else cells.cell(value) for column, value in enumerate(row, start=1)])
        else:
            sheet.append([cells.cell(value) for value in row])
        last_column, row_count = max(last_column, len(row)), number
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(last_column)}{max(row_count, header_row)}"
    return sheet, row_count


class SafeCells:
    """Values made ready to append to one write-only sheet: plain where openpyxl writes them as they are,
    typed and styled cells otherwise; text is always literal text, never a formula.

    Each style is looked up in the workbook once per sheet and then copied into cells, because
    setting a style on each of a hundred thousand cells dominates a large export's time.
    """

    def __init__(self, sheet):
        self.sheet = sheet
        self.wrap = self.style(alignment=WRAP)
        self.bold = self.style(font=HEADER_FONT)
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

    def cell(self, value: Any) -> Any:
        if isinstance(value, str):
            text = clean_text(value)
            # openpyxl reads '=…' as a formula and '#N/A' as an error: force those to literal text.
            if len(text) <= 40 and not text.startswith("=") and text not in ERROR_CODES:
                return text
            cell = self.make(text, self.wrap if len(text) > 40 else None)
            cell.data_type = "s"
            return cell
        if isinstance(value, datetime):
            # Excel has no time zones: show the time a reader in Sweden expects.
            return self.make(value.astimezone(LOCAL_TZ).replace(tzinfo=None), self.datetime)
        if isinstance(value, date):
            return self.make(value, self.date)
        return value

    def header(self, value: Any) -> Cell:
        cell = self.make(clean_text(value) if isinstance(value, str) else value, self.bold)
        if isinstance(value, str):
            cell.data_type = "s"
        return cell

    def percent(self, value: float) -> Cell:
        return self.make(value, self.share)


def response_chart(sheet, table_rows: int) -> BarChart:
    """A native bar chart of submitted, started and not started units per nämnd."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "Svar per nämnd"
    first, last = OVERVIEW_TABLE_FIRST_ROW, OVERVIEW_TABLE_FIRST_ROW + table_rows - 2  # without the total
    chart.add_data(Reference(sheet, min_col=3, max_col=5, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    chart.height, chart.width = 4 + 0.6 * table_rows, 18
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


def council_workbook(round_: Round, options: ExportOptions = ExportOptions()) -> BytesIO:
    """The workbook for the council (samverkansrådet): eight sheets, Swedish headings, labels not codes;
    two more comparing with the previous round of the same questionnaire, when there is one."""
    definition = round_.definition
    rows, units = round_units(round_, options)
    counted = answered(rows, options)
    workbook = Workbook(write_only=True)
    groups = definition.groups
    earlier = previous_round(round_)
    comparison = ["Jämförelse", "Jämförelse våldsområden"] if earlier else []
    titles = unique_sheet_titles(["Översikt", *(g.label for g in groups), "Per fråga", "Våldsområden", "Svar",
                                  "Ej inkommit", "Frågor", *comparison])
    overview, row_count = write_sheet(workbook, titles[0], overview_rows(round_, rows, options, units, utcnow()),
                                      header_row=OVERVIEW_TABLE_FIRST_ROW, widths=(34, 14, 14, 14, 14, 14),
                                      percent_columns=(6,))
    table_rows = row_count - OVERVIEW_TABLE_FIRST_ROW + 1
    if table_rows > 1:
        overview.add_chart(response_chart(overview, table_rows), "H2")
    for group, title in zip(groups, titles[1:]):
        keys = [group.key, *(f.key for f in group.fields)]
        write_sheet(workbook, title, group_rows(group, stream_answers(counted, keys)), widths=(28, 30, 12, 36, 60, 30, 30, 24, 30, 30))
    rest = titles[1 + len(groups):]
    write_sheet(workbook, rest[0], per_question_rows(definition, stream_answers(counted, (q.key for _t, q, _g in counted_questions(definition)))), widths=(26, 22, 50, 36, 10, 10),
                percent_columns=(6,))
    write_sheet(workbook, rest[1], violence_matrix_rows(definition, stream_answers(counted, area_keys(definition))), widths=(28, 32) + (14,) * 12)
    write_sheet(workbook, rest[2], response_rows(definition, stream_answers(counted, (q.key for q in definition.questions))), header_row=2, widths=(28, 32, 12, 18))
    write_sheet(workbook, rest[3], missing_rows(rows), widths=(28, 32, 14, 28, 34, 12, 18, 18))
    write_sheet(workbook, rest[4], codebook_rows(definition), widths=(26, 26, 20, 60, 14, 12, 70))
    if earlier is not None:
        previous = submitted_in(earlier)
        keys = [q.key for q in definition.questions] + [q.key for q in earlier.definition.questions]
        write_sheet(workbook, rest[5], comparison_rows(round_, earlier, stream_with_previous(counted, previous, keys)),
                    widths=(28, 32, 24, 60, 40, 40, 10))
        write_sheet(workbook, rest[6], area_change_rows(round_, earlier, stream_with_previous(counted, previous, area_keys(definition))),
                    widths=(36,) + (16,) * 6)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text.translate(str.maketrans("åäöÅÄÖéü", "aaoAAOeu"))).strip("-")


def workbook_filename(round_: Round) -> str:
    return f"kartlaggning-{slug(round_.name) or round_.id}.xlsx"


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
                count = sum(1 for key, _index in values if key == question.key)
                yield [section.title, question.key, f"{question.label} (antal)", count]
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
        write_sheet(workbook, title, group_rows(group, [(row, values)]), widths=(28, 30, 12, 36, 60, 30, 30, 24, 30, 30))
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def unit_workbook_filename(assignment: Assignment) -> str:
    return f"kartlaggning-{slug(assignment.unit.name) or assignment.unit_id}-{slug(assignment.round.name) or assignment.round_id}.xlsx"
