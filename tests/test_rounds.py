"""The coordinator runs a round: create, open, invite over real SMTP, remind, close, reopen, approve."""

import csv
import email
import io
import re
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from helpers import FULL_FIRST_SECTION, add_account, fill_and_submit, login, open_form, post_form
from survey.db import utcnow
from survey.extensions import db
from survey.models import Assignment, AuditEvent, MailTemplate, OutboxMessage, Round, Unit


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback; the app is pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="Kartläggning <noreply@example.org>"
    )
    yield inbox
    controller.stop()


def round_page(world):
    return f"/samordning/omgang/{world.round_id}"


def test_create_a_round_for_a_subtree(app, client, world):
    login(client)
    page = client.get("/samordning/omgang/ny").get_data(as_text=True)
    assert "Hela organisationen" in page and "Socialtjänsten" in page
    assert "Kartläggning av arbetet mot våld – version 2026.7 (ny, från filen kartlaggning-vald.toml)" in page
    with app.app_context():
        scope = db.session.scalar(select(Round)).assignments[0].unit.parent_id
    response = post_form(
        client,
        "/samordning/omgang/ny",
        {
            "name": "Kartläggning 2027",
            "questionnaire": "version:1",
            "opens_on": "2027-01-10",
            "closes_on": "2027-02-28",
            "scope": str(scope),
            "instructions": "Läs *noga*.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        created = db.session.scalar(select(Round).where(Round.name == "Kartläggning 2027"))
        assert created.state == "draft"
        assert sorted(a.unit.name for a in created.assignments) == ["Centrum mot våld", "Äldreområdet"]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_created")).details == {"units": 2}


def test_round_form_errors_are_field_level_swedish(client, world):
    login(client)
    response = post_form(
        client,
        "/samordning/omgang/ny",
        {"name": "", "questionnaire": "version:1", "opens_on": "2027-03-01", "closes_on": "2027-02-01", "scope": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ge omgången ett namn" in page
    assert "Sista svarsdag kan inte vara före dagen omgången öppnar." in page


def test_a_viewer_can_read_but_not_change(app, client, world):
    add_account(app, "ordforande@example.org", "viewer")
    login(client, "ordforande@example.org")
    assert client.get(round_page(world)).status_code == 200
    assert client.get(f"/samordning/svar/{world.assignment_ids[0]}").status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(round_page(world)).get_data(as_text=True)).group(
        1
    )
    for url in (
        "/samordning/omgang/ny",
        f"/samordning/omgang/{world.round_id}/status",
        f"/samordning/omgang/{world.round_id}/inbjudan",
        f"/samordning/omgang/{world.round_id}/lankar.csv",
        f"/samordning/svar/{world.assignment_ids[0]}/ny-lank",
        "/samordning/epost/invitation",
    ):
        assert client.post(url, data={"csrf_token": token, "state": "closed", "all": "1"}).status_code == 403, url
    with app.app_context():
        assert db.session.get(Round, world.round_id).state == "open"


def test_closing_keeps_drafts_but_stops_edits_and_reopening_sets_a_new_date(app, client, world):
    contact = app.test_client()
    open_form(contact, world)
    post_form(contact, world.section_url("grund"), {"namn": "Utkast", "action": "save"})
    login(client)
    post_form(client, f"/samordning/omgang/{world.round_id}/status", {"state": "closed"}, page=round_page(world))
    locked = post_form(contact, world.section_url("grund"), {"namn": "För sent", "action": "save"})
    assert locked.status_code == 303
    assert contact.get(world.link(1)).status_code == 410
    new_date = (date.today() + timedelta(days=14)).isoformat()
    post_form(client, f"/samordning/omgang/{world.round_id}/oppna-igen", {"closes_on": new_date})
    with app.app_context():
        round_ = db.session.get(Round, world.round_id)
        assert round_.state == "open" and round_.closes_on.isoformat() == new_date
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assert assignment.values() == {("namn", 0): "Utkast"}
        changes = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "round_state_changed")).all()
        assert [(c["from"], c["to"]) for c in changes] == [("open", "closed"), ("closed", "open")]


def test_invitations_arrive_at_a_real_smtp_server_and_their_links_work(app, client, world, smtp):
    app.config["COORDINATOR_EMAIL"] = ""  # replies still reach a coordinator: the account's own address
    login(client)
    post_form(client, f"/samordning/omgang/{world.round_id}/inbjudan", {"all": "1"}, page=round_page(world))
    with app.app_context():
        from survey import mail

        mail.send_pending()
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["kontakt@example.org"] * 3
    headers = email.message_from_bytes(smtp.messages[0].content)
    assert headers["Reply-To"] == "samordnare@example.org" and headers["Date"], "replies reach the coordinator; dated"
    body = smtp.messages[0].content.decode("utf-8")
    assert "Kartl=C3=A4ggning" in body or "Kartläggning" in body
    link = re.search(r"http://127\.0\.0\.1:5000(/svar/lank/[A-Za-z0-9_-]+)", body.replace("=\r\n", "")).group(1)
    assert app.test_client().get(link).status_code == 303
    with app.app_context():
        sent = db.session.scalars(select(OutboxMessage)).all()
        assert {(m.status, m.attempts) for m in sent} == {("sent", 1)}
        assert all("/svar/lank/" not in m.body and "borttagen efter utskick" in m.body for m in sent)
        assert all(a.invited_dt is not None for a in db.session.scalars(select(Assignment)))
    # Earlier links keep working: the world's own links are still valid.
    assert app.test_client().get(world.link(0)).status_code == 303
    unit_page = client.get(f"/samordning/svar/{world.assignment_ids[0]}").get_data(as_text=True)
    mail_table = unit_page[unit_page.index("E-post till verksamheten") :]
    assert ">Inbjudan</a></td>" in mail_table and "Skickat" in mail_table and "invitation" not in mail_table


def test_a_mail_server_that_is_down_loses_nothing(app, client, world, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    login(client)
    post_form(
        client,
        f"/samordning/omgang/{world.round_id}/inbjudan",
        {"assignment": str(world.assignment_ids[0])},
        page=round_page(world),
    )
    with app.app_context():
        from survey import mail

        assert mail.send_pending() == (0, 1)
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "pending" and message.attempts == 1 and "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_dt > utcnow()
        message.next_attempt_dt = utcnow()  # the retry is due
        db.session.commit()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        result = runner.invoke(args=["mail", "send"])
    finally:
        controller.stop()
    assert result.exit_code == 0 and "1 sent, 0 failed" in result.output
    assert len(inbox.messages) == 1
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)).status == "sent"


def test_send_now_delivers_what_waits_for_a_later_retry(app, client, world, smtp):
    login(client)
    post_form(
        client,
        f"/samordning/omgang/{world.round_id}/inbjudan",
        {"assignment": str(world.assignment_ids[0])},
        page=round_page(world),
    )
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.status, message.next_attempt_dt = "pending", utcnow() + timedelta(hours=3)  # as after a failure
        db.session.commit()
    smtp.messages.clear()
    outbox = client.get("/samordning/utkorg").get_data(as_text=True)
    assert "Skicka väntande och misslyckade nu" in outbox
    response = post_form(client, "/samordning/utkorg/skicka", {}, page="/samordning/utkorg")
    response.close()  # the response is on its way: the web process sends now
    assert [m.rcpt_tos for m in smtp.messages] == [["kontakt@example.org"]]
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)).status == "sent"


def test_one_message_that_cannot_be_sent_does_not_hold_up_the_others(app, client, world, smtp, monkeypatch):
    with app.app_context():
        db.session.get(Unit, db.session.get(Assignment, world.assignment_ids[0]).unit_id).name = "Centrum\u2028mot våld"
        db.session.commit()
    login(client)
    post_form(client, f"/samordning/omgang/{world.round_id}/inbjudan", {"all": "1"}, page=round_page(world))
    with app.app_context():
        subjects = [m.subject for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
        assert "Kartläggning av arbetet mot våld – Centrum mot våld" in subjects, "one line, whatever the name holds"
        from survey import mail

        for message in db.session.scalars(select(OutboxMessage)):
            message.status, message.attempts, message.next_attempt_dt = "pending", 0, utcnow()
        db.session.commit()
        real = mail.deliver
        first = min(m.id for m in db.session.scalars(select(OutboxMessage)))
        monkeypatch.setattr(
            mail,
            "deliver",
            lambda m, *rest: (_ for _ in ()).throw(ValueError("bad header")) if m.id == first else real(m, *rest),
        )
        smtp.messages.clear()
        assert mail.send_pending() == (2, 1)
        broken = db.session.get(OutboxMessage, first)
        assert broken.status == "pending" and broken.attempts == 1 and "ValueError" in broken.last_error
    assert len(smtp.messages) == 2


def invited_days_ago(app, world, days=10):
    """Every unit of the round invited ``days`` ago: a reminder goes only to those invited."""
    with app.app_context():
        for assignment_id in world.assignment_ids:
            db.session.get(Assignment, assignment_id).invited_dt = utcnow() - timedelta(days=days)
        db.session.commit()


def test_remind_all_not_submitted(app, client, world, smtp):
    fill_and_submit(app.test_client(), world, 0)
    invited_days_ago(app, world)
    login(client)
    post_form(client, f"/samordning/omgang/{world.round_id}/paminnelse", {"all": "1"}, page=round_page(world))
    post_form(
        client,
        f"/samordning/omgang/{world.round_id}/paminnelse",
        {"assignment": str(world.assignment_ids[1]), "confirm": "1"},  # reminded a moment ago: confirmed
        page=round_page(world),
    )
    with app.app_context():
        counts = {a.unit.name: a.reminder_count for a in db.session.scalars(select(Assignment))}
        assert counts == {"Centrum mot våld": 0, "Äldreområdet": 2, "AB Bostaden": 1}
        reminders = select(OutboxMessage).where(OutboxMessage.kind == "reminder")  # not the unit's receipt
        assert db.session.scalar(select(func.count()).select_from(reminders.subquery())) == 3
        assert {m.subject for m in db.session.scalars(reminders)} == {
            "Påminnelse: kartläggning av arbetet mot våld – Äldreområdet",
            "Påminnelse: kartläggning av arbetet mot våld – AB Bostaden",
        }


def test_a_unit_that_has_submitted_is_never_invited_or_reminded(app, client, world):
    fill_and_submit(app.test_client(), world, 0)  # answered before any invitation, e.g. from a copied link
    login(client)
    post_form(client, f"/samordning/omgang/{world.round_id}/inbjudan", {"all": "1"}, page=round_page(world))
    chosen = post_form(
        client,
        f"/samordning/omgang/{world.round_id}/paminnelse",
        {"assignment": [str(world.assignment_ids[0]), str(world.assignment_ids[1])], "confirm": "1"},
        page=round_page(world),
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Har redan skickat in, fick inget meddelande: Centrum mot våld" in chosen
    with app.app_context():
        sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "receipt"))
        subjects = sorted(m.subject.split(" – ")[-1] for m in sent)
        assert subjects == ["AB Bostaden", "Äldreområdet", "Äldreområdet"]
        assert db.session.get(Assignment, world.assignment_ids[0]).invited_dt is None


def test_a_unit_added_to_the_register_after_opening_can_join_the_round(app, client, world):
    login(client)
    with app.app_context():
        parent = db.session.scalar(select(Unit).where(Unit.name == "Socialtjänsten"))
        db.session.add(Unit(name="Familjerätten", kind="verksamhet", parent=parent))
        db.session.commit()
    page = client.get(round_page(world)).get_data(as_text=True)
    assert "1 verksamhet i registret har inget formulär i omgången" in page and "Familjerätten" in page
    post_form(client, f"/samordning/omgang/{world.round_id}/nya-verksamheter", {}, page=round_page(world))
    with app.app_context():
        units = {a.unit.name: a.status for a in db.session.scalars(select(Assignment))}
        assert units["Familjerätten"] == "not_started" and len(units) == 4
    assert "har inget formulär" not in client.get(round_page(world)).get_data(as_text=True)


def test_links_csv_issues_new_links_that_replace_the_old(app, client, world):
    login(client)
    response = post_form(client, f"/samordning/omgang/{world.round_id}/lankar.csv", {}, page=round_page(world))
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Verksamhet", "Kontaktperson", "E-post", "Länk"]
    links = {row[0]: row[3] for row in rows[1:]}
    assert set(links) == set(world.unit_names)
    contact = app.test_client()
    assert contact.get(world.link(0)).status_code == 404
    assert contact.get(links["Centrum mot våld"].removeprefix("http://127.0.0.1:5000")).status_code == 303


def test_reopen_with_a_comment_the_contact_person_sees_and_approve(app, client, world):
    contact = app.test_client()
    fill_and_submit(contact, world, 0)
    login(client)
    unit_page = f"/samordning/svar/{world.assignment_ids[0]}"
    page = client.get(unit_page).get_data(as_text=True)
    assert "Våga fråga" in page and "Anna Andersson" in page
    empty = post_form(client, f"{unit_page}/oppna-igen", {"comment": ""}, page=unit_page)
    assert "Skriv vad som behöver kompletteras." in empty.get_data(as_text=True)
    post_form(
        client,
        f"{unit_page}/oppna-igen",
        {"comment": "Beskriv **samverkan** mer.\r\nLägg till ett exempel.", "notify": "y"},
        page=unit_page,
    )
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind != "receipt")).all()
        assert message.kind == "reopened" and message.to_address == "kontakt@example.org"
        assert "Beskriv **samverkan** mer.\nLägg till ett exempel." in message.body
        link = re.search(r"/svar/lank/[A-Za-z0-9_-]+", message.body).group(0)
    assert app.test_client().get(link).status_code == 303, "the link in the message opens the form"
    assert ">Svaren öppnade igen</a></td>" in client.get(unit_page).get_data(as_text=True)
    start = contact.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert "Kommentar från samordnaren" in start and "<strong>samverkan</strong>" in start
    assert re.search(r"mer\.<br ?/?>\s*Lägg till ett exempel\.", start), "the comment keeps its line breaks"
    assert "Kommentar från samordnaren" in contact.get(world.section_url("grund")).get_data(as_text=True)
    post_form(contact, world.section_url("grund"), {**FULL_FIRST_SECTION, "namn": "Kompletterat", "action": "save"})
    post_form(
        contact, f"/svar/{world.assignment_ids[0]}/skicka-in", {}, page=f"/svar/{world.assignment_ids[0]}/granska"
    )
    post_form(client, f"{unit_page}/godkann", {}, page=unit_page)
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assert assignment.status == "submitted" and assignment.approved_dt is not None
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert "assignment_reopened" in actions and "assignment_approved" in actions


def test_mail_templates_are_editable_and_placeholders_checked(app, client, world, smtp):
    login(client)
    bad = post_form(client, "/samordning/epost/invitation", {"subject": "Hej {namnet}", "body": "Länk: {lank}"})
    assert "Okända platshållare: {namnet}" in bad.get_data(as_text=True)
    without_link = post_form(
        client, "/samordning/epost/reminder", {"subject": "Påminnelse {verksamhet", "body": "Svara!"}
    )
    page = without_link.get_data(as_text=True)
    assert "Meddelandet måste innehålla {lank}, mottagarens personliga länk." in page
    assert "En klammerparentes saknar sin partner." in page and "{{}" not in page
    huge = post_form(
        client, "/samordning/epost/reminder", {"subject": "Hej", "body": "{kontaktperson:>99999999} {lank!r}"}
    )
    assert "utan tecken som : eller ! inom klammerparenteserna" in huge.get_data(as_text=True)
    post_form(
        client,
        "/samordning/epost/invitation",
        {
            "subject": "Dags för kartläggning, {verksamhet}",
            "body": "Hej {kontaktperson}, {lank} senast {sista_svarsdag}.",
        },
    )
    post_form(
        client,
        f"/samordning/omgang/{world.round_id}/inbjudan",
        {"assignment": str(world.assignment_ids[2])},
        page=round_page(world),
    )
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.subject == "Dags för kartläggning, AB Bostaden"
        assert db.session.scalar(select(MailTemplate).where(MailTemplate.kind == "reminder")) is None, "nothing saved"
        assert message.body.startswith("Hej Kontakt AB Bostaden, http://127.0.0.1:5000/svar/lank/")
