"""Reading a register of units and contact persons from .xlsx or .csv into a plan, and applying it.

The plan says what will be created, changed and left alone, with errors that
name their row; nothing is written while there is an error, and applying a
plan is one transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from survey.extensions import db
from survey.forms import without_control_characters
from survey.models import ContactPerson, Unit
from survey.spreadsheets import UNREADABLE, SpreadsheetRefused, check_spreadsheet

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = {  # our column → the headings accepted for it (compared case-insensitively)
    "unit": ("verksamhet", "enhet", "unit", "namn"),
    "parent": ("överordnad", "overordnad", "hör till", "parent"),
    "kind": ("typ", "kind"),
    "contact_name": ("kontaktperson", "kontakt", "contact name"),
    "contact_email": ("e-post", "epost", "e-postadress", "email", "e-mail", "contact e-mail"),
}
HEADINGS = ("Verksamhet", "Överordnad", "Typ", "Kontaktperson", "E-post")
KIND_WORDS = {
    "namnd": "namnd",
    "nämnd": "namnd",
    "forvaltning": "forvaltning",
    "förvaltning": "forvaltning",
    "verksamhet": "verksamhet",
    "enhet": "verksamhet",
    "bolag": "bolag",
    "kommunalt bolag": "bolag",
}


class RegisterFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, too big, wrong columns); the message is for the user."""


@dataclass
class Row:
    number: int
    unit: str
    parent: str
    kind: str
    contact_name: str
    contact_email: str


@dataclass
class Plan:
    create: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, parent name)
    change: list[tuple[str, str]] = field(default_factory=list)  # (name, what changes)
    unchanged: list[str] = field(default_factory=list)
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, name, email) to add
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(filename: str, data: bytes) -> list[Row]:
    """The rows of an uploaded register; raises RegisterFileError with a Swedish message for a bad file."""
    table = read_table(filename, data)
    return [
        Row(
            number,
            values.get("unit", ""),
            values.get("parent", ""),
            values.get("kind", ""),
            values.get("contact_name", ""),
            values.get("contact_email", ""),
        )
        for number, values in filled_rows(table, map_columns(table[0]))
    ]


def filled_rows(table: list[list], columns: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cleaned text per column name) of every row that is not empty, below the header; at most
    MAX_ROWS, else RegisterFileError. Shared by the register's and the action plan's imports."""
    count = 0
    for number, cells in enumerate(table[1:], start=2):
        values = {name: clean(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        if not any(values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise RegisterFileError(_("Filen har fler än %(max)s rader. Dela upp den.", max=MAX_ROWS))
        yield number, values


def read_table(filename: str, data: bytes) -> list[list]:
    """The cells of an uploaded .xlsx (its first sheet) or .csv, measured before parsing; header row first.

    Raises RegisterFileError with a Swedish message for a file too big, of another kind, unreadable or empty.
    Shared by every import of a spreadsheet the coordinator uploads (the register, the action plan)."""
    if len(data) > MAX_BYTES:
        raise RegisterFileError(
            _(
                "Filen är för stor (%(size)s kB). Högst %(max)s MB.",
                size=len(data) // 1024,
                max=MAX_BYTES // 1024 // 1024,
            )
        )
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = xlsx_table(data)
    elif lower.endswith(".csv"):
        table = csv_table(data)
    else:
        raise RegisterFileError(_("Filen måste vara ett Excel-ark (.xlsx) eller en CSV-fil (.csv)."))
    if not table:
        raise RegisterFileError(_("Filen är tom."))
    return table


def clean(value) -> str:
    return " ".join(without_control_characters(str(value)).split()) if value is not None else ""


def xlsx_table(data: bytes) -> list[list]:
    try:
        check_spreadsheet(data)
    except SpreadsheetRefused as exc:
        raise RegisterFileError(str(exc)) from None
    unreadable = _("Filen kunde inte läsas som ett Excel-ark (.xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE:
        raise RegisterFileError(unreadable) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the sheet's own <dimension> claim is not trusted
        # At most MAX_ROWS + 2 rows are read: enough to say the file has too many.
        return [list(row) for row in islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2)]
    except UNREADABLE:
        raise RegisterFileError(unreadable) from None
    finally:
        workbook.close()


def csv_table(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise RegisterFileError(_("Filen kunde inte läsas som en CSV-fil."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        raise RegisterFileError(
            _("Filen kunde inte läsas som en CSV-fil: ett fält är för långt eller citattecknen stämmer inte.")
        ) from None


def find_columns(header: list, columns: Mapping[str, Iterable[str]], headings: Iterable[str]) -> dict[str, int]:
    """A file's header → {our column name: its position}, each known by any of its ``columns`` words (any case);
    raises RegisterFileError naming the unknown or repeated headings and the ``headings`` to use instead."""
    found, unknown = {}, []
    for position, heading in enumerate(header):
        text = clean(heading).casefold()
        if not text:
            continue
        name = next((n for n, words in columns.items() if text in words), None)
        if name is None or name in found:
            unknown.append(clean(heading))
        else:
            found[name] = position
    if unknown:
        raise RegisterFileError(
            _(
                "Okända kolumner: %(unknown)s. Använd kolumnerna %(expected)s.",
                unknown=", ".join(unknown),
                expected=", ".join(headings),
            )
        )
    return found


def map_columns(header: list) -> dict[str, int]:
    """Our column names → their positions; raises RegisterFileError on unknown or missing columns."""
    found = find_columns(header, COLUMNS, HEADINGS)
    if "unit" not in found:
        raise RegisterFileError(
            _("Kolumnen Verksamhet saknas. Använd kolumnerna %(expected)s.", expected=", ".join(HEADINGS))
        )
    return found


def make_plan(rows: list[Row], visible: set[int] | None = None) -> Plan:
    """The plan of a register file; ``visible``: the ids of the units of an importer's scope (None: the whole tree)."""
    plan = Plan(rows=rows)
    existing = db.session.scalars(select(Unit)).all()
    by_name: dict[str, list[Unit]] = {}
    for unit in existing:
        by_name.setdefault(unit.name.casefold(), []).append(unit)

    # One definition per unit name in the file: its parent and kind.
    defined: dict[str, Row] = {}
    for row in rows:
        if not row.unit:
            plan.errors.append((row.number, _("Namnet på verksamheten saknas.")))
            continue
        if len(row.unit) > 200:
            plan.errors.append((row.number, _("Namnet är längre än 200 tecken.")))
            continue
        if row.kind and KIND_WORDS.get(row.kind.casefold()) is None:
            plan.errors.append(
                (
                    row.number,
                    _("Okänd typ ”%(kind)s”. Använd nämnd, förvaltning, verksamhet eller bolag.", kind=row.kind),
                )
            )
        if row.unit.casefold() == row.parent.casefold():
            plan.errors.append((row.number, _("%(unit)s kan inte höra till sig själv.", unit=row.unit)))
        first = defined.get(row.unit.casefold())
        if first is None:
            defined[row.unit.casefold()] = row
        elif first.parent.casefold() != row.parent.casefold() or (
            row.kind and first.kind and row.kind.casefold() != first.kind.casefold()
        ):
            plan.errors.append(
                (
                    row.number,
                    _(
                        "%(unit)s finns redan på rad %(row)s med en annan överordnad eller typ.",
                        unit=row.unit,
                        row=first.number,
                    ),
                )
            )
        if row.contact_email or row.contact_name:
            check_contact(row, plan)

    cyclic = in_cycles(defined)
    for key, row in defined.items():
        if row.parent and row.parent.casefold() not in defined and len(by_name.get(row.parent.casefold(), [])) != 1:
            same_name = by_name.get(row.parent.casefold(), [])
            places = ", ".join(sorted(u.parent.name if u.parent else _("översta nivån") for u in same_name))
            plan.errors.append(
                (
                    row.number,
                    (
                        _(
                            "Den överordnade ”%(parent)s” finns flera gånger i registret (under %(places)s). Ge dem olika namn i registret och läs in filen igen.",
                            parent=row.parent,
                            places=places,
                        )
                        if same_name
                        else _("Den överordnade ”%(parent)s” finns inte i registret eller filen.", parent=row.parent)
                    ),
                )
            )
        if key in cyclic:
            plan.errors.append((row.number, _("%(unit)s ingår i en slinga av överordnade.", unit=row.unit)))
        if len(by_name.get(key, [])) > 1:
            plan.errors.append(
                (row.number, _("Det finns flera enheter som heter %(unit)s i registret.", unit=row.unit))
            )
    if visible is not None:
        plan.errors.extend(outside_scope(defined, by_name, visible))
    if plan.errors:
        plan.errors.sort()
        return plan

    for key, row in defined.items():
        kind = KIND_WORDS.get(row.kind.casefold(), "") if row.kind else ""
        current = by_name.get(key, [None])[0]
        if current is None:
            plan.create.append((row.unit, kind or "verksamhet", row.parent))
            continue
        changes = []
        parent_name = current.parent.name if current.parent else ""
        if row.parent.casefold() != parent_name.casefold():
            changes.append(_("flyttas till %(parent)s", parent=row.parent or _("översta nivån")))
        if kind and kind != current.kind:
            changes.append(_("byter typ till %(kind)s", kind=kind))
        if not current.is_active:
            changes.append(_("aktiveras igen"))
        if changes:
            plan.change.append((current.name, ", ".join(changes)))
        else:
            plan.unchanged.append(current.name)
    known = {(c.unit.name.casefold(), c.email.casefold()) for u in existing for c in u.contacts}
    for row in rows:
        if row.contact_email and (row.unit.casefold(), row.contact_email.casefold()) not in known:
            known.add((row.unit.casefold(), row.contact_email.casefold()))
            plan.contacts.append((row.unit, row.contact_name, row.contact_email.lower()))
    return plan


def outside_scope(defined: dict[str, Row], by_name: dict[str, list[Unit]], visible: set[int]) -> list[tuple[int, str]]:
    """The rows a scoped importer may not write: a unit outside their part of the tree, or one placed
    outside it (a unit at the top of the scope may keep the parent it has)."""
    errors = []
    for key, row in defined.items():
        current = next(iter(by_name.get(key, [])), None)
        if current is not None and current.id not in visible:
            errors.append((row.number, _("%(unit)s ligger utanför din del av organisationen.", unit=row.unit)))
            continue
        parent_key = row.parent.casefold()
        if parent_key in defined:  # in the file too: its own row is checked
            continue
        parent = next(iter(by_name.get(parent_key, [])), None)
        keeps_parent = current is not None and current.parent_id == (parent.id if parent else None)
        if not keeps_parent and (parent is None or parent.id not in visible):
            errors.append(
                (
                    row.number,
                    _(
                        "%(unit)s kan bara ligga under en enhet i din del av organisationen, inte under ”%(parent)s”.",
                        unit=row.unit,
                        parent=row.parent or _("översta nivån"),
                    ),
                )
            )
    return errors


def check_contact(row: Row, plan: Plan) -> None:
    if not row.contact_email:
        plan.errors.append((row.number, _("E-postadress saknas för kontaktpersonen %(name)s.", name=row.contact_name)))
        return
    if not row.contact_name:
        plan.errors.append((row.number, _("Namn saknas för kontaktpersonen %(email)s.", email=row.contact_email)))
    try:
        validate_email(row.contact_email, check_deliverability=False)
    except EmailNotValidError:
        plan.errors.append((row.number, _("Ogiltig e-postadress: %(email)s.", email=row.contact_email)))


def in_cycles(defined: dict[str, Row]) -> set[str]:
    """The names that lie on a loop of parents, in one pass: each name is walked once, coloured
    by the walk that reached it, so a walk stops at the first name an earlier walk has seen."""
    walk_of: dict[str, int] = {}
    cyclic: set[str] = set()
    for walk, start in enumerate(defined):
        path, key = [], start
        while key in defined and key not in walk_of:
            walk_of[key] = walk
            path.append(key)
            key = defined[key].parent.casefold()
        if walk_of.get(key) == walk:  # this walk came back to itself: the loop is the path from key
            cyclic.update(path[path.index(key) :])
    return cyclic


def apply_plan(plan: Plan) -> dict[str, int]:
    """Write a plan without errors; the caller commits. Returns counts for the audit log."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    units = {u.name.casefold(): u for u in db.session.scalars(select(Unit))}
    for name, kind, _parent in plan.create:
        units[name.casefold()] = Unit(name=name, kind=kind)
        db.session.add(units[name.casefold()])
    # New units are inserted first and then tied to their parents by id: handing the unit of work
    # thousands of parent relationships within one table made a deep tree's commit quadratic.
    db.session.flush()
    defined = {row.unit.casefold(): row for row in plan.rows if row.unit}
    for key, row in defined.items():
        unit = units[key]
        unit.parent_id = units[row.parent.casefold()].id if row.parent else None
        if row.kind:
            unit.kind = KIND_WORDS[row.kind.casefold()]
        unit.is_active = True
    for unit_name, name, email in plan.contacts:
        db.session.add(ContactPerson(unit_id=units[unit_name.casefold()].id, name=name, email=email))
    return {"created": len(plan.create), "changed": len(plan.change), "contacts": len(plan.contacts)}


def template_workbook() -> bytes:
    """The register template: the five columns, two example rows, a drop-down for Typ."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(list(HEADINGS))
    sheet.append(["Individ- och familjenämnden", "", "nämnd", "", ""])
    sheet.append(["Socialtjänsten", "Individ- och familjenämnden", "förvaltning", "", ""])
    sheet.append(["Centrum mot våld", "Socialtjänsten", "verksamhet", "Anna Andersson", "anna.andersson@example.org"])
    kinds = DataValidation(type="list", formula1='"nämnd,förvaltning,verksamhet,bolag"', allow_blank=True)
    sheet.add_data_validation(kinds)
    kinds.add("C2:C5000")
    for column, width in zip("ABCDE", (40, 40, 16, 28, 34), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
