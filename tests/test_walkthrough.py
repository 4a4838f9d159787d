"""What the first walk-throughs found (issue 20), each as a user would check it."""

import re

from helpers import PASSWORD, csrf_from, login, open_form, post_form
from survey.extensions import db
from survey.models import User


def add_user(app, email, role, name=""):
    with app.app_context():
        user = User(email=email, role=role, name=name)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_refused_page_says_who_can_give_access(app, world):
    add_user(app, "lasare@example.org", "viewer")
    add_user(app, "admin@example.org", "admin", "Ada Admin")
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
    add_user(app, "admin@example.org", "admin")
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
