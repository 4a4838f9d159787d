"""What the first walk-throughs found (issue 20), each as a user would check it."""

import io
import re

import openpyxl

from helpers import (
    FULL_FIRST_SECTION,
    add_account,
    csrf_from,
    fill_and_submit,
    hidden_fields,
    login,
    new_round_of_one_unit,
    open_form,
    post_form,
)
from survey.extensions import db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_refused_page_says_who_can_give_access(app, world):
    add_account(app, "lasare@example.org", "viewer")
    add_account(app, "admin@example.org", "admin", "Ada Admin")
    viewer = app.test_client()
    login(viewer, "lasare@example.org")
    response = viewer.get("/samordning/omgang/ny")
    assert response.status_code == 403
    page = text_of(response)
    assert "Gå tillbaka och försök igen" not in page
    assert "Ditt konto har rollen läsare" in page
    assert "Roller ändras av en administratör: Ada Admin, admin@example.org" in page
    assert 'href="/samordning/"' in response.get_data(as_text=True), "back to the coordinator's start"


def test_the_audit_log_speaks_of_rounds_units_and_questions_not_ids_and_keys(app, client, world):
    contact = app.test_client()
    open_form(contact, world)
    post_form(contact, world.section_url("grund"), {"namn": "Anna", "action": "save"})
    post_form(contact, world.section_url("exempel"), {"action": "add:goda_exempel"})
    add_account(app, "admin@example.org", "admin")
    admin = app.test_client()
    login(admin, "admin@example.org")
    page = admin.get("/samordning/logg").get_data(as_text=True)
    details = text_of(admin.get("/samordning/logg"))
    assert "{&#34;" not in page and '{"' not in details, "no raw JSON"
    assert "uppdrag " not in details
    assert "Omgång Kartläggning 2026" in details and "Verksamhet Centrum mot våld" in details
    assert "Ändrade frågor Vem fyller i?" in details
    assert "Lade till Gott exempel 1" in details or "Lade till Goda exempel 1" in details
    assert "<caption" in page


def test_queued_mail_without_a_mail_server_says_one_thing(app, world):
    app.config["MAIL_SERVER"] = ""
    coordinator = app.test_client()
    login(coordinator)
    token = csrf_from(coordinator.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True))
    page = coordinator.post(
        f"/samordning/omgang/{world.round_id}/inbjudan", data={"csrf_token": token, "all": "1"}, follow_redirects=True
    )
    text = text_of(page)
    assert "3 meddelanden väntar i utkorgen: ingen e-postserver är inställd (MAIL_SERVER)" in text
    assert "skickas nu" not in text
    assert text.count("MAIL_SERVER") == 1


# --- the contact person


def fill_and_submit_first_sections(contact, world):
    """The first section answered and one good example written; nothing submitted."""
    open_form(contact, world)
    post_form(contact, world.section_url("grund"), {**FULL_FIRST_SECTION, "action": "save"})
    post_form(contact, world.section_url("exempel"), {"action": "add:goda_exempel"})
    url = world.section_url("exempel")
    contact.post(url, data={**hidden_fields(contact, url), "exempel_rubrik-1": "Våga fråga", "action": "save"})


def test_the_logo_and_the_front_page_lead_back_to_the_form(app, world):
    contact = app.test_client()
    open_form(contact, world)
    section = contact.get(world.section_url("grund")).get_data(as_text=True)
    assert 'value="start"' in section and 'class="link-button brand"' in section
    saved = post_form(contact, world.section_url("grund"), {"namn": "Anna", "action": "start"})
    assert saved.headers["Location"] == f"/svar/{world.assignment_ids[0]}/"
    front = text_of(contact.get("/"))
    assert "Fortsätt med formuläret för Centrum mot våld" in front
    assert "Öppna den personliga länk" not in front
    assert "Öppna den personliga länk" in text_of(app.test_client().get("/")), "a stranger is told to open a link"


def test_the_receipt_leads_back_to_the_start_page(app, world):
    contact = app.test_client()
    fill_and_submit(contact, world, 0)
    receipt = contact.get(f"/svar/{world.assignment_ids[0]}/kvitto").get_data(as_text=True)
    assert f'href="/svar/{world.assignment_ids[0]}/"' in receipt


def test_submit_is_never_disabled_and_says_why_beside_it(app, world):
    contact = app.test_client()
    open_form(contact, world)
    page = contact.get(f"/svar/{world.assignment_ids[0]}/granska").get_data(as_text=True)
    button = re.search(r"<button[^>]*>Skicka in svaren</button>", page).group(0)
    assert "disabled" not in button and 'aria-describedby="submit-blocked"' in button
    assert re.search(r'id="submit-blocked">\d+ obligatoriska frågor saknar svar', page)
    review = f"/svar/{world.assignment_ids[0]}/granska"
    refused = post_form(contact, f"/svar/{world.assignment_ids[0]}/skicka-in", {}, page=review)
    assert refused.headers["Location"].endswith("/granska"), "the server refuses an incomplete form"


def test_an_empty_card_keeps_its_section_from_reading_done(app, world):
    contact = app.test_client()
    fill_and_submit_first_sections(contact, world)
    url = world.section_url("exempel")  # a second card, added and left empty
    contact.post(
        url, data={**hidden_fields(contact, url), "exempel_rubrik-1": "Våga fråga", "action": "add:goda_exempel"}
    )
    start = contact.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    exempel = re.search(r'<li class="state-(\w+)[^"]*">\s*<a[^>]*avsnitt/exempel"', start)
    assert exempel and exempel.group(1) == "started"
    review = text_of(contact.get(f"/svar/{world.assignment_ids[0]}/granska"))
    assert "Tomma kort tas bort när du skickar in: Gott exempel 2" in review


def test_a_group_named_as_its_section_is_not_headed_twice_and_counts_read_as_counts(app, world):
    contact = app.test_client()
    fill_and_submit_first_sections(contact, world)
    section = contact.get(world.section_url("exempel")).get_data(as_text=True)
    assert section.count(">Goda exempel</h") == 1
    assert 'aria-labelledby="section-title"' in section
    review = text_of(contact.get(f"/svar/{world.assignment_ids[0]}/granska"))
    assert "Goda exempel 1 beskrivet" in review


def test_saving_returns_to_the_content_and_a_link_skips_to_the_sections(app, world):
    contact = app.test_client()
    open_form(contact, world)
    page = contact.get(world.section_url("grund")).get_data(as_text=True)
    assert '<a class="skip-link" href="#sections">Hoppa till avsnitten</a>' in page and 'id="sections"' in page
    saved = post_form(contact, world.section_url("grund"), {"namn": "Anna", "action": "save"})
    assert saved.headers["Location"].endswith("/avsnitt/grund#main")


def test_the_session_ended_page_shows_choices_by_their_labels(app, world):
    contact = app.test_client()
    open_form(contact, world)
    token = csrf_from(contact.get(world.section_url("grund")).get_data(as_text=True))
    stranger = app.test_client()  # no session: as after the session ended
    page = stranger.post(
        world.section_url("grund"), data={"csrf_token": token, "namn": "Anna", "huvudomrade": "nara", "action": "save"}
    )
    text = text_of(page)
    assert "Våld i nära relationer" in text and " nara " not in f" {text} "


def test_a_contact_person_downloads_the_offline_template_themselves(app, world):
    contact = app.test_client()
    open_form(contact, world)
    start = contact.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert f'href="/svar/{world.assignment_ids[0]}/mall.xlsx"' in start
    response = contact.get(f"/svar/{world.assignment_ids[0]}/mall.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Grunduppgifter" in workbook.sheetnames
    assert app.test_client().get(f"/svar/{world.assignment_ids[0]}/mall.xlsx").status_code == 404, "only with the link"


def test_a_new_round_starts_from_the_latest_rounds_questionnaire(app, client, world):
    """The demo stores last year's questionnaire after this year's, and the list shows the newest stored first:
    a newcomer creating a round got last year's questions unless they noticed."""
    from helpers import ROOT
    from survey.models import QuestionnaireVersion

    with app.app_context():
        older = QuestionnaireVersion.from_source(
            (ROOT / "questionnaires" / "kartlaggning-vald.toml").read_text("utf-8")
        )
        db.session.add(older)
        db.session.commit()
        assert older.id > 1
    login(client)
    page = client.get("/samordning/omgang/ny").get_data(as_text=True)
    selected = re.findall(
        r'<option[^>]*\bselected\b[^>]*value="(version:\d+)"|<option[^>]*value="(version:\d+)"[^>]*\bselected', page
    )
    assert [a or b for a, b in selected] == ["version:1"], "the world's round uses version 1"


def test_creating_a_round_for_one_unit_says_one_unit(app, client, world):
    response = new_round_of_one_unit(app, client, follow_redirects=True)
    assert "Omgången är skapad som utkast med 1 verksamhet. Öppna den när allt är klart." in text_of(response)
