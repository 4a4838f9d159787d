"""Importing the action plan's items from .xlsx or .csv: one workflow for the import page and `plan import`.

The file is read as the register's is (survey.register.imports.read_table: measured before parsing, first
sheet, at most MAX_ROWS rows), one item a row. `preview()` gives the plan (nothing written) with errors naming
their row; `import_plan()` writes a plan without errors; the caller commits once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from survey.extensions import db
from survey.models import IndicatorDirection, PlanActivity, PlanIndicator, Unit, audit
from survey.plan.forms import FIRST_YEAR, LAST_YEAR, NAME_LENGTH
from survey.register.imports import RegisterFileError, filled_rows, find_columns, read_table

ACTIVITY, INDICATOR = "aktivitet", "indikator"
COLUMNS = {  # our column → the headings accepted for it (compared case-insensitively)
    "kind": ("typ", "kind"),
    "name": ("namn", "name"),
    "goal": ("delmål", "delmal", "goal"),
    "unit": ("ansvarig", "ansvarig enhet", "responsible", "unit"),
    "start_year": ("från år", "fran ar", "från", "start"),
    "end_year": ("till år", "till ar", "till", "end"),
    "measure": ("måttenhet", "mattenhet", "enhet", "measure"),
    "target": ("målvärde", "malvarde", "mål", "target"),
    "direction": ("riktning", "direction"),
    "activity": ("aktivitet", "activity"),
}
HEADINGS = ("Typ", "Namn", "Delmål", "Ansvarig", "Från år", "Till år", "Måttenhet", "Målvärde", "Riktning", "Aktivitet")
KIND_WORDS = {"aktivitet": ACTIVITY, "activity": ACTIVITY, "indikator": INDICATOR, "indicator": INDICATOR}
DIRECTION_WORDS = {
    "": IndicatorDirection.HIGHER,
    "högre": IndicatorDirection.HIGHER,
    "högre är bättre": IndicatorDirection.HIGHER,
    "higher": IndicatorDirection.HIGHER,
    "lägre": IndicatorDirection.LOWER,
    "lägre är bättre": IndicatorDirection.LOWER,
    "lower": IndicatorDirection.LOWER,
}


@dataclass
class PlanRow:
    number: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Item:
    """One row of the file as it will be written: an activity or an indicator, new or replacing ``existing``."""

    kind: str
    number: int
    name: str
    unit: Unit
    fields: dict  # the model's attributes other than name and unit (activity: by its name, resolved on apply)
    existing: PlanActivity | PlanIndicator | None = None
    activity_name: str = ""

    @property
    def changes(self) -> bool:
        if self.existing is None:
            return True
        return any(getattr(self.existing, key) != value for key, value in self.fields.items()) or (
            self.kind == INDICATOR and self.activity_name.casefold() != self._existing_activity_name()
        )

    def _existing_activity_name(self) -> str:
        activity = getattr(self.existing, "activity", None)
        return activity.name.casefold() if activity is not None else ""


@dataclass
class ImportPlan:
    create: list[Item] = field(default_factory=list)
    change: list[Item] = field(default_factory=list)
    unchanged: list[Item] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_plan_rows(filename: str, data: bytes) -> list[PlanRow]:
    """The rows of an uploaded plan file; raises RegisterFileError with a Swedish message for a bad file."""
    table = read_table(filename, data)
    return [PlanRow(number, values) for number, values in filled_rows(table, map_columns(table[0]))]


def map_columns(header: list) -> dict[str, int]:
    """Our column names → their positions; raises RegisterFileError on unknown or missing columns."""
    found = find_columns(header, COLUMNS, HEADINGS)
    expected = ", ".join(HEADINGS)
    missing = [
        heading for heading, name in (("Typ", "kind"), ("Namn", "name"), ("Ansvarig", "unit")) if name not in found
    ]
    if missing:
        raise RegisterFileError(
            _(
                "Kolumnerna %(missing)s saknas. Använd kolumnerna %(expected)s.",
                missing=", ".join(missing),
                expected=expected,
            )
        )
    return found


def number(text: str) -> float | None:
    """A number typed the Swedish way or the English way, with or without a per cent sign; None if it is not one."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").removesuffix("%")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return float(value) if value.is_finite() and (not value or abs(value.adjusted()) <= 30) else None


def year(text: str) -> int | None | str:
    """A year, None for an empty cell, or "bad"."""
    if not text:
        return None
    value = number(text)
    if value is None or value != int(value) or not FIRST_YEAR <= value <= LAST_YEAR:
        return "bad"
    return int(value)


def preview(filename: str, data: bytes, visible: set[int] | None = None) -> ImportPlan:
    """What importing the file would create and change, or its row-numbered errors; nothing is written.

    ``visible``: the units of the importer's scope (access.visible_unit_ids; None: every unit); a responsible unit
    outside it is an error, and so is an existing item there. Raises RegisterFileError for an unreadable file."""
    return make_plan(read_plan_rows(filename, data), visible)


def make_plan(rows: list[PlanRow], visible: set[int] | None = None) -> ImportPlan:
    plan = ImportPlan()
    units: dict[str, list[Unit]] = {}
    for known in db.session.scalars(select(Unit).where(Unit.is_active.is_(True))):
        units.setdefault(known.name.casefold(), []).append(known)
    activities = {(a.name.casefold(), a.unit_id): a for a in db.session.scalars(select(PlanActivity))}
    indicators = {(i.name.casefold(), i.unit_id): i for i in db.session.scalars(select(PlanIndicator))}
    activity_names = {a.name.casefold() for a in activities.values() if visible is None or a.unit_id in visible}
    activity_names |= {row["name"].casefold() for row in rows if KIND_WORDS.get(row["kind"].casefold()) == ACTIVITY}
    seen: dict[tuple[str, str, int], int] = {}
    for row in rows:
        errors = []
        kind = KIND_WORDS.get(row["kind"].casefold())
        if kind is None:
            errors.append(_("Okänd typ ”%(kind)s”. Skriv aktivitet eller indikator.", kind=row["kind"]))
        name = row["name"]
        if not name:
            errors.append(_("Namnet saknas."))
        elif len(name) > NAME_LENGTH:
            errors.append(_("Namnet är längre än %(max)s tecken.", max=NAME_LENGTH))
        unit: Unit | None = None
        found = units.get(row["unit"].casefold(), [])
        if not row["unit"]:
            errors.append(_("Ansvarig enhet saknas."))
        elif not found:
            errors.append(_("Den ansvariga enheten ”%(unit)s” finns inte i registret.", unit=row["unit"]))
        elif len(found) > 1:
            errors.append(_("Det finns flera enheter som heter %(unit)s i registret.", unit=row["unit"]))
        elif visible is not None and found[0].id not in visible:
            errors.append(_("%(unit)s ligger utanför din del av organisationen.", unit=row["unit"]))
        else:
            unit = found[0]
        fields: dict = {}
        if kind == ACTIVITY:
            start, end = year(row["start_year"]), year(row["end_year"])
            if "bad" in (start, end):
                errors.append(
                    _("Skriv åren som fyrsiffriga tal mellan %(min)s och %(max)s.", min=FIRST_YEAR, max=LAST_YEAR)
                )
            elif isinstance(start, int) and isinstance(end, int) and end < start:
                errors.append(_("Slutåret kan inte ligga före startåret."))
            fields = {"goal": row["goal"], "start_year": start, "end_year": end, "is_active": True}
        elif kind == INDICATOR:
            measure = row["measure"]
            target = number(row["target"]) if row["target"] else None
            direction = DIRECTION_WORDS.get(row["direction"].casefold())
            if not measure:
                errors.append(_("Måttenhet saknas. Skriv %(sign)s för en andel eller till exempel antal.", sign="%"))
            elif len(measure) > 40:
                errors.append(_("Måttenheten är längre än 40 tecken."))
            if row["target"] and target is None:
                errors.append(_("Målvärdet ”%(target)s” är inget tal.", target=row["target"]))
            elif target is not None and measure == "%" and not 0 <= target <= 100:
                errors.append(_("En andel i procent ligger mellan 0 och 100."))
            if direction is None:
                errors.append(_("Okänd riktning ”%(direction)s”. Skriv högre eller lägre.", direction=row["direction"]))
            if row["activity"] and row["activity"].casefold() not in activity_names:
                errors.append(
                    _("Aktiviteten ”%(activity)s” finns inte i filen eller planen.", activity=row["activity"])
                )
            fields = {"measure": measure, "target": target, "direction": direction, "is_active": True}
        if unit is not None and kind is not None and name:
            key = (kind, name.casefold(), unit.id)
            if key in seen:
                errors.append(_("Samma namn och ansvariga enhet finns redan på rad %(row)s.", row=seen[key]))
            seen.setdefault(key, row.number)
        plan.errors.extend((row.number, message) for message in errors)
        if errors or unit is None or kind is None:
            continue
        existing = (activities if kind == ACTIVITY else indicators).get((name.casefold(), unit.id))
        item = Item(kind, row.number, name, unit, fields, existing, row["activity"] if kind == INDICATOR else "")
        (plan.change if existing is not None and item.changes else plan.unchanged if existing else plan.create).append(
            item
        )
    plan.errors.sort()
    return plan


def import_plan(plan: ImportPlan, *, actor: str, user_id: int | None = None) -> dict[str, int]:
    """Write a plan without errors and audit it; the caller commits. Returns the counts it reports.

    Activities first, so an indicator finds the activity it names (in the file, else the one already kept)."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    written = [item for item in plan.create + plan.change]
    by_name: dict[str, PlanActivity] = {a.name.casefold(): a for a in db.session.scalars(select(PlanActivity))}
    for item in sorted(written, key=lambda i: i.kind != ACTIVITY):
        target = item.existing or (PlanActivity() if item.kind == ACTIVITY else PlanIndicator())
        target.name, target.unit_id = item.name, item.unit.id
        for key, value in item.fields.items():
            setattr(target, key, value)
        if item.existing is None:
            db.session.add(target)
        if isinstance(target, PlanActivity):
            by_name[item.name.casefold()] = target
        elif isinstance(target, PlanIndicator):
            activity = by_name.get(item.activity_name.casefold()) if item.activity_name else None
            target.activity = activity
    counts = {"created": len(plan.create), "changed": len(plan.change), "unchanged": len(plan.unchanged)}
    audit("plan_imported", actor, user_id=user_id, details=counts)
    return counts


def template_workbook() -> bytes:
    """The plan template: the columns, an activity and an indicator of it, drop-downs for Typ and Riktning."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Handlingsplan"
    sheet.append(list(HEADINGS))
    sheet.append(
        [
            "aktivitet",
            "Utbildning om våld i nära relationer",
            "Ökad kunskap hos medarbetare",
            "Socialtjänsten",
            2025,
            2027,
            "",
            "",
            "",
            "",
        ]
    )
    sheet.append(
        [
            "indikator",
            "Andel medarbetare som deltagit i utbildning",
            "",
            "Socialtjänsten",
            "",
            "",
            "%",
            80,
            "högre",
            "Utbildning om våld i nära relationer",
        ]
    )
    kinds = DataValidation(type="list", formula1='"aktivitet,indikator"', allow_blank=False)
    directions = DataValidation(type="list", formula1='"högre,lägre"', allow_blank=True)
    for rule, cells in ((kinds, "A2:A5000"), (directions, "I2:I5000")):
        sheet.add_data_validation(rule)
        rule.add(cells)
    for column, width in zip("ABCDEFGHIJ", (14, 44, 36, 30, 10, 10, 12, 12, 12, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
