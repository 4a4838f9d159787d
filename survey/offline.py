"""Excel back in: a unit's offline template, and reading a filled-in one back as answers.

Some units cannot or will not use the web form. The coordinator downloads the
unit's template (a sheet per section, the current answers filled in, drop-downs
for choices, hidden keys), the unit fills it in, and the coordinator imports it.
A filled-in file is read through the very same section forms as the web pages,
so whatever the form refuses is refused here too, naming the sheet and cell.
An import is all or nothing: any error, and nothing is written.
"""
from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from werkzeug.datastructures import MultiDict

from .db import LOCAL_TZ, parse_id, utcnow
from .export import clean_text, slug, unique_sheet_titles
from .forms import field_name, field_name_of, section_form_class, valid_values, without_control_characters
from .models import SINGLE, Assignment
from .questionnaires import Question, Section

TEMPLATE_FORMAT = "kartlaggning-mall-1"
META_SHEET = "_mall"
LISTS_SHEET = "_listor"
MAX_BYTES = 5 * 1024 * 1024
VALIDATED_ROWS = 1000      # rows of a group sheet that get drop-downs and checks
EMPTY_ENTRY_ROWS = 20      # blank, ready rows after a group's existing entries
CHECKED = "Ja"
CHECK_WORDS = {"ja", "x", "1", "true", "sant", "yes"}
UNCHECK_WORDS = {"", "nej", "0", "false", "falskt", "no"}
SECTION_MARK, GROUP_MARK = "avsnitt:", "grupp:"
GROUP_FIRST_ROW = 4        # row 1: keys (hidden), 2: headings, 3: how to answer
BOLD = Font(bold=True)
HINT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
NOT_AN_ANSWER = PatternFill("solid", fgColor="EEEEEE")

Key = tuple[str, int]


class OfflineFileError(Exception):
    """The file as a whole cannot be used (not a spreadsheet, not our template, another unit's); for the user."""


# ---------------------------------------------------------------------------
# The template


def answer_hint(question: Question) -> str:
    """How to answer, in a few words, for the column next to the answer."""
    qtype = question.type
    if qtype in ("short_text", "long_text"):
        return _("Text, högst %(max)s tecken.", max=question.max_length)
    if qtype == "number":
        kind = _("Ett heltal") if question.integer else _("Ett tal")
        bounds = []
        if question.min is not None:
            bounds.append(_("minst %(min)s", min=f"{question.min:g}"))
        if question.max is not None:
            bounds.append(_("högst %(max)s", max=f"{question.max:g}"))
        unit = f" ({question.unit})" if question.unit else ""
        return f"{kind}{unit}" + (", " + ", ".join(bounds) if bounds else "") + "."
    if qtype == "scale":
        return _("Välj %(min)s–%(max)s i listan: %(min)s = %(min_label)s, %(max)s = %(max_label)s.",
                 min=int(question.min), max=int(question.max), min_label=question.min_label,
                 max_label=question.max_label)
    if qtype in ("single_choice", "yes_partly_no"):
        return _("Välj ett alternativ i listan.")
    if qtype == "multiple_choice":
        return _("Skriv Ja vid varje alternativ som stämmer.")
    if qtype == "date":
        return _("Datum, ÅÅÅÅ-MM-DD.")
    return ""


def plain_help(text: str) -> str:
    """Help text without Markdown emphasis, for a spreadsheet cell."""
    return re.sub(r"\*{1,2}([^*]+)\*{1,2}", r"\1", text)


def put(cell, value: Any) -> None:
    """Write a value; text always as literal text, never a formula."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"


def template_value(question: Question, value: Any) -> Any:
    """A stored answer as the template shows it: labels for choices, dates as dates."""
    if value is None:
        return None
    if question.type in ("single_choice", "yes_partly_no"):
        return question.label_for(value)
    if question.type == "date":
        return date.fromisoformat(value)
    return value


class Validations:
    """Data validations for one sheet, one per question (Excel merges ranges with the same rule)."""

    def __init__(self, sheet, lists: "ChoiceLists"):
        self.sheet, self.lists, self.rules = sheet, lists, {}

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
        message = dict(showErrorMessage=True, errorTitle=_("Ogiltigt svar"), allow_blank=True)
        qtype = question.type
        if checkbox:
            return DataValidation(type="list", formula1=f'"{CHECKED}"',
                                  error=_("Skriv Ja, eller lämna cellen tom."), **message)
        if qtype in ("single_choice", "yes_partly_no", "scale"):
            return DataValidation(type="list", formula1=self.lists.range_for(question),
                                  error=_("Välj ett av alternativen i listan."), **message)
        if qtype == "number":
            low = question.min if question.min is not None else -1e15
            high = question.max if question.max is not None else 1e15
            return DataValidation(type="whole" if question.integer else "decimal", operator="between",
                                  formula1=f"{low:g}", formula2=f"{high:g}", error=answer_hint(question), **message)
        if qtype == "date":
            return DataValidation(type="date", operator="greaterThan", formula1="1",
                                  error=_("Skriv datumet som ÅÅÅÅ-MM-DD."), **message)
        if qtype in ("short_text", "long_text"):
            return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(question.max_length),
                                  error=answer_hint(question), **message)
        return None


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
    for title, (_t, section, group) in zip(titles[1:], sheets):
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
    plan = []
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
        (_("1. Svara på flikarna i tur och ordning. Frågor markerade med * måste besvaras innan svaren kan räknas som inskickade."), None),
        (_("2. Där cellen visar en pil väljer du svaret i listan. Vid frågor med flera alternativ skriver du Ja vid varje alternativ som stämmer."), None),
        (_("3. Goda exempel och utvecklingsområden: en rad per exempel. Skriv nya under de befintliga. Tar du bort en rad tas exemplet bort."), None),
        (_("4. Ändra inte flikarnas första rader eller de dolda kolumnerna: de talar om vilken fråga svaret hör till."), None),
        (_("5. Spara filen som Excel-arbetsbok (.xlsx) och skicka den till samordningsfunktionen."), None),
    ]
    if round_.instructions.strip():
        rows += [(None, None), (_("Instruktioner från samordningsfunktionen"), None), (plain_help(round_.instructions), None)]
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
    for column, heading in enumerate([SECTION_MARK + section.key, _("Fråga"), _("Svar"), _("Så här svarar du"),
                                      _("Hjälp")], start=1):
        put(sheet.cell(row=1, column=column), heading)
        sheet.cell(row=1, column=column).font = BOLD
    row = 2
    for question in section.questions:
        if question.is_group:
            continue
        label = question.label + (" *" if question.required else "")
        for column, value in ((1, question.key), (2, label), (4, answer_hint(question)), (5, plain_help(question.help))):
            put(sheet.cell(row=row, column=column), value)
            sheet.cell(row=row, column=column).alignment = WRAP
        stored = values.get((question.key, SINGLE))
        if question.type == "multiple_choice":
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
            put(sheet.cell(row=row, column=3), template_value(question, stored))
            sheet.cell(row=row, column=3).alignment = WRAP
            validations.add(question, f"C{row}")
        row += 1
    sheet.column_dimensions["A"].hidden = True
    for letter, width in zip("BCDE", (60, 50, 30, 60)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"


def group_columns(group: Question) -> list[tuple[str, Question, str | None]]:
    """(key in row 1, field, option code or None): a column per field, and per option of a multiple choice."""
    columns = []
    for item in group.fields:
        if item.type == "multiple_choice":
            columns.extend((f"{item.key}:{o.code}", item, o.code) for o in item.choices)
        else:
            columns.append((item.key, item, None))
    return columns


def write_group_sheet(sheet, group: Question, values: dict[Key, Any], entries: list[int],
                      validations: Validations) -> None:
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
        put(sheet.cell(row=3, column=column), _("Ja eller tomt") if code else answer_hint(item))
        sheet.cell(row=2, column=column).font = BOLD
        sheet.cell(row=2, column=column).alignment = WRAP
        sheet.cell(row=3, column=column).font = HINT
        sheet.cell(row=3, column=column).alignment = WRAP
        letter = get_column_letter(column)
        long = item.type == "long_text"
        sheet.column_dimensions[letter].width = 60 if long else 14 if code else 30
        validations.add(item, f"{letter}{GROUP_FIRST_ROW}:{letter}{VALIDATED_ROWS}", checkbox=code is not None)
    for row, index in enumerate(entries, start=GROUP_FIRST_ROW):
        put(sheet.cell(row=row, column=1), index)
        for column, (key, item, code) in enumerate(columns, start=2):
            stored = values.get((item.key, index))
            value = (CHECKED if code in (stored or []) else None) if code else template_value(item, stored)
            put(sheet.cell(row=row, column=column), value)
            sheet.cell(row=row, column=column).alignment = WRAP
    sheet.row_dimensions[1].hidden = True
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = f"B{GROUP_FIRST_ROW}"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns) + 1)}{max(GROUP_FIRST_ROW + len(entries) + EMPTY_ENTRY_ROWS, 3)}"


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


# ---------------------------------------------------------------------------
# Reading a filled-in template


@dataclass
class Cell:
    value: Any
    ref: str       # "bladet ”Samverkan”, cell C7", for messages
    percent: bool = False   # Excel shows it as a percentage: typed "40%", it holds 0.4


def read_cell(sheet, cell) -> Cell:
    value = cell.value
    percent = isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or "")
    return Cell(value, cell_name(sheet, cell.coordinate), percent)


@dataclass
class FileEntry:
    number: Any                       # what column A held: the entry's index for an entry that was there
    row: int
    cells: dict[str, Cell]            # field key (or "field:code") → cell


@dataclass
class OfflineFile:
    """What a filled-in template holds, before any validation."""

    meta: dict[str, str]
    sections: dict[str, dict[str, Cell]] = field(default_factory=dict)      # section key → key → cell
    groups: dict[str, list[FileEntry]] = field(default_factory=dict)        # group key → rows

    @property
    def assignment_id(self) -> int | None:
        value = self.meta.get("assignment_id", "")
        return parse_id(value)


def read_offline(data: bytes) -> OfflineFile:
    """The cells of a filled-in template, by key. Raises OfflineFileError for a file that is not one."""
    if len(data) > MAX_BYTES:
        raise OfflineFileError(_("Filen är för stor (högst %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            # openpyxl warns that it drops Excel's extensions (e.g. newer data validations); we only read values.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise OfflineFileError(_("Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som .xlsx och försök igen.")) from None
    if META_SHEET not in workbook.sheetnames:
        raise OfflineFileError(_("Filen är ingen svarsmall från Kartläggning. Ladda ner enhetens mall och fyll i den."))
    meta = {str(k): str(v) for k, v in workbook[META_SHEET].iter_rows(max_col=2, values_only=True) if k is not None}
    if meta.get("format") != TEMPLATE_FORMAT:
        raise OfflineFileError(_("Filen är ingen svarsmall från Kartläggning. Ladda ner enhetens mall och fyll i den."))
    found = OfflineFile(meta)
    for sheet in workbook.worksheets:
        mark = sheet.cell(row=1, column=1).value
        if not isinstance(mark, str):
            continue
        if mark.startswith(SECTION_MARK):
            found.sections[mark[len(SECTION_MARK):]] = read_section_sheet(sheet)
        elif mark.startswith(GROUP_MARK):
            found.groups[mark[len(GROUP_MARK):]] = read_group_sheet(sheet)
    return found


def read_section_sheet(sheet) -> dict[str, Cell]:
    cells = {}
    for row in sheet.iter_rows(min_row=2, max_col=3):
        key = row[0].value
        if isinstance(key, str) and key.strip():
            cells[key.strip()] = read_cell(sheet, row[2])
    return cells


def read_group_sheet(sheet) -> list[FileEntry]:
    keys = [(column, value.strip()) for column, value in enumerate(next(sheet.iter_rows(max_row=1, values_only=True)))
            if column > 0 and isinstance(value, str) and value.strip()]
    entries = []
    for row in sheet.iter_rows(min_row=GROUP_FIRST_ROW):
        cells = {key: read_cell(sheet, row[column]) for column, key in keys if column < len(row)}
        if any(not is_blank(cell.value) for cell in cells.values()):
            entries.append(FileEntry(row[0].value, row[0].row, cells))
    return entries


def cell_name(sheet, coordinate: str) -> str:
    return _("bladet ”%(sheet)s”, cell %(cell)s", sheet=sheet.title, cell=coordinate)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------
# From cells to answers, through the section forms


@dataclass
class Change:
    section: str
    question: str
    entry: str          # "Gott exempel 2", or "" outside groups
    before: str
    after: str


@dataclass
class ImportPlan:
    """What importing a file would do: errors (nothing is written), or the answers to save and what changes."""

    errors: list[str] = field(default_factory=list)
    to_save: dict[Key, Any] = field(default_factory=dict)
    removed_entries: list[tuple[Question, int]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    entry_numbers: dict[Key, int] = field(default_factory=dict)  # (group, index) → its number on the web form
    last_entry_index: int = 0
    edited_since_download: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def import_refusal(assignment: Assignment) -> str | None:
    """Why answers cannot be imported into this assignment now, or None."""
    if assignment.status == "submitted":
        return _("Svaren är inskickade. Öppna dem igen innan du läser in en fil.")
    if assignment.round.state not in ("open", "closed"):
        return _("Svar kan bara läsas in medan omgången är öppen eller stängd.")
    return None


def plan_import(assignment: Assignment, found: OfflineFile) -> ImportPlan:
    """Check a read file against the unit's questionnaire and answers, and say what importing it would change."""
    plan = ImportPlan(last_entry_index=assignment.last_entry_index or SINGLE)
    problem = file_problem(assignment, found)
    if problem:
        plan.errors.append(problem)
        return plan
    plan.edited_since_download = found.meta.get("assignment_version") != str(assignment.version)
    stored = assignment.values()
    new: dict[Key, Any] = {}
    for section in assignment.definition.sections:
        plain = [q for q in section.questions if not q.is_group]
        if plain:
            cells = found.sections.get(section.key)
            if cells is None:
                plan.errors.append(_("Fliken för avsnittet ”%(title)s” saknas i filen.", title=section.title))
            else:
                new.update(section_answers(section, plain, cells, plan))
        for group in (q for q in section.questions if q.is_group):
            rows = found.groups.get(group.key)
            if rows is None:
                plan.errors.append(_("Fliken ”%(title)s” saknas i filen.", title=group.label))
                continue
            new.update(group_answers(section, group, rows, assignment.entries(group), plan))
            kept = sorted(index for (key, index) in new if key == group.key)
            current = assignment.entries(group)
            plan.removed_entries += [(group, i) for i in current if i not in kept]
            # Entries are numbered as the web form numbers them: kept and new ones as they will be,
            # removed ones as they are now.
            plan.entry_numbers.update({(group.key, i): n for n, i in enumerate(current, start=1) if i not in kept})
            plan.entry_numbers.update({(group.key, i): n for n, i in enumerate(kept, start=1)})
    if plan.errors:
        return plan
    plan.to_save = {key: value for key, value in new.items() if value != stored.get(key)}
    plan.changes = describe_changes(assignment, stored, plan)
    return plan


def file_problem(assignment: Assignment, found: OfflineFile) -> str | None:
    if found.assignment_id != assignment.id or found.meta.get("round_id") != str(assignment.round_id):
        return _("Filen är mallen för ”%(unit)s”, inte för ”%(this)s” i den här omgången.",
                 unit=found.meta.get("unit", "?"), this=assignment.unit.name)
    if found.meta.get("questionnaire_hash") != assignment.round.questionnaire_version.content_hash:
        return _("Filen hör till en annan version av frågeformuläret. Ladda ner en ny mall.")
    return None


def section_answers(section: Section, plain: list[Question], cells: dict[str, Cell], plan: ImportPlan) -> dict[Key, Any]:
    """The section's plain questions, validated by the section form. A question whose row is gone is left as it is."""
    present = [q for q in plain if q.key in cells or any(k.startswith(q.key + ":") for k in cells)]
    formdata, refs = MultiDict(), {}
    for question in present:
        refs[question.key] = add_form_value(formdata, question, question.key, cells, question.key, plan)
    return validated(section, {}, formdata, refs, plan)


def group_answers(section: Section, group: Question, rows: list[FileEntry], existing: list[int],
                  plan: ImportPlan) -> dict[Key, Any]:
    """Each row an entry: a row that was there keeps its number; a new row gets the next free one."""
    entries, formdata, refs, seen = [], MultiDict(), {}, set()
    for row in rows:
        number = row.number
        index = int(number) if isinstance(number, (int, float)) and math.isfinite(number) and int(number) == number else None
        if index not in existing or index in seen:
            plan.last_entry_index = index = plan.last_entry_index + 1
        seen.add(index)
        entries.append(index)
        for item in group.fields:
            name = field_name(item, index)
            refs[name] = add_form_value(formdata, item, name, row.cells, item.key, plan)
    answers = validated(section, {group.key: entries}, formdata, refs, plan)
    answers.update({(group.key, index): True for index in entries})
    return answers


def add_form_value(formdata: MultiDict, question: Question, name: str, cells: dict[str, Cell], key: str,
                   plan: ImportPlan) -> str:
    """Put a cell's value into the form data as the web form would post it; returns the cell for messages."""
    if question.type == "multiple_choice":
        refs = []
        for option in question.choices:
            cell = cells.get(f"{key}:{option.code}")
            if cell is None:
                continue
            refs.append(cell.ref)
            word = str(cell.value).strip().casefold() if cell.value is not None else ""
            if word in CHECK_WORDS:
                formdata.add(name, option.code)
            elif word not in UNCHECK_WORDS:
                plan.errors.append(_("%(cell)s (%(label)s): skriv Ja eller lämna cellen tom, inte ”%(value)s”.",
                                     cell=capitalised(refs[-1]), label=option.label, value=shorten(cell.value)))
        return refs[0] if refs else name
    cell = cells.get(key)
    if cell is None:
        return name
    text = form_text(question, as_typed(question, cell))
    if text is None:
        plan.errors.append(_("%(cell)s (%(label)s): ”%(value)s” är inget av alternativen. Välj bland: %(choices)s.",
                             cell=capitalised(cell.ref), label=question.label, value=shorten(cell.value),
                             choices=", ".join(o.label for o in question.choices)))
    else:
        formdata.add(name, text)
    return cell.ref


def as_typed(question: Question, cell: Cell) -> Any:
    """The number the user meant: "40%" typed into a question counted in per cent is 40, not Excel's 0.4."""
    if question.type == "number" and question.unit == "%" and cell.percent:
        try:
            return Decimal(str(cell.value)) * 100
        except InvalidOperation:
            return cell.value  # the form's own check names the cell
    return cell.value


def form_text(question: Question, value: Any) -> str | None:
    """A cell's value as the text the web form would have posted; None for a choice that is not an option."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if question.type == "date" or value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat() if question.type in ("date", "short_text", "long_text") else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = without_control_characters(str(value)).strip()
    if question.type in ("single_choice", "yes_partly_no", "scale") and text:
        wanted = text.casefold()
        for option in question.choices:
            if wanted in (option.code.casefold(), option.label.casefold()):
                return option.code
        return None
    return text


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def shorten(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validated(section: Section, entries: dict[str, list[int]], formdata: MultiDict, refs: dict[str, str],
              plan: ImportPlan) -> dict[Key, Any]:
    """Run the section form on the data; errors go to the plan with their cell, valid values come back.

    Only fields the file holds come back: a question whose row was deleted keeps its stored answer.
    """
    form = section_form_class(section, entries)(formdata=formdata, meta={"csrf": False})
    form.validate()
    for name, ref in refs.items():
        plan.errors += [f"{capitalised(ref)} ({form[name].label.text}): {message}" for message in form[name].errors]
    return {key: value for key, value in valid_values(form, section, entries).items() if field_name_of(key) in refs}


def describe_changes(assignment: Assignment, stored: dict[Key, Any], plan: ImportPlan) -> list[Change]:
    """What the import changes, in questionnaire order, as a reader sees it."""
    definition = assignment.definition
    order, section_of = {}, {}      # key → (its top-level question's place, its own place)
    for section in definition.sections:
        for question in section.questions:
            section_of[question.key], top = section.title, len(order)
            for item in (question, *question.fields):
                order[item.key] = (top, len(order))
    first_new = (assignment.last_entry_index or SINGLE) + 1
    changes = []
    for (key, index), value in sorted(plan.to_save.items(), key=lambda item: (order[item[0][0]][0], item[0][1], order[item[0][0]][1])):
        question = definition.question(key)
        if question.is_group:
            continue
        group = definition.group_of(key) if index != SINGLE else None
        entry = ""
        if group:
            entry = f"{group.entry_label or group.label} {plan.entry_numbers[(group.key, index)]}" + (_(" (ny)") if index >= first_new else "")
        section = section_of[group.key if group else key]
        changes.append(Change(section, question.label, entry, shown(question, stored.get((key, index))), shown(question, value)))
    for group, index in plan.removed_entries:
        title = next((stored[(f.key, index)] for f in group.fields if stored.get((f.key, index))), "–")
        changes.append(Change(section_of[group.key], _("Tas bort"), f"{group.entry_label or group.label} {plan.entry_numbers[(group.key, index)]}",
                              shorten(title, 80), "–"))
    return changes


def shown(question: Question, value: Any) -> str:
    if value in (None, "", []):
        return "–"
    if question.type == "multiple_choice":
        return "; ".join(question.label_for(code) for code in value)
    if question.type in ("single_choice", "yes_partly_no"):
        return question.label_for(value)
    return shorten(value, 200)


def apply_import(assignment: Assignment, plan: ImportPlan) -> dict[str, int]:
    """Write a checked plan to the unit's answers (the caller commits: one transaction). Returns counts for the log."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    for group, index in plan.removed_entries:
        assignment.remove_entry(group, index)
    changed = assignment.save_values(plan.to_save)
    assignment.last_entry_index = max(assignment.last_entry_index or 0, plan.last_entry_index)
    added = sum(1 for (key, _i), value in plan.to_save.items() if value is True and key in
                {g.key for g in assignment.definition.groups})
    return {"answers_changed": len(plan.to_save), "questions": len(changed), "entries_added": added,
            "entries_removed": len(plan.removed_entries)}

