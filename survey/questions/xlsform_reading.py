"""Reading an XLSForm workbook (ours, or one made in KoboToolbox or ODK) into questionnaire TOML text.

The sheets become the data a TOML file would hold and then TOML text (toml_text.py), which
definition.parse() validates like any file: one set of rules, one content hash, and the stored
source of a version is always TOML. What an ODK form has and we do not (conditions, calculations,
other question types) is left out, each with a warning naming its place; what is
wrong (an unknown type, a list that does not exist, a repeat never closed, a name used twice)
refuses the file with its sheet, row and column. See xlsform.py for the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey.questions.definition import GROUP_FIELD_KEYS, KEY_RE, TEXTS, QuestionnaireError, parse
from survey.questions.toml_text import dumps
from survey.questions.types import TYPES
from survey.questions.xlsform import (
    CHOICES,
    MULTILINE,
    SETTINGS,
    SETTINGS_COLUMNS,
    SOURCE,
    STANDARD_TYPES,
    SURVEY,
    SURVEY_COLUMNS,
    attribute_columns,
    attribute_kind,
    carried_lines,
)
from survey.questions.xlsform_cells import (
    SKIPPED_TYPES,
    cell_value,
    ignored_columns,
    parse_constraint,
    parse_parameters,
    text_columns,
    translation_columns,
    translations,
    yes_or_no,
)
from survey.questions.xlsform_sheets import Place, Report, Table, read_tables

# XLSForm's types that are ours too, and what they become; our extension types are read by their own names.
FROM_XLSFORM = {"text": "short_text", "integer": "number", "decimal": "number", "date": "date", "range": "scale"}
EXTENSION_TYPES = frozenset(TYPES) - set(STANDARD_TYPES) - {"group"}
SELECTS = {"select_one": "single_choice", "select_multiple": "multiple_choice"}


@dataclass
class Reading:
    """The TOML text read from a workbook ("" when refused), what refused it, and what was not carried over."""

    source: str
    problems: list[str]
    warnings: list[str]


def read_workbook(data: bytes, name: str) -> Reading:
    report = Report(name)
    tables = read_tables(data, report)
    if tables is None:
        return Reading("", report.problems, report.warnings)
    reader = FormReader(tables, report)
    raw = reader.read()
    if report.problems:
        return Reading("", report.problems, report.warnings)
    source = dumps(raw)
    try:
        definition = parse(source, name=name)
    except QuestionnaireError as exc:
        report.problems += [reader.located(problem) for problem in exc.problems]
        return Reading("", report.problems, report.warnings)
    return Reading(reader.carried_source(definition) or source, report.problems, report.warnings)


@dataclass
class Block:
    """An open begin group or begin repeat, and what its rows go into."""

    kind: str  # "group" or "repeat"
    row: int
    name: str
    into: list[dict[str, Any]] = field(default_factory=list)


class FormReader:
    def __init__(self, tables: dict[str, Table], report: Report):
        self.tables, self.report = tables, report
        self.places: dict[str, Place] = {}
        self.sections: list[dict[str, Any]] = []
        self.blocks: list[Block] = []
        self.lists: dict[str, list[dict[str, str]]] = {}
        self.owners: dict[str, set[str]] = {}  # list name → what its rows say in column "question"
        self.users: dict[str, list[dict[str, Any]]] = {}  # list name → the questions that use it
        self.title = self.language = ""
        self.loose: dict[str, Any] | None = None  # the section questions outside any group go into
        self.hint = "hint"
        self.translated: dict[str, tuple[str, str]] = {}  # the survey sheet's translation columns

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def read(self) -> dict[str, Any]:
        for title in self.tables:
            if title not in (SURVEY, CHOICES, SETTINGS, SOURCE):
                self.report.warning(f'sheet "{self.tables[title].title}"', "is not part of XLSForm and is ignored")
        meta = self.read_settings()
        self.read_choices()
        survey = self.table(SURVEY)
        if survey is None:
            self.report.problem("", 'no sheet named "survey" (one row per question)')
            return {}
        self.read_survey(survey)
        return {"questionnaire": meta, "option_sets": self.option_sets(), "sections": self.sections}

    # settings

    def read_settings(self) -> dict[str, Any]:
        table = self.table(SETTINGS)
        if table is None or not table.rows:
            self.report.problem("", 'no sheet "settings" with form_title, form_id and version')
            return {}
        number, row = table.rows[0]
        self.places["[questionnaire]"] = table.place(number)
        meta: dict[str, Any] = {}
        for column, key in (("form_id", "id"), ("form_title", "title"), ("version", "version")):
            meta[key] = table.word(row, column) if key != "title" else table.text(row, column)
            if not meta[key]:
                self.report.problem(table.place(number, column), f"{column} is empty")
        if intro := table.text(row, "intro"):
            meta["intro"] = intro
        translated = translation_columns(table, {"form_title": "title", "intro": "intro"}, set())
        meta.update(translations(table, row, translated))
        if table.text(row, "estimated_minutes").strip():
            place = table.place(number, "estimated_minutes")
            meta["estimated_minutes"] = cell_value(table.value(row, "estimated_minutes"), "int", place, self.report)
        # The language whose labels are read when a form has only translated label columns.
        self.language = table.word(row, "default_language")
        ignored_columns(table, {*SETTINGS_COLUMNS, "default_language", *translated}, self.report)
        self.title = meta["title"]
        return meta

    # choices

    def read_choices(self) -> None:
        table = self.table(CHOICES)
        if table is None:
            return
        list_column = "list_name" if table.has("list_name") else "list name"
        label, _hint = text_columns(table, self.report, self.language)
        translated = translation_columns(table, {"label": "label"}, {label})
        seen: dict[tuple[str, str], int] = {}
        for number, row in table.rows:
            list_name, code = table.word(row, list_column), table.word(row, "name")
            if not list_name:
                self.report.problem(
                    table.place(number, list_column), "the choice belongs to no list (list_name is empty)"
                )
                continue
            self.lists.setdefault(list_name, [])  # a list with a bad choice still exists: one problem, not two
            if not KEY_RE.match(code):
                self.report.problem(
                    table.place(number, "name"),
                    f"choice name {code!r} must be lower-case letters, digits and _, beginning with a letter",
                )
                continue
            if (list_name, code) in seen:
                self.report.problem(
                    table.place(number, "name"),
                    f"choice {code!r} is in list {list_name!r} twice (first on row {seen[list_name, code]})",
                )
                continue
            seen[list_name, code] = number
            self.places.setdefault(f"option set {list_name}", table.place(number, list_column))
            self.lists[list_name].append(
                {"code": code, "label": table.text(row, label), **translations(table, row, translated)}
            )
            self.owners.setdefault(list_name, set()).add(table.word(row, "question"))
        ignored_columns(table, {list_column, "name", label, "question", *translated}, self.report)

    def option_sets(self) -> dict[str, list[dict[str, str]]]:
        """Every list is a shared option set, except one whose rows name (column "question") the one
        question it belongs to: those become that question's own options."""
        sets = {}
        for name, options in self.lists.items():
            if not options:
                continue  # every row of the list was refused already
            users, owners, place = self.users.get(name, []), self.owners[name], self.places[f"option set {name}"]
            if not users:
                self.report.warning(place, f"list {name!r} is used by no question")
            elif owners == {""}:
                sets[name] = options
            elif len(owners) == 1 and [user["key"] for user in users] == list(owners):
                users[0]["options"] = options
            else:
                self.report.problem(
                    place,
                    f"list {name!r}: column question must name, on every row, the one question that uses the list "
                    f"({', '.join(user['key'] for user in users)}), or be empty for a shared list",
                )
        return sets

    # survey

    def read_survey(self, table: Table) -> None:
        label, self.hint = text_columns(table, self.report, self.language)
        texts = {
            "label": "label",
            "hint": "help",
            **{name: name for name in TEXTS["question"] if name in attribute_columns()},
        }
        self.translated = translation_columns(table, texts, {label, self.hint})
        known = {*SURVEY_COLUMNS, *attribute_columns(), "constraint", label, self.hint, *self.translated}
        ignored_columns(table, known, self.report)
        for number, row in table.rows:
            kind = table.word(row, "type").lower().replace("begin_", "begin ").replace("end_", "end ")
            if not kind:
                self.report.problem(table.place(number, "type"), "the row has no type")
            elif kind in ("begin group", "begin repeat"):
                self.begin(table, number, row, kind.split()[1], label)
            elif kind in ("end group", "end repeat"):
                self.end(table, number, kind.split()[1])
            else:
                self.question_row(table, number, row, kind, label)
        for block in self.blocks:
            self.report.problem(
                Place(table.title, block.row),
                f"begin {block.kind} {block.name!r} is never closed (no end {block.kind})",
            )

    def begin(self, table: Table, number: int, row: tuple, kind: str, label: str) -> None:
        name = self.name(table, number, row)
        if kind == "repeat":
            if any(block.kind == "repeat" for block in self.blocks):
                self.report.problem(table.place(number, "type"), "a repeat inside a repeat cannot be carried over")
            group = self.question(table, number, row, "group", label)
            if not group.get("entry_label"):
                group["entry_label"] = group.get("label", "")
                self.report.warning(
                    table.place(number, "entry_label"), f"no entry_label: each entry is called {group['entry_label']!r}"
                )
            self.container(table, number).append(group)
            self.blocks.append(Block("repeat", number, name, group.setdefault("fields", [])))
        elif self.blocks:
            self.report.warning(
                table.place(number, "type"),
                f"group {name!r} inside another group or a repeat is not carried over as such: its questions join the one around it",
            )
            self.blocks.append(Block("group", number, name, self.blocks[-1].into))
        else:
            if appearance := table.word(row, "appearance"):
                self.report.warning(table.place(number, "appearance"), f"appearance {appearance!r} is not carried over")
            questions: list[dict[str, Any]] = []
            title, hint = table.text(row, label), table.text(row, self.hint)
            section = {"key": name, "title": title, "help": hint}
            for text, value in translations(table, row, self.translated).items():
                section[text.replace("label_", "title_", 1)] = value  # a group's label is its section's title
            self.sections.append({**section, "questions": questions})
            self.places[f"section {name}"] = table.place(number, "name")
            self.blocks.append(Block("group", number, name, questions))

    def end(self, table: Table, number: int, kind: str) -> None:
        if not self.blocks:
            self.report.problem(table.place(number, "type"), f"end {kind} without a begin {kind} before it")
        elif self.blocks[-1].kind != kind:
            block = self.blocks.pop()
            self.report.problem(
                table.place(number, "type"),
                f"end {kind} where begin {block.kind} {block.name!r} of row {block.row} is still open (end {block.kind} is missing)",
            )
            if self.blocks and self.blocks[-1].kind == kind:
                self.blocks.pop()  # the end meant the block around the unclosed one: one problem, not two
        else:
            self.blocks.pop()

    def container(self, table: Table, number: int) -> list[dict[str, Any]]:
        """Where a question goes: the open group or repeat, or a section of its own for questions outside any
        group (an ODK form need not have groups; our questionnaires are in sections)."""
        if self.blocks:
            return self.blocks[-1].into
        if self.loose is None or self.loose is not self.sections[-1]:
            key = f"avsnitt_{len(self.sections) + 1}"
            self.report.warning(
                table.place(number),
                f"questions outside any group are put in a section of their own ({key!r}) from here",
            )
            self.places[f"section {key}"] = table.place(number)
            self.loose = {"key": key, "title": self.title or "Frågor", "questions": []}
            self.sections.append(self.loose)
        return self.loose["questions"]

    def name(self, table: Table, number: int, row: tuple) -> str:
        name = table.word(row, "name")
        if not KEY_RE.match(name):
            self.report.problem(
                table.place(number, "name"),
                f"name {name!r} must be lower-case letters, digits and _, beginning with a letter",
            )
        return name

    def question_row(self, table: Table, number: int, row: tuple, kind: str, label: str) -> None:
        base, *rest = kind.split()
        if base in SKIPPED_TYPES:
            self.report.warning(table.place(number, "type"), f"{base}: {SKIPPED_TYPES[base]}; the row is left out")
            return
        ours = SELECTS.get(base) or FROM_XLSFORM.get(base) or (base if base in EXTENSION_TYPES else None)
        if ours is None:
            hint = f" (write {STANDARD_TYPES[base]!r})" if base in STANDARD_TYPES else ""
            self.report.problem(table.place(number, "type"), f"unknown type {base!r}{hint}")
            return
        self.name(table, number, row)
        question = self.question(table, number, row, ours, label)
        if base == "integer":
            question["integer"] = True
        if base in SELECTS:
            self.select(table, number, question, rest)
        self.container(table, number).append(question)

    def select(self, table: Table, number: int, question: dict[str, Any], rest: list[str]) -> None:
        if not rest:
            self.report.problem(table.place(number, "type"), "names no choice list (write e.g. 'select_one yes_no')")
            return
        list_name = rest[0]
        if rest[1:] == ["or_other"]:
            self.report.warning(table.place(number, "type"), "or_other is not carried over: no 'other' option is added")
        elif rest[1:]:
            self.report.problem(table.place(number, "type"), f"unexpected {' '.join(rest[1:])!r} after the list name")
        if list_name not in self.lists:
            self.report.problem(
                table.place(number, "type"), f'choice list {list_name!r} does not exist in sheet "choices"'
            )
            return
        question["options"] = list_name
        self.users.setdefault(list_name, []).append(question)

    def question(self, table: Table, number: int, row: tuple, ours: str, label: str) -> dict[str, Any]:
        key = table.word(row, "name")
        if key in self.places:
            first = self.places[key]
            self.report.problem(table.place(number, "name"), f"name {key!r} is used twice (first on row {first.row})")
        else:
            self.places[key] = table.place(number, "name")
        question: dict[str, Any] = {"key": key, "type": ours, "label": table.text(row, label)}
        if hint := table.text(row, self.hint):
            question["help"] = hint
        question.update(translations(table, row, self.translated))
        if required := table.text(row, "required").strip():
            question["required"] = yes_or_no(required) is True
            if yes_or_no(required) is None:
                self.report.warning(
                    table.place(number, "required"),
                    f"required only when {required!r} is not carried over: the question is optional",
                )
        appearance = table.word(row, "appearance")
        if ours == "short_text" and appearance == MULTILINE:
            question["type"] = "long_text"
        elif appearance:
            self.report.warning(table.place(number, "appearance"), f"appearance {appearance!r} is not carried over")
        self.attributes(table, number, row, question)
        return question

    def attributes(self, table: Table, number: int, row: tuple, question: dict[str, Any]) -> None:
        kind = TYPES[question["type"]]
        for column in attribute_columns():
            if not table.text(row, column).strip():
                continue
            if column not in kind.attributes | GROUP_FIELD_KEYS or (
                question["type"] == "scale" and column in ("min", "max")
            ):
                where = "parameters" if question["type"] == "scale" and column in ("min", "max") else ""
                self.report.problem(
                    table.place(number, column),
                    f"does not apply to a question of type {question['type']}" + (f" (give {where})" if where else ""),
                )
                continue
            value = table.value(row, column)
            question[column] = cell_value(value, attribute_kind(column), table.place(number, column), self.report)
        if question["type"] == "scale":
            question.update(
                parse_parameters(table.text(row, "parameters"), table.place(number, "parameters"), self.report)
            )
            for end, value in (("min_label", question.get("min")), ("max_label", question.get("max"))):
                if end not in question and value is not None:
                    question[end] = str(value)
                    self.report.warning(table.place(number, end), f"no {end}: the end is labelled {value}")
        if constraint := table.text(row, "constraint").strip():
            limits = parse_constraint(constraint, kind.attributes)
            if limits is None or any(name in question for name in limits):
                self.report.warning(table.place(number, "constraint"), f"constraint {constraint!r} is not carried over")
            else:
                question.update(limits)

    # results

    def located(self, problem: str) -> str:
        """A problem definition.parse() found, at the sheet and row it comes from rather than a TOML table."""
        prefix = f"{self.report.name}: "
        where, _colon, message = problem.removeprefix(prefix).partition(": ")
        place = self.places.get(where)
        return f"{prefix}{place}: {message}" if place and message else problem

    def carried_source(self, definition) -> str | None:
        """The TOML text a workbook written here carries, when the sheets still say the same."""
        lines = carried_lines(self.table(SOURCE))
        if lines is None:
            return None
        try:
            carried = parse("\n".join(lines), name=self.report.name)
        except QuestionnaireError:
            return None
        if carried != definition:
            self.report.warning(
                f'sheet "{SURVEY}"',
                "the questionnaire was changed in the spreadsheet: stored as new TOML text "
                "(comments and layout of the file it was exported from are not kept)",
            )
            return None
        return "\n".join(lines)
