"""The council workbook, read back with openpyxl: every sheet's content, safety, options, the command."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from helpers import ROOT, World, fill_and_submit, login, open_form, post_form
from survey.db import LOCAL_TZ, utcnow
from survey.exports.data import round_units, stream_with_previous
from survey.exports.rows import ResponseRows, sheet_rows
from survey.exports.writer import clean_text, unique_sheet_titles
from survey.extensions import db
from survey.models import Assignment, QuestionnaireVersion, Round, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = [
    "Översikt",
    "Om sammanställningen",
    "Goda exempel",
    "Utvecklingsområden",
    "Per fråga",
    "Våldsområden",
    "Svar",
    "Flerval",
    "Ej inkommit",
    "Frågor",
]


def swedish_today() -> date:
    """Today where the workbook's readers are: its dates are Swedish time, a day ahead of UTC just after midnight."""
    return utcnow().astimezone(LOCAL_TZ).date()


def download(client, world, **query):
    response = client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx", query_string=query)
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook}, workbook


@pytest.fixture
def submitted(app, world):
    fill_and_submit(app.test_client(), world, 0)
    draft = app.test_client()
    open_form(draft, world, 1)
    post_form(draft, world.section_url("grund", 1), {"namn": "Utkast", "action": "save"})
    return world


def test_workbook_has_ten_sheets_with_frozen_filtered_headers(app, client, submitted):
    login(client)
    sheets, workbook = download(client, submitted)
    assert list(sheets) == SHEETS
    printing = {}
    for title in SHEETS:
        sheet = workbook[title]
        assert sheet.freeze_panes and sheet.auto_filter.ref, title
        # Printable: A4 landscape, the header on every page; one page wide only while the text stays legible,
        # else across pages with the columns naming the unit repeated on each.
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
        assert sheet.print_title_rows, title
        width = sum(dimension.width for dimension in sheet.column_dimensions.values())
        fits = bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
        printing[title] = "one page wide" if fits else sheet.print_title_cols
        assert fits == (width <= 145), (title, width)
    assert printing["Översikt"] == "one page wide"
    assert printing["Svar"] == printing["Goda exempel"] == "$A:$B"
    # Sheets with a row per unit or entry keep the unit in view while scrolling sideways.
    assert {t: workbook[t].freeze_panes for t in ("Goda exempel", "Våldsområden", "Svar")} == {
        "Goda exempel": "C2",
        "Våldsområden": "C2",
        "Svar": "C2",
    }
    assert workbook["Goda exempel"]["E1"].alignment.wrap_text, "a long heading wraps rather than hides"
    assert workbook["Översikt"]._charts, "a native chart of the response"


def test_overview_counts_the_response_per_namnd(client, submitted):
    login(client)
    sheets, workbook = download(client, submitted)
    # One table from the first row, no total row: it sorts and pivots as it is.
    header, *rows = sheets["Översikt"]
    assert header == ["Nämnd", "Inbjudna", "Inskickade", "Påbörjade", "Återöppnade", "Ej påbörjade", "Svarsfrekvens"]
    table = {row[0]: row[1:7] for row in rows}
    assert table == {"Individ- och familjenämnden": [2, 1, 1, 0, 0, 0.5], "AB Bostaden": [1, 0, 0, 0, 1, 0]}
    assert workbook["Översikt"].auto_filter.ref == "A1:G3"
    # The key figures and what the workbook covers are a table of their own, one row under one header.
    header, about = sheets["Om sammanställningen"]
    assert dict(zip(header, about, strict=True)) == {
        "Kartläggning": "Kartläggning 2026",
        "Frågeformulär": "Alla frågetyper",
        "Version": "1",
        "Skapad": about[3],
        "Urval": "Alla nämnder och bolag; inskickade svar (även de som öppnats igen för komplettering)",
        "Inbjudna": 3,
        "Inskickade": 1,
        "Påbörjade": 1,
        "Återöppnade": 0,
        "Ej påbörjade": 1,
        "Svarsfrekvens": pytest.approx(1 / 3),
    }
    assert about[3].date() == swedish_today()


def test_group_sheets_have_one_row_per_entry_with_labels(client, submitted):
    login(client)
    sheets, _ = download(client, submitted)
    header, example = sheets["Goda exempel"]
    assert header == [
        "Nämnd",
        "Enhet",
        "Status",
        "Inskickad",
        "Rubrik",
        "Våldsområden",
        "Våldsområden: Våld i nära relationer",
        "Våldsområden: Hedersrelaterat våld och förtryck",
        "Våldsområden: Sexuellt våld",
    ]
    assert example[:3] + example[4:] == [
        "Individ- och familjenämnden",
        "Centrum mot våld",
        "Inskickad",
        "Våga fråga",
        "Våld i nära relationer; Hedersrelaterat våld och förtryck",
        1,
        1,
        0,
    ]
    assert example[3].date() == swedish_today(), "the date the unit submitted"
    assert sheets["Utvecklingsområden"][1][4:] == ["Rutiner för att fråga om våld", "Hög"]


def test_the_file_name_says_what_the_workbook_covers(app, client, submitted):
    login(client)
    with app.app_context():
        namnd = db.session.scalar(select(Unit).where(Unit.name == "Individ- och familjenämnden")).id
    names = [
        client.get(f"/samordning/omgang/{submitted.round_id}/sammanstallning.xlsx", query_string=query).headers[
            "Content-Disposition"
        ]
        for query in ({}, {"utkast": "1", "namnd": namnd})
    ]
    assert "filename=kartlaggning-Kartlaggning-2026.xlsx" in names[0]
    assert "filename=kartlaggning-Kartlaggning-2026-Individ-och-familjenamnden-med-utkast.xlsx" in names[1]


def test_answers_sheet_has_keys_and_texts_and_submitted_units_only_by_default(client, submitted):
    login(client)
    sheets, workbook = download(client, submitted)
    keys, *rows = sheets["Svar"]
    # One header row of keys to pivot on; each question's wording is its heading's comment.
    assert keys[:5] == ["namnd", "enhet", "status", "inskickad", "namn"]
    assert workbook["Svar"]["E1"].comment.text == "Vem fyller i?"
    assert workbook["Svar"].cell(row=1, column=keys.index("goda_exempel") + 1).comment.text == "Goda exempel (antal)"
    assert [row[1] for row in rows] == ["Centrum mot våld"]
    row = dict(zip(keys, rows[0], strict=True))
    # A percentage is Excel's own: 12,5 % is the number 0.125 shown as a percentage.
    assert row["anstallda"] == 1250 and row["andel"] == 0.125 and row["rutin"] == "Delvis"
    assert row["utbildad"].date() == date(2026, 3, 1) and row["goda_exempel"] == 1
    with_drafts, _ = download(client, submitted, utkast="1")
    assert [r[1] for r in with_drafts["Svar"][1:]] == ["Centrum mot våld", "Äldreområdet"]


def test_multiple_choice_answers_as_one_yes_no_column_per_option(client, submitted):
    login(client)
    sheets, workbook = download(client, submitted, utkast="1")
    header, *rows = sheets["Flerval"]
    assert header == ["namnd", "enhet", "status", "omraden.nara", "omraden.heder", "omraden.sexuellt"]
    assert workbook["Flerval"]["D1"].comment.text == "Våldsområden: Våld i nära relationer"
    flags = {row[1]: row[3:] for row in rows}
    assert flags["Centrum mot våld"] == [1, 0, 1], "chose nära relationer and sexuellt våld"
    assert flags["Äldreområdet"] == [None, None, None], "not answered: empty, not 'no'"


def test_per_question_counts_shares_and_number_statistics(client, submitted):
    login(client)
    sheets, _ = download(client, submitted)
    rows = {(r[1], r[3]): (r[4], r[5]) for r in sheets["Per fråga"][1:]}
    assert rows[("huvudomrade", "Hedersrelaterat våld och förtryck")] == (1, 1)
    assert rows[("huvudomrade", "Sexuellt våld")] == (0, 0)
    assert rows[("omraden", "Sexuellt våld")] == (1, 1)
    assert rows[("samverkan_betyg", "4")] == (1, 1)
    assert rows[("samverkan_betyg", "1 – Inte alls")] == (0, 0) and rows[("samverkan_betyg", "5 – Mycket bra")] == (
        0,
        0,
    )
    assert rows[("samverkan_betyg", "Medelvärde")] == (4, None)
    assert rows[("anstallda", "Medelvärde")] == (1250, None) and rows[("anstallda", "Antal svar")] == (1, None)
    assert rows[("anstallda", "Summa")] == (1250, None)
    assert ("andel", "Summa") not in rows, "a sum of percentages means nothing"
    assert rows[("andel", "Medelvärde")] == (0.125, None)
    assert rows[("utveckling_prioritet", "Hög")] == (1, 1)


def world_with_violence_areas(app, tmp_path) -> World:
    """The test world on a questionnaire whose areas use the option set "valdsomraden", as the real one does:
    the matrix and the comparison count group fields with that set."""
    source = (ROOT / "tests" / "data" / "every_type.toml").read_text(encoding="utf-8")
    path = tmp_path / "valdsomraden.toml"
    path.write_text(
        source.replace("option_sets.omraden", "option_sets.valdsomraden").replace(
            'options = "omraden"', 'options = "valdsomraden"'
        ),
        encoding="utf-8",
    )
    return World(app, path)


def test_violence_area_matrix_counts_entries(app, client, tmp_path):
    world = world_with_violence_areas(app, tmp_path)
    fill_and_submit(app.test_client(), world, 0)
    login(client)
    sheets, _ = download(client, world, utkast="1")
    header, *rows = sheets["Våldsområden"]
    assert header == [
        "Nämnd",
        "Enhet",
        "Goda exempel: Våld i nära relationer",
        "Goda exempel: Hedersrelaterat våld och förtryck",
        "Goda exempel: Sexuellt våld",
    ]
    assert rows == [["Individ- och familjenämnden", "Centrum mot våld", 1, 1, 0]], "no total row to count twice"


def test_answers_read_in_chunks_reach_every_unit_once_with_its_own_answers(app, submitted):
    # A real round is read a few hundred units at a time; a chunk of one or two units must
    # give the same 'Svar' sheet as reading all at once.
    with app.app_context():
        round_ = db.session.get(Round, submitted.round_id)
        rows, _units = round_units(round_)
        response = ResponseRows(round_.definition)
        whole = list(sheet_rows(response, stream_with_previous(rows, {})))
        for chunk in (1, 2):
            assert list(sheet_rows(response, stream_with_previous(rows, {}, chunk=chunk))) == whole
    by_unit = {row[1]: row for row in whole[1:]}
    assert sorted(by_unit) == sorted(unit.name for unit in submitted.units)
    assert "Utkast" in by_unit["Äldreområdet"] and "Utkast" not in by_unit["Centrum mot våld"]


def test_not_submitted_sheet_names_contacts_and_reminders(app, client, submitted):
    with app.app_context():
        assignment = db.session.get(Assignment, submitted.assignment_ids[2])
        assignment.reminder_count = 2
        db.session.commit()
    login(client)
    sheets, _ = download(client, submitted)
    rows = {r[1]: r for r in sheets["Ej inkommit"][1:]}
    assert set(rows) == {"Äldreområdet", "AB Bostaden"}
    assert rows["AB Bostaden"][3:6] == ["Kontakt AB Bostaden", "kontakt@example.org", 2]


def test_codebook_lists_every_key_with_options(client, submitted):
    login(client)
    sheets, _ = download(client, submitted)
    rows = {r[0]: r for r in sheets["Frågor"][1:]}
    assert rows["rutin"][4] == "ja/delvis/nej" and rows["rutin"][6] == "ja = Ja; delvis = Delvis; nej = Nej"
    assert rows["exempel_rubrik"][2] == "Goda exempel" and rows["exempel_rubrik"][5] == "ja"
    assert rows["samverkan_betyg"][6] == "1 = Inte alls; 5 = Mycket bra"


def test_restricting_to_one_namnd(app, client, submitted):
    with app.app_context():
        namnd = db.session.scalar(select(Unit).where(Unit.name == "Individ- och familjenämnden"))
    login(client)
    sheets, _ = download(client, submitted, namnd=namnd.id)
    assert [r[0] for r in sheets["Översikt"][1:]] == ["Individ- och familjenämnden"]
    assert {r[1] for r in sheets["Ej inkommit"][1:]} == {"Äldreområdet"}


HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "@SUM(A1:A9)",
    "+46 70",
    "-1+1",
    "\t=1+1",
    "\r=1",
    "#N/A",
    "Emoji 😀 och höger-till-vänster \u202eשלום",
    "nul\x00 och bell\x07 tecken",
]


def test_hostile_text_comes_out_literal_intact_or_visibly_cut(app, client, world):
    source = (
        (ROOT / "tests" / "data" / "every_type.toml")
        .read_text(encoding="utf-8")
        .replace("max_length = 50", "max_length = 50000")
    )
    source = source.replace('version = "1"', 'version = "1-long-texts"')  # other content, another label
    with app.app_context():
        round_ = db.session.get(Round, world.round_id)
        round_.questionnaire_version = QuestionnaireVersion.from_source(source)
        db.session.commit()
    contact = app.test_client()
    open_form(contact, world)
    long_text = "å" * 40_000
    post_form(
        contact,
        world.section_url("grund"),
        {"namn": HOSTILE[0], "uppdrag": long_text, "huvudomrade": "nara", "action": "save"},
    )
    post_form(contact, world.section_url("exempel"), {"action": "add:goda_exempel"})
    post_form(contact, world.section_url("exempel"), {"action": "add:goda_exempel"})
    examples = {f"exempel_rubrik-{i}": text for i, text in zip((1, 2), HOSTILE[1:3], strict=True)}
    post_form(contact, world.section_url("exempel"), {**examples, "action": "save"})
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        entries = [assignment.add_entry(assignment.definition.question("goda_exempel")) for _ in HOSTILE[3:]]
        assignment.save_values({("exempel_rubrik", i): text for i, text in zip(entries, HOSTILE[3:], strict=True)})
        db.session.commit()
    login(client)
    sheets, workbook = download(client, world, utkast="1")
    cells = [c for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells), "no formula anywhere"
    titles = [r[4] for r in sheets["Goda exempel"][1:]]
    assert titles[:2] == HOSTILE[1:3]
    # XML-illegal characters are removed; everything else, a leading tab or carriage return included,
    # reads back unchanged (openpyxl writes through lxml, which keeps a carriage return as &#13;).
    assert titles[2:] == [h.replace("\x00", "").replace("\x07", "") for h in HOSTILE[3:]]
    answers = dict(zip(sheets["Svar"][0], sheets["Svar"][1], strict=True))
    assert answers["namn"] == HOSTILE[0]
    assert len(answers["uppdrag"]) == 32_767 and answers["uppdrag"].endswith(" […]")


def test_a_reopened_unit_stays_in_the_workbook_while_it_completes_its_answers(app, client, submitted):
    with app.app_context():
        db.session.get(Assignment, submitted.assignment_ids[0]).reopen("Komplettera samverkan.")
        db.session.commit()
    login(client)
    sheets, _ = download(client, submitted)
    assert [row[1:3] for row in sheets["Svar"][1:]] == [["Centrum mot våld", "Återöppnad"]]
    assert sheets["Goda exempel"][1][1:3] + sheets["Goda exempel"][1][4:5] == [
        "Centrum mot våld",
        "Återöppnad",
        "Våga fråga",
    ]
    overview = {row[0]: row[1:7] for row in sheets["Översikt"][1:]}
    assert overview["Individ- och familjenämnden"] == [2, 0, 1, 1, 0, 0], "counted apart, as on the dashboard"


def test_long_and_multiline_text_is_wrapped_so_it_reads_whole(app, client, world):
    contact = app.test_client()
    open_form(contact, world)
    post_form(
        contact,
        world.section_url("grund"),
        {"namn": "Rad ett\r\nRad två", "uppdrag": "Ord " * 12, "huvudomrade": "nara", "action": "save"},
    )
    login(client)
    _sheets, workbook = download(client, world, utkast="1")
    sheet = workbook["Svar"]
    cells = {key: sheet.cell(row=2, column=column) for column, key in enumerate((c.value for c in sheet[1]), start=1)}
    assert cells["namn"].value == "Rad ett\nRad två" and cells["namn"].alignment.wrap_text
    assert cells["uppdrag"].alignment.wrap_text
    assert cells["enhet"].value == "Centrum mot våld" and not cells["enhet"].alignment.wrap_text
    # As tall as the wrapped text (Excel and LibreOffice do not grow a row when opening a file).
    assert sheet.row_dimensions[2].height == 30, "'Ord ' * 12 takes two lines of a 24-wide column"
    assert sheet.row_dimensions[3].height is None
    # Printed, a tall row's short cells sit at its top beside the start of the wrapped text, not a line below.
    assert {cells[key].alignment.vertical for key in ("enhet", "status", "huvudomrade")} == {"top"}


def test_text_cleaning_and_sheet_names():
    assert clean_text("a\x00b\x1fc") == "abc"
    assert len(clean_text("x" * 40_000)) == 32_767
    assert unique_sheet_titles(["Goda exempel", "Goda exempel", "A/B: [C]*?", "x" * 40]) == [
        "Goda exempel",
        "Goda exempel (2)",
        "A-B- -C---",
        "x" * 31,
    ]


def test_export_command_writes_the_workbook(app, runner, submitted, tmp_path):
    result = runner.invoke(args=["export", "council", "--round", "Kartläggning 2026"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "exports" / "kartlaggning-Kartlaggning-2026.xlsx"
    assert f"Written to {path}" in result.output
    assert openpyxl.load_workbook(path).sheetnames == SHEETS
    chosen = runner.invoke(
        args=["export", "council", "--round", "1", "--drafts", "--namnd", "AB Bostaden", "-o", str(tmp_path / "b.xlsx")]
    )
    assert chosen.exit_code == 0
    about = openpyxl.load_workbook(tmp_path / "b.xlsx")["Om sammanställningen"]
    assert about["E2"].value == "AB Bostaden; inskickade svar och utkast"
    unknown = runner.invoke(args=["export", "council", "--round", "1", "--namnd", "Finns inte"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    unwritable = runner.invoke(args=["export", "council", "--round", "1", "-o", str(blocked / "c.xlsx")])
    assert unwritable.exit_code == 1
    assert f"{blocked / 'c.xlsx'}: cannot be written" in unwritable.output and "Traceback" not in unwritable.output


def test_export_of_a_round_with_nothing_submitted(app, client, world):
    login(client)
    sheets, _ = download(client, world)
    assert sheets["Goda exempel"][1:] == []
    assert sheets["Goda exempel"][0][:6] == ["Nämnd", "Enhet", "Status", "Inskickad", "Rubrik", "Våldsområden"]
    assert len(sheets["Ej inkommit"]) == 4


def test_comparison_with_the_previous_round_of_the_same_questionnaire(app, client, tmp_path):
    world = world_with_violence_areas(app, tmp_path)
    fill_and_submit(app.test_client(), world, 0)
    with app.app_context():
        first = db.session.get(Round, world.round_id)
        first.change_state("closed")
        second = Round(
            name="Kartläggning 2027",
            questionnaire_version=first.questionnaire_version,
            state="open",
            opens_on=first.opens_on + timedelta(days=365),
            closes_on=first.closes_on + timedelta(days=365),
        )
        db.session.add(second)
        units = db.session.scalars(select(Unit).where(Unit.name.in_(["Centrum mot våld", "Äldreområdet"]))).all()
        again, newcomer = sorted((second.assign(u) for u in units), key=lambda a: a.unit.name)
        db.session.flush()
        earlier = (
            db.session.scalars(
                select(Assignment).where(Assignment.round_id == first.id, Assignment.unit_id == again.unit_id)
            )
            .one()
            .values()
        )
        again.save_values({key: value for key, value in earlier.items() if key[1] == 0} | {("rutin", 0): "ja"})
        examples = again.definition.question("goda_exempel")
        for title, areas in (("Våga fråga", ["nara", "heder"]), ("Hedersvåld på schemat", ["heder"])):
            index = again.add_entry(examples)
            again.save_values({("exempel_rubrik", index): title, ("exempel_omraden", index): areas})
        again.submit()
        newcomer.save_values({("namn", 0): "Ny kontakt", ("huvudomrade", 0): "nara"})
        newcomer.submit()
        db.session.commit()
        second_id = second.id
    login(client)
    response = client.get(f"/samordning/omgang/{second_id}/sammanstallning.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[-2:] == ["Jämförelse", "Jämförelse våldsområden"]
    header, *rows = [[c.value for c in row] for row in workbook["Jämförelse"].iter_rows()]
    assert header == ["Nämnd", "Enhet", "Nyckel", "Fråga", "Svar Kartläggning 2026", "Svar Kartläggning 2027", "Ändrat"]
    found = {(r[1], r[2]): r[4:] for r in rows}
    assert found[("Centrum mot våld", "rutin")] == ["Delvis", "Ja", "ja"]
    assert found[("Centrum mot våld", "namn")] == ["Anna Andersson", "Anna Andersson", "nej"]
    assert found[("Centrum mot våld", "goda_exempel")] == [1, 2, "ja"]
    assert found[("Centrum mot våld", "utvecklingsomraden")] == [1, None, "ja"]
    assert found[("Äldreområdet", "namn")] == ["(svarade inte)", "Ny kontakt", "ja"]
    assert ("Äldreområdet", "uppdrag") not in found, "no row where neither round has an answer"

    header, *areas = [[c.value for c in row] for row in workbook["Jämförelse våldsområden"].iter_rows()]
    assert header == [
        "Våldsområde",
        "Goda exempel: Kartläggning 2026",
        "Goda exempel: Kartläggning 2027",
        "Goda exempel: förändring",
    ]
    assert areas == [
        ["Våld i nära relationer", 1, 1, 0],
        ["Hedersrelaterat våld och förtryck", 1, 2, 1],
        ["Sexuellt våld", 0, 0, 0],
    ]
    first_round = client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx")
    assert "Jämförelse" not in openpyxl.load_workbook(io.BytesIO(first_round.data)).sheetnames
