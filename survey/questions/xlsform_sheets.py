"""The sheets of an uploaded XLSForm workbook as plain rows, and the places problems are found at.

Uploads are hostile: the file is measured (survey/spreadsheets.py) before openpyxl opens it, and
whatever openpyxl raises for a damaged file becomes one plain sentence. Every later message names
its sheet, row and column the way the coordinator sees them in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from survey.spreadsheets import UNREADABLE, SpreadsheetRefused, check_spreadsheet


@dataclass(frozen=True)
class Place:
    """A sheet, a row, and maybe a column, as Excel shows them."""

    sheet: str
    row: int
    column: str = ""
    letter: str = ""

    def __str__(self) -> str:
        where = f'sheet "{self.sheet}", row {self.row}'
        if not self.column:
            return where
        return where + (
            f", column {self.letter} ({self.column})" if self.letter else f", column {self.column} (not in the sheet)"
        )


@dataclass
class Report:
    """What reading found: problems refuse the file, warnings say what was not carried over."""

    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def problem(self, place: Place | str, message: str) -> None:
        self.problems.append(self.line(place, message))

    def warning(self, place: Place | str, message: str) -> None:
        self.warnings.append(self.line(place, message))

    def line(self, place: Place | str, message: str) -> str:
        return f"{self.name}: {place}: {message}" if place else f"{self.name}: {message}"


def text(value: Any) -> str:
    """A cell as the text it shows: whole numbers without ".0", dates as ISO dates, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class Table:
    """One sheet: its header (names matched without regard to case or surrounding spaces) and its rows
    that hold anything, each with its row number in Excel."""

    def __init__(self, title: str, rows: list[tuple[Any, ...]]):
        self.title = title
        self.every_row = rows
        header = rows[0] if rows else ()
        self.headers = [text(cell).strip() for cell in header]
        self.columns = {name.lower(): n for n, name in enumerate(self.headers) if name}
        self.rows = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(text(c).strip() for c in row)]

    def has(self, name: str) -> bool:
        return name in self.columns

    def value(self, row: tuple[Any, ...], name: str) -> Any:
        index = self.columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    def text(self, row: tuple[Any, ...], name: str) -> str:
        return text(self.value(row, name))

    def word(self, row: tuple[Any, ...], name: str) -> str:
        """A structural cell (type, name, list_name): spaces around it and doubled inside do not count."""
        return " ".join(self.text(row, name).split())

    def place(self, number: int, name: str = "") -> Place:
        if not name:
            return Place(self.title, number)
        index = self.columns.get(name)
        header = self.headers[index] if index is not None else name
        return Place(self.title, number, header, get_column_letter(index + 1) if index is not None else "")

    def filled(self, name: str) -> list[int]:
        """The rows where a column holds anything."""
        return [number for number, row in self.rows if self.text(row, name).strip()]


def read_tables(data: bytes, report: Report) -> dict[str, Table] | None:
    """Every sheet by its lower-case name; None (with the problem reported) when the file cannot be read."""
    try:
        check_spreadsheet(data)
    except SpreadsheetRefused as exc:
        report.problem("", str(exc))
        return None
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            return {
                sheet.title.lower(): Table(sheet.title, list(sheet.iter_rows(values_only=True)))
                for sheet in book.worksheets
            }
        finally:
            book.close()
    except UNREADABLE:
        report.problem("", "not a readable .xlsx workbook (save it again as .xlsx from Excel)")
        return None
