"""The coordinator's path: log in, see every unit's status, download the workbook."""

from sqlalchemy import select

from helpers import PASSWORD, fill_and_submit, login, open_form, post_form
from survey.extensions import db
from survey.models import AuditEvent, User


def test_coordinator_pages_require_login(client, world):
    for url in (
        "/samordning/",
        f"/samordning/omgang/{world.round_id}",
        f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/logga-in?next=")


def test_contact_session_cannot_reach_coordinator_pages(client, world):
    open_form(client, world)
    assert client.get("/samordning/").status_code == 302
    assert client.get(f"/samordning/omgang/{world.round_id}/sammanstallning.xlsx").status_code == 302


def test_wrong_password_is_refused_and_audited(app, client, world):
    response = login(client, password="fel lösenord")
    assert response.status_code == 200
    assert "E-postadressen eller lösenordet stämmer inte." in response.get_data(as_text=True)
    assert client.get("/samordning/").status_code == 302
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
        assert event.actor == "samordnare@example.org"


def test_login_redirects_to_the_page_asked_for_but_never_off_site(client, world):
    wanted = f"/samordning/omgang/{world.round_id}"
    response = post_form(
        client, f"/logga-in?next={wanted}", {"email": "samordnare@example.org", "password": PASSWORD}, page="/logga-in"
    )
    assert response.headers["Location"] == wanted
    other = client.application.test_client()
    response = post_form(
        other,
        "/logga-in?next=//evil.example/",
        {"email": "samordnare@example.org", "password": PASSWORD},
        page="/logga-in",
    )
    assert response.headers["Location"] == "/samordning/"


def test_one_time_password_must_be_changed_first(app, client, world):
    with app.app_context():
        user = User(email="ny@example.org", role="coordinator")
        user.set_password("engangslosen-123", one_time=True)
        db.session.add(user)
        db.session.commit()
    login(client, "ny@example.org", "engangslosen-123")
    assert client.get("/samordning/").headers["Location"] == "/konto/losenord"
    short = post_form(client, "/konto/losenord", {"password": "kort", "confirm": "kort"})
    assert "minst 12 tecken" in short.get_data(as_text=True)
    post_form(client, "/konto/losenord", {"password": "ett riktigt långt lösen", "confirm": "ett riktigt långt lösen"})
    assert client.get("/samordning/").status_code == 200
    with app.app_context():
        assert User.by_email("ny@example.org").check_password("ett riktigt långt lösen")


def test_logout_ends_the_session(client, world):
    login(client)
    post_form(client, "/logga-ut", {}, page="/samordning/")
    assert client.get("/samordning/").status_code == 302


def test_round_page_shows_every_unit_with_its_status(app, client, world):
    contact = app.test_client()
    fill_and_submit(contact, world, 0)
    other = app.test_client()
    open_form(other, world, 1)
    post_form(other, world.section_url("grund", 1), {"namn": "Utkast", "action": "save"})

    login(client)
    page = client.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    for name in world.unit_names:
        assert name in page
    assert "Individ- och familjenämnden › Socialtjänsten" in page
    assert "<strong>1</strong> Ej påbörjad" in page
    assert "<strong>1</strong> Påbörjad" in page
    assert "<strong>1</strong> Inskickad" in page
    assert "Kontakt AB Bostaden" in page


def test_logout_ends_the_session_on_the_server_even_for_a_copied_cookie(app, client, world):
    login(client)
    with client.session_transaction() as session:
        copied = dict(session)
    post_form(client, "/logga-ut", {}, page="/samordning/")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/samordning/").status_code == 302


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, world):
    first, second = app.test_client(), app.test_client()
    login(first)
    login(second)
    new = {"password": "ett annat långt lösen", "confirm": "ett annat långt lösen"}
    post_form(first, "/konto/losenord", {"current": PASSWORD, **new})
    assert first.get("/samordning/").status_code == 200
    assert second.get("/samordning/").status_code == 302
