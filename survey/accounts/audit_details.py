"""An audit event's details in words: names instead of ids, labels instead of internal keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.extensions import db
from survey.models import Assignment, AuditEvent, Role, Round, RoundState, Unit, User

# What each key of AuditEvent.details means; a key missing here is shown with its underscores as spaces.
DETAIL_LABELS = {
    "activity": _l("Aktivitet"),
    "added_entry": _l("Lade till"),
    "address": _l("Adress"),
    "answers": _l("Svar"),
    "areas": _l("Utvecklingsområden"),
    "changes": _l("Ändringar"),
    "closes_on": _l("Sista svarsdag"),
    "confirmed": _l("Bekräftade svar"),
    "conflicts": _l("Krockar med samtidig ändring"),
    "count": _l("Antal"),
    "days_before": _l("Dagar före sista svarsdag"),
    "email": _l("E-post"),
    "follows_up": _l("Följer upp"),
    "from": _l("Från"),
    "indicator": _l("Indikator"),
    "items": _l("Poster"),
    "keys": _l("Ändrade frågor"),
    "kind": _l("Slag"),
    "messages": _l("Meddelanden"),
    "name": _l("Namn"),
    "reauthentication": _l("Ny inloggning krävdes"),
    "recently_reminded": _l("Hoppades över (påminda eller inbjudna nyss)"),
    "removed_entry": _l("Tog bort"),
    "require_totp": _l("Kräv tvåstegsverifiering"),
    "role": _l("Roll"),
    "scope": _l("Del av organisationen"),
    "second_factor": _l("Tvåstegsverifiering"),
    "section": _l("Avsnitt"),
    "submitted": _l("Inskickade"),
    "to": _l("Till"),
    "unit": _l("Enhet"),
    "units": _l("Verksamheter"),
    "units_added": _l("Verksamheter tillagda"),
    "user": _l("Konto"),
}


class Names:
    """The rounds, assignments, units and accounts a page of events names, each looked up once."""

    def __init__(self, events: list[AuditEvent]):
        unit_ids = set()
        for event in events:
            for key in ("unit", "scope"):
                value = (event.details or {}).get(key)
                unit_ids |= {v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)}
        assignment_ids = {e.assignment_id for e in events if e.assignment_id}
        self.assignments = by_id(Assignment, assignment_ids)
        round_ids = {e.round_id for e in events if e.round_id} | {
            e.details["follows_up"] for e in events if isinstance((e.details or {}).get("follows_up"), int)
        }
        self.rounds = by_id(Round, round_ids)
        self.units = by_id(Unit, unit_ids | {a.unit_id for a in self.assignments.values()})
        user_ids = {e.details["user"] for e in events if isinstance((e.details or {}).get("user"), int)}
        self.users = by_id(User, user_ids)

    def round(self, round_id: int | None) -> str:
        found = self.rounds.get(round_id) if round_id else None
        return found.name if found else _("omgång %(id)s (borttagen)", id=round_id)

    def unit(self, unit_id: Any) -> str:
        found = self.units.get(unit_id) if isinstance(unit_id, int) else None
        return found.name if found else str(unit_id)


def by_id(model, ids: Iterable[int]) -> dict[int, Any]:
    ids = set(ids)
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}


def describe(events: list[AuditEvent]) -> dict[int, list[tuple[str, str]]]:
    """(label, text) pairs for each event: which round and unit it concerns, then its details."""
    names = Names(events)
    return {event.id: list(event_lines(event, names)) for event in events}


def event_lines(event: AuditEvent, names: Names) -> Iterable[tuple[str, str]]:
    assignment = names.assignments.get(event.assignment_id) if event.assignment_id else None
    if event.round_id:
        yield str(_l("Omgång")), names.round(event.round_id)
    if assignment is not None:
        yield str(_l("Verksamhet")), names.unit(assignment.unit_id)
    for key, value in (event.details or {}).items():
        if value in (None, [], {}, ""):
            continue
        label = str(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()))
        yield label, value_text(key, value, event, assignment, names)


def value_text(key: str, value: Any, event: AuditEvent, assignment: Assignment | None, names: Names) -> str:
    definition = assignment.definition if assignment is not None else None
    if key in ("unit", "scope"):
        return ", ".join(names.unit(v) for v in (value if isinstance(value, list) else [value]))
    if key == "user" and isinstance(value, int):
        user = names.users.get(value)
        return user.email if user else str(value)
    if key == "role" and value in {r.value for r in Role}:
        return str(Role(value).label)
    if key in ("from", "to") and event.action == "round_state_changed" and value in {s.value for s in RoundState}:
        return str(RoundState(value).label)
    if key == "follows_up" and isinstance(value, int):
        return names.round(value)
    if key in ("keys", "conflicts", "confirmed") and isinstance(value, list) and definition is not None:
        return ", ".join(question_label(definition, k) for k in value)
    if key in ("added_entry", "removed_entry") and isinstance(value, list) and len(value) == 2 and definition:
        group = definition.question(str(value[0]))
        return f"{group.entry_label or group.label} {value[1]}" if group is not None else f"{value[0]} {value[1]}"
    if key == "section" and definition is not None:
        section = next((s for s in definition.sections if s.key == value), None)
        return section.title if section else str(value)
    return plain(value)


def question_label(definition, key: Any) -> str:
    question = definition.question(str(key))
    return question.label if question is not None else str(key)


def plain(value: Any) -> str:
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')}: {plain(v)}" for k, v in value.items())
    return str(value)
