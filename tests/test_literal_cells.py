"""Names from imported register files never become formulas in the links file (security probe finding M4)."""

import csv
import io

import pytest
from sqlalchemy import select

from helpers import login, post_form
from survey.exports.writer import literal_csv_text
from survey.extensions import db
from survey.models import ContactPerson, Unit


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+46 70", "-Socialtjänsten", "@SUM(A1)", "\tTab", "\rCR"])
def test_text_a_spreadsheet_would_read_as_a_formula_is_kept_literal(text):
    assert literal_csv_text(text) == "'" + text


def test_ordinary_text_is_left_as_it_is():
    assert literal_csv_text("Centrum mot våld") == "Centrum mot våld"
    assert literal_csv_text("") == ""


def test_the_links_file_writes_unit_and_contact_names_as_literal_text(app, client, world):
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Centrum mot våld"))
        unit.name = "=Centrum mot våld"
        db.session.scalar(select(ContactPerson).where(ContactPerson.unit_id == unit.id)).name = "@Anna"
        db.session.commit()
    login(client)
    round_page = f"/samordning/omgang/{world.round_id}"
    response = post_form(client, f"{round_page}/lankar.csv", {}, page=round_page)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    [row] = [row for row in rows if "Centrum mot våld" in row[0]]
    assert row[:2] == ["'=Centrum mot våld", "'@Anna"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
