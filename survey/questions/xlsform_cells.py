"""What the cells of an XLSForm workbook mean: yes and no, numbers, a range's parameters, simple
constraints, which column holds the labels, and what an ODK form has that we leave out (and why)."""

from __future__ import annotations

import re
from typing import Any

from survey.questions.xlsform_sheets import Report, Table, text

YES, NO = {"yes", "true", "true()", "1"}, {"no", "false", "false()", "0"}

METADATA = "metadata a phone records, not a question"
NO_COUNTERPART = "a type with no counterpart in our questionnaires"
SKIPPED_TYPES = {
    **dict.fromkeys(
        ["start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email"], METADATA
    ),
    **dict.fromkeys(["audit", "start-geopoint", "background-geopoint", "background-audio"], METADATA),
    "calculate": "a calculated value, not a question",
    "hidden": "a hidden value, not a question",
    "note": "a note asks nothing (a section's hint can hold its text)",
    **dict.fromkeys(
        ["time", "datetime", "geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "barcode"],
        NO_COUNTERPART,
    ),
    **dict.fromkeys(
        ["acknowledge", "rank", "trigger", "select_one_from_file", "select_multiple_from_file"], NO_COUNTERPART
    ),
    **dict.fromkeys(["xml-external", "csv-external", "select_one_external"], NO_COUNTERPART),
}
IGNORED_BECAUSE = {
    "relevant": "conditions on when a question shows are not carried over: every question is always shown",
    "calculation": "calculations are not carried over",
    "constraint_message": "constraint messages are not carried over: the tool's own messages are shown",
    "required_message": "required messages are not carried over: the tool's own messages are shown",
    "default": "default answers are not carried over",
    "choice_filter": "choice filters are not carried over: every choice is offered",
    "repeat_count": "repeat counts are not carried over: a respondent adds as many entries as needed",
    "read_only": "read-only questions are not carried over",
}
TRANSLATION = "translations of this column are not carried over"
UNNAMED_LANGUAGE = "the language has no code: name it as in label::English (en)"
TRANSLATION_COLUMN_RE = re.compile(r"^(?P<column>[a-z_]+)::\s*(?P<name>.*?)\s*(?:\((?P<code>[a-z]{2,3})\))?$")


def yes_or_no(value: str) -> bool | None:
    word = value.strip().lower()
    return True if word in YES else False if word in NO else None


def cell_value(value: Any, kind: str, place, report: Report) -> Any:
    """An extension column's cell as the TOML value its attribute takes: "bool", "int", "number" or "text"."""
    if kind == "text":
        return text(value)
    if kind == "bool":
        answer = yes_or_no(text(value))
        if answer is None:
            report.problem(place, f"{text(value)!r} must be yes or no")
        return bool(answer)
    number = as_number(value)
    if number is None or (kind == "int" and not isinstance(number, int)):
        report.problem(place, f"{text(value)!r} must be a {'whole number' if kind == 'int' else 'number'}")
        return 0
    return number


def as_number(value: Any) -> int | float | None:
    """A cell's number: whole numbers as int (a min of 1 reads as 1, not 1.0), text that is a number too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else float(value)
    try:
        number = float(text(value).strip().replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def text_columns(table: Table, report: Report, language: str = "") -> tuple[str, str]:
    """The columns the labels and hints are read from: label and hint, or in a form with only translated
    columns (label::Svenska (sv), …) the settings' default language, Swedish, or the first there is."""
    if table.has("label"):
        return "label", "hint"
    translated = [name for name in table.columns if name.startswith("label::")]
    if not translated:
        return "label", "hint"
    wanted = [language.lower(), "(sv)", "svenska", "swedish"]
    label = next((name for w in wanted if w for name in translated if w in name), translated[0])
    suffix = label.removeprefix("label")
    report.warning(
        f'sheet "{table.title}"',
        f"there is no column label: labels are read from {table.headers[table.columns[label]]}",
    )
    return label, "hint" + suffix


def translation_columns(table: Table, texts: dict[str, str], base: set[str]) -> dict[str, tuple[str, str]]:
    """The columns that translate a text (label::English (en), hint::العربية (ar)) into another language than
    the one read as the base, each as (the TOML text it translates, the language's code): ``texts`` maps a
    column (label, hint, …) to its text in TOML (label, title, help, …). A language named without its
    code is known by its name in English or in itself."""
    from survey.questions.languages import NAMES, XLSFORM_NAMES  # languages imports definition: import late

    by_name = {name.lower(): code for names in (NAMES, XLSFORM_NAMES) for code, name in names.items()}
    found = {}
    for column in table.columns:
        match = TRANSLATION_COLUMN_RE.match(column)
        if column in base or not match or match["column"] not in texts:
            continue
        code = match["code"] or by_name.get(match["name"].lower())
        if code and code != "sv":
            found[column] = (texts[match["column"]], code)
    return found


def translations(table: Table, row: tuple[Any, ...], columns: dict[str, tuple[str, str]]) -> dict[str, str]:
    """A row's translations as TOML keys: {"label_en": "…"}; an empty cell is no translation."""
    return {
        f"{text}_{code}": table.text(row, column)
        for column, (text, code) in columns.items()
        if table.text(row, column).strip()
    }


def ignored_columns(table: Table, known: set[str], report: Report) -> None:
    """One warning for each column we do not read that holds anything, naming its rows."""
    for name, index in table.columns.items():
        rows = table.filled(name)
        if name in known or not rows:
            continue
        translation = TRANSLATION_COLUMN_RE.match(name)
        if translation:
            reason = TRANSLATION if translation["code"] else UNNAMED_LANGUAGE
        else:
            reason = IGNORED_BECAUSE.get(name, "the column is not carried over")
        shown = ", ".join(map(str, rows[:5])) + (", …" if len(rows) > 5 else "")
        where = f'sheet "{table.title}", column {table.place(rows[0], name).letter} ({table.headers[index]})'
        report.warning(where, f"{reason} (row{'s' if len(rows) > 1 else ''} {shown})")


def parse_parameters(parameters: str, place, report: Report) -> dict[str, int]:
    """A range's start and end (XLSForm's defaults 0 and 10); a scale goes up one at a time."""
    given = dict(re.findall(r"([a-z]+)\s*=\s*([^\s;,]+)", parameters.lower()))
    values = {name: as_number(given.get(name, default)) for name, default in (("start", 0), ("end", 10), ("step", 1))}
    if not all(isinstance(v, int) for v in values.values()) or values["step"] != 1:
        report.problem(place, f"{parameters!r}: a range here needs whole-number start and end and step=1")
        return {}
    return {"min": int(values["start"] or 0), "max": int(values["end"] or 0)}


LIMIT_RE = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")
LENGTH_RE = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")


def parse_constraint(constraint: str, attributes: frozenset[str]) -> dict[str, Any] | None:
    """The limits in a simple constraint (". >= 0 and . <= 100", "string-length(.) <= 200"), or None when
    it says anything else: only limits the question's type has are carried over."""
    limits: dict[str, Any] = {}
    for part in re.split(r"\s+and\s+", constraint.strip()):
        if (match := LIMIT_RE.match(part)) and {"min", "max"} <= attributes:
            limits["min" if match[1] == ">=" else "max"] = as_number(match[2])
        elif (match := LENGTH_RE.match(part)) and "max_length" in attributes:
            limits["max_length"] = int(match[1])
        else:
            return None
    return limits
