"""Automatic reminders on the round's chosen days, the manual reminder's warning, and the receipt by e-mail."""

import email
import email.policy
import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from helpers import fill_and_submit, login, post_form
from survey import reminders
from survey.db import LOCAL_TZ, utcnow
from survey.extensions import db
from survey.models import Assignment, AuditEvent, OutboxMessage, Round, ScheduledReminder
from test_rounds import (
    invited_days_ago,
    smtp,  # noqa: F401  (the fixture: a real SMTP server on loopback)
)


def set_round(app, world, closes_on: date, days: list[int], invited: bool = True) -> None:
    """The round's last day and reminder days; with ``invited`` its units were invited long ago (a reminder presumes
    an invitation)."""
    with app.app_context():
        round_ = db.session.get(Round, world.round_id)
        round_.closes_on, round_.reminder_days = closes_on, days
        if invited:
            for assignment in round_.assignments:
                assignment.invited_dt = assignment.invited_dt or utcnow() - timedelta(days=60)
        db.session.commit()


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def reminder_subjects(app) -> list[str]:
    with app.app_context():
        return sorted(
            m.subject.split(" – ")[-1]
            for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
        )


def run_scheduler(app, now: datetime) -> int:
    with app.app_context():
        return len(reminders.queue_due_reminders(now))


def round_page(world) -> str:
    return f"/samordning/omgang/{world.round_id}"


def test_reminders_go_out_on_their_day_once_and_only_to_units_that_have_not_submitted(app, world):
    fill_and_submit(app.test_client(), world, 0)
    closes_on = date.today() + timedelta(days=20)
    set_round(app, world, closes_on, [7, 2])

    assert run_scheduler(app, at(closes_on - timedelta(days=8))) == 0, "the day before the first reminder day"
    assert run_scheduler(app, at(closes_on - timedelta(days=7), hour=7)) == 0, "the day, before REMINDER_HOUR"
    assert reminder_subjects(app) == []

    assert run_scheduler(app, at(closes_on - timedelta(days=7))) == 1
    assert reminder_subjects(app) == ["AB Bostaden", "Äldreområdet"]
    assert run_scheduler(app, at(closes_on - timedelta(days=7), hour=15)) == 0, "the same day again"
    assert run_scheduler(app, at(closes_on - timedelta(days=6))) == 0
    assert reminder_subjects(app) == ["AB Bostaden", "Äldreområdet"]

    assert run_scheduler(app, at(closes_on - timedelta(days=2))) == 1
    assert reminder_subjects(app) == ["AB Bostaden", "AB Bostaden", "Äldreområdet", "Äldreområdet"]
    assert run_scheduler(app, at(closes_on + timedelta(days=1))) == 0
    with app.app_context():
        counts = {a.unit.name: a.reminder_count for a in db.session.scalars(select(Assignment))}
        assert counts == {"Centrum mot våld": 0, "Äldreområdet": 2, "AB Bostaden": 2}
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders_scheduled")).all()
        assert [e.details for e in events] == [
            {
                "days_before": 7,
                "units": 2,
                "messages": 2,
                "recently_reminded": 0,
                "not_invited": 0,
                "without_contact": 0,
            },
            {
                "days_before": 2,
                "units": 2,
                "messages": 2,
                "recently_reminded": 0,
                "not_invited": 0,
                "without_contact": 0,
            },
        ]
        assert events[0].actor == "automatisk påminnelse"


def test_rounds_without_reminder_days_and_closed_rounds_get_none(app, world):
    closes_on = date.today() + timedelta(days=7)
    set_round(app, world, closes_on, [])
    assert run_scheduler(app, at(closes_on - timedelta(days=7))) == 0
    set_round(app, world, closes_on, [7])
    with app.app_context():
        db.session.get(Round, world.round_id).state = "closed"
        db.session.commit()
    assert run_scheduler(app, at(closes_on - timedelta(days=7))) == 0
    assert reminder_subjects(app) == []


def test_a_unit_reminded_by_hand_is_skipped_within_the_interval(app, client, world):
    app.config["REMINDER_HOUR"] = 0
    invited_days_ago(app, world)
    login(client)
    post_form(
        client, f"{round_page(world)}/paminnelse", {"assignment": str(world.assignment_ids[1])}, page=round_page(world)
    )
    set_round(app, world, date.today() + timedelta(days=7), [7])
    assert run_scheduler(app, utcnow()) == 1
    assert reminder_subjects(app) == ["AB Bostaden", "Centrum mot våld", "Äldreområdet"], "Äldreområdet: only by hand"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminders_scheduled"))
        assert event.details == {
            "days_before": 7,
            "units": 2,
            "messages": 2,
            "recently_reminded": 1,
            "not_invited": 0,
            "without_contact": 0,
        }
    page = client.get("/samordning/logg").get_data(as_text=True)
    assert "Automatiska påminnelser köade" in page and "Hoppades över (påminda eller inbjudna nyss)" in page


def test_a_day_claimed_by_another_process_is_not_sent_again(app, world, monkeypatch):
    closes_on = date.today() + timedelta(days=10)
    set_round(app, world, closes_on, [7])
    assert run_scheduler(app, at(closes_on - timedelta(days=7))) == 1
    # A second process that read the claims before the first committed: the unique row stops it.
    monkeypatch.setattr(reminders, "claimed", lambda round_ids: set())
    assert run_scheduler(app, at(closes_on - timedelta(days=7), hour=10)) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScheduledReminder)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_mail_send_queues_the_due_reminders_and_delivers_them(app, runner, world, smtp):  # noqa: F811
    app.config["REMINDER_HOUR"] = 0
    set_round(app, world, date.today() + timedelta(days=2), [7, 2])
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "3 sent" in result.output
    assert len(smtp.messages) == 3
    message = email.message_from_bytes(smtp.messages[0].content, policy=email.policy.default)
    assert message["Subject"].startswith("Påminnelse")
    body = message.get_content()
    assert "/svar/lank/" in body and "Vänliga hälsningar\r\nKartläggning" in body
    result = runner.invoke(args=["mail", "send"])
    assert "0 sent" in result.output and len(smtp.messages) == 3, "the second run sends nothing"


def test_the_round_page_says_when_the_next_reminder_goes_out_and_to_how_many(app, client, world):
    login(client)
    assert "Inga automatiska påminnelser" in client.get(round_page(world)).get_data(as_text=True)
    fill_and_submit(app.test_client(), world, 0)
    closes_on = date.today() + timedelta(days=20)
    set_round(app, world, closes_on, [7, 2])
    page = client.get(round_page(world)).get_data(as_text=True)
    assert "Automatiska påminnelser 7, 2 dagar före sista svarsdag." in page
    assert "till 2 verksamheter som inte har skickat in" in page
    day = closes_on - timedelta(days=7)
    assert f"{day.year}-{day.month:02}-{day.day:02} 08:00" in page or str(day.day) in page
    run_scheduler(app, at(day))
    page = client.get(round_page(world)).get_data(as_text=True)
    assert "till 2 verksamheter" in page  # the 2-day reminder: five days after the first
    run_scheduler(app, at(closes_on - timedelta(days=2)))
    assert "Inga fler påminnelser går ut i omgången." in client.get(round_page(world)).get_data(as_text=True)


def test_the_round_form_suggests_7_and_2_for_a_new_round_and_stores_the_days(app, client, world):
    login(client)
    assert 'value="7, 2"' in client.get("/samordning/omgang/ny").get_data(as_text=True)
    edit = f"{round_page(world)}/redigera"
    assert 'name="reminder_days" type="text" value=""' in client.get(edit).get_data(as_text=True)
    fields = {
        "name": "Kartläggning 2026",
        "questionnaire": "version:1",
        "opens_on": date.today().isoformat(),
        "closes_on": (date.today() + timedelta(days=30)).isoformat(),
        "scope": "",
    }
    page = post_form(client, edit, {**fields, "reminder_days": "sju"}).get_data(as_text=True)
    assert "Skriv antal dagar före sista svarsdag som heltal" in page
    assert post_form(client, edit, {**fields, "reminder_days": "2, 14; 7"}).status_code == 303
    with app.app_context():
        assert db.session.get(Round, world.round_id).reminder_days == [14, 7, 2]
    assert 'value="14, 7, 2"' in client.get(edit).get_data(as_text=True)


def test_a_manual_reminder_to_a_unit_reminded_recently_asks_first(app, client, world):
    invited_days_ago(app, world)
    login(client)
    url = f"{round_page(world)}/paminnelse"
    post_form(client, url, {"assignment": str(world.assignment_ids[1])}, page=round_page(world))
    assert reminder_subjects(app) == ["Äldreområdet"]
    page = post_form(client, url, {"all": "1"}, page=round_page(world)).get_data(as_text=True)
    assert "Påminna igen?" in page
    assert "De här verksamheterna" not in page and "Äldreområdet – påmind" in page
    assert "Ingen påminnelse har skickats ännu." in page
    assert reminder_subjects(app) == ["Äldreområdet"], "nothing sent before the coordinator chooses"
    others = [str(world.assignment_ids[0]), str(world.assignment_ids[2])]
    post_form(client, url, {"assignment": others, "confirm": "1"}, page=round_page(world))
    assert reminder_subjects(app) == ["AB Bostaden", "Centrum mot våld", "Äldreområdet"]
    post_form(client, url, {"assignment": str(world.assignment_ids[1]), "confirm": "1"}, page=round_page(world))
    assert reminder_subjects(app) == ["AB Bostaden", "Centrum mot våld", "Äldreområdet", "Äldreområdet"]


@pytest.mark.parametrize("days", [0, 1])
def test_the_interval_counts_calendar_days(app, world, days):
    app.config["REMINDER_INTERVAL_DAYS"] = 2
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        today = date.today()
        assignment.invited_dt = at(today - timedelta(days=10))
        assignment.last_reminded_dt = at(today - timedelta(days=days), hour=23)
        db.session.commit()
        assert assignment.id in reminders.sort_out(assignment.round, today).ids[reminders.RECENT]
        assignment.last_reminded_dt = at(today - timedelta(days=2), hour=23)
        db.session.commit()
        assert assignment.id not in reminders.sort_out(assignment.round, today).ids[reminders.RECENT]


def test_submitting_mails_a_receipt_whose_link_opens_the_submitted_units_receipt(app, runner, world, smtp):  # noqa: F811
    contact = app.test_client()
    response = fill_and_submit(contact, world, 0)
    receipt = contact.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ett kvitto har skickats till kontakt@example.org." in receipt
    with app.app_context():
        assignment = db.session.get(Assignment, world.assignment_ids[0])
        reference = assignment.reference
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "receipt"))
        assert message.assignment_id == assignment.id and message.to_address == "kontakt@example.org"
        assert message.subject == "Kvitto: kartläggningen för Centrum mot våld är inskickad"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submitted"))
        assert event.details == {"messages": 1}
    runner.invoke(args=["mail", "send"])
    delivered = [email.message_from_bytes(m.content, policy=email.policy.default) for m in smtp.messages]
    assert [m["Subject"] for m in delivered] == ["Kvitto: kartläggningen för Centrum mot våld är inskickad"]
    body = delivered[0].get_content()
    assert reference in body and "Kartläggning 2026" in body and "Centrum mot våld" in body
    link = re.search(r"https?://\S+(/svar/lank/\S+)", body).group(1)

    colleague = app.test_client()
    opened = colleague.get(link)
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/svar/{world.assignment_ids[0]}/")
    start = colleague.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Formuläret är låst" in start and "Visa kvittot" in start
    page = colleague.get(f"/svar/{world.assignment_ids[0]}/kvitto")
    assert page.status_code == 200 and reference in page.get_data(as_text=True)
    assert app.test_client().get(world.link(0)).status_code == 303, "the invitation's link still works"


def test_a_unit_without_contact_persons_gets_no_receipt_and_the_page_says_nothing(app, world):
    with app.app_context():
        for contact_person in db.session.get(Assignment, world.assignment_ids[0]).unit.contacts:
            db.session.delete(contact_person)
        db.session.commit()
    contact = app.test_client()
    response = fill_and_submit(contact, world, 0)
    assert "Ett kvitto har skickats" not in contact.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_receipt_mail_is_an_editable_template_that_must_keep_its_link(app, client, world):
    login(client)
    assert "Kvitto på inskickade svar" in client.get("/samordning/epost").get_data(as_text=True)
    url = "/samordning/epost/receipt"
    page = post_form(client, url, {"subject": "Kvitto {verksamhet}", "body": "Tack! {sista_svarsdag}"})
    text = page.get_data(as_text=True)
    assert "Okända platshållare: {sista_svarsdag}" in text and "måste innehålla {lank}" in text
    saved = post_form(client, url, {"subject": "Kvitto {verksamhet}", "body": "Tack! {referens} {lank}"})
    assert saved.status_code == 303
    fill_and_submit(app.test_client(), world, 1)
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "receipt"))
        assert message.subject == "Kvitto Äldreområdet"
        assert message.body.startswith(f"Tack! K{world.round_id}-") and "/svar/lank/" in message.body


def test_scheduled_reminders_skip_a_unit_never_invited_and_the_round_page_offers_inviting_it(app, client, world):
    closes_on = date.today() + timedelta(days=20)
    set_round(app, world, closes_on, [7])
    with app.app_context():  # the world's first unit was never invited
        never = db.session.get(Assignment, world.assignment_ids[0])
        never.invited_dt, name = None, never.unit.name
        db.session.commit()
    login(client)
    page = client.get(round_page(world)).get_data(as_text=True)
    assert "till 2 verksamheter som inte har skickat in" in page
    assert "1 verksamhet har inte bjudits in än och får ingen påminnelse." in page
    assert "Bjud in den som inte bjudits in (1 verksamhet)" in page
    assert run_scheduler(app, at(closes_on - timedelta(days=7))) == 1
    assert name not in reminder_subjects(app) and len(reminder_subjects(app)) == 2
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_ids[0]).reminder_count == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reminders_scheduled"))
        assert event.details["not_invited"] == 1
    post_form(client, f"{round_page(world)}/inbjudan", {"all": "1"}, page=round_page(world))
    with app.app_context():
        assert db.session.get(Assignment, world.assignment_ids[0]).invited_dt is not None, "the offer invites it"
