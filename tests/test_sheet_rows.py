"""The rows of each workbook sheet, computed from small hand-built units and answers: no database, no Excel."""

from datetime import UTC, datetime

from survey.exports.data import ExportOptions, UnitRow
from survey.exports.rows import (
    AreaChangeRows,
    ComparisonRows,
    GroupRows,
    QuestionCounts,
    ResponseRows,
    ViolenceMatrix,
    about_rows,
    codebook_rows,
    missing_rows,
    overview_rows,
    sheet_rows,
)
from survey.models import Assignment, ContactPerson, QuestionnaireVersion, Round, Unit
from survey.questions.definition import parse

SOURCE = """
[questionnaire]
id = "rader"
title = "Radtest"
version = "2"

[[option_sets.valdsomraden]]
code = "nara"
label = "Våld i nära relationer"

[[option_sets.valdsomraden]]
code = "heder"
label = "Hedersrelaterat våld"

[[sections]]
key = "grund"
title = "Grund"

[[sections.questions]]
key = "anstallda"
type = "number"
label = "Antal anställda"
integer = true

[[sections.questions]]
key = "rutin"
type = "yes_partly_no"
label = "Finns rutin?"
required = true

[[sections]]
key = "exempel"
title = "Exempel"

[[sections.questions]]
key = "goda_exempel"
type = "group"
label = "Goda exempel"
entry_label = "Gott exempel"

[[sections.questions.fields]]
key = "exempel_rubrik"
type = "short_text"
label = "Rubrik"

[[sections.questions.fields]]
key = "exempel_omraden"
type = "multiple_choice"
label = "Våldsområden"
options = "valdsomraden"
"""
# Last year's version: no question on staff, and a question on training that has since been dropped.
EARLIER_SOURCE = SOURCE.replace('version = "2"', 'version = "1"').replace(
    """key = "anstallda"
type = "number"
label = "Antal anställda"
integer = true""",
    """key = "utbildning"
type = "short_text"
label = "Vilken utbildning?\"""",
)
DEFINITION = parse(SOURCE)
SUBMITTED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
REMINDED = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)


def round_of(name: str, source: str) -> Round:
    definition = parse(source)
    version = QuestionnaireVersion(
        slug=definition.id, version=definition.version, title=definition.title, source=source
    )
    return Round(name=name, questionnaire_version=version)


ROUND = round_of("Kartläggning 2026", SOURCE)
EARLIER = round_of("Kartläggning 2025", EARLIER_SOURCE)


def unit_row(name: str, status: str = "submitted", namnd: str = "Socialnämnden", **assignment) -> UnitRow:
    return UnitRow(
        assignment=Assignment(round=ROUND, status=status, **assignment),
        namnd=namnd,
        unit=Unit(name=name, kind="verksamhet"),
        contacts=[ContactPerson(name=f"Kontakt {name}", email=f"{name.lower()}@example.org")],
    )


CENTRUM = unit_row("Centrum", submitted_dt=SUBMITTED)
BOENDE = unit_row("Boende", status="in_progress", reminder_count=2, last_reminded_dt=REMINDED)
# Two good examples, added as entries 1 and 3 (entry 2 was removed), and the single answers.
CENTRUM_ANSWERS = {
    ("anstallda", 0): 10,
    ("rutin", 0): "ja",
    ("goda_exempel", 1): True,
    ("exempel_rubrik", 1): "Våga fråga",
    ("exempel_omraden", 1): ["nara", "heder"],
    ("goda_exempel", 3): True,
    ("exempel_rubrik", 3): "Skyddat boende",
    ("exempel_omraden", 3): ["nara"],
}
BOENDE_ANSWERS = {("anstallda", 0): 30, ("rutin", 0): "delvis"}
UNITS = [(CENTRUM, CENTRUM_ANSWERS, None), (BOENDE, BOENDE_ANSWERS, None)]


def test_group_rows_give_one_row_per_entry_with_labels_not_codes():
    # Each multiple-choice field also as yes/no columns, so a pivot counts examples per violence area.
    assert list(sheet_rows(GroupRows(DEFINITION.groups[0]), UNITS)) == [
        [*HEAD, "Rubrik", "Våldsområden", "Våldsområden: Våld i nära relationer", "Våldsområden: Hedersrelaterat våld"],
        [*CENTRUM_START, "Våga fråga", "Våld i nära relationer; Hedersrelaterat våld", 1, 1],
        [*CENTRUM_START, "Skyddat boende", "Våld i nära relationer", 1, 0],
    ]


HEAD = ["Nämnd", "Enhet", "Status", "Inskickad"]
CENTRUM_START = ["Socialnämnden", "Centrum", "Inskickad", SUBMITTED]


def test_good_examples_carry_the_units_answer_on_publication():
    consent = parse(
        SOURCE
        + """
[[sections]]
key = "ovrigt"
title = "Övrigt"

[[sections.questions]]
key = "publicering"
type = "single_choice"
label = "Får exemplen publiceras?"
options = [{ code = "ja", label = "Ja" }, { code = "nej", label = "Nej" }]
"""
    ).question("publicering")
    answers = {**CENTRUM_ANSWERS, ("publicering", 0): "ja"}
    rows = list(sheet_rows(GroupRows(DEFINITION.groups[0], consent), [(CENTRUM, answers, None)]))
    assert rows[0][:6] == [*HEAD, "Får publiceras", "Rubrik"]
    assert [row[4] for row in rows[1:]] == ["Ja", "Ja"]


def test_a_group_without_entries_is_only_its_header():
    rows = list(sheet_rows(GroupRows(DEFINITION.groups[0]), [(BOENDE, BOENDE_ANSWERS, None)]))
    assert len(rows) == 1 and rows[0][:6] == [*HEAD, "Rubrik", "Våldsområden"]


def test_question_counts_tally_every_unit_and_come_after_the_last():
    sheet = QuestionCounts(DEFINITION)
    assert list(sheet.add(CENTRUM, CENTRUM_ANSWERS, None)) == [], "a unit only adds to the tallies"
    assert list(sheet_rows(QuestionCounts(DEFINITION), UNITS)) == [
        ["Avsnitt", "Nyckel", "Fråga", "Svarsalternativ eller mått", "Antal", "Andel"],
        ["Grund", "anstallda", "Antal anställda", "Antal svar", 2, None],
        ["Grund", "anstallda", "Antal anställda", "Summa", 40, None],
        ["Grund", "anstallda", "Antal anställda", "Medelvärde", 20, None],
        ["Grund", "anstallda", "Antal anställda", "Median", 20, None],
        ["Grund", "anstallda", "Antal anställda", "Lägsta", 10, None],
        ["Grund", "anstallda", "Antal anställda", "Högsta", 30, None],
        ["Grund", "rutin", "Finns rutin?", "Ja", 1, 0.5],
        ["Grund", "rutin", "Finns rutin?", "Delvis", 1, 0.5],
        ["Grund", "rutin", "Finns rutin?", "Nej", 0, 0],
        ["Grund", "rutin", "Finns rutin?", "Antal svar", 2, None],
        # A group field is counted per entry: both good examples name nära relationer.
        ["Exempel", "exempel_omraden", "Våldsområden", "Våld i nära relationer", 2, 1],
        ["Exempel", "exempel_omraden", "Våldsområden", "Hedersrelaterat våld", 1, 0.5],
        ["Exempel", "exempel_omraden", "Våldsområden", "Antal svar", 2, None],
    ]


def test_violence_matrix_counts_entries_per_area_without_a_total_row():
    assert list(sheet_rows(ViolenceMatrix(DEFINITION), UNITS)) == [
        ["Nämnd", "Enhet", "Goda exempel: Våld i nära relationer", "Goda exempel: Hedersrelaterat våld"],
        ["Socialnämnden", "Centrum", 2, 1],
        ["Socialnämnden", "Boende", 0, 0],
    ]


def test_violence_matrix_of_a_questionnaire_without_areas_says_so():
    without_areas = parse(
        SOURCE.replace(
            'options = "valdsomraden"', 'options = [{ code = "a", label = "A" }, { code = "b", label = "B" }]'
        )
    )
    assert list(sheet_rows(ViolenceMatrix(without_areas), UNITS)) == [
        ["Frågeformuläret har inga våldsområden att räkna."]
    ]


def test_response_rows_have_one_header_row_of_keys_described_by_the_texts_then_a_row_per_unit():
    header, *rows = sheet_rows(ResponseRows(DEFINITION), UNITS)
    assert header == ["namnd", "enhet", "status", "inskickad", "anstallda", "rutin", "goda_exempel"]
    assert [heading.description for heading in header] == [
        "Nämnd",
        "Enhet",
        "Status",
        "Inskickad",
        "Antal anställda",
        "Finns rutin?",
        "Goda exempel (antal)",
    ]
    assert rows == [
        ["Socialnämnden", "Centrum", "Inskickad", SUBMITTED, 10, "Ja", 2],
        ["Socialnämnden", "Boende", "Påbörjad", None, 30, "Delvis", 0],
    ]


def test_comparison_rows_pair_each_key_across_versions_and_say_what_changed():
    before = {("utbildning", 0): "Grundkurs", ("rutin", 0): "ja", ("goda_exempel", 1): True}
    rows = list(sheet_rows(ComparisonRows(ROUND, EARLIER), [(CENTRUM, CENTRUM_ANSWERS, before)]))
    assert rows == [
        ["Nämnd", "Enhet", "Nyckel", "Fråga", "Svar Kartläggning 2025", "Svar Kartläggning 2026", "Ändrat"],
        # A question added or dropped between the versions says so: it is not a changed answer.
        ["Socialnämnden", "Centrum", "anstallda", "Antal anställda", "(fanns inte)", 10, "ny fråga"],
        ["Socialnämnden", "Centrum", "rutin", "Finns rutin?", "Ja", "Ja", "nej"],
        ["Socialnämnden", "Centrum", "goda_exempel", "Goda exempel", 1, 2, "ja"],
        # A question dropped since comes last, under its old wording.
        [
            "Socialnämnden",
            "Centrum",
            "utbildning",
            "Vilken utbildning?",
            "Grundkurs",
            "(fanns inte)",
            "borttagen fråga",
        ],
    ]


def test_comparison_rows_of_a_unit_new_this_round_say_it_did_not_answer_before():
    rows = list(sheet_rows(ComparisonRows(ROUND, EARLIER), [(BOENDE, BOENDE_ANSWERS, None)]))
    assert rows[1:] == [
        ["Socialnämnden", "Boende", "anstallda", "Antal anställda", "(fanns inte)", 30, "ny fråga"],
        ["Socialnämnden", "Boende", "rutin", "Finns rutin?", "(svarade inte)", "Delvis", "ja"],
    ]


def test_area_change_rows_count_each_area_then_and_now():
    before = {("goda_exempel", 1): True, ("exempel_omraden", 1): ["heder"]}
    rows = list(
        sheet_rows(AreaChangeRows(ROUND, EARLIER), [(CENTRUM, CENTRUM_ANSWERS, before), (BOENDE, BOENDE_ANSWERS, None)])
    )
    assert rows == [
        [
            "Våldsområde",
            "Goda exempel: Kartläggning 2025",
            "Goda exempel: Kartläggning 2026",
            "Goda exempel: förändring",
        ],
        ["Våld i nära relationer", 0, 2, 2],
        ["Hedersrelaterat våld", 1, 1, 0],
    ]


def test_missing_rows_list_only_units_not_submitted_with_whom_to_remind():
    assert list(missing_rows([CENTRUM, BOENDE])) == [
        ["Nämnd", "Enhet", "Status", "Kontaktperson", "E-post", "Påminnelser", "Senast påmind", "Senast aktiv"],
        ["Socialnämnden", "Boende", "Påbörjad", "Kontakt Boende", "boende@example.org", 2, REMINDED, None],
    ]


def test_codebook_rows_list_every_question_and_group_field_with_codes():
    assert list(codebook_rows(DEFINITION)) == [
        ["Nyckel", "Avsnitt", "Grupp", "Fråga", "Typ", "Obligatorisk", "Alternativ (kod = text)"],
        ["anstallda", "Grund", "", "Antal anställda", "tal", "nej", ""],
        ["rutin", "Grund", "", "Finns rutin?", "ja/delvis/nej", "ja", "ja = Ja; delvis = Delvis; nej = Nej"],
        ["goda_exempel", "Exempel", "", "Goda exempel", "upprepad grupp", "nej", ""],
        ["exempel_rubrik", "Exempel", "Goda exempel", "Rubrik", "kort text", "nej", ""],
        [
            "exempel_omraden",
            "Exempel",
            "Goda exempel",
            "Våldsområden",
            "flera val",
            "nej",
            "nara = Våld i nära relationer; heder = Hedersrelaterat våld",
        ],
    ]


def test_overview_rows_count_each_namnd_in_one_table_and_the_about_sheet_the_total():
    other = unit_row("Bostaden", status="not_started", namnd="AB Bostaden")
    assert list(overview_rows([CENTRUM, BOENDE, other])) == [
        ["Nämnd", "Inbjudna", "Inskickade", "Påbörjade", "Återöppnade", "Ej påbörjade", "Svarsfrekvens"],
        ["Socialnämnden", 2, 1, 1, 0, 0, 0.5],
        ["AB Bostaden", 1, 0, 0, 0, 1, 0],
    ]
    generated = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    header, about = about_rows(ROUND, [CENTRUM, BOENDE, other], ExportOptions(), {}, generated)
    assert dict(zip(header, about, strict=True)) == {
        "Kartläggning": "Kartläggning 2026",
        "Frågeformulär": "Radtest",
        "Version": "2",
        "Skapad": generated,
        "Urval": "Alla nämnder och bolag; inskickade svar (även de som öppnats igen för komplettering)",
        "Inbjudna": 3,
        "Inskickade": 1,
        "Påbörjade": 1,
        "Återöppnade": 0,
        "Ej påbörjade": 1,
        "Svarsfrekvens": 1 / 3,
    }


def test_sheet_rows_of_no_units_are_the_head_and_tail_alone():
    assert list(sheet_rows(ResponseRows(DEFINITION), [])) == list(ResponseRows(DEFINITION).head())
    assert list(sheet_rows(ViolenceMatrix(DEFINITION), [])) == list(ViolenceMatrix(DEFINITION).head())
    counts = {(row[1], row[3]): row[4] for row in list(sheet_rows(QuestionCounts(DEFINITION), []))[1:]}
    assert counts[("rutin", "Ja")] == 0 and counts[("rutin", "Antal svar")] == 0
