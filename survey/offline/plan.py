"""From cells to answers through the very section forms of the web pages: what an import would
change, or every error with its sheet and cell; then applying it in one transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from survey.models import SINGLE, Assignment
from survey.offline.reader import CHECK_WORDS, UNCHECK_WORDS, Cell, FileEntry, OfflineFile
from survey.offline.template import Key
from survey.questions.definition import Question, Section
from survey.questions.forms import field_name, field_name_of, section_form_class, valid_values


@dataclass
class Change:
    section: str
    question: str
    entry: str  # "Gott exempel 2", or "" outside groups
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
    if assignment.is_submitted:
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
        return _(
            "Filen är mallen för ”%(unit)s”, inte för ”%(this)s” i den här omgången.",
            unit=found.meta.get("unit", "?"),
            this=assignment.unit.name,
        )
    if found.meta.get("questionnaire_hash") != assignment.round.questionnaire_version.content_hash:
        return _("Filen hör till en annan version av frågeformuläret. Ladda ner en ny mall.")
    return None


def section_answers(
    section: Section, plain: list[Question], cells: dict[str, Cell], plan: ImportPlan
) -> dict[Key, Any]:
    """The section's plain questions, validated by the section form. A question whose row is gone is left as it is."""
    present = [q for q in plain if q.key in cells or any(k.startswith(q.key + ":") for k in cells)]
    formdata: MultiDict[str, str] = MultiDict()
    refs: dict[str, str] = {}
    for question in present:
        refs[question.key] = add_form_value(formdata, question, question.key, cells, question.key, plan)
    return validated(section, {}, formdata, refs, plan)


def group_answers(
    section: Section, group: Question, rows: list[FileEntry], existing: list[int], plan: ImportPlan
) -> dict[Key, Any]:
    """Each row an entry: a row that was there keeps its number; a new row gets the next free one."""
    entries: list[int] = []
    formdata: MultiDict[str, str] = MultiDict()
    refs: dict[str, str] = {}
    seen: set[int | None] = set()
    for row in rows:
        number = row.number
        index = (
            int(number)
            if isinstance(number, (int, float)) and math.isfinite(number) and int(number) == number
            else None
        )
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


def add_form_value(
    formdata: MultiDict, question: Question, name: str, cells: dict[str, Cell], key: str, plan: ImportPlan
) -> str:
    """Put a cell's value into the form data as the web form would post it; returns the cell for messages."""
    if question.kind.one_cell_per_option:
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
                plan.errors.append(
                    _(
                        "%(cell)s (%(label)s): skriv Ja eller lämna cellen tom, inte ”%(value)s”.",
                        cell=capitalised(refs[-1]),
                        label=option.label,
                        value=shorten(cell.value),
                    )
                )
        return refs[0] if refs else name
    cell = cells.get(key)
    if cell is None:
        return name
    text = "" if cell.value is None else question.kind.from_cell(question, cell.value, cell.percent)
    if text is None:
        plan.errors.append(
            _(
                "%(cell)s (%(label)s): ”%(value)s” är inget av alternativen. Välj bland: %(choices)s.",
                cell=capitalised(cell.ref),
                label=question.label,
                value=shorten(cell.value),
                choices=", ".join(o.label for o in question.choices),
            )
        )
    else:
        formdata.add(name, text)
    return cell.ref


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def shorten(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validated(
    section: Section, entries: dict[str, list[int]], formdata: MultiDict, refs: dict[str, str], plan: ImportPlan
) -> dict[Key, Any]:
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
    order: dict[str, tuple[int, int]] = {}  # key → (its top-level question's place, its own place)
    section_of: dict[str, str] = {}
    for section in definition.sections:
        for question in section.questions:
            section_of[question.key], top = section.title, len(order)
            for item in (question, *question.fields):
                order[item.key] = (top, len(order))
    first_new = (assignment.last_entry_index or SINGLE) + 1
    changes = []
    for (key, index), value in sorted(
        plan.to_save.items(), key=lambda item: (order[item[0][0]][0], item[0][1], order[item[0][0]][1])
    ):
        changed = definition.question(key)
        if changed is None or changed.is_group:
            continue
        group = definition.group_of(key) if index != SINGLE else None
        entry = ""
        if group:
            entry = f"{group.entry_label or group.label} {plan.entry_numbers[(group.key, index)]}" + (
                _(" (ny)") if index >= first_new else ""
            )
        section_title = section_of[group.key if group else key]
        changes.append(
            Change(section_title, changed.label, entry, shown(changed, stored.get((key, index))), shown(changed, value))
        )
    for group, index in plan.removed_entries:
        title = next((stored[(f.key, index)] for f in group.fields if stored.get((f.key, index))), "–")
        changes.append(
            Change(
                section_of[group.key],
                _("Tas bort"),
                f"{group.entry_label or group.label} {plan.entry_numbers[(group.key, index)]}",
                shorten(title, 80),
                "–",
            )
        )
    return changes


def shown(question: Question, value: Any) -> str:
    if value in (None, "", []):
        return "–"
    return shorten(question.as_text(value), 200)


def apply_import(assignment: Assignment, plan: ImportPlan) -> dict[str, int]:
    """Write a checked plan to the unit's answers (the caller commits: one transaction). Returns counts for the log."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    for group, index in plan.removed_entries:
        assignment.remove_entry(group, index)
    changed = assignment.save_values(plan.to_save)
    assignment.last_entry_index = max(assignment.last_entry_index or 0, plan.last_entry_index)
    added = sum(
        1
        for (key, _i), value in plan.to_save.items()
        if value is True and key in {g.key for g in assignment.definition.groups}
    )
    return {
        "answers_changed": len(plan.to_save),
        "questions": len(changed),
        "entries_added": added,
        "entries_removed": len(plan.removed_entries),
    }
