"""Two people, one unit: a later save never silently overwrites an earlier one."""

import html
import re

from sqlalchemy import select

from helpers import hidden_fields, open_form, stored, two_browsers
from survey.extensions import db
from survey.models import AuditEvent


def test_different_answers_from_two_browsers_are_both_kept(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    bo.post(url, data={**bo_page, "namn": "Bo", "action": "save"})
    response = anna.post(url, data={**anna_page, "uppdrag": "Annas text", "action": "save"}, follow_redirects=True)
    assert "En kollega har sparat svar i samma formulär" in response.get_data(as_text=True)
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Bo", ("uppdrag", 0): "Annas text"}


def test_same_answer_changed_by_two_shows_both_and_lets_the_user_choose(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    bo.post(url, data={**bo_page, "uppdrag": "Bos version", "action": "save"})
    response = anna.post(url, data={**anna_page, "uppdrag": "Annas version", "action": "next"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "En kollega har ändrat samma svar" in page
    assert "Kollegans sparade svar:" in page and "Bos version" in page
    assert re.search(r">\s*Annas version</textarea>", page)
    assert stored(app, world.assignment_ids[0])[("uppdrag", 0)] == "Bos version"
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "answers_saved").order_by(AuditEvent.id.desc())
        ).first()
        assert event.details["conflicts"] == ["uppdrag"]

    # Saving the re-rendered page keeps what Anna typed.
    again = re.search(r'name="base" value="([^"]*)"', page).group(1)
    version = re.search(r'name="version" value="([^"]*)"', page).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1)
    anna.post(
        url,
        data={
            "csrf_token": csrf,
            "version": version,
            "base": html.unescape(again),
            "entries": "{}",
            "uppdrag": "Annas version",
            "action": "save",
        },
    )
    assert stored(app, world.assignment_ids[0])[("uppdrag", 0)] == "Annas version"


def test_choosing_the_colleagues_answer_keeps_it(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    bo.post(url, data={**bo_page, "namn": "Bo", "action": "save"})
    anna.post(url, data={**anna_page, "namn": "Anna", "action": "save"})
    settled = hidden_fields(anna, url)  # as re-rendered: base now holds Bo's answer
    settled_page = anna.post(url, data={**settled, "namn": "Anna", "keep_theirs": "namn", "action": "save"})
    assert settled_page.status_code == 303
    assert stored(app, world.assignment_ids[0])[("namn", 0)] == "Bo"


def test_an_entry_a_colleague_added_survives_a_stale_save(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("exempel")
    anna_page = hidden_fields(anna, url)
    bo.post(url, data={**hidden_fields(bo, url), "action": "add:goda_exempel"})
    bo.post(url, data={**hidden_fields(bo, url), "exempel_rubrik-1": "Bos exempel", "action": "save"})
    anna.post(url, data={**anna_page, "action": "save"})
    assert stored(app, world.assignment_ids[0])[("exempel_rubrik", 1)] == "Bos exempel"


def test_an_entry_removed_by_a_colleague_comes_back_when_the_other_was_writing_in_it(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("exempel")
    anna.post(url, data={**hidden_fields(anna, url), "action": "add:goda_exempel"})
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    bo.post(f"{url}/ta-bort/goda_exempel/1", data={"csrf_token": bo_page["csrf_token"], "confirm": "yes"})
    assert ("goda_exempel", 1) not in stored(app, world.assignment_ids[0])
    anna.post(url, data={**anna_page, "exempel_rubrik-1": "Annas text", "action": "save"})
    values = stored(app, world.assignment_ids[0])
    assert values[("goda_exempel", 1)] is True and values[("exempel_rubrik", 1)] == "Annas text"


def test_autosave_answers_with_json_and_reports_conflicts(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    reply = anna.post(url, data={**anna_page, "namn": "Anna", "anstallda": "tio", "action": "autosave"})
    assert reply.status_code == 200 and reply.is_json
    assert reply.json["ok"] is True
    assert reply.json["message"].startswith("Sparat kl.") and "utom fält med fel" in reply.json["message"]
    assert "anstallda" in reply.json["errors"]
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}

    conflict = bo.post(url, data={**bo_page, "namn": "Bo", "action": "autosave"})
    assert conflict.json["ok"] is False and conflict.json["conflicts"] == ["namn"]
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Anna"}


def test_autosave_keeps_a_colleagues_change_that_this_page_has_not_seen(app, world):
    anna, bo = two_browsers(app, world)
    url = world.section_url("grund")
    anna_page, bo_page = hidden_fields(anna, url), hidden_fields(bo, url)
    bo.post(url, data={**bo_page, "namn": "Bo", "action": "save"})
    first = anna.post(url, data={**anna_page, "uppdrag": "Utkast", "action": "autosave"}).json
    assert "En kollega har också sparat" in first["message"]
    # The page still shows an empty name; the next autosave must not erase Bo's.
    anna.post(
        url,
        data={
            **anna_page,
            "version": first["version"],
            "base": first["base"],
            "uppdrag": "Utkast två",
            "action": "autosave",
        },
    )
    assert stored(app, world.assignment_ids[0]) == {("namn", 0): "Bo", ("uppdrag", 0): "Utkast två"}


def test_a_save_after_the_session_ended_shows_the_text_back(app, world):
    client = app.test_client()
    open_form(client, world)
    page = hidden_fields(client, world.section_url("grund"))
    with client.session_transaction() as session:
        session.clear()
    response = client.post(
        world.section_url("grund"), data={**page, "uppdrag": "Lång text som inte får tappas", "action": "save"}
    )
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "Sessionen har gått ut" in text
    assert "Verksamhetens uppdrag" in text and "Lång text som inte får tappas" in text
