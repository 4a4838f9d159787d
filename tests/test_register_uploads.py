"""Hostile and malformed register uploads get a message, never a 500; deep trees import; names
lose their bidirectional controls (issue 14: M2, L6 and the info findings)."""

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from bombs import BOMBS, xlsx
from helpers import login, post_form
from survey.extensions import db
from survey.models import Unit
from test_register import HEADER, upload


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_spreadsheet_bomb_in_the_register_import_gets_a_message(client, world, name):
    login(client)
    make, message = BOMBS[name]
    response = upload(client, "register.xlsx", make())
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_register_sheet_claiming_a_huge_dimension_reads_fine(app, client, world):
    login(client)
    rows = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{text}</t></is></c>' for col, text in zip("AB", row, strict=True)
        )
        + "</row>"
        for r, row in ((1, ("Verksamhet", "Typ")), (2, ("Dimensionsnämnden", "nämnd")))
    )
    response = upload(client, "register.xlsx", xlsx(rows, dimension="A1:XFD1048576"))
    assert response.status_code == 200
    assert "Nya enheter (1)" in response.get_data(as_text=True)


def test_an_xml_entity_trick_in_the_sheet_gets_a_message(client, world):
    login(client)
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>'
    )
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx(""))) as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            target.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item))
    response = upload(client, "register.xlsx", data.getvalue())
    assert response.status_code == 200
    assert "skadad" in response.get_data(as_text=True)


def test_a_csv_field_over_the_csv_limit_gets_a_message(client, world):
    login(client)
    data = ("Verksamhet;Typ\n" + '"' + "x" * 140_000 + '";nämnd\n').encode()
    response = upload(client, "register.csv", data)
    assert response.status_code == 200
    assert "Filen kunde inte läsas som en CSV-fil" in response.get_data(as_text=True)


def test_a_five_thousand_deep_chain_previews_and_confirms(app, client, world):
    login(client)
    rows = [HEADER, ["Djup 0", "", "nämnd", "", ""]]
    rows += [[f"Djup {n}", f"Djup {n - 1}", "verksamhet", "", ""] for n in range(1, 5000)]
    preview = upload(client, "register.xlsx", workbook(rows)).get_data(as_text=True)
    assert "Nya enheter (5000)" in preview
    post_form(client, "/samordning/register/import/bekrafta", {}, page="/samordning/register/")
    with app.app_context():
        deepest = db.session.scalar(select(Unit).where(Unit.name == "Djup 4999"))
        assert deepest.parent.name == "Djup 4998"
        assert db.session.scalar(select(Unit).where(Unit.name == "Djup 1")).parent.name == "Djup 0"


def test_a_loop_at_the_end_of_a_long_chain_is_found(client, world):
    login(client)
    rows = [HEADER, ["Slinga 0", "Slinga 2999", "nämnd", "", ""]]
    rows += [[f"Slinga {n}", f"Slinga {n - 1}", "verksamhet", "", ""] for n in range(1, 3000)]
    rows += [["Utanför", "Slinga 5", "verksamhet", "", ""]]
    preview = upload(client, "register.xlsx", workbook(rows)).get_data(as_text=True)
    assert "Slinga 0 ingår i en slinga av överordnade." in preview
    assert "Slinga 2999 ingår i en slinga av överordnade." in preview
    assert "Utanför ingår" not in preview


def test_bidirectional_controls_are_stripped_from_imported_names(app, client, world):
    login(client)
    data = workbook([HEADER, ["Kultur\u202enämnden\u2066", "", "nämnd", "Anna\u200f Berg", "anna@example.org"]])
    preview = upload(client, "register.xlsx", data).get_data(as_text=True)
    assert "Kulturnämnden" in preview and "\u202e" not in preview
    post_form(client, "/samordning/register/import/bekrafta", {}, page="/samordning/register/")
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Kulturnämnden"))
        assert unit is not None and unit.contacts[0].name == "Anna Berg"


def test_bidirectional_controls_are_stripped_from_a_register_form(app, client, world):
    login(client)
    with app.app_context():
        parent = db.session.scalar(select(Unit).where(Unit.name == "Socialtjänsten"))
    name = "Fri\u202dtids\u200egården"
    post_form(client, "/samordning/register/ny", {"name": name, "kind": "verksamhet", "parent": str(parent.id)})
    with app.app_context():
        assert db.session.scalar(select(Unit).where(Unit.name == "Fritidsgården")) is not None
