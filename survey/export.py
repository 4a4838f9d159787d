"""The council workbook: rows for each sheet are computed by plain functions, then written by one writer.

Every text cell is written as literal text, never as a formula, whatever a
respondent typed: a workbook from a survey must be safe to open.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from io import BytesIO
from typing import Any, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from .db import LOCAL_TZ, db
from .models import SINGLE, STATUS_LABELS, Answer, Assignment, Round, Unit
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


def round_answers(round_: Round) -> dict[int, dict[tuple[str, int], Any]]:
    """Every answer of the round, per assignment, from one query."""
    rows = db.session.execute(
        select(Answer.assignment_id, Answer.question_key, Answer.entry_index, Answer.value)
        .join(Assignment, Assignment.id == Answer.assignment_id)
        .where(Assignment.round_id == round_.id)
    )
    answers: dict[int, dict[tuple[str, int], Any]] = defaultdict(dict)
    for assignment_id, key, index, value in rows:
        answers[assignment_id][(key, index)] = value
    return answers


def round_units(round_: Round) -> list[tuple[Assignment, str, str]]:
    """(assignment, nämnd name, unit name) for every unit of the round, ordered by nämnd and unit."""
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    assignments = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all()
    rows = [(a, top_unit_name(units, a.unit_id), units[a.unit_id].name) for a in assignments]
    return sorted(rows, key=lambda row: (row[1].casefold(), row[2].casefold()))


def top_unit_name(units: dict[int, Unit], unit_id: int) -> str:
    """The nämnd (or bolag, or top of the tree) a unit belongs to."""
    unit, seen = units[unit_id], set()
    while unit.kind not in ("namnd", "bolag") and unit.parent_id in units and unit.id not in seen:
        seen.add(unit.id)
        unit = units[unit.parent_id]
    return unit.name


def response_rows(definition: Questionnaire, units, answers) -> Iterator[list[Any]]:
    """Sheet 'Svar': two header rows (key, question text), then one row per unit."""
    questions = definition.questions
    yield ["namnd", "enhet", "status", "inskickad"] + [q.key for q in questions]
    yield ["Nämnd", "Enhet", "Status", "Inskickad"] + [
        f"{q.label} (antal)" if q.is_group else q.label for q in questions
    ]
    for assignment, namnd, unit_name in units:
        values = answers.get(assignment.id, {})
        row = [namnd, unit_name, str(STATUS_LABELS[assignment.status]), assignment.submitted_dt]
        for question in questions:
            if question.is_group:
                row.append(sum(1 for key, _index in values if key == question.key))
            else:
                row.append(display_value(question, values.get((question.key, SINGLE))))
        yield row


def group_rows(group: Question, units, answers) -> Iterator[list[Any]]:
    """A sheet per repeating group: one row per entry (good example, development area)."""
    yield ["Nämnd", "Enhet", "Status"] + [f.label for f in group.fields]
    for assignment, namnd, unit_name in units:
        values = answers.get(assignment.id, {})
        for index in sorted(i for key, i in values if key == group.key):
            yield [namnd, unit_name, str(STATUS_LABELS[assignment.status])] + [
                display_value(f, values.get((f.key, index))) for f in group.fields
            ]


def write_sheet(workbook: Workbook, title: str, rows: Iterable[list[Any]], header_rows: int = 1,
                widths: dict[int, int] | None = None) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = f"C{header_rows + 1}"
    for column, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    last_column = 1
    row_count = 0
    for number, row in enumerate(rows, start=1):
        sheet.append([to_cell(sheet, value, header=number <= header_rows) for value in row])
        last_column = max(last_column, len(row))
        row_count = number
    sheet.auto_filter.ref = f"A{header_rows}:{get_column_letter(last_column)}{max(row_count, header_rows)}"


def to_cell(sheet, value: Any, header: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=clean_text(value))
        # Literal text, even when it starts with '=' or looks like '#N/A'.
        cell.data_type = "s"
        cell.alignment = WRAP
    else:
        if isinstance(value, datetime):
            # Excel has no time zones: show the time a reader in Sweden expects.
            value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
    if header:
        cell.font = HEADER_FONT
    return cell


def council_workbook(round_: Round) -> BytesIO:
    definition = round_.definition
    units = round_units(round_)
    answers = round_answers(round_)
    workbook = Workbook(write_only=True)
    write_sheet(workbook, "Svar", response_rows(definition, units, answers), header_rows=2,
                widths={1: 28, 2: 32, 3: 14, 4: 18})
    for group in definition.groups:
        write_sheet(workbook, group.label, group_rows(group, units, answers),
                    widths={1: 28, 2: 32, 3: 14, 4: 40, 5: 60})
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def workbook_filename(round_: Round) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", round_.name.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe"))).strip("-")
    return f"kartlaggning-{slug or round_.id}.xlsx"
