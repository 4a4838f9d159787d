"""One rule says what a staff user may see: hide a unit or a round there and every page, list and download obeys."""

import sys

import pytest
from sqlalchemy import select

from helpers import login, post_form
from survey import access
from survey.extensions import db
from survey.models import ContactPerson, Round, Unit


def replace_rule(monkeypatch, name: str, rule) -> None:
    """Replace the rule in survey.access and in every module that imported it by name."""
    original = getattr(access, name)
    for module in list(sys.modules.values()):
        if (module.__name__ or "").startswith("survey") and getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, rule)


@pytest.fixture
def hide_unit(monkeypatch, world):
    """The rule hides AB Bostaden (the world's third unit) from everyone."""
    hidden = world.unit_names[2]
    replace_rule(monkeypatch, "visible_units", lambda user: select(Unit.id).where(Unit.name != hidden))
    return hidden


@pytest.fixture
def hide_round(monkeypatch, world):
    replace_rule(monkeypatch, "visible_rounds", lambda user: select(Round.id).where(Round.id != world.round_id))


def test_the_rule_today_lets_every_staff_user_see_everything(app, world):
    with app.app_context():
        assert len(db.session.scalars(access.visible_units(None)).all()) == 5
        assert db.session.scalars(access.visible_rounds(None)).all() == [world.round_id]


def test_a_hidden_round_is_a_404_everywhere_and_left_out_of_the_list(client, world, hide_round):
    login(client)
    assert "Kartläggning 2026" not in client.get("/samordning/").get_data(as_text=True)
    for page in ("", "/fragor", "/redigera", "/svarslage.xlsx", "/sammanstallning.xlsx"):
        assert client.get(f"/samordning/omgang/{world.round_id}{page}").status_code == 404, page
    for action in ("/lankar.csv", "/inbjudan", "/paminnelse"):
        response = post_form(client, f"/samordning/omgang/{world.round_id}{action}", {"all": "1"}, page="/samordning/")
        assert response.status_code == 404, action


def test_a_hidden_unit_is_a_404_and_left_out_of_lists_and_exports(app, client, world, hide_unit):
    login(client)
    hidden_assignment = world.assignment_ids[2]
    for page in ("", "/mall.xlsx", "/svar.xlsx", "/importera"):
        assert client.get(f"/samordning/svar/{hidden_assignment}{page}").status_code == 404, page
    assert client.get(f"/samordning/svar/{world.assignment_ids[0]}").status_code == 200
    status = client.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    assert hide_unit not in status and world.unit_names[0] in status
    round_page = f"/samordning/omgang/{world.round_id}"
    links = post_form(client, f"{round_page}/lankar.csv", {}, page=round_page)
    assert links.status_code == 200 and hide_unit not in links.get_data(as_text=True)
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == hide_unit))
        contact = db.session.scalar(select(ContactPerson).where(ContactPerson.unit_id == unit.id))
        unit_id, contact_id = unit.id, contact.id
    assert hide_unit not in client.get("/samordning/register/").get_data(as_text=True)
    assert client.get(f"/samordning/register/{unit_id}").status_code == 404
    assert client.get(f"/samordning/register/kontakt/{contact_id}").status_code == 404


def test_the_council_workbook_leaves_out_a_unit_the_rule_hides(app, client, world, hide_unit):
    import io

    import openpyxl

    login(client)
    response = client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx", query_string={"utkast": "1"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    texts = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value}
    assert world.unit_names[0] in texts, "the visible units are there"
    assert hide_unit not in texts


def test_an_overlong_namnd_in_the_workbook_address_is_no_error(client, world):
    login(client)
    response = client.get(
        f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx", query_string={"namnd": "99999999999999999999"}
    )
    assert response.status_code == 200
