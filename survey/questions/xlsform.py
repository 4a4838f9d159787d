"""Questionnaires as spreadsheets in the XLSForm layout of ODK and KoboToolbox, written and read back.

A coordinator edits the questions in Excel: the ``survey`` sheet has one row per question
(type, name, label, hint, required), ``begin group``/``end group`` around each section and
``begin repeat``/``end repeat`` around a repeating group such as goda exempel; the ``choices``
sheet has the options (list_name, name, label); the ``settings`` sheet the form_title,
form_id and version. Our types map to XLSForm's:

=================  ===============================  ==========================================
ours               XLSForm type                     and
=================  ===============================  ==========================================
short_text         text
long_text          text                             appearance ``multiline``
number             integer (whole) / decimal
date               date
single_choice      select_one LIST
multiple_choice    select_multiple LIST
scale              range                            parameters ``start=1 end=5 step=1``
group              begin repeat … end repeat
section            begin group … end group          its hint is the section's help
percent            percent                          extension: no XLSForm type
yes_partly_no      yes_partly_no                    extension: its options are fixed (ja/delvis/nej)
=================  ===============================  ==========================================

Extensions, columns XLSForm does not have: ``min``, ``max`` (number, percent), ``max_length``
(text), ``unit`` (number), ``min_label``, ``max_label`` (the words at a scale's ends),
``entry_label`` (what one entry of a repeat is called), and every further attribute a question
type declares, by its own name; in ``settings``, ``intro`` and ``estimated_minutes``. A list in
``choices`` is a shared option set, its name kept (the workbook's summaries look some up by name),
unless its rows name in the extension column ``question`` the one question whose own options
they are.

Translations are columns of their own, as in XLSForm: ``label::English (en)`` and ``hint::English (en)``
beside label and hint (in ``survey`` and ``choices``), ``form_title::English (en)`` and
``intro::English (en)`` in ``settings``, and ``entry_label::English (en)`` and so on for the extension
columns that hold text. The columns without a language are Swedish.

Reading turns the sheets into TOML text, so a spreadsheet goes through the same validation,
content hash and storage as a file. A workbook written here also carries its TOML text on a
hidden sheet: when the visible sheets still say exactly what that text says, the text itself is
the result (comments kept, same content hash); once anything is changed, the sheets win.
Reading lives in xlsform_reading.py.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from survey.questions.definition import GROUP_FIELD_KEYS, Question, Questionnaire, Section, parse
from survey.questions.languages import XLSFORM_NAMES
from survey.questions.types import TYPES
from survey.questions.xlsform_sheets import Table

SURVEY, CHOICES, SETTINGS, SOURCE = "survey", "choices", "settings", "toml_source"

# Our types that XLSForm has a type for, and that type; every other type of ours is written by its own name.
STANDARD_TYPES = {
    "short_text": "text",
    "long_text": "text",
    "number": "decimal",
    "date": "date",
    "single_choice": "select_one",
    "multiple_choice": "select_multiple",
    "scale": "range",
}
MULTILINE = "multiline"  # the appearance that makes a text a long text, as in ODK Collect and Kobo
# Attributes that have a place of their own in XLSForm rather than a column of their name.
NOT_COLUMNS = frozenset({"options", "fields", "integer"})
COLUMN_ORDER = ("min", "max", "max_length", "unit", "min_label", "max_label", "entry_label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "intro", "estimated_minutes")
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "appearance", "parameters")
CHOICES_COLUMNS = ("list_name", "name", "label", "question")


def attribute_columns() -> tuple[str, ...]:
    """The extension columns: every attribute some question type reads, known ones first, in a stable order."""
    every = set().union(GROUP_FIELD_KEYS, *(kind.attributes for kind in TYPES.values())) - NOT_COLUMNS
    return tuple(name for name in COLUMN_ORDER if name in every) + tuple(sorted(every - set(COLUMN_ORDER)))


def attribute_kind(name: str) -> str:
    """How an extension column's cells read: "bool", "int", "number" or "text", from Question's field."""
    annotation = next(str(f.type) for f in dataclass_fields(Question) if f.name == name)
    if annotation == "bool":
        return "bool"
    if "float" in annotation:
        return "number"
    return "int" if "int" in annotation else "text"


def shared_sets(definition: Questionnaire) -> dict[str, tuple]:
    """The option sets the questions use, by name, in the order first used."""
    found: dict[str, tuple] = {}
    for question in every_question(definition):
        if question.option_set is not None:
            found.setdefault(question.option_set, question.options)
    return found


def every_question(definition: Questionnaire) -> list[Question]:
    return [q for section in definition.sections for top in section.questions for q in (top, *top.fields)]


def list_names(definition: Questionnaire) -> dict[str, str]:
    """The list of each choice question: its option set's name, or for its own options its key (made unique
    with a number should an option set have that name)."""
    names: dict[str, str] = {}
    taken = set(shared_sets(definition))
    for question in every_question(definition):
        if question.option_set is not None:
            names[question.key] = question.option_set
        elif question.kind.attributes >= {"options"}:
            name = next(n for n in (question.key, *(f"{question.key}_{i}" for i in range(2, 999))) if n not in taken)
            names[question.key] = name
            taken.add(name)
    return names


def xlsform_type(question: Question, lists: dict[str, str]) -> str:
    if question.type == "number":
        return "integer" if question.integer else "decimal"
    name = STANDARD_TYPES.get(question.type, question.type)
    return f"{name} {lists[question.key]}" if name in ("select_one", "select_multiple") else name


# The column each text of ours is written in, by the part it belongs to (our text → XLSForm's column).
COLUMNS_OF_TEXTS = {
    "questionnaire": {"title": "form_title", "intro": "intro"},
    "section": {"title": "label", "help": "hint"},
    "question": {"label": "label", "help": "hint"},
    "option": {"label": "label"},
}


def translation_column(column: str, language: str) -> str:
    return f"{column}::{XLSFORM_NAMES.get(language, language)} ({language})"


def translation_cells(part: Any, kind: str) -> dict[str, str]:
    """A part's translations as the cells of their columns: {"label::English (en)": "…"}."""
    columns = COLUMNS_OF_TEXTS[kind]
    return {translation_column(columns.get(text, text), lang): value for lang, text, value in part.translations}


def with_translation_columns(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """The sheet's columns and, after them, every translation column a row fills: by language, then in the
    order of the columns they translate."""
    found = {name for row in rows for name in row if "::" in name}
    order = {name: n for n, name in enumerate(columns)}

    def place(name: str) -> tuple[str, int]:
        column, _sep, language = name.partition("::")
        return language, order.get(column, len(order))

    return columns + tuple(sorted(found, key=place))


def question_row(question: Question, lists: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "type": xlsform_type(question, lists),
        "name": question.key,
        "label": question.label,
        "hint": question.help,
        "required": "yes" if question.required else "",
        **translation_cells(question, "question"),
    }
    if question.type == "long_text":
        row["appearance"] = MULTILINE
    if question.type == "scale":
        row["parameters"] = f"start={int(question.min or 0)} end={int(question.max or 0)} step=1"
    for name in (question.kind.attributes | GROUP_FIELD_KEYS) - NOT_COLUMNS:
        if question.type == "scale" and name in ("min", "max"):
            continue  # in parameters, as XLSForm's range has them
        value = getattr(question, name)
        if value is not None and value != "" and value is not False:
            row[name] = "yes" if value is True else value
    return row


def survey_rows(definition: Questionnaire) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    lists = list_names(definition)
    for section in definition.sections:
        rows.append(section_row(section))
        for question in section.questions:
            if question.is_group:
                rows.append({**question_row(question, lists), "type": "begin repeat"})
                rows += [question_row(field, lists) for field in question.fields]
                rows.append({"type": "end repeat", "name": question.key})
            else:
                rows.append(question_row(question, lists))
        rows.append({"type": "end group", "name": section.key})
    return rows


def section_row(section: Section) -> dict[str, Any]:
    return {
        "type": "begin group",
        "name": section.key,
        "label": section.title,
        "hint": section.help,
        **translation_cells(section, "section"),
    }


def choice_rows(definition: Questionnaire) -> list[dict[str, Any]]:
    rows = [
        {"list_name": name, "name": option.code, "label": option.label, **translation_cells(option, "option")}
        for name, options in shared_sets(definition).items()
        for option in options
    ]
    lists = list_names(definition)
    for question in every_question(definition):
        if question.option_set is None and question.key in lists:
            rows += [
                {
                    "list_name": lists[question.key],
                    "name": o.code,
                    "label": o.label,
                    "question": question.key,
                    **translation_cells(o, "option"),
                }
                for o in question.options
            ]
    return rows


def settings_row(definition: Questionnaire) -> dict[str, Any]:
    return {
        "form_title": definition.title,
        "form_id": definition.id,
        "version": definition.version,
        "intro": definition.intro,
        "estimated_minutes": definition.estimated_minutes,
        **translation_cells(definition, "questionnaire"),
    }


def write_workbook(source: str) -> bytes:
    """The questionnaire of this TOML text as an XLSForm workbook, the text itself on a hidden sheet."""
    definition = parse(source)
    book = Workbook()
    survey = book.active
    survey.title = SURVEY
    for sheet, columns, rows in (
        (survey, SURVEY_COLUMNS + attribute_columns(), survey_rows(definition)),
        (book.create_sheet(CHOICES), CHOICES_COLUMNS, choice_rows(definition)),
        (book.create_sheet(SETTINGS), SETTINGS_COLUMNS, [settings_row(definition)]),
    ):
        write_sheet(sheet, with_translation_columns(columns, rows), rows)
    write_source(book.create_sheet(SOURCE), source)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def write_sheet(sheet, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(columns, start=1):
            value = row.get(name)
            if value is not None and value != "":
                put(sheet.cell(row=number, column=column), value)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (22, 24, 50, 50, 10, 12, 22), strict=False):
        sheet.column_dimensions[letter].width = width


def put(cell, value: Any) -> None:
    """A value as itself: text stays text even when it starts with "=" (openpyxl would make it a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_source(sheet, source: str) -> None:
    """The TOML text, one line a row under its number of lines, on a sheet the coordinator does not see."""
    lines = source.split("\n")
    sheet.append([len(lines)])
    for number, line in enumerate(lines, start=2):
        if line:
            put(sheet.cell(row=number, column=1), line)
    sheet.sheet_state = "hidden"


def carried_lines(table: Table | None) -> list[str] | None:
    """The lines write_source() wrote, or None when the sheet is missing or not as it wrote them."""
    if table is None:
        return None
    count = table.headers[0] if table.headers else ""
    if not count.isdigit() or int(count) < len(table.every_row) - 1:
        return None
    lines = ["" if not row or row[0] is None else str(row[0]) for row in table.every_row[1:]]
    return lines + [""] * (int(count) - len(lines))  # empty last lines hold no cell
