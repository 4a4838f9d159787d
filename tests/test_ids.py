"""Ids in URL paths and form values are bounded to what an id column holds: too large is a 404, never a 500."""

import pytest

from helpers import login
from survey.ids import MAX_ID, parse_id

TOO_LARGE = ("99999999999999999999", str(MAX_ID + 1), "9" * 5000)


@pytest.mark.parametrize("number", TOO_LARGE)
def test_an_overlong_id_in_a_public_path_is_not_found(client, number):
    assert client.get(f"/sammanstallning/{number}").status_code == 404


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize(
    "path", ("/samordning/omgang/{}", "/samordning/omgang/{}/sammanstallning.xlsx", "/samordning/svar/{}", "/svar/{}/")
)
def test_an_overlong_id_in_a_coordinators_path_is_not_found(client, world, path, number):
    login(client)
    assert client.get(path.format(number)).status_code == 404


@pytest.mark.parametrize("path", ("/sammanstallning/{}", "/samordning/omgang/{}", "/samordning/svar/{}"))
def test_the_largest_id_is_looked_up_and_missing(client, world, path):
    login(client)
    assert client.get(path.format(MAX_ID)).status_code == 404


def test_a_real_id_still_finds_its_row(client, world):
    login(client)
    assert client.get(f"/samordning/omgang/{world.round_id}").status_code == 200
    assert client.get(f"/samordning/svar/{world.assignment_ids[0]}").status_code == 200


def test_digits_of_other_scripts_are_not_an_id(client, world):
    login(client)
    assert client.get("/samordning/omgang/\u0661").status_code == 404  # ARABIC-INDIC DIGIT ONE


def test_parse_id_takes_ascii_digits_up_to_the_column_maximum():
    assert parse_id("17") == 17
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in (None, "", str(MAX_ID + 1), "9" * 5000, "²", "\u0661", "-1", "1.0", " 1"):
        assert parse_id(text) is None, text
