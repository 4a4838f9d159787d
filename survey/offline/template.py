"""A unit's offline template: a sheet per section and per repeating group, the current answers filled
in, drop-downs for choices, hidden keys that let the import find each answer's question."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from flask import send_file
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from survey.db import LOCAL_TZ, utcnow
from survey.exports.cells import NumberCell
from survey.exports.writer import XLSX, clean_text, slug, unique_sheet_titles
from survey.extensions import db
from survey.models import SINGLE, Assignment, audit
from survey.questions.definition import Question, Section
from survey.questions.types.base import excel_rule

TEMPLATE_FORMAT = "kartlaggning-mall-1"
META_SHEET = "_mall"
LISTS_SHEET = "_listor"
VALIDATED_ROWS = 1000  # rows of a group sheet that get drop-downs and checks
EMPTY_ENTRY_ROWS = 20  # blank, ready rows after a group's existing entries
CHECKED = "Ja"
SECTION_MARK, GROUP_MARK = "avsnitt:", "grupp:"
GROUP_FIRST_ROW = 4  # row 1: keys (hidden), 2: headings, 3: how to answer
BOLD = Font(bold=True)
HINT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
NOT_AN_ANSWER = PatternFill("solid", fgColor="EEEEEE")

Key = tuple[str, int]


def plain_help(text: str) -> str:
    """Help text without Markdown emphasis, for a spreadsheet cell."""
    return re.sub(r"\*{1,2}([^*]+)\*{1,2}", r"\1", text)


def put(cell, value: Any) -> None:
    """Write a value; text always as literal text, never a formula."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    elif isinstance(value, NumberCell):
        cell.value, cell.number_format = value.value, value.number_format
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"


class Validations:
    """Data validations for one sheet, one per question (Excel merges ranges with the same rule)."""

    def __init__(self, sheet, lists: ChoiceLists):
        self.sheet, self.lists = sheet, lists
        self.rules: dict[str, DataValidation | None] = {}

    def add(self, question: Question, cells: str, checkbox: bool = False) -> None:
        rule_key = "checkbox" if checkbox else question.key
        rule = self.rules.get(rule_key)
        if rule is None:
            rule = self.rules[rule_key] = self.rule(question, checkbox)
            if rule is None:
                return
            self.sheet.add_data_validation(rule)
        rule.add(cells)

    def rule(self, question: Question, checkbox: bool) -> DataValidation | None:
        if checkbox:
            return excel_rule("list", _("Skriv Ja, eller lämna cellen tom."), formula1=f'"{CHECKED}"')
        return question.kind.excel_validation(question, lambda: self.lists.range_for(question))


class ChoiceLists:
    """A hidden sheet with each choice question's labels in a column, for the drop-downs to point at."""

    def __init__(self, workbook: Workbook):
        self.sheet = workbook.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.columns: dict[str, str] = {}

    def range_for(self, question: Question) -> str:
        if question.key not in self.columns:
            column = len(self.columns) + 1
            labels = [o.label for o in question.choices]
            for row, label in enumerate(labels, start=1):
                put(self.sheet.cell(row=row, column=column), label)
            letter = get_column_letter(column)
            self.columns[question.key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(labels)}"
        return self.columns[question.key]


def offline_template(assignment: Assignment) -> bytes:
    """The unit's offline template: instructions, a sheet per section and per repeating group, answers filled in."""
    definition = assignment.definition
    values = assignment.values()
    workbook = Workbook()
    instructions = workbook.active
    sheets = sheet_plan(definition.sections)
    titles = unique_sheet_titles([_("Instruktioner"), *(title for title, _s, _g in sheets)])
    instructions.title = titles[0]
    write_instructions(instructions, assignment)
    lists = ChoiceLists(workbook)
    for title, (_t, section, group) in zip(titles[1:], sheets, strict=True):
        sheet = workbook.create_sheet(title, index=len(workbook.sheetnames) - 1)
        if group is None:
            write_section_sheet(sheet, section, values, Validations(sheet, lists))
        else:
            write_group_sheet(sheet, group, values, assignment.entries(group), Validations(sheet, lists))
    write_meta(workbook, assignment)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_plan(sections) -> list[tuple[str, Section, Question | None]]:
    """(sheet title, section, group or None): a sheet for each section's plain questions, and one per group."""
    plan: list[tuple[str, Section, Question | None]] = []
    for section in sections:
        if any(not q.is_group for q in section.questions):
            plan.append((section.title, section, None))
        plan.extend((group.label, section, group) for group in section.questions if group.is_group)
    return plan


def write_instructions(sheet, assignment: Assignment) -> None:
    round_ = assignment.round
    rows = [
        (_("Kartläggning av arbetet mot våld – blankett för att svara i Excel"), None),
        (_("Enhet"), assignment.unit.name),
        (_("Omgång"), round_.name),
        (_("Sista svarsdag"), round_.closes_on),
        (None, None),
        (_("Så fyller du i"), None),
        (
            _(
                "1. Svara på flikarna i tur och ordning. Frågor markerade med * måste besvaras innan svaren kan räknas som inskickade."
            ),
            None,
        ),
        (
            _(
                "2. Där cellen visar en pil väljer du svaret i listan. Vid frågor med flera alternativ skriver du Ja vid varje alternativ som stämmer."
            ),
            None,
        ),
        (
            _(
                "3. Goda exempel och utvecklingsområden: en rad per exempel. Skriv nya under de befintliga. Tar du bort en rad tas exemplet bort."
            ),
            None,
        ),
        (
            _(
                "4. Ändra inte flikarnas första rader eller de dolda kolumnerna: de talar om vilken fråga svaret hör till."
            ),
            None,
        ),
        (_("5. Spara filen som Excel-arbetsbok (.xlsx) och skicka den till samordningsfunktionen."), None),
    ]
    if round_.instructions.strip():
        rows += [
            (None, None),
            (_("Instruktioner från samordningsfunktionen"), None),
            (plain_help(round_.instructions), None),
        ]
    for number, (first, second) in enumerate(rows, start=1):
        if first is not None:
            put(sheet.cell(row=number, column=1), first)
            sheet.cell(row=number, column=1).alignment = WRAP
        if second is not None:
            put(sheet.cell(row=number, column=2), second)
            sheet.cell(row=number, column=1).font = BOLD
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A6"].font = BOLD
    sheet.column_dimensions["A"].width = 100
    sheet.column_dimensions["B"].width = 40


def write_section_sheet(sheet, section: Section, values: dict[Key, Any], validations: Validations) -> None:
    """Column A (hidden) holds the key, B the question, C the answer, D how to answer, E the help text."""
    for column, heading in enumerate(
        [SECTION_MARK + section.key, _("Fråga"), _("Svar"), _("Så här svarar du"), _("Hjälp")], start=1
    ):
        put(sheet.cell(row=1, column=column), heading)
        sheet.cell(row=1, column=column).font = BOLD
    row = 2
    for question in section.questions:
        if question.is_group:
            continue
        label = question.label + (" *" if question.required else "")
        for column, value in (
            (1, question.key),
            (2, label),
            (4, question.kind.excel_hint(question)),
            (5, plain_help(question.help)),
        ):
            put(sheet.cell(row=row, column=column), value)
            sheet.cell(row=row, column=column).alignment = WRAP
        stored = values.get((question.key, SINGLE))
        if question.kind.one_cell_per_option:
            sheet.cell(row=row, column=3).fill = NOT_AN_ANSWER
            for option in question.choices:
                row += 1
                put(sheet.cell(row=row, column=1), f"{question.key}:{option.code}")
                put(sheet.cell(row=row, column=2), f"    {option.label}")
                sheet.cell(row=row, column=2).alignment = WRAP
                if option.code in (stored or []):
                    put(sheet.cell(row=row, column=3), CHECKED)
                validations.add(question, f"C{row}", checkbox=True)
        else:
            answer = sheet.cell(row=row, column=3)
            put(answer, question.as_cell(stored))
            answer.alignment = WRAP
            if question.kind.excel_format:
                answer.number_format = question.kind.excel_format
            validations.add(question, f"C{row}")
        row += 1
    sheet.column_dimensions["A"].hidden = True
    for letter, width in zip("BCDE", (60, 50, 30, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"


def group_columns(group: Question) -> list[tuple[str, Question, str | None]]:
    """(key in row 1, field, option code or None): a column per field, and per option of a multiple choice."""
    columns: list[tuple[str, Question, str | None]] = []
    for item in group.fields:
        if item.kind.one_cell_per_option:
            columns.extend((f"{item.key}:{o.code}", item, o.code) for o in item.choices)
        else:
            columns.append((item.key, item, None))
    return columns


def write_group_sheet(
    sheet, group: Question, values: dict[Key, Any], entries: list[int], validations: Validations
) -> None:
    """Row 1 (hidden) holds keys, row 2 headings, row 3 how to answer; then a row per entry.

    Column A (hidden) holds the entry's number, so a row that was there keeps its identity.
    """
    columns = group_columns(group)
    put(sheet.cell(row=1, column=1), GROUP_MARK + group.key)
    put(sheet.cell(row=2, column=1), _("Nr"))
    for column, (key, item, code) in enumerate(columns, start=2):
        heading = item.label + (" *" if item.required else "")
        if code is not None:
            heading = f"{item.label}: {item.label_for(code)}"
        put(sheet.cell(row=1, column=column), key)
        put(sheet.cell(row=2, column=column), heading)
        put(sheet.cell(row=3, column=column), _("Ja eller tomt") if code else item.kind.excel_hint(item))
        sheet.cell(row=2, column=column).font = BOLD
        sheet.cell(row=2, column=column).alignment = WRAP
        sheet.cell(row=3, column=column).font = HINT
        sheet.cell(row=3, column=column).alignment = WRAP
        letter = get_column_letter(column)
        long = item.kind.widget == "textarea"
        sheet.column_dimensions[letter].width = 60 if long else 14 if code else 30
        if item.kind.excel_format and code is None:
            sheet.column_dimensions[letter].number_format = item.kind.excel_format
        validations.add(item, f"{letter}{GROUP_FIRST_ROW}:{letter}{VALIDATED_ROWS}", checkbox=code is not None)
    for row, index in enumerate(entries, start=GROUP_FIRST_ROW):
        put(sheet.cell(row=row, column=1), index)
        for column, (_key, item, code) in enumerate(columns, start=2):
            stored = values.get((item.key, index))
            value = (CHECKED if code in (stored or []) else None) if code else item.as_cell(stored)
            put(sheet.cell(row=row, column=column), value)
            sheet.cell(row=row, column=column).alignment = WRAP
    sheet.row_dimensions[1].hidden = True
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = f"B{GROUP_FIRST_ROW}"
    sheet.auto_filter.ref = (
        f"A2:{get_column_letter(len(columns) + 1)}{max(GROUP_FIRST_ROW + len(entries) + EMPTY_ENTRY_ROWS, 3)}"
    )


def write_meta(workbook: Workbook, assignment: Assignment) -> None:
    """A hidden sheet naming the round, unit and questionnaire the template belongs to."""
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "hidden"
    meta = {
        "format": TEMPLATE_FORMAT,
        "round_id": assignment.round_id,
        "assignment_id": assignment.id,
        "unit": assignment.unit.name,
        "questionnaire_hash": assignment.round.questionnaire_version.content_hash,
        "assignment_version": assignment.version,
        "generated": utcnow().astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
    }
    for row, (key, value) in enumerate(meta.items(), start=1):
        put(sheet.cell(row=row, column=1), key)
        put(sheet.cell(row=row, column=2), str(value))


def template_filename(assignment: Assignment) -> str:
    return f"kartlaggning-mall-{slug(assignment.unit.name) or assignment.unit_id}.xlsx"


def template_download(assignment, actor: str, user_id: int | None = None):
    """The template as a download, its fetching in the audit log: for the coordinator and the contact person."""
    audit("template_downloaded", actor, user_id=user_id, round_id=assignment.round_id, assignment_id=assignment.id)
    db.session.commit()
    return send_file(
        io.BytesIO(offline_template(assignment)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=template_filename(assignment),
    )
