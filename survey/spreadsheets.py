"""Uploaded spreadsheets come from other departments: their size is checked before openpyxl parses them.

An .xlsx file is a zip of XML parts. A few hundred kilobytes can unpack to gigabytes (empty rows by
the million, one enormous cell, a row of millions of cells, millions of shared strings), and
openpyxl would build all of it in memory before any row limit of ours applied. So the parts are
measured first, streaming, and the file is refused with a message naming the limit as soon as one
is passed — in well under a second and a few megabytes, whatever the file claims.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from xml.etree.ElementTree import ParseError

from flask_babel import format_decimal
from flask_babel import gettext as _
from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException

# What openpyxl raises for a file that is no workbook, a damaged one, or XML with tricks in it.
UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    OSError,
    TypeError,
    ParseError,
    etree.XMLSyntaxError,
    IndexError,
    AttributeError,
)

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def damaged_message() -> str:
    return _("Filen är skadad och kan inte läsas. Spara den på nytt som .xlsx och försök igen.")


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int = 40 * 1024 * 1024  # all parts together, unpacked
    parts: int = 400  # files inside the zip
    rows: int = 10_000  # per sheet
    cells_per_row: int = 300
    cells: int = 100_000  # in the whole workbook (openpyxl keeps each as an object)
    cell_characters: int = 32_767  # Excel's own limit for one cell
    shared_strings: int = 100_000


class SpreadsheetRefused(Exception):
    """The file is larger than we read, or is no spreadsheet; the message is for the user."""


def check_spreadsheet(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse a file whose unpacked parts pass ``limits``; a file that is no zip is left to the reader."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not an .xlsx at all: the caller's reader says so in its own words
    with archive:
        members = archive.infolist()
        if len(members) > limits.parts:
            refuse(_("Filen innehåller fler än %(n)s delar.", n=format_decimal(limits.parts)))
        if sum(member.file_size for member in members) > limits.unpacked_bytes:
            refuse(_("Filen är större än %(mb)s MB när den packas upp.", mb=limits.unpacked_bytes // (1024 * 1024)))
        for member in members:
            if declares_a_doctype(archive, member):
                refuse_as_damaged()
        count_cells_and_strings(archive, members, limits)
        cells = 0
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                cells += measure_sheet(archive, member, limits, limits.cells - cells)
            elif name == "xl/sharedStrings.xml":
                measure_shared_strings(archive, member, limits)


def refuse(message: str) -> None:
    raise SpreadsheetRefused(message + " " + _("Spara bara det som hör till svaren eller registret och försök igen."))


def count_cells_and_strings(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """A quick first count of cells and shared strings by their tags in the raw bytes, so a file with far
    too many is refused before the slower element-by-element reading below."""
    cells = 0
    for member in members:
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            cells += count_tags(archive, member, (b"<c ", b"<c>"))
            if cells > limits.cells:
                refuse(_("Filen har fler än %(n)s ifyllda celler.", n=format_decimal(limits.cells)))
        elif member.filename == "xl/sharedStrings.xml" and (
            count_tags(archive, member, (b"<si>", b"<si ")) > limits.shared_strings
        ):
            refuse(_("Filen har fler än %(n)s olika texter.", n=format_decimal(limits.shared_strings)))


def count_tags(archive: zipfile.ZipFile, member: zipfile.ZipInfo, tags: tuple[bytes, ...]) -> int:
    count, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                count += sum(text.count(tag) for tag in tags)
                tail = text[-3:]  # a tag cut at the chunk's end is counted with the next chunk
                count -= sum(tail.count(tag) for tag in tags)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        refuse_as_damaged()
    return count


def declares_a_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Spreadsheet XML never declares a DTD; one that does is carrying entity tricks."""
    if not member.filename.endswith((".xml", ".rels", ".vml")):
        return False
    try:
        with archive.open(member) as stream:
            prolog = stream.read(4096)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        refuse_as_damaged()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def refuse_as_damaged() -> None:
    raise SpreadsheetRefused(damaged_message())


def elements(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *tags: str):
    """Stream the part's elements named ``tags`` as they end; each is dropped once read, so memory stays
    flat however long the part. No entities, no DTD, no network."""
    try:
        with archive.open(member) as stream:
            parser = etree.iterparse(
                stream,
                events=("end",),
                tag=[MAIN_NS + tag for tag in tags],
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            )
            for _event, element in parser:
                yield element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        refuse_as_damaged()


def measure_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, cells_left: int) -> int:
    """Count a sheet's rows and cells against the limits as they stream by; returns its number of cells."""
    rows = cells = in_row = 0
    for element in elements(archive, member, "c", "row"):
        if element.tag == MAIN_NS + "row":
            rows, in_row = rows + 1, 0
            if rows > limits.rows:
                refuse(_("Ett blad har fler än %(n)s rader.", n=format_decimal(limits.rows)))
            continue
        cells, in_row = cells + 1, in_row + 1
        if in_row > limits.cells_per_row:
            refuse(_("En rad har fler än %(n)s celler.", n=format_decimal(limits.cells_per_row)))
        if cells > cells_left:
            refuse(_("Filen har fler än %(n)s ifyllda celler.", n=format_decimal(limits.cells)))
        if sum(len(text) for text in element.itertext()) > limits.cell_characters:
            refuse(_("En cell har fler än %(n)s tecken.", n=format_decimal(limits.cell_characters)))
    return cells


def measure_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    for count, item in enumerate(elements(archive, member, "si"), start=1):
        if count > limits.shared_strings:
            refuse(_("Filen har fler än %(n)s olika texter.", n=format_decimal(limits.shared_strings)))
        if sum(len(text) for text in item.itertext()) > limits.cell_characters:
            refuse(_("En cell har fler än %(n)s tecken.", n=format_decimal(limits.cell_characters)))
