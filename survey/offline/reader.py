"""Reading a filled-in offline template: the sheets found by the key in their A1, the cells as typed."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from openpyxl import load_workbook

from survey.ids import parse_id
from survey.offline.template import GROUP_FIRST_ROW, GROUP_MARK, META_SHEET, SECTION_MARK, TEMPLATE_FORMAT
from survey.spreadsheets import UNREADABLE, SpreadsheetRefused, check_spreadsheet

MAX_BYTES = 5 * 1024 * 1024
CHECK_WORDS = {"ja", "x", "1", "true", "sant", "yes"}
UNCHECK_WORDS = {"", "nej", "0", "false", "falskt", "no"}


class OfflineFileError(Exception):
    """The file as a whole cannot be used (not a spreadsheet, not our template, another unit's); for the user."""


@dataclass
class Cell:
    value: Any
    ref: str  # "bladet ”Samverkan”, cell C7", for messages
    percent: bool = False  # Excel shows it as a percentage: typed "40%", it holds 0.4


def read_cell(sheet, cell) -> Cell:
    value = cell.value
    percent = isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or "")
    return Cell(value, cell_name(sheet, cell.coordinate), percent)


@dataclass
class FileEntry:
    number: Any  # what column A held: the entry's index for an entry that was there
    row: int
    cells: dict[str, Cell]  # field key (or "field:code") → cell


@dataclass
class OfflineFile:
    """What a filled-in template holds, before any validation."""

    meta: dict[str, str]
    sections: dict[str, dict[str, Cell]] = field(default_factory=dict)  # section key → key → cell
    groups: dict[str, list[FileEntry]] = field(default_factory=dict)  # group key → rows

    @property
    def assignment_id(self) -> int | None:
        value = self.meta.get("assignment_id", "")
        return parse_id(value)


def read_offline(data: bytes) -> OfflineFile:
    """The cells of a filled-in template, by key. Raises OfflineFileError for a file that is not one."""
    if len(data) > MAX_BYTES:
        raise OfflineFileError(_("Filen är för stor (högst %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    try:
        check_spreadsheet(data)
    except SpreadsheetRefused as refused:
        raise OfflineFileError(str(refused)) from None
    try:
        with warnings.catch_warnings():
            # openpyxl warns that it drops Excel's extensions (e.g. newer data validations); we only read values.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=True)
    except UNREADABLE:
        raise OfflineFileError(
            _("Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som .xlsx och försök igen.")
        ) from None
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
            found.sections[mark[len(SECTION_MARK) :]] = read_section_sheet(sheet)
        elif mark.startswith(GROUP_MARK):
            found.groups[mark[len(GROUP_MARK) :]] = read_group_sheet(sheet)
    return found


def read_section_sheet(sheet) -> dict[str, Cell]:
    cells = {}
    for row in sheet.iter_rows(min_row=2, max_col=3):
        key = row[0].value
        if isinstance(key, str) and key.strip():
            cells[key.strip()] = read_cell(sheet, row[2])
    return cells


def read_group_sheet(sheet) -> list[FileEntry]:
    keys = [
        (column, value.strip())
        for column, value in enumerate(next(sheet.iter_rows(max_row=1, values_only=True)))
        if column > 0 and isinstance(value, str) and value.strip()
    ]
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
