"""What a contact person reads in the mail and on the receipt, and what a coordinator downloads and opens from the
outbox (issue 20's remainder): the signature, the receipt's date, download file names, the outbox's message page."""

from sqlalchemy import select

from helpers import fill_and_submit
from survey import mail
from survey.extensions import db
from survey.models import Assignment, MailTemplate, OutboxMessage, ScopeVoice, Unit, User

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

