"""Spreadsheet bombs (security probe findings M2 and L6): files that unpack to far more than they weigh,
or carry XML tricks, are refused with a message naming the limit — quickly and in little memory —
and never reach openpyxl. The files are made in memory (tests/bombs.py), small on disk, not committed."""

import io

import pytest

from bombs import BOMBS, xlsx
from helpers import login, post_form
from survey.spreadsheets import Limits, SpreadsheetRefused, check_spreadsheet


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_spreadsheet_bomb_is_refused_with_a_message_naming_the_limit(app, name):
    make, message = BOMBS[name]
    data = make()
    assert len(data) < 1_000_000, "small on disk"
    with app.test_request_context(), pytest.raises(SpreadsheetRefused, match=message):
        check_spreadsheet(data)


def test_a_workbook_within_the_limits_passes_whatever_its_dimension_claims(app):
    with app.test_request_context():
        check_spreadsheet(
            xlsx('<row r="1"><c t="inlineStr"><is><t>Socialtjänsten</t></is></c></row>', dimension="A1:XFD1048576"),
            Limits(),
        )


@pytest.mark.parametrize("name", ["empty-rows", "entity-trick", "many-shared-strings"])
def test_the_answer_import_refuses_a_bomb_with_a_message(app, world, name):
    client = app.test_client()
    login(client)
    make, message = BOMBS[name]
    url = f"/samordning/svar/{world.assignment_ids[0]}/importera"
    response = post_form(client, url, {"file": (io.BytesIO(make()), "ifylld.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and message in page
