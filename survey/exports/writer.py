"""Writing sheets: openpyxl write-only sheets, every text cell literal text, rows as tall as their
wrapped text with every cell of such a row at its top, every sheet printing A4 landscape — one page
wide when it fits, else across pages with the unit's columns repeated."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from math import ceil
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from survey.db import LOCAL_TZ
from survey.exports.cells import NumberCell
from survey.exports.words import VALUE_COLUMNS, word
from survey.questions.definition import BASE_LANGUAGE

EXCEL_CELL_LIMIT = 32_767
WRAP_FROM = 40  # characters; a text this long, or on several lines, is wrapped
DEFAULT_WIDTH = 8.43  # Excel's column width when none is set, in characters
LINE_HEIGHT = 15  # points per line of 11-point text
MAX_ROW_HEIGHT = 409  # Excel's highest row
LITERAL_RISKS = frozenset(ERROR_CODES)  # texts openpyxl would store as error values
CUT_MARK = " […]"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # the media type of every workbook sent
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
# A sheet whose column widths add up to more than this prints across pages instead of being shrunk to one
# page width: A4 landscape within PRINT_MARGINS holds about 110 at 11 points, so a sheet up to this wide
# prints at 8 points or more (measured through LibreOffice, tests/test_libreoffice.py).
ONE_PAGE_WIDTH = 145
PRINT_MARGINS = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)  # inches


class Described(str):
    """A column heading with a longer text shown as the heading cell's comment (a question's wording above its
    key), so a sheet keeps one header row that pandas and pivot tables read as column names."""

    description: str

    def __new__(cls, heading: str, description: str) -> Described:
        made = super().__new__(cls, heading)
        made.description = description
        return made


# What a spreadsheet would read as the start of a formula (OWASP's list for CSV files).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def literal_csv_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet shows as written: a leading apostrophe keeps
    "=HYPERLINK(…)" or "-Socialtjänsten" from being read as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def clean_text(text: str) -> str:
    """Text Excel accepts: no XML-illegal characters, within the cell limit, visibly cut when longer."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - len(CUT_MARK)] + CUT_MARK
    return text


class SheetWriter:
    """One write-only sheet being filled: header frozen and filtered, columns sized, text wrapped, cells safe.

    Several can be filled at once (each streams to its own temporary file), which lets one
    pass over the answers feed every sheet.
    """

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        header_row: int = 1,
        widths: Iterable[int] = (),
        percent_columns: Iterable[int] = (),
        frozen_columns: int = 0,
        language: str = BASE_LANGUAGE,
    ):
        self.sheet = workbook.create_sheet(title=title[:31])
        # The header row in the language, and the columns whose values the workbook writes itself (statuses …).
        self.language, self.value_columns = language, set[int]()
        # The header stays in view, and with frozen_columns the columns naming the unit too.
        self.sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
        self.widths = dict(enumerate(widths, start=1))
        self.set_up_printing(header_row, frozen_columns)
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        self.cells = SafeCells(self.sheet, self.widths)
        self.header_row, self.percent = header_row, set(percent_columns)
        self.row_count, self.last_column = 0, 1

    def set_up_printing(self, header_row: int, frozen_columns: int) -> None:
        """A4 landscape with the header on every page; one page wide only if that keeps the text legible."""
        setup = self.sheet.page_setup
        setup.orientation, setup.paperSize = "landscape", Worksheet.PAPERSIZE_A4
        self.sheet.page_margins = PRINT_MARGINS
        self.sheet.print_title_rows = f"1:{header_row}"
        if sum(self.widths.values()) <= ONE_PAGE_WIDTH:
            setup.fitToWidth, setup.fitToHeight = 1, 0
            self.sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        elif frozen_columns:
            self.sheet.print_title_cols = f"A:{get_column_letter(frozen_columns)}"

    def extend(self, rows: Iterable[list[Any]]) -> None:
        cells, percent, heights = self.cells, self.percent, self.sheet.row_dimensions
        for row in rows:
            self.row_count += 1
            cells.lines = 1
            if self.language != BASE_LANGUAGE:
                row = self.in_language(row)
            if self.row_count == self.header_row:
                values = [cells.header(value, column) for column, value in enumerate(row, start=1)]
            elif percent and self.row_count > self.header_row:
                values = [
                    cells.percent(value)
                    if column in percent and isinstance(value, (int, float))
                    else cells.cell(value, column)
                    for column, value in enumerate(row, start=1)
                ]
            else:
                values = [cells.cell(value, column) for column, value in enumerate(row, start=1)]
            # Neither Excel nor LibreOffice grows a row for wrapped text when it opens a file, so a
            # long description would show one line and print over the next row: give it the height.
            height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * cells.lines) if cells.lines > 1 else None
            if height:
                heights[self.row_count].height = height
                # A tall row's other cells start at its top too, beside the start of the wrapped text.
                values = [cells.at_top(value) for value in values]
            self.sheet.append(values)
            if height:
                del heights[self.row_count]  # written with the row; keeping it would grow with the sheet
            self.last_column = max(self.last_column, len(row))

    def in_language(self, row: list[Any]) -> list[Any]:
        if self.row_count != self.header_row:
            return [word(v, self.language) if n in self.value_columns else v for n, v in enumerate(row, start=1)]
        self.value_columns = {n for n, value in enumerate(row, start=1) if value in VALUE_COLUMNS}
        return [
            Described(word(value, self.language), value.description)
            if isinstance(value, Described)
            else word(value, self.language)
            for value in row
        ]

    def finish(self):
        """Filter the header row down to the last row; the filter is written when the workbook is saved."""
        last_row = max(self.row_count, self.header_row)
        self.sheet.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.last_column)}{last_row}"
        return self.sheet, self.row_count


def write_sheet(
    workbook: Workbook,
    title: str,
    rows: Iterable[list[Any]],
    header_row: int = 1,
    widths: Iterable[int] = (),
    percent_columns: Iterable[int] = (),
    frozen_columns: int = 0,
    language: str = BASE_LANGUAGE,
):
    """Write rows to a new sheet in one go (see SheetWriter); returns the sheet and its number of rows."""
    writer = SheetWriter(workbook, title, header_row, widths, percent_columns, frozen_columns, language)
    writer.extend(rows)
    return writer.finish()


class SafeCells:
    """Values made ready to append to one write-only sheet: plain where openpyxl writes them as they are,
    typed and styled cells otherwise; text is always literal text, never a formula.

    Each style is looked up in the workbook once per sheet and then copied into cells, because
    setting a style on each of a hundred thousand cells dominates a large export's time.
    """

    def __init__(self, sheet, widths: dict[int, int] | dict[int, float] | None = None):
        self.sheet, self.widths = sheet, widths or {}
        self.lines = 1  # the most lines a wrapped text of the current row takes
        self.wrap = self.style(alignment=WRAP)
        self.bold = self.style(font=HEADER_FONT, alignment=WRAP)  # a long heading wraps rather than hides
        self.top = self.style(alignment=TOP)
        self.date = self.style(number_format="yyyy-mm-dd", alignment=TOP)
        self.datetime = self.style(number_format="yyyy-mm-dd hh:mm", alignment=TOP)
        self.share = self.style(number_format="0%", alignment=TOP)
        self.number_formats: dict[str, Any] = {}

    def style(self, **attributes):
        template = WriteOnlyCell(self.sheet)
        for name, value in attributes.items():
            setattr(template, name, value)
        return template._style  # the style's indexes in the workbook, which Cell(style_array=...) takes

    def make(self, value: Any, style) -> Cell:
        return Cell(self.sheet, row=1, column=1, value=value, style_array=style)

    def cell(self, value: Any, column: int = 0) -> Any:
        if isinstance(value, NumberCell):
            if value.number_format not in self.number_formats:
                self.number_formats[value.number_format] = self.style(number_format=value.number_format, alignment=TOP)
            return self.make(value.value, self.number_formats[value.number_format])
        if isinstance(value, str):
            text = clean_text(value)
            wrapped = len(text) > WRAP_FROM or "\n" in text
            # openpyxl reads '=…' as a formula and '#N/A' as an error: force those to literal text.
            if not wrapped and not text.startswith("=") and text not in LITERAL_RISKS:
                return text
            if wrapped:
                self.count_lines(text, column)
            return self.text(text, self.wrap if wrapped else self.top)
        if isinstance(value, datetime):
            # Excel has no time zones: show the time a reader in Sweden expects.
            return self.make(value.astimezone(LOCAL_TZ).replace(tzinfo=None), self.datetime)
        if isinstance(value, date):
            return self.make(value, self.date)
        return value

    def at_top(self, value: Any) -> Any:
        """A value written as it is (a short text, a number) made a cell aligned to the top of its row."""
        if value is None or isinstance(value, Cell):
            return value
        if isinstance(value, str):
            return self.text(value, self.top)
        return self.make(value, self.top)

    def text(self, text: str, style) -> Cell:
        """A cell of literal text, whatever it starts with. The text is clean already (clean_text), so
        it is stored as it is rather than through openpyxl's value setter, which would check it again
        and then guess its type."""
        cell = Cell(self.sheet, row=1, column=1, style_array=style)
        cell._value, cell.data_type = text, "s"
        return cell

    def header(self, value: Any, column: int = 0) -> Cell:
        if isinstance(value, str):
            text = clean_text(value)
            self.count_lines(text, column)
            cell = self.text(text, self.bold)
            if isinstance(value, Described):
                cell.comment = Comment(clean_text(value.description), "Kartläggning", width=300, height=120)
            return cell
        return self.make(value, self.bold)

    def count_lines(self, text: str, column: int) -> None:
        """Note how many lines a wrapped text takes in its column (a width is about that many characters)."""
        width = self.widths.get(column, DEFAULT_WIDTH)
        self.lines = max(self.lines, sum(ceil(len(part) / width) or 1 for part in text.split("\n")))

    def percent(self, value: float) -> Cell:
        return self.make(value, self.share)


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


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text.translate(str.maketrans("åäöÅÄÖéü", "aaoAAOeu"))).strip("-")
