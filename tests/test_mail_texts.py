"""What a contact person reads in the mail and on the receipt, and what a coordinator downloads and opens from the
outbox (issue 20's remainder): the signature, the receipt's date, download file names, the outbox's message page."""

import re
from datetime import UTC, datetime
from urllib.parse import unquote

from sqlalchemy import select

from helpers import add_account, csrf_from, fill_and_submit, login, post_form
from survey import mail
from survey.extensions import db
from survey.models import Assignment, MailTemplate, OutboxMessage, Round, ScopeVoice, Unit, User

VOICE = "Samordningsfunktionen för arbetet mot våld"


def set_voice(app, unit_name, sender_name):
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        db.session.add(ScopeVoice(unit_id=unit.id, sender_name=sender_name))
        db.session.commit()


def invite_all(app, world, sender_name="Samordningsfunktionen"):
    """Invitations to every unit, sent by a coordinator named as the demo's is; the bodies by unit name."""
    with app.app_context():
        sender = User.by_email("samordnare@example.org")
        sender.name = sender_name
        assignments = [db.session.get(Assignment, i) for i in world.assignment_ids]
        mail.queue_assignment_mails(assignments, "invitation", sender)
        db.session.commit()
        return {
            db.session.get(Assignment, m.assignment_id).unit.name: m.body
            for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
        }


def test_an_invitation_is_signed_once_with_the_scopes_voice(app, world):
    set_voice(app, "Individ- och familjenämnden", VOICE)
    bodies = invite_all(app, world)
    centrum = bodies["Centrum mot våld"]
    assert centrum.rstrip().endswith(f"Vänliga hälsningar\n{VOICE}")
    assert centrum.count("Samordningsfunktionen") == 1, centrum
    # A unit outside the voice's part is signed with the name the mail comes from (MAIL_FROM's).
    assert bodies["AB Bostaden"].rstrip().endswith("Vänliga hälsningar\nKartläggning")
    assert "Samordningsfunktionen" not in bodies["AB Bostaden"]


def test_an_edited_template_signed_with_the_coordinators_name_keeps_working(app, world):
    body = "Hej {kontaktperson}!\n{lank}\n\nHälsningar\n{samordnare}, {avsandare}\n"
    assert mail.template_problems("invitation", "Kartläggning – {verksamhet}", body) == {"subject": [], "body": []}
    with app.app_context():
        db.session.add(MailTemplate(kind="invitation", subject="Kartläggning – {verksamhet}", body=body))
        db.session.commit()
    set_voice(app, "Socialtjänsten", VOICE)
    bodies = invite_all(app, world, sender_name="Karin Öberg")
    assert bodies["Äldreområdet"].rstrip().endswith(f"Hälsningar\nKarin Öberg, {VOICE}")


def test_the_receipt_mail_is_signed_with_the_voice(app, client, world):
    set_voice(app, "Socialtjänsten", VOICE)
    fill_and_submit(client, world)
    with app.app_context():
        receipt = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "receipt"))
        assert receipt.body.rstrip().endswith(f"Vänliga hälsningar\n{VOICE}")
        assert receipt.body.count("Samordningsfunktionen") == 1


def submitted_at(app, world, moment):
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        assignment.submitted_dt = moment
        db.session.commit()


def test_the_receipt_says_when_in_local_time_without_seconds(app, client, world):
    fill_and_submit(client, world)
    submitted_at(app, world, datetime(2026, 12, 3, 14, 20, 37, tzinfo=UTC))  # 15.20 in Stockholm
    url = f"/svar/{world.assignment_ids[0]}/kvitto"
    page = client.get(url).get_data(as_text=True)
    assert "3 december 2026 kl. 15.20" in page
    assert "15:20:37" not in page and "CET" not in page
    start = client.get(f"/svar/{world.assignment_ids[0]}/").get_data(as_text=True)
    assert "Svaren är inskickade 3 december 2026 kl. 15.20." in start
    english = client.get(url + "?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "3 December 2026 at 15:20" in english
    # Summer time too: 10.05 UTC is 12.05 in Stockholm in July.
    submitted_at(app, world, datetime(2026, 7, 1, 10, 5, tzinfo=UTC))
    assert "1 July 2026 at 12:05" in client.get(url).get_data(as_text=True)
    assert "1 juli 2026 kl. 12.05" in client.get(url + "?lang=sv", follow_redirects=True).get_data(as_text=True)


def test_the_receipt_mail_says_when_as_the_receipt_page_does(app, client, world):
    client.get(world.link() + "?lang=en")
    fill_and_submit(client, world)
    submitted_at(app, world, datetime(2026, 12, 3, 14, 20, 37, tzinfo=UTC))
    with app.test_request_context("/?lang=en"):
        mail.queue_receipt(db.session.get(Assignment, world.assignment_ids[0]))
        db.session.commit()
        receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).all()
    assert "skickades in 3 december 2026 kl. 15.20. Tack!" in receipts[-1].body


def disposition(response) -> tuple[str, str | None]:
    """The ASCII filename= and the decoded filename*= of an attachment (None when the name is ASCII)."""
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;"), header
    header.encode("ascii")  # a raw å in the header is what broke before
    plain = re.search(r'filename="?([^";]+)"?', header)
    assert plain, header
    starred = re.search(r"filename\*=UTF-8''([^;]+)", header)
    return plain.group(1), unquote(starred.group(1)) if starred else None


def test_every_download_names_its_file_in_ascii_and_utf8(app, client, world):
    with app.app_context():
        db.session.get(Round, world.round_id).name = "Kartläggning våren 2026"
        db.session.commit()
    add_account(app, "admin@example.org", "admin", "Admin")
    fill_and_submit(client, world, n=1)  # Äldreområdet
    login(client)
    rid, aid = world.round_id, world.assignment_ids[1]
    page = f"/samordning/omgang/{rid}"
    links = post_form(client, f"/samordning/omgang/{rid}/lankar.csv", {}, page=page)
    assert links.status_code == 200
    assert disposition(links) == ("Lankar Kartlaggning varen 2026.csv", "Länkar Kartläggning våren 2026.csv")
    downloads = [
        f"/samordning/omgang/{rid}/svarslage.xlsx",
        f"/samordning/omgang/{rid}/sammanstallning.xlsx",
        f"/samordning/svar/{world.assignment_ids[0]}/mall.xlsx",
        f"/samordning/svar/{aid}/svar.xlsx",
        "/samordning/plan/mall.xlsx",
        "/samordning/register/mall.xlsx",
    ]
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        ascii_name, utf8_name = disposition(response)
        assert ascii_name.endswith(".xlsx") and (utf8_name is None or utf8_name.endswith(".xlsx")), url
    client.post("/logga-ut", data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True))})
    login(client, "admin@example.org")
    export = post_form(
        client,
        "/samordning/personuppgifter/utdrag",
        {"email": "kontakt@example.org"},
        page="/samordning/personuppgifter",
    )
    assert export.status_code == 200 and disposition(export) == ("personuppgifter.xlsx", None)
    assert export.data[:2] == b"PK", "the workbook itself, not an empty file"
