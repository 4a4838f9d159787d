"""Excel back in: a unit's offline template, filled in as a unit would, imported, and the per-unit workbook."""

import io
import re
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from helpers import FULL_FIRST_SECTION, fill_and_submit, login, open_form, post_form, status_of, stored
from survey.extensions import db
from survey.models import Assignment, AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(client, assignment_id):
    response = client.get(f"/samordning/svar/{assignment_id}/mall.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.data))


def answer_cell(workbook, sheet, key):
    """The answer cell of a question (or "question:option") in a section sheet, found by its hidden key."""
    for row in workbook[sheet].iter_rows(min_row=2):
        if row[0].value == key:
            return row[2]
    raise AssertionError(f"no row for {key} in {sheet}")


def fill(workbook, sheet, answers: dict):
    for key, value in answers.items():
        answer_cell(workbook, sheet, key).value = value


def add_entry(workbook, sheet, values: dict):
    """Write a new entry on the first empty row of a group sheet, by the keys in its hidden first row."""
    ws = workbook[sheet]
    columns = {cell.value: cell.column for cell in ws[1]}
    row = max(4, ws.max_row + 1)
    while any(ws.cell(row=row, column=c).value not in (None, "") for c in columns.values()):
        row += 1
    for key, value in values.items():
        ws.cell(row=row, column=columns[key], value=value)
    return row


def as_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, assignment_id, workbook_or_bytes, name="ifylld.xlsx"):
    data = workbook_or_bytes if isinstance(workbook_or_bytes, bytes) else as_bytes(workbook_or_bytes)
    url = f"/samordning/svar/{assignment_id}/importera"
    return post_form(client, url, {"file": (io.BytesIO(data), name)})


def confirm(client, assignment_id, **data):
    return post_form(
        client,
        f"/samordning/svar/{assignment_id}/importera/bekrafta",
        data,
        page=f"/samordning/svar/{assignment_id}/importera",
    )


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    login(client)
    return client


def test_template_holds_the_answers_with_dropdowns_and_hidden_keys(app, client, world, coordinator):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    workbook = template(coordinator, world.assignment_ids[0])

    assert workbook.sheetnames[:4] == ["Instruktioner", "Grunduppgifter", "Goda exempel", "Utvecklingsområden"]
    assert workbook["_mall"].sheet_state == "hidden" and workbook["_listor"].sheet_state == "hidden"
    section = workbook["Grunduppgifter"]
    assert section.column_dimensions["A"].hidden, "keys are in a hidden column"
    assert answer_cell(workbook, "Grunduppgifter", "namn").value == "Anna Andersson"
    assert answer_cell(workbook, "Grunduppgifter", "rutin").value == "Delvis"  # labels, not codes
    assert answer_cell(workbook, "Grunduppgifter", "samverkan_betyg").value == 4
    assert answer_cell(workbook, "Grunduppgifter", "omraden:nara").value == "Ja"
    assert answer_cell(workbook, "Grunduppgifter", "omraden:heder").value is None
    assert answer_cell(workbook, "Grunduppgifter", "utbildad").value == datetime(2026, 3, 1)
    rules = {str(rule.sqref): rule for rule in section.data_validations.dataValidation}
    rutin = answer_cell(workbook, "Grunduppgifter", "rutin").coordinate
    assert rules[rutin].type == "list"
    first, last = rules[rutin].formula1.split("!")[1].replace("$", "").split(":")
    assert [cell.value for (cell,) in workbook["_listor"][first:last]] == ["Ja", "Delvis", "Nej"]
    group = workbook["Goda exempel"]
    assert group.row_dimensions[1].hidden and group.column_dimensions["A"].hidden
    assert [c.value for c in group[2]] == [
        "Nr",
        "Rubrik *",
        "Våldsområden: Våld i nära relationer",
        "Våldsområden: Hedersrelaterat våld och förtryck",
        "Våldsområden: Sexuellt våld",
    ]


def test_template_filled_in_gives_the_same_answers_as_the_form(app, world, coordinator):
    """Unit 0 answers on the web; unit 1 answers the same in Excel, imported and marked submitted."""
    fill_and_submit(app.test_client(), world, 0)
    workbook = template(coordinator, world.assignment_ids[1])
    fill(
        workbook,
        "Grunduppgifter",
        {
            "namn": "Anna Andersson",
            "uppdrag": "Stöd till våldsutsatta",
            "anstallda": 1250,
            "andel": "12,5",
            "huvudomrade": "Hedersrelaterat våld och förtryck",
            "omraden:nara": "Ja",
            "omraden:sexuellt": "x",
            "samverkan_betyg": 4,
            "rutin": "Delvis",
            "utbildad": datetime(2026, 3, 1),
        },
    )
    add_entry(
        workbook,
        "Goda exempel",
        {"exempel_rubrik": "Våga fråga", "exempel_omraden:nara": "Ja", "exempel_omraden:heder": "Ja"},
    )
    add_entry(
        workbook,
        "Utvecklingsområden",
        {"utveckling_rubrik": "Rutiner för att fråga om våld", "utveckling_prioritet": "Hög"},
    )

    preview = upload(coordinator, world.assignment_ids[1], workbook).get_data(as_text=True)
    assert "Filen har fel" not in preview, preview
    assert "Gott exempel 1 (ny):" in preview and "Våga fråga" in preview
    assert "Utvecklingsområde 1 (ny):" in preview, "numbered as the web form numbers it, not by inner index"
    shown = re.search(r"<caption[^>]*>(\d+) ändringar</caption>", preview).group(1)
    response = confirm(coordinator, world.assignment_ids[1], mark_submitted="y")
    assert response.status_code == 303
    done = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Svaren är inlästa: {shown} ändringar." in done, "the same count as the preview showed"

    def by_order(values):
        """Answers with entry indexes replaced by each group's entry order, to compare two units."""
        order = {}
        for _key, index in sorted(values):
            if index:
                order.setdefault(index, len(order) + 1)
        return {(key, order.get(index, 0)): value for (key, index), value in values.items()}

    assert by_order(stored(app, world.assignment_ids[1])) == by_order(stored(app, world.assignment_ids[0]))
    assert status_of(app, world.assignment_ids[1]) == "submitted"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers_imported"))
        assert event.assignment_id == world.assignment_ids[1] and event.details["submitted"] is True
        assert event.details["entries_added"] == 2


def test_an_unchanged_template_changes_nothing(app, client, world, coordinator):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "uppdrag": "=SUM(A1:A9)", "action": "save"})
    before = stored(app, world.assignment_ids[0])
    workbook = template(coordinator, world.assignment_ids[0])
    assert answer_cell(workbook, "Grunduppgifter", "uppdrag").data_type == "s", "typed text stays text, never a formula"
    preview = upload(coordinator, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert "Filen innehåller inga ändringar" in preview
    confirm(coordinator, world.assignment_ids[0])
    assert stored(app, world.assignment_ids[0]) == before


def test_every_invalid_cell_is_named_and_nothing_is_written(app, client, world, coordinator):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    before = stored(app, world.assignment_ids[0])
    workbook = template(coordinator, world.assignment_ids[0])
    fill(
        workbook,
        "Grunduppgifter",
        {
            "anstallda": "många",
            "andel": 150,
            "uppdrag": "x" * 51,
            "rutin": "Kanske",
            "omraden:heder": "ibland",
            "utbildad": "förra våren",
        },
    )
    rubrik_row = add_entry(workbook, "Goda exempel", {"exempel_rubrik": "y" * 201})
    refs = {
        key: answer_cell(workbook, "Grunduppgifter", key).coordinate
        for key in ("anstallda", "andel", "uppdrag", "rutin", "omraden:heder", "utbildad")
    }

    page = upload(coordinator, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert "Filen har fel – ingenting har sparats" in page
    assert f"Bladet ”Grunduppgifter”, cell {refs['anstallda']} (Antal anställda): Skriv ett heltal" in page
    assert f"cell {refs['andel']} (Andel utbildade): Talet får inte vara större än 100" in page
    assert f"cell {refs['uppdrag']} (Verksamhetens uppdrag): Texten får vara högst 50 tecken" in page
    assert (
        f"cell {refs['rutin']} (Finns rutin för att fråga om våld?): ”Kanske” är inget av alternativen. Välj bland: Ja, Delvis, Nej."
        in page
    )
    assert f"cell {refs['omraden:heder']} (Hedersrelaterat våld och förtryck): skriv Ja eller lämna cellen tom" in page
    assert f"cell {refs['utbildad']} (Senaste utbildning): Skriv datumet som ÅÅÅÅ-MM-DD" in page
    assert f"Bladet ”Goda exempel”, cell B{rubrik_row} (Rubrik): Texten får vara högst 200 tecken" in page
    assert "Läs in svaren" not in page, "no way to confirm a file with errors"
    assert confirm(coordinator, world.assignment_ids[0]).status_code == 303
    assert stored(app, world.assignment_ids[0]) == before


def test_a_deleted_row_removes_its_entry_and_a_kept_row_keeps_its_number(app, world, coordinator):
    fill_and_submit(app.test_client(), world, 0)
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assignment.reopen("Komplettera")
        db.session.commit()
    before = stored(app, world.assignment_ids[0])
    workbook = template(coordinator, world.assignment_ids[0])
    sheet = workbook["Utvecklingsområden"]
    assert sheet["B4"].value == "Rutiner för att fråga om våld"
    sheet.delete_rows(4)
    workbook["Goda exempel"]["B4"] = "Våga fråga – alla enheter"

    preview = upload(coordinator, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert "Tas bort" in preview and "Rutiner för att fråga om våld" in preview
    confirm(coordinator, world.assignment_ids[0])
    after = stored(app, world.assignment_ids[0])
    example = next(index for (key, index) in before if key == "goda_exempel")
    assert after[("exempel_rubrik", example)] == "Våga fråga – alla enheter"
    assert after[("exempel_omraden", example)] == before[("exempel_omraden", example)]
    assert not any(key.startswith("utveckling") for key, _index in after)
    assert after[("namn", 0)] == "Anna Andersson"


def test_files_that_are_not_this_units_template_are_refused(app, client, world, coordinator):
    open_form(client, world)
    post_form(client, world.section_url("grund"), {"namn": "Anna", "action": "save"})
    before = stored(app, world.assignment_ids[0])
    other_units = template(coordinator, world.assignment_ids[1])
    page = upload(coordinator, world.assignment_ids[0], other_units).get_data(as_text=True)
    assert "Filen är mallen för ”Äldreområdet”, inte för ”Centrum mot våld”" in page

    page = upload(coordinator, world.assignment_ids[0], b"namn;svar\nAnna;ja\n", name="svar.csv").get_data(as_text=True)
    assert "kunde inte läsas som en Excel-arbetsbok" in page

    stranger = openpyxl.Workbook()
    stranger.active["A1"] = "Egen tabell"
    page = upload(coordinator, world.assignment_ids[0], stranger).get_data(as_text=True)
    assert "Filen är ingen svarsmall från Kartläggning" in page

    own = template(coordinator, world.assignment_ids[0])
    del own["Grunduppgifter"]
    page = upload(coordinator, world.assignment_ids[0], own).get_data(as_text=True)
    assert "Fliken för avsnittet ”Grunduppgifter” saknas i filen." in page
    assert stored(app, world.assignment_ids[0]) == before


def test_submitted_answers_must_be_reopened_before_an_import(app, world, coordinator):
    workbook = template(coordinator, world.assignment_ids[0])  # downloaded while the unit was still answering
    fill_and_submit(app.test_client(), world, 0)
    page = coordinator.get(f"/samordning/svar/{world.assignment_ids[0]}/importera").get_data(as_text=True)
    assert "Öppna dem igen innan du läser in en fil" in page
    fill(workbook, "Grunduppgifter", {"namn": "Någon annan"})
    response = upload(coordinator, world.assignment_ids[0], workbook)
    assert response.status_code == 200 and "Öppna dem igen" in response.get_data(as_text=True)
    assert stored(app, world.assignment_ids[0])[("namn", 0)] == "Anna Andersson"


def test_marking_submitted_needs_every_required_answer(app, world, coordinator):
    workbook = template(coordinator, world.assignment_ids[0])
    fill(workbook, "Grunduppgifter", {"namn": "Anna"})  # huvudomrade, also required, is left empty
    upload(coordinator, world.assignment_ids[0], workbook)
    response = confirm(coordinator, world.assignment_ids[0], mark_submitted="y")
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 obligatoriska frågor saknar svar" in page
    assert stored(app, world.assignment_ids[0]) == {}
    assert status_of(app, world.assignment_ids[0]) == "not_started"

    upload(coordinator, world.assignment_ids[0], workbook)
    confirm(coordinator, world.assignment_ids[0])  # as a draft
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}
    assert status_of(app, world.assignment_ids[0]) == "in_progress"


def test_command_line_template_and_import(app, runner, world, tmp_path):
    path = tmp_path / "mall.xlsx"
    result = runner.invoke(
        args=["answers", "template", "--round", str(world.round_id), "--unit", "AB Bostaden", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(path)
    fill(workbook, "Grunduppgifter", {"namn": "Bo Ek", "huvudomrade": "Sexuellt våld", "anstallda": "tolv"})
    workbook.save(path)

    result = runner.invoke(args=["answers", "import", str(path)])
    assert result.exit_code == 1
    assert "(Antal anställda): Skriv ett heltal" in result.output and "nothing was imported" in result.output

    fill(workbook, "Grunduppgifter", {"anstallda": 12})
    workbook.save(path)
    result = runner.invoke(args=["answers", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "3 change(s)" in result.output and "Dry run" in result.output
    assert stored(app, world.assignment_ids[2]) == {}
    result = runner.invoke(args=["answers", "import", str(path), "--submit"])
    assert result.exit_code == 0, result.output
    assert stored(app, world.assignment_ids[2]) == {
        ("namn", 0): "Bo Ek",
        ("huvudomrade", 0): "sexuellt",
        ("anstallda", 0): 12,
    }
    assert status_of(app, world.assignment_ids[2]) == "submitted"

    result = runner.invoke(args=["answers", "import", str(tmp_path / "saknas.xlsx")])
    assert result.exit_code == 1 and "cannot be read" in result.output and "Traceback" not in result.output


def test_one_units_workbook_for_the_coordinator_and_from_the_receipt(app, client, world, coordinator):
    fill_and_submit(client, world, 0)
    receipt = client.get(f"/svar/{world.assignment_ids[0]}/kvitto").get_data(as_text=True)
    assert f"/svar/{world.assignment_ids[0]}/svar.xlsx" in receipt
    for response in (
        client.get(f"/svar/{world.assignment_ids[0]}/svar.xlsx"),
        coordinator.get(f"/samordning/svar/{world.assignment_ids[0]}/svar.xlsx"),
    ):
        assert response.status_code == 200 and response.mimetype == XLSX
        assert "kartlaggning-Centrum-mot-vald-Kartlaggning-2026.xlsx" in response.headers["Content-Disposition"]
        workbook = openpyxl.load_workbook(io.BytesIO(response.data))
        assert workbook.sheetnames == ["Svar", "Goda exempel", "Utvecklingsområden"]
        rows = [[c.value for c in row] for row in workbook["Svar"].iter_rows()]
        assert rows[0][:2] == ["Enhet", "Centrum mot våld"]
        assert rows[4][1].startswith(f"K{world.round_id}-")
        answers = {row[1]: row[3] for row in rows[7:]}
        assert answers["rutin"] == "Delvis" and answers["anstallda"] == 1250 and answers["goda_exempel"] == 1
        examples = [[c.value for c in row] for row in workbook["Goda exempel"].iter_rows()]
        assert examples[1][4:] == ["Våga fråga", "Våld i nära relationer; Hedersrelaterat våld och förtryck", 1, 1, 0]
    assert client.get(f"/svar/{world.assignment_ids[1]}/svar.xlsx").status_code == 404


def test_odd_entry_numbers_make_new_entries(app, world, coordinator):
    workbook = template(coordinator, world.assignment_ids[0])
    sheet = workbook["Goda exempel"]
    for row, (number, title) in enumerate(
        [(float("inf"), "Oändligt"), (2.5, "Halvt"), ("1", "Text"), (-1, "Negativt")], start=4
    ):
        sheet.cell(row=row, column=1, value=number)
        sheet.cell(row=row, column=2, value=title)
    preview = upload(coordinator, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert preview.count("(ny):") == 4
    confirm(coordinator, world.assignment_ids[0])
    titles = sorted(
        value for (key, _index), value in stored(app, world.assignment_ids[0]).items() if key == "exempel_rubrik"
    )
    assert titles == ["Halvt", "Negativt", "Oändligt", "Text"]


@pytest.mark.parametrize("typed, stored_as", [(0.4, 40), (1, 100), (0.125, 12.5)])
def test_a_share_typed_with_a_percent_sign_means_what_it_says(app, world, coordinator, typed, stored_as):
    """Excel turns "40%" into 0.4 shown as a percentage; the question counts in per cent, so it is 40."""
    workbook = template(coordinator, world.assignment_ids[0])
    cell = answer_cell(workbook, "Grunduppgifter", "andel")
    cell.value, cell.number_format = typed, "0%"
    preview = upload(coordinator, world.assignment_ids[0], workbook).get_data(as_text=True)
    assert "Filen har fel" not in preview, preview
    confirm(coordinator, world.assignment_ids[0])
    assert stored(app, world.assignment_ids[0])[("andel", 0)] == stored_as


def test_a_true_false_cell_formatted_as_a_percentage_gets_a_message(app, world, coordinator):
    workbook = template(coordinator, world.assignment_ids[0])
    cell = answer_cell(workbook, "Grunduppgifter", "andel")
    cell.value, cell.number_format = True, "0%"
    response = upload(coordinator, world.assignment_ids[0], workbook)
    assert response.status_code == 200 and "Filen har fel" in response.get_data(as_text=True)


def test_the_command_line_and_the_web_import_of_a_file_store_the_same(app, runner, world, coordinator, tmp_path):
    """One service under both: the same filled-in template gives the same answers and the same log details."""
    answers = {"namn": "Bo Ek", "huvudomrade": "Sexuellt våld", "anstallda": 12, "omraden:nara": "Ja"}
    by_web, by_command = world.assignment_ids[1], world.assignment_ids[2]
    web_file = template(coordinator, by_web)
    fill(web_file, "Grunduppgifter", answers)
    add_entry(web_file, "Goda exempel", {"exempel_rubrik": "Våga fråga"})
    assert "Filen har fel" not in upload(coordinator, by_web, web_file).get_data(as_text=True)
    assert confirm(coordinator, by_web).status_code == 303

    command_file = template(coordinator, by_command)
    fill(command_file, "Grunduppgifter", answers)
    add_entry(command_file, "Goda exempel", {"exempel_rubrik": "Våga fråga"})
    path = tmp_path / "mall.xlsx"
    command_file.save(path)
    result = runner.invoke(args=["answers", "import", str(path)])
    assert result.exit_code == 0, result.output

    def without_index(values):
        return {(key, bool(index)): value for (key, index), value in values.items()}

    assert stored(app, by_web) and without_index(stored(app, by_web)) == without_index(stored(app, by_command))
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "answers_imported").order_by(AuditEvent.id)
        ).all()
        assert [e.assignment_id for e in events] == [by_web, by_command]
        assert events[0].details == events[1].details
        assert events[1].actor == "cli" and events[1].user_id is None
