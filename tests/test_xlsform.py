"""Questionnaires as XLSForm spreadsheets: every type round-trips to the same version, a workbook made
in KoboToolbox/ODK conventions loads with a warning for each thing left out, broken ones are refused
with sheet and row named, and the `questionnaire check/load/export` commands."""

import tomllib
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from helpers import DATA, ROOT
from survey.extensions import db
from survey.models import QuestionnaireVersion
from survey.questions.definition import content_hash, parse
from survey.questions.languages import localized
from survey.questions.toml_text import dumps
from survey.questions.types import TYPES
from survey.questions.xlsform import SOURCE, write_workbook
from survey.questions.xlsform_reading import read_workbook

SOURCES = [*sorted((ROOT / "questionnaires").glob("*.toml")), DATA / "every_type.toml", DATA / "translated.toml"]
EVERY_TYPE = (DATA / "every_type.toml").read_text(encoding="utf-8")
SETTINGS = [("form_title", "form_id", "version"), ("Test", "test", "1")]


def workbook(survey, choices=(("list_name", "name", "label"),), settings=SETTINGS) -> bytes:
    """A workbook as a person makes one: the sheets' rows as given, header first."""
    book = Workbook()
    book.active.title = "survey"
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book[title] if title in book.sheetnames else book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def without_carried_text(data: bytes) -> bytes:
    book = load_workbook(BytesIO(data))
    del book[SOURCE]
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def edited(data: bytes, sheet: str, cell: str, value) -> bytes:
    book = load_workbook(BytesIO(data))
    book[sheet][cell] = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_a_questionnaire_written_as_a_spreadsheet_loads_as_the_same_version(app, path):
    source = path.read_text(encoding="utf-8")
    with app.app_context():
        reading = read_workbook(write_workbook(source), "q.xlsx")
    assert (reading.problems, reading.warnings) == ([], [])
    assert content_hash(reading.source) == content_hash(source)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_the_visible_sheets_alone_say_the_whole_questionnaire(app, path):
    source = path.read_text(encoding="utf-8")
    with app.app_context():
        reading = read_workbook(without_carried_text(write_workbook(source)), "q.xlsx")
        assert (reading.problems, reading.warnings) == ([], [])
        assert parse(reading.source) == parse(source)
        # Text written from the sheets is written again the same: one spreadsheet, one version.
        assert read_workbook(without_carried_text(write_workbook(reading.source)), "q.xlsx").source == reading.source


def test_every_question_type_is_in_the_round_trip():
    definition = parse(EVERY_TYPE)
    used = {q.type for s in definition.sections for top in s.questions for q in (top, *top.fields)}
    assert used == set(TYPES)
    assert any(q.option_set is None for g in definition.groups for q in g.fields if q.options)


def test_the_survey_sheet_uses_xlsform_types_and_our_extensions(app):
    with app.app_context():
        sheet = load_workbook(BytesIO(write_workbook(EVERY_TYPE)))["survey"]
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[1]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if not row[0].startswith("end ")
    }
    assert rows["grund"]["type"] == "begin group"
    assert (rows["namn"]["type"], rows["namn"]["required"], rows["namn"]["max_length"]) == ("text", "yes", 200)
    assert (rows["uppdrag"]["type"], rows["uppdrag"]["appearance"]) == ("text", "multiline")
    assert (rows["anstallda"]["type"], rows["anstallda"]["min"], rows["anstallda"]["unit"]) == ("integer", 0, "st")
    assert (rows["andel"]["type"], rows["andel"]["max"]) == ("percent", 100)
    assert rows["huvudomrade"]["type"] == "select_one omraden"
    assert rows["omraden"]["type"] == "select_multiple omraden"
    assert (rows["samverkan_betyg"]["type"], rows["samverkan_betyg"]["parameters"]) == ("range", "start=1 end=5 step=1")
    assert rows["samverkan_betyg"]["min_label"] == "Inte alls"
    assert (rows["rutin"]["type"], rows["utbildad"]["type"]) == ("yes_partly_no", "date")
    assert (rows["goda_exempel"]["type"], rows["goda_exempel"]["entry_label"]) == ("begin repeat", "Gott exempel")


def test_a_change_in_the_sheet_is_a_new_text_and_says_so(app):
    with app.app_context():
        data = write_workbook(EVERY_TYPE)
        survey = load_workbook(BytesIO(data))["survey"]
        row = next(r[0].row for r in survey.iter_rows(min_row=2) if r[1].value == "namn")
        reading = read_workbook(edited(data, "survey", f"C{row}", "Vem svarar?"), "q.xlsx")
    assert reading.problems == []
    assert parse(reading.source).question("namn").label == "Vem svarar?"
    assert reading.warnings == [
        'q.xlsx: sheet "survey": the questionnaire was changed in the spreadsheet: stored as new TOML text '
        "(comments and layout of the file it was exported from are not kept)"
    ]


def test_text_that_looks_like_a_formula_stays_text(app):
    source = EVERY_TYPE.replace('label = "Vem fyller i?"', 'label = "=SUMMA(A1)"')
    with app.app_context():
        reading = read_workbook(without_carried_text(write_workbook(source)), "q.xlsx")
    assert parse(reading.source).question("namn").label == "=SUMMA(A1)"


KOBO_SURVEY = [
    ("type", "name", "label", "label::English (en)", "hint", "required", "relevant", "constraint", "appearance"),
    ("start", "start", None, None, None, None, None, None, None),
    ("today", "today", None, None, None, None, None, None, None),
    ("begin_group", "verksamheten", "Om verksamheten", "About the unit", "Allmänt", None, None, None, "field-list"),
    ("text", "namn", "Verksamhetens namn", "Name of the unit", None, "true", None, None, None),
    ("integer", "anstallda", "Antal anställda", "Staff", None, None, None, ". >= 0 and . <= 5000", None),
    ("select_one ja_nej", "rutin", "Finns en rutin?", "Is there a routine?", None, "yes", None, None, None),
    ("select_multiple omraden", "omraden", "Våldsområden", "Areas", None, None, "${rutin} = 'ja'", None, None),
    ("note", "info", "Tack!", "Thanks!", None, None, None, None, None),
    ("end_group", None, None, None, None, None, None, None, None),
    ("begin group", "exempel", "Goda exempel", "Good practice", None, None, None, None, None),
    ("begin repeat", "goda_exempel", "Gott exempel", "Example", None, None, None, None, None),
    ("text", "rubrik", "Rubrik", "Title", None, None, None, "string-length(.) <= 80", None),
    ("text", "beskrivning", "Beskrivning", "Description", None, None, None, None, "multiline"),
    ("select_one ja_nej", "spridd", "Har det spridits?", "Shared?", None, None, None, None, None),
    ("end repeat", None, None, None, None, None, None, None, None),
    ("end group", None, None, None, None, None, None, None, None),
    ("geopoint", "plats", "Var?", "Where?", None, None, None, None, None),
]
KOBO_CHOICES = [
    ("list_name", "name", "label", "label::English (en)"),
    ("ja_nej", "ja", "Ja", "Yes"),
    ("ja_nej", "nej", "Nej", "No"),
    ("omraden", "nara", "Våld i nära relationer", "Domestic violence"),
    ("omraden", "heder", "Hedersrelaterat våld", "Honour-based violence"),
]
KOBO_SETTINGS = [("form_title", "form_id", "version", "default_language"), ("Kartläggning", "kobo-form", "2", "sv")]


def test_a_workbook_in_kobo_and_odk_conventions_loads_with_what_is_left_out_named(app):
    with app.app_context():
        reading = read_workbook(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS), "kobo.xlsx")
    assert reading.problems == []
    definition = parse(reading.source)
    assert [s.key for s in definition.sections] == ["verksamheten", "exempel"]
    assert [(q.key, q.type) for q in definition.sections[0].questions] == [
        ("namn", "short_text"),
        ("anstallda", "number"),
        ("rutin", "single_choice"),
        ("omraden", "multiple_choice"),
    ]
    namn, anstallda = definition.question("namn"), definition.question("anstallda")
    assert (namn.required, anstallda.integer, anstallda.min, anstallda.max) == (True, True, 0, 5000)
    assert definition.question("omraden").option_set == "omraden"
    [group] = definition.groups
    assert (group.entry_label, [f.type for f in group.fields]) == (
        "Gott exempel",
        ["short_text", "long_text", "single_choice"],
    )
    assert definition.question("rubrik").max_length == 80
    english = localized(definition, "en")
    assert (english.sections[1].title, english.question("goda_exempel").label) == ("Good practice", "Example")
    assert [o.label for o in english.question("omraden").options] == ["Domestic violence", "Honour-based violence"]
    assert english.question("namn").label == "Name of the unit"
    assert reading.warnings == [
        'kobo.xlsx: sheet "survey", column G (relevant): conditions on when a question shows are not carried over: '
        "every question is always shown (row 8)",
        'kobo.xlsx: sheet "survey", row 2, column A (type): start: metadata a phone records, not a question; '
        "the row is left out",
        'kobo.xlsx: sheet "survey", row 3, column A (type): today: metadata a phone records, not a question; '
        "the row is left out",
        "kobo.xlsx: sheet \"survey\", row 4, column I (appearance): appearance 'field-list' is not carried over",
        'kobo.xlsx: sheet "survey", row 9, column A (type): note: a note asks nothing '
        "(a section's hint can hold its text); the row is left out",
        'kobo.xlsx: sheet "survey", row 12, column entry_label (not in the sheet): no entry_label: '
        "each entry is called 'Gott exempel'",
        'kobo.xlsx: sheet "survey", row 18, column A (type): geopoint: a type with no counterpart in our '
        "questionnaires; the row is left out",
    ]


def test_labels_are_read_from_the_default_language_when_every_label_column_is_translated(app):
    survey = [
        ("type", "name", "label::English (en)", "label::Svenska (sv)", "hint::Svenska (sv)"),
        ("begin group", "s", "Section", "Avsnitt", "Om avsnittet"),
        ("text", "a", "Name", "Namn", "Hela namnet"),
        ("end group", None, None, None, None),
    ]
    with app.app_context():
        reading = read_workbook(workbook(survey, settings=KOBO_SETTINGS), "kobo.xlsx")
    assert reading.problems == []
    definition = parse(reading.source)
    assert (definition.sections[0].title, definition.question("a").label) == ("Avsnitt", "Namn")
    assert definition.question("a").help == "Hela namnet"
    assert reading.warnings[0] == (
        'kobo.xlsx: sheet "survey": there is no column label: labels are read from label::Svenska (sv)'
    )


HEADER = ("type", "name", "label")
GOOD = [
    HEADER,
    ("begin group", "s", "S"),
    ("text", "a", "A"),
    ("select_one ja_nej", "b", "B"),
    ("end group", "s", None),
]
CHOICES = [("list_name", "name", "label"), ("ja_nej", "ja", "Ja"), ("ja_nej", "nej", "Nej")]


def test_the_small_form_the_broken_ones_are_made_from_loads(app):
    with app.app_context():
        reading = read_workbook(workbook(GOOD, CHOICES), "x.xlsx")
    assert (reading.problems, reading.warnings) == ([], [])
    assert parse(reading.source).question("b").options[1].label == "Nej"


@pytest.mark.parametrize(
    "survey, choices, settings, problem",
    [
        (
            [*GOOD[:2], ("txt", "a", "A"), *GOOD[3:]],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 3, column A (type): unknown type 'txt'",
        ),
        (
            [*GOOD[:3], ("select_multiple finns_inte", "b", "B"), *GOOD[4:]],
            CHOICES,
            SETTINGS,
            'sheet "survey", row 4, column A (type): choice list \'finns_inte\' does not exist in sheet "choices"',
        ),
        (
            [*GOOD, ("begin repeat", "r", "R"), ("text", "c", "C")],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 6: begin repeat 'r' is never closed (no end repeat)",
        ),
        (
            [*GOOD[:2], ("begin repeat", "r", "R"), ("text", "c", "C"), ("end group", "s", None)],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 5, column A (type): end group where begin repeat 'r' of row 3 is still open "
            "(end repeat is missing)",
        ),
        (
            [*GOOD[:4], ("decimal", "a", "A igen"), *GOOD[4:]],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 5, column B (name): name 'a' is used twice (first on row 3)",
        ),
        (
            GOOD,
            [*CHOICES, ("ja_nej", "ja", "Ja igen")],
            SETTINGS,
            "sheet \"choices\", row 4, column B (name): choice 'ja' is in list 'ja_nej' twice (first on row 2)",
        ),
        (
            GOOD,
            [CHOICES[0], ("ja_nej", 1, "Ja"), CHOICES[2]],
            SETTINGS,
            "sheet \"choices\", row 2, column B (name): choice name '1' must be lower-case letters, digits and _, "
            "beginning with a letter",
        ),
        (
            GOOD,
            CHOICES[:2],
            SETTINGS,
            'sheet "survey", row 4, column B (name): choice question needs at least two options',
        ),
        (
            [*GOOD[:2], ("text", "Fråga 1", "A"), *GOOD[3:]],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 3, column B (name): name 'Fråga 1' must be lower-case letters, digits and _, "
            "beginning with a letter",
        ),
        (
            [(*HEADER, "unit"), *GOOD[1:2], ("text", "a", "A", "st"), *GOOD[3:]],
            CHOICES,
            SETTINGS,
            'sheet "survey", row 3, column D (unit): does not apply to a question of type short_text',
        ),
        (
            [(*HEADER, "parameters"), *GOOD[1:2], ("range", "a", "A", "start=1 end=5 step=0.5"), *GOOD[3:]],
            CHOICES,
            SETTINGS,
            "sheet \"survey\", row 3, column D (parameters): 'start=1 end=5 step=0.5': a range here needs "
            "whole-number start and end and step=1",
        ),
        (
            GOOD,
            CHOICES,
            [SETTINGS[0], ("Test", "test_form", "1")],
            "sheet \"settings\", row 2: id 'test_form' must match [a-z][a-z0-9-]*",
        ),
        (
            GOOD,
            CHOICES,
            [SETTINGS[0], ("Test", "test", None)],
            'sheet "settings", row 2, column C (version): version is empty',
        ),
        (GOOD, CHOICES, [SETTINGS[0]], 'no sheet "settings" with form_title, form_id and version'),
    ],
    ids=[
        "unknown type",
        "missing list",
        "repeat never closed",
        "repeat closed by end group",
        "duplicate name",
        "duplicate choice",
        "numeric choice names",
        "one option",
        "name not a key",
        "column not for the type",
        "range step",
        "form id",
        "no version",
        "no settings",
    ],
)
def test_a_broken_spreadsheet_is_refused_naming_sheet_and_row(app, survey, choices, settings, problem):
    with app.app_context():
        reading = read_workbook(workbook(survey, choices, settings), "x.xlsx")
    assert reading.problems == [f"x.xlsx: {problem}"]
    assert reading.source == ""


def test_a_file_that_is_no_workbook_is_refused_in_one_sentence(app):
    with app.app_context():
        reading = read_workbook(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert reading.problems == ["x.xlsx: not a readable .xlsx workbook (save it again as .xlsx from Excel)"]


def test_a_workbook_past_the_upload_limits_is_refused_before_it_is_parsed(app):
    wide = [HEADER, tuple(f"c{n}" for n in range(400))]
    with app.app_context():
        [problem] = read_workbook(workbook(wide, CHOICES), "x.xlsx").problems
    assert problem.startswith("x.xlsx: ") and "300" in problem


AWKWARD_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@given(st.dictionaries(st.text(max_size=8), AWKWARD_TEXT | st.integers() | st.booleans(), max_size=4), AWKWARD_TEXT)
def test_toml_text_reads_back_as_the_data_it_was_written_from(table, intro):
    data = {"questionnaire": {**table, "intro": intro}, "sections": [{"key": "s", "questions": [table]}]}
    assert tomllib.loads(dumps(data)) == data


# the commands


def stored(app, source: str) -> tuple[int, str]:
    with app.app_context():
        version = QuestionnaireVersion.from_source(source)
        db.session.commit()
        return version.id, version.content_hash


def test_export_then_load_gives_the_stored_version_again(app, runner, tmp_path: Path):
    version_id, digest = stored(app, EVERY_TYPE)
    out = tmp_path / "every.xlsx"
    result = runner.invoke(args=["questionnaire", "export", "every-type@1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"every-type 1 written to {out}\n"
    result = runner.invoke(args=["questionnaire", "load", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"every-type 1 (id {version_id}, sha256 {digest[:12]})\n"
    result = runner.invoke(args=["questionnaire", "check", str(out)])
    assert (result.exit_code, result.output) == (0, "1 file(s) valid.\n")


def test_export_as_toml_writes_the_stored_text(app, runner, tmp_path: Path):
    stored(app, EVERY_TYPE)
    out = tmp_path / "every.txt"
    result = runner.invoke(args=["questionnaire", "export", "every-type@1", "-o", str(out), "--format", "toml"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == EVERY_TYPE


def test_export_without_a_file_name_writes_into_the_export_folder(app, runner):
    result = runner.invoke(args=["questionnaire", "export", str(DATA / "every_type.toml")])
    assert result.exit_code == 0, result.output
    written = Path(app.config["EXPORT_DIR"]) / "every-type-1.xlsx"
    with app.app_context():
        assert read_workbook(written.read_bytes(), "x").source == EVERY_TYPE


def test_export_of_an_unknown_version_fails_with_a_message(runner):
    result = runner.invoke(args=["questionnaire", "export", "every-type@9"])
    assert result.exit_code == 1
    assert "every-type@9: no such file, and no stored version" in result.output
    assert "Traceback" not in result.output


def test_check_prints_warnings_and_passes_a_kobo_workbook(runner, tmp_path: Path):
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    result = runner.invoke(args=["questionnaire", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert f'warning: {path}: sheet "survey", column G (relevant): conditions' in result.output
    assert result.output.endswith("1 file(s) valid.\n")


def test_check_and_load_refuse_a_broken_workbook_naming_the_row(runner, tmp_path: Path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(workbook([*GOOD[:2], ("txt", "a", "A"), *GOOD[3:]], CHOICES))
    for command in ("check", "load"):
        result = runner.invoke(args=["questionnaire", command, str(path)])
        assert result.exit_code == 1
        assert result.output == f"{path}: sheet \"survey\", row 3, column A (type): unknown type 'txt'\n"


def test_load_refuses_a_changed_spreadsheet_that_keeps_the_stored_version_label(app, runner, tmp_path: Path):
    stored(app, EVERY_TYPE)
    with app.app_context():
        data = write_workbook(EVERY_TYPE)
    path = tmp_path / "changed.xlsx"
    path.write_bytes(edited(data, "survey", "C3", "Vem svarar?"))
    result = runner.invoke(args=["questionnaire", "load", str(path)])
    assert result.exit_code == 1
    assert f"{path}: version '1' is already stored with different content; give this file a new version label" in (
        result.output
    )


def test_what_a_form_says_under_conditions_is_named_and_left_out(app):
    survey = [
        (*HEADER, "required", "constraint"),
        ("begin group", "s", "S", None, None),
        ("select_one ja_nej or_other", "a", "A", "${b} = 'ja'", None),
        ("decimal", "b", "B", None, ". > ${a}"),
        ("end group", "s", None, None, None),
    ]
    book = load_workbook(BytesIO(workbook(survey, [*CHOICES, ("oanvand", "x", "X"), ("oanvand", "y", "Y")])))
    book.create_sheet("anteckningar")["A1"] = "egna noteringar"
    out = BytesIO()
    book.save(out)
    with app.app_context():
        reading = read_workbook(out.getvalue(), "x.xlsx")
    assert reading.problems == []
    definition = parse(reading.source)
    assert (definition.question("a").required, definition.question("b").min) == (False, None)
    assert reading.warnings == [
        'x.xlsx: sheet "anteckningar": is not part of XLSForm and is ignored',
        'x.xlsx: sheet "survey", row 3, column D (required): required only when "${b} = \'ja\'" is not carried '
        "over: the question is optional",
        "x.xlsx: sheet \"survey\", row 3, column A (type): or_other is not carried over: no 'other' option is added",
        "x.xlsx: sheet \"survey\", row 4, column E (constraint): constraint '. > ${a}' is not carried over",
        "x.xlsx: sheet \"choices\", row 4, column A (list_name): list 'oanvand' is used by no question",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "Vem\\u0001 fyller i?",
            "a text holds a control character no spreadsheet can hold; export it with --format toml",
        ),
        ("x" * 33_000, "the spreadsheet would not load as the same version"),
    ],
    ids=["control character", "longer than a cell"],
)
def test_export_refuses_a_spreadsheet_that_would_not_load_as_the_same_version(runner, tmp_path: Path, text, message):
    path = tmp_path / "odd.toml"
    path.write_text(EVERY_TYPE.replace('label = "Vem fyller i?"', f'label = "{text}"'), encoding="utf-8")
    out = tmp_path / "odd.xlsx"
    result = runner.invoke(args=["questionnaire", "export", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"every-type 1: {message}")
    assert not out.exists()
