"""One unit's answers as a workbook (coordinator, and the contact person's receipt page)."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from survey.exports.council import group_widths
from survey.exports.data import UnitRow, Values, entry_indexes, status_text, top_unit
from survey.exports.rows import GroupRows, sheet_rows
from survey.exports.words import word
from survey.exports.writer import slug, unique_sheet_titles, write_sheet
from survey.extensions import db
from survey.models import SINGLE, Assignment, Unit
from survey.questions.languages import shown_language

UNIT_TABLE_FIRST_ROW = 7


def unit_answer_rows(assignment: Assignment, values: Values) -> Iterator[list[Any]]:
    """Sheet 'Svar' of one unit's workbook: which unit and round, then every question and its answer."""
    language = shown_language()
    yield [word("Enhet", language), assignment.unit.name]
    yield [word("Kartläggning", language), assignment.round.name]
    yield [word("Status", language), status_text(assignment.status)]
    yield [word("Inskickad", language), assignment.submitted_dt]
    yield [word("Referens", language), assignment.reference if assignment.submitted_dt else "–"]
    yield []
    yield ["Avsnitt", "Nyckel", "Fråga", "Svar"]
    for section in assignment.definition.sections:
        for question in section.questions:
            if question.is_group:
                yield [
                    section.title,
                    question.key,
                    f"{question.label} ({word('antal', language)})",
                    len(entry_indexes(values, question.key)),
                ]
            else:
                yield [
                    section.title,
                    question.key,
                    question.label,
                    question.as_cell(values.get((question.key, SINGLE))),
                ]


def unit_workbook(assignment: Assignment) -> BytesIO:
    """One unit's answers as a workbook: every question on one sheet, each repeating group on its own; in the
    language the questionnaire is shown in (the contact person's, on their pages)."""
    language = shown_language()
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    row = UnitRow(assignment, top_unit(units, assignment.unit_id).name, assignment.unit, list(assignment.unit.contacts))
    values = assignment.values()
    groups = assignment.definition.groups
    titles = unique_sheet_titles([word("Svar", language), *(g.label for g in groups)])
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        titles[0],
        unit_answer_rows(assignment, values),
        header_row=UNIT_TABLE_FIRST_ROW,
        widths=(26, 24, 60, 60),
        language=language,
    )
    for group, title in zip(groups, titles[1:], strict=True):
        rows = GroupRows(group)
        write_sheet(
            workbook, title, sheet_rows(rows, [(row, values, None)]), widths=group_widths(rows), language=language
        )
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def unit_workbook_filename(assignment: Assignment) -> str:
    return f"kartlaggning-{slug(assignment.unit.name) or assignment.unit_id}-{slug(assignment.round.name) or assignment.round_id}.xlsx"
