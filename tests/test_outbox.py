"""A page per outbox message: whom it is to, what it says, how it went; the personal link left out."""

from sqlalchemy import select

from helpers import csrf_from, login
from survey.extensions import db
from survey.models import OutboxMessage


def invite_first_unit(app, client, world) -> OutboxMessage:
    """The coordinator invites the first unit (no mail server here, so the message waits in the outbox)."""
    login(client)
    page = client.get(f"/samordning/omgang/{world.round_id}").get_data(as_text=True)
    client.post(
        f"/samordning/omgang/{world.round_id}/inbjudan",
        data={"csrf_token": csrf_from(page), "assignment": str(world.assignment_ids[0])},
    )
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        db.session.expunge(message)
        return message


def test_the_outbox_opens_a_message_with_recipient_state_and_body(app, client, world):
    message = invite_first_unit(app, client, world)
    outbox = client.get("/samordning/utkorg").get_data(as_text=True)
    assert f'href="/samordning/utkorg/{message.id}"' in outbox
    page = client.get(f"/samordning/utkorg/{message.id}").get_data(as_text=True)
    assert "Kontakt Centrum mot våld &lt;kontakt@example.org&gt;" in page
    assert "Inbjudan" in page and "Väntar" in page
    assert "väntar på en e-postserver (MAIL_SERVER)" in page
    assert "Centrum mot våld" in page and "Kartläggning 2026" in page
    first_line = message.body.strip().splitlines()[0]
    assert first_line in page


def test_the_message_page_leaves_out_the_live_personal_link(app, client, world):
    message = invite_first_unit(app, client, world)
    link = next(word for word in message.body.split() if "/svar/lank/" in word)
    page = client.get(f"/samordning/utkorg/{message.id}").get_data(as_text=True)
    assert "/svar/lank/" not in page and link not in page
    assert "[personlig länk, visas inte här]" in page
    # The message itself still carries a working link: only the page leaves it out.
    assert app.test_client().get(link[link.index("/svar/lank/") :]).status_code == 303


def test_a_failed_message_shows_its_error_and_is_tried_again_alone(app, client, world):
    message = invite_first_unit(app, client, world)
    with app.app_context():
        db.session.get(OutboxMessage, message.id).status = "failed"
        db.session.get(OutboxMessage, message.id).attempts = 5
        db.session.get(OutboxMessage, message.id).last_error = "Connection refused by mail.example.org"
        other = OutboxMessage(kind="invitation", to_address="annan@example.org", subject="S", body="B", status="failed")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    page = client.get(f"/samordning/utkorg/{message.id}").get_data(as_text=True)
    assert "Misslyckades" in page and "Connection refused by mail.example.org" in page
    assert "Försök igen" in page
    response = client.post(
        "/samordning/utkorg/skicka", data={"csrf_token": csrf_from(page), "message": str(message.id)}
    )
    assert response.headers["Location"].endswith(f"/samordning/utkorg/{message.id}")
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 meddelande väntar i utkorgen: ingen e-postserver är inställd" in after
    assert "skickas nu" not in after  # no contradiction: without a server nothing goes now
    with app.app_context():
        retried, untouched = db.session.get(OutboxMessage, message.id), db.session.get(OutboxMessage, other_id)
        assert (retried.status, retried.attempts) == ("pending", 0)
        assert untouched.status == "failed"


def test_a_sent_message_offers_no_resend(app, client, world):
    message = invite_first_unit(app, client, world)
    with app.app_context():
        db.session.get(OutboxMessage, message.id).status = "sent"
        db.session.commit()
    page = client.get(f"/samordning/utkorg/{message.id}").get_data(as_text=True)
    assert "Skickat" in page and "Skicka nu" not in page and "Försök igen" not in page
    response = client.post(
        "/samordning/utkorg/skicka",
        data={"csrf_token": csrf_from(page), "message": str(message.id)},
        follow_redirects=True,
    )
    assert "Meddelandet är redan skickat." in response.get_data(as_text=True)


def test_an_unknown_message_is_not_found(app, client, world):
    login(client)
    assert client.get("/samordning/utkorg/999").status_code == 404
    page = client.get("/samordning/utkorg").get_data(as_text=True)
    for bad in ("999", "abc"):
        response = client.post("/samordning/utkorg/skicka", data={"csrf_token": csrf_from(page), "message": bad})
        assert response.status_code == 404
